"""Time `l10n build -f html` (not a test).

1. The repository's pages in every locale: a cold build (WOFF2 fonts made too), forced
   rebuilds (every core, and -j 1) and a no-op build (everything up to date).
2. A generated corpus of 200 pages of about 40 unique segments each, with catalogs for 8
   locales made by `l10n extract` and `l10n init` and filled in programmatically: the
   same builds.

Usage: python benchmarks/html_bench.py [--pages 200] [--jobs N] [--keep DIR]
Prints one line per measurement, in seconds.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus as generated  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LOCALES = generated.LOCALES
# A word in each locale's script, so that every page needs its script's font.
WORDS = {
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "id": "Indonesia",
    "ms": "Melayu",
    "fil": "Filipino",
    "km": "ខ្មែរ",
    "my": "မြန်မာ",
    "lo": "ລາວ",
}
VOCABULARY = [
    "patients",
    "fibrosis",
    "immune",
    "therapy",
    "kidney",
    "lungs",
    "heart",
    "treatment",
    "dose",
    "daily",
    "weekly",
    "doctor",
    "nurse",
    "clinic",
    "symptoms",
    "fatigue",
    "skin",
    "vessels",
    "blood",
    "pressure",
    "infection",
    "risk",
    "recovery",
    "months",
    "years",
    "review",
    "follow-up",
    "tablets",
    "injection",
    "monitoring",
    "nutrition",
    "exercise",
    "rest",
    "sleep",
    "water",
    "salt",
    "diet",
    "support",
    "family",
    "care",
    "plan",
    "results",
    "test",
]


def l10n(root: Path, *args: str, epoch: str = "1790000000") -> tuple[float, float]:
    """Run the CLI as a user would; return (wall-clock, CPU) seconds it took.

    CPU counts the CLI and every process it started (see `adopt_descendants`); on a
    shared machine it is the steadier figure.
    """
    # A font cache of the run's own: the cold build converts the fonts to WOFF2 itself.
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": epoch,
        "PYTHONPATH": str(REPO),
        "L10N_CACHE": str(root.parent / f"{root.name}-woff2-cache"),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "-C", str(root), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    reap()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"l10n {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def adopt_descendants() -> None:
    """Become the parent of orphaned descendants (PR_SET_CHILD_SUBREAPER), so that the
    CPU time of the build's fork server and its workers, which the CLI does not wait
    for, is counted too."""
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)


def reap() -> None:
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def sentence(rng: random.Random, number: int) -> str:
    words = rng.choices(VOCABULARY, k=rng.randint(8, 24))
    words[0] = words[0].capitalize()
    text = " ".join(words) + f" ({number})."
    if number % 7 == 0:
        text = text.replace(words[1], f"**{words[1]}**", 1)
    if number % 11 == 0:
        text += f" See [the guide](https://example.org/guide/{number})."
    return text


def page(rng: random.Random, index: int, segments: int = 40) -> str:
    """A Markdown page with about `segments` unique segments."""
    counter = index * 1000
    lines = [
        "---",
        f"title: Page {index}",
        f"description: About topic {index}.",
        "---",
        "",
        f"# Topic {index}",
        "",
    ]
    made = 3
    while made < segments:
        counter += 1
        lines += [f"## Section {index}.{counter}", ""]
        made += 1
        for _ in range(rng.randint(1, 3)):
            counter += 1
            lines += [sentence(rng, counter), ""]
            made += 1
        for _ in range(rng.randint(0, 3)):
            counter += 1
            lines.append(f"- {sentence(rng, counter)}")
            made += 1
        lines.append("")
    return "\n".join(lines)


def fill(root: Path) -> int:
    """Translate every entry of every catalog: a word in the locale's script + the English."""
    filled = 0
    for locale in LOCALES:
        for path in sorted((root / "locales" / locale / "LC_MESSAGES").rglob("*.po")):
            po = polib.pofile(str(path))
            for entry in po:
                if not entry.msgstr:
                    entry.msgstr = f"{WORDS[locale]} {entry.msgid}"
                    filled += 1
            po.save()
    return filled


def measure(label: str, root: Path, jobs: list[str]) -> None:
    pages = len(list((root / "source").rglob("*.md")))
    outputs = pages * (len(LOCALES) + 1)
    print(f"{label}: {pages} pages x {len(LOCALES) + 1} locales = {outputs} HTML files", flush=True)
    shutil.rmtree(root / "build", ignore_errors=True)
    shutil.rmtree(root.parent / f"{root.name}-woff2-cache", ignore_errors=True)
    runs = [
        ("cold build, WOFF2 fonts made too", ["build", "-f", "html", *jobs]),
        ("forced rebuild", ["build", "-f", "html", "--force", *jobs]),
        ("forced rebuild, -j 1", ["build", "-f", "html", "--force", "-j", "1"]),
        ("no-op build, all up to date", ["build", "-f", "html", *jobs]),
    ]
    for name, args in runs:
        wall, cpu = l10n(root, *args)
        print(
            f"  {name:<34} {wall:7.2f} s wall {cpu:7.2f} s CPU  {outputs / wall:6.1f} pages/s",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="passed to l10n build -j (default: the CLI's, every core)",
    )
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep it")
    args = parser.parse_args()
    # Each command in a process of its own: its CPU time and memory are what is measured.
    os.environ["L10N_RESIDENT"] = "0"
    adopt_descendants()
    jobs = ["-j", str(args.jobs)] if args.jobs else []
    work = args.keep or Path(tempfile.mkdtemp(prefix="l10n-html-bench-"))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, work in {work}")
    try:
        repo = work / "repo"
        shutil.rmtree(repo, ignore_errors=True)
        repo.mkdir(parents=True)
        for name in ("source", "locales"):
            shutil.copytree(REPO / name, repo / name)
        shutil.copy(REPO / "pyproject.toml", repo / "pyproject.toml")
        measure("repository", repo, jobs)

        corpus = work / "corpus"
        shutil.rmtree(corpus, ignore_errors=True)
        (corpus / "source").mkdir(parents=True)
        (corpus / "locales").mkdir()
        (corpus / "pyproject.toml").write_text(generated.pyproject(), encoding="utf-8")
        rng = random.Random(3)
        for index in range(args.pages):
            folder = corpus / "source" / (f"part{index % 4}" if index % 2 else "")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"page-{index:03d}.md").write_text(page(rng, index), encoding="utf-8")
        start = time.perf_counter()
        l10n(corpus, "extract")
        l10n(corpus, "init", *LOCALES)
        filled = fill(corpus)
        print(
            f"corpus setup (extract, init, fill {filled} translations): "
            f"{time.perf_counter() - start:.2f} s",
            flush=True,
        )
        measure("corpus", corpus, jobs)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
