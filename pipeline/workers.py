"""Worker processes that do not outlive the run that started them."""

from __future__ import annotations

import gc
import os
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

T = TypeVar("T")

# multiprocessing and concurrent.futures are imported when a pool starts: a run that
# needs none (a no-op build) should not pay for them.


def fewer_collections() -> None:
    """A run builds many small objects that live as long as it does (catalog entries,
    parse trees); with Python's default threshold of 700 new objects the cyclic
    collector rescans them over and over (docs/benchmarks.md)."""
    gc.set_threshold(50_000)


def start_worker() -> None:
    """The process-pool initializer: a worker collects as rarely as its run does and
    ends with it."""
    fewer_collections()
    exit_with_parent()


def exit_with_parent() -> None:
    """End this worker process as soon as the run that started its pool dies.

    A run killed with SIGKILL cannot shut its pool down, and a pool worker never notices
    on its own (it holds the write end of its own task queue, and a fork server's child
    holds the server's lifeline), so without this the workers, the fork server and the
    resource tracker would wait for work forever.
    """
    import multiprocessing
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def process_pool(jobs: int, preload: tuple[str, ...] = ()) -> ProcessPoolExecutor:
    """Worker processes for a run, ended with it.

    Where the run has started no thread (nor a browser), the workers are forked from it:
    they start at once with everything it has imported.  Otherwise a fork server (a
    clean process, not a copy of one that may hold locks) starts them, importing the
    `preload` modules once so that the workers need not.
    """
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        context: BaseContext = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("forkserver")
        if preload:
            context.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=start_worker)


def finished(futures: Iterable[Future[T]], undo: Callable[[T], None]) -> Iterator[T]:
    """Each future's result, in order, as it comes.  After a failure nothing more is
    yielded: the results still to come are given to `undo` (files they staged, say) and
    the first failure is raised once every worker has finished, so that a failed run
    leaves nothing behind.  What was yielded before is the caller's to undo."""
    failed = None
    for future in futures:
        try:
            result = future.result()
        except Exception as exc:  # re-raised once every result is in
            failed = failed or exc
            continue
        if failed is None:
            yield result
        else:
            undo(result)
    if failed is not None:
        raise failed
