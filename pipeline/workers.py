"""Worker processes that do not outlive the run that started them."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
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


@contextlib.contextmanager
def no_collections() -> Iterator[None]:
    """No cyclic collection for a batch whose objects form no cycles and all live until
    it ends (an update's catalogs: a million entries, lists and dicts): every collection
    would scan them in vain, a tenth of the update's time even at `fewer_collections`'
    threshold.  Reference counting still frees everything the batch drops."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_SHARED: tuple = ()


def start_worker(*objects: object) -> None:
    """The process-pool initializer: a worker collects as rarely as its run does and
    ends with it; `objects` (queues to talk to the run) are kept for `shared`."""
    global _SHARED
    _SHARED = objects
    fewer_collections()
    exit_with_parent()


def shared() -> tuple:
    """What the pool was started with for its workers to share (see `process_pool`)."""
    return _SHARED


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


def pool_context(preload: tuple[str, ...] = ()) -> BaseContext:
    """How workers are started.  Where the run has started no thread (nor a browser),
    they are forked from it: they start at once with everything it has imported.
    Otherwise a fork server (a clean process, not a copy of one that may hold locks)
    starts them, importing the `preload` modules once so that the workers need not."""
    import multiprocessing
    import threading

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context: BaseContext = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(list(preload))
    return context


def process_pool(
    jobs: int,
    preload: tuple[str, ...] = (),
    context: BaseContext | None = None,
    shared: tuple = (),
) -> ProcessPoolExecutor:
    """Worker processes for a run, ended with it.  `shared` objects (queues made from
    the same `context`) reach every worker through `shared()`."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context or pool_context(preload),
        initializer=start_worker,
        initargs=shared,
    )


def exchange(up, futures: list[Future]) -> Iterator:  # noqa: ANN001
    """One message from each of `futures`' workers, taken from the queue `up` as they
    come; a worker that fails first raises its error here instead of leaving the run
    waiting for it."""
    import queue

    waiting = len(futures)
    while waiting:
        try:
            item = up.get(timeout=0.05)
        except queue.Empty:
            item = None
        if item is None:
            error = next((f.exception() for f in futures if f.done() and f.exception()), None)
            if error is not None:
                raise error
            continue
        waiting -= 1
        yield item


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
