"""How far each locale's translation has come."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

import polib

from .po import catalog
from .project import Project

if TYPE_CHECKING:
    from .review.ledger import Ledger

# The review ledger is read only where approvals are counted (`status`, the release gate):
# a build counts every catalog it writes without it.


@dataclass(frozen=True)
class Counts:
    locale: str
    domain: str
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    obsolete: int = 0
    words: int = 0
    translated_words: int = 0
    approved: int = 0  # entries whose current text meets the release-approval gate
    approvals: tuple[tuple[str, int], ...] = ()  # (role, entries approved in it), by role
    untranslatable: int = 0  # places of the page no catalog can translate (l10n extract)

    @property
    def percent(self) -> float:
        return round(100.0 * self.translated / self.total, 1) if self.total else 100.0

    @property
    def percent_words(self) -> float:
        return round(100.0 * self.translated_words / self.words, 1) if self.words else 100.0

    def __add__(self, other: Counts) -> Counts:
        fields = (
            "total",
            "translated",
            "fuzzy",
            "untranslated",
            "obsolete",
            "words",
            "translated_words",
            "untranslatable",
        )
        roles = dict(self.approvals)
        for role, number in other.approvals:
            roles[role] = roles.get(role, 0) + number
        return Counts(
            self.locale,
            "*",
            **{f: getattr(self, f) + getattr(other, f) for f in (*fields, "approved")},
            approvals=tuple(sorted(roles.items())),
        )

    def as_json(self) -> dict:
        data = asdict(self)
        data["percent"] = self.percent
        data["percent_words"] = self.percent_words
        data["approvals"] = dict(self.approvals)
        return data


def count(
    po: polib.POFile,
    locale: str,
    domain: str,
    ledger: Ledger | None = None,
    required: tuple[str, ...] = (),
) -> Counts:
    """Counts for one catalog; fuzzy is not translated, English-identical is.  With the
    locale's ledger, the approvals of the current texts too (see review.coverage)."""
    total = translated = fuzzy = obsolete = words = translated_words = 0
    for entry in po:
        if entry.obsolete:
            obsolete += 1
            continue
        total += 1
        size = len(entry.msgid.split())
        words += size
        if "fuzzy" in entry.flags:
            fuzzy += 1
        elif entry.translated():
            translated += 1
            translated_words += size
    covered = None
    if ledger is not None:
        from .review.coverage import cover

        covered = cover(domain, po, ledger, required)
    return Counts(
        locale,
        domain,
        total,
        translated,
        fuzzy,
        total - translated - fuzzy,
        obsolete,
        words,
        translated_words,
        covered.approved if covered else 0,
        tuple(sorted(covered.roles.items())) if covered else (),
    )


def collect(project: Project, locales: list[str]) -> list[Counts]:
    """Counts per locale and domain; a domain with no catalog yet counts as untranslated."""
    from .review.coverage import project_ledger

    templates = {project.template_domain(p): p for p in project.templates()}
    required = project.config.release_approval
    rows = []
    for locale in locales:
        ledger = project_ledger(project, locale)
        for domain, pot_path in templates.items():
            path = project.po_path(locale, domain)
            source = path if path.exists() else pot_path
            po = catalog.load(source, project.rel(source))
            found = count(po, locale, domain, ledger, required)
            rows.append(replace(found, untranslatable=catalog.untranslatable(pot_path)))
    return rows


def totals(rows: list[Counts]) -> dict[str, Counts]:
    by_locale: dict[str, Counts] = {}
    for row in rows:
        start = by_locale.get(row.locale, Counts(row.locale, "*"))
        by_locale[row.locale] = start + row
    return by_locale
