"""The command's side: hand the command to the resident process, or leave one behind.

Imports only what a hand-over needs: this runs before anything else, in every command.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import socket
import sys

PROTOCOL = 1
INT = 4  # bytes of each number on the socket (a length, a process id, an exit code)
GO = b"g"  # the caller still waits: the child may run the command
HANDOVER_TIMEOUT = 10.0  # seconds for a child to answer; then the caller runs it itself
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
# A command that keeps running (the live preview) keeps a process of its own.
KEPT_HERE = frozenset({"serve"})


def handed_over(args: list[str], path: str | None) -> int | None:
    """The exit status of the command as the resident process at `path` ran it, or None
    when there is none to run it (then nothing has been done, and the caller runs it)."""
    if path is None or KEPT_HERE.intersection(args):
        return None
    streams = _streams()
    if streams is None:
        return None
    child = 0
    early: list[int] = []  # signals that came before the child was known

    def forward(signum: int, _frame: object) -> None:
        if child:
            _send(child, signum)
        else:
            early.append(signum)

    # Ctrl-C in the terminal reaches this process only: it goes on to the child.
    kept = {name: signal.signal(getattr(signal, name), forward) for name in FORWARDED}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.settimeout(HANDOVER_TIMEOUT)  # a process that is stopped or stuck
            sock.connect(path)
            request = marshal.dumps(
                (PROTOCOL, args, os.getcwd(), dict(os.environ), _umask(), streams)
            )
            socket.send_fds(sock, [len(request).to_bytes(INT, "little")], [0, 1, 2])
            sock.sendall(request)
            child = read_int(sock) or 0
            if child:
                sock.sendall(GO)
                sock.settimeout(None)
        except OSError:  # a timeout included: the child waits for GO, so it never runs
            child = 0
        if not child:  # no process, or it could not take the command (an old protocol)
            for name, handler in kept.items():
                signal.signal(getattr(signal, name), handler)
            if early:
                sys.stderr.write("interrupted\n")
                return 130
            return None
        for signum in early:
            _send(child, signum)
        try:
            status = read_int(sock)
        except OSError:
            status = None
    if status is None:  # killed, say: an internal error, as the contract numbers it
        sys.stderr.write(
            "error: the command's process ended without an exit status "
            "(L10N_RESIDENT=0 runs each command in a process of its own)\n"
        )
        return 3
    return status


def leave_behind(path: str | None, args: list[str], environ: dict[str, str]) -> None:
    """Start a resident process for the next command (it exits at once if another is
    already there).  It starts in a session of its own, on the interpreter, options,
    module path and environment of this command, so that it loads what this one did."""
    if path is None or KEPT_HERE.intersection(args):
        return
    import subprocess

    code = (
        f"import sys; sys.path[:] = {sys.path!r}; "
        f"from pipeline.resident.server import main; main({path!r})"
    )
    options: list[str] = getattr(subprocess, "_args_from_interpreter_flags", list)()  # -X -O
    argv = [sys.executable, *options, "-c", code]
    actions = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    with contextlib.suppress(OSError):
        os.posix_spawn(sys.executable, argv, environ, file_actions=actions, setsid=True)


def read_int(sock: socket.socket) -> int | None:
    """The next number on `sock`, or None if it closed first."""
    data = read_exact(sock, INT)
    return None if data is None else int.from_bytes(data, "little", signed=True)


def read_exact(sock: socket.socket, size: int) -> bytes | None:
    """The next `size` bytes on `sock`, or None if it closed first."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _streams() -> list[tuple] | None:
    """How this process's standard streams encode and buffer, for the fork to do the
    same; None when one of them is closed (there is nothing to hand over)."""
    specs = []
    for fd, stream in enumerate((sys.stdin, sys.stdout, sys.stderr)):
        if stream is None:
            return None
        try:
            os.fstat(fd)
        except OSError:
            return None
        specs.append(
            (
                getattr(stream, "encoding", "utf-8"),
                getattr(stream, "errors", "strict"),
                getattr(stream, "line_buffering", False),
                getattr(stream, "write_through", False),
            )
        )
    return specs


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _send(pid: int, signum: int) -> None:
    with contextlib.suppress(OSError):  # it has just ended
        os.kill(pid, signum)
