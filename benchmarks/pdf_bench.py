"""How fast handouts print: seconds per page, one vs two workers, and bare Playwright.

Not a test. Run from the repository root:

    python benchmarks/pdf_bench.py [--corpus 200] [--repeat 1]

It builds the repository's page in every locale into a temporary copy, then prints
(1) those pages and (2) a generated corpus (copies of the built pages, so every script is
in the mix) with pipeline.pdf at -j 1 and -j 2 (one browser per worker process, post-
processing included), and with a bare Playwright loop (one browser, page.pdf() only, no
pikepdf), and `l10n build -f pdf --force` end to end at -j 1 and -j 2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline import pdf  # noqa: E402

DATE = datetime(2026, 1, 1, tzinfo=UTC)


def build_copy(root: Path) -> None:
    for name in ("source", "locales"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    subprocess.run([sys.executable, "-m", "pipeline", "-C", str(root), "build", "-f", "html",
                    "-q"], check=True, cwd=REPO)


def corpus(root: Path, size: int) -> list[Path]:
    """`size` HTML files: copies of the built pages beside them (relative links still work)."""
    built = sorted((root / "build").glob("*/systemic-sclerosis.html"))
    files = []
    for i in range(size):
        source = built[i % len(built)]
        copy = source.with_name(f"bench-{i:03d}.html")
        shutil.copyfile(source, copy)
        files.append(copy)
    return files


def with_pipeline(files: list[Path], settings: pdf.Settings, jobs: int, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    pages = [pdf.Page(f, out / f.parent.name / f.with_suffix(".pdf").name, DATE) for f in files]
    start = time.perf_counter()
    pdf.print_pages(pages, settings, jobs)
    return time.perf_counter() - start


def bare_playwright(files: list[Path], browser: str, out: Path) -> float:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser, args=list(pdf.LAUNCH_ARGS))
        page = chromium.new_page()
        for i, f in enumerate(files):
            page.goto(f.as_uri())
            page.evaluate("document.fonts.ready.then(() => null)")
            page.pdf(path=str(out / f"{i}.pdf"), format="A4", print_background=True,
                     prefer_css_page_size=True, tagged=True, outline=True)
        chromium.close()
    return time.perf_counter() - start


def cli_build(root: Path, jobs: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "-C", str(root), "build", "-f", "pdf",
                    "--force", "-q", "-j", str(jobs)], check=True, cwd=REPO)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=int, default=200, help="generated pages (default 200)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs")
    args = parser.parse_args()
    browser = pdf.find_browser()
    settings = pdf.Settings(browser=browser)
    print(f"browser {browser}; {os.cpu_count()} cores; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
        root = Path(tmp) / "project"
        build_copy(root)
        repo_pages = sorted((root / "build").glob("*/systemic-sclerosis.html"))
        sets = {"repository": repo_pages}
        if args.corpus:
            sets[f"corpus-{args.corpus}"] = corpus(root, args.corpus)
        print(f"{'pages':<12} {'how':<26} {'seconds':>8} {'s/page':>7} {'speed-up':>8}")
        for name, files in sets.items():
            runs = {
                "pipeline.pdf -j 1": lambda f=files: with_pipeline(
                    f, settings, 1, Path(tmp) / "j1"),
                "pipeline.pdf -j 2": lambda f=files: with_pipeline(
                    f, settings, 2, Path(tmp) / "j2"),
                "bare Playwright (1 browser)": lambda f=files: bare_playwright(
                    f, browser, Path(tmp) / "bare"),
            }
            base = None
            for how, run in runs.items():
                seconds = min(run() for _ in range(args.repeat))
                base = base or seconds
                print(f"{name:<12} {how:<26} {seconds:>8.2f} {seconds / len(files):>7.3f} "
                      f"{base / seconds:>7.2f}x", flush=True)
        for jobs in (1, 2):
            seconds = min(cli_build(root, jobs) for _ in range(args.repeat))
            print(f"{'repository':<12} {f'l10n build -f pdf -j {jobs}':<26} {seconds:>8.2f} "
                  f"{seconds / len(repo_pages):>7.3f}   (HTML included, process start)",
                  flush=True)


if __name__ == "__main__":
    main()
