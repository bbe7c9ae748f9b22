"""The `l10n` program (`python -m pipeline` and the `l10n` script).

A command goes first to this installation's resident process (`pipeline.resident`),
which forks a child that has everything imported already; without one, it runs here and
leaves one behind for the next command.  A build that would change nothing is answered
before the command line is parsed: importing click and the command-line module takes
longer than checking every file the build read and wrote (`site.snapshot.replay`).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from .resident import address, client

    args = sys.argv[1:]
    environ = dict(os.environ)
    path = address.socket_path(environ)
    status = client.handed_over(args, path)
    if status is not None:
        sys.exit(status)
    try:
        run_here(args)
    finally:
        client.leave_behind(path, args, environ)


def run_here(args: list[str]) -> None:
    """The command, in this process."""
    from .site.snapshot import replay

    try:
        lines = replay(args, os.getcwd(), os.environ)
    except OSError:  # a folder that is gone or unreadable: the command line says so
        lines = None
    if lines is not None:
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
        return
    from .cli import main as run

    run(args)


if __name__ == "__main__":
    main()
