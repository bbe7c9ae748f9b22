"""Templates (`.pot`) written straight from what extraction found.

A site's pages hold thousands of messages, each with only a msgid, its extracted
comments, its references and perhaps a flag.  Building a polib model of them and
handing it to `write.dumps_many` costs more than the parse that found them, so the
messages are laid out here as that path lays them out, with its own pieces (GNU's
references, wrapping and line breaking).  What these plain messages cannot hold (a
comment with control characters, a path GNU would read otherwise, no msgcat to
agree with) goes through the polib model and `dumps_many` instead: the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import polib

from .hardwrap import Batch
from .msgcat import executable
from .write import (
    COMMENT_CONTROL,
    WRAP,
    Item,
    dumps_many,
    field,
    flags_of,
    gnu_safe,
    join_blocks,
    polib_wrapped,
    reference_lines,
)

# A path GNU reads back as one reference: no space, colon or control character, and no
# "*" (polib writes a wrapped "-" as one and back).
_PLAIN_PATH = re.compile("[^\\s*:\x00-\x1f\x7f\u2068\u2069]+")
_MAX_LINE = 999_999_999  # GNU reads at most nine digits as a line number
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # COMMENT_CONTROL but the line ends


@dataclass  # not frozen: made thousands of times a run, and frozen ones cost 5 times more
class Message:
    """One message of a template: its text, extracted comments (a line each), the places
    it stands and its flags."""

    msgid: str
    comment: str
    references: tuple[tuple[str, int], ...]
    flags: tuple[str, ...] = ()


def dumps_templates(templates: Sequence[tuple[polib.POFile, Sequence[Message]]]) -> list[str]:
    """Each template (a header-only catalog and its messages) as `catalog.dumps` writes
    the catalog holding both, with at most one msgcat process for the messages."""
    messages = [found for _, found in templates]
    return headed([head for head, _ in templates], bodies(messages), messages)


def bodies(templates: Sequence[Sequence[Message]]) -> list[str | None]:
    """What follows the header of each template with these messages ("" for none); None
    for one that only the polib model and `dumps_many` can write (see the module)."""
    msgcat = executable()  # without it, polib's own layout is written: the slow path
    batch = Batch()
    plans = [_blocks(messages, batch) if msgcat else None for messages in templates]
    pieces = batch.resolve(msgcat) if msgcat and batch else []
    if pieces is None:  # msgcat refused the batch: every template on the slow path
        return [None] * len(templates)
    return [None if blocks is None else _joined(blocks, pieces) for blocks in plans]


def _joined(blocks: list[Block], pieces: list[list[str]]) -> str:
    texts = [b if isinstance(b, str) else join_blocks([b], pieces)[0] for b in blocks]
    return "".join(f"\n\n{text}" for text in texts)


def headed(
    heads: Sequence[polib.POFile],
    laid: Sequence[str | None],
    messages: Sequence[Sequence[Message]] = (),
) -> list[str]:
    """Each template's text: its header-only catalog as `dumps_many` writes it, then what
    `bodies` laid out for its messages; where that is None, the catalog holding both
    (`messages` then gives them) as `dumps_many` writes it."""
    plain = [n for n, body in enumerate(laid) if body is not None]
    slow = [n for n, body in enumerate(laid) if body is None]
    texts = [""] * len(heads)
    for n, head in zip(plain, dumps_many([heads[n] for n in plain]), strict=True):
        texts[n] = head[:-1] + (laid[n] or "") + "\n"
    for n, text in zip(
        slow, dumps_many([catalog(heads[n], messages[n]) for n in slow]), strict=True
    ):
        texts[n] = text
    return texts


def catalog(head: polib.POFile, messages: Sequence[Message]) -> polib.POFile:
    """The header-only catalog with the messages in it: the model `dumps_many` writes."""
    for message in messages:
        head.append(
            polib.POEntry(
                msgid=message.msgid,
                msgstr="",
                occurrences=[(path, str(line)) for path, line in message.references],
                comment=message.comment,
                flags=list(message.flags),
            )
        )
    return head


# An entry's text, or its lines with pieces that the batch lays out.
Block = str | list[Item]


def _blocks(messages: Sequence[Message], batch: Batch) -> list[Block] | None:
    blocks: list[Block] = []
    seen = set()
    for message in messages:
        if message.msgid in seen or not message.msgid:  # GNU would refuse the catalog
            return None
        seen.add(message.msgid)
        block = _block(message, batch)
        if block is None:
            return None
        blocks.append(block)
    return blocks


def _block(message: Message, batch: Batch) -> Block | None:
    """A message's lines as GNU writes what polib wrote of it; None when GNU could read
    them otherwise than as plain comments and references."""
    flags = flags_of(message.flags)
    if flags.weird:
        return None
    comments = _comment_lines(message.comment)
    if comments is None:
        return None
    items = list(comments)
    places = message.references
    if len(places) == 1 and _plain_path(places[0][0]) and not places[0][0].startswith("./"):
        path, number = places[0]
        if not 0 <= number <= _MAX_LINE:
            return None
        items.append(f"#: {path}:{number}")  # one reference: always on the first line
    else:
        references: list[tuple[str, int | None]] = []
        seen = set()
        for path, number in places:
            if not _plain_path(path) or not 0 <= number <= _MAX_LINE:
                return None
            if (path, number) not in seen:  # GNU keeps a reference once
                seen.add((path, number))
                references.append((path, number))
        items += reference_lines(references)
    items += flags.lines(False)
    msgid = field("", "msgid", message.msgid, flags, batch)
    items += msgid
    items.append('msgstr ""')
    if all(isinstance(line, str) for line in msgid):  # no piece for msgcat to lay out
        return "\n".join(items)  # type: ignore[arg-type]
    return items


@lru_cache(maxsize=64)  # a page's messages share a few paths
def _plain_path(path: str) -> bool:
    return _PLAIN_PATH.fullmatch(path) is not None


@lru_cache(maxsize=1024)  # and comments: what each is, and in which section
def _comment_lines(comment: str) -> tuple[Item, ...] | None:
    """The `#.` lines of an extracted comment (wrapped by polib, read back by GNU); None
    when GNU would not read them as they were written."""
    if _CONTROL.search(comment):  # line by line, as GNU reads them
        lines: list[str] = []
        for line in polib_wrapped(comment, "#. "):
            text = line[3:] if line.startswith("#. ") else line[2:]
            if COMMENT_CONTROL.search(text):
                return None
            lines.append(f"#. {text}" if text else "#.")
        return tuple(gnu_safe(lines))
    found: list[str] = []
    for line in comment.split("\n") if comment else ():
        if len(line) + 3 > WRAP:
            found += polib_wrapped(line, "#. ")  # each line "#. " and some text
        else:
            found.append(f"#. {line}" if line else "#.")
    return tuple(gnu_safe(found))
