"""The approved terminology: `locales/glossary.tbx` and `locales/do-not-translate.txt`.

A drug or disease name rendered three ways on one page confuses patients, so the
translators' approved renderings are kept in a TBX file (the TermBase eXchange format
Weblate, OmegaT and the other translation tools import and export), and `l10n check`
holds every translation to them.  Names that must never be translated (the centre's
name, "SSc") are listed one per line in a plain text file, or marked in the TBX as
Weblate does (`<descrip type="Translation needed">No</descrip>`).
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path

from .errors import L10nError

TBX_NAME = "glossary.tbx"
DNT_NAME = "do-not-translate.txt"

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ENTRY_TAGS = {"termEntry", "conceptEntry"}  # TBX v2 (martif) and TBX v3
_LANG_TAGS = {"langSet", "langSec"}
_FORBIDDEN = {"forbidden", "obsolete", "deprecated", "superseded"}
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
        text = normalise(english)
        found: list[tuple[int, int, Term]] = []
        for term in sorted(self.terms, key=lambda t: -len(t.english)):
            for match in term.pattern().finditer(text):
                span = match.span()
                if not any(s < span[1] and span[0] < e for s, e, _ in found):
                    found.append((*span, term))
        seen: dict[str, Term] = {}
        for _, _, term in sorted(found, key=lambda item: item[0]):
            seen.setdefault(term.english, term)
        return list(seen.values())

    def untranslatable(self, english: str) -> list[str]:
        """Do-not-translate terms in an English text (whole words, exact case)."""
        text = normalise(english)
        return [
            term
            for term in self.do_not_translate
            if re.search(r"(?<!\w)" + re.escape(normalise(term)) + r"(?!\w)", text)
        ]


def _locale_key(code: str) -> str:
    return code.replace("-", "_").lower()


def renderings(term: Term, locale: str) -> tuple[str, ...]:
    """Approved renderings of a term for a locale (`th`, `zh_Hans`), matched loosely."""
    key = _locale_key(locale)
    for code, values in term.renderings.items():
        if _locale_key(code) == key:
            return values
    language = key.split("_")[0]
    return term.renderings.get(language, ())


def forbidden(term: Term, locale: str) -> tuple[str, ...]:
    key = _locale_key(locale)
    return next((v for c, v in term.forbidden.items() if _locale_key(c) == key), ())


def load(locales_dir: Path, shown: str = "locales") -> Glossary:
    """The project's glossary; an absent file is an empty glossary, a broken one bad input."""
    terms: tuple[Term, ...] = ()
    dnt: list[str] = []
    tbx = locales_dir / TBX_NAME
    if tbx.is_file():
        terms, marked = parse_tbx(_read(tbx, f"{shown}/{TBX_NAME}"), f"{shown}/{TBX_NAME}")
        dnt += marked
    listing = locales_dir / DNT_NAME
    if listing.is_file():
        for line in _read(listing, f"{shown}/{DNT_NAME}").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                dnt.append(line)
    return Glossary(terms, tuple(dict.fromkeys(dnt)))


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
    """The administrativeStatus of a term (in its tig/termSec), normalised: `forbidden`."""
    for group in lang_set:
        if term_el in list(group.iter()):
            for note in group.iter():
                if _local(note.tag) == "termNote" and note.get("type") == "administrativeStatus":
                    return (note.text or "").strip().split("-")[0].lower().removesuffix("term")
    return ""


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
