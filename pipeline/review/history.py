"""Earlier approved texts, found again in the catalog's git history.

The ledger keeps digests only, never text; so to show a reviewer what an entry said
when it was last approved, the committed versions of its catalog are read, newest
first, until a version's entry has exactly the approved digests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib

from .. import git
from ..errors import L10nError
from ..po import catalog
from .ledger import EntryText

MAX_VERSIONS = 200  # committed versions of one catalog read at most


@dataclass(frozen=True)
class Earlier:
    """An approved text as it was committed."""

    english: tuple[str, ...]
    translation: tuple[str, ...]
    commit: str  # abbreviated hash of the commit that holds it


def forms(entry: polib.POEntry) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(English, translation) of an entry, plural forms in order."""
    if entry.msgid_plural:
        english = (entry.msgid, entry.msgid_plural)
        return english, tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
    return (entry.msgid,), (entry.msgstr,)


def find(
    root: Path, path: Path, page: str, wanted: Iterable[EntryText]
) -> dict[EntryText, Earlier]:
    """Of the `wanted` texts, those some committed version of the catalog at `path` holds."""
    todo = set(wanted)
    found: dict[EntryText, Earlier] = {}
    if not todo:
        return found
    for commit, data in _versions(root, path):
        try:
            po = catalog.parse(catalog.decode(data, path.name), path.name)
        except L10nError:
            continue  # a broken commit of the catalog: older ones may still serve
        for entry in po:
            text = EntryText.of(page, entry)
            if text in todo:
                todo.discard(text)
                found[text] = Earlier(*forms(entry), commit)
        if not todo:
            break
    return found


def _versions(root: Path, path: Path) -> list[tuple[str, bytes]]:
    """(short hash, bytes) of the committed versions of a file, newest first; none
    outside git."""
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
        log = git.output(root, "log", f"-n{MAX_VERSIONS}", "--format=%h", "--", rel)
        prefix = git.output(root, "rev-parse", "--show-prefix")
        if log is None or prefix is None:
            return []
        commits = log.decode().split()
        if not commits:
            return []
        names = "".join(f"{c}:{prefix.decode().strip()}{rel}\n" for c in commits)
        out = git.output(root, "cat-file", "--batch", stdin=names.encode())
    except ValueError:
        return []
    if out is None:
        return []
    versions, at = [], 0
    for commit in commits:
        end = out.index(b"\n", at)
        head = out[at:end].split()
        at = end + 1
        if len(head) != 3 or head[1] != b"blob":
            continue  # missing in that commit (it deleted the file)
        size = int(head[2])
        versions.append((commit, out[at : at + size]))
        at += size + 1
    return versions
