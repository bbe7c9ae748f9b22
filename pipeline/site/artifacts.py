"""What a printed page paints outside its structure tree, marked as artifacts.

Chromium tags the page body: every piece of it is a marked-content sequence with an /MCID
that the structure tree points to. What it paints around the body is untagged: the running
header and the "Page N of M" footer of the @page margin boxes, the page's background, the
web address printed after a link. PDF/UA-1 (ISO 14289-1, 7.1) wants all content either in
the structure tree or marked as an artifact, so that a screen reader does not read the
title and the page number into the middle of a sentence. Here each run of untagged content
is wrapped in `/Artifact BDC ... EMC`: pagination (header or footer, by where it stands on
the page) or layout. Sequences that only draw lines and boxes (the rule under a heading, a
table's borders) can be turned into layout artifacts too (`Content.rewrite(demote=...)`).

The content stream is edited as bytes, after a scan for the few operators that matter:
parsing every operand into objects would cost about as much as printing the page. Chromium
does not nest marked content within q/Q (a sequence may open inside a group and close
after it), so the two are followed separately, and a wrapper never spans either boundary.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

# Operators that open or close a scope, position text, or paint outside a text object. A
# text-showing operator needs no tracking: it can only occur inside BT ... ET.
# (The look-ahead for a first letter only makes the scan faster.)
_OPS = re.compile(
    rb"[\s>\])](?=[BEQqcTDsrmnSFfbW])"
    rb"(BT|ET|BDC|BMC|EMC|BI|cm|Tm|Do|sh|re|[qQmn]|[SsFfBbW]\*?)(?=[\s/<\[(%]|$)"
)
_BEFORE = frozenset(bytes([c]) for c in b" \t\r\n\f\x00>])")  # what may end the token before
_AFTER = frozenset(bytes([c]) for c in b" \t\r\n\f\x00/<[(%")  # what may begin the one after
_KINDS = {op: op.decode() for op in b"q Q BT ET BDC BMC EMC cm Tm".split()}
_PATH_START = frozenset({b"m", b"re"})
_CLIP = frozenset({b"W", b"W*"})
_PAINT = frozenset({b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})
_HEX_WORDS = frozenset({b"B", b"b", b"f", b"F", b"BDC"})  # words a hex string may hold
_SHOW_TEXT = re.compile(rb"[\s>\])](?:Tj|TJ|'|\")(?=[\s/<\[(%]|$)")
_TOKEN = re.compile(
    rb"\s*(?:(<<|>>|[\[\]{}])|(<[^<>]*>)|(\()|(/[^\s()<>\[\]{}/%]*)|(%[^\r\n]*)"
    rb"|([^\s()<>\[\]{}/%]+))"
)
_NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)")
_MCID = re.compile(rb"/MCID\s+(\d+)")
_TAG_AND_MCID = re.compile(rb"\s*/(?!Artifact\b)[^\s()<>\[\]{}/%]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*")
_STRING_CHARS = re.compile(rb"[()\\%]")
_IMAGE_DATA = re.compile(rb"\sID\s")
_IMAGE_END = re.compile(rb"\sEI(?=\s|$)")

HEADER, FOOTER, LAYOUT = "Header", "Footer", "Layout"
PROPERTIES = {
    HEADER: b"/Artifact <</Type /Pagination /Subtype /Header>> BDC",
    FOOTER: b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC",
    LAYOUT: b"/Artifact <</Type /Layout>> BDC",
}

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Edits = list[tuple[int, int, bytes]]


class Unbalanced(ValueError):
    """The stream's q/Q, BT/ET or BDC/EMC do not pair up: it is left as it is."""


@dataclass(slots=True)
class Event:
    """One operation found by the scan.

    `at` is where its operator begins and `end` where its last operator ends; its operands
    lie after `prev`, the end of the operation scanned before it. A path is one event from
    its first construction operator to the operator that paints it (`paints` False for a
    path that only clips); an image is Do, sh or an inline image.
    """

    kind: str  # q Q BT ET BDC BMC EMC cm Tm path image, or text: a whole BT ... ET
    at: int
    end: int
    prev: int
    paints: bool = False
    mcid: int | None = None
    artifact: bool = False


@dataclass
class Content:
    """One page's content stream, scanned.

    `decorations` maps the /MCID of each marked sequence that paints nothing but lines and
    fills to its position; `tagged_groups` are the q operations whose group holds tagged
    content (the page body, where untagged text is layout rather than header or footer).
    """

    data: bytes
    events: list[Event]
    middle: float
    decorations: dict[int, Event] = field(default_factory=dict)
    tagged_groups: frozenset[int] = frozenset()

    @classmethod
    def scan(cls, data: bytes, middle: float) -> Content:
        """Scan a page's content. Untagged text above `middle` (a height in default user
        space) is the running header, below it the footer.

        Raises Unbalanced when q/Q, BT/ET or BDC/EMC do not pair up.
        """
        content = cls(data, _events(data), middle)
        content._survey()
        return content

    def _survey(self) -> None:
        groups: list[int] = []
        tagged: set[int] = set()
        marks: list[tuple[Event, set[str]]] = []
        in_text = False
        for index, event in enumerate(self.events):
            kind = event.kind
            if kind == "q":
                groups.append(index)
            elif kind == "Q":
                if not groups:
                    raise Unbalanced(f"Q at byte {event.at} closes no q")
                groups.pop()
            elif kind in ("BDC", "BMC"):
                marks.append((event, {"text"} if in_text else set()))
                if event.mcid is not None:
                    tagged.update(groups)
            elif kind == "EMC":
                if not marks:
                    raise Unbalanced(f"EMC at byte {event.at} closes no marked content")
                opened, paints = marks.pop()
                if opened.mcid is not None and paints == {"path"}:
                    self.decorations[opened.mcid] = opened
                if marks:
                    marks[-1][1].update(paints)
            elif kind == "text":
                if marks:
                    marks[-1][1].add("text")
            elif kind in ("BT", "ET"):
                if in_text == (kind == "BT"):
                    raise Unbalanced(f"{kind} at byte {event.at} out of place")
                in_text = kind == "BT"
                if marks and in_text:
                    marks[-1][1].add("text")
            elif marks and (kind == "image" or (kind == "path" and event.paints)):
                marks[-1][1].add(kind)
        if groups or marks or in_text:
            raise Unbalanced("the stream ends inside a q, BT or BDC")
        self.tagged_groups = frozenset(tagged)

    def rewrite(self, demote: frozenset[int] = frozenset()) -> bytes:
        """The stream with every untagged painting marked as an artifact, and the /MCID
        sequences in `demote` turned into layout artifacts. The same bytes when there is
        nothing to mark."""
        edits = _Marker(self, demote).edits()
        if not edits:
            return self.data
        edits.sort(key=lambda edit: edit[0])  # stable: an EMC stays before the next BDC
        out, last = [], 0
        for start, stop, text in edits:
            out += [self.data[last:start], text]
            last = stop
        out.append(self.data[last:])
        return b"".join(out)


class _Marker:
    """One pass over the events: runs of untagged painting of one kind, each wrapped.

    A run ends at every q, Q, BDC, BMC and EMC outside text objects, so that its wrapper
    nests with both."""

    def __init__(self, content: Content, demote: frozenset[int]) -> None:
        self.content = content
        self.data = content.data
        self.demote = demote
        self.out: Edits = []
        self.run: list = []  # [label, start, end] of the open run

    def edits(self) -> Edits:
        ctm, in_body = IDENTITY, False
        groups: list[tuple[Matrix, bool]] = []
        marks: list[bool] = []  # per open sequence: tagged (an /MCID) or an artifact?
        text: list[Event] = []  # the open text object's events, BT first
        for index, event in enumerate(self.content.events):
            kind = event.kind
            if text:
                text.append(event)
                if kind in ("BDC", "BMC"):
                    marks.append(self._open(event))
                elif kind == "EMC":
                    marks.pop()
                elif kind == "ET":
                    self._text(text, ctm, in_body, marks)
                    text = []
                continue
            if kind == "BT":
                text = [event]
                # the state each inner event leaves behind, for a text object with tags inside
                self._text_start = (len(marks), any(marks))
            elif kind == "text":
                if not any(marks):
                    place = _find_operator(self.data, b"Tm", event.at, event.end)
                    tm = Event("Tm", place, place + 2, event.at) if place >= 0 else None
                    self._extend(LAYOUT if in_body else self._header_or_footer(tm, ctm), event)
            elif kind in ("path", "image"):
                if (kind == "image" or event.paints) and not any(marks):
                    self._extend(LAYOUT, event)
            elif kind == "cm":
                numbers = _numbers(self.data, event)
                if numbers:
                    ctm = _times(numbers, ctm)
            elif kind == "Tm":
                continue
            else:  # q Q BDC BMC EMC: a boundary no wrapper may cross
                self._close()
                if kind == "q":
                    groups.append((ctm, in_body))
                    in_body = in_body or index in self.content.tagged_groups
                elif kind == "Q":
                    ctm, in_body = groups.pop()
                elif kind == "EMC":
                    marks.pop()
                else:
                    marks.append(self._open(event))
        self._close()
        return self.out

    def _open(self, event: Event) -> bool:
        """A marked sequence begins: turned into an artifact if asked; tagged or not."""
        if event.mcid is not None and event.mcid in self.demote:
            start = operands_start(self.data, event.prev, event.at)
            self.out.append((start, event.end, b"\n" + PROPERTIES[LAYOUT]))
        return event.mcid is not None or event.artifact

    def _extend(self, label: str, first: Event, last: Event | None = None) -> None:
        end = (last or first).end
        if self.run and self.run[0] == label:
            self.run[2] = end
            return
        self._close()
        self.run = [label, operands_start(self.data, first.prev, first.at), end]

    def _close(self) -> None:
        if self.run:
            label, start, end = self.run
            _enclose(start, end, label, self.out)
            self.run = []

    def _text(self, events: list[Event], ctm: Matrix, in_body: bool, marks: list[bool]) -> None:
        """A whole text object: one unit when nothing inside it is tagged, else only the
        stretches between its marked sequences that show text outside tagged content."""
        depth, tagged_before = self._text_start
        inner = [e for e in events if e.kind in ("BDC", "BMC", "EMC")]
        place = next((e for e in events if e.kind == "Tm"), None)
        label = LAYOUT if in_body else self._header_or_footer(place, ctm)
        simple = all(e.mcid is None and not e.artifact for e in inner) and len(marks) == depth
        if simple:
            if not tagged_before:
                self._extend(label, events[0], events[-1])
            return
        self._close()
        state = list(marks[:depth])  # replay the sequences opened and closed inside
        start = events[0].end
        for event in inner + [events[-1]]:
            stop = operands_start(self.data, event.prev, event.at)
            if not any(state) and _SHOW_TEXT.search(b"\n" + self.data[start:stop]):
                _enclose(start, stop, label, self.out)
            if event.kind == "EMC":
                state.pop() if state else None
            elif event.kind != "ET":
                state.append(event.mcid is not None or event.artifact)
            start = event.end

    def _header_or_footer(self, place: Event | None, ctm: Matrix) -> str:
        """Untagged text outside the body: the header above the middle of the page, the
        footer below it (`place`: its first Tm)."""
        x = y = 0.0
        numbers = _numbers(self.data, place) if place is not None else None
        if numbers:
            x, y = numbers[4], numbers[5]
        return HEADER if x * ctm[1] + y * ctm[3] + ctm[5] > self.content.middle else FOOTER


def _enclose(start: int, stop: int, label: str, edits: Edits) -> None:
    edits.append((start, start, b"\n" + PROPERTIES[label] + b"\n"))
    edits.append((stop, stop, b"\nEMC\n"))


def _events(data: bytes) -> list[Event]:
    """The operations of a content stream that scopes, positions and painting depend on."""
    events: list[Event] = []
    path_at = path_prev = -1
    prev = skip = 0  # skip: where the scan goes on, in `scan`
    text: list[bool] | None = None  # inside BT: per open sequence, kept as an event?
    hidden = _strings_and_comments(data) if b"(" in data or b"%" in data else []
    starts = [start for start, _ in hidden]
    scan = b"\n" + data  # the newline lets the class before an operator match at 0
    while (match := _OPS.search(scan, skip)) is not None:
        op = match[1]
        at, end = match.span(1)
        at, end = at - 1, end - 1
        skip = end + 1
        if hidden and _hidden(hidden, starts, at):
            continue
        if op in _HEX_WORDS and _inside_hex_string(data, at):
            continue
        kind = _KINDS.get(op)
        if kind is not None:
            if path_at >= 0:  # a path never painted ends where the next operation begins
                events.append(Event("path", path_at, prev, path_prev))
                path_at = -1
            event = _marked(data, kind, at, end, prev) if kind in ("BDC", "BMC") else None
            # Plain sequences inside a text object (a cluster's /ActualText) change nothing
            # here: left out, they cost nothing, and they are most of a Thai page's events.
            if text is not None and event is not None:
                text.append(event.mcid is not None or event.artifact)
                if not text[-1]:
                    prev = end
                    continue
            elif text and kind == "EMC":
                if not text.pop():
                    prev = end
                    continue
            elif kind == "BT":
                after = _plain_text_object(data, end, hidden, starts)
                if after is not None:  # one event, read past: only its place may matter
                    events.append(Event("text", at, after, prev, paints=True))
                    prev, skip = after, after + 1
                    continue
                text = []
            elif kind == "ET":
                if text:
                    raise Unbalanced(f"ET at byte {at} inside a marked sequence")
                text = None
            events.append(event or Event(kind, at, end, prev))
        elif op in _PAINT or op == b"n":
            first, before = (path_at, path_prev) if path_at >= 0 else (at, prev)
            events.append(Event("path", first, end, before, paints=op != b"n"))
            path_at = -1
        elif op in _PATH_START:
            if path_at < 0:
                path_at, path_prev = at, prev
        elif op not in _CLIP:  # Do, sh, BI
            if path_at >= 0:
                events.append(Event("path", path_at, prev, path_prev))
                path_at = -1
            if op == b"BI":
                end = _inline_image_end(data, end)
                skip = end + 1
            events.append(Event("image", at, end, prev, paints=True))
        prev = end
    if path_at >= 0:
        events.append(Event("path", path_at, prev, path_prev))
    return events


def _plain_text_object(
    data: bytes, inner: int, hidden: list[tuple[int, int]], starts: list[int]
) -> int | None:
    """Where a text object ends (after its ET), when its inside holds no tagged or artifact
    sequence, only balanced plain ones (a cluster's /ActualText); None when it has to be
    read operator by operator.

    Counting and finding bytes is much faster than the scan; a hexadecimal string can hold
    `BDC` but not `EMC`, so a miscount only ever sends the object to the careful path."""
    close = _find_operator(data, b"ET", inner, len(data))
    if close < 0:
        return None
    last = bisect.bisect_left(starts, close) - 1  # the string or comment nearest before ET
    if last >= 0 and hidden[last][1] > inner:
        return None
    if data.find(b"/MCID", inner, close) >= 0 or data.find(b"/Artifact", inner, close) >= 0:
        return None
    opened = data.count(b"BDC", inner, close) + data.count(b"BMC", inner, close)
    if opened != data.count(b"EMC", inner, close):
        return None
    return close + 2


def _find_operator(data: bytes, word: bytes, start: int, stop: int) -> int:
    """Where the operator `word` (one that no hexadecimal string can hold) first stands
    between delimiters in data[start:stop], or -1."""
    while (at := data.find(word, start, stop)) >= 0:
        after = at + len(word)
        begins = at == 0 or data[at - 1 : at] in _BEFORE
        if begins and (after == len(data) or data[after : after + 1] in _AFTER):
            return at
        start = at + 1
    return -1


def _marked(data: bytes, kind: str, at: int, end: int, prev: int) -> Event:
    """A BDC or BMC with its /MCID, and whether it already marks an artifact."""
    if data.find(b"/MCID", prev, at) < 0 and data.find(b"/Artifact", prev, at) < 0:
        return Event(kind, at, end, prev)
    plain = _TAG_AND_MCID.fullmatch(data, prev, at)  # how Chromium writes them
    if plain is not None:
        return Event(kind, at, end, prev, mcid=int(plain.group(1)))
    operands = data[operands_start(data, prev, at) : at]
    found = _MCID.search(operands)
    return Event(
        kind,
        at,
        end,
        prev,
        mcid=int(found.group(1)) if found else None,
        artifact=operands.lstrip().startswith(b"/Artifact"),
    )


def _inside_hex_string(data: bytes, at: int) -> bool:
    """Whether `at` is inside a hexadecimal string: only there can a word of hex digits
    stand between delimiters without being an operator. Looks back a bounded distance, so
    that long runs of paths cost no more than short ones."""
    window = max(0, at - 4096)
    return data.rfind(b"<", window, at) > data.rfind(b">", window, at)


def _strings_and_comments(data: bytes) -> list[tuple[int, int]]:
    """The byte ranges, in order, of literal strings and comments, where no operator is."""
    ranges: list[tuple[int, int]] = []
    depth = start = pos = 0
    while (found := _STRING_CHARS.search(data, pos)) is not None:
        char, at = found.group(), found.start()
        pos = at + 1
        if depth:
            if char == b"\\":
                pos += 1  # the escaped character
            elif char == b"(":
                depth += 1
            elif char == b")":
                depth -= 1
                if not depth:
                    ranges.append((start, pos))
        elif char == b"(":
            depth, start = 1, at
        elif char == b"%":
            ends = [i for i in (data.find(b"\r", at), data.find(b"\n", at)) if i >= 0]
            pos = min(ends) if ends else len(data)
            ranges.append((at, pos))
    if depth:
        ranges.append((start, len(data)))
    return ranges


def _hidden(ranges: list[tuple[int, int]], starts: list[int], at: int) -> bool:
    index = bisect.bisect_right(starts, at) - 1
    return index >= 0 and at < ranges[index][1]


def _inline_image_end(data: bytes, begin: int) -> int:
    """Where an inline image (BI ... ID data EI) ends."""
    found = _IMAGE_DATA.search(data, begin)
    stop = _IMAGE_END.search(data, found.end()) if found else None
    return stop.end() if stop else len(data)


def operands_start(data: bytes, prev: int, at: int) -> int:
    """Where the operands of the operator at `at` begin: after the last operator before it.

    `prev` lies between two instructions; everything from there to `at` is read as tokens
    (strings and dictionaries included), so that a string holding `Tj` is not mistaken.
    """
    start = pos = prev
    while pos < at:
        token = _TOKEN.match(data, pos)
        if token is None or token.end() == pos or token.end() > at:
            break
        pos = _string_end(data, token.end()) if token.group(3) else token.end()
        word = token.group(6)
        if word and not _NUMBER.fullmatch(word) and word not in (b"true", b"false", b"null"):
            start = pos
    return start


def _string_end(data: bytes, pos: int) -> int:
    depth = 1
    while depth and pos < len(data):
        char = data[pos]
        if char == 0x5C:  # backslash
            pos += 1
        elif char == 0x28:
            depth += 1
        elif char == 0x29:
            depth -= 1
        pos += 1
    return pos


def _numbers(data: bytes, event: Event) -> Matrix | None:
    """The six operands of cm or Tm: the six words before it (numbers are separated from
    the operator before them by white space)."""
    words = data[max(event.prev, event.at - 512) : event.at].split()
    try:
        a, b, c, d, e, f = (float(w) for w in words[-6:])
    except ValueError:
        return None
    return (a, b, c, d, e, f)


def _times(m: Matrix, ctm: Matrix) -> Matrix:
    """m x ctm: the matrix after `m cm`."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = ctm
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )
