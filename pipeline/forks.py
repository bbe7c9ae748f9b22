"""A run's work shared between it and child processes forked from it.

A process pool costs a short run more than it saves: importing `concurrent.futures`
and `multiprocessing`, starting the pool's threads and workers, and shutting it down
take about as long as a small site's extraction on one core.  A forked child starts
at once with everything the run has imported and only has to send its result back
through a pipe.  The run works too, and every process takes the next run of items
from one queue (a pipe filled before the fork) as it becomes free, so that none waits
long for another however the items and the machine's load are spread.  Forking is only safe
in a process without threads: `can_fork` says whether it may be done at all.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
_TOKEN = 4  # bytes an item's number takes in the queue; a pipe hands them out whole
_TOKENS = 1024  # at most: the queue fits in a pipe's smallest buffer (one page)


def can_fork() -> bool:
    """Whether this process may fork: it has no other thread that could hold a lock."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Queue:
    """The numbers of the items, handed out a run of `step` at a time, in order, to
    whichever process asks first.  `last` is where this process is (the work sets it
    as it goes through a run): where it was when it failed."""

    def __init__(self, fd: int, count: int, step: int) -> None:
        self.fd, self.count, self.step = fd, count, step
        self.last = -1

    def runs(self) -> Iterator[range]:
        """The runs this process takes, one when it asks for the next."""
        while True:
            token = os.read(self.fd, _TOKEN)
            if len(token) < _TOKEN:  # drained (a pipe's reads of a few bytes are whole)
                return
            first = int.from_bytes(token, "little")
            self.last = first
            yield range(first, min(first + self.step, self.count))

    def __iter__(self) -> Iterator[int]:
        for run in self.runs():
            for number in run:
                self.last = number
                yield number


@contextmanager
def forked(
    work: Callable[[Queue], T],
    count: int,
    jobs: int,
    undo: Callable[[T], None],
    step: int = 1,
) -> Iterator[Callable[[], list[T]]]:
    """`work` done by this process and `jobs - 1` children forked at once, each taking
    the numbers 0 to `count - 1` from one queue, `step` at a time (or more, for the
    queue to fit in a pipe).  The yielded function does this process's work, then
    gives every process's result, this process's first.

    After a failure the other results are given to `undo` (files they staged, say) and
    the failure at the lowest number is raised, once every child has ended: the one a
    run in one process would have met first, and nothing is left behind.  A caller
    that leaves without asking for the results gets the same: the children's are undone.
    """
    step = max(step, -(-count // _TOKENS), 1)
    read, write = os.pipe()
    with os.fdopen(write, "wb") as filling:  # the whole queue, before anyone reads it
        filling.write(b"".join(n.to_bytes(_TOKEN, "little") for n in range(0, count, step)))
        filling.flush()
        children: list[_Child[T]] = []
        try:
            for _ in range(jobs - 1):
                queue = Queue(read, count, step)
                children.append(_Child(work, queue, [write, *(c.result_fd for c in children)]))
        except BaseException:
            for child in children:
                _undo_quietly(child, undo)
            os.close(read)
            raise
    try:
        yield lambda: _gather(work, Queue(read, count, step), children, undo)
    finally:
        os.close(read)
        for child in children:
            if not child.done:
                _undo_quietly(child, undo)


class _Child(Generic[T]):
    """One child process working from the queue; its outcome comes back pickled."""

    def __init__(self, work: Callable[[Queue], T], queue: Queue, others: list[int]) -> None:
        self.result_fd, write = os.pipe()
        self.done = False
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns, never runs the run's own cleanup
            try:
                os.close(self.result_fd)
                for fd in others:  # the queue's filling end, earlier children's pipes
                    os.close(fd)
                _report(write, work, queue)
            finally:
                os._exit(0)
        os.close(write)

    def outcome(self) -> tuple[bool, object, int]:
        """(True, result, -1) or (False, error, the number it failed at)."""
        self.done = True
        with os.fdopen(self.result_fd, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        if not data:
            return False, RuntimeError("a worker process ended without a result"), -1
        return pickle.loads(data)


def _report(fd: int, work: Callable[[Queue], T], queue: Queue) -> None:
    try:
        outcome: tuple[bool, object, int] = (True, work(queue), -1)
    except BaseException as exc:  # the run raises it: a bad page, Ctrl-C...
        outcome = (False, exc, queue.last)
    try:
        data = pickle.dumps(outcome)
    except Exception as exc:  # an error that cannot cross: its message does
        data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}"), queue.last))
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(data)


def _gather(
    work: Callable[[Queue], T], queue: Queue, children: list[_Child[T]], undo: Callable[[T], None]
) -> list[T]:
    outcomes: list[tuple[bool, object, int]] = []
    try:
        outcomes.append((True, work(queue), -1))
    except BaseException as exc:  # raised once every child has ended
        outcomes.append((False, exc, queue.last))
    outcomes += [child.outcome() for child in children]
    failures = [(at if at >= 0 else queue.count, error) for ok, error, at in outcomes if not ok]
    if failures:
        for ok, result, _ in outcomes:
            if ok:
                undo(result)  # type: ignore[arg-type]
        raise min(failures, key=lambda failure: failure[0])[1]  # type: ignore[misc]
    return [result for _, result, _ in outcomes]  # type: ignore[misc]


def _undo_quietly(child: _Child[T], undo: Callable[[T], None]) -> None:
    ok, result, _ = child.outcome()
    if ok:
        undo(result)  # type: ignore[arg-type]
