"""Merging a template into a translation with GNU msgmerge's semantics.

Nothing a translator wrote is ever lost: an exact match keeps its translation, flags and
comments; a changed English string gets the closest old translation marked fuzzy with
the previous msgid; a vanished string becomes obsolete.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from difflib import SequenceMatcher

import polib

FUZZY_THRESHOLD = 0.6  # msgmerge's own threshold for a fuzzy match

Key = tuple[str | None, str]


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


def _has_translation(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr) or any(entry.msgstr_plural.values())


def merge(old: polib.POFile, template: polib.POFile) -> polib.POFile:
    """The catalog `old` brought up to date with `template`."""
    new = polib.POFile(wrapwidth=old.wrapwidth)
    new.header = old.header
    new.metadata = dict(old.metadata)
    new.metadata_is_fuzzy = old.metadata_is_fuzzy
    if "POT-Creation-Date" in template.metadata:
        new.metadata["POT-Creation-Date"] = template.metadata["POT-Creation-Date"]

    active = {_key(e): e for e in old if not e.obsolete}
    obsolete = {_key(e): e for e in old if e.obsolete}
    finder = _Finder([e for e in old if not e.obsolete and _has_translation(e)])
    used: set[Key] = set()

    nplurals = _nplurals(new.metadata.get("Plural-Forms", ""))
    for tentry in template:
        if tentry.obsolete:
            continue
        key = _key(tentry)
        found = active.get(key) or obsolete.get(key)
        if found is not None:
            used.add(key)
            new.append(_refresh(found, tentry, nplurals))
            continue
        match = finder.closest(tentry)
        if match is not None:
            used.add(_key(match))
            new.append(_fuzzy(match, tentry, nplurals))
        else:
            new.append(_fresh(tentry, nplurals))

    for entry in old:
        key = _key(entry)
        if key in used:
            continue
        if entry.obsolete or _has_translation(entry):
            gone = copy.deepcopy(entry)
            gone.obsolete = True
            gone.occurrences = []
            new.append(gone)
    return new


def _flags(old_flags: list[str], tentry: polib.POEntry) -> list[str]:
    """Format flags follow the template; the translator's own flags stay."""
    kept = [f for f in old_flags if not f.endswith("-format")]
    formats = [f for f in tentry.flags if f.endswith("-format")]
    return kept + [f for f in formats if f not in kept]


def _refresh(found: polib.POEntry, tentry: polib.POEntry, nplurals: int) -> polib.POEntry:
    entry = copy.deepcopy(found)
    entry.obsolete = False
    entry.occurrences = list(tentry.occurrences)
    entry.comment = tentry.comment
    entry.flags = _flags(found.flags, tentry)
    if (tentry.msgid_plural or "") != (found.msgid_plural or ""):
        # The plural changed: fuzzy, with the previous English, as msgmerge does.
        entry.msgid_plural = tentry.msgid_plural
        _reshape(entry, tentry, nplurals)
        if _has_translation(entry):
            if "fuzzy" not in entry.flags:
                entry.flags.insert(0, "fuzzy")
            entry.previous_msgctxt = found.msgctxt
            entry.previous_msgid = found.msgid
            entry.previous_msgid_plural = found.msgid_plural or None
    if "fuzzy" not in entry.flags:
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    return entry


def _reshape(entry: polib.POEntry, tentry: polib.POEntry, nplurals: int) -> None:
    """Fit a translation to the template's shape (singular or plural), as msgmerge does:
    a singular translation fills every plural form; a plural one gives its first form."""
    if tentry.msgid_plural and not entry.msgstr_plural:
        entry.msgstr_plural = {i: entry.msgstr for i in range(nplurals)}
        entry.msgstr = ""
    elif not tentry.msgid_plural and entry.msgstr_plural:
        entry.msgstr = entry.msgstr_plural[min(entry.msgstr_plural)] or entry.msgstr
        entry.msgstr_plural = {}


def _fuzzy(match: polib.POEntry, tentry: polib.POEntry, nplurals: int) -> polib.POEntry:
    entry = _fresh(tentry, nplurals)
    entry.msgstr = match.msgstr
    entry.msgstr_plural = dict(match.msgstr_plural)
    _reshape(entry, tentry, nplurals)
    entry.tcomment = match.tcomment
    entry.flags = ["fuzzy"] + [f for f in _flags(match.flags, tentry) if f != "fuzzy"]
    entry.previous_msgctxt = match.msgctxt
    entry.previous_msgid = match.msgid
    entry.previous_msgid_plural = match.msgid_plural or None
    return entry


def _nplurals(plural_forms: str) -> int:
    found = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    return int(found.group(1)) if found else 2


def _fresh(tentry: polib.POEntry, nplurals: int) -> polib.POEntry:
    entry = polib.POEntry(
        msgid=tentry.msgid,
        msgctxt=tentry.msgctxt,
        msgid_plural=tentry.msgid_plural,
        msgstr="",
        occurrences=list(tentry.occurrences),
        comment=tentry.comment,
        flags=[f for f in tentry.flags if f != "fuzzy"],
    )
    if tentry.msgid_plural:
        entry.msgstr_plural = {i: "" for i in range(nplurals)}
    return entry


class _Finder:
    """Finds the closest old msgid fast: a trigram index picks the few candidates worth
    an exact similarity ratio (msgmerge indexes its old messages the same way)."""

    SHORTLIST = 24

    def __init__(self, candidates: list[polib.POEntry]) -> None:
        self.candidates = candidates
        self.index: dict[str, list[int]] = {}
        for number, entry in enumerate(candidates):
            for gram in _trigrams(entry.msgid):
                self.index.setdefault(gram, []).append(number)

    def closest(self, tentry: polib.POEntry) -> polib.POEntry | None:
        """The old entry whose English is most like the new one, as msgmerge would pick it."""
        hits: Counter[int] = Counter()
        for gram in _trigrams(tentry.msgid):
            hits.update(self.index.get(gram, ()))
        best, best_ratio = None, FUZZY_THRESHOLD
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(tentry.msgid)
        for number, _ in sorted(hits.items(), key=lambda item: (-item[1], item[0]))[
            : self.SHORTLIST
        ]:
            entry = self.candidates[number]
            if tentry.msgctxt is not None and entry.msgctxt != tentry.msgctxt:
                continue
            matcher.set_seq1(entry.msgid)
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = entry, ratio
        return best


def _trigrams(text: str) -> set[str]:
    padded = f"  {text.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}
