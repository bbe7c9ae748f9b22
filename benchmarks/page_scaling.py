"""How extraction time grows with the size of a page (not a test: prints figures).

Parsing and template building should be linear: four times the page, about four times
the time; a quadratic step would make it sixteen.

    python benchmarks/page_scaling.py
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from pipeline import segments
from pipeline.extract import Header, page_template


def page(paragraphs: int) -> str:
    return "\n\n".join(
        f"## Section {i}\n\nParagraph {i} has **bold** text, a [link](https://example.org/{i})"
        f" and the number {i * 7}."
        for i in range(paragraphs)
    )


def seconds(text: str) -> float:
    started = time.perf_counter()
    parsed = segments.parse(text, "big.md")
    page_template(parsed, Header("x", datetime(2026, 1, 1, tzinfo=UTC), "t"))
    return time.perf_counter() - started


def main() -> None:
    small, large = page(500), page(2000)
    seconds(small)
    base = min(seconds(small) for _ in range(3))
    big = min(seconds(large) for _ in range(3))
    print(f"{len(small):>9} bytes: {base:.3f} s")
    print(f"{len(large):>9} bytes: {big:.3f} s")
    print(f"4x the page: {big / base:.1f}x the time (linear: about 4)")


if __name__ == "__main__":
    main()
