"""Run one benchmark step in a fresh process and report its time and peak memory.

Usage: python runner.py SPEC.json RESULT.json

SPEC holds {"commands": [{"argv": [...], "cwd": "...", "env": {...}}...], "log": PATH,
"timeout": SECONDS}.  The commands run one after another; the result is the wall time of
each, the exit codes, CPU time and peak resident memory:

* `maxrss_mb`, `user`, `system`: `getrusage(RUSAGE_CHILDREN)` of this fresh process, i.e.
  the largest single process of the step and the CPU time of every process it waited for;
* the process tree is also read from /proc every 0.1 s: `sampled_own_mb` is the largest
  peak (VmHWM) of a process that is neither Chromium nor Playwright's node driver,
  `browser_mb` the largest sum of the resident memory of the browser's processes
  (Chromium and the node driver) seen at one time, and `sampled_cpu` the CPU time of every
  process seen (missing what lived less than 0.1 s).

Only the standard library, so any Python can run it.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

BROWSER_NAMES = ("chrom", "headless_shell", "node")


def _tree(root: int) -> list[tuple[int, str]]:
    """Every descendant of `root`: (pid, command name)."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode("utf-8", "replace")
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        names[int(entry)] = name
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            found.append((child, names[child]))
            todo.append(child)
    return found


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode("utf-8", "replace")
        fields = stat[stat.rindex(")") + 2 :].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, ValueError, IndexError):
        return 0


class Sampler(threading.Thread):
    """Reads the process tree every 0.1 s: catches worker processes that the step's own
    process does not wait for (e.g. a multiprocessing fork server's children), which
    getrusage(RUSAGE_CHILDREN) cannot see."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.own_kb = 0
        self.browser_kb = 0
        self.ticks: dict[tuple[int, str], int] = {}
        self.browser_seen = False

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.is_set():
            browser = 0
            for pid, name in _tree(me):
                ticks = _cpu_ticks(pid)
                key = (pid, name)
                self.ticks[key] = max(self.ticks.get(key, 0), ticks)
                if name.startswith(BROWSER_NAMES):
                    self.browser_seen = True
                    browser += _status_kb(pid, "VmRSS:")
                else:
                    self.own_kb = max(self.own_kb, _status_kb(pid, "VmHWM:"))
            self.browser_kb = max(self.browser_kb, browser)
            self.stop.wait(0.1)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.ticks.values()) / os.sysconf("SC_CLK_TCK")


def _load() -> float:
    try:
        with open("/proc/loadavg") as handle:
            return float(handle.read().split()[0])
    except (OSError, ValueError):
        return -1.0


def _kill_tree() -> None:
    for pid, _name in reversed(_tree(os.getpid())):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _wait(proc: subprocess.Popen, seconds: float) -> tuple[int, bool]:
    """The exit code, and whether the process tree was killed at the deadline.  A blocking
    wait, ended by a timer: `wait(timeout=...)` polls every 50 ms, which would add up to
    50 ms to a short command's time."""
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        _kill_tree()

    timer = threading.Timer(seconds, expire)
    timer.start()
    try:
        return proc.wait(), expired.is_set()
    finally:
        timer.cancel()


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    deadline = time.monotonic() + float(spec.get("timeout", 3600))
    sampler = Sampler()
    sampler.start()
    times, codes, timed_out = [], [], False
    load = [_load()]
    with open(spec["log"], "ab") as log:
        for command in spec["commands"]:
            env = dict(os.environ)
            env.update(command.get("env", {}))
            for key in command.get("unset", []):
                env.pop(key, None)
            log.write(("$ " + " ".join(command["argv"]) + "\n").encode())
            log.flush()
            start = time.perf_counter()
            proc = subprocess.Popen(
                command["argv"],
                cwd=command.get("cwd"),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            code, timed_out = _wait(proc, max(0.1, deadline - time.monotonic()))
            times.append(time.perf_counter() - start)
            codes.append(code)
            if timed_out or (code != 0 and spec.get("stop_on_error", True)):
                break
    sampler.stop.set()
    sampler.join()
    load.append(_load())
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "seconds": sum(times),
        "times": times,
        "codes": codes,
        "timed_out": timed_out,
        "maxrss_mb": usage.ru_maxrss / 1024,
        "user": usage.ru_utime,
        "system": usage.ru_stime,
        "load": load,
    }
    result["sampled_cpu"] = sampler.cpu_seconds
    result["sampled_own_mb"] = sampler.own_kb / 1024
    result["browser_mb"] = sampler.browser_kb / 1024 if sampler.browser_seen else None
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
