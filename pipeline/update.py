"""Creating and updating a project's translation catalogs on disk."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

from .errors import L10nError
from .files import Staging, discard
from .locales import english_name, gettext_name, plural_forms
from .po import catalog
from .po.merge import merge, merge_many
from .po.write import dumps_many
from .project import Project
from .workers import finished, process_pool


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
        raise L10nError(NO_TEMPLATES)
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
    with Staging() as staging:
        return [
            Written(project.rel(path), staging.add(path, text.encode("utf-8")) is not None)
            for path, text in zip(paths, dumps_many(fresh), strict=True)
        ]


def update(project: Project, locales: list[str], jobs: int = 1) -> list[Written]:
    """Merge every template into each locale's catalogs.

    A page's template is merged into all its translations together (they share the
    fuzzy search and most of their layout); pages are spread over `jobs` worker
    processes when there is enough work.  Every catalog is read, merged and staged
    before any is put in place, so a bad catalog stops the run with all files as they
    were.
    """
    pots = project.templates()
    if not pots:
        raise L10nError(NO_TEMPLATES)
    domains = [project.template_domain(p) for p in pots]
    staged: dict[Path, Path | None] = {}
    with Staging() as staging:
        if jobs > 1 and len(locales) * len(domains) >= PARALLEL_FROM:
            shares = _in_workers(project.root, domains, locales, jobs)
        else:
            shares = iter([merge_domains(project, _templates(project), locales)])
        for share in shares:
            for path, tmp in share:
                staged[path] = staging.adopt(tmp, path)
    paths = [project.po_path(name, domain) for name in locales for domain in domains]
    return [Written(project.rel(path), staged[path] is not None) for path in paths]


PARALLEL_FROM = 200  # catalogs; below this a worker's start costs more than it saves
NO_TEMPLATES = "locales/ holds no .pot templates: run 'l10n extract' first"


def merge_domains(
    project: Project,
    templates: dict[str, polib.POFile],
    names: list[str],
) -> list[tuple[Path, Path | None]]:
    """Each of these templates merged into its catalog in every named locale, staged
    for writing (None for a catalog that stays as it is)."""
    done: list[tuple[Path, Path | None]] = []
    with Staging(commit=False) as staging:  # put in place by update(), or discarded
        for domain, pot in templates.items():
            olds, fresh = [], []
            for name in names:
                path = project.po_path(name, domain)
                if path.exists():
                    olds.append((path, catalog.load(path, project.rel(path))))
                else:
                    fresh.append((path, localized_header(pot, name, project)))
            merged = merge_many([po for _, po in olds], pot) + [po for _, po in fresh]
            for (path, _), text in zip(olds + fresh, dumps_many(merged), strict=True):
                done.append((path, staging.add(path, text.encode("utf-8"))))
    return done


def _in_workers(
    root: Path, domains: list[str], locales: list[str], jobs: int
) -> Iterator[list[tuple[Path, Path | None]]]:
    """Each worker's merged catalogs, staged; update() discards them if a later one fails."""
    shares = [domains[i :: jobs * 4] for i in range(min(len(domains), jobs * 4))]
    with process_pool(min(jobs, len(shares)), preload=("pipeline.update",)) as pool:
        futures = [pool.submit(_merge_in_worker, root, share, locales) for share in shares]
        yield from finished(futures, lambda share: discard([tmp for _, tmp in share]))


def _merge_in_worker(
    root: Path,
    domains: list[str],
    locales: list[str],
) -> list[tuple[Path, Path | None]]:
    from .project import load

    project = load(root)
    templates = {domain: _worker_template(project, domain) for domain in domains}
    return merge_domains(project, templates, locales)


_cache: dict[Path, polib.POFile] = {}


def _worker_template(project: Project, domain: str) -> polib.POFile:
    """A template read once per worker process, however many shares need it."""
    path = project.pot_path(domain)
    if path not in _cache:
        _cache[path] = catalog.load(path, project.rel(path))
    return _cache[path]
