"""Asking git: its output, or None where git, the repository or the answer is missing.

Dates, the release's revision and the review sheets' history all ask git, and the tool
must also work outside a repository: every failure means the same, no answer.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

TIMEOUT = 120.0  # seconds: a repository on a slow disk, never a hung command


def output(
    root: Path, *args: str, stdin: bytes | None = None, timeout: float = TIMEOUT
) -> bytes | None:
    """What `git ARGS` run in `root` printed, or None if it could not answer."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def text(root: Path, *args: str, timeout: float = TIMEOUT) -> str | None:
    """`output` as text (file names as the file system spells them)."""
    out = output(root, *args, timeout=timeout)
    return None if out is None else os.fsdecode(out)


def start(root: Path, *args: str) -> subprocess.Popen[bytes] | None:
    """`git ARGS` running in `root` while the caller goes on, or None if it cannot start."""
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def finish(process: subprocess.Popen[bytes] | None) -> str | None:
    """What a `start`ed command printed, as `text` gives it."""
    if process is None:
        return None
    try:
        out, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    return os.fsdecode(out) if process.returncode == 0 else None


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """End a `start`ed command whose answer is not wanted, and reap it."""
    if process is None:
        return
    if process.poll() is None:
        with contextlib.suppress(OSError):
            process.kill()
    process.communicate()
