"""What is exchanged: a locale's catalog entries as translation units, page by page.

A unit's id is a digest of the entry's context and English, so it is the same in every
export for as long as the English stays, and an import finds its entry by it.  A plural
entry is one unit with a form per `msgstr[n]` the catalog's `Plural-Forms` declares: form
0 shown with the msgid, the others with the msgid_plural (as Translate Toolkit's po2xliff
writes them); a language with one form also gets the English plural, not to translate.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import polib

from ..errors import L10nError
from ..po import catalog
from ..po.plurals import ONE_FORM_PLURAL, Plurals
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
class Form:
    """One form of a plural entry: `msgstr[index]` and the English shown with it."""

    index: int
    source: tuple[Part, ...]
    target: tuple[Part, ...]
    state: str
    note: str  # which numbers take this form
    translate: bool = True  # False: the English plural, shown to a one-form language
    # As TMX pairs it: the English the form translates (`Plurals.answers`: the plural
    # for a form that serves many numbers) and the target aligned to it.
    tm_source: tuple[Part, ...] = ()
    tm_target: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Unit:
    """One entry to translate: its English and translation as text and inline codes
    (a plural entry's: its first form's, and every form in `forms`)."""

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
    forms: tuple[Form, ...] = ()  # a plural entry's forms
    previous_plural: str | None = None  # the previous English plural of a fuzzy entry


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
    """The domain a file's `original` names, or None: ours (`source/<page>.md`,
    `locales/<domain>.pot`), or a catalog another tool converted (Translate Toolkit's
    po2xliff names the `.po` file it read: `locales/th/LC_MESSAGES/<domain>.po`)."""
    for prefix, suffix in (("source/", ".md"), ("locales/", ".pot")):
        if name.startswith(prefix) and name.endswith(suffix):
            return name[len(prefix) : -len(suffix)]
    if name.endswith(".po"):
        stem = name[: -len(".po")].replace("\\", "/")
        return stem.rsplit("/LC_MESSAGES/", 1)[1] if "/LC_MESSAGES/" in stem else stem
    return None


def is_markdown(project: Project, domain: str) -> bool:
    return project.page_path(domain).is_file()


def references_of(project: Project, domain: str) -> Mapping:
    """A page's link reference definitions as the checks read them, so that both agree
    on what `[text][label]` is."""
    from ..checks.runner import page_references  # here: reading a memory needs none of it

    return page_references(project, domain)


def translations(entry: polib.POEntry, forms: int) -> list[str]:
    """An entry's translation: its msgstr, or a plural entry's first `forms` msgstr[n]."""
    if not entry.msgid_plural:
        return [entry.msgstr]
    return [entry.msgstr_plural.get(index, "") for index in range(forms)]


def state_of(
    entry: polib.POEntry, texts: list[str], roles: set[str], required: tuple[str, ...]
) -> str:
    """An entry's state; a plural entry with a form still empty is not done."""
    if not any(texts):
        return UNTRANSLATED
    if entry.fuzzy or not all(texts):
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
        scope = references_of(project, domain) if markdown else None
        plurals = Plurals.of(po.metadata.get("Plural-Forms", ""), locale)
        units = []
        for entry in po:
            if entry.obsolete or not entry.msgid:
                continue
            texts = translations(entry, plurals.count)
            own = (entry.msgid, entry.msgid_plural or "", entry.comment or "", entry.tcomment or "")
            if any(_NOT_XML.search(text) for text in (*own, *texts)):
                left.not_xml += 1
                continue
            roles = book.roles(ledger.EntryText.of(domain, entry)) if any(texts) else set()
            state = state_of(entry, texts, roles, required)
            if wanted(state, only):
                units.append(_unit(entry, texts, state, roles, markdown, scope, plurals))
        if units:
            result.append(PageUnits(domain, original(project, domain), markdown, tuple(units)))
    return result, left


def _unit(
    entry: polib.POEntry,
    texts: list[str],
    state: str,
    roles: set[str],
    markdown: bool,
    scope: Mapping | None,
    plurals: Plurals,
) -> Unit:
    flags = tuple(entry.flags)

    def parts(english: str, text: str) -> tuple[tuple[Part, ...], tuple[Part, ...]]:
        source = split(english, markdown, flags, scope)
        return source, align(source, split(text, markdown, flags, scope)) if text else ()

    forms: list[Form] = []
    if entry.msgid_plural:
        for index, text in enumerate(texts):
            english = entry.msgid if index == 0 else entry.msgid_plural
            answers = plurals.answers(index, entry.msgid, entry.msgid_plural)
            state_n = state if text else UNTRANSLATED
            note = plurals.note(index, entry.msgid_plural)
            pair = parts(english, text)
            memory = pair if answers == english else parts(answers, text)
            forms.append(Form(index, *pair, state_n, note, True, *memory))
        if plurals.count == 1:  # the English plural, for a tool to show (and keep)
            source = split(entry.msgid_plural, markdown, flags, scope)
            forms.append(Form(1, source, (), state, ONE_FORM_PLURAL, translate=False))
    source, target = parts(entry.msgid, texts[0])
    return Unit(
        id=unit_id(entry.msgctxt, entry.msgid),
        context=entry.msgctxt,
        state=state,
        source=source,
        target=target,
        comment=entry.comment or "",
        previous=entry.previous_msgid if entry.fuzzy else None,
        translator=entry.tcomment or "",
        locations=tuple((str(f), str(n)) for f, n in entry.occurrences),
        approvals=tuple(sorted(roles)) if state == SIGNED_OFF else (),
        forms=tuple(forms),
        previous_plural=entry.previous_msgid_plural if entry.fuzzy else None,
    )
