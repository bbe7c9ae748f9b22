"""The check findings the served pages show, one catalog at a time.

`check_catalogs` is the one place the server runs checks: it checks only the catalogs it
is given (those a save changed, or a page asked for the first time).
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import glossary as glossary_mod
from ..checks.model import LocaleReport
from ..checks.runner import check_catalog, page_references
from ..project import Project
from ..site.build import Task


def check_catalogs(project: Project, catalogs: Iterable[Task]) -> dict[Task, LocaleReport]:
    """The report of each (locale, domain) catalog; one that does not exist has none."""
    wanted = sorted(set(catalogs), key=lambda t: (t.locale, t.domain))
    if not wanted:
        return {}
    glossary = glossary_mod.load(project.locales_dir)
    references: dict[str, dict] = {}
    found = {}
    for task in wanted:
        path = project.po_path(task.locale, task.domain)
        if not path.exists():
            found[task] = LocaleReport(task.locale)
            continue
        if task.domain not in references:
            references[task.domain] = page_references(project, task.domain)
        found[task] = check_catalog(
            path,
            project.rel(path),
            task.locale,
            task.domain,
            glossary,
            references[task.domain],
        )
    return found
