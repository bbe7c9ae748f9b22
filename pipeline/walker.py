"""The walk over Python-Markdown's block tree that finds a page's segments.

It runs as a tree processor, after the block parse and before the inline patterns, so it
sees each block's raw inline Markdown: it records each text slot as a Segment and, when
translating, puts the translated (already rendered) HTML in its place, marking with
`lang` what stays English.  Whatever an author writes is a segment: headings,
paragraphs, list items, table cells, callout titles, footnotes, definition terms and
definitions, abbreviation titles, and the text of raw HTML blocks, which it expands
(`htmlblocks`) into elements of the page with the Markdown inside them parsed.  It also
gives headings their ids and each footnote reference its own.

Kept apart from `segments`, which owns the process's parser and the entry points and
hands each page a walker of its own: the walk depends on neither.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import cast

import markdown
from markdown.extensions.footnotes import NBSP_PLACEHOLDER, RE_REFERENCE
from markdown.extensions.toc import slugify, unique
from markdown.postprocessors import RawHtmlPostprocessor
from markdown.util import AtomicString

from . import htmlblocks
from .dialect import BACKLINK_TITLE, abbreviation_titles, footnote_extension
from .inline import Scope
from .page import Notice, Segment, fold

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

_NOTE = re.compile(r"\A<!--\s*i18n:\s*(.*?)\s*-->\s*\Z", re.S)
_PLACEHOLDER = re.compile(r"\A\s*\x02wzxhzdk:(\d+)\x03\s*\Z")
_EMBEDDED = re.compile(r"\x02wzxhzdk:(\d+)\x03")
_FOOTNOTE_REF_ID = re.compile(r'id="fnref:([^"]*)"')
_GITHUB_CALLOUT = re.compile(r"\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.I)
MAX_HTML_NESTING = 20  # levels of Markdown inside HTML inside Markdown ...

Replace = Callable[[Segment, Scope], "str | None"]
"""Given a segment and what it may refer to in its page, the safe HTML to put in its
place, or None to keep the English."""
Source = Callable[[Segment, Scope], str]
"""The HTML of a segment's English (as the English page shows it)."""

Annotate = Callable[[Segment, bool], "dict[str, str]"]
"""Given a segment with an element of its own and whether it stayed English, extra
attributes for that element (the live preview's map from a segment to its catalog)."""


def _raw_html(md: markdown.Markdown) -> RawHtmlPostprocessor:
    return cast(RawHtmlPostprocessor, md.postprocessors["raw_html"])


# What the text of an element of an author's HTML is, for the translator's comment.
_HTML_KINDS = {
    "summary": "collapsible heading",
    "details": "collapsible text",
    "caption": "table caption",
    "figcaption": "figure caption",
    "td": "table cell",
    "th": "table header",
    "dt": "definition term",
    "dd": "definition",
    "li": "list item",
    "p": "paragraph",
}
_WHERE = {
    "details": " in collapsible block",
    "blockquote": " in block quote",
    "figure": " in figure",
    "aside": " in aside",
}


class Walker:
    """Walks the block tree in document order, one text slot at a time."""

    def __init__(
        self,
        md: markdown.Markdown,
        body: str,
        offset: int,
        replace: Replace | None,
        lang: str,
        source: Source | None = None,
    ) -> None:
        self.md = md
        self.lines = body.replace("\r\n", "\n").split("\n")
        if "\t" in body:
            self.lines = [line.expandtabs(4) for line in self.lines]
        self.offset = offset
        self.replace = replace
        self.source = source
        self.lang = lang
        self.body = "\n".join(self.lines)  # searched at C speed, not line by line
        self.starts = [0, *accumulate(len(line) + 1 for line in self.lines)]
        self.cursor = 0
        self.column = 0
        self.code_from = 0
        self.code: set[int] = set()
        self.scope = Scope()
        self.segments: list[Segment] = []
        self.late: list[Segment] = []  # abbreviations: defined anywhere, listed last
        self.notices: list[Notice] = []
        self.fallbacks: list[Segment] = []
        self.headings: list[tuple[int, str, str]] = []
        self.section = ""
        self.notes: list[str] = []
        self.skip = False
        self.stop = False
        self.depth = 0
        self.silent = 0  # inside a skipped block: rendered, not extracted
        self.ids: set[str] = set()
        # Elements made from an author's HTML, by id (held, so that no id is reused)
        self.from_html: dict[int, etree.Element] = {}
        self.annotate: Annotate | None = None

    # --- the page's scope: link references, footnotes, abbreviations ----------------

    def begin(self) -> None:
        """What every segment may refer to, with each abbreviation's title translated."""
        md = self.md
        footnotes = tuple(footnote_extension(md).footnotes)
        base = Scope(tuple(sorted(md.references.items())), footnotes)
        abbreviations = abbreviation_titles(md)
        titles = []
        for abbr, title in abbreviations.items():
            seg = Segment(fold(title), f"abbreviation {abbr}", self.find(f"*[{abbr}]"))
            self.late.append(seg)
            titles.append((abbr, self.text(seg, base)))
        abbreviations.update(titles)  # the page's own inline pass shows the same
        self.scope = Scope(base.references, footnotes, tuple(titles))

    def finish(self) -> None:
        self.segments.extend(self.late)
        known = set(self.scope.footnotes or ())
        for seg in self.segments:
            if "[^" not in seg.text:
                continue
            for found in RE_REFERENCE.finditer(seg.text):
                if found.group(1) not in known:
                    self.notices.append(
                        Notice(
                            seg.line,
                            f"footnote [^{found.group(1)}] is used but never defined; "
                            "it shows as written",
                        )
                    )

    def text(self, seg: Segment, scope: Scope) -> str:
        """The plain text to show for a segment (an attribute's), translated if it can be."""
        html = self.replace(seg, scope) if self.replace is not None else None
        if html is None:
            if self.replace is not None:
                self.fallbacks.append(seg)
            return seg.text
        return _plain_text(html)

    # --- where a block is --------------------------------------------------------------

    def find(self, probe: str) -> int:
        """The first source line that holds `probe`, wherever the walk is."""
        for number, line in enumerate(self.lines):
            if probe in line:
                return number + 1 + self.offset
        return self.cursor + 1 + self.offset

    def ahead(self, text: str) -> int:
        """How many lines after the walk's place a text's first line is (a large number
        when it is not there)."""
        probe = _first_line(text)
        rest = [self.lines[self.cursor][self.column :], *self.lines[self.cursor + 1 :]]
        return next((n for n, ln in enumerate(rest) if probe and probe in ln), len(rest))

    def locate(self, text: str) -> int:
        """The source line of a block, found by its first line after the last one found.

        Blocks may share a line (table cells) but not a place: the search goes on from
        the end of the last match, so two identical blocks get their own lines.
        """
        probe = _first_line(text)  # one line: a match never runs into the next
        if probe:
            at = self.body.find(probe, self.starts[self.cursor] + self.column)
            if at >= 0:
                line = bisect_right(self.starts, at) - 1
                self.cursor, self.column = line, at - self.starts[line] + len(probe)
        return self.cursor + 1 + self.offset

    # --- blocks -------------------------------------------------------------------------

    def children(self, parent: etree.Element, where: str, english: bool) -> None:
        self.regroup(parent)
        for el in list(parent):
            self.block(parent, el, where, english)

    def regroup(self, parent: etree.Element) -> None:
        """HTML blocks where Python-Markdown does not look for them (in list items, block
        quotes, callouts): a paragraph that starts with a block tag is HTML, as CommonMark
        reads it, joined with the Markdown up to the paragraph that closes its tag."""
        if id(parent) in self.from_html:
            return
        items = list(parent)
        i = 0
        while i < len(items):
            tag = self.html_paragraph(items[i])
            if tag is None:
                i += 1
                continue
            depth, end = 0, i
            for j in range(i, len(items)):
                if self.html_paragraph(items[j]) is not None:
                    depth += htmlblocks.balance(items[j].text or "", tag)
                if depth <= 0:
                    end = j
                    break
            group = items[i : end + 1]
            pieces: list[str] = []
            kept: list[etree.Element] = []
            for el in group:
                if self.html_paragraph(el) is not None:
                    pieces.append(el.text or "")
                else:
                    pieces.append(htmlblocks.kept(len(kept)))
                    kept.append(el)
            at = list(parent).index(group[0])
            tail = group[-1].tail
            for el in group:
                parent.remove(el)
            made = self.expand("\n\n".join(pieces), kept)
            for offset, el in enumerate(made):
                parent.insert(at + offset, el)
            if made:
                made[-1].tail = tail
            items[i : end + 1] = made
            i += len(made)

    def html_paragraph(self, el: etree.Element) -> str | None:
        """The block tag a paragraph of raw HTML starts with, if it is one."""
        text = el.text or ""
        if "<" not in text[:4] or el.tag != "p" or len(el) or isinstance(text, AtomicString):
            return None  # a block tag is at most three spaces in
        if "\x02" in text and _EMBEDDED.search(text):
            return None
        return htmlblocks.opens_block(text)

    def block(self, parent: etree.Element, el: etree.Element, where: str, english: bool) -> None:
        text = el.text or ""
        stash = (
            _PLACEHOLDER.match(text) if "\x02" in text and el.tag == "p" and not len(el) else None
        )
        if stash:
            self.stashed(parent, el, int(stash.group(1)), where, english)
            return
        self.unembed(el)
        notes, self.notes = tuple(self.notes), []
        if self.skip:
            # `<!-- i18n: skip -->`: not extracted; shown in English as the English page
            # shows it (without `source`, the page's own inline pass renders it)
            self.skip = False
            self.keep_english(el, english)
            if self.source is None:
                if el.tag in HEADINGS:
                    self.heading(el)
                return
            self.silent += 1
            try:
                self.dispatch(el, where, notes, True)
            finally:
                self.silent -= 1
            return
        self.dispatch(el, where, notes, english)

    def dispatch(
        self, el: etree.Element, where: str, notes: tuple[str, ...], english: bool
    ) -> None:
        """A block by its kind: its text slots, then the blocks in it."""
        tag = el.tag
        classes = (el.get("class") or "").split()
        self.attributes(el, notes, english)
        if tag in HEADINGS:
            self.heading(el)
            self.slot(el, "text", f"heading {tag[1]}", notes, english)
        elif tag == "p" and "admonition-title" in classes:
            # GitHub's `> [!NOTE]` has its title ("Note") only in the marker
            marker = f"[!{(el.text or '').strip().upper()}]"
            probe = min((el.text or "", marker), key=self.ahead)  # whichever comes first
            self.slot(el, "text", "callout title", notes, english, probe=probe)
        elif tag == "p":
            self.slot(el, "text", f"paragraph{where}", notes, english)
        elif tag in ("ul", "ol"):
            for number, item in enumerate(el, start=1):
                kind = f"list item {number}" if tag == "ol" else "list item"
                self.unembed(item)
                self.attributes(item, notes, english)
                self.item(item, f"{kind}{where}", f" in {kind}", notes, english)
        elif tag == "dl":
            for item in el:
                self.unembed(item)
                kind = "definition term" if item.tag == "dt" else "definition"
                self.item(item, f"{kind}{where}", f" in {kind}", notes, english)
        elif tag == "blockquote":
            first = el[0].text or "" if len(el) and el[0].tag == "p" else ""
            nested = _GITHUB_CALLOUT.match(first)
            if nested and "callout" in where:
                message = (
                    f"callout {nested.group()} inside another callout is shown as a quote, "
                    "as GitHub shows it; nest `!!! kind` callouts instead"
                )
                self.notices.append(Notice(self.locate(first), message))
            self.children(el, " in block quote", english)
        elif tag == "div" and "admonition" in classes:
            self.children(el, " in callout", english)
        elif tag == "div" and "footnote" in classes:
            self.section = ""  # the notes belong to the page, not to its last section
            self.backlinks(el)
            for number, item in enumerate(el.iter("li"), start=1):
                self.children(item, f" in footnote {number}", english)
        elif tag in ("pre", "hr", "code"):
            return
        else:
            kind = _HTML_KINDS.get(tag, f"text of <{tag}>")
            if tag not in ("td", "th"):
                kind += where
            self.item(el, kind, _WHERE.get(tag, where), notes, english)

    def item(
        self, el: etree.Element, kind: str, inner: str, notes: tuple[str, ...], english: bool
    ) -> None:
        """An element's own text, then its blocks, each with the text that follows it."""
        self.regroup(el)
        fell_back = self.slot(el, "text", kind, notes, english)
        for child in list(el):
            self.block(el, child, inner, english or fell_back)
            self.slot(child, "tail", kind, notes, english or fell_back, mark=False)

    def attributes(self, el: etree.Element, notes: tuple[str, ...], english: bool) -> None:
        """The title (tooltip) of an element of an author's HTML: a segment of its own."""
        title = el.get("title")
        if id(el) not in self.from_html or not title or not title.strip() or self.silent:
            return
        seg = Segment(fold(title), f"title of <{el.tag}>", self.locate(title), self.section, notes)
        self.segments.append(seg)
        el.set("title", self.text(seg, self.scope))

    def backlinks(self, notes: etree.Element) -> None:
        """The title of the links from the footnotes back to the text: a segment of the
        page, said once however many notes it has."""
        links = [a for a in notes.iter("a") if "footnote-backref" in (a.get("class") or "")]
        if not links:
            return
        first = next(iter(self.scope.footnotes or ("",)))
        kind = "title of the link from a footnote back to the text"
        seg = Segment(BACKLINK_TITLE, kind, self.find(f"[^{first}]:"))
        self.segments.append(seg)
        title = self.text(seg, self.scope)
        for link in links:
            link.set("title", title)

    def heading(self, el: etree.Element) -> None:
        text = fold(el.text or "")
        self.section = _plain(text)
        anchor = unique(slugify(self.section, "-") or "section", self.ids)
        el.set("id", anchor)
        self.headings.append((int(el.tag[1]), anchor, self.section))

    # --- raw HTML -----------------------------------------------------------------------

    def stashed(
        self, parent: etree.Element, el: etree.Element, index: int, where: str, english: bool
    ) -> None:
        raw = self.md.htmlStash.rawHtmlBlocks[index]
        raw = raw if isinstance(raw, str) else ""
        note = _NOTE.match(raw)
        if note:
            parent.remove(el)
            if note.group(1).lower() == "skip":
                self.skip = True
            else:
                self.notes.append(note.group(1))
        elif index not in self.code:
            made = self.expand(raw)
            at = list(parent).index(el)
            parent.remove(el)
            skip = self.skip
            for offset, item in enumerate(made):
                parent.insert(at + offset, item)
            for item in made:
                self.skip = skip or self.skip
                self.block(parent, item, where, english)

    def expand(self, raw: str, kept: Sequence[etree.Element] = ()) -> list[etree.Element]:
        """An author's raw HTML block as elements of the page, its Markdown parsed; `kept`
        are elements already parsed that its KEPT_TAG stand-ins stand for."""
        line = self.locate(raw)
        converted = htmlblocks.convert(raw)
        for offset, tag in converted.dropped:
            message = f"<{tag}> is not translatable; left out of the page"
            self.notices.append(Notice(line + offset - 1, message, True))
        for offset, tag in converted.removed:
            self.notices.append(
                Notice(line + offset - 1, f"<{tag}> left out of the page: pages run no code")
            )
        if converted.lost:
            message = "HTML nested too deeply to read whole; what is too deep is left out"
            self.notices.append(Notice(line, message, True))
        root = converted.root
        self.from_html.update((id(e), e) for e in root.iter())
        self.markdown_parts(root, converted.markdown, line)
        _put_back(root, kept)
        made = []
        for text, child in [(root.text, None), *((c.tail, c) for c in root)]:
            if child is not None:
                child.tail = None
                made.append(child)
            if text and text.strip():
                loose = etree.Element("p")  # text outside any element: a paragraph
                loose.text = text
                self.from_html[id(loose)] = loose
                made.append(loose)
        return made

    def markdown_parts(self, root: etree.Element, parts: tuple[str, ...], line: int) -> None:
        """Parse the Markdown between the HTML blocks of a raw block, in its place."""
        parents = {child: parent for parent in root.iter() for child in parent}
        for marker in list(root.iter(htmlblocks.MARKDOWN_TAG)):
            parent = parents[marker]
            at = list(parent).index(marker)
            parent.remove(marker)
            if self.depth >= MAX_HTML_NESTING:
                self.notices.append(
                    Notice(line, "Markdown nested too deeply in HTML; not translatable", True)
                )
                continue
            lines = parts[int(marker.get("data-part", "0"))].split("\n")
            for step in self.md.preprocessors:
                lines = step.run(lines)
            holder = etree.Element("div")
            self.depth += 1
            try:
                self.md.parser.parseChunk(holder, "\n".join(lines))
            finally:
                self.depth -= 1
            for offset, child in enumerate(holder):
                parent.insert(at + offset, child)
            if marker.tail and marker.tail.strip():
                # what followed the Markdown in the same element stays after it
                if len(holder):
                    holder[-1].tail = (holder[-1].tail or "") + marker.tail
                elif at:
                    parent[at - 1].tail = (parent[at - 1].tail or "") + marker.tail
                else:
                    parent.text = (parent.text or "") + marker.tail

    def unembed(self, el: etree.Element) -> None:
        """Text run together with an author's raw HTML block (`<div>a</div>*<b>`): the
        block's elements go in where it stood, the text around them stays text."""
        text = el.text or ""
        if "\x02" not in text or not _EMBEDDED.search(text) or _PLACEHOLDER.match(text):
            return
        pieces = _EMBEDDED.split(text)
        el.text = pieces[0]
        at = 0
        stash = self.md.htmlStash.rawHtmlBlocks
        for index, after in zip(pieces[1::2], pieces[2::2], strict=True):
            block = stash[int(index)]
            if int(index) in self.code or not isinstance(block, str) or _NOTE.match(block):
                made = []
            else:
                made = self.expand(block)
            for item in made:
                el.insert(at, item)
                at += 1
            if made:
                made[-1].tail = after
            elif at:
                el[at - 1].tail = (el[at - 1].tail or "") + after
            else:
                el.text = (el.text or "") + after
        if el.tag == "p" and at:
            el.tag = "div"  # a paragraph cannot hold blocks; a browser would break it up

    def keep_english(self, el: etree.Element, english: bool) -> None:
        if self.replace is not None and not english and self.lang != "en":
            el.set("lang", "en")

    # --- text slots ---------------------------------------------------------------------

    def slot(
        self,
        el: etree.Element,
        attr: str,
        kind: str,
        notes: tuple[str, ...],
        english: bool,
        mark: bool = True,
        probe: str | None = None,
    ) -> bool:
        """Record (and maybe replace) one text slot; True when it stays English.
        `probe` is what to look for in the source to find its line, if not the text."""
        raw = getattr(el, attr)
        if not raw or not raw.strip() or isinstance(raw, AtomicString):
            return english
        placeholders = "\x02" in raw  # a stashed block's: the only way one gets in
        if placeholders and _PLACEHOLDER.match(raw):
            return english
        if placeholders and _EMBEDDED.search(raw):
            raw = _EMBEDDED.sub("", raw)  # a placeholder run into a tail: its block is gone
            setattr(el, attr, raw)
            if not raw.strip():
                return english
        text, suffix = raw, ""
        if NBSP_PLACEHOLDER in raw:  # a footnote's last paragraph, before its back link
            text, suffix = raw.replace(NBSP_PLACEHOLDER, ""), NBSP_PLACEHOLDER
        if self.silent and self.source is not None:
            shown = self.source(Segment(fold(text), kind, 0), self.scope)
            setattr(el, attr, AtomicString(self.md.htmlStash.store(shown) + suffix))
            return english
        probe = text if probe is None else probe
        if id(el) in self.from_html:
            probe = _probe(text)
            if not probe and not _TEXT_ATTRIBUTE.search(text):
                return english  # tags alone (`<br>`): nothing to say in another language
        seg = Segment(fold(text), kind, self.locate(probe), self.section, notes)
        self.segments.append(seg)
        if self.replace is None and self.source is None:
            return english  # extraction: nothing to put in its place
        html = self.replace(seg, self.scope) if self.replace is not None else None
        fell_back = html is None and self.replace is not None
        if mark and self.annotate is not None and self.replace is not None:
            for name, value in self.annotate(seg, fell_back).items():
                el.set(name, value)
        if fell_back:
            self.fallbacks.append(seg)
        if html is None and self.source is not None:
            html = self.source(seg, self.scope)
        if html is not None and not mark and self.replace is not None and self.lang != "en":
            # Text after a block (a tail) has no element of its own to carry its language:
            # it gets one where it is not in the language of the element around it.
            if fell_back and not english:
                html = f'<span lang="en">{html}</span>'
            elif not fell_back and english:
                html = f'<span lang="{self.lang}">{html}</span>'
        if html is not None and id(el) in self.from_html:
            # around inline content of an author's HTML, a space is a word break
            html = " " * raw[:1].isspace() + html + " " * raw[-1:].isspace()
        if html is not None:
            html = _FOOTNOTE_REF_ID.sub(self.footnote_ref, html)
            stored = self.md.htmlStash.store(html)
            if el.tag == "p" and _raw_html(self.md).isblocklevel(html):
                # A lone placeholder in a <p> whose HTML starts with a block-level tag
                # would be taken for a raw HTML block and lose its <p>: keep the paragraph.
                stored = self.md.htmlStash.store("") + stored
            # Atomic: the inline patterns have nothing to find in a placeholder, and the
            # page's inline pass would otherwise try each of them on it.
            setattr(el, attr, AtomicString(stored + suffix))
        if fell_back:
            if mark and not english and self.lang != "en":
                el.set("lang", "en")
                return True
            return english
        if html is not None and english and mark and self.replace is not None:
            el.set("lang", self.lang)
        return False if html is not None and self.replace is not None else english

    def footnote_ref(self, found: re.Match[str]) -> str:
        """A footnote reference's own id: the second reference to a note gets another."""
        footnotes = footnote_extension(self.md)
        return f'id="{footnotes.makeFootnoteRefId(found.group(1), found=True)}"'


def _put_back(root: etree.Element, kept: Sequence[etree.Element]) -> None:
    """Each stand-in replaced by the element it stands for (and any lost: dropped)."""
    parents = {child: parent for parent in root.iter() for child in parent}
    for marker in list(root.iter(htmlblocks.KEPT_TAG)):
        parent = parents[marker]
        at = list(parent).index(marker)
        parent.remove(marker)
        number = int(marker.get("data-part", "-1"))
        if 0 <= number < len(kept):
            kept[number].tail = marker.tail
            parent.insert(at, kept[number])
        elif marker.tail:
            if at:
                parent[at - 1].tail = (parent[at - 1].tail or "") + marker.tail
            else:
                parent.text = (parent.text or "") + marker.tail


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAGS = re.compile(r"<[^<>]*>")
_MARKS = re.compile(r"[*_`\\]+")
_TEXT_ATTRIBUTE = re.compile(r'\s(?:alt|title)="[^"]*[^\s"]')


def _first_line(text: str) -> str:
    """The first line of a text that is not blank, stripped, and cut to what a search
    for it needs."""
    first = text.split("\n", 1)[0].strip()
    if first or "\n" not in text:
        return first[:80]
    return next((ln.strip() for ln in text.split("\n") if ln.strip()), "")[:80]


def _plain(text: str) -> str:
    """Heading text without inline Markdown, for section names and anchors."""
    text = _TAGS.sub("", _LINK.sub(r"\1", text))
    return _MARKS.sub("", text).strip()


def _probe(text: str) -> str:
    """What of an HTML run appears as it is in the source: its first words before a tag
    (or, when it starts with one, the first words in it)."""
    before = text.split("<", 1)[0] if not text.startswith("<") else _plain(text)
    return " ".join(re.sub(r"\\(.)", r"\1", before).split()[:4])


def _plain_text(html: str) -> str:
    """The text of a rendered segment, for an attribute."""
    import lxml.html

    return lxml.html.fragment_fromstring(html or " ", create_parent="div").text_content()
