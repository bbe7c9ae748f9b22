"""What is out of date: a digest of every input an output depends on.

Each output's digest covers its source page, its catalogs, the templates, stylesheet
and fonts, the tool's version and the options of the run.  An output whose digest has
not changed since it was written is up to date; nothing else is consulted, so a no-op
build costs a few file reads.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from . import __version__
from .files import write_text

STATE_FILE = ".l10n-state.json"
PACKAGE_DIR = Path(__file__).parent


def _hash_files(digest: hashlib._Hash, paths: Iterable[Path]) -> None:
    for path in paths:
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except FileNotFoundError:
            digest.update(b"\0missing")


def tool_digest() -> str:
    """The tool itself: its version, templates, stylesheet, fonts and code."""
    digest = hashlib.sha256(__version__.encode())
    for folder, pattern in (("templates", "*.html"), ("static", "*.*"), ("", "*.py")):
        _hash_files(digest, sorted((PACKAGE_DIR / folder).glob(pattern)))
    for font in sorted((PACKAGE_DIR / "fonts").glob("*.ttf")):
        stat = font.stat()
        digest.update(f"{font.name}:{stat.st_size}".encode())
    return digest.hexdigest()


def digest(inputs: Iterable[Path], *options: object) -> str:
    """The digest of one output from its input files and the run's options."""
    found = hashlib.sha256(json.dumps([str(o) for o in options]).encode())
    found.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    _hash_files(found, inputs)
    return found.hexdigest()


class State:
    """The digests of the outputs last written into a build folder."""

    def __init__(self, build_dir: Path) -> None:
        self.path = build_dir / STATE_FILE
        try:
            self.digests: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.digests = {}

    def fresh(self, output: Path, key: str, stamp: str) -> bool:
        return output.exists() and self.digests.get(key) == stamp

    def record(self, key: str, stamp: str) -> None:
        self.digests[key] = stamp

    def save(self) -> None:
        write_text(self.path, json.dumps(self.digests, indent=0, sort_keys=True) + "\n")
