"""Merging a template into a translation with GNU msgmerge's semantics.

Nothing a translator wrote is ever lost: an exact match keeps its translation, flags and
comments; a changed English string gets the closest old translation marked fuzzy with
the previous msgid; a vanished string becomes obsolete.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence

import polib
from rapidfuzz.distance import Indel

from ..locales import nplurals as plural_count
from .plain import PlainEntry, full
from .read import Catalog

FUZZY_THRESHOLD = 0.6  # msgmerge's own threshold for a fuzzy match

Key = tuple[str | None, str]


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


def _has_translation(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr) or any(entry.msgstr_plural.values())


def _first_form(entry: polib.POEntry) -> str:
    """What msgmerge tests to call an entry translated: its first msgstr."""
    if entry.msgstr_plural:
        return entry.msgstr_plural[min(entry.msgstr_plural)]
    return entry.msgstr


Searches = dict[tuple[Key, ...], dict[Key, int | None]]


def merge_many(olds: Sequence[polib.POFile], template: polib.POFile) -> list[polib.POFile]:
    """Many translations of one template (a page in every locale): the fuzzy search,
    the costly part, is made once for all translations offering the same candidates."""
    searches: Searches = {}
    return [merge(old, template, searches) for old in olds]


def merge(
    old: polib.POFile, template: polib.POFile, searches: Searches | None = None
) -> polib.POFile:
    """The catalog `old` brought up to date with `template`; `searches` remembers the
    fuzzy matches found for a list of candidates, which only their keys decide."""
    new = Catalog(wrapwidth=old.wrapwidth)
    new.header = old.header
    new.metadata = dict(old.metadata)
    new.metadata_is_fuzzy = old.metadata_is_fuzzy
    new.headerless = getattr(old, "headerless", False)
    if "POT-Creation-Date" in template.metadata and not new.headerless:
        new.metadata["POT-Creation-Date"] = template.metadata["POT-Creation-Date"]

    active = {(e.msgctxt, e.msgid): e for e in old if not e.obsolete}
    obsolete = {(e.msgctxt, e.msgid): e for e in old if e.obsolete}
    candidates = [e for e in old if _first_form(e)]
    known = {} if searches is None else searches.setdefault(tuple(map(_key, candidates)), {})
    finder: _Finder | None = None
    used: set[Key] = set()
    entries: list[polib.POEntry] = []  # put in `new` at once (polib's append is slower)

    nplurals = plural_count(new.metadata.get("Plural-Forms", ""))
    for tentry in template:
        if tentry.obsolete:
            continue
        key = (tentry.msgctxt, tentry.msgid)
        found = active.get(key) or obsolete.get(key)
        if found is not None:
            used.add(key)
            if type(found) is PlainEntry and not (tentry.flags or tentry.msgid_plural):
                # What _refresh makes of it: the translation with the template's places.
                entries.append(PlainEntry(found.msgid, found.msgstr, found.linenum, tentry))
            else:
                entries.append(_refresh(full(found), tentry, nplurals))
            continue
        if key not in known:
            finder = finder or _Finder(candidates)
            known[key] = finder.closest(tentry)
        index = known[key]
        match = None if index is None else candidates[index]
        if match is not None:
            used.add(_key(match))
            entries.append(_fuzzy(match, tentry, nplurals))
        else:
            entries.append(_fresh(tentry, nplurals))

    for entry in old:
        if (entry.msgctxt, entry.msgid) in used:
            continue
        if entry.obsolete or _has_translation(entry):
            entries.append(_copy(full(entry), obsolete=True, occurrences=[]))
    list.extend(new, entries)
    return new


def _copy(entry: polib.POEntry, **changed: object) -> polib.POEntry:
    """A copy that shares nothing mutable with the original, with some attributes
    `changed` (deepcopy, even copy.copy, is slow for tens of thousands of entries)."""
    kind = type(entry)
    new = kind.__new__(kind)
    new.__dict__ = {
        **entry.__dict__,
        "occurrences": list(entry.occurrences),
        "flags": list(entry.flags),
        "msgstr_plural": dict(entry.msgstr_plural),
        **changed,
    }
    return new


def _from_template(flag: str) -> bool:
    return flag.endswith("-format") or flag.startswith("range:")


def _flags(old_flags: list[str], tentry: polib.POEntry) -> list[str]:
    """Format and range flags follow the template; the translator's own flags stay."""
    if not tentry.flags:
        return [f for f in old_flags if not _from_template(f)]
    kept = [f for f in old_flags if not _from_template(f)]
    return kept + [f for f in tentry.flags if _from_template(f) and f not in kept]


def _range(flags: list[str]) -> tuple[int, int] | None:
    found = next((f for f in flags if f.startswith("range:")), None)
    numbers = re.fullmatch(r"range:\s*(\d+)\.\.(\d+)", found.strip()) if found else None
    return (int(numbers.group(1)), int(numbers.group(2))) if numbers else None


def _range_widened(found: polib.POEntry, tentry: polib.POEntry) -> bool:
    """msgmerge's rule: a translation written for a range of numbers needs review when
    the template drops the range or widens it."""
    if not found.flags:
        return False
    old, new = _range(found.flags), _range(tentry.flags)
    return old is not None and (new is None or new[0] < old[0] or new[1] > old[1])


def _refresh(found: polib.POEntry, tentry: polib.POEntry, nplurals: int) -> polib.POEntry:
    kind = type(found)
    entry = kind.__new__(kind)
    entry.__dict__ = {  # a copy sharing nothing mutable with `found` (see _copy)
        **found.__dict__,
        "obsolete": False,
        "occurrences": list(tentry.occurrences),
        "comment": tentry.comment,
        "flags": _flags(found.flags, tentry) if found.flags or tentry.flags else [],
        "msgstr_plural": dict(found.msgstr_plural),
    }
    plural_changed = (tentry.msgid_plural or "") != (found.msgid_plural or "")
    if plural_changed or _range_widened(found, tentry):
        # Fuzzy, with the previous English, as msgmerge does.
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
    if "fuzzy" in match.flags:  # its translation came from its own previous English
        entry.previous_msgctxt = match.previous_msgctxt
        entry.previous_msgid = match.previous_msgid
        entry.previous_msgid_plural = match.previous_msgid_plural
        return entry
    entry.previous_msgctxt = match.msgctxt
    entry.previous_msgid = match.msgid
    entry.previous_msgid_plural = match.msgid_plural or None
    return entry


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
    """msgmerge's fuzzy search (gettext's msgl-fsearch.c), so that both pick the same old
    entry: among the old translated entries (obsolete ones too) that share a 4-gram of
    characters with the new msgid, the one with the highest `fstrcmp` ratio above 0.6;
    a tie goes to the entry sharing more 4-grams, then to the earlier one.  Strings under
    four characters are compared with every old string of a plausible length instead.

    `fstrcmp` is the share of bytes kept by the shortest insert/delete edit, i.e. an Indel
    similarity, which rapidfuzz computes in C; a length bound skips hopeless pairs.
    """

    def __init__(self, candidates: list[polib.POEntry]) -> None:
        self.candidates = candidates
        self.encoded = [entry.msgid.encode("utf-8") for entry in candidates]
        self.grams: dict[int, frozenset[str]] = {}  # made when a tie needs them
        self.short: dict[int, list[int]] = {}
        for number, encoded in enumerate(self.encoded):
            if len(encoded) <= _SHORT_MSG_MAX:
                self.short.setdefault(len(encoded), []).append(number)

    def closest(self, tentry: polib.POEntry) -> int | None:
        """The old entry whose English is most like the new one, as msgmerge picks it."""
        msgid = tentry.msgid.encode("utf-8")
        grams = _grams(tentry.msgid)  # empty under four characters
        if grams:
            numbers: Iterable[int] = range(len(self.candidates))
        else:
            low = math.ceil(len(msgid) / _LENGTH_FACTOR)
            high = int(len(msgid) * _LENGTH_FACTOR)
            numbers = (n for size in range(low, high + 1) for n in self.short.get(size, ()))
        scored = []
        for number in numbers:
            weight = self._weight(number, tentry.msgctxt, msgid)
            if weight > FUZZY_THRESHOLD:
                scored.append((weight, number))
        scored.sort(key=lambda item: -item[0])
        for _, group in itertools.groupby(scored, key=lambda item: item[0]):
            tied = [number for _, number in group]
            if grams:
                counted = [(self._shared(number, grams), number) for number in tied]
                counted = [item for item in counted if item[0]]
                if not counted:
                    continue
                return min(counted, key=lambda item: (-item[0], item[1]))[1]
            return min(tied)
        return None

    def _weight(self, number: int, msgctxt: str | None, msgid: bytes) -> float:
        """msgmerge's goal function: the `fstrcmp` ratio, plus a tiny bonus for an entry
        without a context or with the same one."""
        entry, other = self.candidates[number], self.encoded[number]
        bonus = 0.00001 if entry.msgctxt is None or entry.msgctxt == msgctxt else 0.0
        total = len(msgid) + len(other)
        if not total:
            return 1.0 + bonus
        if 2 * min(len(msgid), len(other)) / total + bonus <= FUZZY_THRESHOLD:
            return 0.0
        return (total - Indel.distance(msgid, other)) / total + bonus

    def _shared(self, number: int, grams: list[str]) -> int:
        """How many of the new msgid's 4-grams (repeats counted) the old one contains."""
        mine = self.grams.get(number)
        if mine is None:
            mine = self.grams[number] = frozenset(_grams(self.candidates[number].msgid))
        return sum(1 for gram in grams if gram in mine)


# Strings under 4 characters have no 4-gram; msgmerge compares them with every old
# string whose byte length could still give a ratio above the threshold.
_LENGTH_FACTOR = 2 / FUZZY_THRESHOLD - 1
_SHORT_MSG_MAX = int(3 * 4 * _LENGTH_FACTOR)


def _grams(text: str) -> list[str]:
    """Every 4-gram of characters, in order, repeats kept."""
    return [text[i : i + 4] for i in range(len(text) - 3)]
