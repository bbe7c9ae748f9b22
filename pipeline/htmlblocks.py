"""An author's raw HTML block, made translatable.

Python-Markdown keeps a block that starts with an HTML tag (`<details>`, `<div>`,
`<table>`…) as one raw string, up to its closing tag.  CommonMark ends an HTML block at
a blank line, and what follows, up to the next line that starts HTML, is Markdown: the
block is split the same way here, each Markdown part left for the page's own parser.

The HTML parts go through the page's allowlist sanitiser (nh3: no scripts, styles,
event handlers or `javascript:` URLs) and are then parsed (lxml) into elements the
segment walker treats like Markdown's own.  Inside each element, a run of text and
inline tags is one segment, written as inline Markdown would be: inline tags stay in it
as raw HTML, text is escaped so that it means what it meant in HTML.
"""

from __future__ import annotations

import copy
import functools
import html as htmllib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import nh3
from markdown.util import AtomicString

from .safety import ATTRIBUTES, PHRASING, SCHEMES

if TYPE_CHECKING:  # lxml is imported where a page has an HTML block
    import lxml.html

MARKDOWN_TAG = "l10n-markdown"  # where a Markdown part of the block goes
KEPT_TAG = "l10n-kept"  # where an element the page's parser made goes (see `assemble`)
# Block elements an author's HTML may keep, besides the inline ones (safety.TAGS).
BLOCK_TAGS = {
    *("address", "article", "aside", "blockquote", "caption", "center", "col", "colgroup"),
    *("dd", "details", "div", "dl", "dt", "figcaption", "figure", "footer", "header"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "hr", "li", "main", "nav", "ol", "p"),
    *("pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr"),
    "ul",
}
BLOCK_ATTRIBUTES = {
    **ATTRIBUTES,
    "*": {*ATTRIBUTES["*"], "id", "align"},
    "details": {"open"},
    "img": {*ATTRIBUTES["img"], "align"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "headers", "width"},
    "th": {"colspan", "rowspan", "headers", "scope", "width"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "table": {"width"},
    MARKDOWN_TAG: {"data-part"},
    KEPT_TAG: {"data-part"},
}
REMOVED = {"script", "style"}  # never on a page, English or not
# Content a page cannot show translated: removed, with its text, and named by extract.
UNTRANSLATABLE = {
    *("applet", "audio", "button", "canvas", "embed", "form", "frame", "frameset"),
    *("iframe", "map", "math", "noscript", "object", "select", "svg", "template"),
    *("textarea", "video"),
}
VOID = {"br", "wbr", "img", "hr", "col"}
_PHRASING = PHRASING

# CommonMark's HTML block starts (spec 4.6): conditions 1 to 5 end at a marker, 6 and 7
# at a blank line; 7 cannot interrupt a paragraph.
_CODE_START = re.compile(r"\A {0,3}<(script|pre|style|textarea)(?:\s|>|\Z)", re.I)
_MARKER_STARTS = (
    (re.compile(r"\A {0,3}<!--"), "-->"),
    (re.compile(r"\A {0,3}<\?"), "?>"),
    (re.compile(r"\A {0,3}<![A-Za-z]"), ">"),
    (re.compile(r"\A {0,3}<!\[CDATA\["), "]]>"),
)
_BLOCK_NAMES = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    "details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|"
    "h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|"
    "optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|"
    "tr|track|ul"
)
_BLOCK_START = re.compile(rf"\A {{0,3}}</?(?:{_BLOCK_NAMES})(?:\s|/?>|\Z)", re.I)
_BLOCK_TAG = re.compile(rf"\A {{0,3}}</?({_BLOCK_NAMES})(?:\s|/?>|\Z)", re.I)
_TAG_LINE = re.compile(
    r"\A {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*"
    r"(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)"
    r"\s*\Z"
)
_FENCE = re.compile(r"\A {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Part:
    """A stretch of a raw block: HTML, or Markdown between HTML blocks."""

    markdown: bool
    text: str


def opens_block(text: str) -> str | None:
    """The tag of the HTML block a paragraph's first line starts or ends (CommonMark's
    sixth kind: `<details>`, `</div>`…), or None."""
    found = _BLOCK_TAG.match(text)
    return found.group(1).lower() if found else None


def balance(text: str, tag: str) -> int:
    """How many more `tag` elements a piece of HTML opens than it closes."""
    counter = _Balance(tag)
    counter.feed(text)
    counter.close()
    return counter.depth


class _Balance(HTMLParser):
    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.depth += tag == self.tag

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == self.tag


def kept(number: int) -> str:
    """The stand-in, in a raw block assembled from paragraphs, for an element the page's
    parser already made of the Markdown between them."""
    return f'<{KEPT_TAG} data-part="{number}"></{KEPT_TAG}>'


def _html_start(line: str, in_paragraph: bool) -> str | None:
    """The end marker of the HTML block a line starts ("" for a blank line), or None."""
    code = _CODE_START.match(line)
    if code:
        return "</" + code.group(1).lower() + ">"
    for start, end in _MARKER_STARTS:
        if start.match(line):
            return end
    if _BLOCK_START.match(line) or (not in_paragraph and _TAG_LINE.match(line)):
        return ""
    if line.lstrip().startswith(f"<{KEPT_TAG} "):
        return ""  # an element the page's parser made: never Markdown again
    return None


def split(raw: str) -> list[Part]:
    """A raw block cut where CommonMark would: HTML blocks, and Markdown between them."""
    parts: list[Part] = []
    current: list[str] = []
    state, end, fence, previous_blank = "between", "", "", True

    def close(markdown: bool) -> None:
        if current:
            parts.append(Part(markdown, "\n".join(current)))
            current.clear()

    for line in raw.split("\n"):
        blank = not line.strip()
        if state == "html":
            current.append(line)
            if (not end and blank) or (end and end in line.lower()):
                state = "between"
        elif state == "markdown" and fence:
            current.append(line)
            if re.match(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*\Z", line):
                fence = ""
        elif blank:
            current.append(line)
        else:
            start = _html_start(line, state == "markdown" and not previous_blank)
            if start is None and not parts and not current:
                start = ""  # Python-Markdown took it for HTML: so be it
            if start is not None:
                if state == "markdown":
                    close(True)
                current.append(line)
                opened = line.index("<") + 2 if "<" in line else 0
                state = "between" if start and start in line.lower()[opened:] else "html"
                end = start
            else:
                if state != "markdown":
                    close(False)
                    state = "markdown"
                found = _FENCE.match(line)
                fence = found.group(1) if found else ""
                current.append(line)
        previous_blank = blank
    close(state == "markdown")
    return parts


@dataclass(frozen=True)
class Converted:
    """A raw block as elements for the page's tree, and what could not be kept."""

    root: etree.Element  # a <div> whose text and children replace the block
    markdown: tuple[str, ...]  # the Markdown parts, by their MARKDOWN_TAG's data-part
    dropped: tuple[tuple[int, str], ...]  # (line in the block, tag) removed untranslated
    removed: tuple[tuple[int, str], ...]  # (line in the block, tag) of scripts and styles
    lost: bool = False  # nested deeper than the HTML parser goes: some text is gone


def convert(raw: str) -> Converted:
    """The raw block as elements: sanitised, its Markdown parts marked for parsing."""
    found = _convert(raw)
    return Converted(
        copy.deepcopy(found.root), found.markdown, found.dropped, found.removed, found.lost
    )


@functools.lru_cache(maxsize=256)
def _convert(raw: str) -> Converted:
    """Made once per process for each block: every locale of a page has the same."""
    parts = split(raw)
    markdown = tuple(p.text for p in parts if p.markdown)
    html, number = [], 0
    for part in parts:  # line for line, so that lxml's line numbers are the block's
        if part.markdown:
            lines = "\n" * (part.text.count("\n") + 1)
            html.append(f'<{MARKDOWN_TAG} data-part="{number}"></{MARKDOWN_TAG}>{lines}')
            number += 1
        else:
            html.append(part.text + "\n")
    source = "".join(html)
    dropped, removed = _unwanted(source)
    clean = nh3.clean(
        source,
        tags=BLOCK_TAGS | _PHRASING | {MARKDOWN_TAG, KEPT_TAG},
        clean_content_tags=REMOVED | UNTRANSLATABLE,
        attributes=BLOCK_ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    import lxml.html

    container = lxml.html.fragment_fromstring(clean, create_parent="div")
    root = etree.Element("div")
    _fill(root, container)
    markers = sum(1 for _ in container.iter(MARKDOWN_TAG))
    text = htmllib.unescape(nh3.clean(clean, tags=set()))
    lost = markers < len(markdown) or _letters(container.text_content()) < _letters(text)
    return Converted(root, markdown, dropped, removed, lost)


def _letters(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _unwanted(source: str) -> tuple[tuple[tuple[int, str], ...], tuple[tuple[int, str], ...]]:
    """Where the block holds what the sanitiser removes whole: untranslatable content
    (with text or an image in it) and scripts or styles."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.fragment_fromstring(source, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return (), ()
    dropped, removed = [], []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if any(a.tag in UNTRANSLATABLE | REMOVED for a in el.iterancestors()):
            continue
        if tag in UNTRANSLATABLE:
            dropped.append((el.sourceline or 1, tag))
        elif tag in REMOVED:
            removed.append((el.sourceline or 1, tag))
    return tuple(dropped), tuple(removed)


def _fill(target: etree.Element, source: lxml.html.HtmlElement) -> None:
    """Copy a sanitised element's content: runs of inline content become the text of
    `target` and the tails of its block children, as inline Markdown."""
    if source.tag == "pre":
        target.text = AtomicString(source.text or "")
        for child in source:
            target.append(_verbatim(child))
        return
    run: list = [source.text or ""]
    last: etree.Element | None = None
    for child in source:
        if not isinstance(child.tag, str):  # a comment the sanitiser kept: none
            run.append(child.tail or "")
            continue
        if child.tag in _PHRASING and not _holds_blocks(child):
            run.append(child)
            run.append(child.tail or "")
            continue
        _set_run(target, last, run)
        element = etree.SubElement(target, child.tag, dict(child.attrib))
        _fill(element, child)
        last, run = element, [child.tail or ""]
    _set_run(target, last, run)


def _holds_blocks(el: lxml.html.HtmlElement) -> bool:
    """An inline element left open around blocks (`<b>` never closed): a container."""
    return any(isinstance(d.tag, str) and d.tag not in _PHRASING for d in el.iterdescendants())


def _set_run(target: etree.Element, last: etree.Element | None, run: list) -> None:
    text = "".join(_markdown(node) for node in run)
    if last is None:
        target.text = text
    else:
        last.tail = text


def _verbatim(source: lxml.html.HtmlElement) -> etree.Element:
    """An element inside <pre>, kept as it is: its text is never Markdown."""
    element = etree.Element(str(source.tag), {str(k): str(v) for k, v in source.attrib.items()})
    element.text = AtomicString(source.text or "")
    for child in source:
        element.append(_verbatim(child))
    element.tail = AtomicString(source.tail or "")
    return element


_SPACE = re.compile(r"[ \t\n\r\f]+")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_EMPHASIS = re.compile(r"\*|(?<!\w)_|_(?!\w)")


def escape(text: str) -> str:
    """HTML text as inline Markdown that renders it as it is: white space folded as HTML
    folds it, and what Markdown would read as syntax escaped."""
    text = _SPACE.sub(" ", text.replace("\x02", "").replace("\x03", ""))
    text = text.replace("\\", "\\\\").replace("`", "\\`").replace("[", "\\[")
    text = _EMPHASIS.sub(lambda m: "\\" + m.group(), text)
    text = _ENTITY_LIKE.sub("&amp;", text)
    return text.replace("<", "&lt;")


def _markdown(node: str | lxml.html.HtmlElement) -> str:
    """One node of a run as inline Markdown: text escaped, an element as raw HTML."""
    if isinstance(node, str):
        return escape(node)
    el, tag = node, str(node.tag)
    attrs = "".join(f' {name}="{_attribute(str(value))}"' for name, value in el.attrib.items())
    if tag in VOID:
        return f"<{tag}{attrs}>"
    inner = escape(el.text or "") + "".join(
        _markdown(child) + escape(child.tail or "") for child in el if isinstance(child.tag, str)
    )
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
