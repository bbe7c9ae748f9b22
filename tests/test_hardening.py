"""Hardening (issue 8): bad catalogs, bad sources, bad arguments, hostile translations,
interrupted and concurrent runs, and no tracebacks.

Every case asserts the exit code, the message (with `path:line` where there is one), that
no traceback is printed, and the catalogs' bytes before and after.  The kill and
concurrency tests run `python -m pipeline` as subprocesses and send real signals.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import polib
import pytest
from conftest import CORPUS, make_project, needs_corpus, needs_gettext, translations
from hardening_support import (
    PAGE,
    TH_PO,
    catalog_bytes,
    cleanup,
    cli,
    finish,
    line_of,
    ok,
    one_line_error,
    page_project,
    reap_group,
    reap_marked,
    run_sub,
    spawn,
    temp_files,
    template_for,
    thai,
    translate,
    tree_bytes,
)

from pipeline import segments
from pipeline.files import project_lock
from pipeline.po import catalog

BUILD = ["build", "-f", "html", "-j", "1", "--force"]
COMMANDS = {"update": ["update"], "status": ["status"], "build": BUILD}


# 1. Bad catalogs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def th_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One translated project shared by the bad-catalog cases (each restores it)."""
    root = page_project(tmp_path_factory.mktemp("catalogs") / "project")
    ok(cli(BUILD, root))  # fonts and assets once, so that each case builds quickly
    return root


def _undecodable_line(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    raise AssertionError("expected bytes that are not UTF-8")


def bad_catalog(name: str, good: bytes) -> tuple[bytes, int, str]:
    """(the broken catalog, the line the error must name, what the message must say)."""
    msgid = b'msgid "Another plain sentence."'
    at = line_of(good, msgid)
    translated = thai("Another plain sentence.").encode()
    if name == "unterminated string":
        return good.replace(msgid, msgid[:-1]), at, "unterminated string"
    if name == "invalid escape":
        return (
            good.replace(msgid, b'msgid "Another \\q sentence."'),
            at,
            "invalid escape sequence \\q",
        )
    if name == "duplicate msgid":
        data = good + b'\nmsgid "Another plain sentence."\nmsgstr "x"\n'
        first = catalog.parse(good.decode(), "x").find("Another plain sentence.").linenum
        assert first <= at  # the line where that entry starts: its comments, or msgid
        return (
            data,
            good.count(b"\n") + 2,
            f"duplicate message 'Another plain sentence.' (first defined at line {first})",
        )
    if name == "latin-1 header, UTF-8 bytes":
        data = good.replace(b"charset=UTF-8", b"charset=ISO-8859-1")
        first = next(n for n, ln in enumerate(good.split(b"\n"), 1) if max(ln, default=0) > 127)
        return data, first, "the header declares charset ISO-8859-1 but the file is UTF-8"
    if name == "UTF-8 header, latin-1 bytes":
        data = good.replace(translated, "Une phrase de plus, café.".encode("latin-1"))
        return data, line_of(good, translated), "invalid UTF-8 byte 0xe9"
    if name == "binary garbage":
        return bytes(range(256)) * 16, 1, "not a text catalog (NUL byte)"
    if name == "binary garbage without NUL":
        data = random.Random(8).randbytes(4096).replace(b"\0", b"")
        return data, _undecodable_line(data), "invalid UTF-8 byte"
    if name == "empty file":
        return b"", 1, "empty catalog"
    if name == "blank file":
        return b"\n \n\n", 1, "empty catalog"
    raise AssertionError(name)


BAD_CATALOGS = [
    "unterminated string",
    "invalid escape",
    "duplicate msgid",
    "latin-1 header, UTF-8 bytes",
    "UTF-8 header, latin-1 bytes",
    "binary garbage",
    "binary garbage without NUL",
    "empty file",
    "blank file",
]


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", BAD_CATALOGS)
def test_bad_catalog_is_one_line_error_and_stays_as_it_was(
    th_project: Path, run, case: str, command: str
) -> None:
    path = th_project / TH_PO
    good = path.read_bytes()
    data, line, says = bad_catalog(case, good)
    try:
        path.write_bytes(data)
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
        before = catalog_bytes(th_project)
        result = run(COMMANDS[command], th_project)
        message = one_line_error(result)
        assert message.startswith(f"error: {TH_PO}:{line}: "), message
        assert says in message, message
        assert catalog_bytes(th_project) == before  # nothing written, not even the others
        assert path.stat().st_mtime_ns == 1_000_000_000  # the bad file is not touched
    finally:
        path.write_bytes(good)


def _bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


ACCEPTED = {"UTF-8 BOM": _bom, "CRLF line endings": _crlf, "BOM and CRLF": lambda d: _bom(_crlf(d))}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_bom_and_crlf_are_accepted_and_written_back_canonical(
    th_project: Path, run, case: str
) -> None:
    path = th_project / TH_PO
    good = path.read_bytes()
    assert good == catalog.dumps(catalog.load(path)).encode()  # good is canonical already
    variant = ACCEPTED[case](good)
    expected = ok(run(["status", "--json"], th_project)).out
    try:
        path.write_bytes(variant)
        assert ok(run(["status", "--json"], th_project)).out == expected
        assert path.read_bytes() == variant  # readers accept it and do not touch it
        ok(run(BUILD, th_project))
        assert path.read_bytes() == variant
        html = (th_project / "build/th/page.html").read_text(encoding="utf-8")
        assert thai("Another plain sentence.") in html
        result = ok(run(["update"], th_project))  # update writes it back: UTF-8, LF
        assert f"updated {TH_PO}" in result.out
        assert path.read_bytes() == good
        assert b"\r" not in good and not good.startswith(b"\xef\xbb\xbf")
        ok(run(["update"], th_project))
        assert path.read_bytes() == good  # and then leaves it alone
    finally:
        path.write_bytes(good)


# The corpus: catalogs from gettext's, polib's and Babel's test suites.


def _corpus_project(root: Path, source: Path) -> Path:
    """`source` as the `de` catalog of domain `dom`, with a template of its own messages."""
    make_project(root, pages={}, pyproject='locales = ["de"]')
    encoding = "latin-1" if ".latin" in source.name else "utf-8"
    try:
        parsed = polib.pofile(str(source), encoding=encoding)
    except (OSError, ValueError):  # polib cannot read it either: any template will do
        parsed = polib.POFile()
        parsed.append(polib.POEntry(msgid="2", msgstr=""))
    pot = template_for(parsed)
    (root / "locales" / "dom.pot").write_text(catalog.dumps(pot), encoding="utf-8")
    dest = root / "locales/de/LC_MESSAGES/dom.po"
    dest.parent.mkdir(parents=True)
    shutil.copyfile(source, dest)
    return dest


def _their_translations(source: Path) -> set[str]:
    encoding = "latin-1" if ".latin" in source.name else "utf-8"
    return translations(polib.pofile(source.read_text(encoding=encoding).removeprefix("\ufeff")))


def _corpus(kind: str) -> list[Path]:
    return sorted((CORPUS / "po" / kind).glob("*.po")) if CORPUS.is_dir() else []


def _msgfmt_ok(path: Path) -> bool:
    done = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True)
    return done.returncode == 0


@needs_corpus
@pytest.mark.parametrize("source", _corpus("bad"), ids=lambda p: p.name)
def test_corpus_bad_catalogs(tmp_path: Path, run, source: Path) -> None:
    """Errors, named by line; or, where gettext's own tools accept the file (a BOM, plural
    translations without a Plural-Forms header, which only msgfmt refuses), accepted."""
    dest = _corpus_project(tmp_path / "p", source)
    before = dest.read_bytes()
    result = run(["update"], tmp_path / "p")
    accepted = {"polib-test_ufeff.po", "polib-test_msgctxt-plural-without-header.po"}
    if source.name not in accepted:
        message = one_line_error(result)
        expected = {"gettext-msgmerge-2-duplicate.po": 1, "polib-test_syntax_error1.po": 5}
        assert message.startswith(
            f"error: locales/de/LC_MESSAGES/dom.po:{expected[source.name]}: "
        ), message
        assert dest.read_bytes() == before
        assert one_line_error(run(["status"], tmp_path / "p")) == message
        assert dest.read_bytes() == before
        return
    ok(result)
    after = dest.read_bytes()
    assert not after.startswith(b"\xef\xbb\xbf") and b"\r" not in after
    assert _their_translations(source) <= translations(catalog.load(dest))
    ok(run(["update"], tmp_path / "p"))
    assert dest.read_bytes() == after


@needs_corpus
@needs_gettext
@pytest.mark.parametrize("source", _corpus("edge"), ids=lambda p: p.name)
def test_corpus_edge_catalogs_are_merged_without_loss_or_fail_cleanly(
    tmp_path: Path, run, source: Path
) -> None:
    dest = _corpus_project(tmp_path / "p", source)
    valid_before = _msgfmt_ok(dest)
    result = run(["update"], tmp_path / "p")
    ok(result)  # a header is optional, as in gettext: none is refused
    after = dest.read_bytes()
    text = after.decode("utf-8")  # whatever the charset it came in, UTF-8 goes out
    declared = bool(catalog.load(source).metadata)  # a header may be absent, or empty
    assert ("charset=UTF-8" in text) == declared and "\r" not in text
    assert _their_translations(source) <= translations(catalog.load(dest))
    if valid_before:
        assert _msgfmt_ok(dest)
    ok(run(["update"], tmp_path / "p"))
    assert dest.read_bytes() == after  # a second update changes nothing
    ok(run(["status"], tmp_path / "p"))


# 2. Bad sources ---------------------------------------------------------------------------


@pytest.fixture
def src_project(tmp_path: Path) -> Path:
    return page_project(tmp_path / "project")


def _refused(run, root: Path, expected: str, commands=(["extract"], BUILD)) -> None:
    """Each command stops with exactly `expected`, and no catalog or template changes."""
    before = catalog_bytes(root)
    for command in commands:
        message = one_line_error(run(command, root))
        assert message == f"error: {expected}", message
        assert catalog_bytes(root) == before


def test_non_utf8_page(src_project: Path, run) -> None:
    (src_project / "source/other.md").write_bytes(b"# Title\n\nCaf\xe9 au lait.\n")
    _refused(run, src_project, "source/other.md:3: not valid UTF-8; save the page as UTF-8")


def test_nul_byte_in_page(src_project: Path, run) -> None:
    (src_project / "source/other.md").write_bytes(b"# Title\n\nA\x00B\n")
    _refused(run, src_project, "source/other.md:3: NUL byte in a Markdown page")


def test_empty_page_is_an_empty_template_and_an_empty_page(src_project: Path, run) -> None:
    (src_project / "source/empty.md").write_bytes(b"")
    result = ok(run(["extract"], src_project))
    assert "wrote locales/empty.pot (0 messages)" in result.out
    pot = catalog.load(src_project / "locales/empty.pot")
    assert [e for e in pot if e.msgid] == []
    ok(run(["update"], src_project))
    assert (src_project / "locales/th/LC_MESSAGES/empty.po").exists()
    ok(run(["status"], src_project))
    ok(run(BUILD, src_project))
    html = (src_project / "build/th/empty.html").read_text(encoding="utf-8")
    assert html.count("<main") == 1


def _big_page(size: int) -> bytes:
    block = (
        "## Section\n\nSystemic sclerosis affects 50–300 people per million. "
        "See [the guide](https://example.org/guide).\n\n- one item\n- another item\n\n"
    )
    data = block.encode()
    return data * (size // len(data) + 1)


def test_20_mb_page_is_refused_at_once_naming_the_limit_and_setting(src_project: Path, run) -> None:
    big = src_project / "source/big.md"
    big.write_bytes(_big_page(20_000_000))
    size = big.stat().st_size
    expected = (
        f"source/big.md: {size} bytes is above the page size limit of 10000000 "
        "bytes; raise [tool.l10n] max-page-size in pyproject.toml to allow it"
    )
    _refused(run, src_project, expected)  # refused from its size, before it is read


def test_page_size_limit_is_configurable(src_project: Path, run) -> None:
    (src_project / "pyproject.toml").write_text(
        '[tool.l10n]\nlocales = ["th"]\nmax-page-size = 2000\n', encoding="utf-8"
    )
    page = src_project / "source/page.md"
    assert page.stat().st_size < 2000
    ok(run(["extract"], src_project))
    (src_project / "source/long.md").write_bytes(_big_page(5000))
    size = (src_project / "source/long.md").stat().st_size
    _refused(
        run,
        src_project,
        f"source/long.md: {size} bytes is above the page size limit "
        "of 2000 bytes; raise [tool.l10n] max-page-size in pyproject.toml to allow it",
    )


def _nested_list(depth: int) -> str:
    return "".join("    " * i + f"- level {i + 1}\n" for i in range(depth))


def _nested_quote(depth: int) -> str:
    return "".join(">" * i + f" level {i}\n\n" for i in range(1, depth + 1))


NESTED = {
    "list": _nested_list,
    "block quote": _nested_quote,
    "one-line quote": lambda n: "> " * n + "deep\n",
    "quoted lists": lambda n: "".join("> " * i + "- item\n" for i in range(1, n + 1)),
}


@pytest.mark.parametrize("kind", list(NESTED))
@pytest.mark.parametrize("depth", [200, 1000])
def test_deep_nesting_is_refused_cleanly(src_project: Path, run, kind: str, depth: int) -> None:
    text = NESTED[kind](depth)
    (src_project / "source/deep.md").write_text(text, encoding="utf-8")
    first = next(
        n
        for n, line in enumerate(text.split("\n"), 1)
        if segments._nesting(line) > segments.MAX_NESTING
    )
    before = catalog_bytes(src_project)
    for command in (["extract"], BUILD):
        message = one_line_error(run(command, src_project))
        assert re.fullmatch(
            rf"error: source/deep\.md:{first}: lists and block quotes nested \d+ levels "
            rf"deep; at most {segments.MAX_NESTING} levels are supported",
            message,
        ), message
        assert catalog_bytes(src_project) == before


def test_a_page_failing_in_a_worker_leaves_no_page_of_the_run_behind(new_project, run) -> None:
    """Pages are built a page (all its locales) a task over the workers; when one page
    fails, the pages other tasks staged are removed, none is put in place."""
    pages = {f"p{n:02d}.md": f"# Page {n}\n\nText {n} of the site.\n" for n in range(12)}
    root = new_project(pages=pages, pyproject='locales = ["th", "vi"]')
    for command in (["extract"], ["init", "th", "vi"]):
        ok(run(command, root))
    (root / "source/p07.md").write_text(_nested_list(segments.MAX_NESTING + 5), encoding="utf-8")
    message = one_line_error(run(["build", "-f", "html", "-j", "2"], root))
    assert message.startswith("error: source/p07.md:"), message
    left = (
        [p for p in (root / "build").rglob("*") if p.is_file()] if (root / "build").exists() else []
    )
    assert not [p for p in left if p.suffix in (".html", ".tmp")], left


def test_a_run_that_fails_while_taking_pages_leaves_no_page_staged(
    new_project, run, monkeypatch
) -> None:
    """The run's own process fails while the workers still build (here: on the fifth page
    it takes): the pages they staged, taken or not, are removed with the rest."""
    from pipeline.site import build as site_build

    pages = {f"p{n:02d}.md": f"# Page {n}\n\nText {n} of the site.\n" for n in range(12)}
    root = new_project(pages=pages, pyproject='locales = ["th", "vi"]')
    for command in (["extract"], ["init", "th", "vi"]):
        ok(run(command, root))
    learn = site_build.IndexCache.learn
    taken = []

    def failing(self, counts):  # noqa: ANN001, ANN202
        taken.append(counts)
        if len(taken) == 5:
            raise OSError(28, "No space left on device")
        return learn(self, counts)

    monkeypatch.setattr(site_build.IndexCache, "learn", failing)
    result = run(["build", "-f", "html", "-j", "2"], root)
    assert result.code != 0 and "No space left on device" in result.err
    left = [p for p in (root / "build").rglob("*") if p.is_file()]
    assert not [p for p in left if p.suffix in (".html", ".tmp")], left


@pytest.mark.parametrize("kind", list(NESTED))
def test_nesting_within_the_limit_is_processed(src_project: Path, run, kind: str) -> None:
    (src_project / "source/deep.md").write_text(NESTED[kind](60), encoding="utf-8")
    ok(run(["extract"], src_project))
    assert [e for e in catalog.load(src_project / "locales/deep.pot") if e.msgid]
    ok(run(["update"], src_project))
    ok(run(BUILD, src_project))


def test_recursion_limit_is_a_plain_error_too(src_project: Path, run, monkeypatch) -> None:
    """Whatever makes the parser recurse too deep (not only nesting, which the guard
    catches first), the command fails with one plain line and changes no catalog."""
    import markdown

    convert = markdown.Markdown.convert

    def too_deep(self, source: str) -> str:
        if "- level 1" in source:  # only the new page
            raise RecursionError("maximum recursion depth exceeded")
        return convert(self, source)

    ok(run(["extract"], src_project))
    (src_project / "source/deep.md").write_text(_nested_list(5), encoding="utf-8")
    monkeypatch.setattr(markdown.Markdown, "convert", too_deep)
    _refused(
        run,
        src_project,
        "source/deep.md: nested too deeply to parse; flatten its lists and block quotes",
        commands=(["extract"],),
    )


def test_symlink_out_of_the_project_is_refused(src_project: Path, tmp_path: Path, run) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nNot for this project.\n", encoding="utf-8")
    (src_project / "source/evil.md").symlink_to(outside / "secret.md")
    target = (outside / "secret.md").resolve()
    _refused(
        run,
        src_project,
        f"source/evil.md: links to {target}, outside the project; "
        "copy the page into source/ instead",
    )
    assert not (src_project / "locales/evil.pot").exists()
    (src_project / "source/evil.md").unlink()
    (src_project / "source/folder").symlink_to(outside, target_is_directory=True)
    _refused(
        run,
        src_project,
        f"source/folder: links to {outside.resolve()}, outside the "
        "project; copy its pages into source/ instead",
    )
    assert not (src_project / "locales/folder").exists()


def test_symlink_inside_the_project_is_followed(src_project: Path, run) -> None:
    (src_project / "notes").mkdir()
    (src_project / "notes/kept.md").write_text(
        "# Kept\n\nA page kept elsewhere.\n", encoding="utf-8"
    )
    (src_project / "source/kept.md").symlink_to(src_project / "notes/kept.md")
    ok(run(["extract"], src_project))
    assert "A page kept elsewhere." in (src_project / "locales/kept.pot").read_text(
        encoding="utf-8"
    )


# 3. Bad arguments -------------------------------------------------------------------------

BAD_CODES = ["../x", "th/../../etc", "", "xx-INVALID-!!", "th\n", "/etc", "th/.."]
EXPECTED_CODE = "expected a locale code such as th, vi, km or zh_Hans"


@pytest.mark.parametrize("command", ["init", "update", "status", "build", "check"])
@pytest.mark.parametrize("code", BAD_CODES)
def test_invalid_locale_codes(
    src_project: Path, tmp_path: Path, run, command: str, code: str
) -> None:
    argv = (
        ["init", code]
        if command == "init"
        else (BUILD if command == "build" else [command]) + ["-l", code]
    )
    before = tree_bytes(tmp_path)
    message = one_line_error(run(argv, src_project))
    assert message == f"error: invalid locale code {code!r}: {EXPECTED_CODE}"
    assert tree_bytes(tmp_path) == before  # nothing written, inside or outside
    assert not (tmp_path / "etc").exists() and not (src_project / "x").exists()


@pytest.mark.parametrize("command", ["update", "status", "build", "check"])
def test_unknown_locales(src_project: Path, run, command: str) -> None:
    argv = (BUILD if command == "build" else [command]) + ["-l"]
    before = catalog_bytes(src_project)
    assert (
        one_line_error(run([*argv, "zz"], src_project))
        == f"error: unknown locale code 'zz': {EXPECTED_CODE}"
    )
    assert one_line_error(run([*argv, "km"], src_project)) == (
        "error: locale 'km' is not configured in this project (known: th); add it to "
        "[tool.l10n] locales in pyproject.toml and run 'l10n init km'"
    )
    assert catalog_bytes(src_project) == before


def test_unknown_locale_without_configured_locales(tmp_path: Path, run) -> None:
    root = page_project(tmp_path / "p")
    (root / "pyproject.toml").unlink()  # locales are then the folders under locales/
    assert one_line_error(run(["update", "-l", "km"], root)) == (
        "error: locale 'km' is not configured in this project (known: th); "
        "add it with 'l10n init km'"
    )
    assert one_line_error(run(["update", "-l", "en"], root)) == (
        "error: locale 'en' is not configured in this project (known: th); "
        "it is the source locale, which has no catalogs"
    )


def test_project_option_that_is_not_a_project(tmp_path: Path, run) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    cases = {
        empty: f"error: {empty}: not an l10n project (expected a source/ or locales/ folder in it)",
        tmp_path / "nowhere": f"error: {tmp_path / 'nowhere'}: no such folder; "
        "-C/--project expects a project folder",
        tmp_path / "file.txt": f"error: {tmp_path / 'file.txt'}: not a folder; "
        "-C/--project expects a project folder",
    }
    for folder, expected in cases.items():
        for command in (["update"], ["status"], ["extract"], BUILD, ["init", "th"]):
            assert one_line_error(run(command, folder)) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "file.txt"]
    assert list(empty.iterdir()) == []


# 4. Hostile translations ------------------------------------------------------------------

GUIDE = "See [the guide](https://example.org/guide) for more."
REF = "Use the [reference link][ref] here."
PLAIN = "Another plain sentence."
DESCRIPTION = "What it is and how it is treated."
ENGLISH_TARGETS = {"https://example.org/guide", "https://example.org/ref"}
# What stands in for a refused translation: (element, text a reader sees, link targets).
SHOWN_IN_ENGLISH = {
    PLAIN: ("p", "Another plain sentence.", []),
    GUIDE: ("p", "See the guide for more.", ["https://example.org/guide"]),
    REF: ("p", "Use the reference link here.", ["https://example.org/ref"]),
    DESCRIPTION: ("meta", "What it is and how it is treated.", []),
}


def _shown_in_english(html: str, english: str) -> None:
    """The English stands in for the refused translation: the same element, its text and
    link targets, marked English (the description, a meta element, has no language)."""
    tag, shown, targets = SHOWN_IN_ENGLISH[english]
    doc = lxml.html.document_fromstring(html)
    if tag == "meta":
        assert doc.xpath('//head/meta[@name="description"]/@content') == [shown]
        return
    found = [el for el in doc.xpath("//main//*") if " ".join(el.text_content().split()) == shown]
    assert [(el.tag, el.get("lang")) for el in found] == [(tag, "en")], shown
    assert found[0].xpath(".//a/@href") == targets


HOSTILE = {
    "img onerror": (PLAIN, "ประโยค <img src=x onerror=alert(1)>"),
    "script tag": (PLAIN, "ประโยค <script>alert(1)</script>"),
    "iframe": (PLAIN, 'ประโยค <iframe src="https://evil.example/"></iframe>'),
    "style element": (PLAIN, "<style>body{display:none}</style>ประโยค"),
    "style attribute": (
        PLAIN,
        '<span style="position:fixed;top:0;background:'
        'url(https://evil.example/x.png)">ประโยค</span>',
    ),
    "html comment": (PLAIN, "ประโยค <!-- hidden -->"),
    "mixed-case javascript link": (GUIDE, "ดู [คู่มือ](JaVaScRiPt:alert(1)) เพิ่มเติม"),
    "entity-encoded javascript link": (GUIDE, "ดู [คู่มือ](&#106;avascript:alert(1))"),
    "tab-split javascript link": (GUIDE, "ดู [คู่มือ](java&#9;script:alert(1))"),
    "data url": (GUIDE, "ดู [คู่มือ](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    "javascript autolink": (PLAIN, "ประโยค <javascript:alert(1)>"),
    "swapped link target": (GUIDE, "ดู [คู่มือ](https://evil.example/guide) เพิ่มเติม"),
    "autolink to a foreign domain": (PLAIN, "ประโยค <https://evil.example/x>"),
    "email autolink": (PLAIN, "ประโยค <evil@evil.example>"),
    "reference link to a foreign domain": (REF, "ใช้ [ลิงก์][other] ที่นี่"),
    "reference definition in the translation": (
        PLAIN,
        "[ref]: https://evil.example/\n[ประโยค][ref]",
    ),
    "tracking image": (PLAIN, "ประโยค ![x](https://evil.example/pixel.png)"),
    "markdown placeholder injection": (PLAIN, "ประโยค \x02wzxhzdk:0\x03"),
    "script in the description": (DESCRIPTION, "<script>alert(1)</script>"),
}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = page_project(tmp_path_factory.mktemp("hostile") / "project")
    ok(cli(BUILD, root))
    return root


def _no_markup_from(html: str) -> None:
    """No script, frame, style, handler or foreign link anywhere in the page."""
    page = _markup(html)
    for tag, attrs in page.tags:
        assert tag not in ("iframe", "object", "embed", "frame"), tag
        if tag == "script":  # the template's own, from the assets: never inline
            assert (attrs.get("src") or ":").startswith("../assets/"), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", (tag, attrs)
            if name in ("href", "src", "action", "formaction"):
                assert ":" not in (value or "").split("/")[0] or value in ENGLISH_TARGETS, value
    main = _markup(html[html.index("<main") : html.index("</main>")])
    assert not {"style", "script"} & {tag for tag, _ in main.tags}
    assert html.count("<script") == html.count('<script src="../assets/')
    assert "evil.example" not in html
    assert "\x02" not in html and "wzxhzdk" not in html


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_translation_reaches_no_output_and_check_reports_it(
    hostile_project: Path, run, case: str
) -> None:
    english, translation = HOSTILE[case]
    path = hostile_project / TH_PO
    good = path.read_bytes()
    try:
        po = catalog.load(path)
        entry = po.find(english)
        entry.msgstr = translation
        catalog.save(path, po)
        line = catalog.load(path).find(english).linenum
        before = path.read_bytes()
        result = ok(run(BUILD, hostile_project))
        assert re.search(
            rf"^{TH_PO}:{line}: warning: translation not used \(.+\); "
            r"English shown$",
            result.err,
            re.M,
        ), result.err
        html = (hostile_project / "build/th/page.html").read_text(encoding="utf-8")
        _no_markup_from(html)
        _shown_in_english(html, english)
        check = run(["check", "-l", "th"], hostile_project)
        assert check.code == 1, check.output
        assert "Traceback" not in check.output
        found = re.findall(rf"^{TH_PO}:(\d+): \[(unsafe-html|links)\] (.+)$", check.out, re.M)
        assert found, check.output
        assert any(line <= int(n) <= line + 4 for n, _, _ in found), (line, found)
        assert path.read_bytes() == before  # neither build nor check touches the catalog
    finally:
        path.write_bytes(good)


ENTITIES = {  # character references that decode to markup: text, never a tag
    "named": ("ประโยค &lt;script&gt;alert(1)&lt;/script&gt;", "ประโยค <script>alert(1)</script>"),
    "decimal": (
        "ประโยค &#60;img src=x onerror=alert(1)&#62;",
        "ประโยค <img src=x onerror=alert(1)>",
    ),
    "hex": (
        "ประโยค &#x3C;iframe src=https://evil.example&#x3E;",
        "ประโยค <iframe src=https://evil.example>",
    ),
    "double-encoded": ("ประโยค &amp;lt;script&amp;gt;", "ประโยค &lt;script&gt;"),
}


@pytest.mark.parametrize("case", list(ENTITIES))
def test_entities_that_decode_to_markup_show_as_text(hostile_project: Path, run, case: str) -> None:
    """Entities that spell a tag reach the page only as text: the reader sees the
    characters, the browser never sees a tag; `check` reports them as an error all the
    same, since whatever decodes the text once more would run them."""
    translation, shown = ENTITIES[case]
    path = hostile_project / TH_PO
    good = path.read_bytes()
    try:
        po = catalog.load(path)
        po.find(PLAIN).msgstr = translation
        catalog.save(path, po)
        before = path.read_bytes()
        result = ok(run(BUILD, hostile_project))
        assert "warning" not in result.err
        html = (hostile_project / "build/th/page.html").read_text(encoding="utf-8")
        main = html[html.index("<main") : html.index("</main>")]
        parsed = _markup(main)
        assert not {"script", "img", "iframe"} & {tag for tag, _ in parsed.tags}
        assert shown in "".join(parsed.text)  # what a reader sees
        assert "<script" not in main and "<img" not in main and "<iframe" not in main
        check = run(["check", "-l", "th"], hostile_project)
        assert check.code == 1 and "Traceback" not in check.output
        assert re.search(rf"^{TH_PO}:\d+: \[unsafe-html\] entities spell a <", check.out, re.M)
        assert path.read_bytes() == before
    finally:
        path.write_bytes(good)


# 5. Interrupted runs ----------------------------------------------------------------------

LOCALES = ("th", "vi", "id", "ms", "fil", "km", "my", "lo")
PAGES = 8


def _long_page(number: int, revision: int) -> str:
    parts = [f"---\ntitle: Page {number}\n---\n\n# Page {number}\n"]
    for i in range(40):
        word = "changed" if revision and i % 3 == 0 else "original"
        parts.append(
            f"Paragraph {i} of page {number} in its {word} wording, with "
            f"[a link](https://example.org/{number}/{i}) and 4:1 as a ratio.\n"
        )
    return "\n".join(parts)


@pytest.fixture(scope="module")
def busy_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Many pages and eight locales, half translated, whose English has just changed:
    `update` has work to do on every catalog and takes a moment."""
    root = tmp_path_factory.mktemp("busy") / "project"
    pages = {f"page{n:02}.md": _long_page(n, 0) for n in range(PAGES)}
    make_project(
        root, pages=pages, pyproject="locales = [" + ", ".join(f'"{x}"' for x in LOCALES) + "]"
    )
    ok(cli(["extract"], root))
    ok(cli(["init", *LOCALES], root))
    for po in sorted((root / "locales").rglob("*.po")):
        translate(po, 0.5)
    for n in range(PAGES):
        (root / "source" / f"page{n:02}.md").write_text(_long_page(n, 1), encoding="utf-8")
    ok(cli(["extract"], root))
    return root


def _copy(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, symlinks=True)
    return dest


def _poll_kill(
    proc: subprocess.Popen,
    root: Path,
    before: dict[str, bytes],
    delay: float | None,
    changed: int | None,
) -> None:
    """SIGKILL `proc` after `delay` seconds, or as soon as `changed` catalogs differ."""
    if delay is not None:
        time.sleep(delay)
    else:
        deadline = time.monotonic() + 120
        paths = [root / p for p in before]
        while time.monotonic() < deadline and proc.poll() is None:
            done = 0
            for path in paths:
                try:
                    if path.read_bytes() != before[path.relative_to(root).as_posix()]:
                        done += 1
                except FileNotFoundError:
                    pass
            if done >= changed:
                break
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)  # the CLI process itself, as `kill -9` does


@pytest.fixture(scope="module")
def busy_after(
    busy_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, bytes], float]:
    """The catalogs after a clean `update`, and how long it took."""
    root = _copy(busy_project, tmp_path_factory.mktemp("busy-after") / "project")
    started = time.monotonic()
    ok(run_sub(["update"], root))
    return catalog_bytes(root), time.monotonic() - started


# Kill points: a share of a clean run's time (update reads and merges everything first,
# so these fall before any write), and as soon as N catalogs have been rewritten.
KILLS = [("after", 0.25), ("after", 0.6), ("written", 1), ("written", 30)]


@pytest.mark.parametrize(("when", "at"), KILLS, ids=[f"{w}-{a}" for w, a in KILLS])
def test_update_killed_leaves_each_catalog_before_or_after(
    busy_project: Path, busy_after, tmp_path: Path, when: str, at: float
) -> None:
    after, seconds = busy_after
    root = _copy(busy_project, tmp_path / "project")
    before = catalog_bytes(root)
    assert any(before[p] != after[p] for p in before)
    proc = spawn(["update"], root)
    with cleanup(proc):
        _poll_kill(
            proc,
            root,
            before,
            at * seconds if when == "after" else None,
            int(at) if when == "written" else None,
        )
        proc.communicate(timeout=60)
        assert reap_group(proc.pid, 30), "processes of the killed run were left running"
    now = catalog_bytes(root)
    assert set(now) == set(before)
    for path, data in now.items():
        assert data in (before[path], after[path]), f"{path} is half-written"
    done = sum(now[p] == after[p] != before[p] for p in now)
    if when == "written" and proc.returncode == -signal.SIGKILL:  # killed while writing
        # (staged catalogs are put in place by renames alone: the kill may come after
        # the last one)
        assert at <= done <= sum(after[p] != before[p] for p in now)
    leftovers = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".l10n.lock"
    }
    expected = set(tree_bytes(busy_project, busy_project))
    for name in leftovers - expected:
        assert re.match(r"\A\..+\.tmp\Z", Path(name).name), name  # only temporary files
    result = run_sub(["update"], root)  # the next run completes correctly
    assert result.code == 0 and "Traceback" not in result.output, result.output
    assert catalog_bytes(root) == after
    assert temp_files(root) == []
    ok(cli(["status"], root))


def test_next_run_removes_temporary_files_of_a_killed_one(src_project: Path, run) -> None:
    stale = [
        src_project / "locales/th/LC_MESSAGES/.page.po.ab12_xyz.tmp",
        src_project / "locales/.page.pot.q1w2e3r4.tmp",
        src_project / "build/th/.page.html.zz_9yy88.tmp",
    ]
    kept = [src_project / "locales/th/LC_MESSAGES/notes.tmp", src_project / "build/.keep"]
    for path in stale + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a catal")
    before = catalog_bytes(src_project)
    ok(run(["update"], src_project))
    assert [p for p in stale if p.exists()] == []
    assert all(p.exists() for p in kept)
    assert catalog_bytes(src_project) == before


def test_status_reads_whole_catalogs_while_update_writes(
    busy_project: Path, busy_after, tmp_path: Path
) -> None:
    """Readers take no lock: the renames give them each catalog before or after, whole."""
    after, _seconds = busy_after
    root = _copy(busy_project, tmp_path / "project")
    proc = spawn(["update"], root)
    reads = 0
    with cleanup(proc):
        while proc.poll() is None or reads == 0:
            ok(cli(["status", "--json"], root))
            reads += 1
        result = finish(proc)
    assert result.code == 0, result.output
    assert catalog_bytes(root) == after


@pytest.fixture(scope="module")
def build_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("build") / "project"
    pages = {f"page{n:02}.md": _long_page(n, 0) for n in range(6)}
    make_project(root, pages=pages, pyproject='locales = ["th", "vi", "km", "my"]')
    ok(cli(["extract"], root))
    ok(cli(["init", "th", "vi", "km", "my"], root))
    for po in sorted((root / "locales").rglob("*.po")):
        translate(po, 0.7)
    return root


@pytest.fixture(scope="module")
def build_after(
    build_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, bytes], float]:
    root = _copy(build_project, tmp_path_factory.mktemp("build-after") / "project")
    started = time.monotonic()
    ok(run_sub(["build", "-f", "html"], root))
    return tree_bytes(root / "build", root), time.monotonic() - started


@pytest.mark.parametrize("at", [0.2, 0.5, 0.8])
def test_build_killed_leaves_outputs_whole_and_next_build_completes(
    build_project: Path, build_after, tmp_path: Path, at: float
) -> None:
    after, seconds = build_after
    root = _copy(build_project, tmp_path / "project")
    catalogs_before = catalog_bytes(root)
    proc = spawn(["build", "-f", "html"], root)
    with cleanup(proc):
        _poll_kill(proc, root, {}, at * seconds, None)
        proc.communicate(timeout=60)
        assert reap_group(proc.pid, 30), "worker processes outlived the killed build"
    assert catalog_bytes(root) == catalogs_before
    for path, data in tree_bytes(root / "build", root).items():
        if re.match(r"\A\..+\.tmp\Z", Path(path).name):
            continue
        assert path in after, path
        assert data == after[path], f"{path} is half-written"
    result = run_sub(["build", "-f", "html"], root)
    assert result.code == 0 and "Traceback" not in result.output, result.output
    assert tree_bytes(root / "build", root) == after  # the same bytes as a clean build
    assert temp_files(root) == []


@pytest.fixture(scope="module")
def pdf_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = page_project(tmp_path_factory.mktemp("pdf") / "project", locales=("th", "vi"))
    (root / "source/second.md").write_text(PAGE, encoding="utf-8")
    ok(cli(["extract"], root))
    ok(cli(["update"], root))
    return root


@pytest.mark.skipif(
    not shutil.which("chromium") and not os.environ.get("L10N_BROWSER"),
    reason="no browser to print PDF handouts",
)
@pytest.mark.parametrize("at", [0.4, 0.8])
def test_pdf_build_killed_leaves_no_browser_and_no_half_handout(
    pdf_project: Path, tmp_path: Path, at: float
) -> None:
    clean = _copy(pdf_project, tmp_path / "clean")
    started = time.monotonic()
    ok(run_sub(["build"], clean))
    seconds = time.monotonic() - started
    after = tree_bytes(clean / "build", clean)
    assert any(name.endswith(".pdf") for name in after)
    root = _copy(pdf_project, tmp_path / "project")
    before = catalog_bytes(root)
    marker = uuid.uuid4().hex
    proc = spawn(["build"], root, marker)
    with cleanup(proc):
        time.sleep(at * seconds)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert reap_marked(marker, 30) == [], "the killed build left processes running"
    assert catalog_bytes(root) == before
    for path, data in tree_bytes(root / "build", root).items():
        name = Path(path).name
        if re.match(r"\A\..+\.tmp\Z", name):
            continue
        if name == ".l10n-state.json":  # saved after the pages and again after the PDFs
            assert all((root / key).exists() for key in json.loads(data)), path
        elif name == "index.html":  # likewise: whole, with or without the handouts
            assert data.endswith(b"</html>\n"), path
        elif name == ".l10n-index.json":  # the index's cache, kept with each index written
            assert isinstance(json.loads(data), dict), path
        else:
            assert data == after.get(path), f"{path} is half-written"
    result = run_sub(["build"], root)
    assert result.code == 0 and "Traceback" not in result.output, result.output
    assert tree_bytes(root / "build", root) == after
    assert temp_files(root) == []


def _release_complete(folder: Path) -> bool:
    """A release folder is whole: SHA256SUMS lists every other file, with its checksum."""
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        return False
    listed = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    if present - {"SHA256SUMS"} != set(listed):
        return False
    return all(
        hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
        for name, digest in listed.items()
    )


@pytest.fixture(scope="module")
def release_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight fully translated locales, released once (version 1.0.0)."""
    root = tmp_path_factory.mktemp("release") / "project"
    pages = {f"page{n:02}.md": _long_page(n, 0) for n in range(4)}
    make_project(
        root, pages=pages, pyproject="locales = [" + ", ".join(f'"{x}"' for x in LOCALES) + "]"
    )
    ok(cli(["extract"], root))
    ok(cli(["init", *LOCALES], root))
    for po in sorted((root / "locales").rglob("*.po")):
        translate(po, make=str)  # the English itself counts as translated
    ok(run_sub(["release", "--version", "1.0.0"], root))
    assert _release_complete(root / "build/release/l10n-1.0.0")
    return root


@pytest.mark.parametrize("moment", ["writing", 0.3, 0.7])
def test_release_killed_leaves_the_old_release_or_the_new_never_half(
    release_project: Path, tmp_path: Path, moment
) -> None:
    clean = _copy(release_project, tmp_path / "clean")
    started = time.monotonic()
    ok(run_sub(["release", "--version", "1.0.0"], clean))
    seconds = time.monotonic() - started
    expected = tree_bytes(clean / "build/release", clean)
    root = _copy(release_project, tmp_path / "project")
    folder = root / "build/release/l10n-1.0.0"
    old = tree_bytes(folder, root)
    before = catalog_bytes(root)
    (folder / "SHA256SUMS").unlink()  # this run rewrites it: its return shows the writing
    os.utime(folder / "manifest.json", (0, 0))
    proc = spawn(["release", "--version", "1.0.0"], root)
    with cleanup(proc):
        if moment == "writing":  # as soon as the old release is touched
            deadline = time.monotonic() + 300
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    if (folder / "manifest.json").stat().st_mtime > 0:
                        break
                except FileNotFoundError:  # being deleted, or written anew
                    break
        else:
            time.sleep(moment * seconds)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert reap_group(proc.pid, 30)
    assert catalog_bytes(root) == before
    if folder.exists():  # the old release (whose SUMS this test removed), or the new one
        now = tree_bytes(folder, root)
        same_as_old = now == {k: v for k, v in old.items() if not k.endswith("SHA256SUMS")}
        assert same_as_old or (now == expected and _release_complete(folder)), (
            f"half a release: {sorted(now)}"
        )
    result = run_sub(["release", "--version", "1.0.0"], root)
    assert result.code == 0 and "Traceback" not in result.output, result.output
    assert tree_bytes(root / "build/release", root) == expected
    assert _release_complete(folder)


# 6. Concurrent runs -----------------------------------------------------------------------


def test_two_updates_at_once(busy_project: Path, busy_after, tmp_path: Path) -> None:
    after, _seconds = busy_after
    root = _copy(busy_project, tmp_path / "project")
    first, second = spawn(["update"], root), spawn(["update"], root)
    with cleanup(first, second):
        results = [finish(first), finish(second)]
    for result in results:
        assert result.code == 0 and "Traceback" not in result.output, result.output
    assert catalog_bytes(root) == after
    for path in catalog_bytes(root):
        catalog.load(root / path)
    # One of them did the work; the other, after waiting, found nothing left to do.
    assert sorted(r.out.splitlines()[-1].split()[0] != "0" for r in results) == [False, True]


def test_two_builds_at_once(build_project: Path, build_after, tmp_path: Path) -> None:
    after, _seconds = build_after
    root = _copy(build_project, tmp_path / "project")
    first, second = spawn(["build", "-f", "html"], root), spawn(["build", "-f", "html"], root)
    with cleanup(first, second):
        results = [finish(first), finish(second)]
    for result in results:
        assert result.code == 0 and "Traceback" not in result.output, result.output
    assert tree_bytes(root / "build", root) == after


HOLDER = textwrap.dedent("""\
    import sys, time
    from pathlib import Path
    from pipeline.files import project_lock
    with project_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(600)
""")


@pytest.mark.parametrize("command", [["update"], ["build", "-f", "html", "-j", "1"]])
def test_second_run_waits_and_lock_dies_with_its_holder(tmp_path: Path, command) -> None:
    root = page_project(tmp_path / "project")
    (root / "locales/th/LC_MESSAGES/ui.po").unlink()  # something for update to do
    clean = _copy(root, tmp_path / "clean")
    ok(run_sub(command, clean))
    expected = catalog_bytes(clean), tree_bytes(clean / "build", clean)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root)],
        cwd=root.parent,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1])),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    with cleanup(holder):
        assert holder.stdout.readline().strip() == "locked"
        waiting = spawn(command, root)
        with cleanup(waiting):
            time.sleep(3)
            assert waiting.poll() is None, finish(waiting).output  # it waits for the lock
            assert not (root / "build").exists()
            os.kill(holder.pid, signal.SIGKILL)  # the holder dies without unlocking
            holder.wait(timeout=30)
            result = finish(waiting, timeout=300)
    assert result.code == 0, result.output
    assert "waiting for another l10n run on this project to finish" in result.err
    assert "Traceback" not in result.output
    assert (catalog_bytes(root), tree_bytes(root / "build", root)) == expected


# 7. No tracebacks -------------------------------------------------------------------------


def test_internal_error_is_one_line_and_debug_shows_the_traceback(
    src_project: Path, run, monkeypatch
) -> None:
    import pipeline.update

    def broken(*_args, **_kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(pipeline.update, "update", broken)
    before = catalog_bytes(src_project)
    result = run(["update"], src_project)
    assert result.code == 3
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(
        "internal error: RuntimeError: simulated failure -- please report it to "
    )
    assert "--debug" in lines[0] and "Traceback" not in result.err
    debug = run(["--debug", "update"], src_project)
    assert debug.code == 3
    assert "Traceback (most recent call last)" in debug.err
    assert ", in broken\n" in debug.err and "RuntimeError: simulated failure\n" in debug.err
    assert debug.err.splitlines()[-1] == lines[0]
    assert catalog_bytes(src_project) == before


def test_internal_error_in_the_middle_of_a_build(src_project: Path, run, monkeypatch) -> None:
    import pipeline.site.render

    def broken(*_args, **_kwargs):
        raise KeyError("lost")

    monkeypatch.setattr(pipeline.site.render, "vet", broken)
    result = run(BUILD, src_project)
    assert result.code == 3
    assert result.err.startswith("internal error: KeyError: 'lost' -- please report it")
    assert "Traceback" not in result.output


def test_permission_and_disk_errors_are_plain_messages(src_project: Path, run, monkeypatch) -> None:
    import pipeline.files

    target = src_project / TH_PO
    for number, reason in (
        (errno.EACCES, "Permission denied"),
        (errno.ENOSPC, "No space left on device"),
    ):

        def refuse(path, *_args, number=number, reason=reason, **_kwargs):
            raise OSError(number, reason, str(path))

        monkeypatch.setattr(pipeline.files, "stage", refuse)  # every staged write
        before = catalog_bytes(src_project)
        message = one_line_error(run(["update"], src_project))
        assert message.startswith(f"error: {src_project / 'locales'}"), message
        assert f": {reason}; check the folder's permissions and free space" in message
        assert catalog_bytes(src_project) == before
    assert target.exists()


@pytest.mark.parametrize("count", [3, 300])  # put in place by the run, or by threads
def test_a_failed_rename_leaves_no_temporary_file(tmp_path: Path, count: int) -> None:
    import pipeline.files

    targets = [tmp_path / f"page-{n:03d}.po" for n in range(count)]
    for target in targets:
        target.write_text("old\n")
    blocked = targets[count // 2]
    blocked.unlink()
    (blocked / "inside").mkdir(parents=True)  # a folder cannot be replaced by a file
    with pytest.raises(OSError), pipeline.files.Staging() as staging:
        for target in targets:
            staging.add(target, b"new\n")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert (blocked / "inside").is_dir()
    assert {t.read_text() for t in targets if t != blocked} <= {"old\n", "new\n"}


def test_keyboard_interrupt_is_one_line(src_project: Path, run, monkeypatch) -> None:
    import pipeline.status

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.status, "collect", interrupted)
    result = run(["status"], src_project)
    assert result.code == 130 and result.out == ""
    # One word, whether Click turns the interrupt into its Abort first or not.
    assert [line for line in result.err.splitlines() if line.strip()] in (
        ["aborted"],
        ["interrupted"],
    ), result.err


def test_failing_command_releases_the_lock(src_project: Path, run) -> None:
    """A failing command releases the lock: the next one does not wait."""
    (src_project / TH_PO).write_bytes(b"")
    one_line_error(run(["update"], src_project))
    (src_project / TH_PO).unlink()
    with project_lock(src_project):  # would block (and print) if still held
        pass
    ok(run(["update"], src_project))
