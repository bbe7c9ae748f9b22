"""Time `l10n serve` from a translator's save to the open page showing it (not a test).

The corpus is `benchmarks/corpus.py`'s: 200 generated pages of about 40 segments, with
catalogs for 8 locales filled with its pseudo-translation, built once as `l10n build -f
html` would.  `l10n serve` runs as a user runs it; a real Chromium page (Playwright) is
open on one translated page.  Each trial writes a new translation into that page's `.po`
(as an editor saves: a temporary file renamed over it) and times until the page in the
browser shows it, with no action in the browser.  A burst of quick saves then shows how
many rebuilds they cost.

Usage: python benchmarks/serve_bench.py [--pages 200] [--trials 10] [--keep DIR]
Prints one line per measurement, in seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LOCALES = corpus.LOCALES
EPOCH = "1790000000"
RUN = os.getpid()  # markers no earlier run left in the catalog
REBUILT = re.compile(r"rebuilt 1 page in ([0-9.]+) s")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]


def env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SOURCE_DATE_EPOCH": EPOCH,
        "PYTHONPATH": str(REPO),
        "L10N_CACHE": str(root.parent / f"{root.name}-cache"),
    }


def l10n(root: Path, *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "-C", str(root), *args],
        env=env(root),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"l10n {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return time.perf_counter() - start


def make_corpus(root: Path, count: int) -> None:
    """Pages, extracted templates, and catalogs of every locale, translated."""
    pages, _writer = corpus.generate(count)
    (root / "source").mkdir(parents=True)
    (root / "locales").mkdir()
    for page in pages:
        (root / "source" / f"{page.name}.md").write_text(page.markdown(), encoding="utf-8")
    (root / "pyproject.toml").write_text(
        corpus.pyproject(),
        encoding="utf-8",
    )
    l10n(root, "extract")
    l10n(root, "init", *LOCALES)
    for locale in LOCALES:
        for path in sorted((root / "locales" / locale / "LC_MESSAGES").glob("*.po")):
            po = polib.pofile(str(path), wrapwidth=79)
            for entry in po:
                if not entry.obsolete and not entry.msgid_plural:
                    entry.msgstr = corpus.pseudo(entry.msgid, locale)
            po.save(str(path))


def translated(path: Path, marker: str) -> str:
    """The catalog with its page's first paragraph translated anew, marked."""
    po = polib.pofile(str(path), wrapwidth=79)
    entry = next(e for e in po if e.comment.startswith("paragraph"))
    entry.msgstr = f"{marker} {corpus.pseudo(entry.msgid, path.parent.parent.name)}"
    return po.__unicode__()


def save(path: Path, text: str) -> None:
    """Write a catalog as editors save: a new file renamed over the old one."""
    staged = path.with_name(f".{path.name}.save")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)


def save_translation(path: Path, marker: str) -> None:
    save(path, translated(path, marker))


class Server:
    """`l10n serve` in a process of its own; its output is collected as it comes."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "-C", str(root), "serve", "--port", "0"],
            env=env(root),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.times: list[float] = []  # when each line came
        self.ready = threading.Event()
        first = self.process.stdout.readline()
        found = re.match(r"Serving (http://\S+/) \(Ctrl\+C to stop\)", first)
        if not found:
            sys.exit(f"l10n serve said: {first}{self.process.stdout.read()}")
        self.url = found.group(1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self.times.append(time.perf_counter())
            if line.startswith("watching"):
                self.ready.set()

    def rebuilds(self) -> int:
        return sum(1 for line in self.lines if line.startswith("rebuilt"))

    def stop(self) -> float:
        start = time.perf_counter()
        self.process.send_signal(2)
        self.process.wait(timeout=30)
        return time.perf_counter() - start


def _shows(page: object, marker: str) -> None:
    page.wait_for_function(
        "m => document.querySelector('main').textContent.includes(m)", arg=marker, timeout=30_000
    )


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}" if values else "-"


def measure(root: Path, trials: int) -> list[tuple[str, str]]:
    """(what, figure) rows, printed as they come."""
    from playwright.sync_api import sync_playwright

    from pipeline.site.browser import find_browser

    rows: list[tuple[str, str]] = []

    def row(what: str, figure: str) -> None:
        rows.append((what, figure))
        print(f"{what}: {figure}", flush=True)

    locale, page_name = "th", "page-100"
    po = root / "locales" / locale / "LC_MESSAGES" / f"{page_name}.po"
    start = time.perf_counter()
    server = Server(root)
    if not server.ready.wait(900):
        sys.exit("l10n serve did not finish its first build:\n" + "\n".join(server.lines))
    built = next((line for line in server.lines if line.startswith("built")), "")
    row(f"`l10n serve` to its first build done ({built})", f"{time.perf_counter() - start:.2f} s")
    try:
        with sync_playwright() as manager:
            browser = manager.chromium.launch(
                executable_path=find_browser(None, REPO), args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.goto(f"{server.url}{locale}/{page_name}.html")
            for pause in (0.5, 3.0):
                figures, reported = [], []
                for trial in range(trials):
                    marker = f"SAVE{RUN}x{pause:g}x{trial:03d}"
                    time.sleep(pause)
                    began = time.perf_counter()
                    save_translation(po, marker)
                    _shows(page, marker)
                    figures.append(time.perf_counter() - began)
                    said = [
                        t
                        for line, t in zip(server.lines, server.times, strict=False)
                        if line.startswith("checked")
                    ]
                    if said and said[-1] > began:
                        reported.append(said[-1] - began)
                row(
                    f"save -> open page shows it, {trials} saves {pause:g} s apart",
                    f"median {_median(figures)} s, max {max(figures):.2f} s, "
                    f"min {min(figures):.2f} s",
                )
                row(
                    f"  of which save -> page rebuilt and catalog checked ({pause:g} s apart)",
                    f"median {_median(reported)} s",
                )
            inside = [float(m.group(1)) for m in map(REBUILT.match, server.lines) if m]
            row("  of which the rebuild and check themselves", f"median {_median(inside)} s")
            before = server.rebuilds()
            burst = 10
            texts = [translated(po, f"BURST{RUN}x{number:03d}") for number in range(burst)]
            began = time.perf_counter()
            for text in texts:
                save(po, text)
                time.sleep(0.02)
            _shows(page, f"BURST{RUN}x{burst - 1:03d}")
            took = time.perf_counter() - began
            time.sleep(1.0)
            row(
                f"{burst} saves 20 ms apart",
                f"{server.rebuilds() - before} rebuilds, the last save shown {took:.2f} s "
                "after the first",
            )
            browser.close()
    finally:
        row("Ctrl+C -> process ended", f"{server.stop():.2f} s")
    return rows


START, END = "<!-- serve_bench: start -->", "<!-- serve_bench: end -->"


def write_doc(rows: list[tuple[str, str]], pages: int) -> None:
    """The live-preview section of docs/benchmarks.md (peers.py keeps it when it writes
    the rest of the file)."""
    import platform

    lines = [
        START,
        "## Live preview: `l10n serve` (benchmarks/serve_bench.py)",
        "",
        f"{pages} generated pages x 9 locales ({pages * 9} HTML pages), all served; a "
        "Chromium page open on one Thai page; each save writes a new translation into its "
        "`.po` as editors do (a new file renamed over the old). Times from the save until "
        "the open page shows the text, with no action in the browser. "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, a shared machine "
        f"(load average {os.getloadavg()[0]:.1f} at the end); {time.strftime('%Y-%m-%d')}.",
        "",
        "| measurement | result |",
        "| --- | --- |",
        *(f"| {what.strip()} | {figure} |" for what, figure in rows),
        END,
    ]
    doc = REPO / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + text[text.index(END) + len(END) + 1 :]
    doc.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {doc.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep it")
    parser.add_argument("--write-doc", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    # Each command in a process of its own: its CPU time and memory are what is measured.
    os.environ["L10N_RESIDENT"] = "0"
    work = args.keep or Path(tempfile.mkdtemp(prefix="l10n-serve-bench-"))
    root = work / "corpus"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, work in {work}")
    try:
        if not (root / "locales").is_dir():
            start = time.perf_counter()
            make_corpus(root, args.pages)
            print(f"corpus setup: {time.perf_counter() - start:.2f} s", flush=True)
            print(f"l10n build -f html: {l10n(root, 'build', '-f', 'html'):.2f} s", flush=True)
        count = len(list((root / "source").glob("*.md")))
        print(f"corpus: {count} pages x {len(LOCALES) + 1} locales", flush=True)
        rows = measure(root, args.trials)
        if args.write_doc:
            write_doc(rows, count)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
