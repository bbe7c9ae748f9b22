"""The approved terminology: `locales/glossary.tbx`, `glossary.csv`, `do-not-translate.txt`.

A drug or disease name rendered three ways on one page confuses patients, so the
translators' approved renderings are kept in a TBX file (the TermBase eXchange format
Weblate, OmegaT and the other translation tools import and export), or in a CSV file
kept in a spreadsheet, and `l10n check` holds every translation to them.  A rendering
a patient can misread ("final stage" for "late stage") is marked forbidden, as TBX
marks a term deprecated or superseded (Weblate's "forbidden translation"), and a
translation that uses it is an error.  Names that must never be translated (the
centre's name, "SSc") are listed one per line in a plain text file, or marked in the
TBX as Weblate does (`<descrip type="Translation needed">No</descrip>`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import L10nError

TBX_NAME = "glossary.tbx"
CSV_NAME = "glossary.csv"
DNT_NAME = "do-not-translate.txt"
CSV_COLUMNS = ("source", "language", "target", "status")  # status is optional

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ENTRY_TAGS = {"termEntry", "conceptEntry"}  # TBX v2 (martif) and TBX v3
_LANG_TAGS = {"langSet", "langSec"}
_FORBIDDEN = ("forbidden", "deprecated", "superseded", "obsolete")
_APPROVED = ("preferred", "admitted")  # and no status at all
_STATUS_TYPES = {"administrativestatus", "normativeauthorization"}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


def normalise(text: str) -> str:
    """Text as terms are compared: NFC, one kind of apostrophe, runs of space as one."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class Term:
    """One concept: its English term and the approved renderings per locale."""

    english: str
    renderings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    forbidden: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def pattern(self) -> re.Pattern[str]:
        """Whole words, any case, the last word optionally plural (-s, -es)."""
        words = [re.escape(word) for word in normalise(self.english).split()]
        return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?:e?s)?(?!\w)", re.I)


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()
    do_not_translate: tuple[str, ...] = ()

    def occurrences(self, english: str) -> list[Term]:
        """The terms an English text contains; a term inside a longer one is not counted."""
        if not self.terms:
            return []
        text = normalise(english)
        found: list[tuple[int, int, Term]] = []
        for term, pattern in self._patterns:
            for match in pattern.finditer(text):
                span = match.span()
                if not any(s < span[1] and span[0] < e for s, e, _ in found):
                    found.append((*span, term))
        seen: dict[str, Term] = {}
        for _, _, term in sorted(found, key=lambda item: item[0]):
            seen.setdefault(term.english, term)
        return list(seen.values())

    def untranslatable(self, english: str) -> list[str]:
        """Do-not-translate terms in an English text (whole words, exact case)."""
        if not self.do_not_translate:
            return []
        text = normalise(english)
        return [term for term, pattern in self._kept if pattern.search(text)]

    @cached_property
    def _patterns(self) -> list[tuple[Term, re.Pattern[str]]]:
        """Each term's pattern, longest term first: compiled once, not once a message."""
        return [(t, t.pattern()) for t in sorted(self.terms, key=lambda t: -len(t.english))]

    @cached_property
    def _kept(self) -> list[tuple[str, re.Pattern[str]]]:
        return [
            (term, re.compile(r"(?<!\w)" + re.escape(normalise(term)) + r"(?!\w)"))
            for term in self.do_not_translate
        ]


def _locale_key(code: str) -> str:
    return code.replace("-", "_").lower()


def renderings(term: Term, locale: str) -> tuple[str, ...]:
    """Approved renderings of a term for a locale (`th`, `zh_Hans`), matched loosely."""
    return _for_locale(term.renderings, locale)


def forbidden(term: Term, locale: str) -> tuple[str, ...]:
    """Renderings of a term the locale's translators must not use; other locales' bans
    do not apply (a word forbidden in Malay may be the right one in Indonesian)."""
    return _for_locale(term.forbidden, locale)


def _for_locale(values: dict[str, tuple[str, ...]], locale: str) -> tuple[str, ...]:
    """The locale's own entry (`zh_Hans` for `zh-Hans`), else its language's (`zh`)."""
    key = _locale_key(locale)
    for code, found in values.items():
        if _locale_key(code) == key:
            return found
    language = key.split("_")[0]
    return next((v for c, v in values.items() if _locale_key(c) == language), ())


def status_kind(value: str) -> str:
    """A term status as TBX or a CSV writes it, normalised: `deprecatedTerm-admn-sts`,
    `Deprecated` -> `deprecated`; `forbidden` (Weblate) stays `forbidden`."""
    return value.strip().split("-")[0].lower().removesuffix("term")


def load(locales_dir: Path, shown: str = "locales") -> Glossary:
    """The project's glossary; an absent file is an empty glossary, a broken one bad input.

    The TBX and the CSV add up: a term both name gets the renderings and bans of both."""
    terms: list[Term] = []
    dnt: list[str] = []
    tbx = locales_dir / TBX_NAME
    if tbx.is_file():
        found, marked = parse_tbx(_read(tbx, f"{shown}/{TBX_NAME}"), f"{shown}/{TBX_NAME}")
        terms += found
        dnt += marked
    table = locales_dir / CSV_NAME
    if table.is_file():
        terms += parse_csv(_read(table, f"{shown}/{CSV_NAME}"), f"{shown}/{CSV_NAME}")
    listing = locales_dir / DNT_NAME
    if listing.is_file():
        for line in _read(listing, f"{shown}/{DNT_NAME}").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                dnt.append(line)
    return Glossary(_merged(terms), tuple(dict.fromkeys(dnt)))


def _merged(terms: Iterable[Term]) -> tuple[Term, ...]:
    """One Term per English term (compared as `normalise` and any case), first spelling kept."""
    merged: dict[str, Term] = {}
    for term in terms:
        key = normalise(term.english).casefold()
        if key in merged:
            old = merged[key]
            term = Term(
                old.english,
                _union(old.renderings, term.renderings),
                _union(old.forbidden, term.forbidden),
            )
        merged[key] = term
    return tuple(merged.values())


def _union(
    first: dict[str, tuple[str, ...]], second: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    joined = {code: list(values) for code, values in first.items()}
    for code, values in second.items():
        joined.setdefault(code, []).extend(values)
    return {code: tuple(dict.fromkeys(values)) for code, values in joined.items()}


def _read(path: Path, shown: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise L10nError(f"{shown}: cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise L10nError(f"{shown}: not UTF-8 (byte {exc.start}); save it as UTF-8") from None


def parse_tbx(text: str, shown: str) -> tuple[tuple[Term, ...], list[str]]:
    """Terms and do-not-translate terms of a TBX document.

    Entity declarations are refused before parsing: they are how XML bombs and external
    entity attacks work, and no glossary needs them.  A DOCTYPE that only names the
    public TBX DTD (as Weblate and the Translate Toolkit write it) declares nothing and
    is accepted; expat never fetches it.
    """
    for marker in ("<!ENTITY", "<!DOCTYPE"):
        at = text.find(marker)
        if at < 0:
            continue
        line = text.count("\n", 0, at) + 1
        end = text.find(">", at)
        if marker == "<!ENTITY" or "[" in text[at : end if end >= 0 else None]:
            raise L10nError(
                f"{shown}:{line}: DTD declarations (<!ENTITY, an internal DOCTYPE subset) "
                "are not allowed in a glossary; remove them"
            )
    try:
        root = etree.fromstring(text)
    except etree.ParseError as exc:
        line, _ = exc.position
        reason = str(exc).split(":")[0]
        raise L10nError(f"{shown}:{line}: not valid XML ({reason})") from None
    terms: list[Term] = []
    dnt: list[str] = []
    for entry in root.iter():
        if _local(entry.tag) not in _ENTRY_TAGS:
            continue
        untranslatable = any(
            _local(el.tag) in ("descrip", "termNote")
            and (el.get("type") or "").lower() in ("translation needed", "translationnote")
            and (el.text or "").strip().lower() == "no"
            for el in entry.iter()
        )
        approved: dict[str, list[str]] = {}
        rejected: dict[str, list[str]] = {}
        for lang_set in entry:
            if _local(lang_set.tag) not in _LANG_TAGS:
                continue
            lang = lang_set.get(_XML_LANG) or lang_set.get("lang") or ""
            for term_el in lang_set.iter():
                if _local(term_el.tag) != "term" or not (term_el.text or "").strip():
                    continue
                value = normalise(term_el.text or "").strip()
                bucket = rejected if _status(lang_set, term_el) in _FORBIDDEN else approved
                bucket.setdefault(lang, []).append(value)
        english = next((v for k, v in approved.items() if _locale_key(k).startswith("en")), [])
        if not english:
            continue
        if untranslatable:
            dnt.extend(english)
            continue
        others = {k: tuple(v) for k, v in approved.items() if not _locale_key(k).startswith("en")}
        bad = {k: tuple(v) for k, v in rejected.items() if not _locale_key(k).startswith("en")}
        terms.extend(Term(word, others, bad) for word in english)
    return tuple(terms), dnt


def _status(lang_set: etree.Element, term_el: etree.Element) -> str:
    """The administrativeStatus (or its older ISO 12620 name, normativeAuthorization) of a
    term, in its tig/ntig/termSec, normalised by `status_kind`."""
    for group in lang_set:
        if term_el in list(group.iter()):
            for note in group.iter():
                kind = (note.get("type") or "").lower()
                if _local(note.tag) == "termNote" and kind in _STATUS_TYPES:
                    return status_kind(note.text or "")
    return ""


def parse_csv(text: str, shown: str) -> list[Term]:
    """Terms of a CSV glossary: a header row, then one row per rendering.

    Columns `source` (the English term), `language` (the locale), `target` (its
    rendering) and, optionally, `status`: empty, `preferred` or `admitted` for an
    approved rendering; `forbidden`, `deprecated`, `superseded` or `obsolete` for one
    `check` reports as an error (TBX's `deprecatedTerm-admn-sts` spelling is accepted
    too).  Other columns (notes, sources) are the team's own and are ignored.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise L10nError(f"{shown}:{reader.line_num}: not valid CSV ({exc})") from None
    if not rows:
        return []
    names = [name.strip().lower() for name in rows[0][1]]
    for needed in CSV_COLUMNS[:3]:
        if needed not in names:
            raise L10nError(
                f'{shown}:1: no "{needed}" column; the header must name source, language and '
                "target (status is optional)"
            )
    column = {name: names.index(name) for name in CSV_COLUMNS if name in names}
    approved: dict[str, dict[str, list[str]]] = {}
    rejected: dict[str, dict[str, list[str]]] = {}
    english: dict[str, str] = {}
    for line, row in rows[1:]:
        cells = {
            name: normalise(row[i]).strip() if i < len(row) else "" for name, i in column.items()
        }
        if not any(cells.values()):
            continue
        source, lang, target = cells["source"], cells["language"], cells["target"]
        if not (source and lang and target):
            raise L10nError(f"{shown}:{line}: a row needs a source, a language and a target")
        if _locale_key(lang).split("_")[0] == "en":
            raise L10nError(
                f'{shown}:{line}: "{lang}" is the source language; name the locale of the target'
            )
        status = cells.get("status", "")
        kind = status_kind(status)
        if kind in _FORBIDDEN:
            bucket = rejected
        elif not kind or kind in _APPROVED:
            bucket = approved
        else:
            raise L10nError(
                f'{shown}:{line}: unknown status "{status}"; use {", ".join(_APPROVED)}, '
                f"{', '.join(_FORBIDDEN[:-1])} or {_FORBIDDEN[-1]}"
            )
        key = source.casefold()
        english.setdefault(key, source)
        bucket.setdefault(key, {}).setdefault(lang, []).append(target)
    return [
        Term(
            word,
            {k: tuple(v) for k, v in approved.get(key, {}).items()},
            {k: tuple(v) for k, v in rejected.get(key, {}).items()},
        )
        for key, word in english.items()
    ]


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
