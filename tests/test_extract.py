"""`l10n extract`: templates that gettext tools accept, stable when nothing changed."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import polib
import pytest
from conftest import (
    INNER_PAGE,
    SAMPLE_LINES,
    SAMPLE_PAGE,
    SAMPLE_REPEATED,
    age,
    gettext_valid,
    git,
    needs_gettext,
    snapshot,
)

from pipeline.extract import TEMPLATES_DIR
from pipeline.po import write as layout


def pot(root: Path, domain: str) -> polib.POFile:
    return polib.pofile(str(root / "locales" / f"{domain}.pot"))


def test_writes_a_template_per_page_and_ui(extracted: Path) -> None:
    found = sorted(p.relative_to(extracted).as_posix() for p in extracted.rglob("*.pot"))
    assert found == ["locales/sample.pot", "locales/sub/inner.pot", "locales/ui.pot"]
    inner = pot(extracted, "sub/inner")
    assert [e.msgid for e in inner] == ["Nested Page", "A page in a sub-folder."]
    assert pot(extracted, "sub/inner")[0].occurrences == [("source/sub/inner.md", "1")]


def test_messages_in_document_order_with_references(extracted: Path) -> None:
    catalog = pot(extracted, "sample")
    repeated, lines = SAMPLE_REPEATED
    expected = sorted([*SAMPLE_LINES.items(), (repeated, lines[0])], key=lambda x: x[1])
    assert [e.msgid for e in catalog] == [text for text, _ in expected]
    for entry in catalog:
        if entry.msgid == repeated:
            assert entry.occurrences == [("source/sample.md", str(n)) for n in lines]
        else:
            assert entry.occurrences == [("source/sample.md", str(SAMPLE_LINES[entry.msgid]))]
        assert entry.msgstr == ""
        assert not entry.flags


def test_extracted_comments(extracted: Path) -> None:
    comments = {e.msgid: e.comment for e in pot(extracted, "sample")}
    assert comments["Main Harms"] == "heading 2 · Main Harms\nKeep the number 4:1 exactly."
    assert comments["Sample Page"] == "title · front matter"
    assert comments["Item one"] == "list item · Main Harms"
    assert comments["Head A"] == "table header · Main Harms"
    assert comments["A quoted sentence."] == "paragraph in block quote · Main Harms"
    text = (extracted / "locales" / "sample.pot").read_text(encoding="utf-8")
    assert (
        "#. heading 2 · Main Harms\n#. Keep the number 4:1 exactly.\n#: source/sample.md:13\n"
        in text
    )


def test_skipped_and_code_are_not_in_the_template_raw_html_text_is(extracted: Path) -> None:
    text = (extracted / "locales" / "sample.pot").read_text(encoding="utf-8")
    for absent in ("stays English", "code block", "i18n", 'class="note"'):
        assert absent not in text
    assert '#. text of <div> · Main Harms\n#: source/sample.md:38\nmsgid "Raw HTML stays."' in text


def test_header(extracted: Path) -> None:
    catalog = pot(extracted, "sample")
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert catalog.metadata["Content-Transfer-Encoding"] == "8bit"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d\+0000", catalog.metadata["POT-Creation-Date"])
    assert catalog.metadata_is_fuzzy
    assert "Language" not in catalog.metadata


@needs_gettext
def test_templates_pass_msgfmt_and_msgcat(extracted: Path) -> None:
    assert gettext_valid(extracted.rglob("*.pot")) == 3


def test_ui_template_from_the_jinja2_templates(extracted: Path) -> None:
    catalog = pot(extracted, "ui")
    msgids = {e.msgid for e in catalog}
    written = set()
    for path in TEMPLATES_DIR.glob("*.html"):
        written.update(re.findall(r'_\(\s*"([^"]+)"\s*\)', path.read_text(encoding="utf-8")))
    assert written and written <= msgids
    for chrome in ("Go Back To Menu", "Close", "MENU"):
        assert chrome in msgids
    for entry in catalog:
        assert entry.occurrences
        for where, line in entry.occurrences:
            assert where.startswith("pipeline/templates/") and line.isdigit()
        if "%(" in entry.msgid:
            assert "python-format" in entry.flags


def test_ui_template_from_the_cache_is_the_one_babel_extracts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The strings of templates other than the shipped ones are kept in the user's cache
    by the templates' digest: what comes back from it equals a fresh extraction, a
    damaged entry is extracted again, and an edited template gets a new entry."""
    from pipeline import extract

    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    templates = tmp_path / "pipeline" / "templates"  # a copy: its strings are extracted
    shutil.copytree(TEMPLATES_DIR, templates)
    header = extract.Header("test", datetime(2026, 1, 1, tzinfo=UTC), "ui")
    fresh = layout.dumps_many([extract.ui_template(header, templates)])[0]
    assert fresh == layout.dumps_many([extract.ui_template(header)])[0]  # as the shipped
    entries = list((tmp_path / "cache" / "ui").iterdir())
    assert len(entries) == 1
    assert layout.dumps_many([extract.ui_template(header, templates)])[0] == fresh  # cached

    entries[0].write_text('[["Injected", "", "x.html", "1"]]', encoding="utf-8")
    assert layout.dumps_many([extract.ui_template(header, templates)])[0] == fresh  # not trusted

    page = templates / "page.html"
    page.write_text(
        page.read_text(encoding="utf-8") + '{{ _("A new string") }}\n', encoding="utf-8"
    )
    edited = extract.ui_template(header, templates)
    assert "A new string" in {entry.msgid for entry in edited}
    assert len(list((tmp_path / "cache" / "ui").iterdir())) == 2


def test_the_shipped_ui_strings_are_what_babel_extracts() -> None:
    """pipeline/ui-strings.json is up to date (else: scripts/ui-strings)."""
    from pipeline import uistrings

    assert uistrings.SHIPPED.read_text(encoding="utf-8") == uistrings.shipped_text()


def test_shipped_ui_strings_that_do_not_match_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Strings shipped for other templates, or by another Babel, are extracted anew; no
    Jinja2 is loaded while they match."""
    import subprocess
    import sys

    from pipeline import uistrings

    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    data = json.loads(uistrings.SHIPPED.read_text(encoding="utf-8"))
    assert uistrings.messages() == data["strings"]
    loads = "from pipeline import uistrings; import sys; uistrings.messages(); "
    loads += "print(sorted(m for m in sys.modules if m.startswith(('jinja2', 'babel.messages'))))"
    done = subprocess.run([sys.executable, "-c", loads], capture_output=True, text=True)
    assert done.stdout == "[]\n", done.stderr
    injected = [["Injected", "", "x", 1]]
    other_templates = {**data["templates"], "page.html": "0" * 64}
    for stale in (
        {**data, "templates": other_templates, "strings": injected},
        {**data, "babel": "0.1", "strings": injected},
    ):
        shipped = tmp_path / "ui-strings.json"
        shipped.write_text(json.dumps(stale), encoding="utf-8")
        monkeypatch.setattr(uistrings, "SHIPPED", shipped)
        assert uistrings.messages() == data["strings"]  # Babel's, not the file's


def test_extract_twice_touches_nothing(extracted: Path, run) -> None:
    age(extracted.rglob("*.pot"))
    before = snapshot(extracted / "locales")
    result = run(["extract"], extracted)
    assert result.code == 0, result.output
    assert snapshot(extracted / "locales") == before
    assert result.out.count("unchanged ") == 3


def test_source_mtime_alone_touches_nothing(extracted: Path, run) -> None:
    """A newer source date would change POT-Creation-Date: no reason to rewrite."""
    age(extracted.rglob("*.pot"))
    before = snapshot(extracted / "locales")
    page = extracted / "source" / "sample.md"
    page.write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    age([page], seconds=-7200)  # two hours in the future
    assert run(["extract"], extracted).code == 0
    assert snapshot(extracted / "locales") == before


def test_changing_the_source_changes_the_template(extracted: Path, run) -> None:
    age(extracted.rglob("*.pot"))
    before = snapshot(extracted / "locales")
    page = extracted / "source" / "sample.md"
    page.write_text(SAMPLE_PAGE.replace("Last paragraph.", "Final paragraph."), encoding="utf-8")
    result = run(["extract"], extracted)
    assert result.code == 0
    assert "wrote locales/sample.pot" in result.out
    after = snapshot(extracted / "locales")
    assert after["sample.pot"] != before["sample.pot"]
    assert after["ui.pot"] == before["ui.pot"]
    assert after["sub/inner.pot"] == before["sub/inner.pot"]
    msgids = [e.msgid for e in pot(extracted, "sample")]
    assert "Final paragraph." in msgids and "Last paragraph." not in msgids


def test_rewrapping_a_paragraph_changes_no_msgid(extracted: Path, run) -> None:
    page = extracted / "source" / "sample.md"
    rewrapped = SAMPLE_PAGE.replace(
        "First paragraph with **bold** and a [link](https://example.org/a).\n"
        "It continues on a second line.",
        "First paragraph with **bold**\nand a [link](https://example.org/a). It continues\n"
        "on a second line.",
    )
    assert rewrapped != SAMPLE_PAGE
    old = [e.msgid for e in pot(extracted, "sample")]
    page.write_text(rewrapped, encoding="utf-8")
    assert run(["extract"], extracted).code == 0
    assert [e.msgid for e in pot(extracted, "sample")] == old


def test_source_date_epoch_sets_the_creation_date(project: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    assert run(["extract"], project).code == 0
    assert pot(project, "sample").metadata["POT-Creation-Date"] == "2026-11-18 11:06+0000"


def test_same_inputs_same_bytes(new_project, run, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    one, two = new_project(), new_project()
    assert run(["extract"], one).code == run(["extract"], two).code == 0
    files = {k: v[0] for k, v in snapshot(one / "locales").items()}
    assert files == {k: v[0] for k, v in snapshot(two / "locales").items()}
    assert len(files) == 2


def test_raw_html_is_extracted_not_reported(project: Path, run) -> None:
    result = run(["extract"], project)
    assert result.code == 0
    assert "raw HTML" not in result.err and "not translatable" not in result.err


def test_output_counts_messages(project: Path, run) -> None:
    result = run(["extract"], project)
    assert f"wrote locales/sample.pot ({len(SAMPLE_LINES) + 1} messages)" in result.out
    assert "wrote locales/sub/inner.pot (2 messages)" in result.out


def test_extract_creates_locales_folder(new_project, run) -> None:
    root = new_project(pages={"a.md": "Hello.\n"})
    (root / "locales").rmdir()
    assert run(["extract"], root).code == 0
    assert [e.msgid for e in pot(root, "a")] == ["Hello."]


def test_empty_page_gives_a_valid_empty_template(new_project, run) -> None:
    root = new_project(pages={"empty.md": "<!-- nothing yet -->\n"})
    assert run(["extract"], root).code == 0
    path = root / "locales" / "empty.pot"
    assert len(polib.pofile(str(path))) == 0
    assert 'msgid ""' in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Fine.\n\n\xff\xfe bad\n", "source/bad.md:3: not valid UTF-8"),
        (b"Fine.\n\x00\n", "source/bad.md:2: NUL byte"),
        (b"---\ntitle: ok\nbad: @x\n---\n", "source/bad.md:3: invalid YAML front matter"),
    ],
)
def test_bad_page_is_an_error_and_nothing_is_written(
    new_project, run, data: bytes, message: str
) -> None:
    root = new_project(pages={"good.md": INNER_PAGE})
    (root / "source" / "bad.md").write_bytes(data)
    result = run(["extract"], root)
    assert result.code == 2
    assert result.err.startswith(f"error: {message}")
    assert "Traceback" not in result.err
    assert list((root / "locales").iterdir()) == []


def test_utf8_bom_page(new_project, run) -> None:
    root = new_project(pages={})
    (root / "source" / "bom.md").write_bytes("\ufeff---\ntitle: T\n---\n\nBody.\n".encode())
    assert run(["extract"], root).code == 0
    assert [e.msgid for e in pot(root, "bom")] == ["T", "Body."]


# Worker processes ----------------------------------------------------------------------


def _many_pages(count: int) -> dict[str, str]:
    """Pages of about 2 KB each: forty of them are more than `PARALLEL_FROM` bytes."""
    return {
        f"p{n:02}.md": f"# Page {n}\n\n"
        + "".join(
            f"## Part {part}\n\nTake {n} mg of the medicine each day for {part} weeks, "
            f"then see your doctor again before the end of week {part + n}.\n\n"
            f"- Call your doctor after {n + part} days.\n- Bring your list of medicines.\n\n"
            for part in range(12)
        )
        for n in range(count)
    }


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The processes extract forks, counted (and still forked)."""
    import os

    counted: list[int] = []
    fork = os.fork

    def counting() -> int:
        pid = fork()
        counted.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting)
    return counted


def _templates(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / "locales").glob("*.pot")}


def test_extract_in_workers_writes_what_one_process_writes(
    new_project, run, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.extract import PARALLEL_FROM

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    pages = _many_pages(40)
    assert sum(len(text) for text in pages.values()) > PARALLEL_FROM
    one, two = new_project(pages=pages), new_project(pages=pages)
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache-one"))
    alone = run(["extract", "-j", "1"], one)
    assert alone.code == 0 and forks == []
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache-two"))
    shared = run(["extract", "-j", "2"], two)
    assert shared.code == 0
    assert len(forks) == 1  # a forked process took a share
    assert shared.out == alone.out
    ours = _templates(one)
    assert len(ours) == len(pages) + 1
    assert ours == _templates(two)
    assert not list(two.rglob("*.tmp"))
    assert gettext_valid((two / "locales").glob("*.pot")) == len(ours)
    for path in (two / "locales").glob("*.pot"):  # what the cache kept of each page
        path.unlink()
    assert run(["extract", "-j", "2"], two).out == alone.out
    assert _templates(two) == ours


def test_below_the_size_threshold_one_process_writes_what_workers_write(
    new_project, run, forks: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the pages are shared with a forked process is decided by their size
    alone, and changes no byte."""
    from pipeline import extract

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    pages = {**_many_pages(3), "sample.md": SAMPLE_PAGE}
    small, shared = new_project(pages=pages), new_project(pages=pages)
    assert sum(len(text) for text in pages.values()) < extract.PARALLEL_FROM
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache-small"))
    assert run(["extract", "-j", "2"], small).code == 0
    assert forks == []
    monkeypatch.setattr(extract, "PARALLEL_FROM", 1)
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache-shared"))
    assert run(["extract", "-j", "2"], shared).code == 0
    assert len(forks) == 1
    assert _templates(small) == _templates(shared)


@pytest.mark.parametrize("bad", [["p05.md"], ["p38.md"], ["p36.md", "p06.md", "p21.md"]])
def test_extract_in_workers_with_a_bad_page_writes_nothing(
    new_project, run, forks: list[int], bad: list[str]
) -> None:
    """Whichever process meets a bad page, nothing is written, and the page named is
    the first bad one, as a run in one process names it."""
    root = new_project(pages=_many_pages(40))
    assert run(["extract"], root).code == 0
    for page in (root / "source").glob("*.md"):  # every template would change...
        page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    for name in bad:  # ...but
        (root / "source" / name).write_bytes(b"# Bad\n\n\xff\xfe not UTF-8\n")
    before = snapshot(root)
    forks.clear()
    result = run(["extract", "-j", "2"], root)
    assert len(forks) == 1
    assert result.code == 2
    first = min(bad)
    assert result.err == f"error: source/{first}:3: not valid UTF-8; save the page as UTF-8\n"
    assert snapshot(root) == before  # no template rewritten, no temporary file left
    assert run(["extract", "-j", "1"], root).err == result.err


# What extraction found, kept in the user's cache ----------------------------------------


def test_pages_unchanged_since_the_last_extraction_are_not_parsed_again(
    project: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import segments

    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    assert run(["extract"], project).code == 0
    first = _templates(project)
    for path in (project / "locales").glob("*.pot"):
        path.unlink()
    parsed: list[str] = []
    parse = segments.parse
    monkeypatch.setattr(
        segments, "parse", lambda text, path: parsed.append(path) or parse(text, path)
    )
    result = run(["extract"], project)
    assert result.code == 0 and parsed == []  # every page from the cache
    assert _templates(project) == first
    assert "wrote locales/sample.pot (" in result.out

    inner = project / "source" / "sub" / "inner.md"
    inner.write_text(inner.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    assert run(["extract"], project).code == 0
    assert parsed == ["source/sub/inner.md"]  # only the page that changed
    assert "A new sentence." in [e.msgid for e in pot(project, "sub/inner")]


def test_what_the_cache_gives_is_what_a_parse_gives(
    new_project, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Templates from the cache are byte for byte those a first run writes, notices
    (and the header lines naming what cannot be translated) included."""
    from conftest import CORPUS

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    pages = {p.name: p.read_text("utf-8") for p in (CORPUS / "markdown").glob("*.md")}
    pages["html.md"] = "# HTML\n\n<div>\n<video src='a.mp4'>A film</video>\n<p>Kept</p>\n</div>\n"
    root = new_project(pages=pages)
    cold = run(["extract"], root)
    assert cold.code == 0 and "<video> is not translatable" in cold.err
    first = _templates(root)
    assert "# Not translatable: source/html.md:" in first["html.pot"].decode()
    for path in (root / "locales").glob("*.pot"):
        path.unlink()
    warm = run(["extract"], root)
    assert (warm.out, warm.err) == (cold.out, cold.err)
    assert _templates(root) == first


def test_a_damaged_cache_is_not_trusted(
    project: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    assert run(["extract"], project).code == 0
    first = _templates(project)
    (kept,) = (tmp_path / "cache" / "extract").iterdir()
    data = json.loads(kept.read_text(encoding="utf-8"))
    for entry in data["pages"].values():
        entry[1] = entry[1].replace("Item one", "Injected")
    kept.write_text(json.dumps(data)[:-40], encoding="utf-8")  # cut short: not JSON
    for path in (project / "locales").glob("*.pot"):
        path.unlink()
    assert run(["extract"], project).code == 0
    assert _templates(project) == first
    kept.write_text(json.dumps({**data, "pages": {"x": [1, 2, 3]}}), encoding="utf-8")
    assert run(["extract"], project).code == 0
    assert _templates(project) == first


def test_pages_dated_by_their_last_commit(new_project, run, tmp_path: Path) -> None:
    """A committed page is dated by its last commit (git asked once for every page),
    a page changed since by its modification time."""
    import os

    if shutil.which("git") is None:
        pytest.skip("needs git")
    root = new_project(pages={"a.md": "# A\n", "b.md": "# B\n", "c.md": "# C\n"})

    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    (root / "source" / "b.md").write_text("# B\n\nMore.\n", encoding="utf-8")
    git(root, "commit", "-qam", "two", when="2031-05-06T07:08:09+00:00")
    (root / "source" / "c.md").write_text("# C\n\nEdited.\n", encoding="utf-8")
    os.utime(root / "source" / "c.md", (1_900_000_000, 1_900_000_000))
    assert run(["extract"], root).code == 0
    dates = {name: pot(root, name).metadata["POT-Creation-Date"] for name in ("a", "b", "c")}
    assert dates == {
        "a": "2030-01-02 03:04+0000",
        "b": "2031-05-06 07:08+0000",
        "c": "2030-03-17 17:46+0000",  # uncommitted: its modification time
    }


def test_pages_listed_in_rglob_order(new_project) -> None:
    """Pages in path-part order (`a/b.md` before `a.md`), hidden ones and linked ones
    inside the project included, folders named `.md` and linked folders not entered."""
    from pipeline.project import load

    root = new_project(pages={"a.md": "# A\n", "a/b.md": "# B\n", ".hidden.md": "# H\n"})
    source = root / "source"
    for name in ("a-b/c.md", "a b/d.md", "Z/e.md", "x.md/f.md", "a/deep/er/g.md"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("# Page\n", encoding="utf-8")
    (source / "a/notes.txt").write_text("not a page", encoding="utf-8")
    (source / "linked.md").symlink_to(source / "a.md")
    (source / "folder-link").symlink_to(source / "a", target_is_directory=True)
    pages = load(root).pages()
    expected = [
        p
        for p in sorted(source.rglob("*.md"))
        if p.is_file()  # the folder x.md is no page
    ]
    assert pages == expected
    assert [p.relative_to(source).as_posix() for p in pages][:4] == [
        ".hidden.md",
        "Z/e.md",
        "a/b.md",
        "a/deep/er/g.md",
    ]
