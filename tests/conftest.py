"""Shared fixtures: temporary l10n projects, running the CLI, GNU gettext checks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import pipeline
from pipeline.cli import main

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
if not CORPUS.is_dir():  # a checkout beside ../shared, or the one in /work
    CORPUS = Path("/work/shared/corpus")


# Commands the tests start run in their own process and leave none behind (the tests of
# the resident process switch it on for themselves).
os.environ["L10N_RESIDENT"] = "0"

HAVE_GETTEXT = all(shutil.which(tool) for tool in ("msgfmt", "msgcat", "msgmerge"))
needs_gettext = pytest.mark.skipif(not HAVE_GETTEXT, reason="GNU gettext is not installed")
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is missing")

# A page that exercises every kind of block; the line numbers in SAMPLE_LINES are the
# lines of this text (front matter included) that the references must name.
SAMPLE_PAGE = """\
---
title: Sample Page
description: A short
  description.
---

# Main Title

First paragraph with **bold** and a [link](https://example.org/a).
It continues on a second line.

<!-- i18n: Keep the number 4:1 exactly. -->
## Main Harms

- Item one
- Item two
    - Nested item
- Item three

1. First numbered
2. Second numbered

| Head A | Head B |
| ------ | ------ |
| Cell 1 | Cell 2 |

> A quoted sentence.

![Alt text for image](img.png)

    indented code block

```
fenced code block
```

<div class="note">
Raw HTML stays.
</div>

<!-- i18n: skip -->
This paragraph stays English.

Repeated sentence.

Last paragraph.

Repeated sentence.
"""

SAMPLE_LINES = {
    "Sample Page": 2,
    "A short description.": 3,
    "Main Title": 7,
    "First paragraph with **bold** and a [link](https://example.org/a). "
    "It continues on a second line.": 9,
    "Main Harms": 13,
    "Item one": 15,
    "Item two": 16,
    "Nested item": 17,
    "Item three": 18,
    "First numbered": 20,
    "Second numbered": 21,
    "Head A": 23,
    "Head B": 23,
    "Cell 1": 25,
    "Cell 2": 25,
    "A quoted sentence.": 27,
    "![Alt text for image](img.png)": 29,
    "Raw HTML stays.": 38,
    "Last paragraph.": 46,
}
SAMPLE_REPEATED = ("Repeated sentence.", (44, 48))
SAMPLE_RAW_HTML_LINE = 37

INNER_PAGE = "# Nested Page\n\nA page in a sub-folder.\n"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def make_project(
    root: Path,
    pages: dict[str, str] | None = None,
    pyproject: str | None = None,
    locales: Iterable[str] = (),
) -> Path:
    """A project folder: source/<pages>, an empty locales/ (plus locales/<l>/LC_MESSAGES)
    and, when given, a pyproject.toml (the text of its [tool.l10n] table or a whole file).
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "source").mkdir(exist_ok=True)
    (root / "locales").mkdir(exist_ok=True)
    for name, text in (pages if pages is not None else {"sample.md": SAMPLE_PAGE}).items():
        path = root / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for code in locales:
        (root / "locales" / code / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    if pyproject is not None:
        text = pyproject if "[tool.l10n]" in pyproject else f"[tool.l10n]\n{pyproject}"
        (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def new_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """`new_project(pages=..., pyproject=..., locales=..., name=...)` -> project root.

    SOURCE_DATE_EPOCH is unset: a test that wants it sets it itself."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    count = 0

    def factory(name: str | None = None, **kwargs) -> Path:
        nonlocal count
        count += 1
        return make_project(tmp_path / (name or f"project{count}"), **kwargs)

    return factory


@pytest.fixture
def project(new_project: Callable[..., Path]) -> Path:
    """The sample page and a nested page; no catalogs yet."""
    return new_project(pages={"sample.md": SAMPLE_PAGE, "sub/inner.md": INNER_PAGE})


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """`run(argv, project)` runs `l10n -C project argv...` through `pipeline.cli.main`,
    as the console script does once a no-op build has not answered from its snapshot
    (tests/test_release.py runs the program itself), and returns its exit code and output."""

    def runner(argv: list[str], project: Path | None = None) -> Result:
        capsys.readouterr()
        args = (["-C", str(project)] if project is not None else []) + list(argv)
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        else:  # main always exits; reaching here is a bug
            raise AssertionError("pipeline.cli.main returned instead of exiting")
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return runner


@pytest.fixture
def extracted(project: Path, run: Callable[..., Result]) -> Path:
    """The sample project after `l10n extract`."""
    result = run(["extract"], project)
    assert result.code == 0, result.output
    return project


@pytest.fixture
def initialised(extracted: Path, run: Callable[..., Result]) -> Path:
    """The sample project after `l10n extract` and `l10n init th vi`."""
    result = run(["init", "th", "vi"], extracted)
    assert result.code == 0, result.output
    return extracted


# GNU gettext ---------------------------------------------------------------------------


def msgfmt_check(path: Path) -> None:
    """`msgfmt --check` accepts the file (warnings about template headers are fine)."""
    done = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, f"msgfmt --check {path}:\n{done.stderr}"


def msgcat_same(path: Path) -> None:
    """`msgcat` rewrites the file byte for byte as it is."""
    done = subprocess.run(["msgcat", "--force-po", str(path)], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == path.read_bytes(), f"msgcat reformats {path}"


def gettext_valid(paths: Iterable[Path]) -> int:
    """Both checks on every file; returns how many files were checked."""
    count = 0
    for path in paths:
        msgfmt_check(path)
        msgcat_same(path)
        count += 1
    return count


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r", "a": "\a"}


def entry_lines(path: Path, msgid: str) -> tuple[int, int]:
    """Where an active entry sits in a catalog's text: the first line of its block (its
    first comment, or msgid) and the line of its msgstr, both 1-based.  Read from the text
    itself, so that no reader's idea of an entry's line is taken on trust."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            start = None
            continue
        start = start or number
        if not line.startswith("msgid "):
            continue
        parts, at = [line[len("msgid ") :]], number
        while at < len(lines) and lines[at].startswith('"'):
            parts.append(lines[at])
            at += 1
        text = "".join(part.strip()[1:-1] for part in parts)
        text = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), text)
        if text == msgid:
            return start, next(
                n for n in range(at, len(lines) + 1) if lines[n - 1].startswith("msgstr")
            )
    raise AssertionError(f"no entry {msgid!r} in {path}")


def catalogs(root: Path) -> list[Path]:
    """Every .po and .pot under a project's locales/."""
    return sorted(p for p in (root / "locales").rglob("*") if p.suffix in (".po", ".pot"))


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and modification time of every file under a folder (lock file aside)."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".l10n.lock"
    }


def age(paths: Iterable[Path], seconds: int = 3600) -> None:
    """Set the modification times back, so that a rewrite would show."""
    for path in paths:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


def translations(po) -> set[str]:
    """Every non-empty msgstr / msgstr[n] of a polib catalog, header aside."""
    found = set()
    for entry in po:
        if entry.msgid == "" and not entry.msgctxt:
            continue
        if entry.msgstr:
            found.add(entry.msgstr)
        found.update(v for v in entry.msgstr_plural.values() if v)
    return found


def git(root: Path, *args: str, when: str = "2030-01-02T03:04:05+00:00") -> str:
    """Run git in `root` as a fixed author at a fixed date (no user settings read)."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    env |= {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@x", "GIT_CONFIG_GLOBAL": "/dev/null"}
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def copy_repo(dest: Path) -> Path:
    """The repository's own pages, catalogs and settings, in a folder of their own."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("source", "locales"):
        shutil.copytree(REPO / name, dest / name)
    # The version, kept in pipeline/__init__.py here, written out as a content project has it.
    settings = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    settings = settings.replace('dynamic = ["version"]', f'version = "{pipeline.__version__}"')
    (dest / "pyproject.toml").write_text(settings, encoding="utf-8")
    stat = (REPO / "pyproject.toml").stat()  # as copy2 would: an old file, not a fresh one
    os.utime(dest / "pyproject.toml", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return dest


# Markers and Hypothesis profiles ---------------------------------------------------------

# Tests that obtain headless Chromium through these fixtures (tests/test_browser.py,
# tests/test_pdf.py, tests/test_pdfua.py, tests/test_serve.py) are marked `browser` and
# `slow`, and so are the tests named in BROWSER_TESTS, which print handouts through the CLI.
BROWSER_FIXTURES = frozenset({"browser", "handout_browser", "chromium"})
BROWSER_TESTS = frozenset(
    {
        "tests/test_hardening.py::test_pdf_build_killed_leaves_no_browser_and_no_half_handout",
        "tests/test_review.py::test_approve_then_status_and_release_accept_the_locale",
        # a CI matrix run here: a handout build per locale, then the release
        "tests/test_scaling.py::test_the_matrix_workflow_releases_what_one_machine_releases",
    }
)
# Other tests that take seconds each (`pytest --durations=30`): a module, or a test
# without its parameters. `pytest -m "not slow"` is the fast loop.
SLOW_TESTS = frozenset(
    {
        "tests/test_release.py",  # the CLI in a subprocess, building every locale
        "tests/test_incremental.py::test_workers_give_what_one_process_gives",
        "tests/test_incremental.py::test_cli_check_from_the_cache_prints_what_a_fresh_run_prints",
        "tests/test_incremental.py::test_parsers_without_the_patterns_a_text_cannot_use_say_the_same",
        "tests/test_hardening.py::test_build_killed_leaves_outputs_whole_and_next_build_completes",
        "tests/test_hardening.py::test_release_killed_leaves_the_old_release_or_the_new_never_half",
        "tests/test_hardening.py::test_second_run_waits_and_lock_dies_with_its_holder",
        "tests/test_hardening.py::test_status_reads_whole_catalogs_while_update_writes",
        "tests/test_hardening.py::test_two_builds_at_once",
        "tests/test_hardening.py::test_two_updates_at_once",
        "tests/test_hardening.py::test_update_killed_leaves_each_catalog_before_or_after",
        "tests/test_review.py::test_a_bad_ledger_line_is_named",
        "tests/test_review.py::test_concurrent_approvals_are_all_recorded",
        "tests/test_update.py::test_update_in_workers_with_a_broken_catalog_changes_nothing",
        "tests/test_update.py::test_update_in_workers_writes_what_one_process_writes",
    }
)

settings.register_profile(
    "ci",  # the same examples on every run, nothing read from or written to a database
    derandomize=True,
    max_examples=100,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(  # new random examples on every run; failures replayed
    "dev", max_examples=100, print_blob=True, deadline=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        test = item.nodeid.split("[", 1)[0]
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) or test in BROWSER_TESTS:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif test in SLOW_TESTS or test.split("::", 1)[0] in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


# Handouts ------------------------------------------------------------------------------


def browser_or_skip() -> str:
    """The browser that prints handouts, or skip (fail when CI requires it) with the reason.

    Printing needs Chromium and poppler-utils; without them the tests are skipped, unless
    L10N_REQUIRE_BROWSER=1 (CI sets it), in which case they fail."""
    from pipeline.errors import L10nError
    from pipeline.site import browser as browser_lookup

    reason = None
    try:
        browser = browser_lookup.find_browser()
    except L10nError as exc:
        reason = str(exc)
    missing = [t for t in ("pdfinfo", "pdffonts", "pdftotext") if not shutil.which(t)]
    if missing and reason is None:
        reason = f"poppler-utils missing ({', '.join(missing)}): apt-get install poppler-utils"
    if reason is None:
        return browser
    if os.environ.get("L10N_REQUIRE_BROWSER") == "1":
        pytest.fail(f"L10N_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"PDF tests need Chromium and poppler: {reason}")


@pytest.fixture(scope="session")
def handout_browser() -> str:
    return browser_or_skip()


@pytest.fixture(scope="session")
def repository_handouts(handout_browser: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of the repository's pages in every locale, HTML and PDF, for every test
    module that reads the handouts (read them; do not change them)."""
    from pipeline.site import browser as browser_lookup

    root = copy_repo(tmp_path_factory.mktemp("handouts") / "project")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        mp.setenv(browser_lookup.BROWSER_ENV, handout_browser)
        with pytest.raises(SystemExit) as exit_info:
            main(["-C", str(root), "build", "-f", "pdf", "-q"])
    assert exit_info.value.code == 0, f"l10n build exited {exit_info.value.code}"
    return root
