"""Check results kept between runs, each under a digest of everything it depends on.

The findings of one catalog depend on its bytes, its template, its page (whose link
reference definitions `[text][ref]` resolves to), the glossary and the do-not-translate
list, the bundled fonts (the glyphs check), the settings, and the code of the checks
with the libraries it calls.  All of it goes into the entry's key, so an entry either
says exactly what a fresh run would find or is never looked at: a catalog that did not
change is not checked again, and a change to any input checks again what it touches.

Entries live in the user's cache (`$L10N_CACHE/checks/results.sqlite`, see
`files.cache_dir`), one row per catalog under its key: nothing machine-specific lands in
the project, and two copies of a project share them.  One SQLite file rather than a file
an entry because creating a file costs more than checking a small catalog; its write-ahead
log lets the workers of a run and the runs of several projects read and write it at once.
Each entry carries the digest of its own body; one that does not read back whole is
ignored and made again, never trusted, and a database that will not open is made anew.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..assets import FONTS_DIR, PACKAGE_DIR, package_files
from ..files import cache_dir, content_digest
from ..glossary import DNT_NAME, TBX_NAME, Glossary
from ..project import Project
from .model import ERROR, WARNING, Finding, LocaleReport

FORMAT = b"l10n check results 1"
LIBRARIES = ("markdown", "babel", "polib", "fontTools", "nh3")  # what the checks call
_MISSING = b"\0missing\0"


@functools.cache
def code_digest() -> str:
    """The checks' code: every module of the package (the checks import most of it, and
    a module they do not import costs only a needless check when it changes), and the
    versions of the libraries they call."""
    digest = hashlib.sha256(FORMAT)
    for path in package_files("", "**/*.py"):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        digest.update(content_digest(path))
    for name in LIBRARIES:
        version = getattr(importlib.import_module(name), "__version__", "?")
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


@functools.cache
def fonts_digest() -> str:
    """The bundled fonts: what the glyphs check holds every translation to."""
    digest = hashlib.sha256()
    for path in sorted(FONTS_DIR.glob("*.[ot]tf")):
        digest.update(path.name.encode() + b"\0" + content_digest(path))
    return digest.hexdigest()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return _MISSING


def project_digest(project: Project) -> str:
    """What every catalog's results depend on besides its own files."""
    digest = hashlib.sha256(code_digest().encode() + fonts_digest().encode())
    for name in (TBX_NAME, DNT_NAME):
        digest.update(b"\0" + name.encode() + b"\0" + _read(project.locales_dir / name))
    settings = replace(project.config, name="", version="")  # a release bump changes nothing
    digest.update(repr(settings).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ResultCache:
    """Where check results are kept, and the digest they are all keyed under.

    Made once per run (`open`), in the run's process; it travels to worker processes
    whole, so they look entries up and store them as the run does.
    """

    folder: Path
    common: str  # project_digest
    glossary: Glossary = field(default_factory=Glossary)

    @classmethod
    def open(cls, project: Project, glossary: Glossary, folder: Path | None = None) -> ResultCache:
        return cls(folder or cache_dir("checks"), project_digest(project), glossary)

    def key(self, project: Project, locale: str, domain: str) -> str:
        """The key of one catalog's results: the run's digest, where the catalog is, and
        the bytes of the catalog, its template and its page."""
        return self.keys(project, locale, [domain])[domain]

    def keys(
        self,
        project: Project,
        locale: str,
        domains: Iterable[str],
        seen: Mapping[str, list[int]] | None = None,
    ) -> dict[str, str]:
        """`key` of each of a locale's catalogs, by domain (a summary asks for every one
        of a locale's); `seen`: the files' stats as a scan found them (content_digest)."""
        seen = seen or {}
        common = hashlib.sha256(self.common.encode())
        folder = project.catalog_dir(locale)
        shown, catalogs = project.rel(folder), str(folder)
        templates, pages = str(project.locales_dir), str(project.source_dir)
        found = {}
        for domain in domains:
            digest = common.copy()
            digest.update(f"\0{locale}\0{domain}\0{shown}/{domain}.po\0".encode())
            for source in (
                f"{catalogs}/{domain}.po",
                f"{templates}/{domain}.pot",
                f"{pages}/{domain}.md",
            ):
                digest.update(content_digest(source, seen.get(source)))
            found[domain] = digest.hexdigest()
        return found

    @property
    def path(self) -> Path:
        return self.folder / DATABASE

    def get(self, key: str) -> LocaleReport | None:
        """The results kept under `key`, or None when there are none (or none whole)."""
        rows = _execute(self.path, "SELECT entry FROM results WHERE key = ?", (key,))
        return decode(key, rows[0][0]) if rows and isinstance(rows[0][0], bytes) else None

    def put(self, key: str, report: LocaleReport) -> None:
        """Keep `report` under `key`; a cache that cannot be written is only slower."""
        _execute(
            self.path,
            "INSERT OR REPLACE INTO results (key, entry) VALUES (?, ?)",
            (key, encode(key, report)),
        )


DATABASE = "results.sqlite"
_SCHEMA = "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, entry BLOB) WITHOUT ROWID"
# This process's connections, by database; a forked worker opens its own.
_CONNECTIONS: dict[tuple[int, Path], sqlite3.Connection | None] = {}


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        # A cache: a commit appends to the log without waiting for the disk; a crash can
        # lose the last entries, never damage the others.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(_SCHEMA)
    except BaseException:
        db.close()
        raise
    return db


def _connection(path: Path) -> sqlite3.Connection | None:
    """The database at path, opened once a process; one that is not a database is made
    anew; None when neither works (the run goes on without a cache)."""
    slot = (os.getpid(), path)
    if slot not in _CONNECTIONS:
        db = None
        with contextlib.suppress(OSError, sqlite3.Error):
            try:
                db = _connect(path)
            except sqlite3.DatabaseError:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                db = _connect(path)
        _CONNECTIONS[slot] = db
    return _CONNECTIONS[slot]


def close() -> None:
    """Close this process's connections (a later question opens them again).  The last
    connection to close folds the write-ahead log into the database and removes it; a
    process that ends without closing (say a forked process that leaves by os._exit)
    leaves the log behind, and every later one reads it whole and copies it again into
    the database: ten milliseconds a run once it has grown."""
    pid = os.getpid()
    for slot in [slot for slot in _CONNECTIONS if slot[0] == pid]:
        db = _CONNECTIONS.pop(slot)
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()


def _execute(path: Path, sql: str, parameters: tuple) -> list[tuple]:
    """Rows of one statement, none when the cache cannot be read or written."""
    db = _connection(path)
    if db is None:
        return []
    with contextlib.suppress(sqlite3.Error):
        return db.execute(sql, parameters).fetchall()
    return []


def encode(key: str, report: LocaleReport) -> bytes:
    """An entry: the digest of its body on the first line, then the body (JSON)."""
    body = json.dumps(
        {
            "key": key,
            "locale": report.locale,
            "counts": [report.checked, report.fuzzy, report.untranslated, report.obsolete],
            "findings": [
                [f.path, f.line, f.check, f.severity, f.message, f.locale, f.silenced]
                for f in report.findings
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    return hashlib.sha256(body).hexdigest().encode() + b"\n" + body


_FINDING_TYPES = [str, int, str, str, str, str, bool]


def decode(key: str, data: bytes) -> LocaleReport | None:
    """The report an entry holds, or None when it is not whole, not of this key, or not
    shaped as `encode` writes it."""
    digest, _, body = data.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        return None
    try:
        entry = json.loads(body)
        counts, findings = entry["counts"], entry["findings"]
        if entry["key"] != key or not isinstance(entry["locale"], str):
            return None
        if len(counts) != 4 or not all(type(n) is int and n >= 0 for n in counts):
            return None
        report = LocaleReport(entry["locale"], [], *counts)
        for item in findings:
            if [type(part) for part in item] != _FINDING_TYPES or item[3] not in (ERROR, WARNING):
                return None
            report.findings.append(Finding(*item))
    except (ValueError, KeyError, TypeError):
        return None
    return report
