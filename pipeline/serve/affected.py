"""Which pages and catalogs a set of saved files affects.

A page's Markdown is that page in every locale; a locale's catalog of a page is that page
in that locale, and its ui catalog every page of the locale; the page templates, the
stylesheet and `pyproject.toml` are every page.  A catalog is checked again only when it
changed; the glossary and the do-not-translate list change what every check finds but
no page.  Approvals change the review pages of their locale and the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..assets import STATIC_DIR, TEMPLATES_DIR
from ..errors import L10nError
from ..locales import gettext_name
from ..project import UI_DOMAIN, Project
from ..review.ledger import LEDGER_NAME
from ..site.build import Task

CHECK_INPUTS = ("glossary.tbx", "do-not-translate.txt")


@dataclass
class Plan:
    """What to do after some files changed."""

    pages: set[Task] = field(default_factory=set)  # to rebuild
    catalogs: set[Task] = field(default_factory=set)  # (locale, domain) to check again
    everything: bool = False  # rebuild every page and check every catalog again
    recheck_all: bool = False  # check every catalog again (the glossary changed)
    review: set[str] = field(default_factory=set)  # locales whose approvals changed
    index: bool = False  # the index lists something that changed
    config: bool = False  # pyproject.toml: load the project again

    def __bool__(self) -> bool:
        return bool(
            self.pages
            or self.catalogs
            or self.everything
            or self.recheck_all
            or self.review
            or self.index
        )


def plan(
    project: Project, locales: list[str], changed: Iterable[Path], domains: list[str] | None = None
) -> Plan:
    """What the changed files affect, for the served `locales` (the source locale first);
    `domains` are the project's pages when the caller has listed them already."""
    found = Plan()
    if domains is None:
        domains = [project.domain(p) for p in project.pages()]
    source = project.config.source_locale
    for path in changed:
        _one(project, locales, domains, source, Path(path), found)
    return found


def _one(
    project: Project,
    locales: list[str],
    domains: list[str],
    source: str,
    path: Path,
    found: Plan,
) -> None:
    if path == project.root / "pyproject.toml":
        found.everything = found.config = True
    elif path.is_relative_to(TEMPLATES_DIR) or path.is_relative_to(STATIC_DIR):
        found.everything = True
    elif path.is_relative_to(project.source_dir) and path.suffix == ".md":
        domain = path.relative_to(project.source_dir).with_suffix("").as_posix()
        found.pages |= {Task(loc, domain) for loc in locales}
        found.catalogs |= {Task(loc, domain) for loc in locales if loc != source}
        found.index = True
    elif path.is_relative_to(project.locales_dir):
        _locale_file(project, locales, domains, path, found)


def _locale_file(
    project: Project, locales: list[str], domains: list[str], path: Path, found: Plan
) -> None:
    parts = path.relative_to(project.locales_dir).parts
    if len(parts) == 1:
        if parts[0] in CHECK_INPUTS:
            found.recheck_all = True
        elif path.suffix == ".pot":
            found.index = True  # completeness counts every template
        return
    try:
        locale = gettext_name(parts[0])
    except L10nError:  # a folder that is no locale: nothing served depends on it
        return
    if locale not in locales:
        return
    if len(parts) == 2 and parts[1] == LEDGER_NAME:
        found.review.add(locale)
        found.index = True  # it shows how much of each locale is approved
    elif len(parts) >= 3 and parts[1] == "LC_MESSAGES" and path.suffix == ".po":
        domain = Path(*parts[2:]).with_suffix("").as_posix()
        found.catalogs.add(Task(locale, domain))
        found.index = True
        if domain == UI_DOMAIN:
            found.pages |= {Task(locale, d) for d in domains}
        elif domain in domains:
            found.pages.add(Task(locale, domain))


def watched(project: Project) -> list[Path]:
    """The folders a save in which may change what is served (watched with what is in
    them); the project folder itself is watched alone, for `pyproject.toml`."""
    found = [project.source_dir, project.locales_dir, TEMPLATES_DIR, STATIC_DIR]
    return [p for p in found if p.is_dir()]
