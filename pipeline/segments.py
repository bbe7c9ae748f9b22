"""One parse of a Markdown page serves both extraction and translation.

Python-Markdown parses the page once.  The `walker`, a tree processor that runs just
before the inline patterns, sees each block's raw inline Markdown: extraction records it
as a segment, and translation swaps it for the translated (already rendered) HTML before
the inline patterns run.  What is extracted is therefore exactly what is looked up at
build time.

This module holds the entry points (`parse`, `render`) and what they do around the walk:
the page's front matter, the guard against absurd nesting, and the process's one parser
with its block-parse cache and the hooks that hand each page's walker to it.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .dialect import abbreviation_titles, extensions, footnote_extension
from .errors import L10nError
from .page import Notice, Page, Segment, fold
from .walker import Annotate, Replace, Source, Walker

__all__ = [
    "Annotate",
    "Notice",
    "Page",
    "Replace",
    "Segment",
    "Source",
    "extensions",
    "fold",
    "parse",
    "render",
]

META_KEYS = ("title", "description")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
MAX_NESTING = 100  # levels of lists and block quotes; Python-Markdown recurses per level
_DEEP = re.compile(rf"^[ \t>]{{{MAX_NESTING + 1},}}", re.M)


@dataclass
class Rendered:
    """A page body rendered to HTML, with what the parse found on the way."""

    page: Page
    html: str
    fallbacks: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class FrontMatter:
    """A page split at the end of its YAML front matter."""

    meta: dict[str, str]
    lines: dict[str, int]  # the line of each key
    body: str
    offset: int  # lines before the body


def split_front_matter(text: str, path: str) -> FrontMatter:
    match = _FRONT_MATTER.match(text)
    if not match:
        return FrontMatter({}, {}, text, 0)
    import yaml  # here: a page without front matter never needs it

    try:
        data = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise L10nError(f"{path}:{line}: invalid YAML front matter") from None
    if not isinstance(data, dict):
        raise L10nError(f"{path}:2: front matter must be a mapping of keys to values")
    meta = {str(k): str(v) for k, v in data.items() if v is not None}
    lines = {}
    for number, line in enumerate(match.group(0).split("\n")[1:], start=2):
        key = line.split(":", 1)[0].strip()
        if key in meta and key not in lines:
            lines[key] = number
    return FrontMatter(meta, lines, text[match.end() :], match.group(0).count("\n"))


def parse(text: str, path: str) -> Page:
    """Parse a page into its segments, in document order."""
    return render(text, path, html=False).page


class _Found(Exception):
    """Raised once the segments are known when no HTML is wanted: the inline patterns
    and serialisation that follow are most of Python-Markdown's time."""


def render(
    text: str,
    path: str,
    replace: Replace | None = None,
    lang: str = "en",
    html: bool = True,
    source: Source | None = None,
    annotate: Annotate | None = None,
) -> Rendered:
    """Render a page body to HTML, each segment replaced as `replace` says.

    Fallback segments (where `replace` returns None) carry `lang="en"` unless `lang` is
    English itself.  `source` renders the English of a segment that is not replaced;
    without it the page's own inline pass renders it.  With `html` false, the parse
    stops once the segments are found.
    `annotate` adds attributes to each segment's own element (never used by `build`).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # CRLF pages: front matter too
    front = split_front_matter(text, path)
    meta, meta_lines, body, offset = front.meta, front.lines, front.body, front.offset
    md = _markdown()
    walker = Walker(md, body, offset, replace, lang, source)
    walker.annotate = annotate
    head = []
    for key in META_KEYS:
        if meta.get(key, "").strip():
            seg = Segment(fold(meta[key]), key, meta_lines.get(key, 1), "front matter")
            head.append(seg)
            walker.segments.append(seg)
    _check_nesting(body, path, offset)
    cast(_BlockCache, md.parser.parseDocument).enabled = html
    for hook in _hooks(md):
        hook.walker = walker
    walker.stop = not html
    try:
        body_html = md.convert(body)
    except _Found:
        body_html = ""
    except RecursionError:
        _PARSER.clear()
        raise L10nError(
            f"{path}: nested too deeply to parse; flatten its lists and block quotes"
        ) from None
    except BaseException:
        _PARSER.clear()  # a parse cut short leaves the parser's state behind
        raise
    page = Page(
        path=path,
        meta=meta,
        segments=tuple(walker.segments),
        notices=tuple(walker.notices),
        headings=tuple(walker.headings),
    )
    return Rendered(page, body_html, walker.fallbacks)


_PARSER: list[markdown.Markdown] = []


def ready() -> None:
    """Build the process's parser now (say, before forking the processes that parse)
    rather than for the first page."""
    _markdown()


def _markdown() -> markdown.Markdown:
    """The process's parser, reset for a new page: building one costs more than a short
    page's parse.  A parse that fails drops it (its block parser keeps state)."""
    if not _PARSER:
        md = markdown.Markdown(extensions=extensions())
        # An instance attribute in front of the class's method, which it wraps.
        cache = _BlockCache(md, md.parser.parseDocument)
        setattr(md.parser, "parseDocument", cache)  # noqa: B010
        # The walker's hooks, registered once: each page hands them its own walker.
        md.preprocessors.register(_CodeMark(md, True), "l10n_code_start", 26)
        md.preprocessors.register(_CodeMark(md, False), "l10n_code_end", 22)
        md.treeprocessors.register(_Segmenter(md), "l10n_segments", 25)
        _PARSER.append(md)
    return _PARSER[0].reset()


def _hooks(md: markdown.Markdown) -> tuple[_CodeMark, _CodeMark, _Segmenter]:
    return (
        cast(_CodeMark, md.preprocessors["l10n_code_start"]),
        cast(_CodeMark, md.preprocessors["l10n_code_end"]),
        cast(_Segmenter, md.treeprocessors["l10n_segments"]),
    )


class _BlockCache:
    """Python-Markdown's block parse, remembered for the last few page bodies.

    A build renders each page once per locale from the same English: the block tree
    (and what the block parse found on the way: link references, footnotes,
    abbreviations) is parsed once and copied for the others, which then only differ in
    the text the walker puts in.  Extraction, which reads each page once, does not use it.
    """

    SIZE = 8

    def __init__(self, md: markdown.Markdown, parse: Callable) -> None:
        self.md = md
        self.parse = parse
        self.enabled = False
        self.trees: dict[str, tuple[etree.Element, tuple[dict, dict, dict]]] = {}

    def __call__(self, lines: list[str]) -> etree.ElementTree:
        if not self.enabled:
            return self.parse(lines)
        key = "\n".join(lines)  # after the preprocessors: stash placeholders included
        found = self.trees.get(key)
        if found is None:
            tree = self.parse(lines)
            if len(self.trees) >= self.SIZE:
                del self.trees[next(iter(self.trees))]
            self.trees[key] = (copy.deepcopy(tree.getroot()), self.found())
            return tree
        root, (references, footnotes, abbreviations) = found
        self.md.references.update(references)
        footnote_extension(self.md).footnotes.update(footnotes)
        abbreviation_titles(self.md).update(abbreviations)
        return etree.ElementTree(copy.deepcopy(root))

    def found(self) -> tuple[dict, dict, dict]:
        return (
            dict(self.md.references),
            dict(footnote_extension(self.md).footnotes),
            dict(abbreviation_titles(self.md)),
        )


def _nesting(line: str) -> int:
    """How deep a line sits in lists and block quotes: one level per `>` or 4 columns."""
    depth = spaces = 0
    for ch in line:
        if ch == ">":
            depth += 1 + spaces // 4
            spaces = 0
        elif ch == " ":
            spaces += 1
        elif ch == "\t":
            spaces += 4 - spaces % 4
        else:
            return depth + spaces // 4
    return depth  # a blank line: its indentation nests nothing


def _check_nesting(body: str, path: str, offset: int) -> None:
    """Refuse absurd nesting, whose parse time grows with the square of its depth (and
    would exhaust Python's recursion limit), before Python-Markdown sees it."""
    if not _DEEP.search(body):  # each level takes at least one of these characters
        return
    for number, line in enumerate(body.split("\n"), start=offset + 1):
        depth = _nesting(line)
        if depth > MAX_NESTING:
            raise L10nError(
                f"{path}:{number}: lists and block quotes nested {depth} levels deep; "
                f"at most {MAX_NESTING} levels are supported"
            )


class _CodeMark(Preprocessor):
    """Remember which stash entries are fenced code, so raw HTML can be told apart: one
    runs before the fenced code preprocessor, one after it."""

    walker: Walker  # the page's, set before each parse

    def __init__(self, md: markdown.Markdown, start: bool) -> None:
        super().__init__(md)
        self.start = start

    def run(self, lines: list[str]) -> list[str]:
        count = len(self.md.htmlStash.rawHtmlBlocks)
        if self.start:
            self.walker.code_from = count
        else:
            self.walker.code.update(range(self.walker.code_from, count))
        return lines


class _Segmenter(Treeprocessor):
    walker: Walker  # the page's, set before each parse

    def run(self, root: etree.Element) -> None:
        self.walker.begin()
        self.walker.children(root, "", False)
        self.walker.finish()
        if self.walker.stop:
            raise _Found
