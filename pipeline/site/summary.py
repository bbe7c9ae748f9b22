"""The check summary `build` prints for each locale it rebuilt, as `check` ends: one line
per locale, over every catalog of the locale.

After one saved catalog, every other catalog's results are in the checks' cache; reading
each whole entry back (its findings, its digest) costs more than the page itself.  So
the counts a summary needs are kept apart, one small table per project in the user's
cache, under the same keys as the checks' entries: a catalog that did not change costs
its key and a look-up, and the rest come from the checks' cache (or are checked).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import cache_dir, read_object, write_replaceable

if TYPE_CHECKING:
    from ..checks.cache import ResultCache
    from ..checks.model import LocaleReport
    from ..project import Project

FEW = 8  # catalogs missing from the table: more are checked over workers first


@dataclass(frozen=True)
class Tally:
    """The counts of a LocaleReport that a summary line shows."""

    locale: str
    errors: int = 0
    warnings: int = 0
    silenced: int = 0
    fuzzy: int = 0
    untranslated: int = 0

    @classmethod
    def of(cls, report: LocaleReport) -> Tally:
        return cls(
            report.locale,
            report.errors,
            report.warnings,
            report.silenced,
            report.fuzzy,
            report.untranslated,
        )

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.locale,
            self.errors + other.errors,
            self.warnings + other.warnings,
            self.silenced + other.silenced,
            self.fuzzy + other.fuzzy,
            self.untranslated + other.untranslated,
        )

    def counts(self) -> list[int]:
        return [self.errors, self.warnings, self.silenced, self.fuzzy, self.untranslated]


class Tallies:
    """The tables of counts of one project folder's catalogs, a file a locale: for each
    catalog, the key of the results it was counted from and the counts (one entry a
    catalog, whatever it held before).  A summary reads and writes only the tables of
    the locales it counts."""

    def __init__(self, root: Path) -> None:
        self.name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:32]
        self.folder = cache_dir("tallies")
        self.kept: dict[str, dict] = {}  # by locale, as read
        self.tables: dict[str, dict] = {}

    def _table(self, locale: str) -> dict:
        found = self.tables.get(locale)
        if found is None:
            self.kept[locale] = read_object(self.path(locale))
            found = self.tables[locale] = dict(self.kept[locale])
        return found

    def path(self, locale: str) -> Path:
        return self.folder / f"{self.name}-{locale}.json"

    def get(self, locale: str, domain: str, key: str) -> Tally | None:
        hit = self._table(locale).get(domain)
        if not (isinstance(hit, list) and len(hit) == 6 and hit[0] == key):
            return None
        counts = hit[1:]
        if not all(type(n) is int and n >= 0 for n in counts):
            return None
        return Tally(locale, *counts)

    def put(self, locale: str, domain: str, key: str, tally: Tally) -> None:
        self._table(locale)[domain] = [key, *tally.counts()]

    def save(self) -> None:
        """A table that cannot be written only makes the next summary slower."""
        for locale, table in self.tables.items():
            if table != self.kept[locale]:
                with contextlib.suppress(OSError):
                    data = json.dumps(table, sort_keys=True).encode()
                    write_replaceable(self.path(locale), data)


def summaries(
    project: Project,
    locales: list[str],
    store: ResultCache,
    jobs: int = 1,
    counted: Mapping[tuple[str, str], tuple[str, Tally]] | None = None,
    templates: Mapping[str, str] | None = None,
    seen: Mapping[str, list[int]] | None = None,
) -> list[Tally]:
    """What `run_checks(project, locales).reports` counts, for summary lines: the English
    pages' own report first when it has findings, then one per locale.  `counted`: the
    tallies the caller already has, by (locale, domain), with the key of the results each
    counts (a build's workers checked the catalogs they built); one of another key is
    not used.  `templates`: `Project.template_paths`, when the caller has them; `seen`:
    the inputs' stats as a scan before the build found them."""
    from ..checks import check_catalog_cached, check_project, sources_report

    table = Tallies(project.root)
    if templates is None:
        templates = project.template_paths()
    sources = sources_report(project, store, templates, seen)
    keys = {
        (locale, domain): key
        for locale in locales
        for domain, key in store.keys(
            project, locale, project.domains(locale, templates), seen
        ).items()
    }
    for part, (key, made) in (counted or {}).items():
        if keys.get(part) == key:
            table.put(*part, key, made)
    found = {part: table.get(*part, key) for part, key in keys.items()}
    missing = [part for part, tally in found.items() if tally is None]
    if len(missing) > FEW:  # a cold cache: check what it lacks over workers, as `check` does
        check_project(project, sorted({locale for locale, _ in missing}), jobs, store)
    totals = {locale: Tally(locale) for locale in locales}
    for (locale, domain), tally in found.items():
        if tally is None:
            report = store.get(keys[(locale, domain)])
            if report is not None:  # kept only under the key of the bytes it counts
                table.put(locale, domain, keys[(locale, domain)], Tally.of(report))
            else:  # changed since: checked as it is now
                report = check_catalog_cached(project, locale, domain, store)
            tally = Tally.of(report)
        totals[locale] += tally
    table.save()
    return [Tally.of(sources)] * bool(sources.findings) + list(totals.values())
