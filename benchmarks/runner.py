"""Run one benchmark step in a fresh process and report its time and peak memory.

Usage: python runner.py SPEC.json RESULT.json

SPEC holds {"commands": [{"argv": [...], "cwd": "...", "env": {...}}...], "log": PATH,
"timeout": SECONDS, "sample": BOOL}.  The commands run one after another; the result is
the wall time of each, the exit codes, and the peak resident memory:

* `maxrss_mb`: `getrusage(RUSAGE_CHILDREN).ru_maxrss` of this fresh process, i.e. the
  largest single process of the step (including every process it started and waited for);
* with "sample", the process tree is also read from /proc every 0.1 s: `own_mb` is the
  largest peak (VmHWM) of a process that is neither Chromium nor Playwright's node driver,
  and `browser_mb` the largest sum of the resident memory of the browser's processes
  (Chromium and the node driver) seen at one time.

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


class Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.own_kb = 0
        self.browser_kb = 0

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.is_set():
            browser = 0
            for pid, name in _tree(me):
                if name.startswith(BROWSER_NAMES):
                    browser += _status_kb(pid, "VmRSS:")
                else:
                    self.own_kb = max(self.own_kb, _status_kb(pid, "VmHWM:"))
            self.browser_kb = max(self.browser_kb, browser)
            self.stop.wait(0.1)


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


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    deadline = time.monotonic() + float(spec.get("timeout", 3600))
    sampler = Sampler() if spec.get("sample") else None
    if sampler:
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
            proc = subprocess.Popen(command["argv"], cwd=command.get("cwd"), env=env,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
            try:
                code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill_tree()
                code = proc.wait()
                timed_out = True
            times.append(time.perf_counter() - start)
            codes.append(code)
            if timed_out or (code != 0 and spec.get("stop_on_error", True)):
                break
    if sampler:
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
    if sampler:
        result["own_mb"] = sampler.own_kb / 1024
        result["browser_mb"] = sampler.browser_kb / 1024
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
