"""Python-Markdown's block loop, each block processor skipped where it cannot match; and
the preprocessors that look for raw HTML and fenced code, where a page has none.

For every block of a page, Python-Markdown asks each of its eighteen block processors in
turn whether the block is theirs, most of them by a regular expression over the whole
block, until one takes it.  A paragraph (most blocks) is offered to every one of them:
that was a third of the time a page's segments took to find.  Most processors can only
match a block holding some character or string (a table a `|`, a heading a `#`, a link
reference `]:`), which a substring test rules out at C speed; only then is the
processor asked.  The answer is the one the processor gives: where the string is
missing its test (or, for those whose test always says yes, its run) says no, without
any other effect.  Likewise a page without `<` or `&` has no HTML for the HTML block
preprocessor to take out (its parser rewrites entities, so `&` counts), and one without
a fence no fenced code: both would give its lines back unchanged.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable

import markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import (
    BlockProcessor,
    BlockQuoteProcessor,
    CodeBlockProcessor,
    HashHeaderProcessor,
    HRProcessor,
    ListIndentProcessor,
    OListProcessor,
    ReferenceProcessor,
    SetextHeaderProcessor,
    UListProcessor,
)
from markdown.extensions.abbr import AbbrBlockprocessor
from markdown.extensions.admonition import AdmonitionProcessor
from markdown.extensions.def_list import DefListIndentProcessor, DefListProcessor
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.extensions.footnotes import FootnoteBlockProcessor
from markdown.extensions.sane_lists import SaneOListProcessor, SaneUListProcessor
from markdown.extensions.tables import TableProcessor
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor
from markdown_callouts.github_callouts import _GitHubCalloutsBlockProcessor

Needed = Callable[[str], bool]  # False: the processor cannot take this block

# The dialect keeps Python-Markdown's tab length of 4: an indented block starts with 4
# spaces, a list item's marker is its first character after at most 3.
_INDENTED: Needed = lambda block: block.startswith("    ")  # noqa: E731
_NUMBERED: Needed = lambda block: block[:4].lstrip(" ")[:1].isdigit()  # noqa: E731
_BULLETED: Needed = lambda block: block[:4].lstrip(" ")[:1] in ("*", "+", "-")  # noqa: E731
# By exact class: a subclass may test otherwise.
NEEDED: dict[type[BlockProcessor], Needed] = {
    ListIndentProcessor: _INDENTED,
    DefListIndentProcessor: _INDENTED,
    CodeBlockProcessor: _INDENTED,
    TableProcessor: lambda block: "|" in block,
    HashHeaderProcessor: lambda block: "#" in block,
    SetextHeaderProcessor: lambda block: "\n=" in block or "\n-" in block,
    DefListProcessor: lambda block: ":" in block,
    _GitHubCalloutsBlockProcessor: lambda block: "[!" in block,
    BlockQuoteProcessor: lambda block: ">" in block,
    FootnoteBlockProcessor: lambda block: "[^" in block,
    AbbrBlockprocessor: lambda block: "*[" in block,
    ReferenceProcessor: lambda block: "]:" in block,
    OListProcessor: _NUMBERED,
    SaneOListProcessor: _NUMBERED,
    UListProcessor: _BULLETED,
    SaneUListProcessor: _BULLETED,
    # a rule is three or more of one of these on a line of its own
    HRProcessor: lambda block: block.count("-") > 2 or block.count("*") > 2 or block.count("_") > 2,
}


# A callout starts with `!!!`; its indented content continues the callout before it.
_CALLOUT: Needed = lambda block: "!!!" in block or block.startswith("    ")  # noqa: E731


def _needed(processor: BlockProcessor) -> Needed | None:
    """What a block must hold for this processor to take it; None: it is always asked.
    Callouts (the dialect's `!!!` among them) are known by their test."""
    kind = type(processor)
    if kind in NEEDED:
        return NEEDED[kind]
    if isinstance(processor, AdmonitionProcessor) and kind.test is AdmonitionProcessor.test:
        return _CALLOUT
    return None


class _BlockLoop:
    """`BlockParser.parseBlocks`, asking a processor only when its string is there.  The
    processors are listed once a call, not once a block: none of those in use registers
    another while it parses."""

    def __init__(self, parser: BlockParser) -> None:
        self.parser = parser
        self.processors: tuple[BlockProcessor, ...] = ()
        self.plan: list[tuple[BlockProcessor, Needed | None]] = []

    def __call__(self, parent: etree.Element, blocks: list[str]) -> None:
        processors = tuple(self.parser.blockprocessors)
        if processors != self.processors:
            self.processors = processors
            self.plan = [(p, _needed(p)) for p in processors]
        plan = self.plan
        while blocks:
            for processor, needed in plan:
                if needed is not None and not needed(blocks[0]):
                    continue
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break


# What a page must hold for these preprocessors to change it (by exact class).
PAGE_NEEDS: dict[type[Preprocessor], tuple[str, ...]] = {
    HtmlBlockPreprocessor: ("<", "&"),
    FencedBlockPreprocessor: ("```", "~~~"),
}


def _when_needed(run: Callable[[list[str]], list[str]], needs: tuple[str, ...]) -> Callable:
    """A preprocessor's `run`, called only for lines that hold one of `needs`."""

    def run_when_needed(lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        return run(lines) if any(need in text for need in needs) else lines

    return run_when_needed


class BlockScanExtension(markdown.Extension):
    """Puts `_BlockLoop` in place of a Markdown instance's block loop, and the
    preprocessors above behind their tests."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (its API)
        # Instance attributes in front of the classes' methods.
        setattr(md.parser, "parseBlocks", _BlockLoop(md.parser))  # noqa: B010
        for step in md.preprocessors:
            needs = PAGE_NEEDS.get(type(step))
            if needs is not None:
                setattr(step, "run", _when_needed(step.run, needs))  # noqa: B010
