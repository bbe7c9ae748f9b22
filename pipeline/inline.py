"""Inline Markdown of one segment: rendering, link targets and raw HTML.

Translations are untrusted; they are rendered on their own, with the same inline
patterns as the page, so that what they contain can be inspected before it is used.
What a segment refers to elsewhere in its page (link references, footnotes,
abbreviations) comes with it as its Scope.  The build's vetting and the checks both ask
for the same renderings (the English of a page once per locale, each translation once
for its page and once for its checks), so a process remembers the last few thousand:
each text is parsed once.
"""

from __future__ import annotations

import functools
import html as htmllib
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


# Inline patterns that cannot match a text without this character (Python-Markdown's
# names). A text is parsed without those it cannot use: asking each of them costs more
# than the parse itself. Patterns not listed here (those extensions add) always run.
NEEDS = {
    "backtick": "`",
    "escape": "\\",
    "reference": "[",
    "link": "[",
    "image_link": "[",
    "image_reference": "[",
    "short_reference": "[",
    "short_image_ref": "[",
    "footnote": "[",
    "autolink": "<",
    "automail": "<",
    "html": "<",
    "linebreak": "\n",
    "entity": "&",
}


def _md(text: str) -> markdown.Markdown:
    """This thread's parser for a text: one per set of trigger characters it lacks."""
    absent = frozenset(ch for ch in set(NEEDS.values()) if ch not in text)
    parsers = _local.__dict__.setdefault("parsers", {})
    md = parsers.get(absent)
    if md is None:
        md = parsers[absent] = markdown.Markdown(extensions=extensions())
        footnotes = cast(FootnoteInlineProcessor, md.inlinePatterns["footnote"])
        md.inlinePatterns.register(
            _FootnoteRef(footnotes.pattern, footnotes.footnotes), "footnote", 175
        )
        for name, needed in NEEDS.items():
            if needed in absent and name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
    md.reset()
    return md


ReferenceKey = tuple[tuple[str, tuple[str, "str | None"]], ...]
MEMO_SIZE = 8192  # renderings kept per process: a page's English and its translations


def render_inline(text: str, references: References | None = None) -> Inline:
    """Render a segment's inline Markdown exactly as it renders inside its page.

    `references` are the page's link reference definitions, so `[text][ref]` resolves,
    or its whole Scope (footnotes and abbreviations too).
    """
    # As Python-Markdown's own preprocessor does for a page: STX and ETX delimit its
    # placeholders, which a translation must not be able to name.
    if "\x02" in text or "\x03" in text:
        text = text.replace("\x02", "").replace("\x03", "")
    scope = Scope.of(references)
    abbreviations = (
        tuple((a, t) for a, t in scope.abbreviations if a in text) if scope.abbreviations else ()
    )
    if not abbreviations:
        if not _SYNTAX.search(text):
            return Inline(text.replace(">", "&gt;"), (), (), ())
        if "[" not in text:  # nothing of the Scope to use: remembered by the text alone
            return _remembered_plain(text)
    # Remembered under what of the Scope this text can use: references need a `[`, a
    # footnote `[^`; so the build (its page's whole Scope) and the checks (link
    # references alone) share the parse of every text that uses neither otherwise.
    used = Scope(
        scope.references if "[" in text else (),
        scope.footnotes if "[^" in text else None,
        abbreviations,
    )
    return _remembered(text, used)


def render_keyed(text: str, references: ReferenceKey = ()) -> Inline:
    """`render_inline` with a page's link references as sorted (label, (url, title)) pairs."""
    return render_inline(text, Scope(references))


@functools.lru_cache(maxsize=MEMO_SIZE)
def _remembered(text: str, scope: Scope) -> Inline:
    return parse(text, scope)


_PLAIN = Scope()


@functools.lru_cache(maxsize=MEMO_SIZE)
def _remembered_plain(text: str) -> Inline:
    """A text that uses nothing of its Scope (the common case): keyed by the text alone,
    which Python hashes once, where a Scope is hashed field by field at every lookup."""
    return parse(text, _PLAIN)


def forget() -> None:
    """Drop every remembered rendering: the next of each text is parsed again."""
    _remembered.cache_clear()
    _remembered_plain.cache_clear()


def parse(text: str, scope: Scope) -> Inline:
    """One parse of a segment by Python-Markdown's inline patterns (not remembered)."""
    abbreviations = [(a, t) for a, t in scope.abbreviations if a in text]
    md = _md(text)
    md.references.update(scope)
    if "footnote" in md.inlinePatterns:
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
    written = any(isinstance(block, str) and "<" in block for block in md.htmlStash.rawHtmlBlocks)
    found = None if written else serialized_tags(html)
    if found is None:
        scan = _Scan()
        scan.feed(html)
        scan.close()
        found = (tuple(scan.tags), tuple(scan.targets))
    return Inline(html, raw, found[1], found[0])


_START = re.compile(r'<([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s"=/>]+="[^"]*")*)\s*/?>')
_ATTRIBUTE = re.compile(r'\s+([^\s"=/>]+)="([^"]*)"')
_TARGET_OF = {"a": "href", "img": "src"}


def serialized_tags(html: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(tags, link and image targets) of HTML that Python-Markdown's serializer wrote, with
    no raw HTML in it: every tag regular, every attribute double-quoted and escaped, so a
    pattern reads it as an HTML parser does (and faster). None when a `<` is not such a
    tag: then only a parser will do."""
    tags: list[str] = []
    targets: list[str] = []
    for found in _START.finditer(html):
        tag = found.group(1).lower()
        tags.append(tag)
        wanted = _TARGET_OF.get(tag)
        if wanted:
            for name, value in _ATTRIBUTE.findall(found.group(2)):
                if name.lower() == wanted:
                    targets.append(htmllib.unescape(value))
    if html.count("<") != len(tags) + html.count("</"):
        return None
    return tuple(tags), tuple(targets)


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
