"""One parse of a Markdown page serves both extraction and translation.

Python-Markdown parses the page once.  A tree processor that runs just before the inline
patterns sees each block's raw inline Markdown: extraction records it as a segment, and
translation swaps it for the translated (already rendered) HTML before the inline
patterns run.  What is extracted is therefore exactly what is looked up at build time.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import markdown
from markdown.extensions.toc import slugify, unique
from markdown.postprocessors import RawHtmlPostprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .errors import L10nError


def extensions() -> list[markdown.extensions.Extension]:
    """The extensions in use (tables, fenced_code, sane_lists; linkscan last, for every
    link pattern), as objects: given by name, Python-Markdown would look each up among
    the installed packages' entry points, which costs more than parsing a page."""
    from markdown.extensions.fenced_code import FencedCodeExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension

    from .linkscan import LinkScanExtension

    return [TableExtension(), FencedCodeExtension(), SaneListExtension(), LinkScanExtension()]


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
META_KEYS = ("title", "description")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_NOTE = re.compile(r"\A<!--\s*i18n:\s*(.*?)\s*-->\s*\Z", re.S)
_PLACEHOLDER = re.compile(r"\A\s*\x02wzxhzdk:(\d+)\x03\s*\Z")
_EMBEDDED = re.compile(r"\x02wzxhzdk:\d+\x03")
MAX_NESTING = 100  # levels of lists and block quotes; Python-Markdown recurses per level


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
class RawBlock:
    """An author's raw HTML block: passed through, never extracted."""

    line: int
    html: str


@dataclass(frozen=True)
class Page:
    """A parsed source page."""

    path: str
    meta: dict[str, str]
    segments: tuple[Segment, ...]
    raw_blocks: tuple[RawBlock, ...] = ()
    headings: tuple[tuple[int, str, str], ...] = ()  # (level, id, English text)


Replace = Callable[[Segment, dict], "str | None"]
"""Given a segment and the page's link references, the safe HTML to put in its place,
or None to keep the English."""

Annotate = Callable[[Segment, bool], "dict[str, str]"]
"""Given a segment with an element of its own and whether it stayed English, extra
attributes for that element (the live preview's map from a segment to its catalog)."""


@dataclass
class Rendered:
    """A page body rendered to HTML, with what the parse found on the way."""

    page: Page
    html: str
    fallbacks: list[Segment] = field(default_factory=list)


def fold(raw: str) -> str:
    """Join soft-wrapped lines so that re-wrapping a paragraph keeps its msgid."""
    lines = raw.strip().split("\n")
    parts = []
    for i, line in enumerate(lines):
        hard = i < len(lines) - 1 and line.endswith("  ")
        parts.append(line.strip() + ("  \n" if hard else " "))
    return "".join(parts).strip()


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
    annotate: Annotate | None = None,
) -> Rendered:
    """Render a page body to HTML, each segment replaced as `replace` says.

    Fallback segments (where `replace` returns None) carry `lang="en"` unless `lang` is
    English itself.  With `html` false, the parse stops once the segments are found.
    `annotate` adds attributes to each segment's own element (never used by `build`).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # CRLF pages: front matter too
    front = split_front_matter(text, path)
    meta, meta_lines, body, offset = front.meta, front.lines, front.body, front.offset
    walker = _Walker(body, offset, replace, lang)
    walker.annotate = annotate
    head = []
    for key in META_KEYS:
        if meta.get(key, "").strip():
            seg = Segment(fold(meta[key]), key, meta_lines.get(key, 1), "front matter")
            head.append(seg)
            walker.segments.append(seg)
    _check_nesting(body, path, offset)
    md = _markdown()
    cast(_BlockCache, md.parser.parseDocument).enabled = html
    md.preprocessors.register(_CodeMark(md, walker), "l10n_code_mark", 22)
    md.treeprocessors.register(_Segmenter(md, walker), "l10n_segments", 25)
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
        raw_blocks=tuple(walker.raw_blocks),
        headings=tuple(walker.headings),
    )
    return Rendered(page, body_html, walker.fallbacks)


_PARSER: list[markdown.Markdown] = []


def _markdown() -> markdown.Markdown:
    """The process's parser, reset for a new page: building one costs more than a short
    page's parse.  A parse that fails drops it (its block parser keeps state)."""
    if not _PARSER:
        md = markdown.Markdown(extensions=extensions())
        # An instance attribute in front of the class's method, which it wraps.
        cache = _BlockCache(md, md.parser.parseDocument)
        setattr(md.parser, "parseDocument", cache)  # noqa: B010
        _PARSER.append(md)
    return _PARSER[0].reset()


class _BlockCache:
    """Python-Markdown's block parse, remembered for the last few page bodies.

    A build renders each page once per locale from the same English: the block tree
    (and the link references found on the way) is parsed once and copied for the
    others, which then only differ in the text the walker puts in.  Extraction, which
    reads each page once, does not use it.
    """

    SIZE = 8

    def __init__(self, md: markdown.Markdown, parse: Callable) -> None:
        self.md = md
        self.parse = parse
        self.enabled = False
        self.trees: dict[str, tuple[etree.Element, dict]] = {}

    def __call__(self, lines: list[str]) -> etree.ElementTree:
        if not self.enabled:
            return self.parse(lines)
        key = "\n".join(lines)  # after the preprocessors: stash placeholders included
        found = self.trees.get(key)
        if found is None:
            tree = self.parse(lines)
            if len(self.trees) >= self.SIZE:
                del self.trees[next(iter(self.trees))]
            self.trees[key] = (copy.deepcopy(tree.getroot()), dict(self.md.references))
            return tree
        root, references = found
        self.md.references.update(references)
        return etree.ElementTree(copy.deepcopy(root))


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
    for number, line in enumerate(body.split("\n"), start=offset + 1):
        depth = _nesting(line)
        if depth > MAX_NESTING:
            raise L10nError(
                f"{path}:{number}: lists and block quotes nested {depth} levels deep; "
                f"at most {MAX_NESTING} levels are supported"
            )


class _CodeMark(Preprocessor):
    """Remember how many stash entries are fenced code, so raw HTML can be told apart."""

    def __init__(self, md: markdown.Markdown, walker: _Walker) -> None:
        super().__init__(md)
        self.walker = walker

    def run(self, lines: list[str]) -> list[str]:
        self.walker.code_stash = len(self.md.htmlStash.rawHtmlBlocks)
        return lines


class _Segmenter(Treeprocessor):
    def __init__(self, md: markdown.Markdown, walker: _Walker) -> None:
        super().__init__(md)
        self.walker = walker

    def run(self, root: etree.Element) -> None:
        self.walker.md = self.md
        self.walker.children(root, "", False)
        if self.walker.stop:
            raise _Found


def _raw_html(md: markdown.Markdown) -> RawHtmlPostprocessor:
    return cast(RawHtmlPostprocessor, md.postprocessors["raw_html"])


class _Walker:
    """Walks the block tree in document order, one text slot at a time."""

    def __init__(self, body: str, offset: int, replace: Replace | None, lang: str) -> None:
        self.lines = [line.expandtabs(4) for line in body.replace("\r\n", "\n").split("\n")]
        self.offset = offset
        self.replace = replace
        self.lang = lang
        self.cursor = 0
        self.column = 0
        self.code_stash = 0
        self.md: markdown.Markdown | None = None
        self.segments: list[Segment] = []
        self.raw_blocks: list[RawBlock] = []
        self.fallbacks: list[Segment] = []
        self.headings: list[tuple[int, str, str]] = []
        self.section = ""
        self.notes: list[str] = []
        self.skip = False
        self.stop = False
        self.ids: set[str] = set()
        self.annotate: Annotate | None = None

    def locate(self, text: str) -> int:
        """The source line of a block, found by its first line after the last one found.

        Blocks may share a line (table cells) but not a place: the search goes on from
        the end of the last match, so two identical blocks get their own lines.
        """
        probe = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")[:80]
        if probe:
            for i in range(self.cursor, len(self.lines)):
                at = self.lines[i].find(probe, self.column if i == self.cursor else 0)
                if at >= 0:
                    self.cursor, self.column = i, at + len(probe)
                    break
        return self.cursor + 1 + self.offset

    def children(self, parent: etree.Element, where: str, english: bool) -> None:
        for el in list(parent):
            self.block(parent, el, where, english)

    def block(self, parent: etree.Element, el: etree.Element, where: str, english: bool) -> None:
        stash = _PLACEHOLDER.match(el.text or "") if el.tag == "p" and not len(el) else None
        if stash:
            self.stashed(parent, el, int(stash.group(1)))
            return
        notes, self.notes = tuple(self.notes), []
        if self.skip:
            self.skip = False
            self.keep_english(el, english)
            if el.tag in HEADINGS:
                self.heading(el)
            return
        tag = el.tag
        if tag in HEADINGS:
            self.heading(el)
            self.slot(el, "text", f"heading {tag[1]}", notes, english)
        elif tag == "p":
            self.slot(el, "text", f"paragraph{where}", notes, english)
        elif tag in ("ul", "ol"):
            for number, item in enumerate(el, start=1):
                kind = f"list item {number}" if tag == "ol" else "list item"
                fell_back = self.slot(item, "text", f"{kind}{where}", notes, english)
                for child in list(item):
                    self.block(item, child, f" in {kind}", english or fell_back)
                    self.slot(child, "tail", f"{kind}{where}", notes, english, mark=False)
        elif tag == "blockquote":
            self.children(el, " in block quote", english)
        elif tag == "table":
            for cell in (c for c in el.iter() if c.tag in ("th", "td")):
                kind = "table header" if cell.tag == "th" else "table cell"
                self.slot(cell, "text", kind, notes, english)
        elif tag in ("pre", "hr"):
            return
        else:
            self.children(el, where, english)

    def heading(self, el: etree.Element) -> None:
        text = fold(el.text or "")
        self.section = _plain(text)
        anchor = unique(slugify(self.section, "-") or "section", self.ids)
        el.set("id", anchor)
        self.headings.append((int(el.tag[1]), anchor, self.section))

    def stashed(self, parent: etree.Element, el: etree.Element, index: int) -> None:
        raw = self.md.htmlStash.rawHtmlBlocks[index] if self.md else ""
        raw = raw if isinstance(raw, str) else ""
        note = _NOTE.match(raw)
        if note:
            parent.remove(el)
            if note.group(1).lower() == "skip":
                self.skip = True
            else:
                self.notes.append(note.group(1))
        elif index >= self.code_stash:
            self.raw_blocks.append(RawBlock(self.locate(raw), raw))

    def keep_english(self, el: etree.Element, english: bool) -> None:
        if self.replace is not None and not english and self.lang != "en":
            el.set("lang", "en")

    def slot(
        self,
        el: etree.Element,
        attr: str,
        kind: str,
        notes: tuple[str, ...],
        english: bool,
        mark: bool = True,
    ) -> bool:
        """Record (and maybe replace) one text slot; True when it stays English."""
        raw = getattr(el, attr)
        if not raw or not raw.strip() or _PLACEHOLDER.match(raw):
            return english
        if _EMBEDDED.search(raw):
            # Text run together with an author's raw HTML block (`<div>a</div>*<b>`): the
            # block is theirs, and a msgid must never carry Python-Markdown's placeholder.
            stash = self.md.htmlStash.rawHtmlBlocks if self.md else []
            block = _EMBEDDED.sub(lambda m: str(stash[int(m.group()[9:-1])]), raw)
            self.raw_blocks.append(RawBlock(self.locate(_EMBEDDED.sub("", raw)), block))
            if mark and not english and self.replace is not None and self.lang != "en":
                el.set("lang", "en")
                return True
            return english
        seg = Segment(fold(raw), kind, self.locate(raw), self.section, notes)
        self.segments.append(seg)
        if self.replace is None:
            return english
        assert self.md is not None  # set by _Segmenter before the walk
        html = self.replace(seg, self.md.references)
        if mark and self.annotate is not None:
            for name, value in self.annotate(seg, html is None).items():
                el.set(name, value)
        if html is None:
            self.fallbacks.append(seg)
            if mark and not english and self.lang != "en":
                el.set("lang", "en")
                return True
            return english
        stored = self.md.htmlStash.store(html)
        if el.tag == "p" and _raw_html(self.md).isblocklevel(html):
            # A lone placeholder in a <p> whose HTML starts with a block-level tag would
            # be taken for a raw HTML block and lose its <p>: keep the paragraph.
            stored = self.md.htmlStash.store("") + stored
        # Atomic: the inline patterns have nothing to find in a placeholder, and the
        # page's inline pass would otherwise try each of them on it.
        setattr(el, attr, AtomicString(stored))
        if english and mark:
            el.set("lang", self.lang)
        return False


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _plain(text: str) -> str:
    """Heading text without inline Markdown, for section names and anchors."""
    text = _LINK.sub(r"\1", text)
    return re.sub(r"[*_`]+", "", text).strip()
