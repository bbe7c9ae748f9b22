"""Review and sign-off: sheets, approvals, status, the release gate and its manifest.

Every flow runs on a copy of the repository's own catalogs in a git repository of its
own: sheets are parsed back as HTML, ledgers read back line by line, releases read back
from their manifest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pikepdf
import polib
import pytest
from conftest import REPO, Result, copy_repo, snapshot
from pikepdf import Array, Dictionary, Name

from pipeline.cli import main
from pipeline.po import catalog
from pipeline.project import load
from pipeline.review import diff as diffs
from pipeline.review.approve import Seen, approve_rows
from pipeline.review.ledger import LEDGER_NAME, EntryText, digest, dumps, parse
from pipeline.review.printed import ATTACHMENT, page_digests
from pipeline.review.sheet import identity, sheet_for, visible

PAGE = "systemic-sclerosis"
EPOCH = "1795000000"  # 2026-11-18
DAY = "2026-11-18"
THAI_NAME = "สมชาย ใจดี"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def committed_copy(root: Path) -> Path:
    """The repository's pages and catalogs, committed in a repository of their own."""
    copy_repo(root)
    for name in (".gitattributes", ".gitignore"):
        shutil.copy2(REPO / name, root / name)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "catalogs")
    return root


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return committed_copy(tmp_path / "project")


def gate_on(root: Path, roles: str = '["clinician"]') -> None:
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("[tool.l10n]\n", f"[tool.l10n]\nrelease-approval = {roles}\n"),
        encoding="utf-8",
    )


def po_path(root: Path, locale: str = "th", page: str = PAGE) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / f"{page}.po"


def sheet(root: Path, locale: str = "th", page: str = PAGE) -> Path:
    return root / "build" / "review" / locale / f"{page}.html"


def ledger(root: Path, locale: str = "th") -> Path:
    return root / "locales" / locale / LEDGER_NAME


def review(run: Callable[..., Result], root: Path, *args: str) -> Result:
    result = run(["review", "-f", "html", *args], root)
    assert result.code == 0, result.output
    return result


def approve(run: Callable[..., Result], root: Path, *sheets: Path, **who: str) -> Result:
    args = ["approve"]
    for path in sheets:
        args += ["--sheet", str(path)]
    args += ["--by", who.get("by", THAI_NAME), "--role", who.get("role", "clinician")]
    return run(args, root)


def sheet_digest(path: Path) -> str:
    block = lxml.html.parse(str(path)).getroot().xpath('//script[@id="l10n-sheet"]')[0]
    return json.loads(block.text)["digest"]


def rows(path: Path) -> list[lxml.html.HtmlElement]:
    return lxml.html.parse(str(path)).getroot().xpath("//tr[@data-digest]")


def cell(row: lxml.html.HtmlElement, column: str) -> list[str]:
    return [
        div.text_content()
        for div in row.xpath(f'./td[contains(@class, "{column}")]//div[@class="text"]')
    ]


def edit(root: Path, needle: str, change: Callable[[str], str], locale: str = "th") -> int:
    """Change the translation of the entry whose English holds `needle`; returns the
    line of its msgstr in the saved catalog."""
    path = po_path(root, locale)
    po = catalog.load(path)
    entry = next(e for e in po if needle in e.msgid)
    entry.msgstr = change(entry.msgstr)
    catalog.save(path, po)
    return msgstr_line(path, needle)


def msgstr_line(path: Path, needle: str) -> int:
    """The line of the msgstr of the entry whose English holds `needle`, read from the file."""
    entry = next(e for e in polib.pofile(str(path)) if needle in e.msgid)
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(
        n for n in range(entry.linenum, len(lines) + 1) if lines[n - 1].startswith("msgstr")
    )


def translated(root: Path, locale: str = "th", page: str = PAGE) -> list[polib.POEntry]:
    po = polib.pofile(str(po_path(root, locale, page)))
    return [e for e in po if not e.obsolete and e.translated() and "fuzzy" not in e.flags]


def status(run: Callable[..., Result], root: Path, locale: str = "th") -> dict:
    result = run(["status", "--json", "-l", locale], root)
    assert result.code == 0, result.output
    return json.loads(result.out)["locales"][0]


def release(*argv: str) -> subprocess.CompletedProcess:
    """`l10n release` as a release manager runs it: the program itself."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *argv],
        capture_output=True,
        text=True,
        env=dict(os.environ, SOURCE_DATE_EPOCH=EPOCH),
        timeout=600,
    )


# Sheets ---------------------------------------------------------------------------------


def test_sheet_shows_english_beside_translation_with_findings(repo: Path, run) -> None:
    line = edit(repo, "4:1", lambda text: text.replace("4:1", "3:1"))
    review(run, repo, "-l", "th")
    path = sheet(repo)
    doc = lxml.html.parse(str(path)).getroot()
    assert doc.get("lang") == "en"
    found = rows(path)
    entries = translated(repo)
    assert len(found) == len(entries) == 40  # nothing approved yet: every entry to review
    for row, entry in zip(found, entries, strict=True):
        assert cell(row, "english") == [entry.msgid]
        assert cell(row, "translation") == [entry.msgstr]
        assert row.xpath('./td[contains(@class, "translation")]')[0].get("lang") == "th"
        assert row.xpath('./td[contains(@class, "english")]')[0].get("lang") == "en"
        assert row.get("data-state") == "unapproved"
        text = EntryText.of(PAGE, entry)
        assert (row.get("data-english"), row.get("data-translation")) == (
            text.english,
            text.translation,
        )
    flagged = next(r for r in found if r.get("data-line") == str(line))
    checks = flagged.xpath('./td[@class="checks"]')[0].text_content()
    assert '[numbers] "4:1" is missing from the translation' in checks
    others = [r for r in found if r is not flagged]
    assert all("no findings" in r.xpath('./td[@class="checks"]')[0].text_content() for r in others)
    data = json.loads(doc.xpath('//script[@id="l10n-sheet"]')[0].text)
    assert (data["locale"], data["page"]) == ("th", PAGE)
    assert [r["digest"] for r in data["rows"]] == [r.get("data-digest") for r in found]
    assert data["digest"] in doc.xpath('//code[@class="digest"]')[0].text


def test_sheets_are_reproducible_and_index_links_them(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "-l", "km")
    first = {p: p.read_bytes() for p in (repo / "build" / "review").rglob("*.html")}
    assert {p.relative_to(repo / "build" / "review").as_posix() for p in first} == {
        f"{loc}/{page}.html" for loc in ("th", "km") for page in (PAGE, "ui")
    }
    shutil.rmtree(repo / "build")
    (repo / "build" / "review" / "th" / f"{PAGE}.pdf").parent.mkdir(parents=True)
    (repo / "build" / "review" / "th" / f"{PAGE}.pdf").write_bytes(b"%PDF of an earlier sheet")
    review(run, repo, "-l", "th", "-l", "km")
    assert {p: p.read_bytes() for p in first} == first
    assert not list((repo / "build" / "review").rglob("*.pdf"))  # none left beside new sheets
    index = lxml.html.parse(str(repo / "build" / "index.html")).getroot()
    links = index.xpath('//p[@class="sheets"]/a/@href')
    assert set(links) == {
        f"review/{loc}/{page}.html" for loc in ("th", "km") for page in (PAGE, "ui")
    }
    for link in links:
        assert (repo / "build" / link).is_file()
    assert index.xpath('//span[@class="approved"]/text()') == ["0% approved", "0% approved"]


def test_default_sheet_lists_what_needs_review_and_all_lists_everything(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "--page", "ui")
    assert approve(run, repo, sheet(repo, page="ui")).code == 0
    po = catalog.load(po_path(repo, page="ui"))
    fuzzy = next(e for e in po if e.msgid == "Close")
    fuzzy.flags.append("fuzzy")
    catalog.save(po_path(repo, page="ui"), po)
    review(run, repo, "-l", "th", "--page", "ui")
    assert rows(sheet(repo, page="ui")) == []
    text = sheet(repo, page="ui").read_text(encoding="utf-8")
    assert "Nothing on this page needs review." in text
    assert "14 approved, 0 to review (0 changed since approved), 1 fuzzy" in text
    review(run, repo, "-l", "th", "--page", "ui", "--all")
    states = [r.get("data-state") for r in rows(sheet(repo, page="ui"))]
    assert states.count("approved") == 14 and states.count("fuzzy") == 1 and len(states) == 15
    approved_row = next(
        r for r in rows(sheet(repo, page="ui")) if r.get("data-state") == "approved"
    )
    assert f"clinician: {THAI_NAME}, {DAY}" in approved_row.text_content()


def test_unknown_page_is_refused(repo: Path, run) -> None:
    result = run(["review", "-f", "html", "-l", "th", "--page", "nope"], repo)
    assert result.code == 2
    assert "--page nope: no such page in locale th" in result.err
    assert not (repo / "build" / "review").exists()


# The end-to-end flows ---------------------------------------------------------------------


def test_approve_then_status_and_release_accept_the_locale(repo: Path, run) -> None:
    gate_on(repo)
    review(run, repo, "-l", "th")
    refused = release("-C", str(repo), "release", "-l", "th")
    assert refused.returncode == 1
    assert f"page {PAGE}: 40 of 40 translated entries lack clinician approval" in refused.stdout
    assert "page ui: 15 of 15 translated entries lack clinician approval" in refused.stdout

    result = approve(run, repo, sheet(repo), sheet(repo, page="ui"))
    assert result.code == 0, result.output
    short = sheet_digest(sheet(repo))[:16]
    assert f"th {PAGE} (sheet {short}): 40 approved (clinician: {THAI_NAME})" in result.out
    lines = [x for x in ledger(repo).read_text(encoding="utf-8").split("\n") if x and x[0] != "#"]
    assert len(lines) == 55 and lines == sorted(lines)
    assert all(x.endswith(f"\tclinician\t{DAY}\t{THAI_NAME}") for x in lines)

    th = status(run, repo)
    assert (th["approved"], th["approvals"]) == (55, {"clinician": 55})
    page = next(d for d in th["domains"] if d["domain"] == PAGE)
    assert (page["approved"], page["approvals"]) == (40, {"clinician": 40})
    table = run(["status", "-l", "th"], repo).out.splitlines()
    assert table[1].split()[-3:] == ["40", "clinician", "40"]

    done = release("-C", str(repo), "release", "-l", "th")
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads(next((repo / "build" / "release").glob("*/manifest.json")).read_text())
    (entry,) = manifest["locales"]
    assert entry["approved"] == 55
    assert entry["approvers"] == [
        {"name": THAI_NAME, "role": "clinician", "entries": 55, "latest": DAY}
    ]


def test_an_edit_voids_exactly_one_approval(repo: Path, run) -> None:
    gate_on(repo)
    review(run, repo, "-l", "th", "--page", PAGE)
    assert approve(run, repo, sheet(repo)).code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "approved")
    before = ledger(repo).read_bytes()

    old = next(e.msgstr for e in translated(repo) if "4:1" in e.msgid)
    line = edit(repo, "4:1", lambda text: text.replace("50–300", "50–350"))
    page = next(d for d in status(run, repo)["domains"] if d["domain"] == PAGE)
    assert (page["approved"], page["approvals"]) == (39, {"clinician": 39})
    assert ledger(repo).read_bytes() == before  # nothing to clean up by hand

    gates = release("-C", str(repo), "release", "-l", "th", "--from", str(repo))
    assert gates.returncode == 1
    assert f"page {PAGE}: 1 of 40 translated entries lack clinician approval" in gates.stdout

    review(run, repo, "-l", "th", "--page", PAGE)
    (row,) = rows(sheet(repo))
    assert row.get("data-state") == "changed" and row.get("data-line") == str(line)
    prior = row.xpath('.//td[contains(@class, "translation")]//div[@class="prior"]')[0]
    assert f"clinician: {THAI_NAME}, {DAY}" in prior.text_content()
    assert prior.xpath(".//del/text()") == ["300"] and prior.xpath(".//ins/text()") == ["350"]
    shown = prior.xpath('.//div[@class="diff"]')[0]
    assert "".join(x for x in shown.itertext() if x != "350") == old


def test_approving_with_a_stale_sheet_is_refused_for_that_entry(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "--page", PAGE)
    line = edit(repo, "4:1", lambda text: text + " ")
    result = approve(run, repo, sheet(repo))
    assert result.code == 1
    where = f"locales/th/LC_MESSAGES/{PAGE}.po:{line}"
    assert f"{where}: the translation changed after the sheet was written; not approved" in (
        result.err
    )
    assert "Traceback" not in result.output
    assert f"th {PAGE} (sheet {sheet_digest(sheet(repo))[:16]}): 39 approved, 1 not approved" in (
        result.out
    )
    assert status(run, repo)["approved"] == 39


def test_english_changed_after_the_sheet_is_named(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "--page", PAGE)
    source = repo / "source" / f"{PAGE}.md"
    source.write_text(source.read_text().replace("about 4:1", "about 5:1"), encoding="utf-8")
    assert run(["extract"], repo).code == 0
    assert run(["update", "-l", "th"], repo).code == 0
    result = approve(run, repo, sheet(repo))
    assert result.code == 1
    line = msgstr_line(po_path(repo), "about 5:1")
    assert (
        f"locales/th/LC_MESSAGES/{PAGE}.po:{line}: the English changed after the sheet "
        "was written; not approved"
    ) in result.err


def test_a_locale_nobody_approved_is_refused(repo: Path, run) -> None:
    gate_on(repo)
    review(run, repo, "-l", "th")
    assert approve(run, repo, sheet(repo), sheet(repo, page="ui")).code == 0
    done = release("-C", str(repo), "release", "-l", "th", "-l", "km", "--from", str(repo))
    assert done.returncode == 1
    assert "th: 100% translated, ships" in done.stdout
    km = next(line for line in done.stdout.splitlines() if line.startswith("km:"))
    assert f"page {PAGE}: 40 of 40 translated entries lack clinician approval" in km
    assert "page ui: 15 of 15 translated entries lack clinician approval" in km


def test_fuzzy_and_untranslated_entries_cannot_be_approved(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "--page", "ui")
    path = po_path(repo, page="ui")
    po = catalog.load(path)
    po.find("Close").flags.append("fuzzy")
    po.find("Language").msgstr = ""
    catalog.save(path, po)
    result = approve(run, repo, sheet(repo, page="ui"))
    assert result.code == 1
    assert f"ui.po:{msgstr_line(path, 'Close')}: the entry is fuzzy now" in result.err
    assert f"ui.po:{msgstr_line(path, 'Language')}: the entry is untranslated now" in result.err
    assert status(run, repo)["approved"] == 13
    review(run, repo, "-l", "th", "--page", "ui", "--all")
    assert approve(run, repo, sheet(repo, page="ui"), by="Other").code == 0  # shown, skipped
    assert status(run, repo)["approvals"] == {"clinician": 13}


def test_commands_that_do_not_approve_never_rewrite_the_ledger(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "--page", "ui")
    assert approve(run, repo, sheet(repo, page="ui")).code == 0
    stat = ledger(repo).stat()
    os.utime(ledger(repo), ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**10))
    before = snapshot(repo / "locales")
    for argv in (["status"], ["status", "--json"], ["check"], ["update"], ["extract"]):
        run(argv, repo)
    review(run, repo, "-l", "th", "--all")
    assert run(["build", "-f", "html", "-l", "th"], repo).code == 0
    assert snapshot(repo / "locales") == before
    # approving the same sheet again records nothing new and leaves the file alone
    again = approve(run, repo, sheet(repo, page="ui"))
    assert again.code == 0 and "0 approved, 15 already approved" in again.out
    assert snapshot(repo / "locales") == before


def test_index_shows_approved_percent(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "--page", "ui")
    assert run(["build", "-f", "html", "-l", "th"], repo).code == 0
    assert approve(run, repo, sheet(repo, page="ui")).code == 0
    # no page changed, only the ledger: the build still brings the index up to date
    assert "0 pages built" in run(["build", "-f", "html", "-l", "th"], repo).out
    index = lxml.html.parse(str(repo / "build" / "index.html")).getroot()
    th = index.xpath('//ul[@class="locales"]/li[span[@lang="th"]]')[0]
    assert th.xpath('./span[@class="approved"]/text()') == [f"{100 * 15 / 55:.1f}% approved"]
    assert th.xpath('.//p[@class="sheets"]/a/@href') == ["review/th/ui.html"]


# Two reviewers, two branches, one merge ---------------------------------------------------


def test_two_reviewers_approvals_merge_cleanly_in_git(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "--page", "ui")
    git(repo, "checkout", "-q", "-b", "linguist")
    assert approve(run, repo, sheet(repo, page="ui"), by="Nguyen Van A", role="linguist").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "linguist approvals")
    git(repo, "checkout", "-q", "main")
    assert approve(run, repo, sheet(repo, page="ui")).code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "clinician approvals")
    git(repo, "merge", "-q", "--no-edit", "linguist")  # no conflict
    th = status(run, repo)
    assert th["approvals"] == {"clinician": 15, "linguist": 15}
    text = ledger(repo).read_text(encoding="utf-8")
    assert "<<<<<<<" not in text and text.count("\n") == 2 + 30


# Bad input: one line naming file:line, nothing written -------------------------------------


@pytest.fixture
def approved_ui(repo: Path, run) -> Path:
    """th's ui sheet written and approved once; the ledger committed."""
    review(run, repo, "-l", "th", "--page", "ui")
    assert approve(run, repo, sheet(repo, page="ui")).code == 0
    return repo


def refused_with(run, root: Path, argv: list[str], message: str) -> str:
    before = snapshot(root / "locales")
    result = run(argv, root)
    assert result.code == 2, result.output
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.err
    assert message in lines[0], lines[0]
    assert snapshot(root / "locales") == before
    return lines[0]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: f[:3], "expected 7 tab-separated fields"),
        (lambda f: [f[0], f[1][:-1], *f[2:]], "the context digest must be 16 hex digits"),
        (lambda f: [*f[:3], f[3] + "0", *f[4:]], "the translation digest must be 16 hex digits"),
        (lambda f: ["no-such-page", *f[1:]], "unknown page 'no-such-page'"),
        (lambda f: [*f[:5], "18/11/2026", f[6]], "is not a date"),
    ],
)
def test_a_bad_ledger_line_is_named(approved_ui: Path, run, damage, message: str) -> None:
    path = ledger(approved_ui)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[5] = "\t".join(damage(lines[5].split("\t")))
    path.write_text("\n".join(lines), encoding="utf-8")
    where = f"locales/th/{LEDGER_NAME}:6: "
    for argv in (
        ["status", "-l", "th"],
        ["approve", "--sheet", str(sheet(approved_ui, page="ui")), "--by", "A", "--role", "x"],
        ["review", "-f", "html", "-l", "th"],
    ):
        line = refused_with(run, approved_ui, argv, message)
        assert where in line
    done = release("-C", str(approved_ui), "release", "-l", "th", "--from", str(approved_ui))
    assert done.returncode == 2 and where in done.stderr and "Traceback" not in done.stderr


def test_a_sheet_from_another_project_is_refused(approved_ui: Path, run, tmp_path: Path) -> None:
    other = copy_repo(tmp_path / "other")
    text = (other / "pyproject.toml").read_text().replace('name = "l10n"', 'name = "clinic-b"')
    (other / "pyproject.toml").write_text(text)
    review(run, other, "-l", "th", "--page", "ui")
    foreign = sheet(other, page="ui")
    line = refused_with(
        run,
        approved_ui,
        ["approve", "--sheet", str(foreign), "--by", THAI_NAME, "--role", "clinician"],
        "this sheet is from another project ('clinic-b', not 'l10n')",
    )
    data_line = next(
        n
        for n, x in enumerate(foreign.read_text(encoding="utf-8").split("\n"), 1)
        if 'id="l10n-sheet"' in x
    )
    assert line.startswith(f"error: {foreign}:{data_line}: ")


def test_same_name_another_repository_is_another_project(approved_ui: Path, tmp_path) -> None:
    other = copy_repo(tmp_path / "fork")
    git(other, "init", "-q")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "a different history")
    ours, theirs = identity(load(approved_ui)), identity(load(other))
    assert ours["name"] == theirs["name"] and ours["roots"] != theirs["roots"]
    from pipeline.review.sheet import same_project

    assert not same_project(theirs, ours)
    assert same_project({"name": "l10n", "roots": []}, ours)  # a copy outside git


def _tamper(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "how",
    ["visible text", "data text", "row digest", "row removed", "sheet digest", "not json"],
)
def test_a_tampered_sheet_is_refused(repo: Path, run, how: str) -> None:
    review(run, repo, "-l", "th", "--page", "ui")
    path = sheet(repo, page="ui")
    close = catalog.load(po_path(repo, page="ui")).find("Close").msgstr
    html = path.read_text(encoding="utf-8")
    data = json.loads(lxml.html.fromstring(html).xpath('//script[@id="l10n-sheet"]')[0].text)
    if how == "visible text":
        _tamper(path, f'<div class="text">{close}</div>', '<div class="text">ปิดเลย</div>')
    elif how == "data text":
        escaped = json.dumps(close)[1:-1]  # the data block is ASCII, as Jinja's tojson writes it
        _tamper(path, f'"{escaped}"', json.dumps("ปิดเลย"))
    elif how == "row digest":
        first = data["rows"][0]["digest"]
        _tamper(path, f'data-digest="{first}"', f'data-digest="{first[::-1]}"')
    elif how == "row removed":
        start = html.index("<tr id=")
        _tamper(path, html[start : html.index("</tr>", start) + 5], "")
    elif how == "sheet digest":
        _tamper(path, f'"digest": "{data["digest"]}"', f'"digest": "{"0" * 64}"')
    else:
        _tamper(
            path,
            '<script type="application/json" id="l10n-sheet">{',
            '<script type="application/json" id="l10n-sheet">{{',
        )
    line = refused_with(
        run, repo, ["approve", "--sheet", str(path), "--by", THAI_NAME, "--role", "clinician"], ""
    )
    assert re.match(rf"error: {re.escape(str(path))}:\d+: ", line), line
    assert "changed since 'l10n review' wrote it" in line or "sheet was edited" in line
    assert not ledger(repo).exists()


def test_not_a_sheet_and_empty_names_are_refused(repo: Path, run, tmp_path: Path) -> None:
    review(run, repo, "-l", "th", "--page", "ui")
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>hello</p></body></html>", encoding="utf-8")
    refused_with(
        run,
        repo,
        ["approve", "--sheet", str(page), "--by", "A", "--role", "clinician"],
        f"{page}:1: not a review sheet",
    )
    for name in ("", "   "):
        refused_with(
            run,
            repo,
            ["approve", "--sheet", str(sheet(repo, page="ui")), "--by", name, "--role", "x"],
            "--by: the reviewer's name is empty",
        )
    refused_with(
        run,
        repo,
        ["approve", "--sheet", str(sheet(repo, page="ui")), "--by", "A", "--role", "Chief Doc"],
        "--role: 'Chief Doc' is not a role name",
    )
    assert not ledger(repo).exists()


# Concurrency and the API the live review page uses ---------------------------------------


def test_concurrent_approvals_are_all_recorded(repo: Path, run) -> None:
    review(run, repo, "-l", "th")
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipeline",
                "-C",
                str(repo),
                "approve",
                "--sheet",
                str(sheet(repo, page=page)),
                "--by",
                who,
                "--role",
                role,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for page, who, role in ((PAGE, THAI_NAME, "clinician"), ("ui", "Ana Cruz", "linguist"))
    ]
    for process in runs:
        assert process.wait(timeout=300) == 0, process.stderr.read().decode()
    assert status(run, repo)["approvals"] == {"clinician": 40, "linguist": 15}


def test_approve_rows_records_what_the_live_page_showed(repo: Path) -> None:
    project = load(repo)
    shown = sheet_for(project, "th", "ui")
    assert len(shown.rows) == 15
    seen = [Seen(row.text("ui"), row.line) for row in shown.rows[:3]]
    edit_line = msgstr_line(po_path(repo, page="ui"), shown.rows[2].english[0])
    path = po_path(repo, page="ui")
    po = catalog.load(path)
    po.find(shown.rows[2].english[0]).msgstr += "!"
    catalog.save(path, po)
    outcome = approve_rows(project, "th", "ui", seen, " Ana Cruz ", "linguist")
    assert len(outcome.approved) == 2 and outcome.already == 0
    (refused,) = outcome.refused
    assert (refused.path, refused.line) == ("locales/th/LC_MESSAGES/ui.po", edit_line)
    assert all(a.reviewer == "Ana Cruz" and a.date == DAY for a in outcome.approved)


# The ledger format and the difference --------------------------------------------------------


def test_ledger_lines_are_sorted_unique_and_read_back() -> None:
    entry = polib.POEntry(msgid="Close", msgstr="ปิด")
    text = EntryText.of("ui", entry)
    assert text.context == digest("") and text.translation == digest("ปิด")
    assert len(text.english) == 16
    from pipeline.review.ledger import Approval

    approvals = [
        Approval(text, "linguist", "2026-11-02", "Nguyen Van A"),
        Approval(text, "clinician", "2026-11-01", THAI_NAME),
        Approval(text, "clinician", "2026-11-01", THAI_NAME),
    ]
    written = dumps(approvals)
    assert dumps(reversed(approvals)) == written
    body = [line for line in written.split("\n") if line and not line.startswith("#")]
    assert body == sorted(body) and len(body) == 2
    assert parse(written, "approvals.tsv", ["ui"]) == sorted(set(approvals))
    plural = polib.POEntry(msgid="one", msgid_plural="many", msgstr_plural={0: "a", 1: "b"})
    changed = polib.POEntry(msgid="one", msgid_plural="many", msgstr_plural={0: "a", 1: "c"})
    assert EntryText.of("p", plural).translation != EntryText.of("p", changed).translation


def test_difference_keeps_clusters_whole() -> None:
    pieces = diffs.diff("ประมาณ 4:1", "ประมาณ 3:1")
    assert [(p.op, p.text) for p in pieces if p.op != "equal"] == [("delete", "4"), ("insert", "3")]
    khmer = diffs.diff("ក្រុម", "ក្រម")  # the vowel sign goes; the stacked ្រ stays whole
    assert all(not p.text.startswith("\u17d2") for p in khmer)
    assert "".join(p.text for p in khmer if p.op != "insert") == "ក្រុម"
    assert "".join(p.text for p in khmer if p.op != "delete") == "ក្រម"
    words = diffs.diff("Uống thuốc mỗi ngày", "Uống thuốc hai lần mỗi ngày")
    assert [(p.op, p.text) for p in words if p.op != "equal"] == [("insert", "hai lần ")]


def test_the_repository_carries_no_invented_approvals() -> None:
    project = load(REPO)
    ledgers = sorted((REPO / "locales").glob(f"*/{LEDGER_NAME}"))
    if not ledgers:
        assert project.config.release_approval == ()  # the gate stays off until someone approves
    for path in ledgers:
        parse(path.read_text(encoding="utf-8"), str(path), project.domains(path.parent.name))


# The printed sheet ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> str:
    """The browser that prints sheets, or skip (fail where CI requires it)."""
    from pipeline.errors import L10nError
    from pipeline.site.browser import find_browser

    try:
        found = find_browser()
    except L10nError as exc:
        reason = str(exc)
    else:
        if shutil.which("pdftotext"):
            return found
        reason = "pdftotext (poppler-utils) is missing"
    if os.environ.get("L10N_REQUIRE_BROWSER") == "1":
        pytest.fail(f"L10N_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"printed sheets need Chromium and poppler: {reason}")


def squash(text: str) -> str:
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def test_printed_sheets_read_back_in_thai_and_khmer(repo: Path, run, browser: str) -> None:
    result = run(["review", "-l", "th", "-l", "km", "--page", PAGE], repo)
    assert result.code == 0, result.output
    for locale in ("th", "km"):
        pdf = sheet(repo, locale).with_suffix(".pdf")
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert re.search(r"Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)", info), info
        text = squash(
            subprocess.run(
                ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        entries = translated(repo, locale)
        for entry in entries:  # every translation and its English, each as one text
            assert squash(entry.msgstr) in text, (locale, entry.msgstr)
            assert squash(entry.msgid) in text, (locale, entry.msgid)
        data = json.loads(
            lxml.html.parse(str(sheet(repo, locale))).getroot().xpath("//script")[1].text
        )
        assert data["digest"][:16] in text  # the printed sheet names the sheet it is
    printed = sheet(repo).with_suffix(".pdf").read_bytes()
    shutil.rmtree(repo / "build" / "review")
    assert run(["review", "-l", "th", "--page", PAGE], repo).code == 0
    assert sheet(repo).with_suffix(".pdf").read_bytes() == printed  # the same bytes again


def test_prior_text_missing_from_history_is_said(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "--page", "ui")
    path = po_path(repo, page="ui")
    po = catalog.load(path)
    po.find("Close").msgstr = "ปิดหน้า"  # approved below, never committed
    catalog.save(path, po)
    review(run, repo, "-l", "th", "--page", "ui")
    assert approve(run, repo, sheet(repo, page="ui")).code == 0
    po.find("Close").msgstr = "ปิดหน้านี้"
    catalog.save(path, po)
    review(run, repo, "-l", "th", "--page", "ui")
    (row,) = rows(sheet(repo, page="ui"))
    assert row.get("data-state") == "changed"
    assert "not in the catalog's git history" in row.text_content()


def test_english_diff_when_the_english_changed(repo: Path, run) -> None:
    review(run, repo, "-l", "th", "--page", PAGE)
    assert approve(run, repo, sheet(repo)).code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "approved")
    source = repo / "source" / f"{PAGE}.md"
    source.write_text(source.read_text().replace("about 4:1", "about 5:1"), encoding="utf-8")
    assert run(["extract"], repo).code == 0
    assert run(["update", "-l", "th"], repo).code == 0
    review(run, repo, "-l", "th", "--page", PAGE)
    assert rows(sheet(repo)) == []  # fuzzy now: nothing to approve until it is translated
    path = po_path(repo)
    po = catalog.load(path)
    entry = next(e for e in po if "about 5:1" in e.msgid)
    assert entry.previous_msgid and "about 4:1" in entry.previous_msgid
    entry.flags.remove("fuzzy")  # the translator accepts it as it is (keeping #| msgid)
    entry.msgstr = entry.msgstr.replace("4:1", "5:1")
    catalog.save(path, po)
    review(run, repo, "-l", "th", "--page", PAGE)
    (row,) = rows(sheet(repo))
    assert row.get("data-state") == "changed"
    english = row.xpath('./td[contains(@class, "english")]//div[@class="diff"]')[0]
    assert english.xpath(".//del/text()") == ["4"] and english.xpath(".//ins/text()") == ["5"]
    translation = row.xpath('./td[contains(@class, "translation")]//div[@class="diff"]')[0]
    assert translation.xpath(".//del/text()") == ["4"]


# Approving from the printed sheet -----------------------------------------------------------


@pytest.fixture(scope="module")
def printed_repo(browser: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """th and vi sheets of one page, HTML and PDF, printed once for the tests below (each
    works on a copy of its own)."""
    root = committed_copy(tmp_path_factory.mktemp("printed") / "project")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        with pytest.raises(SystemExit) as done:
            main(["-C", str(root), "review", "-l", "th", "-l", "vi", "--page", PAGE])
    assert done.value.code == 0
    return root


@pytest.fixture
def printed(printed_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return Path(shutil.copytree(printed_repo, tmp_path / "project", symlinks=True))


def pdf_sheet(root: Path, locale: str = "th") -> Path:
    return sheet(root, locale).with_suffix(".pdf")


def attached(path: Path) -> dict:
    with pikepdf.open(path) as doc:
        return json.loads(doc.attachments[ATTACHMENT].get_file().read_bytes())


def html_data(path: Path) -> dict:
    block = lxml.html.parse(str(path)).getroot().xpath('//script[@id="l10n-sheet"]')[0]
    return json.loads(block.text)


def ledger_lines(root: Path) -> list[str]:
    text = ledger(root).read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line and not line.startswith("#")]


def test_a_printed_sheet_carries_its_data_and_shows_it(printed: Path) -> None:
    for locale in ("th", "vi"):
        path = pdf_sheet(printed, locale)
        with pikepdf.open(path) as doc:
            assert list(doc.attachments) == [ATTACHMENT]
            (spec,) = doc.Root.AF
            assert spec.objgen == doc.Root.Names.EmbeddedFiles.Names[1].objgen
            assert (spec.AFRelationship, str(spec.F), str(spec.UF)) == (
                Name.Data,
                ATTACHMENT,
                ATTACHMENT,
            )
            assert spec.EF.F.Subtype == Name("/application/json")
            pages = len(doc.pages)
        data = attached(path)
        assert data["sheet"] == html_data(sheet(printed, locale))  # the HTML's block, digests too
        assert len(data["pages"]) == pages > 1
    # The pages show what the data says: every row's English and (a Latin script read
    # back exactly) its translation, as the sheet prints them.
    text = squash(
        subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf_sheet(printed, "vi")), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    rows = attached(pdf_sheet(printed, "vi"))["sheet"]["rows"]
    assert len(rows) == len(translated(printed, "vi")) == 40
    for row in rows:
        for shown in (*row["english"], *row["translation"]):
            assert squash(visible(shown)) in text, shown


def test_approve_from_the_printed_sheet(printed: Path, run, tmp_path: Path) -> None:
    from_html = Path(shutil.copytree(printed, tmp_path / "from-html", symlinks=True))
    result = approve(run, printed, pdf_sheet(printed))
    assert result.code == 0, result.output
    short = sheet_digest(sheet(printed))[:16]
    assert f"th {PAGE} (sheet {short}): 40 approved (clinician: {THAI_NAME})" in result.out
    lines = ledger_lines(printed)
    assert len(lines) == 40 and all(x.endswith(f"\tclinician\t{DAY}\t{THAI_NAME}") for x in lines)
    assert {tuple(x.split("\t")[:4]) for x in lines} == {
        (t.page, t.context, t.english, t.translation)
        for t in (EntryText.of(PAGE, e) for e in translated(printed))
    }
    # the PDF approves what its HTML twin approves, to the byte
    assert approve(run, from_html, sheet(from_html)).code == 0
    assert ledger(printed).read_bytes() == ledger(from_html).read_bytes()
    assert status(run, printed)["approved"] == 40


def test_a_printed_sheet_gone_stale_names_the_entry(printed: Path, run) -> None:
    line = edit(printed, "4:1", lambda text: text.replace("4:1", "3:1"))
    result = approve(run, printed, pdf_sheet(printed))
    assert result.code == 1
    assert (
        f"locales/th/LC_MESSAGES/{PAGE}.po:{line}: the translation changed after the sheet "
        "was written; not approved"
    ) in result.err
    assert "Traceback" not in result.output
    assert f"39 approved, 1 not approved (clinician: {THAI_NAME})" in result.out
    assert len(ledger_lines(printed)) == 39
    assert status(run, printed)["approved"] == 39


def _comment(doc: pikepdf.Pdf, page: pikepdf.Page, subtype: str, **fields: object) -> None:
    """An annotation as a PDF reader adds one: the page's content stays as it was."""
    annot = doc.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name(subtype),
            Rect=Array([72, 700, 300, 720]),
            T=pikepdf.String(THAI_NAME),
            M=pikepdf.String("D:20261118090000+07'00'"),
            **fields,
        )
    )
    annots = page.obj.get("/Annots")
    page.obj.Annots = Array([*(annots if annots is not None else []), annot])


def _comments_rewritten(path: Path) -> None:
    """Comments added and the file saved whole again, as some readers do: objects
    renumbered and packed into object streams, content and fonts stored uncompressed."""
    with pikepdf.open(path, allow_overwriting_input=True) as doc:
        first, second = doc.pages[0], doc.pages[1]
        _comment(doc, first, "/Text", Contents=pikepdf.String("ตรวจสอบขนาดยา"))
        _comment(
            doc,
            second,
            "/Highlight",
            QuadPoints=Array([72, 720, 300, 720, 72, 700, 300, 700]),
            C=Array([1, 1, 0]),
            Contents=pikepdf.String("check this dose"),
        )
        _comment(doc, second, "/FreeText", Contents=pikepdf.String("OK"), DA="/Helv 10 Tf 0 g")
        doc.save(
            path,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
            compress_streams=False,
        )


def _comments_appended(path: Path) -> None:
    """Comments appended as an incremental update, as most readers save them: the file as
    printed stays, byte for byte, at the start of the new one."""
    from pypdf import PdfWriter
    from pypdf.annotations import FreeText, Text

    writer = PdfWriter(path, incremental=True)
    writer.add_annotation(0, Text(text="ตรวจสอบขนาดยา", rect=(50, 550, 200, 650)))
    writer.add_annotation(1, FreeText(text="OK", rect=(50, 550, 200, 650)))
    writer.write(path)


@pytest.mark.parametrize("save", [_comments_rewritten, _comments_appended])
def test_comments_added_in_a_pdf_reader_keep_the_sheet_approvable(
    printed: Path, run, save: Callable[[Path], None]
) -> None:
    path = pdf_sheet(printed)
    before = path.read_bytes()
    save(path)
    assert path.read_bytes() != before
    with pikepdf.open(path) as doc:
        comments = [
            a for page in doc.pages for a in page.get("/Annots", []) if a.Subtype != Name.Link
        ]
        assert len(comments) >= 2
    result = approve(run, printed, path)
    assert result.code == 0, result.output
    assert f"th {PAGE} (sheet {sheet_digest(sheet(printed))[:16]}): 40 approved" in result.out
    assert len(ledger_lines(printed)) == 40


def _retouch(path: Path, change: Callable[[pikepdf.Pdf], None]) -> None:
    with pikepdf.open(path, allow_overwriting_input=True) as doc:
        change(doc)
        doc.save(path)


def _draw_over(doc: pikepdf.Pdf) -> None:
    """A white box over part of page 2, as an editor's redaction or whiteout would."""
    content = doc.pages[1].Contents
    content.write(content.read_bytes() + b"\nq 1 1 1 rg 60 400 300 40 re f Q\n")


def _wider_glyphs(doc: pikepdf.Pdf) -> None:
    """Page 1's first font with other glyph widths: its text set differently."""
    for font in doc.pages[0].Resources.Font.values():
        for cid_font in font.get("/DescendantFonts", []):
            cid_font.DW = 1500
            return
    raise AssertionError("no composite font on page 1")


def _reattach(payload: bytes) -> Callable[[pikepdf.Pdf], None]:
    def change(doc: pikepdf.Pdf) -> None:
        doc.attachments[ATTACHMENT] = pikepdf.AttachedFileSpec(
            doc, payload, filename=ATTACHMENT, relationship=Name.Data
        )

    return change


def _edited_data(path: Path, change: Callable[[dict], None]) -> bytes:
    payload = attached(path)
    change(payload)
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _new_translation(payload: dict) -> None:
    row = payload["sheet"]["rows"][0]
    row["translation"] = ["ห้ามใช้ยานี้"]


def _new_page_digest(payload: dict) -> None:
    payload["pages"][0] = "0" * 64


@pytest.mark.parametrize(
    ("how", "where"),
    [
        ("page drawn over", "page 2: what this page shows has changed since 'l10n review'"),
        ("font changed", "page 1: what this page shows has changed since 'l10n review'"),
        ("page removed", "page 5: the sheet has 4 pages, 'l10n review' printed 5"),
        ("data text", f"{ATTACHMENT}: the sheet has been changed since 'l10n review' wrote it"),
        ("data page digest", "page 1: what this page shows has changed"),
        ("data not json", f"{ATTACHMENT}: the sheet has been changed since 'l10n review'"),
        ("data removed", f"not a review sheet (no {ATTACHMENT} attached)"),
        ("truncated", "the PDF is damaged (file is damaged"),
    ],
)
def test_a_tampered_printed_sheet_is_refused(printed: Path, run, how: str, where: str) -> None:
    path = pdf_sheet(printed)
    with pikepdf.open(path) as doc:
        assert len(doc.pages) == 5  # the page numbers below are this sheet's
    if how == "page drawn over":
        _retouch(path, _draw_over)
    elif how == "font changed":
        _retouch(path, _wider_glyphs)
    elif how == "page removed":
        _retouch(path, lambda doc: doc.pages.remove(p=5))
    elif how == "data text":
        _retouch(path, _reattach(_edited_data(path, _new_translation)))
    elif how == "data page digest":
        _retouch(path, _reattach(_edited_data(path, _new_page_digest)))
    elif how == "data not json":
        _retouch(path, _reattach(b"{{"))
    elif how == "data removed":
        _retouch(path, lambda doc: doc.attachments.pop(ATTACHMENT))
    else:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    line = refused_with(
        run,
        printed,
        ["approve", "--sheet", str(path), "--by", THAI_NAME, "--role", "clinician"],
        where,
    )
    assert line.startswith(f"error: {path}: "), line
    assert not ledger(printed).exists()


def _one_page_pdf(text: bytes, base_font: str = "/Helvetica", padding: int = 0) -> pikepdf.Pdf:
    doc = pikepdf.new()
    for _ in range(padding):  # objects before the page's: other object numbers
        doc.make_indirect(Dictionary(Unused=True))
    font = doc.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name(base_font))
    )
    content = doc.make_stream(b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET")
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, 595, 842]),
        Resources=Dictionary(Font=Dictionary(F1=font, F2=font)),  # one object reached twice
        Contents=content,
    )
    doc.pages.append(pikepdf.Page(page))
    return doc


def test_page_digests_see_what_a_page_shows_not_how_the_file_stores_it(tmp_path: Path) -> None:
    base = page_digests(_one_page_pdf(b"Take 50 mg daily"))
    assert page_digests(_one_page_pdf(b"Take 50 mg daily", padding=7)) == base
    doc = _one_page_pdf(b"Take 50 mg daily")
    _comment(doc, doc.pages[0], "/Text", Contents=pikepdf.String("dose?"))
    doc.save(tmp_path / "commented.pdf", object_stream_mode=pikepdf.ObjectStreamMode.generate)
    with pikepdf.open(tmp_path / "commented.pdf") as reread:
        assert page_digests(reread) == base
    assert page_digests(_one_page_pdf(b"Take 500 mg daily")) != base
    assert page_digests(_one_page_pdf(b"Take 50 mg daily", "/Courier")) != base
    wider = _one_page_pdf(b"Take 50 mg daily")
    wider.pages[0].MediaBox = Array([0, 0, 612, 792])
    assert page_digests(wider) != base
