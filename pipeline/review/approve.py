"""`l10n approve`: record that a reviewer accepted exactly the texts they were shown.

What was shown comes as digests (EntryText) from a review sheet or from the live review
page; each is approved only while the catalog still holds exactly that text.  An entry
edited since, fuzzy or untranslated is named with its `path:line` and left unapproved.
Everything is checked before anything is written, under the project's lock, and the
ledgers change whole or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import polib

from ..errors import L10nError
from ..files import Staging, project_lock
from ..project import Project
from .coverage import project_ledger
from .ledger import Approval, EntryText, Ledger, check_reviewer, check_role, dumps
from .sheet import APPROVABLE, identity, read_sheet, same_project


@dataclass(frozen=True)
class Seen:
    """One entry as the reviewer saw it: the digests of its texts, and its line then."""

    text: EntryText
    line: int


@dataclass(frozen=True)
class Refused:
    """An entry that was shown but is not approved, and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}; not approved"


@dataclass
class Outcome:
    """What one approval of one page's entries did."""

    locale: str
    page: str
    sheet: str = ""  # the digest of the sheet approved from, when there was one
    approved: list[Approval] = field(default_factory=list)  # recorded by this run
    already: int = 0  # approvals this reviewer had already given in this role
    refused: list[Refused] = field(default_factory=list)


def today() -> str:
    """The date an approval records: SOURCE_DATE_EPOCH's when it is set, else today's."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    return date.today().isoformat()


def plan(
    project: Project,
    locale: str,
    page: str,
    rows: Iterable[Seen],
    by: str,
    role: str,
    day: str,
    ledger: Ledger,
) -> Outcome:
    """Add to `ledger` (in memory) the approvals of the rows whose text the catalog
    still holds; name the others."""
    from ..checks.runner import msgstr_line
    from ..po import catalog

    outcome = Outcome(locale, page)
    path = project.po_path(locale, page)
    shown = project.rel(path)
    rows = list(rows)
    if not path.exists():
        outcome.refused = [Refused(shown, r.line, "the catalog no longer exists") for r in rows]
        return outcome
    text = catalog.decode(path.read_bytes(), shown)
    po = catalog.parse(text, shown)
    lines = text.split("\n")
    current: dict[tuple[str, str], polib.POEntry] = {}
    earlier: dict[tuple[str, str], polib.POEntry] = {}
    gone: dict[tuple[str, str], polib.POEntry] = {}
    entry: polib.POEntry | None
    for entry in po:
        key = _key(EntryText.of(page, entry))
        if entry.obsolete:
            gone.setdefault(key, entry)
            continue
        current[key] = entry
        if entry.previous_msgid:
            before = polib.POEntry(
                msgctxt=entry.msgctxt,
                msgid=entry.previous_msgid,
                msgid_plural=entry.previous_msgid_plural or "",
            )
            earlier.setdefault(_key(EntryText.of(page, before)), entry)

    def line_of(entry: polib.POEntry) -> int:
        return msgstr_line(lines, entry, 0 if entry.msgid_plural else None)

    new = []
    for row in rows:
        key = _key(row.text)
        entry = current.get(key)
        if entry is None:
            if key in earlier:
                found, reason = earlier[key], "the English changed after the sheet was written"
            elif key in gone:
                found, reason = gone[key], "the entry left the page after the sheet was written"
            else:
                found, reason = None, "the entry is no longer in the catalog"
            if found is None:
                line = row.line
            else:
                line = (found.linenum or 0) if found.obsolete else line_of(found)
            outcome.refused.append(Refused(shown, line, reason))
        elif "fuzzy" in entry.flags:
            outcome.refused.append(
                Refused(shown, line_of(entry), "the entry is fuzzy now, which cannot be approved")
            )
        elif not entry.translated():
            outcome.refused.append(Refused(shown, line_of(entry), "the entry is untranslated now"))
        elif EntryText.of(page, entry) != row.text:
            outcome.refused.append(
                Refused(
                    shown, line_of(entry), "the translation changed after the sheet was written"
                )
            )
        else:
            new.append(Approval(row.text, role, day, by))
    added = ledger.add(new)
    outcome.approved = added
    outcome.already = len(new) - len(added)
    return outcome


def _key(text: EntryText) -> tuple[str, str]:
    return text.context, text.english


def approve_rows(
    project: Project,
    locale: str,
    page: str,
    rows: Iterable[Seen],
    by: str,
    role: str,
    day: str | None = None,
) -> Outcome:
    """Approve, as reviewer `by` in `role`, the shown rows of one page whose text is
    still the catalog's, and record them in the ledger (under the project's lock)."""
    by, role = check_reviewer(by), check_role(role)
    rows = list(rows)
    with project_lock(project.root):
        ledger = project_ledger(project, locale)
        outcome = plan(project, locale, page, rows, by, role, day or today(), ledger)
        if outcome.approved:
            _save([ledger])
    return outcome


@dataclass(frozen=True)
class SheetRows:
    """The approvable rows of one verified sheet."""

    locale: str
    page: str
    rows: tuple[Seen, ...]
    digest: str  # the sheet's


def sheet_rows(project: Project, path: Path) -> SheetRows:
    """A sheet read back, verified and matched to this project; L10nError otherwise."""
    read = read_sheet(path, str(path))
    sheet = read.sheet
    where = read.where
    ours = identity(project)
    if not same_project(sheet.project, ours):
        raise L10nError(
            f"{where}: this sheet is from another project ({sheet.project.get('name')!r}, "
            f"not {ours['name']!r}); approve it in the project that wrote it"
        )
    try:
        locale = project.select([sheet.locale])[0]
    except L10nError as exc:
        raise L10nError(f"{where}: {exc}") from None
    if sheet.page not in project.domains(locale):
        raise L10nError(f"{where}: the sheet's page {sheet.page!r} is not in this project")
    rows = tuple(
        Seen(row.text(sheet.page), row.line) for row in sheet.rows if row.state in APPROVABLE
    )
    return SheetRows(locale, sheet.page, rows, sheet.digest)


def approve_sheets(
    project: Project, paths: Iterable[Path], by: str, role: str, day: str | None = None
) -> list[Outcome]:
    """Approve what each sheet showed.  Every sheet and ledger is read and checked first:
    a bad one stops the run with nothing written."""
    by, role = check_reviewer(by), check_role(role)
    sheets = [sheet_rows(project, Path(p)) for p in paths]
    day = day or today()
    with project_lock(project.root):
        ledgers: dict[str, Ledger] = {}
        for item in sheets:
            if item.locale not in ledgers:
                ledgers[item.locale] = project_ledger(project, item.locale)
        outcomes = []
        for item in sheets:
            outcome = plan(
                project, item.locale, item.page, item.rows, by, role, day, ledgers[item.locale]
            )
            outcome.sheet = item.digest
            outcomes.append(outcome)
        changed = {o.locale for o in outcomes if o.approved}
        _save([ledgers[locale] for locale in sorted(changed)])
    return outcomes


def _save(ledgers: list[Ledger]) -> None:
    """Every ledger in place together, or none."""
    with Staging() as staging:
        for ledger in ledgers:
            staging.add(ledger.path, dumps(ledger.approvals).encode("utf-8"))
