"""Helpers the checks share: a text as its page renders it, and the script it is in."""

from __future__ import annotations

import contextlib
import functools
import html
import re
import sys
import unicodedata

from ..files import cache_dir, write_replaceable
from ..inline import Inline, ReferenceKey, render_keyed
from ..locales import script


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def inline(text: str, references: ReferenceKey = ()) -> Inline:
    """A text rendered as in its page (remembered: see pipeline.inline)."""
    return render_keyed(text, references)


_TAG = re.compile(r"<[^>]*>")


@functools.lru_cache(maxsize=8192)
def visible(text: str) -> str:
    """The text a reader sees of a segment: rendered, tags and URLs gone."""
    rendered = inline(text).html
    if "<" in rendered:
        rendered = _TAG.sub("", rendered)
    return html.unescape(rendered) if "&" in rendered else rendered


@functools.cache
def blanks_and_marks() -> re.Pattern[str]:
    """Whitespace (as str.isspace) and the combining marks of the Basic Multilingual
    Plane, as one character class: made once, then matched at C speed.  Finding the
    marks asks Unicode about every character, which costs a one-page build more than its
    page: the class is kept in the user's cache, by Unicode version."""
    kept = cache_dir("text") / f"marks-{unicodedata.unidata_version}.txt"
    try:
        marks = kept.read_text(encoding="ascii")
        if _MARKS.fullmatch(marks):
            return re.compile(f"[\\s{marks}]")
    except (OSError, UnicodeDecodeError):
        pass
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.category(chr(code))[0] == "M":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    marks = "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)
    with contextlib.suppress(OSError):
        write_replaceable(kept, marks.encode("ascii"))
    return re.compile(f"[\\s{marks}]")


_MARKS = re.compile(r"(?:\\u[0-9a-f]{4}-\\u[0-9a-f]{4})+")


_ASTRAL = re.compile(f"[\\U00010000-\\U{sys.maxunicode:08x}]")


def letters(text: str) -> int:
    """How many characters of a text are neither whitespace nor combining marks."""
    if _ASTRAL.search(text):
        rest = blanks_and_marks().sub("", text)
        return sum(1 for ch in rest if unicodedata.category(ch)[0] != "M")
    return len(text) - len(blanks_and_marks().findall(text))


SCRIPT_RANGES = {
    "Thai": ((0x0E00, 0x0E7F),),
    "Laoo": ((0x0E80, 0x0EFF),),
    "Khmr": ((0x1780, 0x17FF), (0x19E0, 0x19FF)),
    "Mymr": ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)),
}
SCRIPT_NAMES = {
    "Thai": "Thai",
    "Laoo": "Lao",
    "Khmr": "Khmer",
    "Mymr": "Burmese",
    "Latn": "Latin script",
}
UNSPACED = frozenset(SCRIPT_RANGES)  # scripts that write words without spaces


@functools.cache
def script_of(locale: str) -> str:
    """A locale's script, Latin when the code or CLDR cannot say (checks must not fail)."""
    try:
        return script(locale)
    except (ValueError, TypeError):
        return "Latn"


def in_script(ch: str, script: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in SCRIPT_RANGES.get(script, ()))
