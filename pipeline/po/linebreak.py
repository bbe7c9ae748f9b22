"""GNU gettext's wrapping of a long string, with libunistring's own line breaking.

msgcat breaks a string that passes the page width where libunistring's UAX #14
implementation allows it (Thai, Khmer, Burmese and Lao included).  Calling that same
library through ctypes and repeating what `wrap()` in gettext's write-po.c does around
it gives msgcat's lines without a msgcat process.  Where the library cannot be loaded,
or a string holds what the C side cannot carry (a NUL), `lines` answers None and the
caller asks msgcat.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable, Iterator
from functools import cache, lru_cache

from .hardwrap import quote

_PROHIBITED, _POSSIBLE = 1, 2  # libunistring's UC_BREAK_* values
_PORTION = re.compile(r"[^\n]*\n|[^\n]+")
_INT_MAX = 2**31 - 1
# libunistring's ulc_width_linebreaks_v2, through ctypes: it returns an int.
_Breaks = Callable[..., int]


@cache
def _library() -> _Breaks | None:
    """`ulc_width_linebreaks_v2`, the function gettext 0.21 calls, or None."""
    for name in _library_names():
        try:
            function = ctypes.CDLL(name).ulc_width_linebreaks_v2
        except (OSError, AttributeError):
            continue
        function.restype = ctypes.c_int
        function.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
        ]
        return function
    return None


def _library_names() -> Iterator[str]:
    yield "libunistring.so.2"  # Debian's and most others' name: no search needed
    import ctypes.util  # here: importing it costs more than reading a catalog

    found = ctypes.util.find_library("unistring")  # runs ldconfig: only when needed
    if found:
        yield found


def available() -> bool:
    return _library() is not None


def lines(
    prefix: str, keyword: str, value: str, page_width: int, no_wrap: bool = False
) -> tuple[str, ...] | None:
    """The lines of `prefix keyword "value"` exactly as GNU writes them (for an entry
    without format flags, whose directives GNU would keep whole); None if unknown."""
    if keyword.startswith("msgstr"):
        return _lines(prefix, keyword, value, page_width, no_wrap)
    return _english_lines(prefix, keyword, value, page_width, no_wrap)


def _lines(
    prefix: str, keyword: str, value: str, page_width: int, no_wrap: bool
) -> tuple[str, ...] | None:
    breaks = _library()
    if breaks is None or "\x00" in value:
        return None
    after_break = len(prefix) + 1  # a continuation line starts `prefix"`
    width = (_INT_MAX if no_wrap else page_width) - 1 - after_break
    out: list[str] = []
    first = True
    newline = value.find("\n")  # one portion: what the pattern would find, found faster
    portions = [value] if newline in (-1, len(value) - 1) else _PORTION.findall(value)
    for index, portion in enumerate(portions):
        text = quote(portion).encode("utf-8")
        overrides = _overrides(text, portion.endswith("\n"))
        # Lines after the first start at column 0 of the width; a text that must break
        # there must break on the keyword's line too, which starts further right.
        marks = _marks(breaks, text, width, 0, overrides)
        if first and text:
            start = len(prefix) + len(keyword) + 2 - after_break
            if (
                index < len(portions) - 1
                or start > width
                or _POSSIBLE_MARK in marks
                or _POSSIBLE_MARK in _marks(breaks, text, width, start, overrides)
            ):
                out.append(f'{prefix}{keyword} ""')
                first = False
        head = f"{prefix}{keyword} " if first else prefix
        first = False
        at, cut = 0, marks.find(_POSSIBLE_MARK, 1)
        while cut > 0:
            out.append(f'{head}"{text[at:cut].decode("utf-8")}"')
            head, at, cut = prefix, cut, marks.find(_POSSIBLE_MARK, cut + 1)
        out.append(f'{head}"{text[at:].decode("utf-8")}"')
    return tuple(out)


# A template's strings recur in every locale's catalog; translations do not.
_english_lines = lru_cache(maxsize=1 << 14)(_lines)
_POSSIBLE_MARK = bytes([_POSSIBLE])
_marked = bytearray(4096)  # the verdicts, written by the library through `_buffer`
_buffer = (ctypes.c_char * len(_marked)).from_buffer(_marked)


def _marks(
    breaks: _Breaks, text: bytes, width: int, start: int, overrides: bytes | None
) -> bytearray:
    """libunistring's verdict for each byte of `text`: a break before it or not."""
    global _marked, _buffer
    if len(text) > len(_marked):
        _marked = bytearray(2 * len(text))
        _buffer = (ctypes.c_char * len(_marked)).from_buffer(_marked)
    breaks(text, len(text), width, start, 0, overrides, b"UTF-8", _buffer)
    return _marked[: len(text)]


def _overrides(text: bytes, ends_with_newline: bool) -> bytes | None:
    """No break inside an escape sequence, nor before a final `\\n` (None: none to
    override, which the library takes as a null pointer)."""
    if b"\\" not in text:
        return None
    marks = bytearray(len(text))
    at = text.find(b"\\")
    while at >= 0:
        marks[at + 1] = _PROHIBITED
        at = text.find(b"\\", at + 2)
    if ends_with_newline:
        marks[len(text) - 2] = _PROHIBITED
    return bytes(marks)
