"""Vetting an untrusted translation before it reaches a page.

A translation may not add raw HTML, scripts, event handlers or dangerous URLs, nor
change, add or drop a link target.  One that tries is not used at all: the English
segment is shown instead.  What is used goes through an allowlist sanitiser (nh3) as
well, so that nothing the checks above miss can reach the output.
"""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from dataclasses import dataclass

import nh3

from .inline import Inline, References, render_inline

TAGS = {"a", "em", "strong", "code", "img", "br", "del", "sub", "sup"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
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


def _problems(source: Inline, target: Inline) -> list[str]:
    if not (target.raw_html or target.targets or source.targets):
        return []  # nothing added, nothing to drop: the common case, decided cheaply
    found = []
    added = Counter(target.raw_html) - Counter(source.raw_html)
    if added:
        tag = next(iter(added))
        found.append(f"raw HTML {tag[:60]!r} is not allowed in a translation")
    for url in target.targets:
        scheme = url_scheme(url)
        if scheme is not None and scheme not in SCHEMES:
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


def sanitize(html: str) -> str:
    if not _SANITIZER_TOUCHES.search(html):
        return html
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def vet(english: str, translation: str, references: References | None = None) -> Vetted:
    """The HTML to show for a translation, or why the English must be shown instead."""
    bad = control_character(english, translation)
    if bad:
        return Vetted(None, bad)
    target = render_inline(translation, references)
    found = _problems(render_inline(english, references), target)
    if found:
        return Vetted(None, found[0])
    return Vetted(sanitize(target.html))
