"""Work shared with forked processes: every item done once, failures as one process
meets them, nothing left behind."""

from __future__ import annotations

import os

import pytest

from pipeline.forks import Queue, can_fork, forked

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork and no other thread")


def _taken(queue: Queue) -> list[tuple[int, int]]:
    return [(number, os.getpid()) for number in queue]


@pytest.mark.parametrize(("count", "jobs"), [(1, 2), (7, 2), (3000, 2), (500, 3)])
def test_every_item_once_over_the_processes(count: int, jobs: int) -> None:
    """More items than the queue holds tokens (3000) go out a run at a time."""
    undone: list = []
    with forked(_taken, count, jobs, undone.append) as pending:
        results = pending()
    assert len(results) == jobs
    numbers = sorted(number for result in results for number, _ in result)
    assert numbers == list(range(count))
    assert undone == []
    assert {pid for _, pid in results[0]} <= {os.getpid()}  # the first result: this process
    assert all(os.getpid() not in {pid for _, pid in result} for result in results[1:])


def test_the_lowest_failure_is_raised_and_the_rest_undone() -> None:
    """Whichever process meets them, the failure raised is the one at the lowest number,
    as one process going through the items in order would meet it; the results of the
    processes that did not fail are undone."""
    bad = {40, 120, 700}

    def work(queue: Queue) -> list[int]:
        done = []
        for number in queue:
            if number in bad:
                raise ValueError(f"item {number}")
            done.append(number)
        return done

    undone: list[list[int]] = []
    with (
        pytest.raises(ValueError, match="^item 40$"),
        forked(work, 1000, 2, undone.append) as pending,
    ):
        pending()
    assert all(isinstance(result, list) for result in undone)


def test_results_undone_when_the_caller_leaves_early() -> None:
    undone: list = []
    with pytest.raises(KeyError), forked(_taken, 50, 2, undone.append):
        raise KeyError("the caller failed before asking")
    assert len(undone) == 1  # the child's, waited for and undone: it took every item
    assert [number for number, _ in undone[0]] == list(range(50))
