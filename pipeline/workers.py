"""Worker processes that do not outlive the run that started them."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import wait


def exit_with_parent() -> None:
    """A process-pool initializer: end this worker as soon as the run that started the
    pool dies.

    A run killed with SIGKILL cannot shut its pool down, and a pool worker never notices
    on its own (it holds the write end of its own task queue, and a fork server's child
    holds the server's lifeline), so without this the workers, the fork server and the
    resource tracker would wait for work forever.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def process_pool(jobs: int) -> ProcessPoolExecutor:
    """Worker processes for a run: started by a fork server (a clean process, not a copy
    of one that may hold locks or a browser) and ended with the run."""
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                               initializer=exit_with_parent)
