"""The few pieces of many catalogs whose layout only GNU msgcat can decide, laid out
together by one msgcat run.

A long string's line breaks follow libunistring's UAX #14 (Thai, Khmer, Burmese...),
and a comment GNU would reinterpret (a Solaris-style `# File: x, line: 1`, a header
comment that is really a flag) is best left to GNU too.  Each piece goes into a
synthetic entry that reproduces everything its layout depends on (line prefix,
keyword, format flags), tagged by a first translator comment `# @<n>`.
"""

from __future__ import annotations

import re

from .msgcat import protect_flags, restore_block, run

Ref = int  # a piece's number, replaced by its lines once the batch has run

_HEADER = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"'
_ESCAPES = (
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\t", "\\t"),
    ("\r", "\\r"),
    ("\a", "\\a"),
    ("\b", "\\b"),
    ("\f", "\\f"),
    ("\v", "\\v"),
)
_NEEDS_ESCAPE = re.compile('[\\\\"\n\t\r\a\b\f\v]')


def quote(value: str) -> str:
    """A string's body as GNU writes it between quotes."""
    if not _NEEDS_ESCAPE.search(value):
        return value
    for char, escape in _ESCAPES:
        value = value.replace(char, escape)
    return value


class Batch:
    """Pieces collected from any number of catalogs, deduplicated."""

    def __init__(self) -> None:
        self._refs: dict[tuple, Ref] = {}
        self._entries: list[str] = []
        self._reads: list[tuple] = []

    def __bool__(self) -> bool:
        return bool(self._entries)

    def string(self, prefix: str, keyword: str, flags: str, value: str) -> Ref:
        """The lines of `prefix keyword "value"` in an entry with these format flags."""
        key = ("s", prefix, keyword, flags, value)
        if key not in self._refs:
            n = self._add(
                _string_entry(len(self._entries), prefix, keyword, flags, value),
                ("s", prefix + keyword + " ", prefix + '"'),
            )
            self._refs[key] = n
        return self._refs[key]

    def comments(self, lines: list[str], obsolete: bool, translated: bool) -> Ref:
        """GNU's rewriting of an entry's comment lines as polib wrote them."""
        key = ("c", tuple(lines), obsolete, translated)
        if key not in self._refs:
            n = len(self._entries)
            body = protect_flags("\n".join(lines)).split("\n") if lines else []
            self._refs[key] = self._add(_comment_entry(n, body, obsolete, translated), ("c",))
        return self._refs[key]

    def _add(self, entry: str, read: tuple) -> Ref:
        self._entries.append(entry)
        self._reads.append(read)
        return len(self._entries) - 1

    def resolve(self, msgcat: str) -> list[list[str]] | None:
        """Every piece's lines, by one msgcat run; None if msgcat refused the batch."""
        text = run(msgcat, _HEADER + "\n\n" + "\n\n".join(self._entries) + "\n")
        if text is None:
            return None
        found: list[list[str] | None] = [None] * len(self._entries)
        for block in text.rstrip("\n").split("\n\n")[1:]:
            lines = block.split("\n")
            n = int(lines[0][3:])
            found[n] = _read(lines[1:], self._reads[n])
        if any(lines is None for lines in found):
            return None
        return found  # type: ignore[return-value]


def _read(lines: list[str], read: tuple) -> list[str] | None:
    if read[0] == "c":
        end = next(
            (i for i, ln in enumerate(lines) if ln.startswith(("msgctxt ", "#~ msgctxt "))),
            len(lines),
        )
        return restore_block(lines[:end])
    _, start, more = read
    at = next((i for i, ln in enumerate(lines) if ln.startswith(start)), None)
    if at is None:
        return None
    end = at + 1
    while end < len(lines) and lines[end].startswith(more):
        end += 1
    return lines[at:end]


def _string_entry(n: int, prefix: str, keyword: str, flags: str, value: str) -> str:
    obsolete = prefix.startswith("#~")
    main = "#~ " if obsolete else ""
    lines = [f"# @{n}"] + ([f"#, {flags}"] if flags else [])
    tag, text = f'"@{n}"', f'"{quote(value)}"'
    if "|" in prefix:  # a previous field, then a plain entry to hang it on
        lines += {
            "msgctxt": [f"{prefix}msgctxt {text}", f'{prefix}msgid ""'],
            "msgid": [f"{prefix}msgid {text}"],
            "msgid_plural": [f'{prefix}msgid ""', f"{prefix}msgid_plural {text}"],
        }[keyword]
        body = [f"msgctxt {tag}", 'msgid ""', 'msgstr "x"']
    elif keyword == "msgctxt":
        body = [f"msgctxt {text}", f"msgid {tag}", 'msgstr "x"']
    elif keyword == "msgid":
        body = [f"msgctxt {tag}", f"msgid {text}", 'msgstr "x"']
    elif keyword == "msgid_plural":
        body = [f"msgctxt {tag}", 'msgid ""', f"msgid_plural {text}", 'msgstr[0] "x"']
    elif keyword == "msgstr":
        body = [f"msgctxt {tag}", 'msgid ""', f"msgstr {text}"]
    else:  # msgstr[<n>]
        index = int(keyword[7:-1])
        body = [f"msgctxt {tag}", 'msgid ""', 'msgid_plural ""']
        body += [f'msgstr[{i}] "x"' for i in range(index)] + [f"msgstr[{index}] {text}"]
    return "\n".join(lines + [main + line for line in body])


def _comment_entry(n: int, body: list[str], obsolete: bool, translated: bool) -> str:
    main = "#~ " if obsolete else ""
    msgstr = '"x"' if translated or obsolete else '""'
    return "\n".join(
        [f"# @{n}", *body, f'{main}msgctxt "@{n}"', f'{main}msgid ""', f"{main}msgstr {msgstr}"]
    )
