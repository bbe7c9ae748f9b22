"""The `l10n` program (`python -m pipeline` and the `l10n` script).

A build that would change nothing is answered before the command line is parsed:
importing click and the command-line module takes longer than checking every file the
build read and wrote (`site.snapshot.replay`).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from .site.snapshot import replay

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


if __name__ == "__main__":
    main()
