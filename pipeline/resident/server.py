"""The resident process: imports the tool, then forks a child for each command.

Each child takes the caller's terminal (its three file descriptors come over the socket),
folder, environment, umask and arguments, runs the command as `l10n` would, and sends
back the exit status.  The parent does nothing but wait, fork and reap, so that no
state of one command can reach another (what it makes ahead, `site.command.ready`,
depends on the installation alone), and it forks only while it has no thread.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import gc
import importlib
import io
import locale
import marshal
import os
import signal
import socket
import sys
import threading
import time
import traceback

from . import address
from .client import GO, INT, PROTOCOL, read_exact

# What the commands import as they go, imported once here: the modules a command
# imports only where it needs them, and the libraries those import in turn (the
# Markdown extensions are named in `dialect.extensions`).  A test holds this list to
# what a one-page rebuild imports.
PRELOAD = (
    "pipeline.__main__",
    "pipeline.cli",
    "pipeline.site.command",
    "pipeline.site.build",
    "pipeline.site.render",
    "pipeline.site.index",
    "pipeline.site.summary",
    "pipeline.site.fonts",
    "pipeline.site.typefaces",
    "pipeline.extract",
    "pipeline.update",
    "pipeline.status",
    "pipeline.checks",
    "pipeline.checks.runner",
    "pipeline.review.ledger",
    "pipeline.blockscan",
    "pipeline.linkscan",
    "markdown.extensions.abbr",
    "markdown.extensions.attr_list",
    "markdown.extensions.def_list",
    "markdown.extensions.fenced_code",
    "markdown.extensions.footnotes",
    "markdown.extensions.sane_lists",
    "markdown.extensions.tables",
    "markdown_callouts.github_callouts",
    "jinja2.ext",
    "yaml",
    "fontTools.misc.loggingTools",
    "difflib",  # click's suggestions for a mistyped option
    "encodings.utf_8_sig",  # the glossary's encoding
)
# The languages the tool is made for: what their checks read (fonts' coverage, number
# symbols, scripts) is made here once, with the parser and templates (`site.command.ready`).
LANGUAGES = ("th", "vi", "id", "ms", "fil", "km", "my", "lo")
POLL = 5.0  # seconds between looks at the clock, the socket and the installation
_MAX_REQUEST = 1 << 24


def main(path: str) -> None:
    """Serve at `path` until idle or stale.  Exits at once if another process serves it."""
    lock = open(path.removesuffix(".sock") + ".lock", "a+")  # noqa: SIM115 (held until exit)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return
    lock.truncate(0)
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    for name in PRELOAD:
        with contextlib.suppress(ImportError):  # a command that needs it says so itself
            importlib.import_module(name)
    from ..site.command import ready

    with contextlib.suppress(Exception):  # only time is lost: each command makes it again
        ready(LANGUAGES)
    if threading.active_count() != 1:  # a fork would copy locks some thread holds
        return
    name = os.path.basename(path).removesuffix(".sock")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # a process that died without cleaning up left it
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    mine = os.stat(path).st_ino
    log = open(path.removesuffix(".sock") + ".log", "w", buffering=1)  # noqa: SIM115
    log.write(f"{os.getpid()} listening\n")
    gc.collect()
    gc.freeze()  # the children share these pages instead of copying them when counted
    idle = address.idle_seconds(os.environ)
    listener.settimeout(min(POLL, idle))
    running: set[int] = set()
    last = time.monotonic()
    try:
        while True:
            running -= _ended(running)
            if running:
                last = time.monotonic()
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                if _stale(path, mine, name):
                    log.write(f"{os.getpid()} stale: exits\n")
                    return
                if time.monotonic() - last >= idle:
                    log.write(f"{os.getpid()} idle: exits\n")
                    return
                continue
            last = time.monotonic()
            pid = os.fork()
            if pid == 0:
                listener.close()
                lock.close()
                log.close()
                _child(conn)  # never returns
            conn.close()
            log.write(f"{pid} command\n")
            running.add(pid)
    finally:
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == mine:
                os.unlink(path)


def _ended(running: set[int]) -> set[int]:
    ended = set()
    for pid in running:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                ended.add(pid)
        except ChildProcessError:
            ended.add(pid)
    return ended


def _stale(path: str, mine: int, name: str) -> bool:
    """Whether this process should make way: its socket is gone or another's, or the
    installation changed since it started (a new process will load the new code)."""
    try:
        if os.stat(path).st_ino != mine:
            return True
    except OSError:
        return True
    return address.fingerprint() != name


# --- the child: one command ---------------------------------------------------------------


def _child(conn: socket.socket) -> None:
    code = 1
    try:
        conn.settimeout(None)
        request = _request(conn)
        if request is not None:
            conn.sendall(os.getpid().to_bytes(INT, "little", signed=True))
            if conn.recv(len(GO)) == GO:  # else the caller gave up and runs it itself
                code = _run(request)
            with contextlib.suppress(OSError):
                conn.sendall(code.to_bytes(INT, "little", signed=True))
    finally:
        os._exit(code)


def _request(conn: socket.socket) -> list[str] | None:
    """Take over the caller's terminal, folder and environment; the arguments, or None
    when the request cannot be served as it was asked (then the caller runs it)."""
    if hasattr(socket, "SO_PEERCRED"):
        _pid, uid, _gid = _ints(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        if uid != os.getuid():
            return None
    head, fds, _flags, _addr = socket.recv_fds(conn, INT, 3)
    if len(head) != INT or len(fds) != 3:
        return None
    size = int.from_bytes(head, "little")
    if size > _MAX_REQUEST:
        return None
    data = read_exact(conn, size)
    if data is None:
        return None
    protocol, args, cwd, environ, umask, streams = marshal.loads(data)
    if protocol != PROTOCOL:
        return None
    try:
        os.chdir(cwd)
    except OSError:
        return None
    os.environ.clear()
    os.environ.update(environ)
    time.tzset()
    with contextlib.suppress(locale.Error):
        locale.setlocale(locale.LC_CTYPE, "")
    os.umask(umask)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    _reopen(streams)
    return list(args)


def _ints(data: bytes) -> tuple[int, int, int]:
    size = len(data) // 3
    a, b, c = (int.from_bytes(data[i * size : (i + 1) * size], sys.byteorder) for i in range(3))
    return a, b, c


def _reopen(streams: list[tuple]) -> None:
    """Standard streams on the caller's descriptors, encoded and buffered as the
    caller's were (an interpreter makes its own this way at start)."""
    made = []
    for fd, (encoding, errors, line_buffering, write_through) in enumerate(streams):
        raw = io.FileIO(fd, "rb" if fd == 0 else "wb", closefd=False)
        buffer = (
            raw
            if write_through and fd
            else (io.BufferedReader if fd == 0 else io.BufferedWriter)(raw)
        )
        made.append(
            io.TextIOWrapper(
                buffer,  # a raw file when unbuffered, as -u does
                encoding=encoding,
                errors=errors,
                newline="\n",
                line_buffering=line_buffering,
                write_through=write_through,
            )
        )
    sys.stdin, sys.stdout, sys.stderr = made


def _run(args: list[str]) -> int:
    """The command's exit status, ended as the interpreter ends a program: threads
    joined, exit functions run, streams flushed."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["l10n", *args]
    code: object = 0
    try:
        from pipeline.__main__ import run_here

        run_here(args)
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # before the command line could answer it
        sys.stderr.write("interrupted\n")
        code = 130
    except BaseException:
        traceback.print_exc()
        code = 1
    with contextlib.suppress(Exception):
        threading._shutdown()  # type: ignore[attr-defined]  # joins what the command left
    atexit._run_exitfuncs()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        with contextlib.suppress(Exception):
            print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code & 0xFF  # what the system keeps of a process's exit status
