"""The translator's edit loop: one catalog saved, then `l10n build`.  What the incremental
build writes (the page, the index, the check summary) is what a cold build and `check`
write; what it keeps between runs (counts, titles, the summary's table) never shows
anything stale."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from conftest import Result, copy_repo, git
from lxml import html as lxml_html

from pipeline import dates
from pipeline.project import load
from pipeline.site import fonts
from pipeline.site import index as index_module
from pipeline.site.typefaces import Typefaces

PAGE = "systemic-sclerosis"
TITLE = "Systemic Sclerosis"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's pages and catalogs, with a user cache of their own."""
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    return copy_repo(tmp_path / "repo")


def catalog(root: Path, locale: str, domain: str = PAGE) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"


def edit(path: Path, msgid: str, change: Callable[[str], str]) -> None:
    """Save a catalog with one translation changed, as an editor would."""
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid == msgid and not e.obsolete)
    entry.msgstr = change(entry.msgstr)
    po.save(str(path))


def first_paragraph(path: Path) -> str:
    po = polib.pofile(str(path))
    return next(e.msgid for e in po if e.msgstr and "paragraph" in (e.comment or ""))


def build(run: Callable[..., Result], root: Path, *extra: str) -> Result:
    done = run(["build", "-f", "html", "-j", "1", *extra], root)
    assert done.code == 0, done.output
    return done


def listed(index: Path) -> dict[str, dict]:
    """The index as a reader sees it: per language, its percent and its pages' titles."""
    tree = lxml_html.fromstring(index.read_bytes())
    found = {}
    for item in tree.xpath('//ul[@class="locales"]/li'):
        tag = item.xpath('./span[@class="name"]')[0].get("lang")
        percent = re.fullmatch(
            r"([\d.]+)% translated", item.xpath('./span[@class="complete"]')[0].text_content()
        )
        assert percent is not None
        found[tag] = {
            "percent": float(percent.group(1)),
            "titles": [a.text_content() for a in item.xpath('.//ul[@class="pages"]//a')],
        }
    return found


def percent_translated(root: Path, locale: str) -> float:
    """Completeness as polib counts it: translated over current entries, every catalog."""
    total = translated = 0
    for path in sorted((root / "locales" / locale / "LC_MESSAGES").glob("*.po")):
        po = polib.pofile(str(path))
        total += sum(1 for e in po if not e.obsolete)
        translated += len(po.translated_entries())
    return round(100.0 * translated / total, 1)


def cold_copy(root: Path, dest: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The same inputs in another folder, with an empty user cache."""
    monkeypatch.setenv("L10N_CACHE", str(dest.parent / "cold-cache"))
    dest.mkdir()
    for name in ("source", "locales"):
        shutil.copytree(root / name, dest / name)
    shutil.copy2(root / "pyproject.toml", dest / "pyproject.toml")
    return dest


def test_index_after_edits_is_the_index_a_cold_build_writes(
    repo: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    build(run, repo)
    before = listed(repo / "build" / "index.html")
    edit(catalog(repo, "th"), TITLE, lambda s: s + " (ฉบับใหม่)")  # the page's title
    edit(catalog(repo, "vi"), first_paragraph(catalog(repo, "vi")), lambda _s: "")
    again = build(run, repo)
    assert "th: 1 pages built, 0 up to date" in again.out.splitlines()
    assert "vi: 1 pages built, 0 up to date" in again.out.splitlines()
    after = listed(repo / "build" / "index.html")
    assert after["th"]["titles"] == [before["th"]["titles"][0] + " (ฉบับใหม่)"]
    assert after["vi"]["percent"] == percent_translated(repo, "vi") < before["vi"]["percent"]
    assert after["km"] == before["km"]

    cold = cold_copy(repo, tmp_path / "cold", monkeypatch)
    build(run, cold)
    for name in ("index.html", ".l10n-index.json"):
        assert (repo / "build" / name).read_bytes() == (cold / "build" / name).read_bytes()


def test_the_index_is_rendered_only_when_what_it_lists_changed(
    repo: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(run, repo)
    cold = (repo / "build" / "index.html").read_bytes()
    rendered: list[int] = []
    real = index_module.render_index

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        rendered.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(index_module, "render_index", counting)
    paragraph = first_paragraph(catalog(repo, "th"))
    edit(catalog(repo, "th"), paragraph, lambda s: s + " ")  # neither title nor counts
    assert "th: 1 pages built, 0 up to date" in build(run, repo).out.splitlines()
    assert rendered == []
    assert (repo / "build" / "index.html").read_bytes() == cold

    (repo / "build" / "index.html").write_text("spoilt", encoding="utf-8")
    edit(catalog(repo, "th"), paragraph, lambda s: s[:-1])
    build(run, repo)
    assert rendered == [1]  # the page on disk is not the one last rendered: made again
    assert (repo / "build" / "index.html").read_bytes() == cold

    edit(catalog(repo, "th"), TITLE, lambda s: s + "!")
    build(run, repo)
    assert rendered == [1, 1]
    assert listed(repo / "build" / "index.html")["th"]["titles"][0].endswith("!")


def test_a_spoilt_index_cache_is_made_again(repo: Path, run: Callable[..., Result]) -> None:
    build(run, repo)
    cold = (repo / "build" / "index.html").read_bytes()
    kept = repo / "build" / ".l10n-index.json"
    data = json.loads(kept.read_bytes())
    data["english"] = {key: ["0" * 64, "Stale"] for key in data["english"]}
    data["locales"] = {tag: [mark[0], "0" * 64] for tag, mark in data["locales"].items()}
    kept.write_text(json.dumps(data), encoding="utf-8")
    tables = sorted((repo / "build").glob(".l10n-index-*.json"))
    tags = sorted(t.name.removeprefix(".l10n-index-").removesuffix(".json") for t in tables)
    assert tags == sorted(["en", "th", "vi", "id", "ms", "fil", "km", "my", "lo"])
    for table in tables:
        spoilt = json.loads(table.read_bytes())
        spoilt["counts"] = {key: ["0" * 64, 1, 0] for key in spoilt["counts"]}  # of other bytes
        spoilt["built"] = {key: ["", "Stale"] for key in spoilt["built"]}
        table.write_text(json.dumps(spoilt), encoding="utf-8")
    paragraph = first_paragraph(catalog(repo, "vi"))
    edit(catalog(repo, "vi"), paragraph, lambda s: s + " ")  # the index is listed again
    assert "vi: 1 pages built, 0 up to date" in build(run, repo).out.splitlines()
    assert (repo / "build" / "index.html").read_bytes() == cold
    edit(catalog(repo, "vi"), paragraph, lambda s: s[:-1])
    (repo / "build" / ".l10n-state.json").write_text("{}", encoding="utf-8")  # all again
    build(run, repo)
    assert (repo / "build" / "index.html").read_bytes() == cold
    kept.write_text("{not json", encoding="utf-8")
    tables[0].write_text("[1, 2]", encoding="utf-8")
    build(run, repo, "--force")
    assert (repo / "build" / "index.html").read_bytes() == cold


def index_from_nothing(root: Path) -> bytes:
    """The index written with nothing kept: every language listed and rendered anew."""
    for kept in (root / "build").glob(".l10n-index*.json"):
        kept.unlink()
    (root / "build" / "index.html").unlink()
    index_module.write_index(load(root))
    return (root / "build" / "index.html").read_bytes()


def _orphan(root: Path) -> None:
    """A catalog of km without a page, nothing of it translated: km counts it."""
    po = polib.pofile(str(catalog(root, "km")))
    for entry in po:
        entry.msgstr = ""
    po.save(str(root / "locales" / "km" / "LC_MESSAGES" / "leaflet.po"))


PART_INPUTS: dict[str, Callable[[Path], object]] = {
    "a catalog without a page": _orphan,
    "a review sheet": lambda root: (
        (root / "build" / "review" / "km").mkdir(parents=True)
        or (root / "build" / "review" / "km" / f"{PAGE}.html").write_text("<p>sheet</p>")
    ),
    "a handout": lambda root: (root / "build" / "vi" / f"{PAGE}.pdf").write_bytes(b"%PDF-"),
    "approvals that cannot be read": lambda root: (
        root / "locales" / "km" / "approvals.tsv"
    ).write_text("not\ta ledger\n"),
}


@pytest.mark.parametrize("change", sorted(PART_INPUTS))
def test_a_language_is_listed_again_when_an_input_of_its_part_changes(
    repo: Path, run: Callable[..., Result], change: str
) -> None:
    """Each language's part of the index is kept under a fingerprint of its inputs: one
    changed in a language whose pages were not rebuilt (here km or vi, while th's page
    is) shows in the index, which is the one written with nothing kept."""
    build(run, repo)
    before = (repo / "build" / "index.html").read_bytes()
    PART_INPUTS[change](repo)
    edit(catalog(repo, "th"), first_paragraph(catalog(repo, "th")), lambda s: s + " ")
    assert "th: 1 pages built, 0 up to date" in build(run, repo).out.splitlines()
    after = (repo / "build" / "index.html").read_bytes()
    assert after != before
    assert after == index_from_nothing(repo)


def test_pages_the_build_state_does_not_know_are_listed_as_their_files_say(
    repo: Path, run: Callable[..., Result]
) -> None:
    """A page in the build folder without a digest in the build state (a state lost,
    then a build of one language) has its title read from the file on every listing,
    never taken from a part kept."""
    build(run, repo)
    (repo / "build" / ".l10n-state.json").write_text("{}", encoding="utf-8")
    paragraph = first_paragraph(catalog(repo, "th"))
    edit(catalog(repo, "th"), paragraph, lambda s: s + " ")
    build(run, repo, "-l", "th")
    page = repo / "build" / "km" / f"{PAGE}.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"<title>(.*?)</title>", r"<title>\1 (2)</title>", html, count=1))
    edit(catalog(repo, "th"), paragraph, lambda s: s[:-1])
    build(run, repo, "-l", "th")
    after = (repo / "build" / "index.html").read_bytes()
    assert listed(repo / "build" / "index.html")["km"]["titles"][0].endswith(" (2)")
    assert after == index_from_nothing(repo)


def ratio(path: Path) -> str:
    """The msgid whose translation must keep the number 4:1."""
    return next(e.msgid for e in polib.pofile(str(path)) if "4:1" in e.msgid)


def test_summary_after_an_edit_is_what_check_says(repo: Path, run: Callable[..., Result]) -> None:
    build(run, repo)
    edit(catalog(repo, "vi"), first_paragraph(catalog(repo, "vi")), lambda _s: "")
    edit(catalog(repo, "th"), ratio(catalog(repo, "th")), lambda s: s.replace("4:1", "3:1"))
    lines = build(run, repo).out.splitlines()
    summary = [line.removeprefix("check ") for line in lines if line.startswith("check ")]
    assert summary == run(["check", "-l", "th", "-l", "vi"], repo).out.splitlines()[-2:]
    assert summary[0].startswith("th: 1 error, ")
    assert summary[1].startswith("vi: ") and summary[1].endswith(", 1 untranslated")
    edit(catalog(repo, "th"), ratio(catalog(repo, "th")), lambda s: s.replace("3:1", "4:1"))
    lines = build(run, repo).out.splitlines()
    summary = [line.removeprefix("check ") for line in lines if line.startswith("check ")]
    assert summary == run(["check", "-l", "th"], repo).out.splitlines()[-1:]
    assert summary[0].startswith("th: 0 errors, ")


def test_a_damaged_summary_table_is_ignored(
    repo: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    build(run, repo)
    table = next((tmp_path / "cache" / "tallies").glob("*-th.json"))  # th's counts
    table.write_bytes(b"\x00garbage")
    edit(catalog(repo, "th"), ratio(catalog(repo, "th")), lambda s: s.replace("4:1", "3:1"))
    lines = build(run, repo).out.splitlines()
    summary = [line.removeprefix("check ") for line in lines if line.startswith("check ")]
    assert summary == run(["check", "-l", "th"], repo).out.splitlines()[-1:]


@pytest.mark.parametrize("content", [b"[1, 2]", b'"text"', b"\x00garbage"])
def test_kept_files_of_another_shape_are_made_again(
    repo: Path, run: Callable[..., Result], tmp_path: Path, content: bytes
) -> None:
    """Every file the build keeps (its state and index cache in build/, the summary table
    and font answers in the user cache) that is not a JSON object is made again."""
    from pipeline.site.typefaces import typefaces

    typefaces.cache_clear()  # this process's answers: read from the user cache anew
    first = build(run, repo)
    pages = {p: p.read_bytes() for p in sorted((repo / "build").rglob("*.html"))}
    kept = [repo / "build" / ".l10n-state.json", repo / "build" / ".l10n-index.json"]
    kept += sorted((repo / "build").glob(".l10n-index-*.json"))  # a language's own
    tables = sorted((tmp_path / "cache" / "tallies").glob("*.json"))  # a locale's counts
    assert len(tables) == len(load(repo).target_locales())
    kept += tables
    kept += [*(tmp_path / "cache" / "fonts").glob("faces-*.json")]
    assert len(kept) == 3 + len(load(repo).target_locales()) * 2 + 1
    for path in kept:
        path.write_bytes(content)
    typefaces.cache_clear()
    again = run(["build", "-f", "html", "--force"], repo)
    assert again.code == 0, again.output
    assert [line for line in again.out.splitlines() if line.startswith("check ")] == [
        line for line in first.out.splitlines() if line.startswith("check ")
    ]
    assert {p: p.read_bytes() for p in sorted((repo / "build").rglob("*.html"))} == pages
    assert all(path.read_bytes().startswith(b"{") for path in kept[:-1])


def test_a_nested_page_deleted_from_build_is_built_again(
    initialised: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    build(run, initialised)
    inner = initialised / "build" / "th" / "sub" / "inner.html"
    cold = inner.read_bytes()
    index = (initialised / "build" / "index.html").read_bytes()
    inner.unlink()
    lines = build(run, initialised).out.splitlines()
    assert "th: 1 pages built, 1 up to date" in lines
    assert inner.read_bytes() == cold
    assert (initialised / "build" / "index.html").read_bytes() == index
    assert b"th/sub/inner.html" in index


def test_pages_and_templates_are_listed_in_the_order_of_sorted_paths(
    new_project: Callable[..., Path],
) -> None:
    root = new_project(
        pages={
            name: "# Page\n"
            for name in ("a-b.md", "a/b.md", "a.md", "B.md", "a/c/d.md", "z.md", "notes.txt", ".md")
        }
    )
    source = root / "source"
    (source / "folder.md").mkdir()  # a folder named like a page is no page
    (source / "link.md").symlink_to(source / "a.md")  # a link inside the project is
    (source / "linked").symlink_to(source / "a", target_is_directory=True)  # not entered
    expected = [p for p in sorted(source.rglob("*.md")) if p.is_file()]
    assert load(root).pages() == expected
    assert load(root).page_domains() == [load(root).domain(p) for p in expected]
    assert ".md" in load(root).page_domains()  # a page named only by its suffix
    for name in ("z.pot", "a-b.pot", "a/b.pot", "th/LC_MESSAGES/x.pot", "B.pot"):
        (root / "locales" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "locales" / name).write_text("", encoding="utf-8")
    assert load(root).templates() == sorted((root / "locales").rglob("*.pot"))
    assert [load(root).domain(p) for p in expected][:5] == [".md", "B", "a/b", "a/c/d", "a-b"]


def test_page_dates_from_git_read_the_log_only_for_committed_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    for name, when in (("a.md", "1700000000"), ("b.md", "1750000000")):
        (root / name).write_text(name, encoding="utf-8")
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run([*git, "add", name], cwd=root, check=True)
        subprocess.run([*git, "commit", "-qm", name], cwd=root, check=True, env=env)
    (root / "b.md").write_text("changed", encoding="utf-8")  # uncommitted
    asked: list[str] = []
    real = dates.git.text

    def counting(where: Path, *args: str, timeout: float = dates.git.TIMEOUT) -> str | None:
        asked.append(args[0])
        return real(where, *args, timeout=timeout)

    monkeypatch.setattr(dates.git, "text", counting)
    history = dates.GitHistory(root)
    assert history.commit_time([root / "b.md"]) is None  # uncommitted: no time
    assert asked == ["rev-parse", "status"]
    assert history.commit_time([root / "a.md"]) == 1700000000
    assert history.commit_time([root / "a.md", root / "b.md"]) is None
    assert asked == ["rev-parse", "status", "log"]
    assert dates._git_time([root / "a.md"], root) == 1700000000  # asked on its own
    assert dates.GitHistory(tmp_path / "elsewhere").commit_time([tmp_path / "x"]) is None


def test_a_cache_file_left_half_written_in_build_is_removed(
    repo: Path, run: Callable[..., Result]
) -> None:
    build(run, repo)
    left = repo / "build" / f".l10n-index.json.{os.getpid():08d}.tmp"  # a killed write
    left.write_bytes(b'{"counts":')
    build(run, repo)
    assert not left.exists()
    assert json.loads((repo / "build" / ".l10n-index.json").read_bytes())["rendered"]


@pytest.mark.parametrize("locale", ["en", "th", "km", "my", "lo", "vi"])
def test_kept_font_answers_are_what_the_fonts_say(
    locale: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    made, kept = Typefaces("tool"), Typefaces("tool")  # the second reads what the first kept
    expected = frozenset(map(chr, fonts.coverage(locale)))
    assert made.coverage(locale) == expected
    assert Typefaces("tool").coverage(locale) == expected  # CR and NUL kept as they are
    built = ["en", "th", "km"]
    css = fonts.font_face_css(locale, "../assets/fonts/", built)
    assert made.css(locale, "../assets/fonts/", built) == css
    assert Typefaces("tool").css(locale, "../assets/fonts/", built) == css
    assert kept.stack(locale, built) == fonts.font_stack(locale, built)
    assert kept.woff2(locale) == [fonts.woff2_name(f) for f in fonts.fonts_for(locale)]
    assert Typefaces("other tool").path != kept.path  # another tool asks again


def test_a_build_leaves_the_results_cache_closed(
    repo: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    """A run closes its connection to the checks' results, so the write-ahead log is
    folded into the database: a process that ended without closing (a forked run that
    leaves by os._exit) would leave it for every later run to read and copy again."""
    database = tmp_path / "cache" / "checks" / "results.sqlite"
    build(run, repo)
    edit(catalog(repo, "th"), ratio(catalog(repo, "th")), lambda s: s.replace("4:1", "3:1"))
    summary = [line for line in build(run, repo).out.splitlines() if line.startswith("check ")]
    assert summary[0].startswith("check th: 1 error, ")
    assert database.is_file() and not Path(f"{database}-wal").exists()
    assert run(["check", "-l", "th"], repo).out.splitlines()[-1] == summary[0].removeprefix(
        "check "
    )
    assert not Path(f"{database}-wal").exists()


def test_a_run_forked_from_a_ready_process_writes_what_a_run_of_its_own_writes(
    repo: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`ready` makes in one process what every build makes once; a build forked from it
    (as a resident process runs each command) writes the same site and says the same."""
    from pipeline.cli import main
    from pipeline.site.command import ready

    other = cold_copy(repo, tmp_path / "other", monkeypatch)  # its own user cache
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    build(run, repo)
    edit(catalog(repo, "th"), ratio(catalog(repo, "th")), lambda s: s.replace("4:1", "3:1"))
    expected = build(run, repo).out
    ready(load(other).target_locales())
    build(run, other)
    edit(catalog(other, "th"), ratio(catalog(other, "th")), lambda s: s.replace("4:1", "3:1"))
    out = tmp_path / "forked.out"
    pid = os.fork()
    if pid == 0:  # the child: the run, its output to a file, then out without cleaning up
        code = 3
        try:
            sys.stdout = open(out, "w", encoding="utf-8")  # noqa: SIM115
            main(["-C", str(other), "build", "-f", "html", "-j", "1"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert out.read_text(encoding="utf-8") == expected
    mine, theirs = (
        {p.relative_to(root): p.read_bytes() for p in sorted((root / "build").rglob("*.html"))}
        for root in (other, repo)
    )
    assert mine == theirs


def test_built_pages_are_dated_as_git_dates_their_inputs(
    new_project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    """A page's "Last updated" is the newest commit of its inputs (page, catalog, ui
    catalog), or their modification time when one has uncommitted changes: the same
    answer git gives when asked about that page alone, though the build asks git once,
    while it looks at what changed."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    root = new_project(pages={"a.md": "# A\n\nText.\n", "b.md": "# B\n\nMore text.\n"})
    for command in (["extract"], ["init", "th"]):
        assert run(command, root).code == 0

    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "pages")

    def dated(domain: str) -> str:
        html = (root / "build" / "th" / f"{domain}.html").read_text(encoding="utf-8")
        found = re.search(r'<time datetime="([0-9-]+)"', html)
        assert found is not None
        return found.group(1)

    def expected(domain: str) -> str:
        inputs = [
            root / "source" / f"{domain}.md",
            *(catalog(root, "th", name) for name in (domain, "ui")),
        ]
        return dates.source_date(inputs, root).date().isoformat()  # git asked about these

    assert run(["build", "-f", "html", "-l", "th"], root).code == 0
    assert dated("a") == dated("b") == expected("a") == "2030-01-02"
    po = polib.pofile(str(catalog(root, "th", "b")))
    po[0].msgstr = "บี"
    po.save(str(catalog(root, "th", "b")))
    os.utime(catalog(root, "th", "b"), (1_900_000_000, 1_900_000_000))
    lines = run(["build", "-f", "html", "-l", "th"], root).out.splitlines()
    assert "th: 1 pages built, 1 up to date" in lines
    assert dated("b") == expected("b") == "2030-03-17"  # uncommitted: its modification time
    assert dated("a") == "2030-01-02"
