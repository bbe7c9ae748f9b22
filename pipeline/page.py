"""What a parse finds in a source page: its segments, and what it tells the author.

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
