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

import bisect
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib

from .errors import L10nError
from .project import Project

THRESHOLD = 75  # percent; CAT tools' usual lower bound for a useful fuzzy match
# Indel similarity is at most 2 * shorter / (shorter + longer): at 75% the shorter string
# holds at least 3/5 of the longer one's characters.
_SHORT, _LONG = 3, 5
_LINE = re.compile(r"\Amemory: \d{1,3}% from .+\Z")


@dataclass(frozen=True)
class Offer:
    """An earlier translation of one English string, from a memory file."""

    origin: str  # the memory file's path
    english: str
    translation: str
    locale: str


@dataclass(frozen=True)
class PageOffers:
    """The translations one page offers the locale's other pages: (English, translation)
    pairs, plain tuples because a project has tens of thousands of them."""

    locale: str
    page: str
    pairs: list[tuple[str, str]]


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


# A candidate in the index: (rank, origin, translation, page); rank 0 for a page of the
# project, 1 for a memory file, so that pages come first, then origins by name.
_Candidate = tuple[int, str, str, str | None]


class Memory:
    """Candidates indexed by their English, searched once per English string wanted."""

    def __init__(self, pages: Iterable[PageOffers], files: Iterable[Offer] = ()) -> None:
        index: dict[str, dict[str, list[_Candidate]]] = {}
        for offers in pages:
            origin = f'page "{offers.page}"'
            for english, translation in offers.pairs:
                index.setdefault(english, {}).setdefault(offers.locale, []).append(
                    (0, origin, translation, offers.page)
                )
        for offer in files:
            index.setdefault(offer.english, {}).setdefault(offer.locale, []).append(
                (1, offer.origin, offer.translation, None)
            )
        self.index = index
        self.choices = sorted(index, key=lambda text: (len(text), text))
        self.lengths = [len(text) for text in self.choices]

    def propose(self, wants: Iterable[Want]) -> dict[Want, Proposal]:
        from rapidfuzz import fuzz, process

        by_english: dict[str, list[Want]] = {}
        for want in wants:
            by_english.setdefault(want.english, []).append(want)
        found: dict[Want, Proposal] = {}
        if not self.choices:
            return found
        for english in sorted(by_english):
            # Only English of a length within 3:5 of this one can reach 75%.
            size = len(english)
            low = bisect.bisect_left(self.lengths, -(-size * _SHORT // _LONG))
            high = bisect.bisect_right(self.lengths, size * _LONG // _SHORT)
            ranked = process.extract(
                english,
                self.choices[low:high],
                scorer=fuzz.ratio,
                score_cutoff=THRESHOLD,
                limit=None,
            )
            ranked.sort(key=lambda hit: (-hit[1], hit[0]))
            for want in by_english[english]:
                best = self._best(ranked, want)
                if best is not None:
                    found[want] = best
        return found

    def _best(self, ranked: list[tuple[str, float, int]], want: Want) -> Proposal | None:
        for choice, score, _ in ranked:
            candidates = [c for c in self.index[choice].get(want.locale, ()) if c[3] != want.page]
            if candidates:
                _, origin, translation, _ = min(candidates)
                percent = 100 if choice == want.english else min(99, math.floor(score))
                return Proposal(translation, percent, origin)
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
    dropped when there is nothing to propose.  The translator's own lines stay as they
    are."""
    lines = entry.tcomment.split("\n") if entry.tcomment else []
    kept = [line for line in lines if not _LINE.match(line)]
    if proposal is not None:
        entry.msgstr = proposal.translation
        if "fuzzy" not in entry.flags:
            entry.flags.insert(0, "fuzzy")
        kept.append(proposal.comment)
    if kept != lines:
        entry.tcomment = "\n".join(kept)


def tmx_offers(project: Project, locales: list[str]) -> list[Offer]:
    """The units of the memories `[tool.l10n] memory` names, for these locales."""
    files = memory_files(project)
    if not files:
        return []
    from .exchange.tmx import read  # here: lxml and the exchange package only when needed

    offers = []
    for path in files:
        shown = project.rel(path)
        for locale, pair in read(path, shown, project.config.source_locale, locales):
            offers.append(Offer(shown, pair.english, pair.translation, locale))
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
