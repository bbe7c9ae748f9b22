"""What changed between two translations, for a reviewer to read: word by word where the
script puts spaces between words, cluster by cluster in Thai, Lao, Khmer and Burmese.

A difference never splits a character from the marks written on it, nor a Khmer or
Burmese consonant from the one stacked under it: a cut there would print a broken
syllable.  That is all the segmentation a difference needs, so it is done here rather
than with a full word-breaking library.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

EQUAL, DELETE, INSERT = "equal", "delete", "insert"
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ
_STACKERS = frozenset("\u17d2\u1039\u1a60")  # Khmer coeng, Myanmar virama, Tai Tham sakot
# Thai and Lao, Myanmar, Khmer, Khmer symbols, Myanmar extended-B and -A
_SPACELESS = (
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
    (0x19E0, 0x19FF),
    (0xA9E0, 0xA9FF),
    (0xAA60, 0xAA7F),
)


@dataclass(frozen=True)
class Piece:
    """A run of text the two versions share (`equal`), or that one of them alone has."""

    op: str
    text: str


def clusters(text: str) -> list[str]:
    """The text cut between user-perceived characters: marks, joiners, variation
    selectors and stacked consonants stay with what they belong to."""
    out: list[str] = []
    for ch in text:
        if out and (
            unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or ch in _JOINERS
            or 0xFE00 <= ord(ch) <= 0xFE0F
            or out[-1][-1] in _STACKERS
            or out[-1][-1] in _JOINERS
        ):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _kind(cluster: str) -> str:
    ch = cluster[0]
    if any(low <= ord(ch) <= high for low, high in _SPACELESS):
        return "cluster"
    if ch.isspace():
        return "space"
    return "word" if ch.isalnum() else "other"


def tokens(text: str) -> list[str]:
    """Words and runs of space where a script has them; single clusters elsewhere."""
    out: list[str] = []
    last = ""
    for cluster in clusters(text):
        kind = _kind(cluster)
        if out and kind == last and kind in ("space", "word"):
            out[-1] += cluster
        else:
            out.append(cluster)
        last = kind
    return out


def diff(old: str, new: str) -> list[Piece]:
    """`old` turned into `new` as shared, deleted and inserted runs.  A lone shared
    cluster between two changes is folded into them: it reads better as one change."""
    a, b = tokens(old), tokens(new)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    raw: list[tuple[str, str, str]] = []  # (kind, old text, new text)
    for op, i1, i2, j1, j2 in ops:
        raw.append((EQUAL if op == "equal" else "change", "".join(a[i1:i2]), "".join(b[j1:j2])))
    folded: list[tuple[str, str, str]] = []
    for index, (kind, before, after) in enumerate(raw):
        between = 0 < index < len(raw) - 1
        if kind == EQUAL and between and len(tokens(before)) == 1 and not before.isspace():
            kind = "change"
        if folded and kind == "change" and folded[-1][0] == "change":
            _, b0, a0 = folded.pop()
            before, after = b0 + before, a0 + after
        folded.append((kind, before, after))
    pieces = []
    for kind, before, after in folded:
        if kind == EQUAL:
            pieces.append(Piece(EQUAL, before))
            continue
        if before:
            pieces.append(Piece(DELETE, before))
        if after:
            pieces.append(Piece(INSERT, after))
    return pieces
