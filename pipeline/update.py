"""Creating and updating a project's translation catalogs on disk."""

from __future__ import annotations

from dataclasses import dataclass

import polib

from . import catalog
from .errors import L10nError
from .files import write_text
from .locales import english_name, gettext_name, plural_forms
from .merge import merge
from .project import Project


@dataclass(frozen=True)
class Written:
    path: str
    changed: bool


def localized_header(pot: polib.POFile, locale: str, project: Project) -> polib.POFile:
    """A new catalog for `locale` from a template: the header msginit would write."""
    po = polib.POFile(wrapwidth=catalog.WRAP)
    po.header = pot.header.split("\n")[0] if pot.header else ""
    meta = dict(pot.metadata)
    meta["PO-Revision-Date"] = meta.get("POT-Creation-Date", "")
    meta["Last-Translator"] = f"{project.config.name} project"
    meta["Language-Team"] = english_name(locale)
    meta["Language"] = gettext_name(locale)
    meta["Plural-Forms"] = plural_forms(locale)
    po.metadata = meta
    return merge(po, pot)


def _templates(project: Project) -> dict[str, polib.POFile]:
    pots = project.templates()
    if not pots:
        raise L10nError("locales/ holds no .pot templates: run 'l10n extract' first")
    return {project.template_domain(p): catalog.load(p, project.rel(p)) for p in pots}


def init(project: Project, locales: list[str]) -> list[Written]:
    """Catalogs for new locales; an existing catalog is never overwritten."""
    names = [gettext_name(code) for code in locales]
    if not names:
        raise L10nError("name at least one locale, e.g. 'l10n init th vi'")
    templates = _templates(project)
    existing = [
        project.rel(project.po_path(name, domain))
        for name in names
        for domain in templates
        if project.po_path(name, domain).exists()
    ]
    if existing:
        raise L10nError(
            f"{existing[0]}: already exists; 'l10n init' never overwrites a catalog "
            "(use 'l10n update' to bring it up to date)"
        )
    written = []
    for name in names:
        for domain, pot in templates.items():
            path = project.po_path(name, domain)
            changed = catalog.save(path, localized_header(pot, name, project))
            written.append(Written(project.rel(path), changed))
    return written


def update(project: Project, locales: list[str]) -> list[Written]:
    """Merge every template into each locale's catalogs.

    Every catalog is read and merged before any is written, so a bad catalog stops the
    run with all files as they were.
    """
    templates = _templates(project)
    planned = []
    for name in locales:
        for domain, pot in templates.items():
            path = project.po_path(name, domain)
            if path.exists():
                merged = merge(catalog.load(path, project.rel(path)), pot)
            else:
                merged = localized_header(pot, name, project)
            planned.append((path, catalog.dumps(merged)))
    return [
        Written(project.rel(path), write_text(path, text)) for path, text in planned
    ]
