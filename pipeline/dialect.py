"""The Markdown that patient-page authors write, as Python-Markdown extensions.

Tables, fenced code and sane lists; callouts (`!!! warning "Title"` and GitHub's
`> [!WARNING]`); footnotes; definition lists; abbreviations.  Pages and their segments
are parsed with the same extensions, so a construct renders alike in both.
`footnote_extension` and `abbreviation_titles` read what two of them found in a page (the
block-parse cache and the walk both need it).
"""

from __future__ import annotations

import re
from typing import cast

import markdown
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrTreeprocessor
from markdown.extensions.admonition import AdmonitionProcessor
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnoteExtension

# The title of a footnote's link back to the text: a segment of each page with notes.
BACKLINK_TITLE = "Back to the text"


class _Callout(AdmonitionProcessor):
    """`!!! kind "Title"`, as Python-Markdown reads it, and also `!!! kind Title` with
    the title unquoted: authors write a sentence there, not a list of CSS classes."""

    RE = re.compile(r'(?:^|\n)!!! ?([\w\-]+)(?: +"(.*?)"| +([^\n]*?))? *(?:\n|$)')

    def get_class_and_title(self, match: re.Match[str]) -> tuple[str, str | None]:
        kind, quoted, bare = match.group(1).lower(), match.group(2), match.group(3)
        if quoted is not None:
            return kind, quoted or None  # `!!! tip ""`: no title at all
        return kind, bare or kind.capitalize()


class CalloutExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)
        md.parser.blockprocessors.register(_Callout(md.parser), "admonition", 105)


def extensions() -> list[Extension]:
    """The extensions in use, as objects: given by name, Python-Markdown would look each
    up among the installed packages' entry points, which costs more than parsing a page."""
    from markdown.extensions.abbr import AbbrExtension
    from markdown.extensions.def_list import DefListExtension
    from markdown.extensions.fenced_code import FencedCodeExtension
    from markdown.extensions.footnotes import FootnoteExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension
    from markdown_callouts.github_callouts import GitHubCalloutsExtension

    from .blockscan import BlockScanExtension
    from .linkscan import LinkScanExtension

    return [
        TableExtension(),
        FencedCodeExtension(),
        SaneListExtension(),
        CalloutExtension(),
        GitHubCalloutsExtension(),
        FootnoteExtension(BACKLINK_TITLE=BACKLINK_TITLE),
        DefListExtension(),
        AbbrExtension(),
        LinkScanExtension(),  # last: it speeds up every link pattern the others registered
        BlockScanExtension(),  # and the block loop over every block processor
    ]


def footnote_extension(md: markdown.Markdown) -> FootnoteExtension:
    """The footnotes extension's state: the notes the block parse found."""
    return cast(FootnoteBlockProcessor, md.parser.blockprocessors["footnote"]).footnotes


def abbreviation_titles(md: markdown.Markdown) -> dict[str, str]:
    """The abbreviations the block parse found, with their titles."""
    return cast(AbbrTreeprocessor, md.treeprocessors["abbr"]).abbrs
