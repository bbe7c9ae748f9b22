"""Checks of what a translation says: numbers, placeholders, terminology, glyphs."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol, get_group_symbol

from .. import glossary as glossary_mod
from ..project import UI_DOMAIN
from ..site import fonts
from .model import ERROR, Context
from .registry import check
from .sources import glyph_message
from .text import UNSPACED, script_of

# --- numbers -------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,'\u00a0\u202f\u2019]\d+)*")
_RANGE_GAP = re.compile(r"\s*[-~\u2010-\u2015\u2212\u301c]\s*")
_RATIO_GAP = re.compile(r"\s*:\s*")


class _Digits(dict):
    """A str.translate table that learns each code point the first time it is asked:
    decimal digits of any script map to 0-9, everything else to itself."""

    def __missing__(self, code: int) -> int | str:
        ch = chr(code)
        found = str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else code
        self[code] = found
        return found


_DIGITS = _Digits()


def ascii_digits(text: str) -> str:
    """Native digits (Thai ๕, Lao ໕, Khmer ៥, Burmese ၅, ...) as 0-9."""
    return text.translate(_DIGITS) if _NATIVE_DIGIT.search(text) else text


_NATIVE_DIGIT = re.compile(r"(?![0-9])\d")  # \d: a decimal digit of any script


def _value(token: str, group: str, decimal: str) -> Decimal | None:
    """A number written with these separators, or None when it cannot be one."""
    whole, frac = token, ""
    if decimal in token:
        whole, _, frac = token.rpartition(decimal)
        if decimal in whole or not frac.isdigit():
            return None
    if group and group in whole:
        parts = whole.split(group)
        if not 1 <= len(parts[0]) <= 3 or any(len(p) != 3 for p in parts[1:]):
            return None
        whole = "".join(parts)
    if not whole.isdigit():
        return None
    try:
        return Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class _Unit:
    kind: str  # number, range or ratio
    text: str
    parts: tuple[frozenset, ...]  # each part's possible values


@functools.lru_cache(maxsize=8192)  # an English text is read the same way for every locale
def _number_units(text: str, symbols: tuple[tuple[str, str], ...]) -> tuple[_Unit, ...]:
    """Numbers, ranges (50–300) and ratios (4:1); each part may read several ways when
    the separators are ambiguous (1.000 is a thousand in Indonesian, one in English)."""
    text = ascii_digits(text)

    def values(token: str) -> frozenset:
        found = {_value(token, g, d) for g, d in symbols} - {None}
        return frozenset({token, *found})

    matches = list(_NUMBER.finditer(text))
    units: list[_Unit] = []
    i = 0
    while i < len(matches):
        here = matches[i]
        if i + 1 < len(matches):
            after = matches[i + 1]
            gap = text[here.end() : after.start()]
            kind = (
                "range"
                if _RANGE_GAP.fullmatch(gap)
                else "ratio"
                if _RATIO_GAP.fullmatch(gap)
                else None
            )
            if kind:
                parts = (values(here.group()), values(after.group()))
                units.append(_Unit(kind, text[here.start() : after.end()], parts))
                i += 2
                continue
        units.append(_Unit("number", here.group(), (values(here.group()),)))
        i += 1
    return tuple(units)


@functools.cache
def number_symbols(locale: str) -> tuple[tuple[str, str], ...]:
    try:
        own = (get_group_symbol(locale), get_decimal_symbol(locale))
    except (ValueError, TypeError):
        own = (",", ".")
    return tuple(dict.fromkeys([own, (",", ".")]))


def _found(unit: _Unit, units: tuple[_Unit, ...]) -> bool:
    if unit.kind == "number":
        return any(unit.parts[0] & part for other in units for part in other.parts)
    return any(
        other.kind == unit.kind and all(a & b for a, b in zip(unit.parts, other.parts, strict=True))
        for other in units
    )


def written_as_in_english(ours: tuple[_Unit, ...], translation: str) -> bool:
    """The common case, decided without reading the translation's numbers: a number
    written exactly as in the English is found (each reading of a number includes its
    own text), whatever else its separators could mean.  Ranges and ratios are left to
    the full reading."""
    if not all(unit.kind == "number" for unit in ours):
        return False
    written = {found.group() for found in _NUMBER.finditer(ascii_digits(translation))}
    return all(unit.text in written for unit in ours)


@check("numbers", ERROR, "every number, range (50–300) and ratio (4:1) of the English is kept")
def numbers_kept(ctx: Context) -> Iterator[str]:
    ours = _number_units(ctx.english, ((",", "."),))
    if not ours:
        return  # the translation's numbers are only looked for the English ones
    if written_as_in_english(ours, ctx.translation):
        return
    theirs = _number_units(ctx.translation, number_symbols(ctx.locale))
    reported = set()
    for unit in ours:
        if unit.text not in reported and not _found(unit, theirs):
            reported.add(unit.text)
            yield f'"{unit.text}" is missing from the translation'


# --- placeholders --------------------------------------------------------------------------

PRINTF_ANY = re.compile(
    r"%(?:\([^)]*\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]?"
)
_PRINTF_NAMED = re.compile(r"%\([A-Za-z_]\w*\)[#0 +\-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
JINJA = re.compile(r"\{\{-?\s*(.+?)\s*-?\}\}|\{%-?\s*(.+?)\s*-?%\}")
BRACE = re.compile(r"(?<!\{)\{(?:[A-Za-z_]\w*|\d*)(?:\.\w+|\[\w+\])*(?:![rsa])?(?::[^{}]*)?\}")


def _placeholders(text: str, printf: bool) -> tuple[Counter, list[str]]:
    """Placeholders of a format string, and invalid `%` sequences when it is printf."""
    found: Counter = Counter()
    bad: list[str] = []
    rest = text
    for match in JINJA.finditer(text):
        inner = match.group(1) or match.group(2)
        found["{{ " + inner + " }}" if match.group(1) else "{% " + inner + " %}"] += 1
    rest = JINJA.sub(" ", rest)
    found.update(BRACE.findall(rest))
    if printf:
        for match in PRINTF_ANY.finditer(rest):
            token = match.group()
            if token[-1] in "diouxXeEfFgGcrsa%" and len(token) > 1:
                found[token] += 1
            else:
                bad.append(rest[match.start() : match.start() + 8])
    else:
        found.update(_PRINTF_NAMED.findall(rest))
    return found, bad


@check(
    "placeholders",
    ERROR,
    "%(name)s, %s, {name} and {{ name }} placeholders kept exactly "
    "(ui strings and *-format entries)",
)
def placeholders_kept(ctx: Context) -> Iterator[str]:
    formats = [f for f in ctx.flags if f.endswith("-format") and not f.startswith("no-")]
    if ctx.domain != UI_DOMAIN and not formats:
        return
    printf = "python-format" in ctx.flags or "c-format" in ctx.flags
    ours, _ = _placeholders(ctx.english, printf)
    theirs, bad = _placeholders(ctx.translation, printf)
    for token in (ours - theirs).elements():
        yield f'placeholder "{token}" is missing from the translation'
    for token in (theirs - ours).elements():
        yield f'placeholder "{token}" is not in the English'
    for snippet in bad:
        yield f'"%" not followed by a conversion at "{snippet}": write "%%" for a percent sign'


# --- terminology and fonts -----------------------------------------------------------------


def _folded(text: str, locale: str) -> str:
    """Text as terms are found in it: any case; no spaces in scripts that do not separate
    words with them (Thai, Lao, Khmer, Burmese)."""
    text = glossary_mod.normalise(text).casefold()
    return re.sub(r"[\s\u200b]", "", text) if script_of(locale) in UNSPACED else text


def _contains(text: str, term: str, locale: str) -> bool:
    return _folded(term, locale) in _folded(text, locale)


@check(
    "glossary",
    ERROR,
    "approved glossary renderings used, forbidden ones not; do-not-translate terms kept as written",
)
def glossary_terms(ctx: Context) -> Iterator[str]:
    if not (ctx.glossary.terms or ctx.glossary.do_not_translate):
        return  # no glossary: nothing to hold the translation to
    english = glossary_mod.normalise(ctx.english)
    for term in ctx.glossary.occurrences(ctx.english):
        wanted = glossary_mod.renderings(term, ctx.locale)
        # A banned word inside an approved rendering is not a use of it.
        rest = _folded(ctx.translation, ctx.locale)
        for word in wanted:
            rest = rest.replace(_folded(word, ctx.locale), "\0")
        banned = [
            word
            for word in glossary_mod.forbidden(term, ctx.locale)
            if _folded(word, ctx.locale) in rest
        ]
        written = term.pattern().search(english)
        said = written.group() if written else term.english
        instead = f'; use "{wanted[0]}"' if wanted else ""
        for word in banned:
            yield f'"{word}" is a forbidden rendering of "{said}"{instead}'
        if (
            wanted
            and not banned
            and not any(_contains(ctx.translation, w, ctx.locale) for w in wanted)
        ):
            yield f'"{term.english}" is not rendered as "{wanted[0]}" (glossary)'
    for kept in ctx.glossary.untranslatable(ctx.english):
        if glossary_mod.normalise(kept) not in glossary_mod.normalise(ctx.translation):
            yield f'"{kept}" must be kept as written (do-not-translate)'


@check("glyphs", ERROR, "every character is drawn by the fonts the build uses for the locale")
def glyphs_drawn(ctx: Context) -> Iterator[str]:
    try:
        missing = fonts.missing_glyphs(ctx.translation, ctx.locale)
    except ValueError as exc:
        yield str(exc)
        return
    if missing:
        yield glyph_message(missing, ctx.locale)
