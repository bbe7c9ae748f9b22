"""Text inside CSS strings: the page title in the print header, font names and URLs."""

from __future__ import annotations


def escape(text: str) -> str:
    """Text safe inside a double-quoted CSS string inside an HTML <style> element: anything
    but letters, digits, non-ASCII and plain punctuation is written as a hex escape, so no
    quote, backslash, newline or `</style>` can end the string or the element."""
    out = []
    for ch in text:
        if ch.isalnum() or ch in " .,:;!?()-_/%" or ord(ch) > 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return "".join(out)


def string(text: str) -> str:
    """A double-quoted CSS string holding `text`."""
    return f'"{escape(text)}"'
