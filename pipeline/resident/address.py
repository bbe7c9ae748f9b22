"""Where the resident process of this installation listens, and whether to use one.

The socket's name is a digest of everything the process has loaded: the interpreter, its
options, the tool's own files and the names (with versions) of the installed
distributions.  An upgrade, an edited source file or another virtual environment names
another socket, so a process never serves code that has changed since it started; the
old one sees its name go stale and exits.  The folder holding the sockets belongs to the
user alone (mode 0700), which is what keeps other users out.
"""

from __future__ import annotations

import os
import stat
import sys
import zlib

ENABLE = "L10N_RESIDENT"  # "0" or "off": never; "1" or "on": even under CI
IDLE = "L10N_RESIDENT_IDLE"  # seconds without a command before the process exits
IDLE_DEFAULT = 30 * 60
_OFF = {"0", "off", "no", "false"}
_ON = {"1", "on", "yes", "true"}
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # pipeline/
_SUN_PATH = 107  # bytes a Unix socket's path may hold, with its terminating zero


def wanted(environ: os._Environ[str] | dict[str, str]) -> bool:
    """Whether commands may use (and leave behind) a resident process: not where fork or
    file-descriptor passing is missing, not when switched off, not under CI (a job's
    leftover process would outlive it) unless switched on."""
    if not (hasattr(os, "fork") and hasattr(os, "posix_spawn")):
        return False
    choice = environ.get(ENABLE, "").strip().lower()
    if choice in _OFF:
        return False
    if choice in _ON:
        return True
    return environ.get("CI", "").strip().lower() in ("", *_OFF)


def idle_seconds(environ: os._Environ[str] | dict[str, str]) -> float:
    try:
        return max(float(environ.get(IDLE, "")), 0.1)
    except ValueError:
        return IDLE_DEFAULT


def folder(environ: os._Environ[str] | dict[str, str]) -> str | None:
    """The user's own folder for sockets (made if need be), or None when it is not safe:
    a folder someone else owns or may write into would let them answer our commands."""
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    uid = os.getuid()
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        path = os.path.join(runtime, "l10n")
    else:
        path = os.path.join(environ.get("TMPDIR") or "/tmp", f"l10n-{uid}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o077:
        return None
    return path


def fingerprint() -> str:
    """A digest of what a process of this installation loads; see the module's docstring."""
    text = "\n".join(loaded()).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}{len(text) & 0xFFFF:04x}"


def loaded() -> list[str]:
    """What the digest is made of: the interpreter and its options, the module path, the
    installed distributions' names, and the size and time of each of the tool's files
    (compiled bytecode aside: writing it changes nothing)."""
    parts = [sys.executable, sys.version, repr(sys.flags), _PACKAGE, *sys.path]
    for place in sys.path:
        if place.endswith("-packages"):  # site-packages, dist-packages
            parts.extend(_names(place))
    pending = [_PACKAGE]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    pending.append(entry.path)
                continue
            try:
                info = entry.stat()
            except OSError:
                continue
            parts.append(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}")
    return parts


def _names(folder: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def socket_path(environ: os._Environ[str] | dict[str, str]) -> str | None:
    """The socket of this installation's resident process, or None if none may be used."""
    if not wanted(environ):
        return None
    place = folder(environ)
    if place is None:
        return None
    path = os.path.join(place, f"{fingerprint()}.sock")
    return path if len(path.encode("utf-8", "surrogateescape")) <= _SUN_PATH else None
