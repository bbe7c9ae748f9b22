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


# One earlier translation: (locale, rank, origin, translation, page).  Rank 0 is a page of
# the project, 1 a memory file, so that pages come first, then origins by name; `page` is
# None for a memory file.  Plain tuples, by English: a project has tens of thousands, and
# workers send theirs to the run.
Candidate = tuple[str, int, str, str, str | None]
Candidates = dict[str, list[Candidate]]


def page_candidates(catalogs: Iterable[tuple[str, str, polib.POFile]]) -> Candidates:
    """What these (locale, page, catalog) offer the locale's other pages."""
    found: Candidates = {}
    for locale, page, po in catalogs:
        origin = f'page "{page}"'
        for entry in po:
            if offered(entry):
                found.setdefault(entry.msgid, []).append((locale, 0, origin, entry.msgstr, page))
    return found


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


# English wanted -> the candidates' English within reach: (English, score, candidates).
Hits = dict[str, list[tuple[str, float, list[Candidate]]]]


class Memory:
    """Candidates indexed by their English, searched once per English string wanted."""

    def __init__(self, parts: Iterable[Candidates]) -> None:
        index: Candidates = {}
        for part in parts:
            for english, found in part.items():
                if english in index:
                    index[english] = index[english] + found
                else:
                    index[english] = found
        self.index = index
        self.choices = sorted(index, key=lambda text: (len(text), text))
        self.lengths = [len(text) for text in self.choices]

    def propose(self, wants: Iterable[Want]) -> dict[Want, Proposal]:
        wants = list(wants)
        return propose(wants, [self.hits({want.english for want in wants})])

    def hits(self, wanted: Iterable[str]) -> Hits:
        """The candidates at least THRESHOLD percent like each English string `wanted`:
        what this memory holds of the whole search, which `propose` puts together."""
        from rapidfuzz import fuzz, process

        found: Hits = {}
        if not self.choices:
            return found
        for english in wanted:
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
            if ranked:
                found[english] = [(text, score, self.index[text]) for text, score, _ in ranked]
        return found


def propose(wants: Iterable[Want], hits: Iterable[Hits]) -> dict[Want, Proposal]:
    """The best proposal for each English string wanted, from the hits of every part of
    the memory (the same English in two parts scores alike; its candidates add up)."""
    every: dict[str, dict[str, tuple[float, list[Candidate]]]] = {}
    for part in hits:
        for english, found in part.items():
            mine = every.setdefault(english, {})
            for text, score, candidates in found:
                before = mine.get(text)
                mine[text] = (score, candidates if before is None else before[1] + candidates)
    by_english: dict[str, list[Want]] = {}
    for want in wants:
        by_english.setdefault(want.english, []).append(want)
    proposals: dict[Want, Proposal] = {}
    for english in sorted(by_english):
        ranked = sorted(every.get(english, {}).items(), key=lambda hit: (-hit[1][0], hit[0]))
        for want in by_english[english]:
            best = _best(ranked, want)
            if best is not None:
                proposals[want] = best
    return proposals


def _best(ranked: list[tuple[str, tuple[float, list[Candidate]]]], want: Want) -> Proposal | None:
    for choice, (score, candidates) in ranked:
        found = [c for c in candidates if c[0] == want.locale and c[4] != want.page]
        if found:
            _, _, origin, translation, _ = min(found)
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


def tmx_candidates(project: Project, locales: list[str]) -> Candidates:
    """The units of the memories `[tool.l10n] memory` names, for these locales."""
    files = memory_files(project)
    if not files:
        return {}
    from .exchange.tmx import read  # here: lxml and the exchange package only when needed

    found: Candidates = {}
    for path in files:
        shown = project.rel(path)
        for locale, pair in read(path, shown, project.config.source_locale, locales):
            found.setdefault(pair.english, []).append((locale, 1, shown, pair.translation, None))
    return found


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
