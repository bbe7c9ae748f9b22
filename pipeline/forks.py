"""A run's work split between it and child processes forked from it.

A process pool costs a short run more than it saves: importing `concurrent.futures`
and `multiprocessing`, starting the pool's threads and workers, and shutting it down
take about as long as a small site's extraction on one core.  A forked child starts
at once with everything the run has imported and only has to send its results back
through a pipe; the run does a share itself meanwhile.  Forking is only safe in a
process without threads, so `can_fork` says first whether it may be done at all.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

S = TypeVar("S")
T = TypeVar("T")


def can_fork() -> bool:
    """Whether this process may fork: it has no other thread that could hold a lock."""
    return hasattr(os, "fork") and threading.active_count() == 1


@contextmanager
def forked(
    function: Callable[[S], T], shares: Sequence[S], undo: Callable[[T], None]
) -> Iterator[Callable[[], list[T]]]:
    """`function` of each share: every share but the first in a child forked at once.
    The yielded function does the first share here, then gives every result in order.

    As with `workers.finished`, after a failure the other results are given to `undo`
    (files they staged, say) and the first failure in share order is raised once
    every child has ended: a failed run leaves nothing behind.  A caller that leaves
    without asking for the results gets the same: the children's are undone.
    """
    children: list[_Child[S, T]] = []
    try:
        for share in shares[1:]:
            children.append(_Child(function, share, [c.read for c in children]))
        yield lambda: _gather(function, shares[0], children, undo)
    finally:
        for child in children:
            if not child.done:
                _undo_quietly(child, undo)


class _Child(Generic[S, T]):
    """One child process doing one share; its outcome comes back pickled."""

    def __init__(self, function: Callable[[S], T], share: S, others: list[int]) -> None:
        self.read, write = os.pipe()
        self.done = False
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns, never runs the run's own cleanup
            try:
                os.close(self.read)
                for fd in others:  # the pipes of earlier children are not its to hold
                    os.close(fd)
                _report(write, function, share)
            finally:
                os._exit(0)
        os.close(write)

    def result(self) -> T:
        """The child's result, or its error raised here."""
        self.done = True
        with os.fdopen(self.read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        if not data:
            raise RuntimeError("a worker process ended without a result")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value


def _report(fd: int, function: Callable[[S], T], share: S) -> None:
    try:
        outcome: tuple[bool, object] = (True, function(share))
    except BaseException as exc:  # the run raises it: Ctrl-C, a bad page...
        outcome = (False, exc)
    try:
        data = pickle.dumps(outcome)
    except Exception as exc:  # an error that cannot cross: its message does
        data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(data)


def _gather(
    function: Callable[[S], T],
    first: S,
    children: list[_Child[S, T]],
    undo: Callable[[T], None],
) -> list[T]:
    results: list[T] = []
    failed: BaseException | None = None
    try:
        results.append(function(first))
    except BaseException as exc:  # raised once every child has ended
        failed = exc
    for child in children:
        try:
            result = child.result()
        except BaseException as exc:
            failed = failed or exc
            continue
        if failed is None:
            results.append(result)
        else:
            undo(result)
    if failed is not None:
        for result in results:
            undo(result)
        raise failed
    return results


def _undo_quietly(child: _Child[S, T], undo: Callable[[T], None]) -> None:
    try:
        result = child.result()
    except BaseException:  # noqa: S110 (its own failure: it left nothing behind)
        return
    undo(result)
