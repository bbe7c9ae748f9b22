"""Checks of a translation's markup: link targets, inline Markdown, unsafe HTML."""

from __future__ import annotations

import functools
import html
import html as htmllib
import re
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser

from ..inline import Inline
from ..safety import SCHEMES, added_raw_html, control_character
from .model import ERROR, Context
from .registry import check
from .text import visible

# --- links, markup and unsafe HTML ---------------------------------------------------------


@check(
    "links",
    ERROR,
    "link and image targets are the English ones, no more, no fewer",
    silenceable=False,
)
def link_targets(ctx: Context) -> Iterator[str]:
    english, translated = ctx.inline(ctx.english).targets, ctx.inline(ctx.translation).targets
    if english == translated:
        return
    ours, theirs = Counter(english), Counter(translated)
    missing, added = list((ours - theirs).elements()), list((theirs - ours).elements())
    while missing and added:
        yield f'link target "{missing.pop(0)}" changed to "{added.pop(0)}"'
    for target in missing:
        yield f'link target "{target}" is missing from the translation'
    for target in added:
        yield f'link target "{target}" is not in the English'


_MARKUP = {
    "strong": "bold (**…**)",
    "em": "emphasis (*…*)",
    "code": "code span (`…`)",
    "a": "link",
    "img": "image",
    "br": "line break",
}
_MARKERS = ("**", "__", "`")


class _RawTags(HTMLParser):
    """Tags, attributes and comments of raw HTML fragments."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.comments += 1


def _raw(fragment: str) -> _RawTags:
    parser = _RawTags()
    parser.feed(fragment)
    parser.close()
    return parser


def _markdown_tags(inline: Inline) -> Counter:
    """Elements the Markdown made, not those written as raw HTML."""
    tags = Counter(inline.tags)
    for fragment in inline.raw_html:
        tags -= Counter(tag for tag, _ in _raw(fragment).starts)
    return tags


@check(
    "markup",
    ERROR,
    "bold, emphasis, code spans, links and images match the English in kind and number",
)
def markup_matches(ctx: Context) -> Iterator[str]:
    ours, theirs = ctx.inline(ctx.english), ctx.inline(ctx.translation)
    # The same elements in the same order (often none) cannot differ in number.
    if ours.tags != theirs.tags or ours.raw_html or theirs.raw_html:
        mine, yours = _markdown_tags(ours), _markdown_tags(theirs)
        for tag in _MARKUP:
            if mine[tag] != yours[tag]:
                yield f"{_MARKUP[tag]}: {mine[tag]} in the English, {yours[tag]} in the translation"
    shown = visible(ctx.translation)
    if "*" in shown or "_" in shown or "`" in shown:
        english = visible(ctx.english)
        for marker in _MARKERS:
            if shown.count(marker) > english.count(marker):
                yield f'unbalanced "{marker}" in the translation'


_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_BAD_ELEMENTS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "meta",
    "link",
    "base",
    "template",
    "noscript",
}
_URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "srcdoc",
    "background",
    "poster",
    "data",
    "srcset",
    "lowsrc",
    "dynsrc",
    "ping",
    "cite",
    "longdesc",
    "codebase",
    "manifest",
}
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff]")


@functools.lru_cache(maxsize=4096)
def unsafe_url(url: str) -> str | None:
    """The scheme of a URL when it is not a plain web, mail or phone link (javascript:,
    vbscript:, data:, ...), seen through entities, percent-encoding, case and the
    whitespace and control characters browsers drop; None when it is safe."""
    seen = None
    while seen != url:
        seen, url = url, urllib.parse.unquote(html.unescape(url))
    flat = _INVISIBLE.sub("", url).lower()
    for scheme in _BAD_SCHEMES:
        if flat.startswith(scheme):
            return scheme
    found = re.match(r"([a-z][a-z0-9+.-]*):", flat)
    return f"{found.group(1)}:" if found and found.group(1) not in SCHEMES else None


def _html_problems(fragment: str) -> tuple[list[str], set[str]]:
    """Why a raw HTML fragment is dangerous, and the URLs its attributes hold."""
    parsed = _raw(fragment)
    reasons: list[str] = []
    urls: set[str] = set()
    for tag, attrs in parsed.starts:
        if tag in _BAD_ELEMENTS:
            reasons.append(f"{tag} element")
        for name, value in attrs:
            if name.startswith("on"):
                reasons.append(f'event handler "{name}"')
            elif name == "style":
                reasons.append("style attribute")
            elif name in _URL_ATTRIBUTES and value is not None:
                urls.add(value)
                scheme = unsafe_url(value)
                if scheme:
                    reasons.append(f"{scheme} URL")
    if parsed.comments:
        reasons.append("comment")
    return list(dict.fromkeys(reasons)), urls


def _short(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


_SPELLED_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w-]*)")
_ACTIVE_TAGS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "style",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "link",
        "meta",
        "base",
        "form",
        "template",
        "img",
        "video",
        "audio",
    }
)


def _decoded(text: str) -> str:
    """Text with entities decoded, as often as a careless consumer might decode them."""
    for _ in range(3):
        decoded = htmllib.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def _spelled_tags(text: str) -> set[str]:
    """Active tags that appear only once entities are decoded (`&lt;script&gt;`)."""
    if "&" not in text:
        return set()  # nothing to decode
    raw = {m.group(1).lower() for m in _SPELLED_TAG.finditer(text)}
    found = {m.group(1).lower() for m in _SPELLED_TAG.finditer(_decoded(text))}
    return (found - raw) & _ACTIVE_TAGS


@check(
    "unsafe-html",
    ERROR,
    "no raw HTML, scripts, event handlers, styles or javascript:/"
    "data: URLs added by the translation",
    silenceable=False,
)
def unsafe_html(ctx: Context) -> Iterator[str]:
    bad = control_character(ctx.english, ctx.translation)  # build refuses these too
    if bad:
        yield bad
    for name in sorted(_spelled_tags(ctx.translation) - _spelled_tags(ctx.english)):
        yield (
            f"entities spell a <{name}> tag; the page shows it as text, but whatever "
            "decodes the text again would run it: write it without the tag"
        )
    ours, theirs = ctx.inline(ctx.english), ctx.inline(ctx.translation)
    if not (theirs.raw_html or theirs.targets):
        return  # no HTML, no link: nothing below could apply
    covered: set[str] = set()
    added = added_raw_html(ours, theirs)  # alt and title text may be translated
    opening = [f for f in added if not f.startswith("</")]
    for fragment in opening or added:  # a closing tag is worth a line only on its own
        reasons, urls = _html_problems(fragment)
        covered |= urls
        why = f" ({', '.join(reasons)})" if reasons else ""
        yield f'raw HTML "{_short(fragment)}" is not allowed in a translation{why}'
    for target in dict.fromkeys(theirs.targets):
        scheme = unsafe_url(target)
        if scheme and target not in covered:
            yield f'link target "{_short(target)}" is a {scheme} URL'
    autolinks = {
        url if ":" in url else f"mailto:{url}": found.group()
        for found in _AUTOLINK.finditer(ctx.translation)
        for url in [found.group(1)]
    }
    referenced = {url for url, _title in dict(ctx.references).values()}
    for target in Counter(theirs.targets) - Counter(ours.targets):
        if target in covered or unsafe_url(target):
            continue
        if target in autolinks:
            yield f'autolink "{_short(autolinks[target])}" adds a link the English lacks'
        elif target in referenced:
            yield f'reference link to "{_short(target)}" adds a link the English lacks'
