"""Helpers of the hardening and fuzzing tests (test_hardening.py, test_fuzz.py).

Projects built here go through the real CLI (`pipeline.cli.main`), in this process or as
`python -m pipeline` subprocesses, exactly as a user would run them.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import polib
from conftest import Result, make_project

from pipeline.cli import main
from pipeline.po import catalog

REPO = Path(__file__).resolve().parents[1]
TEMP_FILE = re.compile(r"\A\..+\.[A-Za-z0-9_]{8}\.tmp\Z")  # what files.write_atomic leaves
EPOCH = "1767225600"  # 2026-01-01: every run of a test makes the same bytes

PAGE = """\
---
title: Systemic sclerosis
description: What it is and how it is treated.
---

# Systemic sclerosis

It affects 50–300 people per million; women 4:1 more often than men.

See [the guide](https://example.org/guide) for more.

Use the [reference link][ref] here.

- Skin thickening
- Raynaud's phenomenon

> Ask your doctor before you stop a medicine.

Another plain sentence.

[ref]: https://example.org/ref
[other]: https://evil.example/ref
"""

TH_PO = "locales/th/LC_MESSAGES/page.po"


def cli(args: list[str], project: Path | None = None) -> Result:
    """Run `l10n [-C project] args...` in this process, capturing its output (for
    fixtures that cannot use the `run` fixture of conftest)."""
    out, err = io.StringIO(), io.StringIO()
    argv = (["-C", str(project)] if project is not None else []) + list(args)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        else:
            raise AssertionError("pipeline.cli.main returned instead of exiting")
    return Result(code, out.getvalue(), err.getvalue())


def ok(result: Result) -> Result:
    assert result.code == 0, result.output
    assert "Traceback" not in result.output
    return result


def thai(msgid: str) -> str:
    """A translation that keeps every number and link of its English."""
    return f"แปล {msgid}"


def translate(path: Path, fraction: float = 1.0, make=thai) -> None:
    """Fill a share of a catalog's entries, as a translator would, and save it."""
    po = catalog.load(path)
    entries = [e for e in po if not e.obsolete]
    for entry in entries[: round(len(entries) * fraction)]:
        entry.msgstr = make(entry.msgid)
        if entry.msgid_plural:
            entry.msgstr_plural = {i: make(entry.msgid_plural) for i in entry.msgstr_plural}
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save(path, po)


def page_project(root: Path, page: str = PAGE, locales: tuple[str, ...] = ("th",)) -> Path:
    """A project with one page (`source/page.md`), extracted, its catalogs initialised
    and fully translated."""
    make_project(
        root,
        pages={"page.md": page},
        pyproject="locales = [" + ", ".join(f'"{x}"' for x in locales) + "]",
    )
    ok(cli(["extract"], root))
    ok(cli(["init", *locales], root))
    for locale in locales:
        translate(root / "locales" / locale / "LC_MESSAGES" / "page.po")
    return root


def catalog_bytes(root: Path) -> dict[str, bytes]:
    """Every .po and .pot of a project, by path relative to the project."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "locales").rglob("*"))
        if p.suffix in (".po", ".pot") and p.is_file()
    }


def tree_bytes(folder: Path, root: Path | None = None) -> dict[str, bytes]:
    """Every file under a folder, by path relative to `root`: all but the lock file."""
    base = root or folder
    if not folder.exists():
        return {}
    return {
        p.relative_to(base).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".l10n.lock"
    }


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if TEMP_FILE.match(p.name)]


def line_of(data: bytes, needle: bytes) -> int:
    """The 1-based line of the first occurrence of `needle`."""
    return data[: data.index(needle)].count(b"\n") + 1


def one_line_error(result: Result) -> str:
    """The single `error: ...` line of a failed run (exit 2), nothing else on stderr."""
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), result.err
    return lines[0]


def template_for(po: polib.POFile) -> polib.POFile:
    """A template holding the active messages of a catalog, untranslated."""
    pot = polib.POFile(wrapwidth=catalog.WRAP)
    pot.metadata = {
        "Project-Id-Version": "test",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    seen = set()
    for entry in po:
        key = (entry.msgctxt, entry.msgid)
        if entry.obsolete or not entry.msgid or key in seen:
            continue
        seen.add(key)
        pot.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgctxt=entry.msgctxt,
                msgid_plural=entry.msgid_plural,
                msgstr="",
                msgstr_plural={i: "" for i in entry.msgstr_plural} if entry.msgid_plural else {},
                flags=[f for f in entry.flags if f != "fuzzy"],
                occurrences=list(entry.occurrences),
                comment=entry.comment,
            )
        )
    return pot


# Subprocesses ------------------------------------------------------------------------


MARKER = "L10N_HARDENING_RUN"


def env(marker: str = "") -> dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=str(REPO),
        SOURCE_DATE_EPOCH=EPOCH,
        PYTHONDONTWRITEBYTECODE="1",
        **{MARKER: marker or uuid.uuid4().hex},
    )


def spawn(args: list[str], root: Path, marker: str = "") -> subprocess.Popen:
    """`python -m pipeline -C root args...` in its own session (process group), so that
    everything it starts can be found (and cleaned up) afterwards; every process it starts
    inherits `marker` in its environment, even those that leave the session (Chromium)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "-C", str(root), *args],
        cwd=REPO,
        env=env(marker),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def marked(marker: str) -> list[int]:
    """The live processes whose environment carries `marker`: those a spawn started."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def reap_marked(marker: str, wait: float) -> list[int]:
    """Wait up to `wait` seconds for the processes carrying `marker` to end; kill and
    return those that do not (started by this test, so ours to end)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        left = marked(marker)
        if not left:
            return []
        time.sleep(0.1)
    left = marked(marker)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def finish(proc: subprocess.Popen, timeout: float = 300) -> Result:
    out, err = proc.communicate(timeout=timeout)
    return Result(proc.returncode, out, err)


def run_sub(args: list[str], root: Path, timeout: float = 300) -> Result:
    return finish(spawn(args, root), timeout)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_group(pgid: int, wait: float) -> bool:
    """Wait up to `wait` seconds for every process of a group to go; True if they did.
    Whatever is left is then killed (these are processes this test started)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return True
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    return False


@contextlib.contextmanager
def cleanup(*procs: subprocess.Popen) -> Iterator[None]:
    """Never leave a started process (or its children) behind, whatever the test does."""
    try:
        yield
    finally:
        for proc in procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
            reap_group(proc.pid, 0)
