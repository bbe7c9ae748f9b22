"""A page as served: the built page, each segment's element naming its catalog entry.

The served variant is rendered by the same `build_page` as `build/`, with one difference:
each segment's own element carries `data-l10n-line` (the line of its `msgstr` in the
page's catalog) and `data-l10n-state` (translated, fuzzy, untranslated, missing from the
catalog, or unsafe: translated but refused by the safety checks).  `build/` never holds
these attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polib

from ..checks.runner import msgstr_line
from ..po import catalog
from ..project import Project
from ..segments import Segment
from ..site.build import all_locales, build_page

TRANSLATED, FUZZY, UNTRANSLATED, MISSING, UNSAFE = (
    "translated",
    "fuzzy",
    "untranslated",
    "missing",
    "unsafe",
)


@dataclass(frozen=True)
class Place:
    """Where an English text stands in a catalog, and how far it is translated."""

    line: int
    state: str


@dataclass(frozen=True)
class Mark:
    """One segment of a served page: its English, its catalog line and its state."""

    english: str
    line: int | None
    state: str


@dataclass
class ServedPage:
    html: str
    catalog: str  # the page's catalog, as messages name it
    marks: list[Mark] = field(default_factory=list)

    def needing_work(self) -> list[Mark]:
        return [m for m in self.marks if m.state != TRANSLATED]


def places(po: polib.POFile, text: str) -> dict[str, Place]:
    """Every message a page can use, by its English (as `build` looks them up)."""
    lines = text.split("\n")
    found: dict[str, Place] = {}
    for entry in po:
        if entry.obsolete or entry.msgctxt is not None or entry.msgid_plural or not entry.msgid:
            continue
        if "fuzzy" in entry.flags:
            state = FUZZY
        elif entry.translated():
            state = TRANSLATED
        else:
            state = UNTRANSLATED
        found[entry.msgid] = Place(msgstr_line(lines, entry, None), state)
    return found


def served_page(project: Project, locale: str, domain: str) -> ServedPage:
    """The page as `build` makes it, its segments marked; an unreadable catalog or page is
    an L10nError (which the server shows in the page instead)."""
    path = project.po_path(locale, domain)
    shown = project.rel(path)
    known: dict[str, Place] = {}
    if path.exists():
        text = catalog.decode(path.read_bytes(), shown)
        known = places(catalog.parse(text, shown), text)
    marks: list[Mark] = []

    def annotate(segment: Segment, english: bool) -> dict[str, str]:
        place = known.get(segment.text)
        if place is None:
            marks.append(Mark(segment.text, None, MISSING))
            return {"data-l10n-state": MISSING}
        state = UNSAFE if english and place.state == TRANSLATED else place.state
        marks.append(Mark(segment.text, place.line, state))
        return {"data-l10n-line": str(place.line), "data-l10n-state": state}

    built = build_page(
        project, locale, domain, all_locales(project), with_pdf=False, annotate=annotate
    )
    return ServedPage(built.html, shown, marks)
