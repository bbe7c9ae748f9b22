"""Vetting an untrusted translation before it reaches a page.

A translation may not add raw HTML, scripts, event handlers or dangerous URLs, nor
change, add or drop a link target.  One that tries is not used at all: the English
segment is shown instead.  What is used goes through an allowlist sanitiser (nh3) as
well, so that nothing the checks above miss can reach the output.

The English goes through the same sanitiser (`english_html`): an author's raw inline
HTML shows on the English page exactly as it shows in a translation that keeps it.  Its
`alt` and `title` attributes are text, and may be translated in place.
"""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

import nh3

from .inline import Inline, References, Scope, render_inline

# What Markdown makes, and the harmless inline tags authors write as HTML.
PHRASING = {
    *("a", "em", "strong", "code", "img", "br", "del", "sub", "sup"),
    *("abbr", "b", "bdi", "bdo", "cite", "dfn", "i", "ins", "kbd", "mark", "q", "s"),
    *("samp", "small", "span", "time", "u", "var", "wbr"),
}
# A collapsible answer written in the middle of a line is raw inline HTML to Markdown.
TAGS = PHRASING | {"details", "summary"}
ATTRIBUTES = {
    "*": {"title", "lang", "dir", "class"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "sup": {"id"},  # a footnote reference's, which its footnote links back to
    "time": {"datetime"},
}
TEXT_ATTRIBUTES = ("alt", "title")  # what a reader sees or hears: translatable in place
SCHEMES = {"http", "https", "mailto", "tel"}
_SCHEME = re.compile(r"\A\s*([A-Za-z][A-Za-z0-9+.-]*)\s*:")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
# C0 controls other than tab and line breaks: never text, and STX/ETX would let a
# translation name Python-Markdown's placeholders (`\x02wzxhzdk:0\x03`) and pull the
# page's stashed HTML, or itself, into the output.
_FORBIDDEN_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Vetted:
    """Safe HTML for a translation, or the reason it cannot be used."""

    html: str | None
    problem: str | None = None


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see, after entities and control characters are gone."""
    plain = _CONTROL.sub("", htmllib.unescape(url))
    found = _SCHEME.match(plain)
    return found.group(1).lower() if found else None


def control_character(english: str, translation: str) -> str | None:
    """Why a translation's control characters make it unusable, or None.  One that its
    English has too (a stray form feed in the page) may stay; STX and ETX never."""
    for found in _FORBIDDEN_CHAR.finditer(translation):
        char = found.group()
        if char in "\x02\x03" or char not in english:
            return f"control character U+{ord(char):04X} is not allowed in a translation"
    return None


def problems(english: str, translation: str, references: References | None = None) -> list[str]:
    """Every reason a translation is unsafe to show in place of `english`."""
    bad = control_character(english, translation)
    if bad:
        return [bad]
    return _problems(render_inline(english, references), render_inline(translation, references))


def raw_tag_key(fragment: str) -> str:
    """A raw HTML fragment as the translation must keep it: the same tag and attributes,
    the text of `alt` and `title` aside."""
    if not fragment.startswith("<") or fragment.startswith(("<!", "<?", "</")):
        return fragment
    parsed = _Tag()
    parsed.feed(fragment)
    parsed.close()
    if parsed.found is None:
        return fragment
    tag, attrs = parsed.found
    kept = [(n, "" if n in TEXT_ATTRIBUTES else v) for n, v in attrs]
    return f"<{tag} {kept!r}>"


def added_raw_html(source: Inline, target: Inline) -> list[str]:
    """The raw HTML fragments of a translation that its English lacks."""
    keys = Counter(raw_tag_key(f) for f in source.raw_html)
    added = []
    for fragment in target.raw_html:
        key = raw_tag_key(fragment)
        if keys[key] > 0:
            keys[key] -= 1
        else:
            added.append(fragment)
    return added


class _Tag(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: tuple[str, list] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.found is None:
            self.found = (tag, attrs)

    handle_startendtag = handle_starttag


def _problems(source: Inline, target: Inline) -> list[str]:
    if not (target.raw_html or target.targets or source.targets):
        return []  # nothing added, nothing to drop: the common case, decided cheaply
    found = []
    added = added_raw_html(source, target)
    if added:
        found.append(f"raw HTML {added[0][:60]!r} is not allowed in a translation")
    theirs = set(source.targets)  # the author's own links are the sanitiser's business
    for url in target.targets:
        scheme = url_scheme(url)
        if scheme is not None and scheme not in SCHEMES and url not in theirs:
            found.append(f"link target {url[:60]!r} uses a forbidden scheme ({scheme}:)")
    if Counter(source.targets) != Counter(target.targets):
        extra = sorted(set(target.targets) - set(source.targets))
        missing = sorted(set(source.targets) - set(target.targets))
        detail = (
            f"adds {extra[0]!r}"
            if extra
            else f"drops {missing[0]!r}"
            if missing
            else "changes how often a target occurs"
        )
        found.append(f"link targets differ from the English: {detail}")
    return found


# Text with none of these is returned unchanged by the sanitiser (no tag, no entity,
# nothing it drops or rewrites), so it need not be asked.
_SANITIZER_TOUCHES = re.compile(r"[<>&\x00-\x08\x0b-\x1f\x7f\xa0\ufeff\ufffe\uffff]")


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    """The sanitiser, its allow-lists converted once: `nh3.clean` converts them at every
    call, which costs six times the cleaning of a segment."""
    return nh3.Cleaner(
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def sanitize(html: str) -> str:
    if not _SANITIZER_TOUCHES.search(html):
        return html
    return _cleaner().clean(html)


def vet(english: str, translation: str, references: References | None = None) -> Vetted:
    """The HTML to show for a translation, or why the English must be shown instead."""
    bad = control_character(english, translation)
    if bad:
        return Vetted(None, bad)
    scope = Scope.of(references)
    target = render_inline(translation, scope)
    found = _problems(render_inline(english, scope), target)
    if found:
        return Vetted(None, found[0])
    return Vetted(sanitize(target.html))


def english_html(english: str, references: References | None = None) -> str:
    """The HTML of an English segment, through the sanitiser a translation goes through."""
    return _english_html(english, Scope.of(references))


@lru_cache(maxsize=8192)
def _english_html(text: str, scope: Scope) -> str:
    return sanitize(render_inline(text, scope).html)
