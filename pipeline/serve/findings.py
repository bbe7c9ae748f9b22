"""The check findings the served pages show, one catalog at a time.

`check_catalogs` is the one place the server runs checks: it checks only the catalogs it
is given (those a save changed, or a page asked for the first time).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..checks import check_catalog_cached, open_cache
from ..checks.model import LocaleReport
from ..project import Project
from ..site.build import Task


def check_catalogs(project: Project, catalogs: Iterable[Task]) -> dict[Task, LocaleReport]:
    """The report of each (locale, domain) catalog; one that does not exist has none.
    Results come from the checks' cache when nothing a catalog depends on changed (a
    catalog `build` or `check` has seen is not checked again)."""
    wanted = sorted(set(catalogs), key=lambda t: (t.locale, t.domain))
    if not wanted:
        return {}
    cache = open_cache(project)
    found = {}
    for task in wanted:
        if not project.po_path(task.locale, task.domain).exists():
            found[task] = LocaleReport(task.locale)
            continue
        found[task] = check_catalog_cached(project, task.locale, task.domain, cache)
    return found
