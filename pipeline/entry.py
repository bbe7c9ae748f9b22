"""The `l10n` program.

A build that would change nothing is answered before the command line is parsed:
importing click and the command-line module takes longer than checking every file the
build read and wrote (`stamps.replay`).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from .stamps import replay

    try:
        lines = replay(sys.argv[1:], os.getcwd(), os.environ)
    except OSError:  # a folder that is gone or unreadable: the command line says so
        lines = None
    if lines is not None:
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
        return
    from .cli import main as run

    run()
