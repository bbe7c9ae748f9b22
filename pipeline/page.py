"""What a parse finds in a source page: its segments, and what it tells the author;
and `fold`, the one rule for a segment's text (a front matter value's too).

Kept apart from the parser (`segments`), so that what extraction remembered of a page
can be used without loading Python-Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """A translatable unit: one block's inline Markdown, soft line breaks folded."""

    text: str
    kind: str
    line: int
    section: str = ""
    notes: tuple[str, ...] = ()

    @property
    def comment(self) -> str:
        """The extracted comment a translator sees: what it is and where."""
        where = f"{self.kind} · {self.section}" if self.section else self.kind
        return "\n".join((where, *self.notes))


@dataclass(frozen=True)
class Notice:
    """What extraction tells an author about a page: what is left out, and why.
    `untranslatable` ones are content a reader sees in no language but the page's own."""

    line: int
    message: str
    untranslatable: bool = False


@dataclass(frozen=True)
class Page:
    """A parsed source page."""

    path: str
    meta: dict[str, str]
    segments: tuple[Segment, ...]
    notices: tuple[Notice, ...] = ()
    headings: tuple[tuple[int, str, str], ...] = ()  # (level, id, English text)


def fold(raw: str) -> str:
    """Join soft-wrapped lines so that re-wrapping a paragraph keeps its msgid."""
    if "\n" not in raw:
        return raw.strip()
    folded = raw.strip()
    if "  \n" not in folded:  # no hard line break: one space a line end
        return " ".join(line.strip() for line in folded.split("\n"))
    lines = folded.split("\n")
    parts = []
    for i, line in enumerate(lines):
        hard = i < len(lines) - 1 and line.endswith("  ")
        parts.append(line.strip() + ("  \n" if hard else " "))
    return "".join(parts).strip()
