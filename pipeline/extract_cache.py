"""What extraction found in each page, kept in the user's cache.

A page's template is made from the page's bytes and path by the code that parses and
lays it out; only its header (the date, the project's name) comes from elsewhere, and
is made anew each run.  So the messages as written after the header, their count and
the page's notices are kept under a digest of those inputs, and a page that has not
changed since it was last extracted is not parsed again.  One file per project holds
the entries of its current pages (`$L10N_CACHE/extract`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .assets import PACKAGE_DIR
from .files import cache_dir, forget_old, write_replaceable
from .page import Notice

FORMAT = "l10n extract cache 1"
# What a page's template depends on besides this package: the parser and its
# extensions, the HTML sanitiser and parser, the front matter's YAML, the catalog model.
LIBRARIES = ("markdown", "markdown_callouts", "nh3", "lxml", "yaml", "polib")
# libunistring breaks long lines (po/linebreak.py): its usual homes, by the names the
# dynamic linker finds first.
_UNISTRING = ("/usr/lib", "/lib", "/usr/lib64", "/lib64", "/usr/local/lib")


@dataclass(frozen=True)
class Found:
    """What extraction made of a page: the text of its template after the header (None
    when that is written with the header, not kept), its message count, its notices."""

    body: str | None
    count: int
    notices: tuple[Notice, ...]


class PageCache:
    """The entries of one project's pages, by `key`; `save` keeps those used this run."""

    def __init__(self, path: Path | None, entries: dict[str, Found]) -> None:
        self.path = path
        self.entries = entries
        self.used: dict[str, Found] = {}

    @classmethod
    def open(cls, root: Path) -> PageCache:
        name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:32]
        path = cache_dir("extract") / f"{name}.json"
        with contextlib.suppress(OSError, ValueError, TypeError):
            return cls(path, _entries(json.loads(path.read_bytes())))
        return cls(path, {})

    def key(self, rel: str, data: bytes) -> str:
        """A page's key: its path in the project, its bytes and the code that reads it."""
        digest = hashlib.sha256(code_digest())
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> Found | None:
        found = self.entries.get(key)
        if found is not None:
            self.used[key] = found
        return found

    def keep(self, key: str, found: Found) -> None:
        if found.body is not None:
            self.used[key] = found

    def save(self) -> None:
        """Write the entries used this run, unless they are the ones read."""
        if self.path is None or self.used == self.entries:
            return
        pages = {
            key: [
                found.count,
                found.body,
                [[n.line, n.message, n.untranslatable] for n in found.notices],
            ]
            for key, found in self.used.items()
        }
        data = {"format": FORMAT, "pages": pages}
        with contextlib.suppress(OSError):
            write_replaceable(self.path, json.dumps(data).encode("ascii"))
            forget_old(self.path.parent)


def _entries(data: object) -> dict[str, Found]:
    """The entries of a cache file, or none at all when any of it is not as written."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    pages = data.get("pages")
    if not isinstance(pages, dict):
        return {}
    entries = {}
    for key, value in pages.items():
        count, body, notices = value
        if type(count) is not int or not isinstance(body, str) or not isinstance(notices, list):
            return {}
        found = []
        for line, message, untranslatable in notices:
            if type(line) is not int or not isinstance(message, str):
                return {}
            if not isinstance(untranslatable, bool):
                return {}
            found.append(Notice(line, message, untranslatable))
        entries[key] = Found(body, count, tuple(found))
    return entries


@functools.cache
def code_digest() -> bytes:
    """Everything besides a page that its template's messages depend on: this package's
    code, the libraries it calls, GNU msgcat and libunistring, which lay out long lines;
    each file known by its `_stat`."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
    places = []
    for folder, dirs, names in os.walk(PACKAGE_DIR):
        dirs.sort()
        places += sorted(os.path.join(folder, name) for name in names if name.endswith(".py"))
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        places.append(f"{name}={spec.origin if spec else None}")
        if spec is not None and spec.origin:
            places.append(str(Path(spec.origin).parent))
    places.append(shutil.which("msgcat") or "no msgcat")
    multiarch = getattr(sys.implementation, "_multiarch", "")
    for folder in _UNISTRING:
        places += [f"{folder}/{multiarch}/libunistring.so.2", f"{folder}/libunistring.so.2"]
    for place in places:
        digest.update(f"{place}\0{_stat(place)}\0".encode("utf-8", "surrogateescape"))
    return digest.digest()


def _stat(path: str) -> str:
    """What says a file (or a folder of a library) was changed or replaced: its size,
    modification time and inode, as make trusts them."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return ""
    return f"{found.st_size}:{found.st_mtime_ns}:{found.st_ino}"
