"""Catalogs written exactly as GNU `msgcat --force-po` lays them out, many at a time.

Writing each catalog through polib and its own msgcat process is slow (docs/benchmarks.md).
Almost everything GNU does is plain enough to write directly (escapes, comment and flag
order, reference wrapping, strings that fit on their line); what is not (a string that
must be broken by UAX #14, a comment GNU would reinterpret) is handed to one msgcat run
for the whole call (see hardwrap).  A catalog msgcat would refuse outright (duplicate
messages, a charset other than UTF-8, broken plural forms) keeps its own msgcat run, so
that it fails the way it always did.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from functools import lru_cache

import polib

from . import linebreak
from .hardwrap import Batch, Ref, quote
from .msgcat import GNU_FORMAT_ORDER, executable, format_one, is_gnu_flag, polib_text, split_flags
from .plain import PlainEntry

WRAP = 79  # GNU's page width
Item = str | Ref  # a written line, or a piece the batch lays out
_PORTION = re.compile(r"[^\n]*\n|[^\n]+")
# Characters whose width or line-break class could surprise: msgcat decides.
_UNSURE = re.compile("[\x00-\x06\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Everything outside these ranges might be two columns wide (counted as such).
_WIDE = re.compile(
    "[^\x00-\x7f\xa0-\u052f\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1e00-\u1eff"
    "\u2000-\u2027\u2030-\u205f]"
)
COMMENT_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
_SOLARIS = re.compile(r" [Ff]ile:")  # GNU reads `# File: a.c, line: 3` as a reference
_REFERENCE = re.compile(r"(.+):([0-9]{1,9})")
_MAIN_KEYS = ("msgctxt", "msgid", "msgid_plural")
_WORDS = re.compile(r"[^\s-]+(?: [^\s-]+)*")  # textwrap breaks these at the spaces alone


def dumps_many(catalogs: Sequence[polib.POFile]) -> list[str]:
    """Each catalog as `catalog.dumps` writes it, with at most one msgcat process."""
    msgcat = executable()
    for po in catalogs:
        _normalise(po)
    if not msgcat:
        return [polib_text(po) for po in catalogs]
    batch = Batch()
    english: _English = {}
    plans: list[_Plan | None] = []
    for po in catalogs:
        header = po.metadata_as_entry()
        plans.append(None if _refused_by_gnu(po, header) else _catalog(po, header, batch, english))
    pieces = batch.resolve(msgcat) if batch else []
    if pieces is None:  # msgcat refused the batch: every catalog on the slow path
        plans, pieces = [None] * len(plans), []
    return [
        format_one(polib_text(po)) if plan is None else _join(plan, pieces)
        for po, plan in zip(catalogs, plans, strict=True)
    ]


def _normalise(po: polib.POFile) -> None:
    """What `catalog.dumps` has always done to the model before writing it."""
    po.wrapwidth = WRAP
    if po.metadata.get("Content-Type", "").lower().find("charset=") >= 0:
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.encoding = "utf-8"


def _join(plan: _Plan, pieces: list[list[str]]) -> str:
    blocks, batched = plan
    if batched:  # some blocks wait for the batch's pieces
        blocks = [b if isinstance(b, str) else join_blocks([b], pieces)[0] for b in blocks]
    return "\n\n".join(blocks) + "\n"  # type: ignore[arg-type]


def join_blocks(blocks: list[list[Item]], pieces: list[list[str]]) -> list[str]:
    """Each entry's text, its pieces laid out by the batch put in."""
    out = []
    for block in blocks:
        lines: list[str] = []
        for item in block:
            if isinstance(item, str):
                lines.append(item)
            else:
                lines.extend(pieces[item])
        out.append("\n".join(lines))
    return out


# ---------------------------------------------------------------- what GNU refuses


def _refused_by_gnu(po: polib.POFile, entry: polib.POEntry) -> bool:
    """Catalogs whose msgcat run would fail or be read in another charset (`entry`: the
    catalog's header entry)."""
    header = entry.msgstr
    at = header.find("charset=")
    charset = re.split(r"[ \t\n]", header[at + 8 :], maxsplit=1)[0] if at >= 0 else ""
    if charset.lower() != "utf-8" and not getattr(po, "headerless", False):
        return True
    seen: set[tuple[str | None, str]] = {(None, "")}
    for entry in po:
        key = (entry.msgctxt, entry.msgid)
        if key in seen or _malformed(entry):
            return True
        seen.add(key)
    return False


def _malformed(entry: polib.POEntry) -> bool:
    if type(entry) is PlainEntry:  # no plural, flag or previous field: only its places
        return entry.template is not None and _broken_places(entry.template.occurrences)
    plural = entry.msgstr_plural
    if (plural or entry.msgid_plural) and (
        bool(entry.msgid_plural) != bool(plural) or sorted(plural) != list(range(len(plural)))
    ):
        return True
    if entry.previous_msgid is None and (
        entry.previous_msgctxt is not None or entry.previous_msgid_plural is not None
    ):
        return True
    for flag in entry.flags:
        if "\n" in str(flag):
            return True
    return _broken_places(entry.occurrences)


def _broken_places(occurrences: list[tuple[str, str]]) -> bool:
    return any("\n" in f"{path}{line or ''}" for path, line in occurrences)


# ---------------------------------------------------------------- entries


# An entry's lines up to its msgstr, by everything they depend on: the same template
# entry recurs in each locale's catalog of a page.
_English = dict[tuple, "_Lines"]
# An entry's block: written (a string), or lines some of which wait for the batch.
_Block = str | list[Item]
# A catalog's blocks, and whether any of them waits for the batch's pieces.
_Plan = tuple[list[_Block], bool]


def _catalog(po: polib.POFile, header: polib.POEntry, batch: Batch, english: _English) -> _Plan:
    blocks = []
    if not getattr(po, "headerless", False):  # as msgmerge, never invent a header
        blocks.append(_entry(header, batch, {}, _header_lines(po.header)))
    blocks += [_entry(e, batch, english) for e in po if not e.obsolete]
    blocks += [_entry(e, batch, english) for e in po if e.obsolete and _translated(e)]
    return blocks, not all(isinstance(block, str) for block in blocks)


def _header_lines(header: str) -> list[str]:
    """polib's header comment; an empty one is not written at all."""
    if not header:
        return []
    return [
        "#" if not line else f"#{line}" if line[:1] in ",:" else f"# {line}"
        for line in header.split("\n")
    ]


def _translated(entry: polib.POEntry) -> bool:
    """GNU's test: the first msgstr is not empty (untranslated obsolete ones vanish)."""
    plural = entry.msgstr_plural
    return (plural[min(plural)] if plural else entry.msgstr) != ""


class _Lines:
    """An entry's lines up to its msgstr, written out as one string where none waits for
    the batch, and its flags as GNU reads them."""

    __slots__ = ("flags", "items", "text")

    def __init__(self, items: list[Item], flags: _Flags) -> None:
        self.items = items
        self.flags = flags
        self.text = "\n".join(items) if all(isinstance(i, str) for i in items) else None  # type: ignore[arg-type]


def _entry(
    entry: polib.POEntry, batch: Batch, english: _English, comments: list[str] | None = None
) -> _Block:
    if type(entry) is PlainEntry and entry.template is not None:
        return _plain(entry, batch, english)
    plural = entry.msgstr_plural
    translated = (plural[min(plural)] if plural else entry.msgstr) != ""
    key = (
        entry.obsolete,
        translated,
        entry.tcomment,
        entry.comment,
        *entry.occurrences,
        None,
        *entry.flags,
        None,
        entry.previous_msgctxt,
        entry.previous_msgid,
        entry.previous_msgid_plural,
        entry.msgctxt,
        entry.msgid,
        entry.msgid_plural,
    )
    hashable = True
    try:
        found = english.get(key)
    except TypeError:  # a model built in code may hold unhashable occurrences
        found, hashable = None, False
    if found is None:
        found = _Lines(*_english(entry, translated, batch, comments))
        if hashable:
            english[key] = found
    flags = found.flags
    main = "#~ " if entry.obsolete else ""
    if plural:
        items: list[Item] = []
        for index in sorted(plural):
            items += field(main, f"msgstr[{index}]", plural[index], flags, batch)
    else:
        items = field(main, "msgstr", entry.msgstr, flags, batch)
    return _after(found, items)


def _after(found: _Lines, items: list[Item]) -> _Block:
    """An entry's English lines, then its translation's."""
    if found.text is not None:
        try:
            return found.text + "\n" + "\n".join(items)  # type: ignore[arg-type]
        except TypeError:  # a piece still to be laid out by msgcat
            pass
    return [*found.items, *items]


def _plain(entry: PlainEntry, batch: Batch, english: _English) -> _Block:
    """A merged `PlainEntry`'s block: its English lines are its template entry's, laid out
    once for every catalog of the page (`english` keeps them by that entry)."""
    key = ("plain", id(entry.template))  # the template entry lives as long as the entry
    found = english.get(key)
    if found is None:
        found = english[key] = _Lines(*_english(entry, True, batch, None))
    items = field("", "msgstr", entry.msgstr, found.flags, batch)
    return _after(found, items)


def _english(
    entry: polib.POEntry, translated: bool, batch: Batch, comments: list[str] | None
) -> tuple[list[Item], _Flags]:
    """The comments, flags and English fields of an entry, with its flags as GNU reads them."""
    obsolete = entry.obsolete
    polib_lines = (comments or []) + _polib_comments(entry)
    flags = flags_of(tuple(entry.flags))
    gnu = None if flags.weird else _gnu_comments(polib_lines)
    items: list[Item]
    if gnu is None:
        flag_line = [f"#, {', '.join(entry.flags)}"] if entry.flags else []
        items = [batch.comments(polib_lines + flag_line, obsolete, translated)]
    else:
        items = [*gnu, *flags.lines(translated or obsolete)]
    previous = "#~| " if obsolete else "#| "
    for key in _MAIN_KEYS:
        value = getattr(entry, f"previous_{key}")
        if value is not None:
            items += field(previous, key, value, flags, batch)
    main = "#~ " if obsolete else ""
    if entry.msgctxt is not None:
        items += field(main, "msgctxt", entry.msgctxt, flags, batch)
    items += field(main, "msgid", entry.msgid, flags, batch)
    if entry.msgid_plural:
        items += field(main, "msgid_plural", entry.msgid_plural, flags, batch)
    return items, flags


# ---------------------------------------------------------------- comments


def _polib_comments(entry: polib.POEntry) -> list[str]:
    """The comment lines polib writes (wrapped by textwrap): GNU reads these back."""
    lines = gnu_safe(polib_wrapped(entry.tcomment, "# "))
    if not entry.obsolete:
        lines += gnu_safe(polib_wrapped(entry.comment, "#. "))
        lines += _polib_references(entry.occurrences)
    return lines


def gnu_safe(lines: list[str]) -> list[str]:
    """Comment lines as GNU reads them: its reader joins a line that ends in a backslash
    to the next (an entry's reference would become comment text), so such a line, as
    written or as wrapping left it, gets a space after it, which GNU keeps."""
    return [f"{line} " if line.endswith("\\") else line for line in lines]


def polib_wrapped(text: str, prefix: str) -> list[str]:
    lines: list[str] = []
    for comment in text.split("\n") if text else []:
        if len(comment) + len(prefix) > WRAP:
            lines += _wrapped(comment, prefix)
        else:
            lines.append(prefix + comment)
    return lines


def _wrapped(text: str, prefix: str) -> list[str]:
    """textwrap's lines for a long comment line, as polib asks for them.  Words one
    space apart, without hyphens, are filled as textwrap fills them (greedily, a word
    wider than the line alone on one) without its machinery."""
    if not _WORDS.fullmatch(text):
        return textwrap.wrap(
            text, WRAP, initial_indent=prefix, subsequent_indent=prefix, break_long_words=False
        )
    width = WRAP - len(prefix)
    lines, line = [], ""
    for word in text.split(" "):
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line = f"{line} {word}"
        else:
            lines.append(prefix + line)
            line = word
    lines.append(prefix + line)
    return lines


def _polib_references(occurrences: list[tuple[str, str]]) -> list[str]:
    if not occurrences:
        return []
    filestr = " ".join(f"{path}:{line}" if line else path for path, line in occurrences)
    if len(filestr) + 3 <= WRAP:
        return ["#: " + filestr]
    # polib's own trick against textwrap breaking at hyphens (a "*" comes back as "-")
    return [
        line.replace("*", "-")
        for line in textwrap.wrap(
            filestr.replace("-", "*"),
            WRAP,
            initial_indent="#: ",
            subsequent_indent="#: ",
            break_long_words=False,
        )
    ]


def _gnu_comments(lines: list[str]) -> list[str] | None:
    """GNU's reading and rewriting of polib's comment lines; None where GNU might
    read them otherwise than as plain comments and references."""
    plain: list[str] = []
    dots: list[str] = []
    references: list[tuple[str, int | None]] = []
    for line in lines:
        if line == "#" or line.startswith("# "):
            text = line[2:]
            if _SOLARIS.match(line[1:]) or COMMENT_CONTROL.search(text):
                return None
            plain.append(text)
        elif line.startswith("#."):
            text = line[3:] if line.startswith("#. ") else line[2:]
            if COMMENT_CONTROL.search(text):
                return None
            dots.append(text)
        elif line.startswith("#:"):
            found = _gnu_references(line[2:])
            if found is None:
                return None
            for ref in found:  # GNU keeps a reference once
                if ref not in references:
                    references.append(ref)
        else:
            return None
    return (
        [f"# {t}" if t else "#" for t in plain]
        + [f"#. {t}" if t else "#." for t in dots]
        + reference_lines(references)
    )


def _gnu_references(text: str) -> list[tuple[str, int | None]] | None:
    found: list[tuple[str, int | None]] = []
    for token in re.split(r"[ \t]+", text):
        if not token:
            continue
        if (
            token[0] == ":"
            or token[-1] == ":"
            or COMMENT_CONTROL.search(token)
            or "\u2068" in token
            or "\u2069" in token
        ):
            return None
        match = _REFERENCE.fullmatch(token)
        found.append((match.group(1), int(match.group(2))) if match else (token, None))
    return found


def reference_lines(references: list[tuple[str, int | None]]) -> list[str]:
    """GNU's `#:` lines: a new line when the next reference would pass the width."""
    lines: list[str] = []
    line, column = "#:", 2
    for path, number in references:
        while path.startswith("./"):
            path = path[2:]
        text = path if number is None else f"{path}:{number}"
        width = len(text.encode("utf-8")) + 1
        if column > 2 and column + width > WRAP:
            lines.append(line)
            line, column = "#:", 2
        line += " " + text
        column += width
    if references:
        lines.append(line)
    return lines


# ---------------------------------------------------------------- flags


class _Flags:
    """An entry's flags as GNU reads them, plus those only Weblate knows."""

    def __init__(self, flags: list[str]) -> None:
        every = split_flags(flags)
        known = [f for f in every if is_gnu_flag(f)]
        self.extra = [f for f in every if not is_gnu_flag(f)]
        self.weird = any(f.startswith("range:") for f in known)
        self.fuzzy = "fuzzy" in known
        wraps = [f for f in known if f in ("wrap", "no-wrap")]
        self.no_wrap = bool(wraps) and wraps[-1] == "no-wrap"
        formats: dict[str, bool] = {}
        for flag in known:
            if flag.endswith("-format"):
                negated = flag.startswith("no-")
                formats[flag[3 if negated else 0 : -7]] = not negated
        self.formats = [
            f"{lang}-format" if formats[lang] else f"no-{lang}-format"
            for lang in GNU_FORMAT_ORDER
            if lang in formats
        ]
        self.key = ", ".join(self.formats)

    def lines(self, show_fuzzy: bool) -> list[str]:
        flags = (["fuzzy"] if self.fuzzy and show_fuzzy else []) + self.formats
        flags += ["no-wrap"] if self.no_wrap else []
        flags += self.extra
        return [f"#, {', '.join(flags)}"] if flags else []


@lru_cache(maxsize=256)  # a catalog's entries share a handful of flag sets
def flags_of(flags: tuple[str, ...]) -> _Flags:
    return _Flags(list(flags))


# ---------------------------------------------------------------- strings


def field(prefix: str, keyword: str, value: str, flags: _Flags, batch: Batch) -> list[Item]:
    """`keyword "value"` on its own line, on one line per "\\n"-ended portion, or broken
    as GNU breaks it when a portion does not surely fit.  (A line longer than the page
    before its escapes are written never fits: the escapes only lengthen it.)"""
    no_wrap = flags.no_wrap
    if value.find("\n", 0, len(value) - 1) < 0:
        if not no_wrap and len(prefix) + len(keyword) + len(value) + 3 > WRAP:
            return _broken(prefix, keyword, value, flags, batch)
        line = f'{prefix}{keyword} "{quote(value)}"'
        if no_wrap or _fits(value, len(line)):
            return [line]
        return _broken(prefix, keyword, value, flags, batch)
    lines: list[Item] = [f'{prefix}{keyword} ""']
    for portion in _PORTION.findall(value):
        if not no_wrap and len(prefix) + len(portion) + 2 > WRAP:
            return _broken(prefix, keyword, value, flags, batch)
        line = f'{prefix}"{quote(portion)}"'
        if not no_wrap and not _fits(portion, len(line)):
            return _broken(prefix, keyword, value, flags, batch)
        lines.append(line)
    return lines


def _broken(prefix: str, keyword: str, value: str, flags: _Flags, batch: Batch) -> list[Item]:
    """libunistring's breaks, as msgcat would make them; msgcat itself where format
    flags make GNU keep directives whole."""
    found = None if flags.key else linebreak.lines(prefix, keyword, value, WRAP)
    return [batch.string(prefix, keyword, flags.key, value)] if found is None else [*found]


def _fits(text: str, length: int) -> bool:
    """Whether a line of `length` characters holding `text` surely spans at most WRAP
    columns: every character is counted as wide as it could possibly be."""
    if text.isascii():
        return length <= WRAP and not _UNSURE.search(text)
    if length > WRAP or _UNSURE.search(text):
        return False
    return length + len(_WIDE.findall(text)) <= WRAP
