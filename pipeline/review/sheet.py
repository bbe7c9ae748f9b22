"""Bilingual review sheets: per locale and page, each entry's English beside its
translation, with the findings of `check` and, where the text changed since it was last
approved, that approved translation as a difference.

A sheet is an HTML page (printed to PDF like the handouts, so every script is shaped and
broken into lines as patients will read it) that carries, in a
`<script type="application/json" id="l10n-sheet">` block, exactly what it shows: per
entry the texts, findings and earlier approval, with a digest of them, and a digest of
the whole sheet (project, locale, page and every entry).  `l10n approve` reads that
block back, refuses a sheet whose digests or table no longer agree with it, and approves
the texts the sheet showed, never the catalog's texts of the moment.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polib
from markupsafe import Markup

from ..errors import L10nError
from ..glossary import Glossary
from ..locales import english_name, native_name, web_tag
from ..project import Project
from . import diff as diffs
from .coverage import project_ledger
from .history import Earlier, find, forms
from .ledger import Approval, EntryText, Ledger, approved, digest

FORMAT = "l10n-review-sheet/1"
DATA_ID = "l10n-sheet"
# What a reviewer can approve; fuzzy and untranslated entries are shown, never approved.
UNAPPROVED, CHANGED, APPROVED, FUZZY, UNTRANSLATED = (
    "unapproved",
    "changed",
    "approved",
    "fuzzy",
    "untranslated",
)
APPROVABLE = frozenset({UNAPPROVED, CHANGED, APPROVED})
STATES = APPROVABLE | {FUZZY, UNTRANSLATED}


@dataclass(frozen=True)
class Shown:
    """A finding of `check` as the sheet shows it."""

    check: str
    severity: str
    message: str
    silenced: bool = False


@dataclass(frozen=True)
class Prior:
    """The approval an edit voided: who gave it, and the text they approved when the
    catalog's git history still has it (None when it does not)."""

    approvals: tuple[str, ...]  # "role: name, date"
    english: tuple[str, ...] | None = None
    translation: tuple[str, ...] | None = None
    commit: str | None = None


@dataclass(frozen=True)
class Row:
    """One entry of a sheet: exactly what the reviewer is shown."""

    line: int  # the line of its msgstr in the catalog when the sheet was written
    state: str
    context: str | None
    english: tuple[str, ...]
    translation: tuple[str, ...]
    findings: tuple[Shown, ...] = ()
    approvals: tuple[str, ...] = ()  # the approvals its text carries: "role: name, date"
    prior: Prior | None = None

    def text(self, page: str) -> EntryText:
        """The digests an approval of this row records."""
        entry = polib.POEntry(msgctxt=self.context, msgid=self.english[0])
        if len(self.english) > 1:
            entry.msgid_plural = self.english[1]
            entry.msgstr_plural = dict(enumerate(self.translation))
        else:
            entry.msgstr = self.translation[0]
        return EntryText.of(page, entry)

    def as_json(self) -> dict:
        prior = self.prior
        return {
            "line": self.line,
            "state": self.state,
            "context": self.context,
            "english": list(self.english),
            "translation": list(self.translation),
            "findings": [[f.check, f.severity, f.message, f.silenced] for f in self.findings],
            "approvals": list(self.approvals),
            "prior": None
            if prior is None
            else {
                "approvals": list(prior.approvals),
                "english": None if prior.english is None else list(prior.english),
                "translation": None if prior.translation is None else list(prior.translation),
                "commit": prior.commit,
            },
        }

    def digest(self) -> str:
        return digest(_canonical(self.as_json()))

    @classmethod
    def from_json(cls, data: object) -> Row:
        """A row read back from a sheet; ValueError when it is not one."""
        if not isinstance(data, dict):
            raise ValueError("a row is not an object")
        prior = data.get("prior")
        row = cls(
            line=_int(data.get("line")),
            state=_choice(data.get("state"), STATES),
            context=_optional_text(data.get("context")),
            english=_texts(data.get("english"), 1, 2),
            translation=_texts(data.get("translation"), 1, 10),
            findings=tuple(Shown(*_finding(item)) for item in _list(data.get("findings"))),
            approvals=_texts(data.get("approvals"), 0, 1000),
            prior=None
            if prior is None
            else Prior(
                _texts(_dict(prior).get("approvals"), 0, 1000),
                _optional_texts(prior.get("english")),
                _optional_texts(prior.get("translation")),
                _optional_text(prior.get("commit")),
            ),
        )
        if row.as_json() != data:
            raise ValueError("a row holds fields a sheet does not have")
        return row


@dataclass(frozen=True)
class Sheet:
    """What one sheet shows, for one locale and one page."""

    project: dict  # identity(): the project's name and its first commits
    locale: str
    page: str
    catalog: str  # the catalog's path, as messages name it
    everything: bool  # written with --all
    rows: tuple[Row, ...]
    summary: dict = field(default_factory=dict)  # entries by state, over the whole catalog

    def as_json(self) -> dict:
        """The sheet's data block: its rows with their digests, and the sheet's digest."""
        body = {
            "format": FORMAT,
            "project": self.project,
            "locale": self.locale,
            "page": self.page,
            "catalog": self.catalog,
            "all": self.everything,
            "summary": self.summary,
            "rows": [{**row.as_json(), "digest": row.digest()} for row in self.rows],
        }
        return {**body, "digest": hashlib.sha256(_canonical(body).encode()).hexdigest()}

    @property
    def digest(self) -> str:
        return self.as_json()["digest"]


def _canonical(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def identity(project: Project) -> dict:
    """What says a sheet belongs to this project: its name, and the root commits of its
    git history when it has one (the same in every clone, different in any other
    repository).  A copy outside git is known by its name alone."""
    try:
        done = subprocess.run(
            ["git", "rev-list", "--max-parents=0", "HEAD"],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=60,
        )
        roots = sorted(done.stdout.split()) if done.returncode == 0 else []
    except (OSError, subprocess.SubprocessError):
        roots = []
    return {"name": project.config.name, "roots": roots}


def same_project(theirs: dict, ours: dict) -> bool:
    """Same name, and the same first commits where both sides know them."""
    if theirs.get("name") != ours.get("name"):
        return False
    a, b = theirs.get("roots") or [], ours.get("roots") or []
    return not (a and b) or bool(set(a) & set(b))


# Making a sheet from the catalog, the ledger and the checks ----------------------------


def make_sheet(
    project: Project,
    locale: str,
    page: str,
    everything: bool,
    ledger: Ledger,
    glossary: Glossary,
    who: dict,
) -> Sheet:
    """The sheet of one page in one locale: by default the entries that still need an
    approval; with `everything`, every entry."""
    from ..checks.runner import check_domain, msgstr_line
    from ..po import catalog

    path = project.po_path(locale, page)
    shown = project.rel(path)
    if not path.exists():
        path = project.pot_path(page)
    po = catalog.load(path, project.rel(path))
    text = catalog.decode(path.read_bytes(), shown).split("\n")
    checked = path.suffix == ".po"
    findings = check_domain(project, locale, page, glossary).findings if checked else []
    entries = [e for e in po if not e.obsolete and not (e.msgid == "" and not e.msgctxt)]
    required = project.config.release_approval
    by_entry = _findings_by_entry(entries, findings)
    voided = {id(e): _voided(page, e, ledger) for e in entries}
    wanted = {max(v, key=lambda a: a.date).text for v in voided.values() if v}
    earlier = find(project.root, path, page, wanted) if wanted else {}
    rows, summary = [], dict.fromkeys(sorted(STATES), 0)
    for entry in entries:
        state, current = _state(page, entry, ledger, required, voided[id(entry)])
        summary[state] += 1
        if not everything and state not in (UNAPPROVED, CHANGED):
            continue
        english, translation = forms(entry)
        rows.append(
            Row(
                line=msgstr_line(text, entry, 0 if entry.msgid_plural else None),
                state=state,
                context=entry.msgctxt,
                english=english,
                translation=translation,
                findings=tuple(
                    Shown(f.check, f.severity, f.message, f.silenced) for f in by_entry[id(entry)]
                ),
                approvals=tuple(_label(a) for a in sorted(current)),
                prior=_prior(voided[id(entry)], earlier) if state == CHANGED else None,
            )
        )
    return Sheet(who, locale, page, shown, everything, tuple(rows), summary)


def sheet_for(project: Project, locale: str, page: str, everything: bool = False) -> Sheet:
    """One page's sheet as it stands now (the live review page shows it; `approve_rows`
    takes back the rows a reviewer approved, as `Seen(row.text(page), row.line)`)."""
    from .. import glossary as glossary_mod

    ledger = project_ledger(project, locale)
    glossary = glossary_mod.load(project.locales_dir)
    return make_sheet(project, locale, page, everything, ledger, glossary, identity(project))


def _state(
    page: str,
    entry: polib.POEntry,
    ledger: Ledger,
    required: tuple[str, ...],
    voided: list[Approval],
) -> tuple[str, list[Approval]]:
    if "fuzzy" in entry.flags:
        return FUZZY, []
    if not entry.translated():
        return UNTRANSLATED, []
    current = ledger.of(EntryText.of(page, entry))
    if approved({a.role for a in current}, required):
        return APPROVED, current
    return (CHANGED if voided else UNAPPROVED), current


def _voided(page: str, entry: polib.POEntry, ledger: Ledger) -> list[Approval]:
    """Approvals of an earlier text of this entry: the same context and either its
    English or the English it had before (`#| msgid`), but not its current text."""
    now = EntryText.of(page, entry)
    englishes = {now.english}
    if entry.previous_msgid:
        before = polib.POEntry(msgid=entry.previous_msgid)
        if entry.previous_msgid_plural:
            before.msgid_plural = entry.previous_msgid_plural
        englishes.add(EntryText.of(page, before).english)
    return [
        a
        for a in ledger.approvals
        if a.text.page == page
        and a.text.context == now.context
        and a.text.english in englishes
        and a.text != now
    ]


def _prior(voided: list[Approval], earlier: dict[EntryText, Earlier]) -> Prior:
    latest = max(voided, key=lambda a: a.date).text
    labels = tuple(_label(a) for a in sorted(voided) if a.text == latest)
    found = earlier.get(latest)
    if found is None:
        return Prior(labels)
    return Prior(labels, found.english, found.translation, found.commit)


def _label(approval: Approval) -> str:
    return f"{approval.role}: {approval.reviewer}, {approval.date}"


def _findings_by_entry(entries: list[polib.POEntry], findings: Iterable) -> dict[int, list]:
    """Each finding goes to the entry it was reported in: the last entry that starts on
    or before its line."""
    ordered = sorted(entries, key=lambda e: e.linenum or 0)  # read from a file: all known
    out: dict[int, list] = {id(e): [] for e in entries}
    for finding in findings:
        owner = None
        for entry in ordered:
            if entry.linenum > finding.line:
                break
            owner = entry
        if owner is not None:
            out[id(owner)].append(finding)
    return out


# The sheet as HTML -----------------------------------------------------------------------


CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if code not in (9, 10)}
CONTROL_PICTURES[0x7F] = "\u2421"


def visible(text: str) -> str:
    """A text as the sheet prints it: control characters (which HTML would drop or
    change) as their Unicode pictures, so that what a reviewer sees is what is read back."""
    return text.translate(CONTROL_PICTURES)


def sheet_path(project: Project, locale: str, page: str, suffix: str) -> Path:
    return project.build_dir / "review" / web_tag(locale) / f"{page}{suffix}"


def render_sheet(project: Project, sheet: Sheet) -> str:
    """The sheet's HTML: a bilingual table for A4, and its data block."""
    from ..site import fonts
    from ..site.render import render_template

    source = project.config.source_locale
    up = "../" * (sheet.page.count("/") + 2)
    data = sheet.as_json()
    return render_template(
        "review.html",
        {},
        lang=web_tag(source),
        tag=web_tag(sheet.locale),
        language=f"{english_name(sheet.locale)} ({native_name(sheet.locale)})",
        sheet=sheet,
        rows=[
            _view(row, sheet.page, item["digest"])
            for row, item in zip(sheet.rows, data["rows"], strict=True)
        ],
        data=data,
        short=data["digest"][:16],
        assets=f"{up}assets/",
        font_css=Markup(fonts.font_face_css(sheet.locale, f"{up}assets/fonts/", (source,))),
        font_stack=Markup(fonts.font_stack(sheet.locale, (source,))),
        paper="A4" if project.config.paper == "A4" else "letter",
        data_id=DATA_ID,
        project_name=project.config.name,
        visible=visible,
    )


def _view(row: Row, page: str, row_digest: str) -> dict:
    """What the template needs of a row besides its fields: the differences to show."""
    prior = row.prior
    english_diff = translation_diff = None
    if prior is not None and prior.translation is not None:
        if prior.translation != row.translation:
            translation_diff = [
                diffs.diff(old, new)
                for old, new in zip(prior.translation, row.translation, strict=False)
            ]
        if prior.english is not None and prior.english != row.english:
            english_diff = [
                diffs.diff(old, new) for old, new in zip(prior.english, row.english, strict=False)
            ]
    return {
        "row": row,
        "digest": row_digest,
        "anchor": f"e{row.line}",
        "english_diff": english_diff,
        "translation_diff": translation_diff,
        "text": row.text(page),
    }


@dataclass(frozen=True)
class ReadSheet:
    """A sheet read back from its file, and where its parts stand in it."""

    sheet: Sheet
    where: str  # its data, as messages name it: `file:line` of the HTML block, or the PDF's
    row_lines: tuple[int, ...]  # the line of each row of its table (none in a PDF)


def read_sheet(path: Path, shown: str) -> ReadSheet:
    """A sheet read back and verified, from its HTML or its PDF: its data against its
    digests, and what it shows (the HTML's table, the PDF's pages) against its data.
    Anything else is an L10nError naming the file and line (or page)."""
    import lxml.html
    from lxml import etree

    from . import printed

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise L10nError(f"{shown}: cannot be read: {exc.strerror}") from None
    if printed.is_pdf(raw):
        where = f"{shown}: {printed.ATTACHMENT}"
        return ReadSheet(_verified(printed.read(raw, shown), where), where, ())
    not_a_sheet = f"{shown}:1: not a review sheet (no {DATA_ID} data); write one with 'l10n review'"
    if not raw.strip():
        raise L10nError(not_a_sheet)
    try:
        tree = lxml.html.document_fromstring(raw)
    except (etree.ParserError, ValueError):
        raise L10nError(not_a_sheet) from None
    blocks = tree.xpath(f'//script[@id="{DATA_ID}"]')
    if not blocks:
        raise L10nError(not_a_sheet)
    block = blocks[0]
    where = f"{shown}:{block.sourceline or 1}"
    try:
        data = json.loads(block.text or "")
    except ValueError:
        raise L10nError(_changed(where)) from None
    sheet = _verified(data, where)
    if len(blocks) > 1:
        raise L10nError(
            f"{shown}:{blocks[1].sourceline}: a second {DATA_ID} block: {_changed(where)}"
        )
    lines = _check_table(tree, sheet, data, shown)
    return ReadSheet(sheet, where, lines)


def _changed(where: str) -> str:
    return (
        f"{where}: the sheet has been changed since 'l10n review' wrote it; "
        "write it again with 'l10n review' and have it reviewed again"
    )


def _verified(data: object, where: str) -> Sheet:
    """The sheet a data block records, when it agrees with its digests."""
    try:
        sheet = _sheet_from(_dict(data))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise L10nError(_changed(where)) from None
    if sheet.as_json() != data:
        raise L10nError(_changed(where))
    return sheet


def _sheet_from(data: dict) -> Sheet:
    if data.get("format") != FORMAT:
        raise ValueError("not this format")
    rows = _list(data["rows"])
    sheet = Sheet(
        project=_dict(data["project"]),
        locale=_text(data["locale"]),
        page=_text(data["page"]),
        catalog=_text(data["catalog"]),
        everything=bool(data["all"]),
        rows=tuple(
            Row.from_json({k: v for k, v in _dict(r).items() if k != "digest"}) for r in rows
        ),
        summary=_dict(data["summary"]),
    )
    return sheet


_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
_TEXT = _CLASS.format("text")


def _check_table(tree, sheet: Sheet, data: dict, shown: str) -> tuple[int, ...]:  # noqa: ANN001
    """The table shows exactly the data: each row's digest, English and translation."""
    trs = tree.xpath("//tr[@data-digest]")
    lines: list[int] = []
    for index, row in enumerate(sheet.rows):
        if index >= len(trs):
            raise L10nError(
                f"{shown}:{trs[-1].sourceline if trs else 1}: the sheet's table has lost rows "
                "its data names; write it again with 'l10n review'"
            )
        tr = trs[index]
        texts = {
            cls: [el.text_content() for el in tr.xpath(f"./td[{_CLASS.format(cls)}]//*[{_TEXT}]")]
            for cls in ("english", "translation")
        }
        if (
            tr.get("data-digest") != data["rows"][index]["digest"]
            or texts["english"] != [visible(t) for t in row.english]
            or texts["translation"] != [visible(t) for t in row.translation]
        ):
            raise L10nError(
                f"{shown}:{tr.sourceline}: this row of the sheet no longer shows what its data "
                "records (the sheet was edited); write it again with 'l10n review'"
            )
        lines.append(tr.sourceline or 1)
    if len(trs) > len(sheet.rows):
        raise L10nError(
            f"{shown}:{trs[len(sheet.rows)].sourceline}: a row the sheet's data does not "
            "record (the sheet was edited); write it again with 'l10n review'"
        )
    return tuple(lines)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("not a line number")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not a text")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _list(value: object) -> list:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return value


def _dict(value: object) -> dict:
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def _texts(value: object, least: int, most: int) -> tuple[str, ...]:
    items = _list(value)
    if not least <= len(items) <= most:
        raise ValueError("wrong number of texts")
    return tuple(_text(x) for x in items)


def _optional_texts(value: object) -> tuple[str, ...] | None:
    return None if value is None else _texts(value, 1, 10)


def _choice(value: object, allowed: frozenset[str]) -> str:
    if value not in allowed:
        raise ValueError("not a known value")
    return str(value)


def _finding(value: object) -> tuple[str, str, str, bool]:
    items = _list(value)
    if len(items) != 4 or not isinstance(items[3], bool):
        raise ValueError("not a finding")
    return _text(items[0]), _text(items[1]), _text(items[2]), items[3]


# Writing the sheets ----------------------------------------------------------------------


@dataclass
class Written:
    """The sheets one run wrote."""

    sheets: list[Sheet] = field(default_factory=list)
    html: list[Path] = field(default_factory=list)
    pdf: list[Path] = field(default_factory=list)


def write_sheets(
    project: Project,
    locales: list[str],
    pages: Iterable[str],
    everything: bool,
    with_pdf: bool,
    browser: str | None = None,
) -> Written:
    """Write build/review/<locale>/<page>.html (and .pdf) for each locale and page asked
    for (every page of the locale when none is), then the index that links them."""
    from .. import glossary as glossary_mod
    from ..dates import GitHistory, source_date
    from ..files import Staging, write_text
    from ..site.build import write_assets
    from ..site.index import write_index

    asked = list(pages)
    glossary = glossary_mod.load(project.locales_dir)
    who = identity(project)
    written = Written()
    todo = []
    history = GitHistory(project.root)
    for locale in locales:
        known = project.domains(locale)
        for page in asked:
            if page not in known:
                raise L10nError(
                    f"--page {page}: no such page in locale {locale} "
                    f"(known: {', '.join(known) or 'none'})"
                )
        ledger = project_ledger(project, locale)
        for page in asked or known:
            sheet = make_sheet(project, locale, page, everything, ledger, glossary, who)
            html_path = sheet_path(project, locale, page, ".html")
            inputs = [project.po_path(locale, page), ledger.path, project.page_path(page)]
            todo.append((sheet, html_path, source_date(inputs, project.root, history)))
    write_assets(project, [project.config.source_locale, *locales])
    write_text(project.build_dir / "assets" / "review.css", _stylesheet())
    with Staging() as staging:
        for sheet, html_path, _ in todo:
            staging.add(html_path, render_sheet(project, sheet).encode("utf-8"))
            written.sheets.append(sheet)
            written.html.append(html_path)
    if with_pdf and browser is not None:
        from ..site import pdf
        from ..site.browser import Settings
        from . import printed

        settings = Settings(
            browser=browser,
            paper=project.config.paper,
            author=project.config.author,
            publisher=project.config.publisher,
        )
        pages_to_print = [
            pdf.Page(h, h.with_suffix(".pdf"), day, printed.attach(sheet.as_json()))
            for sheet, h, day in todo
        ]
        pdf.print_pages(pages_to_print, settings)
        written.pdf = [p.pdf for p in pages_to_print]
    else:  # a handout of an earlier sheet would no longer be the sheet it sits beside
        for _, html_path, _ in todo:
            html_path.with_suffix(".pdf").unlink(missing_ok=True)
    write_index(project)
    return written


def _stylesheet() -> str:
    from ..assets import STATIC_DIR

    return (STATIC_DIR / "review.css").read_text(encoding="utf-8")
