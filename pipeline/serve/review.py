"""The live review sheet of one page in one locale, and the approvals given on it.

A row is one catalog entry: its English, its translation, what the checks found in it,
and who has approved this exact text.  By default the sheet shows what needs review
(translated entries without the approvals the release gate requires, or without any
when it requires none); `all` shows every entry.  Approving records, in the locale's
ledger, exactly the texts the reviewer saw: a text that changed since the sheet was
shown is not approved, and is counted as stale.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date

import polib

from ..checks.model import Finding, LocaleReport
from ..checks.runner import msgstr_line
from ..errors import L10nError
from ..files import project_lock
from ..po import catalog
from ..project import Project
from ..review import ledger as ledger_mod
from ..review.ledger import Approval, EntryText

TRANSLATED, FUZZY, UNTRANSLATED = "translated", "fuzzy", "untranslated"


@dataclass(frozen=True)
class Row:
    line: int  # of the entry's msgstr
    english: str
    forms: tuple[str, ...]  # the translation; a plural's forms in order
    state: str
    text: EntryText
    findings: tuple[Finding, ...] = ()
    approvals: tuple[Approval, ...] = ()
    approved: bool = False  # meets the release gate

    @property
    def approvable(self) -> bool:
        return self.state == TRANSLATED

    @property
    def needs_review(self) -> bool:
        return self.approvable and not self.approved


@dataclass
class Sheet:
    locale: str
    domain: str
    catalog: str  # the catalog's path, as messages name it
    required: tuple[str, ...]  # the roles the release gate requires
    rows: list[Row] = field(default_factory=list)
    show_all: bool = False

    @property
    def shown(self) -> list[Row]:
        return self.rows if self.show_all else [r for r in self.rows if r.needs_review]

    @property
    def to_review(self) -> int:
        return sum(1 for r in self.rows if r.needs_review)

    @property
    def not_translated(self) -> int:
        return sum(1 for r in self.rows if not r.approvable)


def _state(entry: polib.POEntry) -> str:
    if "fuzzy" in entry.flags:
        return FUZZY
    return TRANSLATED if entry.translated() else UNTRANSLATED


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and (e.msgid or e.msgctxt)]


def _load(project: Project, locale: str, domain: str) -> tuple[polib.POFile, str, str]:
    path = project.po_path(locale, domain)
    shown = project.rel(path)
    text = catalog.decode(path.read_bytes(), shown) if path.exists() else ""
    if not text:
        raise L10nError(f"{shown}: no such catalog; run 'l10n update'")
    return catalog.parse(text, shown), text, shown


def sheet(
    project: Project, locale: str, domain: str, report: LocaleReport, show_all: bool = False
) -> Sheet:
    """The review sheet of a page's catalog as it is now (an L10nError when it cannot be
    read)."""
    po, text, shown = _load(project, locale, domain)
    ledger = ledger_mod.load(project.locales_dir, locale, _ledger_shown(project, locale), None)
    lines = text.split("\n")
    entries = _entries(po)
    starts = [e.linenum for e in entries]
    owned: dict[int, list[Finding]] = {}
    for finding in report.findings:
        if finding.path == shown and not finding.silenced:
            at = bisect.bisect_right(starts, finding.line) - 1
            owned.setdefault(max(at, 0), []).append(finding)
    required = project.config.release_approval
    found = Sheet(locale, domain, shown, required, show_all=show_all)
    for number, entry in enumerate(entries):
        entry_text = EntryText.of(domain, entry)
        approvals = tuple(sorted(ledger.of(entry_text)))
        forms = (
            tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
            if entry.msgid_plural
            else (entry.msgstr,)
        )
        state = _state(entry)
        found.rows.append(
            Row(
                line=msgstr_line(lines, entry, 0 if entry.msgid_plural else None),
                english=entry.msgid
                if not entry.msgid_plural
                else f"{entry.msgid} / {entry.msgid_plural}",
                forms=forms,
                state=state,
                text=entry_text,
                findings=tuple(owned.get(number, ())),
                approvals=approvals,
                approved=state == TRANSLATED
                and ledger_mod.approved({a.role for a in approvals}, required),
            )
        )
    return found


def _ledger_shown(project: Project, locale: str) -> str:
    return project.rel(ledger_mod.ledger_path(project.locales_dir, locale))


@dataclass(frozen=True)
class Approved:
    """What an approval request did."""

    added: int  # approvals recorded
    already: int  # the same reviewer had approved the same text in the same role
    stale: int  # texts that changed since the sheet was shown: not approved


def approve(
    project: Project,
    locale: str,
    domain: str,
    shown: list[EntryText],
    by: str,
    role: str,
    day: date,
) -> Approved:
    """Record `by`'s approval, as `role`, of the texts the sheet showed that are still the
    catalog's (checked and written under the project's lock)."""
    by = ledger_mod.check_reviewer(by)
    role = ledger_mod.check_role(role)
    with project_lock(project.root):
        po, _text, _shown = _load(project, locale, domain)
        current = {EntryText.of(domain, e) for e in _entries(po) if _state(e) == TRANSLATED}
        wanted = [t for t in dict.fromkeys(shown) if t in current]
        ledger = ledger_mod.load(project.locales_dir, locale, _ledger_shown(project, locale), None)
        added = ledger.add(Approval(t, role, day.isoformat(), by) for t in wanted)
        if added:
            ledger.save()
    return Approved(len(added), len(wanted) - len(added), len(set(shown)) - len(wanted))
