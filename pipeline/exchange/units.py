"""What is exchanged: a locale's catalog entries as translation units, page by page.

A unit's id is a digest of the entry's context and English, so it is the same in every
export for as long as the English stays, and an import finds its entry by it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import polib

from ..errors import L10nError
from ..po import catalog
from ..project import Project
from ..review import ledger
from .codes import Part, align, split

ONLY = ("todo", "unapproved", "all")

# XLIFF 1.2 states, from least to most done.
UNTRANSLATED = "needs-translation"
FUZZY = "needs-review-translation"
TRANSLATED = "translated"
SIGNED_OFF = "signed-off"


def unit_id(msgctxt: str | None, msgid: str) -> str:
    key = msgid if msgctxt is None else f"{msgctxt}\x04{msgid}"
    return "u" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Unit:
    """One entry to translate: its English and translation as text and inline codes."""

    id: str
    context: str | None
    state: str
    source: tuple[Part, ...]
    target: tuple[Part, ...]
    comment: str  # extracted: what and where
    previous: str | None  # the previous English of a fuzzy entry
    translator: str  # the translator's comments
    locations: tuple[tuple[str, str], ...]
    approvals: tuple[str, ...]  # roles that approved this exact translation


@dataclass(frozen=True)
class PageUnits:
    """A page's units (a `<file>` in XLIFF)."""

    domain: str
    original: str  # source/<page>.md, or locales/<domain>.pot for the templates' strings
    markdown: bool
    units: tuple[Unit, ...]


def original(project: Project, domain: str) -> str:
    page = project.page_path(domain)
    return project.rel(page) if page.is_file() else project.rel(project.pot_path(domain))


def domain_of(project: Project, name: str) -> str | None:
    """The domain a file's `original` names, or None."""
    for prefix, suffix in (("source/", ".md"), ("locales/", ".pot")):
        if name.startswith(prefix) and name.endswith(suffix):
            return name[len(prefix) : -len(suffix)]
    return None


def is_markdown(project: Project, domain: str) -> bool:
    return project.page_path(domain).is_file()


def state_of(entry: polib.POEntry, roles: set[str], required: tuple[str, ...]) -> str:
    if not entry.msgstr:
        return UNTRANSLATED
    if entry.fuzzy:
        return FUZZY
    return SIGNED_OFF if ledger.approved(roles, required) else TRANSLATED


def wanted(state: str, only: str) -> bool:
    if only == "all":
        return True
    if only == "unapproved":
        return state != SIGNED_OFF
    return state in (UNTRANSLATED, FUZZY)


@dataclass
class LeftOut:
    """Entries that cannot be exchanged, counted for the command to say so."""

    plurals: int = 0  # XLIFF's plural groups are not written
    not_xml: int = 0  # characters XML 1.0 cannot hold (a stray control character)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def collect(
    project: Project, locale: str, pages: list[str] | None, only: str
) -> tuple[list[PageUnits], LeftOut]:
    """The units of a locale's catalogs that `only` selects, page by page, and what was
    left out."""
    if only not in ONLY:
        raise L10nError(f"--only must be one of {', '.join(ONLY)}")
    domains = project.domains(locale)
    if pages:
        unknown = [p for p in pages if p not in domains]
        if unknown:
            raise L10nError(
                f"--page {unknown[0]!r}: no such page for {locale} (known: {', '.join(domains)})"
            )
        domains = [d for d in domains if d in pages]
    book = ledger.load(
        project.locales_dir,
        locale,
        project.rel(ledger.ledger_path(project.locales_dir, locale)),
        None,
    )
    required = project.config.release_approval
    result, left = [], LeftOut()
    for domain in domains:
        path = project.po_path(locale, domain)
        if not path.is_file():
            continue
        po = catalog.load(path, project.rel(path))
        markdown = is_markdown(project, domain)
        units = []
        for entry in po:
            if entry.obsolete or not entry.msgid:
                continue
            if entry.msgid_plural:
                left.plurals += 1
                continue
            texts = (entry.msgid, entry.msgstr, entry.comment or "", entry.tcomment or "")
            if any(_NOT_XML.search(text) for text in texts):
                left.not_xml += 1
                continue
            roles = book.roles(ledger.EntryText.of(domain, entry)) if entry.msgstr else set()
            state = state_of(entry, roles, required)
            if wanted(state, only):
                units.append(_unit(entry, state, roles, markdown))
        if units:
            result.append(PageUnits(domain, original(project, domain), markdown, tuple(units)))
    return result, left


def _unit(entry: polib.POEntry, state: str, roles: set[str], markdown: bool) -> Unit:
    flags = tuple(entry.flags)
    source = split(entry.msgid, markdown, flags)
    return Unit(
        id=unit_id(entry.msgctxt, entry.msgid),
        context=entry.msgctxt,
        state=state,
        source=source,
        target=align(source, split(entry.msgstr, markdown, flags)) if entry.msgstr else (),
        comment=entry.comment or "",
        previous=entry.previous_msgid if entry.fuzzy else None,
        translator=entry.tcomment or "",
        locations=tuple((str(f), str(n)) for f, n in entry.occurrences),
        approvals=tuple(sorted(roles)) if state == SIGNED_OFF else (),
    )
