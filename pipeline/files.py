"""Writing files whole or not at all, and one run at a time."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a temporary file and a rename.

    A file that already holds exactly `data` is not touched (bytes and modification
    time stay), so unchanged outputs do not churn.  Returns True when it wrote.
    """
    staged = stage(path, data)
    if staged is None:
        return False
    commit_all([(staged, path)])
    return True


def stage(path: Path, data: bytes, size: int | None = None) -> Path | None:
    """`data` in a temporary file beside `path`, for `commit_all` to put in place; None
    when `path` already holds exactly `data` (`size`: its length, when the caller has
    just read it: a file of another length needs no reading to tell).  Staging many
    files first and committing them together keeps a failure from leaving some written
    and some not, and one sync of the file system for them all costs far less than one
    fsync a file."""
    try:
        if size in (None, len(data)) and path.read_bytes() == data:
            return None
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            os.fchmod(handle.fileno(), 0o644)
    except BaseException:
        discard([tmp])
        raise
    return tmp


def _temporary(path: Path) -> tuple[int, Path]:
    """A new file of our own beside `path`, open for writing, named as `_TEMP` says
    (what tempfile.mkstemp does, without its import and name generator)."""
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{os.urandom(4).hex()}.tmp"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
    raise FileExistsError(f"{path.parent}: no free name for a temporary file")


SYNC_ALL_FROM = 16  # files; from here one sync of the file systems beats an fsync each
RENAMERS = 4  # threads that put many files in place: a rename waits on the disk
RENAME_APART_FROM = 256  # files; fewer are put in place by the run's own thread


def commit_all(staged: list[tuple[Path, Path]]) -> None:
    """Put staged files in place (pairs of temporary file and destination), their data
    on disk first so that no rename can outlive it in a crash.  Many are put in place
    by a few threads, in no particular order; after a failure each stops at its next
    file, the temporary files left are removed and the first failure is raised."""
    if len(staged) >= SYNC_ALL_FROM:
        os.sync()
    else:
        for tmp, _ in staged:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    failures: list[BaseException] = []
    if len(staged) < RENAME_APART_FROM:
        _rename(staged, failures)
    else:  # a rename over a file frees the old one, which may wait on the disk (a discard)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(RENAMERS) as pool:
            for share in [staged[i::RENAMERS] for i in range(RENAMERS)]:
                pool.submit(_rename, share, failures)
    if failures:
        raise failures[0]


def _rename(staged: list[tuple[Path, Path]], failures: list[BaseException]) -> None:
    """Put these files in place, in order, until one fails (its failure is added to
    `failures`) or `failures`, shared with other threads, has one; the temporary files
    not put in place are removed."""
    done = 0
    try:
        while done < len(staged) and not failures:
            tmp, path = staged[done]
            os.replace(tmp, path)
            done += 1
    except BaseException as exc:
        failures.append(exc)
    discard([tmp for tmp, _ in staged[done:]])


def discard(staged: list[Path | None]) -> None:
    for tmp in staged:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


class Staging:
    """Files staged beside their targets, then put in place together or not at all.

    Leaving the `with` block by an exception discards every staged file; leaving it
    normally puts them in place with one sync (`commit=False`: the caller, say a worker's
    parent, puts them in place later)."""

    def __init__(self, commit: bool = True) -> None:
        self.commit = commit
        self.pairs: list[tuple[Path, Path]] = []  # (temporary file, destination)

    def add(self, path: Path, data: bytes, size: int | None = None) -> Path | None:
        """Stage `data` for `path`; None (nothing staged) when `path` holds it already
        (`size`: its length, when the caller has just read it)."""
        return self.adopt(stage(path, data, size), path)

    def adopt(self, tmp: Path | None, path: Path) -> Path | None:
        """Take charge of a file staged elsewhere (by a worker process)."""
        if tmp is not None:
            self.pairs.append((tmp, path))
        return tmp

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            discard([tmp for tmp, _ in self.pairs])
        elif self.commit:
            commit_all(self.pairs)


def read_object(path: Path) -> dict:
    """The JSON object a kept file holds; empty when it is missing, unreadable, not JSON
    or not an object (a cache or state file is made again, never trusted in part)."""
    import json

    try:
        found = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def write_replaceable(path: Path, data: bytes) -> None:
    """Write what can be made again (a cache entry): whole or not at all, through a
    temporary file and a rename, but not synced to disk; a crash may lose it, which only
    costs making it again."""
    # One writer per process; named as remove_stale_temps knows temporary files.
    tmp = path.parent / f".{path.name}.{os.getpid():08d}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        discard([tmp])
        raise


def write_text(path: Path, text: str) -> bool:
    return write_atomic(path, text.encode("utf-8"))


# The temporary files of write_atomic (and fonts.write_woff2): `.<name>.<8 chars>.tmp`.
_TEMP = re.compile(r"\A\..+\.[A-Za-z0-9_]{8}\.tmp\Z")
TEMP_DEPTH = 3  # outputs and catalogs live at most this deep under build/ and locales/


def remove_stale_temps(root: Path) -> list[Path]:
    """Delete the temporary files a killed run left behind.

    Only runs that hold the project's lock write, so once it is held no temporary file
    under `locales/` or `build/` belongs to a live run.
    """
    removed: list[Path] = []
    for folder in (root / "locales", root / "build"):
        _remove_temps(str(folder), TEMP_DEPTH, removed)
    return removed


def listed(folder: str) -> list[tuple[os.DirEntry[str], bool]]:
    """A folder's entries, each with whether it is a folder (through a link too, as
    `is_dir` says); none for a folder that cannot be read (os.walk passes it over)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    found = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        found.append((entry, is_dir))
    return found


def _remove_temps(folder: str, depth: int, removed: list[Path]) -> None:
    """`remove_stale_temps` in a folder and, `depth` levels down, the folders in it (not
    through links): outputs live at most that deep, and foreign trees are not walked.
    A large site's folders hold thousands of names; only one ending in ".tmp" is looked
    at further."""
    for entry, is_dir in listed(folder):
        if is_dir:
            if depth > 0 and not entry.is_symlink():
                _remove_temps(entry.path, depth - 1, removed)
        elif entry.name.endswith(".tmp") and _TEMP.match(entry.name):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))


@contextlib.contextmanager
def project_lock(root: Path, tidy: bool = True) -> Iterator[None]:
    """Hold the project's lock; a second run waits for the first to finish.

    The lock is an advisory `flock`, which the kernel drops when its process dies, so a
    killed run never leaves the project locked. With `tidy`, what killed runs left
    behind is removed first.
    """
    path = root / ".l10n.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for another l10n run on this project to finish...", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        if tidy:
            remove_stale_temps(root)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cache_dir(kind: str) -> Path:
    """Where what is slow to make is kept between runs: `$L10N_CACHE/<kind>`, else the
    user's cache folder."""
    configured = os.environ.get("L10N_CACHE")
    if configured:
        return Path(configured) / kind
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "l10n" / kind


# Coarser than any file system's clock (FAT's is 2 s): a file changed within this long
# before it was looked at could change again without its size or mtime showing it.
RACY_NS = 2_000_000_000
MISSING = b"\0missing"  # the digest of a file that does not exist
_CONTENT: dict[str, tuple[list[int], bytes]] = {}
_LEARNT: set[str] = set()  # what content_digest has hashed (not read from the kept)
_KEEPING: list[Path] = []


def content_digest(path: Path | str, seen: list[int] | None = None) -> bytes:
    """The SHA-256 of a file's bytes (a marker when it does not exist).

    Many outputs and checks share an input (every page of a locale reads its ui catalog;
    each page is read for every locale), so a process remembers what it hashed by the
    file's size, mtime and inode; a file changed within RACY_NS of being hashed is hashed
    every time, since a change within the clock's resolution could leave all three alike.
    `seen` is the size, mtime and inode the caller found the file with (`file_stat`): a
    digest known for them is the answer without looking at the file again.
    """
    name = str(path)
    known = _CONTENT.get(name)
    if seen is not None and known is not None and known[0] == seen:
        return known[1]
    import hashlib
    import time

    try:
        found = os.stat(name)
    except (FileNotFoundError, NotADirectoryError):
        return MISSING
    stamp = [found.st_size, found.st_mtime_ns, found.st_ino]
    if known is not None and known[0] == stamp:
        return known[1]
    try:
        with open(name, "rb") as handle:
            value = hashlib.sha256(handle.read()).digest()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return MISSING
    if found.st_mtime_ns < time.time_ns() - RACY_NS:
        _CONTENT[name] = (stamp, value)
        _LEARNT.add(name)
    return value


@contextlib.contextmanager
def digests_kept(root: Path) -> Iterator[None]:
    """Keep what `content_digest` learns about a project's files between runs, in the
    user's cache: an incremental run then reads only the files that changed (by size,
    mtime and inode, as make trusts mtimes), not every page and catalog of the site."""
    import hashlib
    import json

    if root in _KEEPING:  # an outer run keeps them already
        yield
        return
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:32]
    kept = cache_dir("digests") / f"{name}.json"
    prefix = str(root.resolve()).rstrip("/") + "/"
    read = False
    with contextlib.suppress(OSError, ValueError, TypeError):
        found = json.loads(kept.read_bytes())
        fromhex = bytes.fromhex  # thousands of files: nothing else done for each
        for path, entry in found.items() if isinstance(found, dict) else ():
            if path not in _CONTENT and path.startswith(prefix):
                _CONTENT[path] = (entry[:3], fromhex(entry[3]))  # a stamp of other types: unmet
        read = True
    _LEARNT.difference_update([p for p in _LEARNT if p.startswith(prefix)])
    _KEEPING.append(root)
    try:
        yield
    finally:
        _KEEPING.pop()
        with contextlib.suppress(OSError):
            if read and not any(p.startswith(prefix) for p in _LEARNT):
                os.utime(kept)  # nothing new: kept as it is, as used last
            else:
                mine = {
                    p: [*stamp, v.hex()]
                    for p, (stamp, v) in _CONTENT.items()
                    if p.startswith(prefix)
                }
                write_replaceable(kept, json.dumps(mine, separators=(",", ":")).encode())
            forget_old(kept.parent)


KEPT_PROJECTS = 64  # projects whose files a folder of the user cache keeps


def forget_old(folder: Path) -> None:
    """Keep the files (one a project) of the projects used last, not of every folder
    ever built."""
    entries = sorted(os.scandir(folder), key=lambda e: e.stat().st_mtime_ns, reverse=True)
    for entry in entries[KEPT_PROJECTS:]:
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
