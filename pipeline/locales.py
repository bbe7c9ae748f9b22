"""Locale codes: validated with Babel, spelt for gettext or for the web."""

from __future__ import annotations

import contextlib
import gettext
import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import babel
from babel.core import get_global

from .errors import L10nError
from .files import cache_dir, read_object, write_replaceable

_SHAPE = re.compile(r"\A[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*\Z")


@cache
def parse_locale(code: str) -> babel.Locale:
    """A Babel locale for a code Babel knows exactly; anything else is bad input."""
    expected = "a locale code such as th, vi, km or zh_Hans"
    if not _SHAPE.match(code or ""):
        raise L10nError(f"invalid locale code {code!r}: expected {expected}")
    wanted = code.replace("-", "_")
    try:
        locale = babel.Locale.parse(wanted)
    except (ValueError, babel.UnknownLocaleError):
        raise L10nError(f"unknown locale code {code!r}: expected {expected}") from None
    if str(locale).lower() != wanted.lower():
        raise L10nError(f"unknown locale code {code!r}: expected {expected}")
    return locale


@cache
def gettext_name(code: str) -> str:
    """The catalog folder name: `zh_Hans`."""
    return str(parse_locale(code))


@cache
def web_tag(code: str) -> str:
    """The BCP 47 tag for folders and `lang` attributes: `zh-Hans`."""
    return gettext_name(code).replace("_", "-")


@cache
def native_name(code: str) -> str:
    """The language named in itself (ไทย, Tiếng Việt), as a reader looks for it.

    Naming a language in itself loads all of that locale's data, and every page lists
    every language: the names are kept in the user's cache, per Babel version."""

    def name() -> str:
        found = parse_locale(code).display_name or code
        return found[:1].upper() + found[1:]

    return remembered("native-names", code, name)


def remembered(kind: str, key: str, make: Callable[[], str], limit: int = 0) -> str:
    """`make()`, kept in the user's cache per Babel version under `kind` and `key`: for
    what Babel answers only once it has loaded a locale's data (or all of CLDR's).  With
    `limit`, only that many answers are kept, the newest."""
    kept = _kept(kind)
    if key not in kept:
        kept[key] = make()
        while limit and len(kept) > limit:
            del kept[next(iter(kept))]
        with contextlib.suppress(OSError):
            write_replaceable(_kept_file(kind), json.dumps(kept, ensure_ascii=False).encode())
    return kept[key]


def _kept_file(kind: str) -> Path:
    return cache_dir("locales") / f"{kind}-babel-{babel.__version__}.json"


@cache
def _kept(kind: str) -> dict[str, str]:
    kept = read_object(_kept_file(kind))
    return {k: v for k, v in kept.items() if isinstance(k, str) and isinstance(v, str) and v}


def english_name(code: str) -> str:
    """The language's English name (kept: asking loads all of the locale's data)."""
    return remembered("english-names", code, lambda: parse_locale(code).english_name or code)


def direction(code: str) -> str:
    """`ltr` or `rtl` (kept: asking loads all of the locale's data)."""
    return remembered("directions", code, lambda: parse_locale(code).text_direction)


def plural_forms(code: str) -> str:
    from babel.messages.plurals import get_plural  # here: it imports Babel's catalogs

    return get_plural(parse_locale(code)).plural_forms


def nplurals(plural_forms_header: str) -> int:
    """The number of plural forms a `Plural-Forms` header declares; gettext's default is 2."""
    found = re.search(r"nplurals\s*=\s*(\d+)", plural_forms_header)
    return int(found.group(1)) if found else 2


_PLURAL = re.compile(r"(?<![A-Za-z])plural\s*=\s*([^;]+)")


@cache
def plural_numbers(plural_forms_header: str) -> tuple[tuple[int, ...], ...]:
    """For each form a `Plural-Forms` header declares, the numbers from 0 to 1000 that
    take it, as `msgfmt --check` evaluates them (a form taken by five or more is "often"
    used, and must keep every placeholder of the plural); empty when the header has no
    expression Python's gettext can evaluate."""
    forms = nplurals(plural_forms_header)
    found = _PLURAL.search(plural_forms_header)
    if found is None or not 0 < forms <= 1001:
        return ()
    try:
        rule = gettext.c2py(found.group(1).strip())
        numbers: list[list[int]] = [[] for _ in range(forms)]
        for number in range(1001):
            form = rule(number)
            if 0 <= form < forms:
                numbers[form].append(number)
    except (ValueError, ArithmeticError, RecursionError, SyntaxError):
        return ()
    return tuple(tuple(n) for n in numbers)


@cache
def script(code: str) -> str:
    """ISO 15924 script of a locale, explicit (zh_Hant) or from CLDR likely subtags (th);
    ValueError when CLDR does not say.  Kept in the user's cache: CLDR's likely subtags
    are a load of all its global data."""
    return remembered("scripts", code, lambda: _script(code))


def _script(code: str) -> str:
    loc = babel.Locale.parse(code.replace("-", "_"))
    if loc.script:
        return loc.script
    likely_subtags: Mapping[str, str] = get_global("likely_subtags")
    keys = [f"{loc.language}_{loc.territory}"] if loc.territory else []
    for key in [*keys, loc.language]:
        likely = likely_subtags.get(key)
        if likely:
            for part in likely.split("_")[1:]:
                if len(part) == 4 and part.isalpha():
                    return part.title()
    raise ValueError(f"cannot determine the script of locale {code!r}")
