#!/usr/bin/env python3
"""What translation memory costs `l10n update` on the generated corpus (prints figures).

Builds the 200-page corpus with 8 pseudo-translated locales, applies the benchmark's edit
(one word changed in 10% of the segments, 5% removed, 5% added), then times `l10n
update` from the catalogs before the edit, as the median of 3 runs each: without
memory, with the other pages' translations as memory, and with a TMX memory as well.

    python benchmarks/memory_bench.py [--pages 200] [--work DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

LOCALES = corpus.LOCALES
L10N = [sys.executable, "-m", "pipeline"]


def l10n(project: Path, *args: str, code: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one run (`code`: run the package found in that checkout)."""
    env = dict(os.environ, PYTHONPATH=str(code)) if code else None
    before = os.times()
    started = time.perf_counter()
    subprocess.run(
        [*L10N, "-C", str(project), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=project,  # not the checkout: `-m pipeline` would import the package beside it
    )
    after = os.times()
    cpu = (
        after.children_user - before.children_user + after.children_system - before.children_system
    )
    return time.perf_counter() - started, cpu


def write_pages(pages: list[corpus.Page], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for page in pages:
        (folder / f"{page.name}.md").write_text(page.markdown(), encoding="utf-8")


def _fill(job: tuple[str, str]) -> None:
    path, locale = job
    po = polib.pofile(path, wrapwidth=79)
    for entry in po:
        entry.msgstr = corpus.pseudo(entry.msgid, locale)
    po.save(path)


def fill(project: Path) -> None:
    jobs = [(str(p), p.parts[-3]) for p in sorted((project / "locales").rglob("*.po"))]
    with multiprocessing.Pool() as pool:
        pool.map(_fill, jobs, chunksize=16)


def tmx(pages: list[corpus.Page], path: Path) -> int:
    """A TMX of every tenth segment, pseudo-translated into every locale."""
    units = []
    for text in [t for p in pages for t in p.segments()][::10]:
        tuvs = [f'<tuv xml:lang="en"><seg>{escape(text)}</seg></tuv>']
        tuvs += [
            f'<tuv xml:lang="{loc}"><seg>{escape(corpus.pseudo(text, loc))}</seg></tuv>'
            for loc in LOCALES
        ]
        units.append("<tu>" + "".join(tuvs) + "</tu>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="bench"'
        ' creationtoolversion="1" segtype="sentence" o-tmf="bench" adminlang="en"'
        ' srclang="en" datatype="plaintext"/><body>' + "\n".join(units) + "</body></tmx>\n",
        encoding="utf-8",
    )
    return len(units)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="a checkout of the code without memory, timed the same way for comparison",
    )
    args = parser.parse_args()
    # Each command in a process of its own: its CPU time and memory are what is measured.
    os.environ["L10N_RESIDENT"] = "0"
    work = args.work or Path(tempfile.mkdtemp(prefix="l10n-memory-"))
    shutil.rmtree(work, ignore_errors=True)
    project = work / "project"
    pages, writer = corpus.generate(args.pages)
    write_pages(pages, project / "source")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(corpus.pyproject())
    l10n(project, "extract")
    l10n(project, "init", *LOCALES)
    fill(project)
    units = tmx(pages, project / "memory" / "corpus.tmx")
    before = work / "before-edit"
    shutil.copytree(project / "locales", before)
    corpus.edit(pages, writer, seed=11)
    write_pages(pages, project / "source")
    l10n(project, "extract")

    steps = [
        ("update, the other pages as memory", "", None),
        ("update, pages and a TMX memory", 'memory = ["memory/*.tmx"]', None),
    ]
    if args.baseline:
        steps.insert(0, ("update without memory (baseline)", "", args.baseline))
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in steps}
    proposals: dict[str, int] = {}
    for _ in range(args.repeat):  # steps interleaved: a busy moment hits them alike
        for label, memory, code in steps:
            pyproject.write_text(corpus.pyproject(memory))
            for loc in LOCALES:
                shutil.rmtree(project / "locales" / loc)
                shutil.copytree(before / loc, project / "locales" / loc)
            runs[label].append(l10n(project, "update", code=code))
            proposals[label] = sum(
                1
                for path in (project / "locales").rglob("*.po")
                for line in path.read_text(encoding="utf-8").split("\n")
                if line.startswith("# memory: ")
            )
    print(f"{args.pages} pages x {len(LOCALES)} locales; TMX of {units} units")
    print(f"median of {args.repeat} runs each, interleaved")
    for label, _, _ in steps:
        wall = statistics.median(r[0] for r in runs[label])
        cpu = statistics.median(r[1] for r in runs[label])
        print(f"{label:<36} {wall:6.2f} s wall, {cpu:6.2f} s CPU ({proposals[label]} proposals)")


if __name__ == "__main__":
    main()
