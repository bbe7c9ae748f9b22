"""What a locale's approvals cover: per page, how many entries are approved, in which
roles, by whom and when; `status`, the release gate and its manifest count from here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polib

from ..project import Project
from .ledger import Approval, EntryText, Ledger, approved, load


def reviewable(entry: polib.POEntry) -> bool:
    """An entry a reviewer can approve: current, translated and not fuzzy (the header
    is no message)."""
    return (
        not entry.obsolete
        and not (entry.msgid == "" and not entry.msgctxt)
        and "fuzzy" not in entry.flags
        and entry.translated()
    )


def project_ledger(project: Project, locale: str) -> Ledger:
    """A locale's ledger, checked against the pages the locale has."""
    from .ledger import ledger_path

    path = ledger_path(project.locales_dir, locale)
    return load(project.locales_dir, locale, project.rel(path), project.domains(locale))


@dataclass
class Approver:
    """One reviewer in one role: how many shipped entries they approved, and when last."""

    name: str
    role: str
    entries: int = 0
    latest: str = ""

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "role": self.role,
            "entries": self.entries,
            "latest": self.latest,
        }


@dataclass
class Coverage:
    """The approvals that cover the current text of a page's (or a locale's) entries."""

    entries: int = 0  # every current entry, approvable or not
    approved: int = 0  # entries that meet the gate (any approval when it requires none)
    roles: dict[str, int] = field(default_factory=dict)  # role -> entries approved in it
    approvers: dict[tuple[str, str], Approver] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        """Percent of the entries approved."""
        return round(100.0 * self.approved / self.entries, 1) if self.entries else 0.0

    def add(self, other: Coverage) -> None:
        self.entries += other.entries
        self.approved += other.approved
        for role, number in other.roles.items():
            self.roles[role] = self.roles.get(role, 0) + number
        for key, who in other.approvers.items():
            mine = self.approvers.setdefault(key, Approver(who.name, who.role))
            mine.entries += who.entries
            mine.latest = max(mine.latest, who.latest)

    def sorted_approvers(self) -> list[Approver]:
        return [self.approvers[key] for key in sorted(self.approvers, key=lambda k: (k[1], k[0]))]


def cover(page: str, po: polib.POFile, ledger: Ledger, required: Iterable[str]) -> Coverage:
    """Count, over the reviewable entries of one page's catalog, the approvals of their
    current text; approvals of any earlier text count for nothing."""
    needed = tuple(required)
    found = Coverage()
    for entry in po:
        if not entry.obsolete and not (entry.msgid == "" and not entry.msgctxt):
            found.entries += 1
        if not reviewable(entry):
            continue
        current = ledger.of(EntryText.of(page, entry))
        roles = {a.role for a in current}
        if approved(roles, needed):
            found.approved += 1
        for role in roles:
            found.roles[role] = found.roles.get(role, 0) + 1
        for key, latest in _latest(current).items():
            who = found.approvers.setdefault(key, Approver(*key))
            who.entries += 1
            who.latest = max(who.latest, latest)
    return found


def locale_coverage(project: Project, locale: str) -> Coverage:
    """The approvals covering a locale's current texts, over every page it has."""
    from ..po import catalog

    ledger = project_ledger(project, locale)
    total = Coverage()
    for domain in project.domains(locale):
        path = project.po_path(locale, domain)
        if not path.exists():  # nothing translated yet: the template's entries
            path = project.pot_path(domain)
        po = catalog.load(path, project.rel(path))
        total.add(cover(domain, po, ledger, project.config.release_approval))
    return total


def _latest(approvals: list[Approval]) -> dict[tuple[str, str], str]:
    """(reviewer, role) -> the latest date, each once: a ledger merged from two branches
    may hold the same approval twice."""
    out: dict[tuple[str, str], str] = {}
    for a in approvals:
        key = (a.reviewer, a.role)
        out[key] = max(out.get(key, ""), a.date)
    return out
