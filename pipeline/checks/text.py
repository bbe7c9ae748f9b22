"""Helpers the checks share: a text as its page renders it, and the script it is in."""

from __future__ import annotations

import functools
import html
import re

from ..inline import Inline, render_inline
from ..locales import script


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@functools.lru_cache(maxsize=4096)
def inline(text: str, references: tuple = ()) -> Inline:
    return render_inline(text, dict(references))


def visible(text: str) -> str:
    """The text a reader sees of a segment: rendered, tags and URLs gone."""
    rendered = re.sub(r"<[^>]*>", "", inline(text).html)
    return html.unescape(rendered)


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
