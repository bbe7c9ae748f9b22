"""Bundled Noto fonts: which fonts a locale needs, their CSS, WOFF2 builds and coverage checks.

Fonts are bundled rather than left to the reader's system so HTML and PDF look the same on
every machine, and so a character our fonts cannot draw is caught at build time instead of
reaching a patient as an empty box ("tofu").
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..assets import FONTS_DIR, WEBFONTS_DIR
from ..files import cache_dir, content_digest, write_atomic, write_replaceable
from ..locales import script as script_of
from . import css

_BASE_STEM = "NotoSans"
# Scripts Noto Sans draws on its own (Latin incl. Vietnamese, Greek, Cyrillic).
_BASE_SCRIPTS = frozenset({"Latn", "Grek", "Cyrl"})
# ISO 15924 code -> file stem of the bundled script font.
_SCRIPT_STEMS = {
    "Thai": "NotoSansThai",
    "Laoo": "NotoSansLao",
    "Khmr": "NotoSansKhmer",
    "Mymr": "NotoSansMyanmar",
}
_STYLES = ("Regular", "Bold")
# Symbols and mathematics (U+2215 DIVISION SLASH, ≤, ≥, −, arrows, check marks...) that no
# script font draws: the last families of every stack, regular only (they have no bold).
_FALLBACK_STEMS = ("NotoSansMath", "NotoSansSymbols2")
_REGULAR_WEIGHT = 400
# Never drawn, so neither claimed in unicode-range nor reported as missing.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf"})


@dataclass(frozen=True)
class Font:
    """One bundled font face, as CSS @font-face needs it."""

    family: str
    weight: int
    path: Path
    unicode_range: str


@dataclass(frozen=True)
class _FontInfo:
    """What we read from a font file once per process (parsing a cmap is slow)."""

    family: str
    weight: int
    postscript_name: str
    cmap: frozenset[int]


@functools.lru_cache(maxsize=64)
def _font_info(path: Path) -> _FontInfo:
    """What a font says of itself, kept in the user's cache under the font's digest:
    reading it needs fontTools, whose import and parse cost more than an incremental
    build's whole page."""
    cached = cache_dir("fonts") / f"{content_digest(path).hex()[:32]}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        kept = json.loads(cached.read_text(encoding="utf-8"))
        if isinstance(kept["cmap"], list) and all(type(cp) is int for cp in kept["cmap"]):
            return _FontInfo(
                str(kept["family"]),
                int(kept["weight"]),
                str(kept["postscript"]),
                frozenset(kept["cmap"]),
            )
    info = _read_font_info(path)
    record = {
        "family": info.family,
        "weight": info.weight,
        "postscript": info.postscript_name,
        "cmap": sorted(info.cmap),
    }
    with contextlib.suppress(OSError):
        write_replaceable(cached, json.dumps(record).encode("utf-8"))
    return info


def _read_font_info(path: Path) -> _FontInfo:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as tt:
        name = tt["name"]
        # Name ID 16 (typographic family) is only set when ID 1 carries a weight suffix.
        family = name.getDebugName(16) or name.getDebugName(1)
        postscript_name = name.getDebugName(6)
        if not family or not postscript_name:
            raise ValueError(f"{path}: name table lacks family or PostScript name")
        return _FontInfo(
            family=family,
            weight=tt["OS/2"].usWeightClass,
            postscript_name=postscript_name,
            cmap=frozenset(tt.getBestCmap()),
        )


def _unicode_range(cmap: frozenset[int]) -> str:
    """CSS unicode-range for a cmap, bridging gaps that contain only unassigned code points.

    Unassigned code points never occur in text, so bridging them is exact for real input
    and turns Noto Sans's ~2800 code points into a couple of dozen ranges.
    """
    ranges: list[list[int]] = []
    for cp in sorted(cmap):
        if unicodedata.category(chr(cp)) == "Cc":
            continue  # cmaps map NUL and CR; format characters such as ZWJ must stay
        if ranges and all(
            unicodedata.category(chr(gap)) == "Cn" for gap in range(ranges[-1][1] + 1, cp)
        ):
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ", ".join(f"U+{lo:04X}" if lo == hi else f"U+{lo:04X}-{hi:04X}" for lo, hi in ranges)


@functools.lru_cache(maxsize=64)
def _font(stem: str, style: str) -> Font:
    path = FONTS_DIR / f"{stem}-{style}.ttf"
    info = _font_info(path)
    return Font(
        family=info.family,
        weight=info.weight,
        path=path,
        unicode_range=_unicode_range(info.cmap),
    )


@functools.lru_cache(maxsize=1)
def fallback_fonts() -> tuple[Font, ...]:
    """The symbol and mathematics fonts, each claiming only what the fonts before it lack,
    so that a browser fetches one only for a character nothing else draws."""
    taken = set(_font_info(FONTS_DIR / f"{_BASE_STEM}-Regular.ttf").cmap)
    found = []
    for stem in _FALLBACK_STEMS:
        path = FONTS_DIR / f"{stem}-Regular.ttf"
        info = _font_info(path)
        found.append(Font(info.family, info.weight, path, _unicode_range(info.cmap - taken)))
        taken |= info.cmap
    return tuple(found)


@functools.lru_cache(maxsize=64)
def fonts_for(locale: str) -> tuple[Font, ...]:
    """Noto Sans regular+bold, then the script font regular+bold if the script needs one,
    then the symbol and mathematics fallbacks.

    Raises ValueError for a script we bundle no font for, rather than let the browser
    silently fall back to whatever system font happens to be installed.
    """
    script = script_of(locale)
    stems = [_BASE_STEM]
    if script not in _BASE_SCRIPTS:
        if script not in _SCRIPT_STEMS:
            raise ValueError(f"no bundled font for script {script} (locale {locale!r})")
        stems.append(_SCRIPT_STEMS[script])
    return (*(_font(stem, style) for stem in stems for style in _STYLES), *fallback_fonts())


def _site_fonts(locale: str, also: Iterable[str]) -> tuple[Font, ...]:
    """The locale's fonts first, then those of the other locales a page names (the
    language switcher writes every language in its own script), the fallbacks last."""
    last = fallback_fonts()
    found = dict.fromkeys(f for f in fonts_for(locale) if f not in last)
    for other in also:
        found.update(dict.fromkeys(f for f in fonts_for(other) if f not in last))
    return (*found, *last)


def font_stack(locale: str, also: Iterable[str] = ()) -> str:
    """CSS font-family value; Noto Sans first so Latin, digits and punctuation come from it."""
    families = dict.fromkeys(font.family for font in _site_fonts(locale, also))
    return ", ".join([*(css.string(family) for family in families), "sans-serif"])


def woff2_name(font: Font) -> str:
    """File name carrying a hash of the TTF, so caches and incremental builds never go stale."""
    digest = content_digest(font.path).hex()[:10]
    return f"{font.path.stem}.{digest}.woff2"


def font_face_css(locale: str, url_prefix: str, also: Iterable[str] = ()) -> str:
    """@font-face rules for fonts_for(locale); url_prefix is prepended to each WOFF2 name."""
    rules = [
        "@font-face {\n"
        f"  font-family: {css.string(font.family)};\n"
        "  font-style: normal;\n"
        f"  font-weight: {font.weight};\n"
        "  font-display: swap;\n"
        f'  src: url({css.string(url_prefix + woff2_name(font))}) format("woff2");\n'
        f"  unicode-range: {font.unicode_range};\n"
        "}\n"
        for font in _site_fonts(locale, also)
    ]
    return "\n".join(rules)


def bundled_woff2(font: Font) -> Path:
    """Where the package keeps font's WOFF2: converting takes seconds a font (Brotli at
    its best setting), so the conversions ship with the package (`scripts/webfonts`)."""
    return WEBFONTS_DIR / woff2_name(font)


def woff2_ready(font: Font, dest_dir: Path) -> bool:
    """Whether font's WOFF2 is in dest_dir, copied there from the package or the user's
    cache if need be; False when it must be converted (seconds: `write_woff2`)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / woff2_name(font)
    if dest.exists():
        return True
    for kept in (bundled_woff2(font), cache_dir("woff2") / dest.name):
        if kept.is_file():
            write_atomic(dest, kept.read_bytes())
            return True
    return False


def convert_woff2(path: Path) -> bytes:
    """The WOFF2 of the TTF at path, the same bytes on every run.

    recalcTimestamp=False keeps the TTF's own head.modified: fontTools would otherwise stamp
    the current time and make every conversion's bytes differ.
    """
    import io

    from fontTools.ttLib import TTFont

    out = io.BytesIO()
    with TTFont(path, recalcTimestamp=False) as tt:
        tt.flavor = "woff2"
        tt.save(out)
    return out.getvalue()


def write_woff2(font: Font, dest_dir: Path) -> Path:
    """Font's WOFF2 in dest_dir, converted unless the package, the user's cache or dest_dir
    already has it; written atomically (never a truncated file under the final name).

    The content-hashed name makes an existing file trustworthy, so it is never rewritten.
    """
    dest = dest_dir / woff2_name(font)
    if woff2_ready(font, dest_dir):
        return dest
    data = convert_woff2(font.path)
    write_atomic(dest, data)
    with contextlib.suppress(OSError):  # compressing takes seconds: later builds copy it
        write_atomic(cache_dir("woff2") / dest.name, data)
    return dest


@functools.lru_cache(maxsize=64)
def coverage(locale: str) -> frozenset[int]:
    """Code points the locale's regular fonts map (bold maps the same set in every bundled pair)."""
    cmaps = [
        _font_info(font.path).cmap for font in fonts_for(locale) if font.weight == _REGULAR_WEIGHT
    ]
    return frozenset().union(*cmaps)


def missing_glyphs(text: str, locale: str) -> list[str]:
    """Characters of text the locale's fonts cannot draw, de-duplicated in order of appearance.

    Whitespace, control and format characters (ZWSP, ZWJ, ZWNJ, soft hyphen, ...) are
    skipped: they are invisible, so a font lacking them produces no tofu.
    """
    fast = _PREPARED.get(locale)
    if fast is not None and not fast.search(text):
        return []  # the common case, found at C speed
    absent = set(text) - _covered_characters(locale)
    if not absent:
        return []
    missing = dict.fromkeys(
        ch
        for ch in text
        if ch in absent
        and not ch.isspace()
        and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
    )
    return list(missing)


@functools.lru_cache(maxsize=64)
def _covered_characters(locale: str) -> frozenset[str]:
    """`coverage` as characters, so that a text is compared with it as a set (kept in the
    user's cache: see site.typefaces)."""
    from .typefaces import typefaces

    return typefaces().coverage(locale)


_PREPARED: dict[str, re.Pattern[str]] = {}


def prepare_glyphs(locale: str) -> None:
    """Answer `missing_glyphs` for this locale with one regular expression from now on:
    it takes some milliseconds to make, repaid after a few thousand texts (a run that
    checks whole locales), not by the one catalog of an edit."""
    _PREPARED[locale] = _uncovered(locale)


@functools.lru_cache(maxsize=64)
def _uncovered(locale: str) -> re.Pattern[str]:
    """A character the locale's fonts do not map, as one character class."""
    ranges: list[list[int]] = []
    for code in sorted(map(ord, _covered_characters(locale))):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    if not ranges:
        return re.compile(".", re.S)
    return re.compile("[^" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


def pdf_font_names(locale: str) -> set[str]:
    """PostScript names (name ID 6) of the locale's fonts, to compare with pdffonts output."""
    return {_font_info(font.path).postscript_name for font in fonts_for(locale)}
