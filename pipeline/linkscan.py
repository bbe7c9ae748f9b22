"""Python-Markdown's link and image patterns, their bracket matching done at C speed.

Before it reads a link, Python-Markdown works out, for every character of a text, where
the bracket enclosing it closes (`LinkInlineProcessor._findBracketEnds`), one character
at a time in Python, again for each of the six link and image patterns.  That loop was
a tenth of the checks' time.  `bracket_ends` gives the same answer by visiting only the
brackets, which the regex engine finds; the extension hands it to every link pattern.
"""

from __future__ import annotations

import re

import markdown
from markdown.inlinepatterns import LinkInlineProcessor

_BRACKET = re.compile(r"[\[\]]")


def bracket_ends(data: str) -> list[int | None]:
    """For each index of `data` (and its end), the index just past the `]` that closes
    the bracket depth it stands at, or None when that never closes: exactly what
    `LinkInlineProcessor._findBracketEnds` returns.

    Between two brackets the depth does not change, so a whole run of indexes closes at
    once: the stack holds runs (first, past the last, depth) instead of indexes.
    """
    ends: list[int | None] = [None] * (len(data) + 1)
    runs: list[tuple[int, int, int]] = []
    depth = start = 0
    for found in _BRACKET.finditer(data):
        at = found.start()
        runs.append((start, at + 1, depth))
        depth += 1 if data[at] == "[" else -1
        start = at + 1
        while runs and depth < runs[-1][2]:
            first, past, _ = runs.pop()
            ends[first:past] = [start] * (past - first)
    return ends


class LinkScanExtension(markdown.Extension):
    """Gives `bracket_ends` to every link and image pattern of a Markdown instance."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (its API)
        for pattern in md.inlinePatterns:
            if isinstance(pattern, LinkInlineProcessor) and hasattr(pattern, "_findBracketEnds"):
                pattern._findBracketEnds = bracket_ends
