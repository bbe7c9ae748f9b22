"""Inline Markdown of one segment: rendering, link targets and raw HTML.

Translations are untrusted; they are rendered on their own, with the same inline
patterns as the page, so that what they contain can be inspected before it is used.
The build's vetting and the checks both ask for the same renderings (the English of a
page once per locale, each translation once for its page and once for its checks), so a
process remembers the last few thousand: each text is parsed once.
"""

from __future__ import annotations

import functools
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown

from .segments import extensions

References = Mapping[str, tuple[str, "str | None"]]
_local = threading.local()
_TAG = re.compile(r"\A\s*<")
# What any of the inline patterns in use needs to match (code, escapes, links and images,
# autolinks and raw HTML, entities, emphasis, hard line breaks): text with none of it
# renders as itself, escaped as Python-Markdown's serializer escapes it.
_SYNTAX = re.compile(r"[`\\\[<&*_]|  \n")


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
    md.reset()
    return md


ReferenceKey = tuple[tuple[str, tuple[str, "str | None"]], ...]
MEMO_SIZE = 8192  # renderings kept per process: a page's English and its translations


def references_key(references: References | None) -> ReferenceKey:
    """A page's link references in the hashable form the memo is keyed by."""
    return tuple(sorted(references.items())) if references else ()


def render_inline(text: str, references: References | None = None) -> Inline:
    """Render a segment's inline Markdown exactly as it renders inside its page.

    `references` are the page's link reference definitions, so `[text][ref]` resolves.
    """
    return render_keyed(text, references_key(references))


def render_keyed(text: str, references: ReferenceKey = ()) -> Inline:
    """`render_inline` with the references given as `references_key` makes them."""
    # As Python-Markdown's own preprocessor does for a page: STX and ETX delimit its
    # placeholders, which a translation must not be able to name.
    text = text.replace("\x02", "").replace("\x03", "")
    if not _SYNTAX.search(text):
        return Inline(text.replace(">", "&gt;"), (), (), ())
    return _remembered(text, references)


@functools.lru_cache(maxsize=MEMO_SIZE)
def _remembered(text: str, references: ReferenceKey) -> Inline:
    return parse(text, dict(references))


def parse(text: str, references: References) -> Inline:
    """One parse of a segment by Python-Markdown's inline patterns (not remembered)."""
    md = _md()
    if references:
        md.references.update(references)
    root = etree.Element("div")
    etree.SubElement(root, "span").text = text  # not <p>: no raw HTML block
    md.treeprocessors["inline"].run(root)
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
