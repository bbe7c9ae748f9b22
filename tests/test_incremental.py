"""Incremental checks: results kept under a digest of every input, never trusted when
damaged, equal to a fresh run; one inline parse per text serves the build and the checks."""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from conftest import Result, copy_repo
from markdown.inlinepatterns import LinkInlineProcessor

from pipeline import inline
from pipeline.checks import cache, open_cache, run_checks, runner
from pipeline.linkscan import bracket_ends
from pipeline.project import load

LOCALES = ["th", "vi", "id", "ms", "fil", "km", "my", "lo"]
EVERY_CATALOG = sorted((loc, d) for loc in LOCALES for d in ("systemic-sclerosis", "ui"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's pages, catalogs, glossary and settings, with a few translations
    spoilt so that there are findings (a silenced one too); a user cache of its own."""
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    root = copy_repo(tmp_path / "repo")
    for locale, change in (("km", "english"), ("vi", "english"), ("lo", "silenced")):
        path = root / "locales" / locale / "LC_MESSAGES" / "systemic-sclerosis.po"
        po = polib.pofile(str(path))
        entry = next(e for e in po if "4:1" in e.msgid)
        entry.msgstr = entry.msgid if change == "english" else entry.msgstr.replace("4:1", "")
        if change == "silenced":
            entry.flags.append("ignore-numbers")
        po.save(str(path))
    return root


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every (locale, domain) the checks run on, in this process."""
    calls: list[tuple[str, str]] = []
    real = runner.check_catalog

    def counting(path, shown, locale, domain, *rest):  # noqa: ANN001, ANN002, ANN202
        calls.append((locale, domain))
        return real(path, shown, locale, domain, *rest)

    monkeypatch.setattr(runner, "check_catalog", counting)
    return calls


def entries(root: Path) -> list[bytes]:
    """The cache's entries of catalogs (not that of the English pages' own checks)."""
    database = root.parent / "cache" / "checks" / cache.DATABASE
    with contextlib.closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT entry FROM results ORDER BY key").fetchall()
    return [entry for (entry,) in rows if json.loads(entry.partition(b"\n")[2])["locale"] != "en"]


def test_second_check_rechecks_nothing_and_says_the_same(
    repo: Path, checked: list[tuple[str, str]]
) -> None:
    project = load(repo)
    first = run_checks(project, LOCALES, jobs=1)
    assert sorted(checked) == sorted(
        (loc, d) for loc in LOCALES for d in ("systemic-sclerosis", "ui")
    )
    assert len(entries(repo)) == 16
    checked.clear()
    again = run_checks(project, LOCALES, jobs=1)
    assert checked == []
    fresh = run_checks(project, LOCALES, jobs=1, cache=False)
    assert first.findings, "the repository's catalogs have findings to compare"
    assert again.as_json() == first.as_json() == fresh.as_json()
    assert [str(f) for f in again.findings] == [str(f) for f in fresh.findings]


def test_editing_one_catalog_rechecks_exactly_that_catalog(
    repo: Path, checked: list[tuple[str, str]]
) -> None:
    project = load(repo)
    run_checks(project, LOCALES, jobs=1)
    path = project.po_path("th", "systemic-sclerosis")
    po = polib.pofile(str(path))
    entry = next(e for e in po if "4:1" in e.msgid)
    entry.msgstr = entry.msgstr.replace("4:1", "3:1")
    po.save(str(path))
    checked.clear()
    result = run_checks(project, LOCALES, jobs=1)
    assert checked == [("th", "systemic-sclerosis")]
    assert any(f.check == "numbers" and '"4:1"' in f.message for f in result.findings)
    assert result.as_json() == run_checks(project, LOCALES, jobs=1, cache=False).as_json()


def test_changing_the_glossary_rechecks_everything(
    repo: Path, checked: list[tuple[str, str]]
) -> None:
    project = load(repo)
    run_checks(project, LOCALES, jobs=1)
    listing = repo / "locales" / "do-not-translate.txt"
    listing.write_text(listing.read_text(encoding="utf-8") + "Raynaud\n", encoding="utf-8")
    checked.clear()
    result = run_checks(project, LOCALES, jobs=1)
    assert sorted(checked) == sorted(
        (loc, d) for loc in LOCALES for d in ("systemic-sclerosis", "ui")
    )
    assert any('"Raynaud" must be kept as written' in f.message for f in result.findings)


def test_the_page_the_code_and_the_settings_are_in_the_key(
    repo: Path, checked: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = load(repo)
    run_checks(project, ["th"], jobs=1)
    page = repo / "source" / "systemic-sclerosis.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[ref]: https://example.org/\n")
    checked.clear()
    run_checks(project, ["th"], jobs=1)
    assert checked == [("th", "systemic-sclerosis")]  # its references may resolve otherwise
    monkeypatch.setattr(cache, "code_digest", lambda: "other check code")
    checked.clear()
    run_checks(project, ["th"], jobs=1)
    assert sorted(checked) == [("th", "systemic-sclerosis"), ("th", "ui")]
    (repo / "pyproject.toml").write_text(
        (repo / "pyproject.toml")
        .read_text(encoding="utf-8")
        .replace("[tool.l10n]", '[tool.l10n]\npaper = "Letter"'),
        encoding="utf-8",
    )
    checked.clear()
    run_checks(load(repo), ["th"], jobs=1)
    assert len(checked) == 2


def test_every_module_of_the_package_is_in_the_code_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change to any module the checks might run must check again."""
    from pipeline import files

    real = files.content_digest
    before = cache.code_digest()
    for module in ("checks/content.py", "inline.py", "linkscan.py", "site/fonts.py", "po/read.py"):
        changed = cache.PACKAGE_DIR / module

        def one_changed(path: Path, changed: Path = changed) -> bytes:
            return b"changed" if path == changed else real(path)

        monkeypatch.setattr(cache, "content_digest", one_changed)
        cache.code_digest.cache_clear()
        assert cache.code_digest() != before, module
    monkeypatch.setattr(cache, "content_digest", real)
    cache.code_digest.cache_clear()
    assert cache.code_digest() == before


@pytest.mark.parametrize(
    "damage",
    ["truncated", "flipped byte", "empty", "other key", "not JSON", "bad finding"],
)
def test_a_damaged_entry_is_ignored_and_made_again(
    repo: Path, checked: list[tuple[str, str]], damage: str
) -> None:
    project = load(repo)
    fresh = run_checks(project, ["km"], jobs=1, cache=False).as_json()
    store = open_cache(project)
    run_checks(project, ["km"], jobs=1)
    key = store.key(project, "km", "systemic-sclerosis")
    with contextlib.closing(sqlite3.connect(store.path)) as db:
        ((data,),) = db.execute("SELECT entry FROM results WHERE key = ?", (key,)).fetchall()
    other = store.key(project, "km", "ui")
    forged = {
        "truncated": data[: len(data) // 2],
        "flipped byte": data[:-10] + bytes([data[-10] ^ 1]) + data[-9:],
        "empty": b"",
        # whole and well-formed, but not what this key asks for
        "other key": cache.encode(other, store.get(other)),
        "not JSON": b"0" * 64 + b"\n{",
        "bad finding": cache.encode(key, store.get(key)).replace(b'"warning"', b'"fatal"'),
    }[damage]
    if damage == "bad finding":
        body = forged.partition(b"\n")[2]
        forged = cache.hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        assert b'"fatal"' in forged
    with contextlib.closing(sqlite3.connect(store.path)) as db, db:
        db.execute("UPDATE results SET entry = ? WHERE key = ?", (forged, key))
    assert store.get(key) is None
    checked.clear()
    assert run_checks(project, ["km"], jobs=1).as_json() == fresh
    assert checked == [("km", "systemic-sclerosis")]
    assert store.get(key) is not None  # made again


def test_workers_give_what_one_process_gives(repo: Path) -> None:
    project = load(repo)
    one = run_checks(project, LOCALES, jobs=1, cache=False).as_json()
    assert run_checks(project, LOCALES, jobs=2, cache=False).as_json() == one
    assert run_checks(project, LOCALES, jobs=2).as_json() == one  # into the cache
    assert run_checks(project, LOCALES, jobs=2).as_json() == one  # out of it


def test_cli_check_from_the_cache_prints_what_a_fresh_run_prints(
    repo: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = run(["check", "--json"], repo)
    second = run(["check", "--json"], repo)
    assert second.out == first.out and second.code == first.code
    assert json.loads(first.out)["summary"]["th"]["checked"] > 0
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "another"))
    assert run(["check", "-j", "1", "--json"], repo).out == first.out
    text = run(["check"], repo)
    assert text.out == run(["check", "-j", "2"], repo).out
    assert text.out.splitlines()[-1].startswith("lo: ")


def test_build_checks_what_it_rebuilds_and_its_summary_stays_correct(
    repo: Path, run: Callable[..., Result]
) -> None:
    built = run(["build", "-f", "html", "-l", "th", "-l", "vi", "-j", "1"], repo)
    assert built.code == 0, built.output
    summary = [line for line in built.out.splitlines() if line.startswith("check ")]
    expected = run(["check", "-l", "th", "-l", "vi"], repo).out.splitlines()[-2:]
    assert summary == [f"check {line}" for line in expected]
    assert len(entries(repo)) == 4  # two locales, two catalogs each
    path = repo / "locales" / "th" / "LC_MESSAGES" / "systemic-sclerosis.po"
    po = polib.pofile(str(path))
    entry = next(e for e in po if "4:1" in e.msgid)
    entry.msgstr = entry.msgstr.replace("4:1", "3:1")
    po.save(str(path))
    again = run(["build", "-f", "html", "-l", "th", "-l", "vi", "-j", "1"], repo)
    lines = again.out.splitlines()
    assert "th: 1 pages built, 0 up to date" in lines
    expected = run(["check", "-l", "th"], repo).out.splitlines()[-1]
    assert [line for line in lines if line.startswith("check ")] == [f"check {expected}"]
    assert expected.startswith("th: 1 error, ")
    kept = entries(repo)
    quiet = run(["build", "-f", "html", "-l", "id", "-q"], repo)
    assert quiet.code == 0 and quiet.out == ""
    assert entries(repo) == kept  # -q: no summary, and no checks


def test_the_summary_takes_a_builds_own_counts_only_under_their_key(repo: Path) -> None:
    from pipeline.site.summary import Tally, summaries

    project = load(repo)
    store = open_cache(project)
    part = ("th", "systemic-sclerosis")
    key = store.key(project, *part)
    truth = summaries(project, ["th"], store)[-1]
    made_up = Tally("th", errors=truth.errors + 40)
    assert summaries(project, ["th"], store, counted={part: ("0" * 64, made_up)})[-1] == truth
    page = Tally.of(runner.check_catalog_cached(project, *part, store))
    taken = summaries(project, ["th"], store, counted={part: (key, made_up)})[-1]
    assert taken.errors == truth.errors - page.errors + made_up.errors  # not checked again


def test_one_parse_per_text_serves_the_build_and_the_checks(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.site.build import build_html

    parsed: Counter[str] = Counter()
    real = inline.parse

    def counting(text: str, references: dict) -> inline.Inline:
        parsed[text] += 1
        return real(text, references)

    monkeypatch.setattr(inline, "parse", counting)
    inline.forget()
    project = load(repo)
    build_html(project, ["th"], with_pdf=False, jobs=1, checks=open_cache(project))
    po = polib.pofile(str(project.po_path("th", "systemic-sclerosis")))
    translations = {e.msgstr for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
    assert {t for t in translations if t in parsed}, "some translations need Markdown parsed"
    assert max(parsed.values()) == 1, [t for t, n in parsed.items() if n > 1][:3]
    assert len(entries(repo)) == 1  # the page's catalog, checked where it was built


def test_bracket_ends_are_python_markdowns() -> None:
    rng = random.Random(5)
    samples = ["", "[", "]", "[]", "a[b]c", "[[a]](x) [b", "]]][[["]
    samples += ["".join(rng.choice("[]a(") for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in samples:
        assert bracket_ends(text) == LinkInlineProcessor._findBracketEnds(text), text


def block_samples() -> list[str]:
    """Pages with every kind of block syntax: the CommonMark examples, the real pages,
    and random documents of block markers (tables, headings, quotes, callouts, lists,
    definitions, footnotes, abbreviations, link references, indented code)."""
    from conftest import CORPUS

    pages = [e["markdown"] for e in json.loads((CORPUS / "commonmark" / "spec.json").read_text())]
    pages += [p.read_text("utf-8") for p in sorted((CORPUS / "markdown").glob("*.md"))]
    pages += [  # callouts whose content goes on in later indented blocks
        '!!! note "Title"\n    First.\n\n    Second, indented.\n\n    - an item\n\nAfter.',
        "- item\n\n    !!! tip\n        Inside.\n\n        Still inside.\n",
        "!!! warning\n\n    Only the content, after a blank line.\n\n        code?\n",
    ]
    rng = random.Random(17)
    pieces = ["|", " | ", "|---|", "#", "# ", "\n", "\n\n", "\n=", "\n-", "---", "> ", ">"]
    pieces += [": ", ":", "[!NOTE]", "[!tip]", "> [!WARNING]", "[^1]", "[^1]: ", "*[", "*[HTML]: "]
    pieces += ["]: ", "[a]: http://x", "    ", "\t", "!!! note", "- ", "1. ", "a", "b c", "`", "*"]
    pieces += ["+ ", "* ", "   2. ", "  - ", "___", "* * *", "_ _ _", "\n\n   "]
    pages += ["".join(rng.choices(pieces, k=rng.randint(1, 30))) for _ in range(3000)]
    return pages


def test_block_loop_is_python_markdowns() -> None:
    """The block loop that skips processors by what they need parses as Python-Markdown's."""
    import markdown

    from pipeline.blockscan import BlockScanExtension
    from pipeline.dialect import extensions

    ours = markdown.Markdown(extensions=extensions())
    theirs = markdown.Markdown(
        extensions=[e for e in extensions() if not isinstance(e, BlockScanExtension)]
    )
    assert type(ours.parser.parseBlocks) is not type(theirs.parser.parseBlocks)
    for page in block_samples():
        assert ours.reset().convert(page) == theirs.reset().convert(page), page


# --- the inline parse: what makes it cheaper changes nothing it says -----------------------


def inline_samples() -> list[str]:
    """Texts with every kind of inline syntax: the CommonMark examples (a line each),
    the real catalogs' English and translations, and random strings of syntax."""
    from conftest import CORPUS

    texts = []
    for example in json.loads((CORPUS / "commonmark" / "spec.json").read_text("utf-8")):
        texts += [line for line in example["markdown"].split("\n") if line.strip()]
    for path in sorted((CORPUS / "po" / "real").rglob("*.po")):
        for entry in polib.pofile(str(path)):
            texts += [entry.msgid, entry.msgstr]
    rng = random.Random(11)
    alphabet = [
        "*",
        "_",
        "`",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "&",
        "\\",
        "!",
        "  \n",
        "a",
        " ",
        "http://x.org/",
        "<a href='j'>",
        "&amp;",
        "&#60;",
        "<!-- c -->",
        "[^1]",
        "[^x]",
        "HTML",
        ":",
        '"',
        "@",
    ]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(1, 14))) for _ in range(3000)]
    return [t for t in texts if inline._SYNTAX.search(t)]


SCOPE = inline.Scope(
    (("ref", ("https://example.org/r", "t")),), ("1", "note"), (("HTML", "Hypertext"),)
)


def test_parsers_without_the_patterns_a_text_cannot_use_say_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    samples = inline_samples()
    assert len(samples) > 3000
    fast = [inline.parse(text, SCOPE) for text in samples]
    monkeypatch.setattr(inline, "NEEDS", {})  # every pattern asked, every time
    monkeypatch.setattr(inline._local, "parsers", {})
    full = [inline.parse(text, SCOPE) for text in samples]
    assert fast == full


def test_serializer_output_is_read_as_an_html_parser_reads_it() -> None:
    read = 0
    for text in inline_samples():
        html = inline.parse(text, inline.Scope()).html
        scan = inline._Scan()
        scan.feed(html)
        scan.close()
        found = inline.serialized_tags(html)
        if found is not None:
            read += 1
            assert found == (tuple(scan.tags), tuple(scan.targets)), (text, html)
    assert read > 2000
    assert inline.serialized_tags('x <a href="a">y</a> <b onclick=x>') is None


def test_file_digests_kept_between_runs_and_only_while_the_file_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from pipeline import files

    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "project"
    (root / "locales").mkdir(parents=True)
    page = root / "locales" / "a.po"
    page.write_bytes(b"one")
    os.utime(page, ns=(1_000_000_000, 1_000_000_000))  # long ago: trusted by stat
    for n in range(files.KEPT_PROJECTS + 5):  # other projects' digests, older
        other = tmp_path / "cache" / "digests" / f"{n:032x}.json"
        other.parent.mkdir(parents=True, exist_ok=True)
        other.write_text("{}")
        os.utime(other, ns=(n, n))
    with files.digests_kept(root):
        first = files.content_digest(page)
    kept = list((tmp_path / "cache" / "digests").iterdir())
    assert len(kept) == files.KEPT_PROJECTS
    monkeypatch.setattr(files, "_CONTENT", {})  # a new process
    with files.digests_kept(root):
        assert str(page) in files._CONTENT  # known without reading the file
        assert files.content_digest(page) == first
        page.write_bytes(b"two")  # a save: a new mtime
        assert files.content_digest(page) == hashlib.sha256(b"two").digest()


def test_a_site_built_a_page_a_task_is_the_site_built_in_one_process(
    new_project: Callable[..., Path], run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With enough pages, each worker builds all of a page's locales as one task: the
    pages, the index and the check summary are what one process makes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    pages = {
        f"page-{n:02d}.md": (
            f"# Topic {n}\n\nTake {n} tablets a day for {n + 2} weeks.\n\n"
            f"- See [the guide](https://example.org/{n}.html).\n- Rest well.\n"
        )
        for n in range(12)
    }
    built = {}
    for jobs in ("1", "2"):
        root = new_project(name=f"site-j{jobs}", pages=pages, pyproject='locales = ["th", "vi"]')
        assert run(["extract"], root).code == 0
        assert run(["init", "th", "vi"], root).code == 0
        for path in sorted((root / "locales").glob("*/LC_MESSAGES/page-*.po")):
            po = polib.pofile(str(path))
            for entry in po:
                if entry.msgid.startswith("Take"):  # one a page left in English
                    continue
                entry.msgstr = entry.msgid.replace("Topic", "หัวข้อ").replace("Rest", "พัก")
            if path.stem == "page-03":
                next(e for e in po if "guide" in e.msgid).msgstr = "[guide](https://evil.example/)"
            po.save(str(path))
        result = run(["build", "-f", "html", "-j", jobs], root)
        assert result.code == 0, result.output
        files = {
            str(p.relative_to(root / "build")): p.read_bytes()
            for p in sorted((root / "build").rglob("*.html"))
        }
        summary = [line for line in result.out.splitlines() if line.startswith("check ")]
        built[jobs] = (files, summary, result.err)
    one, two = built["1"], built["2"]
    assert len(one[0]) == 12 * 3 + 1  # en, th, vi and the index
    assert two[0] == one[0]
    assert two[1] == one[1]
    assert [line.split(":")[0] for line in one[1]] == ["check th", "check vi"]
    assert two[2] == one[2]  # the same warnings, in the same order
    assert "page-03.po" in one[2] and "translation not used" in one[2]  # the spoilt link
