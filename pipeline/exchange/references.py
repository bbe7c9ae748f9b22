"""Reference-style links as inline codes: which reference a link's closing code names.

`[text][label]`, `[text][]` and `[text]` (and the image forms) look their target up among
the page's definitions (`[label]: url`).  The text is translated and the closing code is
protected; but in `[text][]` and `[text]` the text is the label too, so a translated text
must name the label explicitly (`[ข้อความ][text]`) to keep the same link.  Labels are
matched as Python-Markdown matches them: any case, runs of white space as one space.
"""

from __future__ import annotations

import re

_EXPLICIT = re.compile(r"\]\s?\[([^\]]*)\]\Z")  # `][label]`, `] [label]` or `][]`
_SPACE = re.compile(r"\s+")


def label_of(end: str, inner: str) -> str | None:
    """The label a closing code looks up, `inner` being the link text before it (its
    Markdown); None when the code does not close a reference link."""
    if end == "]":
        return inner
    found = _EXPLICIT.match(end)
    if found is None:
        return None
    return found.group(1) or inner


def key(label: str) -> str:
    """A label as Python-Markdown looks it up among the page's definitions."""
    return _SPACE.sub(" ", label.lower())


def same(end: str, inner: str, other_end: str, other_inner: str) -> bool:
    """Whether two closings (each after its link text) name the same reference."""
    mine, theirs = label_of(end, inner), label_of(other_end, other_inner)
    return mine is not None and theirs is not None and key(mine) == key(theirs)


def kept(end: str, inner: str, english_end: str, english_inner: str) -> str:
    """The closing code a translated link needs to keep the English's reference: the
    English's own when it still names it, else the explicit `][label]`."""
    if same(end, inner, english_end, english_inner):
        return end
    label = label_of(english_end, english_inner)
    return f"][{label}]" if label is not None else end
