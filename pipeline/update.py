"""Creating and updating a project's translation catalogs on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from . import catalog, layout
from .errors import L10nError
from .files import write_text
from .locales import english_name, gettext_name, plural_forms
from .merge import merge
from .project import Project
from .workers import process_pool


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
    paths = [project.po_path(name, domain) for name in names for domain in templates]
    fresh = [localized_header(pot, name, project) for name in names for pot in templates.values()]
    return [Written(project.rel(path), write_text(path, text))
            for path, text in zip(paths, layout.dumps_many(fresh), strict=True)]


def update(project: Project, locales: list[str], jobs: int = 1) -> list[Written]:
    """Merge every template into each locale's catalogs.

    Locales are merged in `jobs` worker processes when there is enough work.  Every
    catalog is read and merged before any is written, so a bad catalog stops the run
    with all files as they were.
    """
    templates = _templates(project)
    if jobs > 1 and len(locales) > 1 and len(locales) * len(templates) >= PARALLEL_FROM:
        planned = _in_workers(project.root, locales, jobs)
    else:
        planned = [job for name in locales for job in merge_locale(project, templates, name)]
    return [
        Written(project.rel(path), write_text(path, text)) for path, text in planned
    ]


PARALLEL_FROM = 200  # catalogs; below this a worker's start costs more than it saves


def merge_locale(project: Project, templates: dict[str, polib.POFile], name: str,
                 ) -> list[tuple[Path, str]]:
    """Each of one locale's catalogs merged with its template, as text to write."""
    paths, merged = [], []
    for domain, pot in templates.items():
        path = project.po_path(name, domain)
        if path.exists():
            merged.append(merge(catalog.load(path, project.rel(path)), pot))
        else:
            merged.append(localized_header(pot, name, project))
        paths.append(path)
    return list(zip(paths, layout.dumps_many(merged), strict=True))


def _in_workers(root: Path, locales: list[str], jobs: int) -> list[tuple[Path, str]]:
    with process_pool(min(jobs, len(locales))) as pool:
        futures = [pool.submit(_merge_in_worker, root, name) for name in locales]
        return [job for future in futures for job in future.result()]


def _merge_in_worker(root: Path, name: str) -> list[tuple[Path, str]]:
    from .project import load

    project = load(root)
    return merge_locale(project, _worker_templates(project), name)


_cache: dict[Path, dict[str, polib.POFile]] = {}


def _worker_templates(project: Project) -> dict[str, polib.POFile]:
    """Templates read once per worker process, whichever locales it is given."""
    if project.root not in _cache:
        _cache[project.root] = _templates(project)
    return _cache[project.root]
