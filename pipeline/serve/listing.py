"""The index's listing, read in a process of its own.

Listing the index reads every catalog's counts and every built page's title: most of a
second of Python on a large site.  In the server's process it would hold the interpreter
while a translator's next save waits for its page; in a child process it runs beside the
rebuild, and only rendering and writing the index (a few hundredths of a second) is left
for the server.
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ..errors import L10nError


@dataclass
class Listing:
    locales: list[dict]  # site.index.index_locales
    used: dict[str, dict[str, list]]  # what of the IndexCache it used, for the build folder


def _list(root: Path, reply: Connection) -> None:
    """In the child: list the index and send it back (or the one-line error)."""
    from ..project import load
    from ..site.index import IndexCache, index_locales

    try:
        project = load(root)
        kept = IndexCache(project.build_dir)
        reply.send(("ok", index_locales(project, kept), kept.used))
    except (L10nError, OSError) as exc:
        reply.send(("error", str(exc), None))
    finally:
        reply.close()


class Lister:
    """Runs one listing at a time in a child process; `stop` ends a running one."""

    def __init__(self) -> None:
        self._process: multiprocessing.process.BaseProcess | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def listing(self, root: Path) -> Listing | None:
        """The index's listing of the project at `root`; None when stopped meanwhile. An
        error the listing met is an L10nError."""
        context = multiprocessing.get_context("forkserver")  # the server runs threads
        mine, theirs = context.Pipe(duplex=False)
        process = context.Process(target=_list, args=(root, theirs), daemon=True)
        with self._lock:
            if self._stopped:
                return None
            process.start()
            self._process = process
        theirs.close()
        try:
            status, locales, used = mine.recv()
        except EOFError:  # stopped, or the child died
            return None
        finally:
            mine.close()
            process.join()
        if status != "ok":
            raise L10nError(locales)
        return Listing(locales, used)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._process is not None and self._process.is_alive():
                self._process.terminate()
