"""Translation memory: an earlier translation proposed for English that has none.

Candidates are the locale's translated (not fuzzy) entries on its other pages, and the
units of the TMX files named in `[tool.l10n] memory`.  For each English string left
untranslated by a merge, the most similar candidate English (rapidfuzz's Indel ratio,
msgmerge's own measure, at least `THRESHOLD` percent) gives its translation: always as a
fuzzy entry, with a translator comment naming where it came from, so a translator
reviews it before it ships.  Ties are broken by origin (pages before memories, then by
name), so the same catalogs and memories always give the same proposals.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib

from .errors import L10nError
from .project import Project

THRESHOLD = 75  # percent; CAT tools' usual lower bound for a useful fuzzy match
_LINE = re.compile(r"\Amemory: \d{1,3}% from .+\Z")


@dataclass(frozen=True, order=True)
class Offer:
    """An earlier translation of one English string."""

    rank: int  # 0: a page of this project; 1: a TMX memory
    origin: str  # 'page "<domain>"' or the memory file's path
    english: str
    translation: str
    locale: str
    page: str | None = None  # the page it is on (never proposed to that page)


@dataclass(frozen=True)
class Want:
    """English without a translation, in one page of one locale."""

    locale: str
    page: str
    english: str


@dataclass(frozen=True)
class Proposal:
    translation: str
    score: int  # percent, 100 only for the same English
    origin: str

    @property
    def comment(self) -> str:
        return f"memory: {self.score}% from {self.origin}"


def page_offer(locale: str, page: str, english: str, translation: str) -> Offer:
    return Offer(0, f'page "{page}"', english, translation, locale, page)


class Memory:
    """Offers indexed by their English, searched once per English string wanted."""

    def __init__(self, offers: Iterable[Offer]) -> None:
        self.by_english: dict[str, dict[str, list[Offer]]] = {}
        for offer in offers:
            self.by_english.setdefault(offer.english, {}).setdefault(offer.locale, []).append(offer)
        for locales in self.by_english.values():
            for found in locales.values():
                found.sort()
        self.choices = sorted(self.by_english)

    def propose(self, wants: Iterable[Want]) -> dict[Want, Proposal]:
        from rapidfuzz import fuzz, process

        by_english: dict[str, list[Want]] = {}
        for want in wants:
            by_english.setdefault(want.english, []).append(want)
        found: dict[Want, Proposal] = {}
        if not self.choices:
            return found
        for english in sorted(by_english):
            ranked = process.extract(
                english,
                self.choices,
                scorer=fuzz.ratio,
                score_cutoff=THRESHOLD,
                limit=None,
            )
            ranked.sort(key=lambda hit: (-hit[1], hit[0]))
            for want in by_english[english]:
                best = _best(ranked, self.by_english, want)
                if best is not None:
                    found[want] = best
        return found


def _best(
    ranked: list[tuple[str, float, int]], by_english: dict[str, dict[str, list[Offer]]], want: Want
) -> Proposal | None:
    for choice, score, _ in ranked:
        for offer in by_english[choice].get(want.locale, ()):
            if offer.page != want.page:
                percent = 100 if choice == want.english else min(99, math.floor(score))
                return Proposal(offer.translation, percent, offer.origin)
    return None


def untranslated(entry: polib.POEntry) -> bool:
    """An entry a proposal may fill: singular, active, with no translation at all."""
    return not (entry.obsolete or entry.msgid_plural or entry.msgstr or not entry.msgid)


def offered(entry: polib.POEntry) -> bool:
    """An entry whose translation may be offered to other pages."""
    return bool(
        entry.msgid and entry.msgstr and not (entry.obsolete or entry.msgid_plural or entry.fuzzy)
    )


def apply(entry: polib.POEntry, proposal: Proposal | None) -> None:
    """Fill an untranslated entry with a proposal, fuzzy and with its origin as the last
    translator comment; an earlier proposal's comment is replaced, never added to, and
    dropped when there is nothing to propose."""
    lines = [ln for ln in (entry.tcomment or "").split("\n") if ln and not _LINE.match(ln)]
    if proposal is not None:
        entry.msgstr = proposal.translation
        if "fuzzy" not in entry.flags:
            entry.flags.insert(0, "fuzzy")
        lines.append(proposal.comment)
    entry.tcomment = "\n".join(lines)


def tmx_offers(project: Project, locales: list[str]) -> list[Offer]:
    """The units of the memories `[tool.l10n] memory` names, for these locales."""
    from .exchange.tmx import read

    offers = []
    for path in memory_files(project):
        shown = project.rel(path)
        for locale, pair in read(path, shown, project.config.source_locale, locales):
            offers.append(Offer(1, shown, pair.english, pair.translation, locale))
    return offers


def memory_files(project: Project) -> list[Path]:
    found: set[Path] = set()
    for pattern in project.config.memory:
        if Path(pattern).is_absolute():
            raise L10nError(
                f"pyproject.toml: [tool.l10n] memory pattern {pattern!r} must be relative "
                "to the project folder"
            )
        found.update(p for p in project.root.glob(pattern) if p.is_file())
    return sorted(found)
