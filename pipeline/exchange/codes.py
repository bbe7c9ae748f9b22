"""Inline Markdown as inline codes: what a CAT tool must protect, and putting it back.

A segment is split into text, which translators change, and codes, which they must
keep: link and image syntax around their text (inline, or naming one of the page's
reference definitions), footnote references, emphasis delimiters, code spans, raw HTML,
entities, escapes, hard line breaks and format placeholders.  Joining the parts gives the
segment back byte for byte.  The split is checked against how Python-Markdown renders the
segment (the same elements, in the same order); where the two disagree, emphasis is left
as text, and failing that the whole segment is, so that no code is ever invented.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markdown.inlinepatterns import AUTOLINK_RE, AUTOMAIL_RE, ENTITY_RE, HTML_RE

from ..inline import References, Scope, render_inline
from . import references as refs

if TYPE_CHECKING:
    from lxml import etree


@dataclass(frozen=True)
class Code:
    """Markdown that must stay as it is: a `ph`, or one half (`bpt`/`ept`) of a pair."""

    kind: str  # "bpt", "ept" or "ph"
    id: str  # a pair's halves share it
    text: str  # the Markdown it stands for
    ctype: str | None = None  # XLIFF's kind of code: "bold", "link", "x-code"...


Part = str | Code

_ESCAPABLE = set("\\`*_{}[]()>#+-.!|")
_HTML = re.compile(HTML_RE)
_AUTOLINK = re.compile(AUTOLINK_RE)
_AUTOMAIL = re.compile(AUTOMAIL_RE)
_ENTITY = re.compile(ENTITY_RE)
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_BRACE = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
_TITLE = re.compile(r"""\s+("[^"]*"|'[^']*'|\([^()]*\))\s*\Z""")
_REFERENCE = re.compile(r"\s?\[([^\]]*)\]")  # after `[text]`: `[label]` or `[]`
_FOOTNOTE = re.compile(r"\[\^([^\]]*)\]")
_EMPHASIS = {"italic", "bold"}


def as_mixed_content(
    element: etree._Element,
    parts: tuple[Part, ...],
    code_element: Callable[[etree._Element, Code], etree._Element],
) -> None:
    """Text and codes as an element's mixed content (XLIFF's and TMX's segments alike):
    each code an element `code_element` adds, holding the Markdown it stands for, and
    the text between codes as the text and tails around them."""
    last = None
    for part in parts:
        if isinstance(part, Code):
            last = code_element(element, part)
            last.text = part.text
        elif last is None:
            element.text = (element.text or "") + part
        else:
            last.tail = (last.tail or "") + part


def join(parts: tuple[Part, ...] | list[Part]) -> str:
    """The segment the parts stand for."""
    return "".join(p.text if isinstance(p, Code) else p for p in parts)


def codes(parts: tuple[Part, ...] | list[Part]) -> list[Code]:
    return [p for p in parts if isinstance(p, Code)]


def split(
    text: str,
    markdown: bool = True,
    flags: tuple[str, ...] = (),
    references: References | None = None,
) -> tuple[Part, ...]:
    """The segment as text and codes.  `markdown` is false for strings that are not
    Markdown (the page templates'); `flags` are the entry's gettext flags, whose
    `python-format` or `python-brace-format` make placeholders codes; `references` are
    the page's link reference definitions (or its Scope), as the checks render it with."""
    placeholder = None
    if "python-format" in flags or "c-format" in flags:
        placeholder = _PERCENT
    elif "python-brace-format" in flags:
        placeholder = _BRACE
    if not markdown:
        return _numbered(_placeholders(text, placeholder)) if placeholder else _plain(text)
    scope = Scope.of(references)
    tokens = _Scanner(text, placeholder, scope).scan()
    wanted = Counter(render_inline(text, scope).tags)
    if Counter(t for tok in tokens for t in tok.tags) == wanted:
        return _numbered(tokens)
    plain = [_Token("text", t.text) if t.ctype in _EMPHASIS else t for t in tokens]
    if Counter(t for tok in plain for t in tok.tags) == wanted:
        return _numbered(plain)
    return _plain(text)


def _plain(text: str) -> tuple[Part, ...]:
    return (text,) if text else ()


@dataclass
class _Token:
    kind: str  # "text", "ph", "open", "close", or "*"/"_" for a delimiter run
    text: str
    tags: tuple[str, ...] = ()  # the elements it opens, as Python-Markdown renders them
    ctype: str | None = None
    pair: int | None = None  # the matching token's index, for "open", "close" and runs
    flank: str = ""  # a delimiter run: "o" if it can open emphasis, "c" if it can close


def _placeholders(text: str, pattern: re.Pattern) -> list[_Token]:
    out, last = [], 0
    for found in pattern.finditer(text):
        if found.start() > last:
            out.append(_Token("text", text[last : found.start()]))
        out.append(_Token("ph", found.group()))
        last = found.end()
    if last < len(text):
        out.append(_Token("text", text[last:]))
    return out


class _Scanner:
    """Finds the inline syntax of a segment in the order Python-Markdown applies it:
    code spans and escapes first, then links and images, autolinks, raw HTML and
    entities, then emphasis delimiters among what is left."""

    def __init__(self, text: str, placeholder: re.Pattern | None, scope: Scope) -> None:
        self.text = text
        self.placeholder = placeholder
        self.scope = scope
        self.tokens: list[_Token] = []

    def scan(self) -> list[_Token]:
        self._inline(0, len(self.text), in_link=False)
        _pair_emphasis(self.tokens)
        return self.tokens

    def _add_text(self, chunk: str) -> None:
        if not chunk:
            return
        if self.tokens and self.tokens[-1].kind == "text":
            self.tokens[-1].text += chunk
        else:
            self.tokens.append(_Token("text", chunk))

    def _inline(self, start: int, end: int, in_link: bool) -> None:
        text, at = self.text, start
        while at < end:
            ch = text[at]
            if ch == "\\" and at + 1 < end and text[at + 1] in _ESCAPABLE:
                self.tokens.append(_Token("ph", text[at : at + 2]))
                at += 2
            elif ch == "`":
                at = self._code_span(at, end)
            elif ch == " " and text.startswith("  \n", at):
                self.tokens.append(_Token("ph", "  \n", ("br",), "lb"))
                at += 3
            elif (
                (ch == "[" and not in_link and self._footnote(at, end))
                or (ch in "![" and not in_link and self._link(at, end))
                or (ch == "<" and self._angle(at, end))
            ):
                at = self.after
            elif ch == "&" and (found := _ENTITY.match(text, at, end)):
                self.tokens.append(_Token("ph", found.group()))
                at = found.end()
            elif ch in "*_":
                run = at
                while run < end and text[run] == ch:
                    run += 1
                self.tokens.append(_Token(ch, text[at:run], flank=_flanking(text, at, run)))
                at = run
            elif self.placeholder and (found := self.placeholder.match(text, at, end)):
                self.tokens.append(_Token("ph", found.group()))
                at = found.end()
            else:
                self._add_text(ch)
                at += 1

    def _code_span(self, at: int, end: int) -> int:
        text, run = self.text, at
        while run < end and text[run] == "`":
            run += 1
        ticks = text[at:run]
        close = run
        while True:
            close = text.find(ticks, close, end)
            if close < 0:
                self._add_text(ticks)
                return run
            after = close + len(ticks)
            if after >= end or text[after] != "`":
                self.tokens.append(_Token("ph", text[at:after], ("code",), "x-code"))
                return after
            while close < end and text[close] == "`":
                close += 1

    def _angle(self, at: int, end: int) -> bool:
        text = self.text
        for pattern, tags in ((_AUTOLINK, ("a",)), (_AUTOMAIL, ("a",))):
            found = pattern.match(text, at, end)
            if found:
                self.tokens.append(_Token("ph", found.group(), tags, "x-autolink"))
                self.after = found.end()
                return True
        found = _HTML.match(text, at, end)
        if found:
            name = _TAG_NAME.match(found.group())
            named: tuple[str, ...] = (name.group(1).lower(),) if name else ()
            self.tokens.append(_Token("ph", found.group(), named, "x-html"))
            self.after = found.end()
            return True
        return False

    def _footnote(self, at: int, end: int) -> bool:
        """`[^note]`, when the page has that note: a code (the page numbers it)."""
        found = _FOOTNOTE.match(self.text, at, end)
        if found is None or self.scope.number(found.group(1)) is None:
            return False
        self.tokens.append(_Token("ph", found.group(), ("sup", "a"), "x-footnote"))
        self.after = found.end()
        return True

    def _link(self, at: int, end: int) -> bool:
        """`[text](target "title")` or `![alt](source)`, or a reference to one of the
        page's definitions: `[text][label]`, `[text][]`, `[text]` (and `![alt]...`).  The
        brackets and what follows them are codes; the text between (and a title) is
        translated."""
        text = self.text
        image = text[at] == "!"
        if image and not text.startswith("![", at):
            return False
        opening = at + (2 if image else 1)
        close = _matching(text, opening, end, "[", "]")
        if close is None:
            return False
        stop = None
        if close + 1 < end and text[close + 1] == "(":
            stop = _matching(text, close + 2, end, "(", ")")
        if stop is None:
            return self._reference(at, opening, close, end, image)
        first = len(self.tokens)
        self._open(at, opening, close, image)
        title = _TITLE.search(text, close + 2, stop)
        if title and title.group(1)[0] in "\"'" and len(title.group(1)) > 2:
            inner, outer = title.start(1) + 1, title.end(1) - 1
            self.tokens[first].pair = len(self.tokens)
            self.tokens.append(_Token("close", text[close:inner], pair=first))
            self._add_text(text[inner:outer])
            self.tokens.append(_Token("ph", text[outer : stop + 1]))
        else:
            self.tokens[first].pair = len(self.tokens)
            self.tokens.append(_Token("close", text[close : stop + 1], pair=first))
        self.after = stop + 1
        return True

    def _reference(self, at: int, opening: int, close: int, end: int, image: bool) -> bool:
        """A reference link, as Python-Markdown resolves it: `[label]` (or `[]`, the text
        as label) right after the text if the page defines that label, else the text
        alone as the label."""
        text = self.text
        found = _REFERENCE.match(text, close + 1, end)
        label = None
        if found is not None:
            label = found.group(1) or text[opening:close]
            stop = found.end()
        if label is None or refs.key(label) not in self.scope:
            label, stop = text[opening:close], close + 1
            if refs.key(label) not in self.scope:
                return False
        first = len(self.tokens)
        self._open(at, opening, close, image)
        self.tokens[first].pair = len(self.tokens)
        self.tokens.append(_Token("close", text[close:stop], pair=first))
        self.after = stop
        return True

    def _open(self, at: int, opening: int, close: int, image: bool) -> None:
        """A link's or image's opening code and its text."""
        tag, kind = ("img", "x-image") if image else ("a", "link")
        self.tokens.append(_Token("open", self.text[at:opening], (tag,), kind))
        if image:
            self._add_text(self.text[opening:close])  # alt text: rendered as plain text
        else:
            self._inline(opening, close, in_link=True)


def _matching(text: str, start: int, end: int, left: str, right: str) -> int | None:
    """Where the bracket opened just before `start` closes (escapes and code spans
    skipped), or None."""
    depth, at = 1, start
    while at < end:
        ch = text[at]
        if ch == "\\":
            at += 2
            continue
        if ch == "`" and left == "[":
            run = at
            while run < end and text[run] == "`":
                run += 1
            close = text.find(text[at:run], run, end)
            at = close + (run - at) if close >= 0 else run
            continue
        if ch == left:
            depth += 1
        elif ch == right:
            depth -= 1
            if depth == 0:
                return at
        at += 1
    return None


def _flanking(text: str, start: int, end: int) -> str:
    """Whether a delimiter run can open ("o"), close ("c") or both ("oc"), by CommonMark's
    flanking rules, which Python-Markdown's delimiter processor follows."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    left = not after.isspace() and (not _punct(after) or before.isspace() or _punct(before))
    right = not before.isspace() and (not _punct(before) or after.isspace() or _punct(after))
    if text[start] == "_":
        can_open = left and (not right or _punct(before))
        can_close = right and (not left or _punct(after))
    else:
        can_open, can_close = left, right
    return ("o" if can_open else "") + ("c" if can_close else "")


def _punct(ch: str) -> bool:
    import unicodedata

    return unicodedata.category(ch)[0] in "PS"


def _pair_emphasis(tokens: list[_Token]) -> None:
    """Pair delimiter runs of the same character and length, the nearest opener first;
    runs left unpaired are text."""
    stack: list[int] = []
    for index, tok in enumerate(tokens):
        if tok.kind not in ("*", "_"):
            continue
        if "c" in tok.flank and _close(tokens, stack, index):
            continue
        if "o" in tok.flank:
            stack.append(index)
    for index, tok in enumerate(tokens):
        if tok.kind in ("*", "_"):
            if tok.pair is None or len(tok.text) > 3:
                tokens[index] = _Token("text", tok.text)
                continue
            size = len(tok.text)
            tags = {1: ("em",), 2: ("strong",), 3: ("strong", "em")}[size]
            ctype = {1: "italic", 2: "bold", 3: "bold"}[size]
            opens = tok.pair > index
            tokens[index] = _Token(
                "open" if opens else "close", tok.text, tags if opens else (), ctype, tok.pair
            )


def _close(tokens: list[_Token], stack: list[int], index: int) -> bool:
    """Pair the run at `index` with the nearest open run like it; True if it found one
    (the runs opened after that one stay unpaired)."""
    tok = tokens[index]
    for depth in range(len(stack) - 1, -1, -1):
        opener = tokens[stack[depth]]
        if opener.kind == tok.kind and len(opener.text) == len(tok.text):
            opener.pair, tok.pair = index, stack[depth]
            del stack[depth:]
            return True
    return False


def _numbered(tokens: list) -> tuple[Part, ...]:
    """Tokens as parts: codes numbered in order, a pair's halves sharing a number, text
    runs merged."""
    out: list[Part] = []
    ids: dict[int, str] = {}
    number = 0
    for index, tok in enumerate(tokens):
        if tok.kind == "text":
            if out and isinstance(out[-1], str):
                out[-1] += tok.text
            elif tok.text:
                out.append(tok.text)
            continue
        if tok.kind == "close" and tok.pair in ids:
            out.append(Code("ept", ids[tok.pair], tok.text))
            continue
        number += 1
        if tok.kind == "open":
            ids[index] = str(number)
            out.append(Code("bpt", str(number), tok.text, tok.ctype))
        else:
            out.append(Code("ph", str(number), tok.text, tok.ctype))
    return tuple(out)


@dataclass(frozen=True)
class Restored:
    """A translation put back together from a CAT tool's text and codes."""

    text: str
    damage: str | None  # why its codes do not match the English's, or None


def restore(
    source: tuple[Part, ...],
    target: list[Part],
    markdown: bool = True,
    flags: tuple[str, ...] = (),
    references: References | None = None,
) -> Restored:
    """The translation `target` (as read from a file) as Markdown, and whether its codes
    are the source's: each once, with the source's text (a code a tool left empty takes
    it from the source, by id), a pair's end after its start.  A target without any code
    is taken as Markdown typed out (a tool that flattens codes): its own codes must then
    be the source's.  A reference link whose text was the label (`[text][]`, `[text]`)
    and was translated names the label explicitly (`[ข้อความ][text]`)."""
    wanted = codes(source)
    found = codes(target)
    if wanted and not found:
        text = join(target)
        ours = _keyed(source)
        mine = Counter(k for k, _ in _keyed(split(text, markdown, flags, references)))
        lacking = Counter(k for k, _ in ours) - mine
        if lacking:
            return Restored(text, f"inline code {_named(ours, lacking).text!r} is missing")
        return Restored(text, None)
    by_id = {(c.kind, c.id): c for c in wanted}
    english_inner = _inners(source)
    starts: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    out: list[Part] = []
    damage = None
    for part in target:
        if not isinstance(part, Code):
            out.append(part)
            continue
        key = (part.kind, part.id)
        known = by_id.get(key)
        if known is not None and not part.text:
            part = known
        same = known is not None and part.text == known.text
        if known is not None and part.kind == "ept" and part.id in starts:
            inside = join(out[starts[part.id] + 1 :])
            english = english_inner.get(part.id, "")
            if refs.same(part.text, inside, known.text, english):
                same = True
            elif same and refs.label_of(known.text, english) is not None:
                part = Code("ept", part.id, refs.kept(part.text, inside, known.text, english))
        if part.kind == "bpt":
            starts.setdefault(part.id, len(out))
        out.append(part)
        if damage is not None:
            continue
        if known is None:
            damage = f"inline code {part.kind} {part.id!r} is not in the English"
        elif key in seen:
            damage = f"inline code {part.text!r} occurs twice"
        elif not same:
            damage = f"inline code {known.text!r} was changed to {part.text!r}"
        elif part.kind == "ept" and ("bpt", part.id) not in seen:
            damage = f"inline code {part.text!r} comes before its start"
        seen.add(key)
    missing = [c for c in wanted if (c.kind, c.id) not in seen]
    if damage is None and missing:
        damage = f"inline code {missing[0].text!r} is missing"
    return Restored(join(out), damage)


def differ(
    text: str,
    english: str,
    markdown: bool = True,
    flags: tuple[str, ...] = (),
    references: References | None = None,
) -> str | None:
    """Why the codes of a translation are not those of an English it was not shown with
    (a plural form that serves many numbers, shown beside the singular), or None."""
    ours = _keyed(split(english, markdown, flags, references))
    theirs = _keyed(split(text, markdown, flags, references))
    lacking = Counter(k for k, _ in ours) - Counter(k for k, _ in theirs)
    added = Counter(k for k, _ in theirs) - Counter(k for k, _ in ours)
    if lacking:
        return f"inline code {_named(ours, lacking).text!r} is missing"
    if added:
        return f"inline code {_named(theirs, added).text!r} is not in the English"
    return None


def align(source: tuple[Part, ...], target: tuple[Part, ...]) -> tuple[Part, ...]:
    """A translation's parts with the ids of the source's codes they repeat, so that a
    CAT tool sees the same code on both sides however the words moved.  A translation
    whose codes are not the source's is given as plain text (its Markdown as typed)."""
    free = {kind: [c for c in codes(source) if c.kind == kind] for kind in ("bpt", "ph")}
    ends = {c.id: c for c in codes(source) if c.kind == "ept"}
    english_inner = _inners(source)
    renamed: dict[str, str] = {}
    starts: dict[str, int] = {}
    out: list[Part] = []
    for part in target:
        if not isinstance(part, Code):
            out.append(part)
            continue
        if part.kind == "ept":
            mine = renamed.get(part.id)
            end = ends.get(mine) if mine is not None else None
            if end is None:
                return _plain(join(target))
            if end.text != part.text:
                inside = join(out[starts[part.id] + 1 :])
                if not refs.same(part.text, inside, end.text, english_inner.get(end.id, "")):
                    return _plain(join(target))
                end = Code("ept", end.id, part.text)  # the same reference, named explicitly
            out.append(end)
            continue
        match = next((c for c in free[part.kind] if c.text == part.text), None)
        if match is None:
            return _plain(join(target))
        free[part.kind].remove(match)
        renamed[part.id] = match.id
        starts[part.id] = len(out)
        out.append(match)
    return tuple(out)


def _inners(parts: tuple[Part, ...] | list[Part]) -> dict[str, str]:
    """The Markdown between each pair's start and end, by the pair's id."""
    starts: dict[str, int] = {}
    found: dict[str, str] = {}
    for index, part in enumerate(parts):
        if isinstance(part, Code):
            if part.kind == "bpt":
                starts.setdefault(part.id, index)
            elif part.kind == "ept" and part.id in starts:
                found[part.id] = join(parts[starts[part.id] + 1 : index])
    return found


def _keyed(parts: tuple[Part, ...] | list[Part]) -> list[tuple[tuple[str, str], Code]]:
    """Each code of some parts with what it must match: its text, or for the end of a
    reference link the label it names."""
    inner = _inners(parts)
    out = []
    for part in codes(parts):
        label = None
        if part.kind == "ept" and part.id in inner:
            label = refs.label_of(part.text, inner[part.id])
        out.append((("code", part.text) if label is None else ("ref", refs.key(label)), part))
    return out


def _named(keyed: list[tuple[tuple[str, str], Code]], wanted: Counter) -> Code:
    """The code to name among those `wanted`: the first that is not a bare opening (a
    link's end names its target, its `[` nothing)."""
    found = [c for k, c in keyed if k in wanted]
    return next((c for c in found if c.kind != "bpt"), found[0])
