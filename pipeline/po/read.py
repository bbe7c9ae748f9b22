"""Reading the PO syntax into polib's catalog model, in one pass.

polib's own parser is a general state machine, slow for the thousands of catalogs a
project update reads (docs/benchmarks.md), and it accepts what GNU gettext refuses (an
unterminated string, an unknown escape).  This reader follows GNU's grammar, stops at the
first error with its line, and builds the same polib objects polib would, so everything
downstream keeps working with polib's model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polib

from ..errors import L10nError
from .plain import PlainEntry


class Catalog(polib.POFile):
    """polib's catalog, remembering whether its file had a header entry: gettext allows
    none, and a catalog read without one is written back without one."""

    headerless = False


_VALID_STRING = re.compile(r'"(?:[^"\\]|\\[\\"ntrabfv0-7x])*"\Z')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(\".*)\Z")
_ESCAPE = re.compile(r"\\([0-7]{1,3}|x[0-9A-Fa-f]*|.)")
_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    '"': '"',
}
_ESCAPES = set('\\"ntrabfv01234567x')


@dataclass(frozen=True)
class CatalogError:
    line: int
    message: str


class _Fail(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.error = CatalogError(line, message)


def string_problem(token: str) -> str | None:
    """What is wrong with one quoted string token (None if nothing): unterminated, an
    escape GNU does not know, or text after the closing quote."""
    if _VALID_STRING.match(token):
        return None
    i = 1
    while i < len(token):
        ch = token[i]
        if ch == "\\":
            nxt = token[i + 1] if i + 1 < len(token) else ""
            if nxt not in _ESCAPES or not nxt:
                return f"invalid escape sequence \\{nxt}" if nxt else "unterminated string"
            i += 2
            continue
        if ch == '"':
            rest = token[i + 1 :].strip()
            if rest:
                return f"syntax error: unexpected {rest[:30]!r} after the string"
            return None
        i += 1
    return "unterminated string"


def _value(token: str, line: int) -> str:
    """The value of a quoted token, C escapes decoded as GNU gettext does; `_Fail` for
    a token GNU refuses."""
    body = token[1:-1]
    if token[-1] == '"' and len(token) > 1 and '"' not in body and "\\" not in body:
        return body  # the common case, decided without a regular expression
    problem = string_problem(token)
    if problem:
        raise _Fail(line, problem)
    if "\\" not in body:
        return body

    def decode(found: re.Match) -> str:
        code = found.group(1)
        simple = _SIMPLE.get(code)
        if simple is not None:
            return simple
        value = int(code[1:] or "-1", 16) if code[0] == "x" else int(code, 8)
        if not 0 < value < 0x80:
            raise _Fail(
                line, f"escape sequence \\{code} is not supported; write the character itself"
            )
        return chr(value)

    return _ESCAPE.sub(decode, body)


class _Reader:
    """GNU's PO grammar: comments, previous fields, msgctxt, msgid, msgid_plural and
    msgstr or msgstr[n], each string continued by further quoted lines."""

    def __init__(self) -> None:
        self.po = Catalog(wrapwidth=79)
        self.entry: polib.POEntry | None = None
        self.state = ""  # the field the next continuation line extends
        self.done = False  # the current entry has its msgstr
        self.plural_index = 0

    def start(self, number: int) -> polib.POEntry:
        if self.entry is None or self.done:
            self.finish()
            self.entry = polib.POEntry(linenum=number)
            self.done = False
        return self.entry

    def finish(self) -> None:
        if self.entry is not None and self.done:
            self.po.append(self.entry)
        self.entry = None

    def comment(self, line: str, number: int) -> None:
        kind = line[1:2]
        if kind == ",":
            entry = self.start(number)
            entry.flags += [f.strip() for f in line[2:].split(",") if f.strip()]
        elif kind == ":":
            entry = self.start(number)
            for item in line[2:].split():
                place, _, at = item.rpartition(":")
                entry.occurrences.append((place, at) if place and at.isdigit() else (item, ""))
        elif kind == ".":
            if len(line) == 2:
                return  # an empty extracted comment carries nothing (polib drops it too)
            entry = self.start(number)
            text = line[2:]
            text = text[1:] if text.startswith(" ") else text
            entry.comment = f"{entry.comment}\n{text}" if entry.comment else text
        else:
            text = line.lstrip("#")
            text = text[1:] if text.startswith(" ") else text
            if self.entry is None and not self.po and not self.done and self.state == "":
                self.po.header = f"{self.po.header}\n{text}" if self.po.header else text
                return
            entry = self.start(number)
            entry.tcomment = f"{entry.tcomment}\n{text}" if entry.tcomment else text
        self.state = ""

    def previous(self, line: str, number: int) -> None:
        if not line:  # a bare "#|" carries nothing; GNU's reader skips it too
            return
        entry = self.start(number)
        if line.startswith('"'):
            self.extend(line, number, previous=True)
            return
        found = _KEYWORD.match(line)
        if not found or found.group(2) is not None or found.group(1) == "msgstr":
            raise _Fail(
                number,
                f"syntax error: unexpected {line.split()[0][:30]!r} in a previous-msgid comment",
            )
        field = {
            "msgctxt": "previous_msgctxt",
            "msgid": "previous_msgid",
            "msgid_plural": "previous_msgid_plural",
        }[found.group(1)]
        setattr(entry, field, _value(found.group(3), number))
        self.state = field

    def keyword(self, line: str, number: int, obsolete: bool) -> None:
        found = _KEYWORD.match(line)
        if not found:
            raise _Fail(number, f"syntax error: unexpected {line.split()[0][:30]!r}")
        word, index, token = found.groups()
        value = _value(token, number)
        if word in ("msgctxt", "msgid"):
            if self.state in ("msgctxt", "msgid", "msgid_plural") and not (
                word == "msgid" and self.state == "msgctxt"
            ):
                raise _Fail(
                    number, f"syntax error: {word} before the msgstr of the previous message"
                )
            started = self.start(number)
            if word == "msgctxt":
                started.msgctxt = value
            else:
                started.msgid = value
            started.obsolete = obsolete
            self.state = word
            return
        entry = self.entry
        if word == "msgid_plural":
            allowed = self.state == "msgid"
        elif index is None:
            allowed = self.state in ("msgid", "msgid_plural")
        else:
            allowed = self.state in ("msgid", "msgid_plural", "msgstr_plural")
        if entry is None or not allowed:
            raise _Fail(number, f"syntax error: unexpected {word}")
        if word == "msgid_plural":
            entry.msgid_plural = value
            self.state = word
        elif index is None:
            entry.msgstr = value
            self.state, self.done = "msgstr", True
        else:
            self.plural_index = int(index)
            entry.msgstr_plural[self.plural_index] = value
            self.state, self.done = "msgstr_plural", True

    def extend(self, line: str, number: int, previous: bool = False) -> None:
        value = _value(line, number)
        entry = self.entry
        state = self.state
        if entry is None or not state or previous != state.startswith("previous_"):
            raise _Fail(number, "syntax error: string without a keyword")
        if state == "msgstr_plural":
            entry.msgstr_plural[self.plural_index] += value
        else:
            setattr(entry, state, getattr(entry, state) + value)


def read(text: str, places: bool = True) -> Catalog:
    """The catalog in `text` (LF line ends); raises `_Fail` at the first syntax error.
    Without `places`, entries may come without their extracted comments and references
    (for a merge, which takes them from the template), the commonest as `PlainEntry`."""
    fast = read_laid_out(text, places)
    return read_lines(text) if fast is None else fast


def read_lines(text: str) -> Catalog:
    """The catalog in `text`, line by line; raises `_Fail` at the first syntax error."""
    reader = _Reader()
    last = 1
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        last = number
        if line[0] == "#":
            if line.startswith("#~"):
                rest = line[2:].lstrip()
                if rest.startswith("|"):
                    reader.previous(rest[1:].lstrip(), number)
                elif rest.startswith('"'):
                    reader.extend(rest, number)
                elif rest:
                    reader.keyword(rest, number, obsolete=True)
                continue
            if line.startswith("#|"):
                reader.previous(line[2:].lstrip(), number)
                continue
            reader.comment(line, number)
            continue
        if line[0] == '"':
            reader.extend(line, number)
        else:
            reader.keyword(line, number, obsolete=False)
    if reader.state in ("msgctxt", "msgid", "msgid_plural"):
        raise _Fail(last, "syntax error: message without a msgstr")
    reader.finish()
    _header(reader.po)
    return reader.po


# ---------------------------------------------------------------- GNU's own layout

# A catalog as GNU's tools (and this package) write it: entries apart by one empty line,
# each in GNU's order (translator comments, extracted comments, references, flags,
# previous fields, then msgctxt, msgid, msgid_plural, msgstr), strings with no escape but
# the simple ones.  One regular expression reads such an entry whole; anything else goes
# to the line-by-line reader, which builds the same objects and names an error's line.
_STR = r'"[^"\\\n]*(?:\\[\\"ntrabfv][^"\\\n]*)*"'


def _laid_out(main: str, previous: str) -> re.Pattern[str]:
    def field(keyword: str) -> str:
        return rf"{main}{keyword} ({_STR}\n(?:{main}{_STR}\n)*)"

    return re.compile(
        r"((?:#(?: [^\n]*)?\n)*)"  # translator comments
        r"((?:#\. [^\n]*\n)*)((?:#: [^\n]*\n)*)((?:#, [^\n]*\n)*)"
        rf"((?:{previous}(?:msgctxt|msgid|msgid_plural) {_STR}\n(?:{previous}{_STR}\n)*)*)"
        rf"(?:{field('msgctxt')})?{field('msgid')}(?:{field('msgid_plural')})?"
        rf"(?:{field('msgstr')}|((?:{main}msgstr\[\d+\] {_STR}\n(?:{main}{_STR}\n)*)+))\Z"
    )


_ACTIVE = _laid_out("", r"#\| ")
_OBSOLETE = _laid_out("#~ ", r"#~\| ")
_PREVIOUS_LINE = re.compile(rf"(msgctxt|msgid|msgid_plural) ({_STR})\Z")
_SIMPLE_ESCAPE = re.compile(r"\\(.)")
_BLANK_DOT = re.compile(r"^#\.[^\S\n]*$", re.MULTILINE)  # "#." and spaces, as stripped


def _string(tokens: str, continued: str = "") -> str:
    """The value of a field's quoted tokens, `"a"\n"b"\n` (continuation lines start with
    `continued`), which the pattern has checked: a quote, a line end and a quote occur
    together only between two tokens."""
    body = tokens[1:-2]
    if "\n" in body:
        body = body.replace(f'"\n{continued}"', "")
    if "\\" in body:
        return _SIMPLE_ESCAPE.sub(lambda found: _SIMPLE[found.group(1)], body)
    return body


def read_laid_out(text: str, places: bool = True) -> Catalog | None:
    """The catalog in `text` if all of it is laid out as GNU writes it, else None (see
    `read` for `places`)."""
    po = Catalog(wrapwidth=79)
    entries: list[polib.POEntry] = []
    new = polib.POEntry.__new__
    encoding = polib.default_encoding
    number = 1  # the line a block starts on
    for block in text.split("\n\n"):
        start, number = number, number + block.count("\n") + 2
        if not block or block == "\n":
            continue
        if block[-1] != "\n":
            block += "\n"
        obsolete = "#~ msgid " in block
        found = (_OBSOLETE if obsolete else _ACTIVE).match(block)
        if found is None:
            return None
        tc, dot, refs, flag_lines, previous, ctx, msgid, plural, msgstr, forms = found.groups()
        if dot and _BLANK_DOT.search(dot):
            return None  # an empty extracted comment starts no entry: the line reader's case
        if not (places or tc or flag_lines or previous or obsolete or ctx or plural or forms):
            text, translation = _string(msgid), _string(msgstr)
            if text and translation and entries:  # not the header's place
                entries.append(PlainEntry(text, translation, start))
                continue
        tcomment = comment = ""
        occurrences: list[tuple[str, str]] = []
        flags: list[str] = []
        before: dict[str, str] = {}
        if tc:
            lines = tc[:-1].split("\n")
            for line in lines:
                line = line.strip().lstrip("#")
                text = line[1:] if line[:1] == " " else line
                tcomment = f"{tcomment}\n{text}" if tcomment else text  # as the line reader
            if not entries:  # before the first entry: the file's header comment
                po.header, tcomment = tcomment, ""
                start += len(lines)
        if dot and places:
            for line in dot[:-1].split("\n"):
                line = line.rstrip()
                comment = f"{comment}\n{line[3:]}" if comment else line[3:]
        if refs and places:
            for line in refs[:-1].split("\n"):
                for item in line[3:].split():
                    place, _, at = item.rpartition(":")
                    occurrences.append((place, at) if place and at.isdigit() else (item, ""))
        if flag_lines:
            for line in flag_lines[:-1].split("\n"):
                flags += [f.strip() for f in line[2:].split(",") if f.strip()]
        if previous:
            skip = 4 if obsolete else 3  # "#~| " or "#| "
            field = ""
            for line in previous[:-1].split("\n"):
                line = line[skip:]
                if line[0] == '"':
                    before[field] += _string(line + "\n")
                else:
                    field, token = _PREVIOUS_LINE.match(line).groups()  # type: ignore[union-attr]
                    before[field] = _string(token + "\n")
        main = "#~ " if obsolete else ""
        entry = new(polib.POEntry)
        entry.__dict__ = {
            "msgid": _string(msgid, main),
            "msgstr": "" if msgstr is None else _string(msgstr, main),
            "msgid_plural": "" if plural is None else _string(plural, main),
            "msgstr_plural": {} if forms is None else _plural_forms(forms, main),
            "msgctxt": None if ctx is None else _string(ctx, main),
            "obsolete": obsolete,
            "encoding": encoding,
            "comment": comment,
            "tcomment": tcomment,
            "occurrences": occurrences,
            "flags": flags,
            "previous_msgctxt": before.get("msgctxt"),
            "previous_msgid": before.get("msgid"),
            "previous_msgid_plural": before.get("msgid_plural"),
            "linenum": start,
        }
        entries.append(entry)
    list.extend(po, entries)
    _header(po)
    return po


def _plural_forms(lines: str, main: str) -> dict[int, str]:
    """The msgstr[n] fields the pattern found, by n (a later one of the same n wins, as
    in the line reader)."""
    forms: dict[int, str] = {}
    for piece in ("\n" + lines[:-1]).split(f"\n{main}msgstr[")[1:]:
        index, _, tokens = piece.partition("] ")
        forms[int(index)] = _string(tokens + "\n", main)
    return forms


def _header(po: Catalog) -> None:
    """Move the header entry (msgid "") into the catalog's metadata, as polib does."""
    entry = next((e for e in po if e.msgid == "" and not e.obsolete), None)
    po.headerless = entry is None  # optional in gettext: written back without one
    if entry is None:
        if po.header and len(po):  # the comment above the first entry is the entry's
            first = po[0]
            first.tcomment = f"{po.header}\n{first.tcomment}" if first.tcomment else po.header
            po.header = ""
        return
    po.remove(entry)
    po.metadata_is_fuzzy = bool(entry.flags)  # polib writes any header flag as fuzzy
    key = None
    for line in entry.msgstr.splitlines():
        name, colon, value = line.partition(":")
        if colon:
            key = name
            po.metadata[key] = value.strip()
        elif key is not None:
            po.metadata[key] += "\n" + line.strip()


def parse(text: str, path: str, places: bool = True) -> polib.POFile:
    """A catalog from its text; any syntax problem is an L10nError naming the line."""
    try:
        po = read(text, places)
    except _Fail as failed:
        raise L10nError(f"{path}:{failed.error.line}: {failed.error.message}") from None
    return po
