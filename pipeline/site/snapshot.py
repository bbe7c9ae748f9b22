"""What is out of date: a digest of every input an output depends on.

Each output's digest covers its source page, its catalogs, the templates, stylesheet
and fonts, the tool's version and the options of the run.  An output whose digest has
not changed since it was written is up to date.  Before any of that, a Snapshot of the
last build's files by size and mtime lets a command that would change nothing stop at a
few hundred stat calls; the same command line typed again is answered from it before it
is even parsed (`replay`).  The snapshot names this machine's paths and times, so it is
kept in the user's cache, not in build/: two copies of a project build identical trees.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..assets import package_files
from ..files import (
    RACY_NS,
    TEMP_DEPTH,
    cache_dir,
    content_digest,
    project_lock,
    read_object,
    write_text,
)

if TYPE_CHECKING:
    import hashlib

STATE_FILE = ".l10n-state.json"
INDEX_CACHE = ".l10n-index.json"  # see site.index
INDEX_TABLE = ".l10n-index-{}.json"  # a language's, by its tag: see site.index


def _hash_files(digest: hashlib._Hash, paths: Iterable[Path]) -> None:
    for path in paths:
        digest.update(path.name.encode() + b"\0" + content_digest(path))


# What tool_digest covers: (folder in the package, pattern); the fonts by name and size.
TOOL_FILES = (("templates", "*.html"), ("static", "*.*"), ("", "**/*.py"), ("fonts", "*.ttf"))


def tool_digest() -> str:
    """The tool itself: its version, templates, stylesheet, fonts and code."""
    import hashlib  # here: a no-op build answered from the Snapshot never needs it

    digest = hashlib.sha256(__version__.encode())
    *code, fonts = [package_files(*where) for where in TOOL_FILES]
    for paths in code:
        _hash_files(digest, paths)
    for font in fonts:
        stat = font.stat()
        digest.update(f"{font.name}:{stat.st_size}".encode())
    return digest.hexdigest()


def digest(inputs: Iterable[Path], *options: object) -> str:
    """The digest of one output from its input files and the run's options."""
    return digester(*options)(inputs)


class Digester:
    """`digest` for many outputs of one run: the options are encoded once."""

    def __init__(self, *options: object) -> None:
        import hashlib

        self.base = hashlib.sha256(json.dumps([str(o) for o in options]).encode())
        self.base.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())

    def __call__(self, inputs: Iterable[Path]) -> str:
        return self.named((path.name, content_digest(path)) for path in inputs)

    def named(self, inputs: Iterable[tuple[str, bytes]]) -> str:
        """The digest from each input's file name and content digest, when the caller
        has them already (an input many outputs share is then digested once)."""
        return self.joined(b"".join(named(name, content) for name, content in inputs))

    def joined(self, data: bytes) -> str:
        """`named` of inputs whose `named` bytes the caller has joined already (a large
        site's thousands of pages share most of theirs)."""
        found = self.base.copy()
        found.update(data)
        return found.hexdigest()


def named(name: str, content: bytes) -> bytes:
    """What an input, by file name and content digest, adds to an output's digest."""
    return name.encode() + b"\0" + content


def digester(*options: object) -> Digester:
    return Digester(*options)


class OutputDigests:
    """The digests of the outputs last written into a build folder."""

    def __init__(self, build_dir: Path) -> None:
        self.path = build_dir / STATE_FILE
        self.digests: dict[str, str] = read_object(self.path)

    def fresh(self, output: Path, key: str, stamp: str) -> bool:
        return output.exists() and self.digests.get(key) == stamp

    def record(self, key: str, stamp: str) -> None:
        self.digests[key] = stamp

    def forget(self, key: str) -> None:
        """The output must be made again, whatever its inputs."""
        self.digests.pop(key, None)

    def save(self) -> None:
        write_text(
            self.path, json.dumps(self.digests, sort_keys=True, separators=(",", ":")) + "\n"
        )


def snapshot_path(root: Path) -> Path:
    """Where the snapshot of a project's last build is kept: the user's cache, one file
    per project folder.  Two folders that share a name and checksum cannot mix up: the
    snapshot's command names its project's absolute path."""
    where = root.resolve()
    return cache_dir("snapshots") / f"{where.name}-{zlib.crc32(bytes(where)):08x}.json"


def file_stat(path: str) -> list[int]:
    """Size and mtime (ns) of a file, [] when it cannot be read: what says it changed."""
    try:
        found = os.stat(path)
    except OSError:
        return []
    return [found.st_size, found.st_mtime_ns]


def _stat(path: str) -> list[int]:
    """What the snapshot keeps of a file: `file_stat` and the inode (a file replaced by
    another has another), as `content_digest` knows a file by."""
    try:
        found = os.stat(path)
    except OSError:
        return []
    return [found.st_size, found.st_mtime_ns, found.st_ino]


def scan_tree(folder: Path, into: dict[str, list[int]]) -> None:
    """The size and mtime of a folder, of every folder in it and of every file in them.

    A folder's mtime changes when an entry is added, removed or renamed in it, so an
    unchanged scan means no page or catalog came or went.  (A large site has thousands
    of files: one stat each, and nothing else made for them.)
    """
    stat = os.stat
    waiting = [str(folder)]
    while waiting:
        top = waiting.pop()
        into[top] = _stat(top)
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            path = entry.path
            if entry.is_dir(follow_symlinks=False):
                waiting.append(path)
                continue
            try:
                found = stat(path)
            except OSError:
                into[path] = []
                continue
            into[path] = [found.st_size, found.st_mtime_ns, found.st_ino]


@dataclass
class Snapshot:
    """A finished build as its files' sizes and mtimes, and the lines it reported.

    When the same command finds every file it read and wrote with the size and mtime it
    had, the build cannot differ from the last one, and the command answers from here
    without loading the project (make and ninja trust size and mtime the same way).
    Files changed within RACY_NS of the scan are not trusted: a build that read them
    keeps no snapshot, so the next one compares digests as usual.
    """

    command: list
    files: dict[str, list[int]] = field(default_factory=dict)
    report: list[list] = field(default_factory=list)  # [locale, outputs up to date, what]
    trusted: bool = False  # no input changed within RACY_NS of the scan
    invocation: dict | None = None  # the command line as typed, for `replay`

    @classmethod
    def scan(cls, root: Path, command: list) -> Snapshot:
        """The inputs of a build, taken before it reads them."""
        found = cls(command)
        now = time.time_ns()
        found.files[str(root / "pyproject.toml")] = _stat(str(root / "pyproject.toml"))
        for folder in (root / "source", root / "locales"):
            scan_tree(folder, found.files)
        for path in _tool_files():
            found.files[str(path)] = _stat(str(path))
        found.trusted = all(not st or st[1] < now - RACY_NS for st in found.files.values())
        return found

    def add(self, paths: Iterable[Path | str]) -> None:
        """Files the build wrote or ran (the browser): any later change to them shows too."""
        for path in paths:
            self.files[str(path)] = _stat(str(path))

    def finish(
        self, root: Path, build_dir: Path, reports: dict[str, list], also: Iterable[Path] = ()
    ) -> None:
        """Record what a build wrote and reported, per kind of output, and keep the snapshot
        (none when an input changed too lately to be trusted: then nothing is recorded)."""
        if not self.trusted:
            self.save(root)
            return
        self.report = [
            [r.locale, len(r.written) + len(r.skipped), what]
            for what, results in reports.items()
            for r in results
        ]
        self.add(
            os.path.join(root, path)
            for results in reports.values()
            for r in results
            for path in r.written + r.skipped
        )
        self.add(build_dir / name for name in ("index.html", STATE_FILE, INDEX_CACHE))
        self.add(also)
        self.add(_folders(build_dir, TEMP_DEPTH))  # a file a killed run left shows too
        self.save(root)

    def save(self, root: Path) -> None:
        path = snapshot_path(root)
        if not self.trusted:
            path.unlink(missing_ok=True)
            return
        _write(
            path,
            {
                "command": self.command,
                "files": self.files,
                "report": self.report,
                "invocation": self.invocation,
            },
        )


def _write(path: Path, data: dict) -> None:
    # In place, under the project lock: a torn file does not parse, so is not trusted.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, ensure_ascii=False) + "\n")


def _load(root: Path) -> dict | None:
    return read_object(snapshot_path(root)) or None


def _still(data: dict) -> list[list] | None:
    """The snapshot's report when every file in it is as it was; else None."""
    files = data.get("files")
    if not isinstance(files, dict) or not all(_stat(p) == st for p, st in files.items()):
        return None
    report = data.get("report")
    if not isinstance(report, list) or not all(
        isinstance(line, list) and len(line) == 3 for line in report
    ):
        return None
    return report


def report_lines(report: list[list]) -> list[str]:
    """What a build that changed nothing prints."""
    return [f"{locale}: 0 {what}, {count} up to date" for locale, count, what in report]


def last_report(root: Path, command: list, typed: dict | None = None) -> list[list] | None:
    """The last build's report when `command` would change nothing, under the project
    lock; else None. The snapshot then also answers `typed` (an invocation) early."""
    path = snapshot_path(root)
    if not path.is_file():
        return None
    with project_lock(root, tidy=False):  # an unchanged snapshot: no file came since
        if _STALE.get(str(path)) == _stat(str(path)):
            return None  # `replay` found a file changed since it was taken
        data = _load(root)
        if data is None or data.get("command") != command:
            return None
        report = _still(data)
        if report is not None and typed is not None and data.get("invocation") != typed:
            _write(path, {**data, "invocation": typed})
        return report


# Snapshots (by path) found out of date in this process, with the size and mtime they
# had then: a file that changed since a snapshot was taken stays changed.
_STALE: dict[str, list[int]] = {}

# What, besides the command line and the folder, decides what a build does.
REPLAY_ENV = ("SOURCE_DATE_EPOCH", "L10N_BROWSER", "PATH")


def invocation(argv: list[str], cwd: str, environ: Mapping[str, str], quiet: bool) -> dict:
    """A command line as typed, where and with what environment: what `replay` matches."""
    return {
        "argv": argv,
        "cwd": cwd,
        "env": {name: environ.get(name) for name in REPLAY_ENV},
        "quiet": quiet,
    }


def replay(argv: list[str], cwd: str, environ: Mapping[str, str]) -> list[str] | None:
    """What `l10n <argv>` prints, when the last build was this very command line, typed in
    the same folder with the same environment, and nothing has changed since; else None.

    Answering before the command line is parsed saves a no-op build most of its time
    (importing click costs more than checking every file). The project folder is only
    guessed from `-C`: a wrong guess finds no snapshot made by this command line.
    """
    root = Path(cwd, _project_option(argv))
    if not snapshot_path(root).is_file():
        return None
    with project_lock(root, tidy=False):
        data = _load(root) or {}
        typed = data.get("invocation")
        if not isinstance(typed, dict) or typed != invocation(
            argv, cwd, environ, typed.get("quiet") is True
        ):
            return None
        report = _still(data)
        if report is None:
            stale = snapshot_path(root)
            _STALE[str(stale)] = _stat(str(stale))
    if report is None:
        return None
    return [] if typed["quiet"] else report_lines(report)


def _project_option(argv: list[str]) -> str:
    """The value of -C/--project among the options before the command, else "."."""
    for number, arg in enumerate(argv):
        if arg in ("-C", "--project"):
            return argv[number + 1] if number + 1 < len(argv) else "."
        if arg.startswith("--project="):
            return arg.partition("=")[2]
        if arg.startswith("-C"):
            return arg[2:]
        if not arg.startswith("-"):
            break
    return "."


def _folders(root: Path, depth: int) -> list[Path]:
    """root and the folders in it, down to `depth` levels."""
    found = [root]
    if depth > 0:
        try:
            entries = [Path(e.path) for e in os.scandir(root) if e.is_dir(follow_symlinks=False)]
        except OSError:
            return found
        for folder in entries:
            found += _folders(folder, depth - 1)
    return found


def forget(root: Path) -> None:
    """A build starts: until it ends, the last snapshot no longer describes the folder."""
    snapshot_path(root).unlink(missing_ok=True)


def _tool_files() -> list[Path]:
    """The files tool_digest covers."""
    return [path for where in TOOL_FILES for path in package_files(*where)]
