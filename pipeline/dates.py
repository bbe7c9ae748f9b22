"""Dates taken from the inputs, never the clock, and shown as readers expect them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from . import git
from .locales import parse_locale, remembered


def source_date(paths: list[Path], root: Path, history: GitHistory | None = None) -> datetime:
    """`SOURCE_DATE_EPOCH`, else the newest commit touching `paths`, else their mtime.

    `history`, when given, answers for git from what it read once for the whole run.
    """
    epoch = _epoch()
    if epoch is not None:
        return datetime.fromtimestamp(epoch, UTC)
    existing = [p for p in paths if p.exists()]
    stamp = history.commit_time(existing) if history else _git_time(existing, root)
    if stamp is None:
        stamp = max((int(p.stat().st_mtime) for p in existing), default=0)
    return datetime.fromtimestamp(stamp, UTC)


def _epoch() -> int | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else None


def page_history(root: Path) -> GitHistory:
    """What dates a build's pages, with git's first questions already running while the
    build goes on (the log is asked only for pages without uncommitted changes, which a
    run that rebuilds what was just edited has none of); git is not asked at all when
    SOURCE_DATE_EPOCH dates every page."""
    history = GitHistory(root)
    if _epoch() is None:
        history.start(("top", "status"))
    return history


@dataclass
class GitHistory:
    """What git says of a project's files, asked once for a whole run: three commands
    instead of two per page (two when every page asked about has uncommitted changes).

    A set of paths gets the time `git log -1 -- paths` gives: that of the newest commit
    changing one of them, a merge counting when it differs from each of its parents in
    one of them.  Only a merge that threw away one side's change to these paths is read
    differently (git then hides that side's commits).  Paths with uncommitted changes
    have no time, as with `git status --porcelain -- paths`.
    """

    root: Path
    _top: Path | None = None
    _times: dict[str, int] = field(default_factory=dict)  # newest non-merge commit
    _merges: list[tuple[int, list[set[str]]]] = field(default_factory=list)  # per parent
    _dirty: set[str] = field(default_factory=set)
    _read: bool = False
    _logged: bool | None = None  # None: the log not read yet
    _running: dict[str, subprocess.Popen[bytes] | None] = field(default_factory=dict)

    def start(self, names: Iterable[str] | None = None) -> GitHistory:
        """Start these of the git commands now (all, the log's too, by default): they run
        while the caller goes on; their answers are read when a time is first asked for."""
        if not self._read and not self._running and not _no_repository(self.root):
            self._running = {
                name: git.start(self.root, *_COMMANDS[name]) for name in names or _COMMANDS
            }
        return self

    def close(self) -> None:
        """Stop the commands started and not asked (a run with nothing to date)."""
        for process in self._running.values():
            git.stop(process)
        self._running.clear()

    def commit_time(self, paths: list[Path]) -> int | None:
        if not paths:
            return None
        self._load()
        if self._top is None:
            return None
        try:
            names = {path.relative_to(self._top).as_posix() for path in paths}
        except ValueError:  # outside the repository read: ask git about these alone
            return _git_time(paths, self.root)
        if names & self._dirty:
            return None
        if not self._history():
            return None
        times = [self._times[n] for n in names if n in self._times]
        times += [stamp for stamp, sides in self._merges if all(side & names for side in sides)]
        return max(times, default=None)

    def _load(self) -> None:
        if self._read:
            return
        self._read = True
        if not self._running and _no_repository(self.root):
            return
        top = self._answer("top")
        status = self._answer("status") if top is not None else None
        if top is None or status is None:  # no repository (or no git): nothing more to ask
            self.close()  # what was started with the others is not wanted
            return
        self._top = Path(top.strip())
        self._dirty = {entry[3:] for entry in status.split("\0") if entry}

    def _history(self) -> bool:
        """Read the log, once, when first asked about files without uncommitted changes
        (a run that rebuilds only what was just edited never needs it); False where git
        cannot give it (a repository without commits)."""
        if self._logged is None:
            log = self._answer("log")
            self._logged = log is not None
            if log is not None:
                self._read_log(log)
        return self._logged

    def _answer(self, name: str) -> str | None:
        """What one of `_COMMANDS` says: from the process `start` started, else asked now."""
        if name in self._running:
            return git.finish(self._running.pop(name))
        return git.text(self.root, *_COMMANDS[name])

    def _read_log(self, log: str) -> None:
        merges: dict[str, tuple[int, int, list[set[str]]]] = {}
        for section in reversed(log.split("\x01")[1:]):  # oldest first: the newest wins
            head, _, rest = section.partition("\0")
            commit, stamp, *parents = head.split()
            names = {name.lstrip("\n") for name in rest.split("\0") if name.strip("\n")}
            if len(parents) > 1:  # `-m`: one section per parent, each its own diff
                merges.setdefault(commit, (int(stamp), len(parents), []))[2].append(names)
            else:
                self._times.update(dict.fromkeys(names, int(stamp)))
        # A merge with no section for a parent is the same as that parent: never counted.
        self._merges = [
            (stamp, sides) for stamp, count, sides in merges.values() if len(sides) == count
        ]


# What GitHistory asks: the repository's top, the changed files, every commit's files
# (outputs are no page's inputs, and may be thousands).
_COMMANDS = {
    "top": ("rev-parse", "--show-toplevel"),
    "status": (
        *("status", "--porcelain", "-z", "--untracked-files=all", "--no-renames"),
        *("--", ".", ":(exclude)build"),
    ),
    "log": (
        *("log", "-z", "-m", "--format=%x01%H %ct %P", "--name-only", "--no-renames"),
        *("--", ".", ":(exclude)build"),
    ),
}


def _no_repository(root: Path) -> bool:
    """Whether git would find no repository for `root` (nor need be started to say so):
    no GIT_DIR, and no `.git` in the folder or any folder above it."""
    if "GIT_DIR" in os.environ:
        return False
    folder = root.resolve()
    return not any((parent / ".git").exists() for parent in (folder, *folder.parents))


def _git_time(paths: list[Path], root: Path) -> int | None:
    if not paths:
        return None
    names = [str(path) for path in paths]
    dirty = git.text(root, "status", "--porcelain", "--", *names, timeout=10)
    if dirty is None or dirty.strip():
        return None
    value = (git.text(root, "log", "-1", "--format=%ct", "--", *names, timeout=10) or "").strip()
    return int(value) if value.isdigit() else None


def po_timestamp(moment: datetime) -> str:
    """The form gettext writes in catalog headers: `2026-11-28 07:35+0000`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M+0000")


def format_date(day: date, locale: str) -> str:
    """A long date in the reader's calendar: Thai readers count years in the Buddhist Era.
    Kept in the user's cache (the dates of the last pages built): formatting one loads
    the locale's data."""
    return remembered("dates", f"{locale} {day.isoformat()}", lambda: _format(day, locale), 512)


def _format(day: date, locale: str) -> str:
    from babel.dates import format_date as babel_format_date  # only pages being built

    loc = parse_locale(locale)
    if loc.language == "th":
        return f"{babel_format_date(day, 'd MMMM', locale=loc)} พ.ศ. {day.year + 543}"
    return babel_format_date(day, "long", locale=loc)
