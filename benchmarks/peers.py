#!/usr/bin/env python3
"""Benchmark `l10n` against its peers on the same generated corpus.

    python benchmarks/peers.py [--pages 200] [--quick]

Generates a project of PAGES Markdown pages x ~40 unique segments in a temporary folder,
extracts and initialises 8 locales, fills every msgstr with a reversible
pseudo-translation, then times, each step in a fresh process (benchmarks/runner.py):
extract, the HTML build of all locales, a no-op rebuild, the PDF build (on a subset of
pages), release, then an edit (one word changed in 10% of the segments, 5% removed, 5%
added) and the update that follows.  In the same run, on the same content, the peers do
the same steps where they have them: Sphinx + myst-parser + sphinx-intl, Translate
Toolkit (md2po, pot2po, po2md), mdpo, po4a and GNU msgmerge --previous.  Each Python peer
lives in its own virtual environment under build/bench-venvs/ (made on the first run).

Prints a table and writes docs/benchmarks.md.  Not part of the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENVS = ROOT / "build" / "bench-venvs"
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "build" / "bench-results.json"
LOCALES = corpus.LOCALES
PEERS = {
    "sphinx": ["sphinx", "myst-parser", "sphinx-intl"],
    "translate": ["translate-toolkit[markdown]", "rapidfuzz"],
    "mdpo": ["mdpo"],
}
PEER_DISTS = {
    "sphinx": ["sphinx", "myst-parser", "sphinx-intl", "babel"],
    "translate": ["translate-toolkit", "rapidfuzz", "mistletoe"],
    "mdpo": ["mdpo", "pymd4c"],
}
NPROC = os.cpu_count() or 1


def plural(n: int, word: str = "locale") -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    seconds: float | None = None
    maxrss_mb: float | None = None
    own_mb: float | None = None
    browser_mb: float | None = None
    ok: bool = True
    note: str = ""
    times: list[float] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    cpu: float | None = None
    load: tuple[float, float] | None = None
    estimate: float | None = None
    cpu_estimate: float | None = None
    locales: int | None = None  # how many locales a per-locale step covered

    @property
    def own(self) -> float | None:
        return self.own_mb if self.own_mb is not None else self.maxrss_mb


class Bench:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.results: dict[str, Result] = {}
        self.notes: list[str] = []

    def run(
        self,
        name: str,
        commands: list[dict],
        timeout: float = 600,
        ok_codes: tuple[int, ...] = (0,),
        stop_on_error: bool = True,
        locales: int | None = None,
        repeat: int = 1,
        prepare: Callable[[], None] | None = None,
    ) -> Result:
        """Run `commands` one after another in a fresh runner process; with `repeat`,
        that many times, keeping the median run (for short steps, which one busy moment
        of a shared machine would otherwise decide).  `prepare` (untimed) runs before
        each run: it puts back the state the step starts from."""
        if repeat > 1:
            runs = sorted(
                (
                    self.run(
                        name, commands, timeout, ok_codes, stop_on_error, locales, prepare=prepare
                    )
                    for _ in range(repeat)
                ),
                key=lambda r: r.seconds if r.seconds is not None else float("inf"),
            )
            result = runs[len(runs) // 2]
            result.note = (
                result.note
                + f" median of {repeat} runs: "
                + ", ".join(f"{r.seconds:.2f}" for r in runs if r.seconds is not None)
                + " s"
            ).strip()
            self.results[name] = result
            log(f"  {name}: median {result.seconds:.2f} s of {repeat} runs")
            return result
        if prepare is not None:
            prepare()
        logfile = self.logfile(name)
        spec = logfile.with_suffix(".spec.json")
        out = logfile.with_suffix(".result.json")
        spec.write_text(
            json.dumps(
                {
                    "commands": commands,
                    "timeout": timeout,
                    "log": str(logfile),
                    "stop_on_error": stop_on_error,
                }
            )
        )
        subprocess.run([sys.executable, str(HERE / "runner.py"), str(spec), str(out)], check=True)
        data = json.loads(out.read_text())
        browser = data["browser_mb"]
        own = data["sampled_own_mb"] if browser else max(data["maxrss_mb"], data["sampled_own_mb"])
        result = Result(
            name,
            data["seconds"],
            data["maxrss_mb"],
            own,
            browser,
            times=data["times"],
            codes=data["codes"],
            cpu=max(data["user"] + data["system"], data["sampled_cpu"]),
            load=tuple(data["load"]),
            locales=locales,
        )
        bad = [c for c in data["codes"] if c not in ok_codes]
        if data["timed_out"]:
            result.ok = False
            result.note = f"stopped after the {timeout:.0f} s bound"
            done = data["times"][:-1]
            if done and len(commands) > 1:
                result.estimate = sum(done) / len(done) * len(commands)
                if result.cpu and result.seconds:
                    result.cpu_estimate = result.cpu * result.estimate / result.seconds
                result.note += (
                    f"; {len(done)} of {len(commands)} commands done, "
                    f"{result.estimate:.0f} s estimated for all"
                )
        elif bad:
            result.ok = False
            tail = logfile.read_text(errors="replace").strip().splitlines()[-3:]
            result.note = f"exit {bad[0]}: " + " / ".join(t.strip()[:160] for t in tail)
        if len(data["codes"]) < len(commands) and not data["timed_out"] and stop_on_error:
            result.note += f" (stopped after {len(data['codes'])} of {len(commands)} commands)"
        self.results[name] = result
        shown = f"{result.seconds:.2f} s" if result.seconds is not None else "-"
        mem = f", cpu {result.cpu:.2f} s, load {result.load[0]:.1f}"
        mem += f", peak {result.own:.0f} MB" if result.own else ""
        if result.browser_mb:
            mem += f", browser {result.browser_mb:.0f} MB"
        log(f"  {name}: {shown}{mem}{'' if result.ok else ' FAILED ' + result.note}")
        return result

    def logfile(self, name: str) -> Path:
        return self.logs / (re.sub(r"[^\w-]+", "_", name) + ".log")

    def skip(self, name: str, note: str) -> Result:
        result = Result(name, ok=False, note=note)
        self.results[name] = result
        log(f"  {name}: skipped ({note})")
        return result


NOOP_REPEAT = 5
CHECK_REPEAT = 3
EDIT_REPEAT = 5
# The cold build as typed, a few seconds: one slow moment of the shared host would decide
# a single run (Sphinx's five minutes average such moments out).
COLD_REPEAT = 3
HTML_COLD = "ours: HTML build as typed (l10n build -f html), 9 locales, cold: empty user cache"
_SAVED = "ours: edit loop: one catalog saved, then l10n build -f html"
EDIT_LOOP_OWN = f"{_SAVED}, in a process of its own"
EDIT_LOOP = f"{_SAVED}, resident process"
NOOP_SERVED = "ours: no-op HTML build, resident process"
BARE_TWICE = "bare Playwright, two scripts at once"
EXTRACT_REPEAT = 3  # extraction takes about a second: the median of three, on both sides
UPDATE_REPEAT = 3  # the update targets too: one busy moment must not decide them


def stamps(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def noop(bench: Bench, name: str, command: dict, folder: Path) -> None:
    """A no-op rebuild, as typed (the median of NOOP_REPEAT runs), then once more; notes
    how many files of `folder` it wrote or touched (it should touch none)."""
    for label, repeat in ((name, NOOP_REPEAT), (f"{name} (again)", 1)):
        before = stamps(folder)
        result = bench.run(label, [command], repeat=repeat)
        after = stamps(folder)
        wrote = sum(1 for path, mtime in after.items() if before.get(path) != mtime)
        result.note = (result.note + f" wrote {wrote} files").strip()


def cmd(argv: list[str | Path], cwd: Path | None = None, **extra) -> dict:
    spec = {"argv": [str(a) for a in argv]}
    if cwd is not None:
        spec["cwd"] = str(cwd)
    spec.update(extra)
    return spec


# --- tools and versions -------------------------------------------------------------------


def venv_bin(peer: str, tool: str) -> Path:
    return VENVS / peer / "bin" / tool


def ensure_venvs(notes: list[str]) -> dict[str, bool]:
    """Each Python peer in its own virtual environment (mdpo and Translate Toolkit both
    install `md2po`/`po2md`)."""
    ready = {}
    for peer, packages in PEERS.items():
        marker = VENVS / peer / ".bench-ready"
        if not marker.exists():
            log(f"creating build/bench-venvs/{peer} ({', '.join(packages)})")
            try:
                subprocess.run(
                    [sys.executable, "-m", "venv", "--clear", str(VENVS / peer)], check=True
                )
                subprocess.run(
                    [
                        str(venv_bin(peer, "python")),
                        "-m",
                        "pip",
                        "install",
                        "-q",
                        "--disable-pip-version-check",
                        *packages,
                    ],
                    check=True,
                )
                marker.write_text(" ".join(packages) + "\n")
            except subprocess.CalledProcessError as exc:
                notes.append(f"{peer}: could not install {packages}: {exc}; its steps skipped")
                ready[peer] = False
                continue
        ready[peer] = True
    return ready


def ensure_po4a(notes: list[str]) -> bool:
    if shutil.which("po4a"):
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        notes.append(
            "po4a is not installed and this is not root: po4a skipped "
            "(install it with `apt-get install po4a`)"
        )
        return False
    log("installing po4a with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "po4a"], env=env, check=False)
    if done.returncode != 0 or not shutil.which("po4a"):
        notes.append("po4a could not be installed with apt-get: po4a skipped")
        return False
    return True


def first_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "?"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0].strip() if text else "?"


def dist_versions(peer: str) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "v = {}\n"
        "for d in sys.argv[1:]:\n"
        "    try: v[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(v))"
    )
    python = venv_bin(peer or "l10n", "python")
    python = python if python.exists() else Path(sys.executable)
    dists = PEER_DISTS.get(peer, ["l10n", "polib", "markdown", "playwright", "babel"])
    try:
        out = subprocess.run(
            [str(python), "-c", code, *dists], capture_output=True, text=True, timeout=60
        )
        return json.loads(out.stdout)
    except (OSError, ValueError, subprocess.SubprocessError):
        return {}


def browser_path() -> str | None:
    """The browser `l10n build` would pick (`find_browser`); both sides use it."""
    sys.path.insert(0, str(ROOT))
    from pipeline.errors import L10nError
    from pipeline.site.browser import find_browser

    try:
        return find_browser()
    except L10nError:
        return None


def machine() -> dict[str, str]:
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(NPROC),
        "memory": mem,
        "cpu": cpu,
        "os": first_line(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "python": platform.python_version(),
    }


# --- the corpus on disk -------------------------------------------------------------------


def l10n_argv(notes: list[str]) -> list[str]:
    """Our command installed as a user installs it and the peers are: `pip install .`
    into a virtual environment of its own (byte-compiled by pip, no editable-install
    hook), run by its own script.  The run then measures a copy, whatever happens to
    the working tree meanwhile."""
    venv = VENVS / "l10n"
    log("installing l10n into build/bench-venvs/l10n (pip install .)")
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                str(ROOT),
            ],
            check=True,
        )
    except subprocess.CalledProcessError as exc:
        notes.append(
            f"ours: `pip install .` into a virtual environment failed ({exc}); "
            "run from the working tree instead"
        )
        return [sys.executable, "-m", "pipeline"]
    argv = [str(venv / "bin" / "l10n")]
    notes.append(
        "ours: installed with `pip install .` into a virtual environment of its "
        "own, like each peer, and run as `l10n`"
    )
    return argv


SPHINX_CONF = """\
project = "bench"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
locale_dirs = ["locale/"]
gettext_compact = False
exclude_patterns = ["_build", "locale"]
html_theme = "alabaster"
"""


def write_pages(pages: list[corpus.Page], folders: list[Path]) -> None:
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        for page in pages:
            text = page.markdown()
            path = folder / f"{page.name}.md"
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")


def sphinx_index(pages: list[corpus.Page]) -> str:
    names = "\n".join(p.name for p in pages)
    return f"# Patient pages\n\n```{{toctree}}\n:maxdepth: 1\n\n{names}\n```\n"


def po4a_config(pages: list[corpus.Page], langs: list[str] | None) -> str:
    lines = []
    if langs:
        lines.append("[po4a_langs] " + " ".join(langs))
        lines.append("[po4a_paths] po/$master.pot $lang:po/$lang/$master.po")
    else:
        lines.append("[po4a_paths] po/$master.pot")
    lines.append("[options] -M UTF-8 -L UTF-8 -k 0 -o markdown")
    for page in pages:
        target = f" $lang:out/$lang/{page.name}.md" if langs else ""
        lines.append(f"[type: text] src/{page.name}.md{target}")
    return "\n".join(lines) + "\n"


# --- filling catalogs ---------------------------------------------------------------------


def _fill_one(job: tuple[str, str]) -> int:
    path, locale = job
    po = polib.pofile(path, wrapwidth=79)
    count = 0
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            forms = entry.msgstr_plural or {0: ""}
            entry.msgstr_plural = {
                k: corpus.pseudo(entry.msgid_plural if k else entry.msgid, locale) for k in forms
            }
        else:
            entry.msgstr = corpus.pseudo(entry.msgid, locale)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
        count += 1
    po.save(path)
    return count


def fill(catalogs: list[tuple[Path, str]]) -> int:
    """Give every message of these catalogs its pseudo-translation (not timed)."""
    jobs = [(str(p), loc) for p, loc in catalogs]
    with multiprocessing.Pool(NPROC) as pool:
        return sum(pool.map(_fill_one, jobs, chunksize=16))


# --- what an update did -------------------------------------------------------------------


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


@dataclass
class Outcome:
    catalogs: int = 0
    translated: int = 0
    fuzzy: int = 0
    fuzzy_previous: int = 0
    untranslated: int = 0
    obsolete: int = 0
    edits_found: int = 0  # one-word edits fuzzy with the exact previous msgid
    edits_total: int = 0
    added_untranslated: int = 0
    added_fuzzy: int = 0
    added_total: int = 0
    removed_obsolete: int = 0
    removed_total: int = 0
    missing_edits: list[str] = field(default_factory=list)


_EDITS: dict[str, str] = {}
_ADDED: set[str] = set()
_REMOVED: set[str] = set()


def _init_counts(edits: dict[str, str], added: set[str], removed: set[str]) -> None:
    global _EDITS, _ADDED, _REMOVED
    _EDITS, _ADDED, _REMOVED = edits, added, removed


def _count_one(path: str) -> tuple[dict[str, int], set[str]]:
    counts = dict.fromkeys(
        (
            "translated",
            "fuzzy",
            "fuzzy_previous",
            "untranslated",
            "obsolete",
            "edits_found",
            "added_untranslated",
            "added_fuzzy",
            "removed_obsolete",
        ),
        0,
    )
    found: set[str] = set()
    for entry in polib.pofile(path):
        if entry.msgid == "" and not entry.msgctxt:
            continue
        key = norm(entry.msgid)
        if entry.obsolete:
            counts["obsolete"] += 1
            counts["removed_obsolete"] += key in _REMOVED
            continue
        fuzzy = "fuzzy" in entry.flags
        if fuzzy:
            counts["fuzzy"] += 1
            counts["fuzzy_previous"] += bool(entry.previous_msgid)
        elif entry.translated():
            counts["translated"] += 1
        else:
            counts["untranslated"] += 1
        if key in _EDITS and fuzzy and norm(entry.previous_msgid) == _EDITS[key]:
            counts["edits_found"] += 1
            found.add(key)
        if key in _ADDED:
            if fuzzy:
                counts["added_fuzzy"] += 1
            elif not entry.translated():
                counts["added_untranslated"] += 1
    return counts, found


def outcome(paths: list[Path], change: corpus.Edit, per_locale: int) -> Outcome:
    """Counts over the page catalogs `paths` (`per_locale` of them for each locale)."""
    edits = {norm(new): norm(old) for old, new in change.changed}
    added = {norm(t) for t in change.added}
    removed = {norm(t) for t in change.removed}
    result = Outcome()
    found_edits: set[str] = set()
    with multiprocessing.Pool(NPROC, _init_counts, (edits, added, removed)) as pool:
        for counts, found in pool.imap_unordered(_count_one, [str(p) for p in paths], chunksize=16):
            result.catalogs += 1
            for key, value in counts.items():
                setattr(result, key, getattr(result, key) + value)
            found_edits |= found
    locales = round(result.catalogs / max(1, per_locale))
    result.edits_total = len(edits) * locales
    result.added_total = len(added) * locales
    result.removed_total = len(removed) * locales
    result.missing_edits = sorted(set(edits) - found_edits)[:3]
    return result


MEMORY_COMMENT = re.compile(r"^memory: \d{1,3}% from ", re.M)  # update's memory proposals
MEMORY_KIND = "update's translation memory proposed a translation (fuzzy); msgmerge has none"


def compare_catalogs(ours: list[Path], theirs: list[Path]) -> tuple[int, int, dict, list]:
    """How two sets of catalogs differ, by what a translator sees: (catalogs that differ,
    entries that differ, those entries by kind, examples)."""

    def view(path: Path) -> dict:
        if not path.exists():
            return {}
        po = polib.pofile(str(path))
        return {
            (e.obsolete, e.msgctxt, e.msgid): (
                e.msgstr,
                "fuzzy" in e.flags,
                e.previous_msgid if not e.obsolete else None,
                bool(MEMORY_COMMENT.search(e.tcomment or "")),
            )
            for e in po
            if e.msgid
        }

    catalogs = entries = 0
    kinds: dict[str, int] = {}
    examples: list[str] = []
    for a, b in zip(ours, theirs, strict=True):
        va, vb = view(a), view(b)
        diff = sorted(
            (k for k in set(va) | set(vb) if va.get(k) != vb.get(k)), key=lambda k: (k[0], k[2])
        )
        counted = False
        for key in diff:
            mine, other = va.get(key), vb.get(key)
            if mine is not None and mine[3] and other is not None and not other[0]:
                # update's translation memory offered this string a translation from another
                # page (fuzzy, its origin in a comment); msgmerge has no memory to offer
                kind = MEMORY_KIND
            elif mine is None or other is None:
                kind = ("obsolete" if key[0] else "entry") + (
                    " only in msgmerge's" if mine is None else " only in ours"
                )
            elif mine[1] and other[1]:
                kind = "both fuzzy, from different old entries"
            elif other[1] and not mine[0]:
                kind = "msgmerge found a fuzzy match, ours left it untranslated"
            elif mine[1] and not other[0]:
                kind = "ours found a fuzzy match, msgmerge left it untranslated"
            else:
                kind = "other"
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind != MEMORY_KIND:
                entries += 1
                counted = True
            if len(examples) < 4 and kind.startswith(("both", "msgmerge found", "ours found")):
                examples.append(
                    f"{a.name}: `{key[2][:70]}`: {kind} (previous msgid: ours "
                    f"`{((mine or ('',))[2] or '-')[:50]}`, msgmerge "
                    f"`{((other or ('',))[2] or '-')[:50]}`)"
                )
        catalogs += counted
    return catalogs, entries, kinds, examples


# --- the run ------------------------------------------------------------------------------


def count_files(folder: Path, suffix: str) -> int:
    return sum(1 for _ in folder.rglob(f"*{suffix}")) if folder.exists() else 0


MDPO_DRIVER = """\
import shutil, sys
from pathlib import Path
from mdpo.md2po import markdown_to_pofile
from mdpo.po2md import pofile_to_markdown

mode, src = sys.argv[1], Path(sys.argv[2])
pages = sorted(src.glob("*.md"))
if mode == "extract":
    out = Path(sys.argv[3]); out.mkdir(parents=True, exist_ok=True)
    for page in pages:
        markdown_to_pofile(str(page), save=True, po_filepath=str(out / (page.stem + ".pot")))
elif mode == "update":
    root = Path(sys.argv[3])
    for locale in sys.argv[4:]:
        for page in pages:
            markdown_to_pofile(str(page), save=True,
                               po_filepath=str(root / locale / (page.stem + ".po")))
elif mode == "translate":
    root, out = Path(sys.argv[3]), Path(sys.argv[4])
    for locale in sys.argv[5:]:
        (out / locale).mkdir(parents=True, exist_ok=True)
        for page in pages:
            pofile_to_markdown(str(page), str(root / locale / (page.stem + ".po")),
                               save=str(out / locale / page.name))
"""

PLAYWRIGHT_SCRIPT = """\
import sys
from pathlib import Path
from playwright.sync_api import sync_playwright

browser_path, out = sys.argv[1], Path(sys.argv[2])
pages = [Path(p) for p in sys.argv[3:]]
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=browser_path)
    tab = browser.new_page()
    for i, page in enumerate(pages):
        tab.goto(page.resolve().as_uri(), wait_until="load")
        tab.pdf(path=str(out / f"{i:05d}.pdf"), format="A4", print_background=True,
                prefer_css_page_size=True)
    browser.close()
"""


_ASIDE: list[Path] = []


def set_aside(folder: Path) -> None:
    """Take a step's earlier output out of its way without deleting it (yet).

    A file system may not reuse a freed inode at once: ext4 without a journal, as on the
    machine these figures come from, scans past every inode freed in the last minute
    for each file it creates, so files made just after thousands were deleted cost
    several times their usual price (about 0.5 ms each here).  A new user's first run
    follows no such deletion, and neither do the peers' fresh builds (each writes a new
    folder): what is set aside is deleted once every step has been timed."""
    if not folder.exists():
        return
    target = folder.parent / f".set-aside-{len(_ASIDE)}-{os.getpid()}-{folder.name}"
    folder.rename(target)
    _ASIDE.append(target)


def clear_aside() -> None:
    while _ASIDE:
        shutil.rmtree(_ASIDE.pop(), ignore_errors=True)


def run(args: argparse.Namespace) -> dict:
    notes: list[str] = []
    started = time.time()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="l10n-bench-"))
    if work.exists() and any(work.iterdir()) and args.work:
        set_aside(work)
    work.mkdir(parents=True, exist_ok=True)
    log(f"work folder: {work}")
    bench = Bench(work)
    ready = ensure_venvs(notes)
    have_po4a = ensure_po4a(notes)
    have_msgmerge = bool(shutil.which("msgmerge"))
    if not have_msgmerge:
        notes.append("GNU msgmerge not found: its update step skipped (apt-get install gettext)")
    browser = browser_path()
    l10n = l10n_argv(notes)
    base_env = {"PYTHONDONTWRITEBYTECODE": "1"}
    resident = work / "resident"
    resident.mkdir(mode=0o700)

    # ---- the corpus --------------------------------------------------------------------
    pages, writer = corpus.generate(args.pages, seed=args.seed)
    segments = sum(len(p.segments()) for p in pages)
    log(f"corpus: {len(pages)} pages, {segments} segments ({segments / len(pages):.1f} a page)")
    ours = work / "ours"
    (ours / "source").mkdir(parents=True)
    (ours / "pyproject.toml").write_text(corpus.pyproject())
    sphinx = work / "sphinx"
    po4a = work / "po4a"
    write_pages(pages, [ours / "source", sphinx, po4a / "src"])
    (sphinx / "conf.py").write_text(SPHINX_CONF)
    (sphinx / "index.md").write_text(sphinx_index(pages))
    (po4a / "extract.cfg").write_text(po4a_config(pages, None))
    few = LOCALES[: args.peer_locales]  # for the peers' steps that no target depends on
    nfew = len(few)
    p4 = LOCALES[: args.po4a_locales]
    (po4a / "po4a.cfg").write_text(po4a_config(pages, p4))
    if nfew < len(LOCALES):
        notes.append(
            f"To keep the run short (`--peer-locales`), the peer steps that no target "
            f"depends on ran on {nfew} of the 8 locales ({', '.join(few)}): pot2po's "
            "init, po2md, mdpo and sphinx-intl's update after the edit; po4a on "
            f"{len(p4)} ({', '.join(p4)}, `--po4a-locales`), each of its steps "
            f"stopped after {args.po4a_bound:.0f} s (`--po4a-bound`). A "
            "step costs the same for each locale, so the side-by-side table scales "
            "them to 8 (marked *scaled*)."
        )
    (work / "mdpo_driver.py").write_text(MDPO_DRIVER)
    (work / "pw_print.py").write_text(PLAYWRIGHT_SCRIPT)

    warm_cache, cold_cache = work / "l10n-cache", work / "l10n-cache-cold"

    def l10n_cmd(
        project: Path, *rest: str, env: dict | None = None, cache: Path = warm_cache
    ) -> dict:
        """Our command as a user types it; the user cache (`L10N_CACHE`) is the run's
        own: `warm_cache` is kept from step to step, `cold_cache` emptied before each run
        that uses it (a new user's first run)."""
        return cmd(
            [*l10n, "-C", project, *rest],
            env={**base_env, "L10N_CACHE": str(cache), **(env or {})},
        )

    # ---- extract ------------------------------------------------------------------------
    log("extract")

    def fresh(folder: Path) -> Callable[[], None]:
        return lambda: set_aside(folder)

    def empty(folder: Path) -> Callable[[], None]:
        def prepare() -> None:
            set_aside(folder)
            folder.mkdir(parents=True)

        return prepare

    def fresh_both(*folders: Path) -> Callable[[], None]:
        return lambda: [set_aside(f) for f in folders] and None

    bench.run(
        "ours: extract, cold (empty user cache)",
        [l10n_cmd(ours, "extract", cache=cold_cache)],
        repeat=EXTRACT_REPEAT,
        prepare=fresh_both(ours / "locales", cold_cache),
    )
    shutil.copytree(cold_cache, warm_cache, dirs_exist_ok=True)  # as after a first run
    bench.run(
        "ours: extract",
        [l10n_cmd(ours, "extract")],
        repeat=EXTRACT_REPEAT,
        prepare=fresh(ours / "locales"),
    )
    if ready.get("translate"):
        bench.run(
            "Translate Toolkit: md2po",
            [
                cmd(
                    [
                        venv_bin("translate", "md2po"),
                        "--progress=none",
                        "-P",
                        "-i",
                        ours / "source",
                        "-o",
                        work / "tt-pot",
                    ]
                )
            ],
            repeat=EXTRACT_REPEAT,
            prepare=fresh(work / "tt-pot"),
        )
    if ready.get("mdpo"):
        bench.run(
            "mdpo: md2po",
            [
                cmd(
                    [
                        venv_bin("mdpo", "python"),
                        work / "mdpo_driver.py",
                        "extract",
                        ours / "source",
                        work / "mdpo" / "pot",
                    ]
                )
            ],
            repeat=EXTRACT_REPEAT,
            prepare=fresh(work / "mdpo" / "pot"),
        )
    if have_po4a:
        bench.run(
            "po4a: extract",
            [cmd(["po4a", "--no-translations", "extract.cfg"], po4a)],
            timeout=args.po4a_bound,
        )
    if ready.get("sphinx"):
        bench.run(
            "Sphinx: gettext builder",
            [
                cmd(
                    [
                        venv_bin("sphinx", "sphinx-build"),
                        "-q",
                        "-b",
                        "gettext",
                        ".",
                        "_build/gettext",
                    ],
                    sphinx,
                )
            ],
        )

    # ---- init -----------------------------------------------------------------------------
    log("init 8 locales")
    bench.run("ours: init, 8 locales", [l10n_cmd(ours, "init", *LOCALES)], locales=8)
    if ready.get("sphinx"):
        bench.run(
            "sphinx-intl: update (init), 8 locales",
            [
                cmd(
                    [
                        venv_bin("sphinx", "sphinx-intl"),
                        "update",
                        "-p",
                        "_build/gettext",
                        *[x for loc in LOCALES for x in ("-l", loc)],
                    ],
                    sphinx,
                )
            ],
            locales=8,
        )
    if ready.get("translate"):
        (work / "tt-po").mkdir()
        bench.run(
            f"Translate Toolkit: pot2po (init), {plural(nfew)}",
            [
                cmd(
                    [
                        venv_bin("translate", "pot2po"),
                        "--progress=none",
                        "-i",
                        work / "tt-pot",
                        "-o",
                        work / "tt-po" / loc,
                    ]
                )
                for loc in few
            ],
            locales=nfew,
        )
    if ready.get("mdpo"):
        for loc in few:
            shutil.copytree(work / "mdpo" / "pot", work / "mdpo" / "po" / loc)
            for pot in (work / "mdpo" / "po" / loc).glob("*.pot"):
                pot.rename(pot.with_suffix(".po"))
    if have_po4a:
        bench.run(
            f"po4a: init, {plural(len(p4))}",
            [cmd(["po4a", "--no-translations", "--force", "po4a.cfg"], po4a)],
            timeout=args.po4a_bound,
            locales=len(p4),
        )

    # ---- fill every msgstr (not timed) ------------------------------------------------------
    log("filling every msgstr with the pseudo-translation (not timed)")
    catalogs: list[tuple[Path, str]] = []
    for loc in LOCALES:
        folders = [ours / "locales" / loc / "LC_MESSAGES", sphinx / "locale" / loc / "LC_MESSAGES"]
        if loc in few:
            folders += [work / "tt-po" / loc, work / "mdpo" / "po" / loc]
        if loc in p4:
            folders.append(po4a / "po" / loc)
        for folder in folders:
            catalogs += [(p, loc) for p in sorted(folder.glob("*.po"))]
    filled = fill(catalogs)
    log(f"  {filled} messages in {len(catalogs)} catalogs")

    # ---- check against pofilter ---------------------------------------------------------
    log("check: ours (cold and warm user cache) and Translate Toolkit's pofilter")
    check_ok = (0, 1)  # 1: the command ran and found errors
    bench.run(
        "ours: check, 8 locales, cold (empty user cache)",
        [l10n_cmd(ours, "check", cache=cold_cache)],
        ok_codes=check_ok,
        repeat=CHECK_REPEAT,
        prepare=fresh(cold_cache),
        locales=8,
    )
    bench.run(
        "ours: check, 8 locales, cold (empty user cache), -j 1",
        [l10n_cmd(ours, "check", "-j", "1", cache=cold_cache)],
        ok_codes=check_ok,
        prepare=fresh(cold_cache),
        locales=8,
    )
    bench.run(
        "ours: check, 8 locales, warm (nothing changed since the last check)",
        [l10n_cmd(ours, "check", cache=cold_cache)],
        ok_codes=check_ok,
        repeat=CHECK_REPEAT,
        locales=8,
    )
    if ready.get("translate"):
        pofilter_in = work / "pofilter-in"
        for loc in LOCALES:
            shutil.copytree(ours / "locales" / loc / "LC_MESSAGES", pofilter_in / loc)
        bench.run(
            "Translate Toolkit: pofilter, 8 locales",
            [
                cmd(
                    [
                        venv_bin("translate", "pofilter"),
                        "--progress=none",
                        "-i",
                        pofilter_in,
                        "-o",
                        work / "pofilter-out",
                    ]
                )
            ],
            repeat=CHECK_REPEAT,
            prepare=fresh(work / "pofilter-out"),
            locales=8,
        )

    # ---- HTML builds --------------------------------------------------------------------
    log("HTML builds")
    html_timeout = args.bound

    def clean_build(cache: Path | None = None) -> Callable[[], None]:
        def prepare() -> None:
            set_aside(ours / "build")
            if cache is not None:
                set_aside(cache)

        return prepare

    if not args.quick and NPROC > 1:
        bench.run(
            f"{HTML_COLD}, -j 1",
            [l10n_cmd(ours, "build", "-f", "html", "-j", "1", cache=cold_cache)],
            timeout=html_timeout,
            prepare=clean_build(cold_cache),
            locales=8,
        )
    bench.run(
        f"{HTML_COLD}, -q",
        [l10n_cmd(ours, "build", "-f", "html", "-q", cache=cold_cache)],
        timeout=html_timeout,
        prepare=clean_build(cold_cache),
        locales=8,
    )
    bench.run(
        HTML_COLD,
        [l10n_cmd(ours, "build", "-f", "html", cache=cold_cache)],
        timeout=html_timeout,
        repeat=COLD_REPEAT,
        prepare=clean_build(cold_cache),
        locales=8,
    )
    bench.run(
        "ours: HTML build, 9 locales, warm user cache (fonts, templates, check results kept)",
        [l10n_cmd(ours, "build", "-f", "html", cache=cold_cache)],
        timeout=html_timeout,
        prepare=clean_build(),
        locales=8,
    )
    html_files = count_files(ours / "build", ".html")
    noop(
        bench,
        "ours: no-op HTML build",
        l10n_cmd(ours, "build", "-f", "html", cache=cold_cache),
        ours / "build",
    )
    notes.append(
        f"ours: the HTML build wrote {html_files} .html files "
        f"({len(pages)} pages x 9 locales (en + 8) + index = "
        f"{len(pages) * 9 + 1} expected)"
    )

    # ---- the translator's loop: one catalog saved, then the default build ---------------
    log("edit loop: one catalog saved, then `l10n build -f html`")
    saves = iter(range(10_000))
    catalog_pages = sorted((ours / "locales" / "th" / "LC_MESSAGES").glob("page-*.po"))

    def save_one() -> None:
        """A translator saves one catalog with one translation changed."""
        path = catalog_pages[next(saves) % len(catalog_pages)]
        po = polib.pofile(str(path), wrapwidth=79)
        entry = next(e for e in po if e.msgstr and not e.obsolete)
        entry.msgstr = entry.msgstr + " " if not entry.msgstr.endswith(" ") else entry.msgstr[:-1]
        po.save(str(path))

    for label, extra in ((f"{EDIT_LOOP_OWN}, -q", ["-q"]), (EDIT_LOOP_OWN, [])):
        bench.run(
            label,
            [l10n_cmd(ours, "build", "-f", "html", *extra, cache=cold_cache)],
            repeat=EDIT_REPEAT,
            prepare=save_one,
        )
    # As typed, from the second command on: a resident process serves it.
    served = {"L10N_RESIDENT": "1", "XDG_RUNTIME_DIR": str(resident)}
    notes.append(
        "ours: every row but those marked *resident process* ran each command in a process "
        "of its own (`L10N_RESIDENT=0`), so that CPU time and memory count all its work; "
        "in those rows the command ran in a fork of the resident process that an earlier "
        "command left (what a user gets from the second command on), and the CPU and "
        "memory columns show only the calling process."
    )
    start_resident(l10n_cmd(ours, "status", "-l", "th", env=served, cache=cold_cache), resident)
    bench.run(
        EDIT_LOOP,
        [l10n_cmd(ours, "build", "-f", "html", env=served, cache=cold_cache)],
        repeat=EDIT_REPEAT,
        prepare=save_one,
    )
    time.sleep(2.5)  # the last save ages past the 2 s a build does not trust mtimes within
    noop(
        bench,
        NOOP_SERVED,
        l10n_cmd(ours, "build", "-f", "html", env=served, cache=cold_cache),
        ours / "build",
    )
    stop_resident(resident)
    bench.run(
        "ours: check, 8 locales, after one saved catalog",
        [l10n_cmd(ours, "check", cache=cold_cache)],
        ok_codes=check_ok,
        repeat=EDIT_REPEAT,
        prepare=save_one,
    )

    if ready.get("sphinx"):
        sb = venv_bin("sphinx", "sphinx-build")
        bench.run(
            "Sphinx: HTML, 8 locales, fresh, -j 1",
            [
                cmd(
                    [sb, "-q", "-b", "html", "-D", f"language={loc}", ".", f"_build/html/{loc}"],
                    sphinx,
                )
                for loc in LOCALES
            ],
            timeout=args.sphinx_bound,
            locales=8,
        )
        bench.run(
            "Sphinx: no-op HTML build of one locale",
            [cmd([sb, "-q", "-b", "html", "-D", "language=th", ".", "_build/html/th"], sphinx)],
            repeat=NOOP_REPEAT,
        )
        if not args.quick:
            bench.run(
                "Sphinx: HTML, one locale, fresh, -j 2",
                [
                    cmd(
                        [
                            sb,
                            "-q",
                            "-j",
                            "2",
                            "-b",
                            "html",
                            "-D",
                            "language=th",
                            ".",
                            "_build/html-j2/th",
                        ],
                        sphinx,
                    )
                ],
                timeout=html_timeout,
            )

    # ---- translated Markdown (the peers' last step; we build HTML instead) ---------------
    log("peers: write translated Markdown for 8 locales")
    if ready.get("translate"):
        (work / "tt-out").mkdir()
        bench.run(
            f"Translate Toolkit: po2md, {plural(nfew)}",
            [
                cmd(
                    [
                        venv_bin("translate", "po2md"),
                        "--progress=none",
                        "-t",
                        ours / "source",
                        "-i",
                        work / "tt-po" / loc,
                        "-o",
                        work / "tt-out" / loc,
                    ]
                )
                for loc in few
            ],
            timeout=html_timeout,
            locales=nfew,
        )
    if ready.get("mdpo"):
        bench.run(
            f"mdpo: po2md, {plural(nfew)}",
            [
                cmd(
                    [
                        venv_bin("mdpo", "python"),
                        work / "mdpo_driver.py",
                        "translate",
                        ours / "source",
                        work / "mdpo" / "po",
                        work / "mdpo" / "out",
                        *few,
                    ]
                )
            ],
            timeout=html_timeout,
            locales=nfew,
        )
    if have_po4a:
        bench.run(
            f"po4a: translate, {plural(len(p4))}",
            [cmd(["po4a", "--no-update", "--force", "po4a.cfg"], po4a)],
            timeout=args.po4a_bound,
            locales=len(p4),
        )

    # ---- the repository's own pages -------------------------------------------------------
    log("the repository's own pages (a copy of source/, locales/, pyproject.toml)")
    repo = work / "repo"
    for name in ("source", "locales"):
        shutil.copytree(
            ROOT / name, repo / name, ignore=shutil.ignore_patterns("*.mo", ".l10n.lock")
        )
    shutil.copy2(ROOT / "pyproject.toml", repo / "pyproject.toml")
    bench.run("repo: HTML build", [l10n_cmd(repo, "build", "-f", "html")])
    noop(bench, "repo: no-op HTML build", l10n_cmd(repo, "build", "-f", "html"), repo / "build")
    pdf_env = {"L10N_BROWSER": browser} if browser else {}
    if browser:  # `l10n build` as a user types it: HTML and PDF
        bench.run(
            "repo: build, HTML and PDF",
            [l10n_cmd(repo, "build", env=pdf_env)],
            timeout=args.bound,
        )
        noop(
            bench,
            "repo: no-op build, HTML and PDF",
            l10n_cmd(repo, "build", env=pdf_env),
            repo / "build",
        )

    # ---- PDF on a subset --------------------------------------------------------------------
    subset = pages[: args.pdf_pages]
    log(f"PDF build: {len(subset)} pages x 9 locales")
    pdfp = work / "pdf"
    (pdfp / "source").mkdir(parents=True)
    shutil.copy2(ours / "pyproject.toml", pdfp / "pyproject.toml")
    for page in subset:
        shutil.copy2(ours / "source" / f"{page.name}.md", pdfp / "source")
    for src in (ours / "locales").rglob("*"):
        rel = src.relative_to(ours / "locales")
        if src.is_file() and (src.stem in {p.name for p in subset} | {"ui"}):
            (pdfp / "locales" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, pdfp / "locales" / rel)
    job_counts = ["1", str(NPROC)] if not args.quick and NPROC > 1 else [str(NPROC)]
    # `-f pdf` builds the HTML again (now with links to the handouts), then prints.
    bench.run(
        f"ours: HTML + PDF build, {len(subset)} pages x 9 locales, -j {NPROC}",
        [l10n_cmd(pdfp, "build", "-f", "pdf", "-j", str(NPROC), env=pdf_env)],
        timeout=args.bound,
    )
    pdfs = count_files(pdfp / "build", ".pdf")
    notes.append(
        f"ours: `l10n build -f pdf` wrote {pdfs} .pdf files for "
        f"{len(subset) * 9} (page, locale) pairs"
    )
    # Printing alone: the HTML is up to date, only the handouts are missing.
    for jobs in job_counts:
        for old in (pdfp / "build").rglob("*.pdf"):
            old.unlink()
        bench.run(
            f"ours: PDF printing, {len(subset)} pages x 9 locales, -j {jobs}",
            [l10n_cmd(pdfp, "build", "-f", "pdf", "-j", jobs, env=pdf_env)],
            timeout=args.bound,
        )
    html_inputs = sorted(p for p in (pdfp / "build").rglob("*.html") if p.name != "index.html")
    if browser and html_inputs:
        out = work / "pw-pdf"
        out.mkdir()
        bench.run(
            f"bare Playwright: print {len(html_inputs)} HTML files to PDF",
            [cmd([sys.executable, work / "pw_print.py", browser, out, *html_inputs])],
            timeout=args.bound,
        )
        if NPROC > 1:  # what this machine gives two wholly separate browsers: the ceiling
            halves = []
            for number in range(2):
                (out / f"half-{number}").mkdir()
                halves.append(
                    shlex.join(
                        [
                            sys.executable,
                            str(work / "pw_print.py"),
                            browser,
                            str(out / f"half-{number}"),
                            *map(str, html_inputs[number::2]),
                        ]
                    )
                )
            bench.run(
                f"{BARE_TWICE}: each prints half",
                [cmd(["sh", "-c", " & ".join(halves) + " & wait"])],
                timeout=args.bound,
            )
    else:
        bench.skip("bare Playwright", "no Chromium-family browser on PATH, or no HTML")

    # ---- release ------------------------------------------------------------------------------
    log("release (on the PDF subset project)")
    bench.run(
        "ours: release --allow-partial (PDF subset)",
        [l10n_cmd(pdfp, "release", "--allow-partial", env=pdf_env)],
        timeout=args.bound,
        ok_codes=(0, 1),
    )

    # ---- the edit ------------------------------------------------------------------------------
    change = corpus.edit(pages, writer, seed=args.seed + 4)
    log(
        f"edit: {len(change.changed)} one-word changes, {len(change.removed)} removed, "
        f"{len(change.added)} added"
    )
    snap = work / "before-edit"
    shutil.copytree(ours / "locales", snap)
    write_pages(pages, [ours / "source", sphinx, po4a / "src"])
    (sphinx / "index.md").write_text(sphinx_index(pages))

    log("update after the edit")
    bench.run("ours: extract after edit", [l10n_cmd(ours, "extract")])
    newpot = work / "new-pot"
    newpot.mkdir()
    for pot in (ours / "locales").glob("*.pot"):
        shutil.copy2(pot, newpot)
    domains = sorted(p.stem for p in newpot.glob("*.pot"))

    def before_edit() -> None:
        for loc in LOCALES:
            set_aside(ours / "locales" / loc)
            shutil.copytree(snap / loc, ours / "locales" / loc)

    bench.run(
        "ours: update after edit",
        [l10n_cmd(ours, "update")],
        locales=8,
        repeat=UPDATE_REPEAT,
        prepare=before_edit,
    )
    if have_msgmerge:
        for loc in LOCALES:
            (work / "msgmerge" / loc).mkdir(parents=True)
        bench.run(
            "GNU msgmerge --previous: update after edit",
            [
                cmd(
                    [
                        "msgmerge",
                        "--previous",
                        "-q",
                        "-o",
                        work / "msgmerge" / loc / f"{d}.po",
                        snap / loc / "LC_MESSAGES" / f"{d}.po",
                        newpot / f"{d}.pot",
                    ]
                )
                for loc in LOCALES
                for d in domains
            ],
            timeout=args.bound,
            locales=8,
        )
    if ready.get("translate"):
        bench.run(
            "Translate Toolkit: pot2po after edit",
            [
                cmd(
                    [
                        venv_bin("translate", "pot2po"),
                        "--progress=none",
                        "-t",
                        snap / loc / "LC_MESSAGES",
                        "-i",
                        newpot,
                        "-o",
                        work / "pot2po" / loc,
                    ]
                )
                for loc in LOCALES
            ],
            timeout=args.bound,
            locales=8,
            repeat=UPDATE_REPEAT,
            prepare=empty(work / "pot2po"),
        )
    if ready.get("sphinx"):
        bench.run(
            "Sphinx: gettext builder after edit",
            [
                cmd(
                    [
                        venv_bin("sphinx", "sphinx-build"),
                        "-q",
                        "-b",
                        "gettext",
                        ".",
                        "_build/gettext",
                    ],
                    sphinx,
                )
            ],
        )
        bench.run(
            f"sphinx-intl: update after edit, {plural(nfew)}",
            [
                cmd(
                    [
                        venv_bin("sphinx", "sphinx-intl"),
                        "update",
                        "-p",
                        "_build/gettext",
                        *[x for loc in few for x in ("-l", loc)],
                    ],
                    sphinx,
                )
            ],
            timeout=args.bound,
            locales=nfew,
        )
    if ready.get("mdpo"):
        bench.run(
            f"mdpo: md2po update after edit, {plural(nfew)}",
            [
                cmd(
                    [
                        venv_bin("mdpo", "python"),
                        work / "mdpo_driver.py",
                        "update",
                        ours / "source",
                        work / "mdpo" / "po",
                        *few,
                    ]
                )
            ],
            locales=nfew,
        )
    if have_po4a:
        bench.run(
            f"po4a: update after edit, {plural(len(p4))}",
            [cmd(["po4a", "--no-translations", "--force", "po4a.cfg"], po4a)],
            timeout=args.po4a_bound,
            locales=len(p4),
        )

    # ---- what each update did ------------------------------------------------------------------
    log("counting what each update did")
    names = [p.name for p in pages]
    outcomes: dict[str, Outcome] = {}

    def page_catalogs(folder_of, suffix=".po", locales=LOCALES) -> list[Path]:
        return [
            folder_of(loc) / f"{n}{suffix}"
            for loc in locales
            for n in names
            if (folder_of(loc) / f"{n}{suffix}").exists()
        ]

    per = len(names)
    outcomes["ours (l10n update)"] = outcome(
        page_catalogs(lambda loc: ours / "locales" / loc / "LC_MESSAGES"), change, per
    )
    if have_msgmerge:
        outcomes["GNU msgmerge --previous"] = outcome(
            page_catalogs(lambda loc: work / "msgmerge" / loc), change, per
        )
    if ready.get("translate"):
        outcomes["Translate Toolkit pot2po"] = outcome(
            page_catalogs(lambda loc: work / "pot2po" / loc), change, per
        )
    if ready.get("sphinx"):
        outcomes["sphinx-intl update"] = outcome(
            page_catalogs(lambda loc: sphinx / "locale" / loc / "LC_MESSAGES", locales=few),
            change,
            per,
        )
    if ready.get("mdpo"):
        outcomes["mdpo md2po (update)"] = outcome(
            page_catalogs(lambda loc: work / "mdpo" / "po" / loc, locales=few), change, per
        )
    if have_po4a:
        outcomes["po4a (updatepo)"] = outcome(
            page_catalogs(lambda loc: po4a / "po" / loc, ".md.po", p4), change, per
        )
    same = None
    if have_msgmerge:
        mine = [
            ours / "locales" / loc / "LC_MESSAGES" / f"{d}.po" for loc in LOCALES for d in domains
        ]
        theirs = [work / "msgmerge" / loc / f"{d}.po" for loc in LOCALES for d in domains]
        same = compare_catalogs(mine, theirs)

    scaling = {}
    for size in sorted({int(x) for x in args.sizes.split(",") if x.strip()} - {len(pages)}):
        scaling[str(size)] = scale(bench, size, work, l10n_cmd, args)
    scaling[str(len(pages))] = {
        step: asdict_result(bench.results.get(name)) for step, name in SCALE_STEPS.items()
    }

    elapsed = time.time() - started
    versions = {
        "l10n": first_line([*l10n, "--version"]),
        "ours (Python packages)": ", ".join(
            f"{k} {v}" for k, v in dist_versions("").items() if k != "l10n"
        ),
        "msgmerge": first_line(["msgmerge", "--version"]) if have_msgmerge else "-",
        "po4a": first_line(["po4a", "--version"]) if have_po4a else "-",
        "browser": first_line([browser, "--version"]) if browser else "-",
    }
    for peer in PEERS:
        if ready.get(peer):
            versions[peer] = ", ".join(f"{k} {v}" for k, v in dist_versions(peer).items())
    clear_aside()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        notes.append(f"work folder kept: {work}")
    return {
        "args": vars(args),
        "pages": len(pages),
        "segments": segments,
        "subset": len(subset),
        "change": change,
        "results": bench.results,
        "outcomes": outcomes,
        "same": same,
        "notes": notes + bench.notes,
        "versions": versions,
        "machine": machine(),
        "elapsed": elapsed,
        "pdfs": pdfs,
        "html_files": html_files,
        "domains": len(domains),
        "scaling": scaling,
    }


def start_resident(command: dict, folder: Path) -> None:
    """Run `command` (not timed): it leaves a resident process in `folder`; wait until
    that process listens."""
    env = {**os.environ, **command.get("env", {})}
    subprocess.run(command["argv"], cwd=command.get("cwd"), env=env, capture_output=True)
    deadline = time.monotonic() + 60
    while not list((folder / "l10n").glob("*.sock")):
        if time.monotonic() > deadline:
            raise SystemExit(f"no resident process started in {folder}")
        time.sleep(0.05)


def stop_resident(folder: Path) -> None:
    """End the resident processes of `folder` (their process ids are in the lock files)."""
    for lock in (folder / "l10n").glob("*.lock"):
        text = lock.read_text().strip()
        if text.isdigit():
            with contextlib.suppress(OSError):
                os.kill(int(text), signal.SIGTERM)


# --- time against size ---------------------------------------------------------------------


def settle() -> None:
    """Let the last save age past the 2 s a build does not trust mtimes within, as it
    has by the time a user types the same command again."""
    time.sleep(2.5)


# What `scale` measures at each size, and the names of the same steps in the main run.
SCALE_STEPS = {
    "extract": "ours: extract, cold (empty user cache)",
    "init": "ours: init, 8 locales",
    "check, cold": "ours: check, 8 locales, cold (empty user cache)",
    "build as typed, cold": HTML_COLD,
    "edit loop": EDIT_LOOP_OWN,
    "no-op build": "ours: no-op HTML build",
}


def asdict_result(r: Result | None) -> dict:
    if r is None or r.seconds is None:
        return {}
    return {"seconds": r.seconds, "cpu": r.cpu, "peak": r.own, "ok": r.ok}


def scale(bench: Bench, size: int, work: Path, l10n_cmd: Callable, args) -> dict:  # noqa: ANN001
    """Our steps on a corpus of `size` pages (8 locales, every msgstr filled), each from
    an empty user cache where the main run's is: how time and memory grow with size."""
    log(f"scaling: {size} pages")
    root = work / f"scale-{size}"
    (root / "source").mkdir(parents=True)
    (root / "pyproject.toml").write_text(corpus.pyproject())
    pages, _writer = corpus.generate(size, seed=args.seed)
    write_pages(pages, [root / "source"])
    cache = work / f"scale-{size}-cache"
    steps: dict[str, Result] = {}

    def step(key: str, argv: list[str], **extra) -> None:  # noqa: ANN003
        steps[key] = bench.run(
            f"scale {size}: {key}",
            [l10n_cmd(root, *argv, cache=cache)],
            timeout=args.bound,
            **extra,
        )

    def fresh_cache() -> None:
        set_aside(cache)

    step("extract", ["extract"], prepare=fresh_cache)
    step("init", ["init", *LOCALES])
    fill(
        [(p, loc) for loc in LOCALES for p in (root / "locales" / loc / "LC_MESSAGES").glob("*.po")]
    )
    step("check, cold", ["check"], prepare=fresh_cache, ok_codes=(0, 1))

    def clean() -> None:
        fresh_cache()
        set_aside(root / "build")

    step("build as typed, cold", ["build", "-f", "html"], prepare=clean)
    saves = iter(range(10_000))
    targets = sorted((root / "locales" / "th" / "LC_MESSAGES").glob("page-*.po"))

    def save_one() -> None:
        path = targets[next(saves) % len(targets)]
        po = polib.pofile(str(path), wrapwidth=79)
        entry = next(e for e in po if e.msgstr and not e.obsolete)
        entry.msgstr = entry.msgstr + " " if not entry.msgstr.endswith(" ") else entry.msgstr[:-1]
        po.save(str(path))

    step("edit loop", ["build", "-f", "html"], repeat=3, prepare=save_one)
    step("no-op build", ["build", "-f", "html"], repeat=3, prepare=settle)
    set_aside(root)
    set_aside(cache)
    return {key: asdict_result(r) for key, r in steps.items()}


# --- the report ---------------------------------------------------------------------------


def secs(r: Result | None) -> str:
    if r is None:
        return "-"
    if r.seconds is None:
        return "skipped"
    if not r.ok and r.estimate:
        return f"{r.estimate:.2f} (estimated)"
    mark = "" if r.ok else " (failed)"
    return f"{r.seconds:.2f}{mark}"


def mb(value: float | None) -> str:
    return f"{value:.0f}" if value else "-"


def seconds(r: Result) -> float | None:
    """A step's time; for a step stopped at its bound, the estimate for all of it."""
    if not r.ok and r.estimate:
        return r.estimate
    return r.seconds


def cpu_of(r: Result) -> float | None:
    """A step's CPU time; for a step stopped at its bound, the estimate for all of it."""
    if not r.ok and r.cpu_estimate:
        return r.cpu_estimate
    return r.cpu if r.ok else None


def ratio(a: Result | None, b: Result | None) -> float | None:
    if not a or not b or a.seconds is None or not seconds(b):
        return None
    return a.seconds / seconds(b)


def report(data: dict) -> str:
    res: dict[str, Result] = data["results"]
    outcomes: dict[str, Outcome] = data["outcomes"]
    change: corpus.Edit = data["change"]
    n = NPROC
    pdf_sub = data["subset"]
    lines: list[str] = []
    add = lines.append
    today = dt.date.today().isoformat()
    m = data["machine"]
    add("# Benchmarks: `l10n` against its peers")
    add("")
    add(f"Generated by `{data['command']}`. Do not edit by hand: run it again.")
    add("")
    add("| | |")
    add("| --- | --- |")
    add(f"| date | {today} |")
    add(
        f"| machine | {m['nproc']} cores ({m['cpu']}), {m['memory']} memory, {m['os']}, "
        f"Python {m['python']} |"
    )
    for key, value in data["versions"].items():
        add(f"| {key} | {value} |")
    add(
        f"| corpus | {data['pages']} generated pages, {data['segments']} unique segments "
        f"({data['segments'] / data['pages']:.1f} a page: headings, paragraphs, list items), "
        f"8 locales ({', '.join(LOCALES)}), every msgstr filled with a reversible "
        "pseudo-translation |"
    )
    add(
        f"| edit | {len(change.changed)} segments with one word changed (10%), "
        f"{len(change.removed)} removed (5%), {len(change.added)} added (5%) |"
    )
    add(f"| whole run | {data['elapsed'] / 60:.1f} minutes |")
    loads = [x for r in res.values() if r.load for x in r.load if x >= 0]
    if loads:
        add(
            f"| load average (1 min) | {min(loads):.1f} to {max(loads):.1f} during the run, "
            f"on {m['nproc']} cores |"
        )
    add("")
    add(
        "Times are wall-clock seconds of one run of each step in a fresh process "
        f"(`benchmarks/runner.py`; the no-op builds, ours and Sphinx's, the median of "
        f"{NOOP_REPEAT} runs; the first extraction, ours, md2po's and mdpo's, the median of "
        f"{EXTRACT_REPEAT} runs from an empty output folder; the update after the edit, "
        f"ours and pot2po's, the median of {UPDATE_REPEAT} runs from the catalogs before "
        f"it; our cold HTML build as typed, the median of {COLD_REPEAT} runs; the edit loop, "
        f"of {EDIT_REPEAT}); runs are timed to the process's exit (a blocking wait, not a "
        "poll); peak memory is "
        "`getrusage(RUSAGE_CHILDREN).ru_maxrss` of "
        "that process, i.e. the largest single process of the step. Where a browser runs, "
        "its processes (Chromium and Playwright's node driver) are sampled from /proc and "
        "reported apart, summed. A ratio is ours / theirs: below 1 we are faster. CPU time "
        "is that of every process of the step (user + system); where the machine is shared "
        "(see the load average, before and after each step in the last table) wall times "
        "swell with the load and CPU-time ratios are the steadier comparison. "
        "A step's earlier output (a build folder, catalogs, a user cache) is moved aside, "
        "not deleted, before the step and deleted once every step has been timed: this "
        "machine's file system (ext4 without a journal) makes each file created within a "
        "minute of deleting thousands cost about 0.5 ms more, which a new user's first run "
        "does not pay, nor the peers' fresh builds into new folders. For the same reason "
        "runs are started well apart: two runs started within a few minutes of the "
        "previous run deleting its work folder found our first steps (which write "
        "thousands of files within seconds) 15-20% slower, and Sphinx's, minutes later, "
        "not at all."
    )
    add("")

    # --- targets
    def get(name: str) -> Result | None:
        return res.get(name)

    def find(prefix: str) -> Result | None:
        return next((r for k, r in res.items() if k.startswith(prefix)), None)

    html_full = get(HTML_COLD)
    html_j1 = get(f"{HTML_COLD}, -j 1")
    noops = [r for r in (get("ours: no-op HTML build"), get("ours: no-op HTML build (again)")) if r]
    noop = next((r for r in noops if r.note.endswith("wrote 0 files")), noops[0] if noops else None)
    pdf_j1 = get(f"ours: PDF printing, {pdf_sub} pages x 9 locales, -j 1")
    pdf_jn = get(f"ours: PDF printing, {pdf_sub} pages x 9 locales, -j {n}")
    bare = find("bare Playwright:")
    ours_out = outcomes.get("ours (l10n update)")
    same = data["same"]
    rows = []

    def speed(a: Result | None, b: Result | None, times: float) -> tuple[str, bool | None]:
        r = ratio(a, b)
        if r is None:
            return "not measured", None
        ok = bool(a.ok and (b.ok or b.estimate) and r <= 1 / times)
        text = f"{r:.3f} ({1 / r:.1f}x faster)" if r < 1 else f"{r:.2f} ({r:.1f}x slower)"
        text = f"{a.seconds:.2f} s / {seconds(b):.2f} s = {text}"
        if a.cpu and cpu_of(b):
            text += f"; CPU time {a.cpu:.1f} s / {cpu_of(b):.1f} s = {a.cpu / cpu_of(b):.3f}"
        if not a.ok or not (b.ok or b.estimate):
            text += " (a step failed)"
        return text, ok

    fig, ok = speed(get("ours: extract"), get("Translate Toolkit: md2po"), 4)
    cold = get("ours: extract, cold (empty user cache)")
    if cold is not None and cold.seconds is not None:
        fig += f"; cold (empty user cache): {cold.seconds:.2f} s"
    rows.append(("extract >= 4x faster than Translate Toolkit's md2po", fig, ok))
    fig, ok = speed(get("ours: update after edit"), get("Translate Toolkit: pot2po after edit"), 5)
    if ours_out is not None and same is not None:
        equal = same[0] == 0
        found = f"{ours_out.edits_found}/{ours_out.edits_total} edits fuzzy with previous msgid"
        fig += (
            f"; outcome {'identical to' if equal else 'differs from'} msgmerge --previous "
            f"({same[0]} catalogs, {same[1]} entries differ); {found}"
        )
        ok = bool(ok and equal and ours_out.edits_found == ours_out.edits_total)
    rows.append(("update-after-edit >= 5x faster than pot2po, with msgmerge's outcome", fig, ok))
    fig, ok = speed(html_full, get("Sphinx: HTML, 8 locales, fresh, -j 1"), 40)
    for label, other in (
        ("with -q (no check summary, no checks)", get(f"{HTML_COLD}, -q")),
        ("warm user cache", find("ours: HTML build, 9 locales, warm user cache")),
    ):
        if other is not None and other.seconds is not None:
            fig += f"; {label}: {other.seconds:.2f} s"
    rows.append(
        (
            "`l10n build -f html` as typed, cold (empty user cache), >= 40x faster than "
            "Sphinx's fresh builds (8 locales; ours builds en too and checks every locale)",
            fig,
            ok,
        )
    )
    fig, ok = speed(
        get("ours: check, 8 locales, cold (empty user cache)"),
        get("Translate Toolkit: pofilter, 8 locales"),
        3,
    )
    warm = find("ours: check, 8 locales, warm")
    if warm is not None and warm.seconds is not None:
        fig += f"; warm (nothing changed): {warm.seconds:.2f} s"
    rows.append(("`l10n check` of 8 locales, cold, >= 3x faster than pofilter", fig, ok))
    loop, own, own_q = get(EDIT_LOOP), get(EDIT_LOOP_OWN), get(f"{EDIT_LOOP_OWN}, -q")
    if loop is None or html_full is None or loop.seconds is None or not html_full.seconds:
        rows.append(("edit loop <= 3% of the cold build and <= 0.5 s", "not measured", None))
    else:
        share = loop.seconds / html_full.seconds
        fig = f"{loop.seconds:.2f} s / {html_full.seconds:.2f} s = {share * 100:.1f}%"
        if own is not None and own.seconds is not None:
            fig += (
                f"; in a process of its own (the first command, or L10N_RESIDENT=0): "
                f"{own.seconds:.2f} s = {own.seconds / html_full.seconds * 100:.1f}% "
                f"(CPU {own.cpu:.2f} s)"
            )
        if own_q is not None and own_q.seconds is not None:
            fig += f", with -q {own_q.seconds:.2f} s"
        ok = bool(loop.ok and share <= 0.03 and loop.seconds <= 0.5)
        rows.append(
            (
                "edit loop (one catalog saved, then `l10n build -f html`) <= 3% of the cold "
                "full build and <= 0.5 s",
                fig,
                ok,
            )
        )
    fig, ok = speed(noop, get("Sphinx: no-op HTML build of one locale"), 10)
    if noop is not None and noop.seconds is not None:
        ok = bool(ok and noop.seconds <= 0.1)
    repo_noop = get("repo: no-op build, HTML and PDF")
    if repo_noop is not None and repo_noop.ok:
        fig += f"; the repository's `l10n build` (HTML and PDF): {repo_noop.seconds:.2f} s"
    rows.append(
        (
            "no-op build of everything <= 0.1 s and >= 10x faster than Sphinx's no-op of "
            "one locale",
            fig,
            ok,
        )
    )
    r1, rn = ratio(pdf_j1, bare), ratio(pdf_jn, bare)
    if data["pdfs"] == 0:
        fig, ok = "no PDF was written by `l10n build -f pdf`", False
    elif r1 is None and rn is None:
        fig, ok = "not measured", None
    else:
        parts = []
        for label, r, res_ in (("-j 1", r1, pdf_j1), (f"-j {n}", rn, pdf_jn)):
            if r is not None:
                parts.append(
                    f"{label}: {res_.seconds:.1f} s / {bare.seconds:.1f} s = {r:.2f} "
                    f"({'+' if r >= 1 else ''}{(r - 1) * 100:.0f}%)"
                )
        judged = r1 if r1 is not None else rn
        fig = "; ".join(parts) + (
            " (judged like for like: -j 1, one browser, as the script)"
            if r1 is not None
            else " (-j 1 not measured)"
        )
        ok = judged <= 1.10
    rows.append(
        (
            "PDF within 10% of a bare Playwright script (printing only, same HTML, same browser)",
            fig,
            ok,
        )
    )
    r = ratio(html_j1, html_full)
    fig, ok_j = "not measured", None
    if r is not None:
        fig = f"HTML as typed, cold: {html_j1.seconds:.1f} s / {html_full.seconds:.1f} s = {r:.2f}x"
        ok_j = r >= 1.5
    rows.append((f"HTML: -j {n} >= 1.5x faster than -j 1", fig, ok_j))
    big = data.get("scaling", {})
    largest = max((int(k) for k in big), default=0)
    if largest:
        peak = max(r["peak"] for r in big[str(largest)].values() if r.get("peak"))
        where = max(big[str(largest)].items(), key=lambda kv: kv[1].get("peak") or 0)[0]
        rows.append(
            (
                f"peak memory of our own processes < 300 MB at {largest} pages x 8 locales",
                f"{peak:.0f} MB ({where})",
                peak < 300,
            )
        )
    ours_peaks = [(k, r.own) for k, r in res.items() if k.startswith(("ours", "repo")) and r.own]
    worst = max(ours_peaks, key=lambda kv: kv[1], default=("-", 0))
    browser_peak = max(
        (r.browser_mb or 0 for k, r in res.items() if k.startswith("ours")), default=0
    )
    rows.append(
        (
            f"peak memory of our own processes < 300 MB at {data['pages']} pages",
            f"{worst[1]:.0f} MB ({worst[0]}); Chromium + Playwright driver apart: "
            f"{browser_peak:.0f} MB",
            worst[1] < 300 if ours_peaks else None,
        )
    )
    add("## Targets")
    add("")
    add("| target | measured: ours / theirs | met |")
    add("| --- | --- | --- |")
    for what, fig, ok in rows:
        mark = "yes" if ok else ("**no**" if ok is False else "n/a")
        add(f"| {what} | {fig} | {mark} |")
    add("")

    # --- side by side
    pairs = [
        (
            "extract",
            "ours: extract",
            ["Translate Toolkit: md2po", "mdpo: md2po", "po4a: extract", "Sphinx: gettext builder"],
        ),
        (
            "init",
            "ours: init",
            ["sphinx-intl: update (init)", "Translate Toolkit: pot2po (init)", "po4a: init"],
        ),
        (
            "extract after the edit",
            "ours: extract after edit",
            ["Sphinx: gettext builder after edit"],
        ),
        (
            "update after the edit",
            "ours: update after edit",
            [
                "Translate Toolkit: pot2po after edit",
                "GNU msgmerge --previous",
                "sphinx-intl: update after edit",
                "mdpo: md2po update after edit",
                "po4a: update after edit",
            ],
        ),
        (
            "HTML, all locales, fresh",
            "ours: HTML build, 9 locales",
            ["Sphinx: HTML, 8 locales, fresh, -j 1"],
        ),
        ("no-op rebuild", "ours: no-op HTML build", ["Sphinx: no-op HTML build of one locale"]),
        (
            "translated output, 8 locales",
            f"ours: HTML build, 9 locales, -j {n} (default)",
            ["Translate Toolkit: po2md", "mdpo: po2md", "po4a: translate"],
        ),
        (
            f"PDF printing, {pdf_sub} pages x 9 locales",
            f"ours: PDF printing, {pdf_sub} pages x 9 locales",
            ["bare Playwright"],
        ),
    ]
    add("## Side by side")
    add("")
    add(
        "Ours against each peer doing the same step on the same content. The peers' "
        "translated Markdown (po2md, po4a) is their last step where ours is HTML: shown "
        "for scale, not as a like-for-like pair."
    )
    add("")
    add(
        "| step | ours | ours (s) | peer | peer (s) | ours / peer | ours CPU / peer CPU | "
        "ours peak MB | peer peak MB |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")

    def matching(prefix: str) -> list[tuple[str, Result]]:
        return [
            (k, r)
            for k, r in res.items()
            if k == prefix or k.startswith((prefix + ",", prefix + ":"))
        ]

    for step, mine, theirs in pairs:
        for key_a, a in matching(mine):
            for other in theirs:
                for key_b, b in matching(other):
                    scale = a.locales / b.locales if a.locales and b.locales else 1
                    r = ratio(a, b)
                    rc = a.cpu / cpu_of(b) if a.cpu and cpu_of(b) else None
                    shown = secs(b)
                    if scale != 1 and r is not None:
                        r, rc = r / scale, (rc / scale if rc else None)
                        shown += f" (x{scale:g} = {seconds(b) * scale:.2f}, *scaled*)"
                    add(
                        f"| {step} | {key_a.removeprefix('ours: ')} | {secs(a)} | {key_b} | "
                        f"{shown} | {f'{r:.3f}' if r is not None else '-'} | "
                        f"{f'{rc:.3f}' if rc is not None else '-'} | {mb(a.own)} | "
                        f"{mb(b.own)} |"
                    )
    add("")
    one = get("Sphinx: HTML, one locale, fresh, -j 2")
    eight = get("Sphinx: HTML, 8 locales, fresh, -j 1")
    if one and eight and eight.times and one.seconds:
        add(
            f"Sphinx's `-j 2` on one locale (th): {one.seconds:.2f} s, against "
            f"{eight.times[0]:.2f} s for the same fresh build with `-j 1` (the first of its 8)."
        )
        add("")
    big = data.get("scaling", {})
    if len(big) > 1:
        sizes = sorted(big, key=int)
        add("## Time against size")
        add("")
        add(
            "Our steps on corpora of "
            + ", ".join(sizes)
            + " generated pages (8 locales, every msgstr filled), each as typed and, where "
            "the user cache matters, from an empty one; seconds (CPU seconds), peak MB of "
            "our largest process. The last column is the largest corpus's CPU time over the "
            f"smallest's (wall times move with the machine's load and with how many cores a "
            f"step keeps busy): linear growth gives {int(sizes[-1]) / int(sizes[0]):g}x."
        )
        add("")
        add("| step | " + " | ".join(f"{n} pages" for n in sizes) + " | growth |")
        add("| --- |" + " --- |" * (len(sizes) + 1))
        for key in SCALE_STEPS:
            cells, first, last = [], None, None
            for n in sizes:
                r = big[n].get(key) or {}
                if r.get("seconds") is None:
                    cells.append("-")
                    continue
                first = (r.get("cpu") or r["seconds"]) if first is None else first
                last = r.get("cpu") or r["seconds"]
                peak = f", {r['peak']:.0f} MB" if r.get("peak") else ""
                cpu = f" ({r['cpu']:.1f})" if r.get("cpu") is not None else ""
                cells.append(f"{r['seconds']:.2f}{cpu}{peak}")
            growth = f"{last / first:.1f}x" if first and last else "-"
            add(f"| {key} | " + " | ".join(cells) + f" | {growth} |")
        add("")
    add("## Every step")
    add("")
    add("| step | seconds | CPU s | load before / after | peak MB (own) | browser MB | note |")
    add("| --- | --- | --- | --- | --- | --- | --- |")
    for name, r in res.items():
        cpu = f"{r.cpu:.2f}" if r.cpu is not None else "-"
        if not r.ok and r.cpu_estimate:
            cpu += f" ({r.cpu_estimate:.0f} estimated)"
        load = f"{r.load[0]:.1f} / {r.load[1]:.1f}" if r.load else "-"
        add(
            f"| {name} | {secs(r)} | {cpu} | {load} | {mb(r.own)} | {mb(r.browser_mb)} | "
            f"{r.note.replace('|', '/')} |"
        )
    add("")

    # --- outcomes
    add("## What each update did")
    add("")
    add(
        f"Counted with polib on the page catalogs of every locale each tool updated "
        f"({len(change.changed)} one-word edits, {len(change.removed)} removals and "
        f"{len(change.added)} additions per locale). *Edits found* are the one-word edits "
        "whose new msgid is fuzzy with exactly the old English as its previous msgid "
        "(`#| msgid`)."
    )
    add("")
    add(
        "| tool | catalogs | translated | fuzzy | fuzzy with previous msgid | untranslated | "
        "obsolete | edits found | added: untranslated / fuzzy | removed kept obsolete |"
    )
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for tool, o in outcomes.items():
        add(
            f"| {tool} | {o.catalogs} | {o.translated} | {o.fuzzy} | {o.fuzzy_previous} | "
            f"{o.untranslated} | {o.obsolete} | {o.edits_found}/{o.edits_total} | "
            f"{o.added_untranslated} / {o.added_fuzzy} of {o.added_total} | "
            f"{o.removed_obsolete}/{o.removed_total} |"
        )
    add("")
    if same is not None:
        add(
            f"Ours against `msgmerge --previous` on the same catalogs and templates: "
            f"{same[0]} catalogs and {same[1]} entries differ (msgid, msgstr, fuzzy flag, "
            "previous msgid, obsolete)."
        )
        for kind, number in sorted(same[2].items(), key=lambda kv: -kv[1]):
            add(f"- {number} entries: {kind}")
        for example in same[3]:
            add(f"- for example {example}")
        add("")
    for tool, o in outcomes.items():
        if o.missing_edits and o.edits_found < o.edits_total:
            add(
                f"- {tool} missed, for example: "
                + "; ".join(f"`{t[:70]}`" for t in o.missing_edits)
            )
    add("")
    add("## Notes")
    add("")
    for note in data["notes"]:
        add(f"- {note}")
    for extra in data.get("findings", []):
        add(f"- {extra}")
    add("")
    return "\n".join(lines)


def save_results(path: Path, data: dict) -> None:
    """The figures of a run, so that the report can be written again (`--report-only`)."""
    plain = dict(data)
    plain["results"] = {k: asdict(r) for k, r in data["results"].items()}
    plain["outcomes"] = {k: asdict(o) for k, o in data["outcomes"].items()}
    plain["change"] = asdict(data["change"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plain, indent=1, default=str), encoding="utf-8")


def load_results(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["results"] = {
        k: Result(**{**r, "load": tuple(r["load"]) if r["load"] else None})
        for k, r in data["results"].items()
    }
    data["outcomes"] = {k: Outcome(**o) for k, o in data["outcomes"].items()}
    data["change"] = corpus.Edit(**data["change"])
    return data


def kept_sections(doc: Path) -> str:
    """Sections other benchmarks wrote into the document (between their own
    `<!-- name: start -->` and `<!-- name: end -->` markers): kept as they are."""
    if not doc.exists():
        return ""
    found = re.findall(
        r"\n(<!-- (\w+): start -->.*?<!-- \2: end -->\n)", doc.read_text(encoding="utf-8"), re.S
    )
    return "".join("\n" + block for block, _ in found)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=200, help="pages in the corpus")
    parser.add_argument(
        "--quick", action="store_true", help="PDF on 3 pages, no -j 1 runs, no Sphinx -j 2"
    )
    parser.add_argument(
        "--pdf-pages",
        type=int,
        default=None,
        help="pages of the PDF subset (default 6, 3 with --quick)",
    )
    parser.add_argument(
        "--bound",
        type=float,
        default=480,
        help="seconds after which a long step is stopped (default 480)",
    )
    parser.add_argument(
        "--peer-locales",
        type=int,
        default=2,
        help="locales for the peer steps no target depends on (default 2)",
    )
    parser.add_argument(
        "--sphinx-bound",
        type=float,
        default=300,
        help="seconds for Sphinx's 8 fresh HTML builds; past it the rest "
        "is estimated from the locales built (default 300)",
    )
    parser.add_argument(
        "--po4a-locales",
        type=int,
        default=1,
        help="locales po4a works on (default 1: it is the slowest peer)",
    )
    parser.add_argument(
        "--po4a-bound",
        type=float,
        default=200,
        help="seconds after which a po4a step is stopped (default 200)",
    )
    parser.add_argument(
        "--sizes",
        default="500,1000",
        help="further corpus sizes (pages) for time against size, ours only (default 500,1000)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", help="work folder (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--findings", help="a text file of extra notes for the report")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="write the report again from the last run's build/bench-results.json",
    )
    args = parser.parse_args()
    # Our rows run each command in a process of its own (L10N_RESIDENT=0): a command a
    # resident process serves runs in a fork of it, which is no child of the runner, so
    # its CPU time and memory would go unmeasured.  The rows marked "resident process"
    # are what a user gets from the second command on; a first run has none either way.
    os.environ["L10N_RESIDENT"] = "0"
    if args.pdf_pages is None:
        args.pdf_pages = 3 if args.quick else 6
    args.pdf_pages = min(args.pdf_pages, args.pages)
    data = load_results(RESULTS) if args.report_only else run(args)
    if not args.report_only:
        shown = [
            a
            for i, a in enumerate(sys.argv[1:], 1)
            if not a.startswith("--findings") and sys.argv[i - 1] != "--findings"
        ]
        data["command"] = " ".join(["python benchmarks/peers.py", *shown])
    if args.findings:
        data["findings"] = [
            line.strip() for line in Path(args.findings).read_text().splitlines() if line.strip()
        ]
    if not args.report_only:
        save_results(RESULTS, data)
    text = report(data)
    print()
    print(text)
    if not args.no_doc:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        text += kept_sections(DOC)
        DOC.write_text(text, encoding="utf-8")
        log(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
