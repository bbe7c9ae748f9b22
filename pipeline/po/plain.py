"""The commonest entry of a catalog an update reads, held lightly.

Nine entries in ten of a translated site's catalogs are a msgid and its translation and
nothing else a merge keeps (no translator comment, flag, context, plural or previous
English; their extracted comments and references come from the template).  An update
reads thousands of them, merges each with its template entry and lays each out: as full
polib entries that is most of its work.  A `PlainEntry` holds only the two strings (and,
once merged, its template entry, which gives its comments and references); every other
attribute reads as polib's default, so that code written for polib's model reads it
unchanged.  It is never changed in place: `full()` gives a polib entry to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import polib

_NO_FORMS: Mapping[int, str] = MappingProxyType({})


class PlainEntry(polib.POEntry):
    """A translated entry with only a msgid and a msgstr: read (without its places) or
    merged with `template`, whose extracted comments and references it then has."""

    __slots__ = ("linenum", "msgid", "msgstr", "template")
    msgid_plural = ""
    msgctxt = None  # type: ignore[assignment]  # as polib sets it; its stubs say str
    obsolete = False
    encoding = polib.default_encoding
    tcomment = ""
    previous_msgctxt = previous_msgid = previous_msgid_plural = None

    def __init__(
        self, msgid: str, msgstr: str, linenum: int | None, template: polib.POEntry | None = None
    ) -> None:
        self.msgid = msgid
        self.msgstr = msgstr
        self.linenum = linenum
        self.template = template

    @property  # read-only where polib's is writable: on purpose (see the module)
    def msgstr_plural(self) -> Mapping[int, str]:  # type: ignore[override]
        return _NO_FORMS  # read-only: changing it in place fails loudly

    @property
    def flags(self) -> tuple[str, ...]:  # type: ignore[override]
        return ()  # read-only: a flag inserted in place fails loudly

    @property
    def comment(self) -> str:  # type: ignore[override]
        return "" if self.template is None else self.template.comment

    @property
    def occurrences(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return [] if self.template is None else list(self.template.occurrences)

    def full(self) -> polib.POEntry:
        """The same entry as polib's, to change."""
        return polib.POEntry(
            msgid=self.msgid,
            msgstr=self.msgstr,
            comment=self.comment,
            occurrences=self.occurrences,
            linenum=self.linenum,
        )


def full(entry: polib.POEntry) -> polib.POEntry:
    """`entry` as polib's own, to copy or change."""
    return entry.full() if isinstance(entry, PlainEntry) else entry
