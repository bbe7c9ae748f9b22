"""How fast handouts print: `l10n build -f pdf` at -j 1 and -j 2 against bare Playwright.

Not a test. Run from the repository root:

    python benchmarks/pdf_bench.py [--pages 6] [--repeat 2] [--keep DIR] [--pdfua]

The set is the one of docs/benchmarks.md ("PDF printing"): the first `--pages` pages of
the benchmark corpus (benchmarks/corpus.py, seed 7) in English and 8 pseudo-translated
locales, built to HTML once. Each timed run deletes the handouts and runs
`l10n build -f pdf -q -j N` (printing only: the HTML is up to date), a bare Playwright
script printing the same HTML files with the same browser (one tab, `page.pdf()` only, as
benchmarks/peers.py runs it), or pipeline.site.pdf.print_pages in this process (printing alone,
without the command's fixed costs). Wall clock and CPU time (of everything the run started,
Chromium included) are reported for every run; the ratios use the best run of each.
`--pdfua` instead times print_pages with and without the PDF/UA step, taking turns.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import polib

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import corpus  # noqa: E402
from corpus import pyproject  # noqa: E402
from peers import LOCALES  # noqa: E402
from peers import PLAYWRIGHT_SCRIPT as BARE_SCRIPT  # noqa: E402  (what peers.py times)

from pipeline.site import browser as browser_lookup  # noqa: E402
from pipeline.site import pdf  # noqa: E402

PR_SET_CHILD_SUBREAPER = 36
DATE = datetime(2026, 1, 1, tzinfo=UTC)


def l10n(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "-C", str(root), *args]


def fill(catalog: Path, locale: str) -> None:
    """Every message of a catalog pseudo-translated into the locale's script."""
    po = polib.pofile(str(catalog), wrapwidth=79)
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {
                k: corpus.pseudo(entry.msgid_plural if k else entry.msgid, locale)
                for k in (entry.msgstr_plural or {0: ""})
            }
        else:
            entry.msgstr = corpus.pseudo(entry.msgid, locale)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(catalog))


def make_project(root: Path, pages: int) -> None:
    """The benchmark set, built to HTML and PDF once (not timed)."""
    (root / "source").mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject(), encoding="utf-8")
    for page in corpus.generate(pages, seed=7)[0]:
        (root / "source" / f"{page.name}.md").write_text(page.markdown(), encoding="utf-8")
    for args in (("extract",), ("init", *LOCALES)):
        subprocess.run(l10n(root, *args), check=True, cwd=REPO, capture_output=True)
    for locale in LOCALES:
        for catalog in sorted((root / "locales" / locale / "LC_MESSAGES").glob("*.po")):
            fill(catalog, locale)
    subprocess.run(l10n(root, "build", "-f", "pdf", "-q"), check=True, cwd=REPO)


def adopt_orphans() -> None:
    """Become the parent of orphaned descendants (Linux), so that Chromium's processes, which
    outlive the Playwright driver that started them, are reaped here and their CPU counted."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans(wait: float = 30) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a command and of every process it started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, cwd=REPO)
    wall = time.perf_counter() - start
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cpu_seconds() -> float:
    """CPU time of this process and of every process it has reaped."""
    return sum(
        u.ru_utime + u.ru_stime
        for u in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )


def print_in_process(
    root: Path, jobs: int, work: Path, accessible: bool = True
) -> tuple[float, float]:
    """pipeline.site.pdf.print_pages alone: the command's fixed costs (start, imports, the HTML
    up-to-date check, the index) left out. `accessible=False` skips the PDF/UA step
    (pipeline.site.accessible), to measure what it costs."""
    if not accessible:
        with mock.patch.object(pdf, "make_accessible", lambda *args, **kwargs: None):
            return print_in_process(root, jobs, work)
    out = work / f"in-process-{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    settings = browser_lookup.Settings(browser=browser_lookup.find_browser())
    pages = [
        pdf.Page(html, out / html.parent.name / html.with_suffix(".pdf").name, DATE)
        for html in sorted((root / "build").rglob("*.html"))
        if html.name != "index.html"
    ]
    before, start = cpu_seconds(), time.perf_counter()
    pdf.print_pages(pages, settings, jobs)
    wall = time.perf_counter() - start
    reap_orphans()
    return wall, cpu_seconds() - before


def print_with_l10n(root: Path, jobs: int) -> tuple[float, float]:
    for old in (root / "build").rglob("*.pdf"):
        old.unlink()
    return timed(l10n(root, "build", "-f", "pdf", "-q", "-j", str(jobs)))


def print_bare(root: Path, browser: str, work: Path) -> tuple[float, float]:
    script, out = work / "bare.py", work / "bare-out"
    script.write_text(BARE_SCRIPT, encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    html = sorted(p for p in (root / "build").rglob("*.html") if p.name != "index.html")
    return timed([sys.executable, str(script), browser, str(out), *map(str, html)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6, help="pages of the set (default 6)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each (default 2)")
    parser.add_argument(
        "--keep", type=Path, help="build the set here and keep it (reused when it exists)"
    )
    parser.add_argument(
        "--pdfua",
        action="store_true",
        help="instead: print_pages with and without the PDF/UA step, taking turns",
    )
    args = parser.parse_args()
    # Each command in a process of its own: its CPU time and memory are what is measured.
    os.environ["L10N_RESIDENT"] = "0"
    browser = browser_lookup.find_browser()
    adopt_orphans()
    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
        work = Path(tmp)
        root = args.keep.resolve() if args.keep else work / "project"
        if not (root / "build").is_dir():
            make_project(root, args.pages)
        count = len(list((root / "build").rglob("*.pdf")))
        print(f"browser {browser}; {os.cpu_count()} cores; {count} handouts")
        if args.pdfua:
            compare_pdfua(root, work, args.repeat)
            return
        runs = {
            "l10n build -f pdf -j 1": lambda: print_with_l10n(root, 1),
            "l10n build -f pdf -j 2": lambda: print_with_l10n(root, 2),
            "bare Playwright": lambda: print_bare(root, browser, work),
            "print_pages -j 1": lambda: print_in_process(root, 1, work),
            "print_pages -j 2": lambda: print_in_process(root, 2, work),
        }
        best: dict[str, float] = {}
        print(f"{'how':<24} {'run':>3} {'wall s':>7} {'CPU s':>7} {'load':>5}")
        for number in range(1, args.repeat + 1):
            for how, run in runs.items():
                load = os.getloadavg()[0]
                wall, cpu = run()
                best[how] = min(best.get(how, wall), wall)
                print(f"{how:<24} {number:>3} {wall:>7.2f} {cpu:>7.2f} {load:>5.1f}", flush=True)
        j1, j2, bare, p1, p2 = best.values()
        print(
            f"-j 2 speed-up over -j 1: {j1 / j2:.2f}x (goal >= 1.5x); "
            f"-j 1 / bare Playwright: {j1 / bare:.2f} (goal <= 1.10); "
            f"printing alone, -j 2 over -j 1: {p1 / p2:.2f}x"
        )


def compare_pdfua(root: Path, work: Path, repeat: int) -> None:
    """What the PDF/UA step adds to printing: medians of runs taken in turns, so that the
    load of a shared machine falls on both alike."""
    times: dict[tuple[int, bool], list[tuple[float, float]]] = {}
    print(f"{'how':<34} {'run':>3} {'wall s':>7} {'CPU s':>7} {'load':>5}")
    for number in range(1, repeat + 1):
        for jobs in (1, 2):
            for accessible in (False, True):
                load = os.getloadavg()[0]
                wall, cpu = print_in_process(root, jobs, work, accessible)
                times.setdefault((jobs, accessible), []).append((wall, cpu))
                how = f"print_pages -j {jobs}, {'with' if accessible else 'without'} PDF/UA"
                print(f"{how:<34} {number:>3} {wall:>7.2f} {cpu:>7.2f} {load:>5.1f}", flush=True)
    for jobs in (1, 2):
        (wall0, cpu0), (wall1, cpu1) = (
            (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            for runs in (times[(jobs, False)], times[(jobs, True)])
        )
        print(
            f"-j {jobs}: median wall {wall0:.2f} s -> {wall1:.2f} s ({wall1 / wall0 - 1:+.1%}), "
            f"CPU {cpu0:.2f} s -> {cpu1:.2f} s ({cpu1 / cpu0 - 1:+.1%})"
        )


if __name__ == "__main__":
    main()
