"""Inline Markdown of one segment: rendering, link targets and raw HTML.

Translations are untrusted; they are rendered on their own, with the same inline
patterns as the page, so that what they contain can be inspected before it is used.
What a segment refers to elsewhere in its page (link references, footnotes,
abbreviations) comes with it as its Scope.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import cast

import markdown
from markdown.extensions.abbr import AbbrTreeprocessor
from markdown.extensions.footnotes import FootnoteInlineProcessor

from .dialect import extensions

References = Mapping[str, tuple[str, "str | None"]]
_local = threading.local()
_TAG = re.compile(r"\A\s*<")
# What any of the inline patterns in use needs to match (code, escapes, links and images,
# footnotes, autolinks and raw HTML, entities, emphasis, hard line breaks): text with none
# of it renders as itself, escaped as Python-Markdown's serializer escapes it.
_SYNTAX = re.compile(r"[`\\\[<&*_]|  \n")


@dataclass(frozen=True)
class Scope(Mapping):
    """What a segment's Markdown may refer to in its page: link reference definitions
    (the mapping itself, as Python-Markdown keeps them), footnotes in number order, and
    abbreviations with the title each shows.  `footnotes` None: any `[^id]` is a
    footnote (checks compare segments without their page)."""

    references: tuple[tuple[str, tuple[str, str | None]], ...] = ()
    footnotes: tuple[str, ...] | None = None
    abbreviations: tuple[tuple[str, str], ...] = ()
    _found: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, references: References | None) -> Scope:
        if isinstance(references, Scope):
            return references
        return cls(tuple(sorted((references or {}).items())))

    def __getitem__(self, key: str) -> tuple[str, str | None]:
        if not self._found and self.references:
            self._found.update(self.references)
        return self._found[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.references)

    def __len__(self) -> int:
        return len(self.references)

    def number(self, footnote: str) -> str | None:
        """The number a footnote reference shows, None when the page lacks the note."""
        if self.footnotes is None:
            return footnote
        if footnote in self.footnotes:
            return str(self.footnotes.index(footnote) + 1)
        return None


class _FootnoteRef(FootnoteInlineProcessor):
    """`[^id]` as the page's footnotes extension writes it, numbered from the Scope."""

    scope = Scope()

    def handleMatch(  # type: ignore[override]  # noqa: N802
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        name = m.group(1)
        number = self.scope.number(name)
        if number is None:
            return None, None, None
        sup = etree.Element("sup", {"id": f"fnref:{name}"})
        link = etree.SubElement(sup, "a", {"href": f"#fn:{name}", "class": "footnote-ref"})
        link.text = number
        return sup, m.start(0), m.end(0)


@dataclass(frozen=True)
class Inline:
    """A segment rendered on its own."""

    html: str
    raw_html: tuple[str, ...]  # raw HTML tags and comments written in the Markdown
    targets: tuple[str, ...]  # link and image targets, in order
    tags: tuple[str, ...]  # the elements the Markdown produced, in order


def _md() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=extensions())
        footnotes = cast(FootnoteInlineProcessor, md.inlinePatterns["footnote"])
        md.inlinePatterns.register(
            _FootnoteRef(footnotes.pattern, footnotes.footnotes), "footnote", 175
        )
    md.reset()
    return md


def render_inline(text: str, references: References | None = None) -> Inline:
    """Render a segment's inline Markdown exactly as it renders inside its page.

    `references` are the page's link reference definitions, so `[text][ref]` resolves,
    or its whole Scope (footnotes and abbreviations too).
    """
    # As Python-Markdown's own preprocessor does for a page: STX and ETX delimit its
    # placeholders, which a translation must not be able to name.
    text = text.replace("\x02", "").replace("\x03", "")
    scope = Scope.of(references)
    abbreviations = [(a, t) for a, t in scope.abbreviations if a in text]
    if not _SYNTAX.search(text) and not abbreviations:
        return Inline(text.replace(">", "&gt;"), (), (), ())
    md = _md()
    md.references.update(scope)
    cast(_FootnoteRef, md.inlinePatterns["footnote"]).scope = scope
    root = etree.Element("div")
    etree.SubElement(root, "span").text = text  # not <p>: no raw HTML block
    md.treeprocessors["inline"].run(root)
    if abbreviations:
        abbr = cast(AbbrTreeprocessor, md.treeprocessors["abbr"])
        abbr.abbrs.update(abbreviations)
        abbr.run(root)
    md.treeprocessors["unescape"].run(root)  # backslash escapes, as in the page
    raw = tuple(
        block
        for block in md.htmlStash.rawHtmlBlocks
        if isinstance(block, str) and _TAG.match(block)
    )
    html = md.serializer(root)
    for post in md.postprocessors:
        html = post.run(html)
    html = html.removeprefix("<div><span>").removesuffix("</span></div>")
    scan = _Scan()
    scan.feed(html)
    scan.close()
    return Inline(html, raw, tuple(scan.targets), tuple(scan.tags))


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        wanted = {"a": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.targets.append(value)
