"""Inline Markdown of one segment: rendering, link targets and raw HTML.

Translations are untrusted; they are rendered on their own, with the same inline
patterns as the page, so that what they contain can be inspected before it is used.
"""

from __future__ import annotations

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


def render_inline(text: str, references: References | None = None) -> Inline:
    """Render a segment's inline Markdown exactly as it renders inside its page.

    `references` are the page's link reference definitions, so `[text][ref]` resolves.
    """
    # As Python-Markdown's own preprocessor does for a page: STX and ETX delimit its
    # placeholders, which a translation must not be able to name.
    text = text.replace("\x02", "").replace("\x03", "")
    if not _SYNTAX.search(text):
        return Inline(text.replace(">", "&gt;"), (), (), ())
    md = _md()
    if references:
        # The stubs type a reference's title as str; Python-Markdown stores None for none.
        md.references.update(references)  # type: ignore[arg-type]
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
