"""The resident process: a command served by a fork of it is the command run on its own.

Every test here runs `python -m pipeline` in real processes, with the resident process
switched on and its sockets in a folder of the test's own; the process is stopped after.
"""

from __future__ import annotations

import os
import pty
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import polib
import pytest
from conftest import copy_repo

from pipeline.resident import address, client

pytestmark = pytest.mark.skipif(
    not (hasattr(os, "fork") and hasattr(socket, "send_fds") and Path("/proc/self").is_dir()),
    reason="needs fork, descriptor passing and /proc (Linux)",
)

WAIT = 60.0  # seconds a test waits for a process to start or end before it fails


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


class Resident:
    """The resident processes of one test: their folder, environment, log and pids."""

    def __init__(self, folder: Path, environ: dict[str, str]) -> None:
        self.folder = folder
        self.env = environ

    def l10n(self, *args: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pipeline", *args],
            cwd=cwd,
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            timeout=600,
        )

    def logs(self) -> list[str]:
        return [
            line
            for log in sorted(self.folder.glob("*.log"))
            for line in log.read_text().splitlines()
        ]

    def served(self) -> int:
        return sum(line.endswith(" command") for line in self.logs())

    def pids(self) -> list[int]:
        found = []
        for lock in self.folder.glob("*.lock"):
            text = lock.read_text().strip()
            if text.isdigit() and alive(int(text)):
                found.append(int(text))
        return found

    def listening(self) -> bool:
        """Whether a live process has said it listens, and its socket is there."""
        for log in self.folder.glob("*.log"):
            head = (log.read_text().splitlines() or [""])[0].split()
            if head[1:] == ["listening"] and alive(int(head[0])):
                return log.with_suffix(".sock").exists()
        return False

    def stop(self) -> None:
        for pid in self.pids():
            os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not self.pids(), "the resident process to stop")


@pytest.fixture
def resident(tmp_path: Path) -> Iterator[Resident]:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = dict(
        os.environ,
        XDG_RUNTIME_DIR=str(runtime),
        L10N_RESIDENT="1",
        SOURCE_DATE_EPOCH="1795000000",
    )
    env.pop("CI", None)
    env[address.IDLE] = "120"  # one a test could not stop ends soon after it
    home = Resident(runtime / "l10n", env)
    try:
        yield home
    finally:
        home.stop()


def tree(root: Path) -> dict[str, bytes]:
    """The files a build wrote, but for the state it keeps of itself."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def edit_one(project: Path, locale: str = "vi") -> None:
    path = next((project / "locales" / locale / "LC_MESSAGES").glob("*.po"))
    po = polib.pofile(str(path), wrapwidth=79)
    entry = next(e for e in po if e.msgstr and not e.obsolete and "\n" not in e.msgstr)
    entry.msgstr = f"{entry.msgstr} (2025)"
    po.save(str(path))


def test_a_served_command_writes_what_a_command_of_its_own_writes(
    resident: Resident, tmp_path: Path
) -> None:
    """The first command runs on its own and leaves the process behind; the ones after
    it are forks of it.  Site, output, warnings and exit status are those of the same
    commands with the resident process switched off."""
    here, alone = copy_repo(tmp_path / "here"), copy_repo(tmp_path / "alone")
    steps: list[tuple[str, ...]] = [
        ("build", "-f", "html", "-l", "vi", "-l", "th"),
        ("build", "-f", "html", "-l", "vi", "-l", "th"),  # changes nothing
        ("status", "-l", "vi"),
        ("check", "-l", "vi", "--json"),
        ("-C", "nowhere", "build"),  # an error: a one-line message and exit 2
        ("frobnicate",),
    ]
    first = resident.l10n(*steps[0], cwd=here)
    assert first.returncode == 0, first.stderr
    wait_for(resident.listening, "the resident process to listen")
    assert resident.served() == 0
    alone_first = resident.l10n(*steps[0], cwd=alone, L10N_RESIDENT="0")
    assert (alone_first.stdout, alone_first.returncode) == (first.stdout, first.returncode)
    edit_one(here)
    edit_one(alone)
    for number, step in enumerate(steps):
        served = resident.l10n(*step, cwd=here)
        own = resident.l10n(*step, cwd=alone, L10N_RESIDENT="0")
        assert resident.served() == number + 1, step
        assert served.returncode == own.returncode, (step, served.stderr, own.stderr)
        assert served.stdout == own.stdout.replace(str(alone), str(here)), step
        assert served.stderr == own.stderr.replace(str(alone), str(here)), step
        if number == 0:
            assert "vi: 1 pages built" in served.stdout
    assert tree(here / "build") == tree(alone / "build")
    assert "(2025)" in (here / "build" / "vi").joinpath(
        next(p.name for p in (here / "build" / "vi").glob("*.html"))
    ).read_text(encoding="utf-8")
    assert len(resident.pids()) == 1


def test_the_callers_folder_environment_and_terminal_are_the_commands(
    resident: Resident, tmp_path: Path
) -> None:
    """-C is read from the caller's folder, SOURCE_DATE_EPOCH and L10N_CACHE from its
    environment, and the progress bar shows because its standard error is a terminal."""
    project = copy_repo(tmp_path / "p")
    assert resident.l10n("-C", "p", "status", cwd=tmp_path).returncode == 0
    wait_for(resident.listening, "the resident process to listen")
    cache = tmp_path / "cache"
    done = resident.l10n(
        "-C", "p", "build", "-f", "html", "-l", "vi", cwd=tmp_path, L10N_CACHE=str(cache)
    )
    assert done.returncode == 0, done.stderr
    assert resident.served() == 1
    assert cache.is_dir() and any(cache.rglob("*"))  # the caller's cache, not the default
    page = next((project / "build" / "vi").glob("*.html")).read_text(encoding="utf-8")
    again = copy_repo(tmp_path / "q")
    resident.l10n(
        "-C", "q", "build", "-f", "html", "-l", "vi", cwd=tmp_path, SOURCE_DATE_EPOCH="1700000000"
    )
    other = next((again / "build" / "vi").glob("*.html")).read_text(encoding="utf-8")
    # the date each caller gave is its page's date
    assert 'datetime="2026-11-18"' in page and 'datetime="2023-11-14"' in other

    leader, follower = pty.openpty()
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "pipeline", "-C", "p", "build", "-f", "html", "-l", "th"],
            cwd=tmp_path,
            env=resident.env,
            stdout=subprocess.DEVNULL,
            stderr=follower,
        ) as proc:
            os.close(follower)
            shown = b""
            while True:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the terminal's other end closed: the command ended
                    break
                if not chunk:
                    break
                shown += chunk
            assert proc.wait(timeout=600) == 0
    finally:
        os.close(leader)
    assert resident.served() == 3
    assert b"building" in shown


def test_ctrl_c_reaches_the_command_and_stdin_is_the_callers(
    resident: Resident, tmp_path: Path
) -> None:
    """A command reading the caller's standard input is interrupted by the caller's
    Ctrl-C: it says so and exits 130, and no process is left running it."""
    project = copy_repo(tmp_path / "p")
    assert resident.l10n("status", cwd=project).returncode == 0
    wait_for(resident.listening, "the resident process to listen")
    with subprocess.Popen(
        [sys.executable, "-m", "pipeline", "import", "/dev/stdin"],
        cwd=project,
        env=resident.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        wait_for(lambda: resident.served() == 1, "the command to reach the process")
        child = int(next(x for x in resident.logs() if x.endswith(" command")).split()[0])
        wait_for(lambda: _state(child) == "S", "the command to wait for its input")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] in ("interrupted", "aborted")
    assert "Traceback" not in err
    wait_for(lambda: not alive(child), "the interrupted command to end")


def test_a_command_killed_in_the_process_ends_its_caller_with_an_error(
    resident: Resident, tmp_path: Path
) -> None:
    """A fork killed outright sends no exit status: its caller says so in one line and
    exits 3 (an internal error), never 0."""
    project = copy_repo(tmp_path / "p")
    assert resident.l10n("status", cwd=project).returncode == 0
    wait_for(resident.listening, "the resident process to listen")
    with subprocess.Popen(
        [sys.executable, "-m", "pipeline", "import", "/dev/stdin"],
        cwd=project,
        env=resident.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        wait_for(lambda: resident.served() == 1, "the command to reach the process")
        child = int(next(x for x in resident.logs() if x.endswith(" command")).split()[0])
        wait_for(lambda: _state(child) == "S", "the command to wait for its input")
        os.kill(child, signal.SIGKILL)
        _out, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 3
    assert err.strip().splitlines() == [
        "error: the command's process ended without an exit status "
        "(L10N_RESIDENT=0 runs each command in a process of its own)"
    ]
    assert resident.pids()  # the resident process itself goes on


def test_an_idle_process_exits_and_a_dead_ones_socket_is_replaced(
    resident: Resident, tmp_path: Path
) -> None:
    project = copy_repo(tmp_path / "p")
    assert resident.l10n("status", cwd=project, L10N_RESIDENT_IDLE="0.5").returncode == 0
    wait_for(resident.listening, "the resident process to listen")
    wait_for(lambda: not resident.pids(), "the idle process to exit")
    assert any(line.endswith("idle: exits") for line in resident.logs())
    assert not list(resident.folder.glob("*.sock"))

    # A socket left by a process that was killed: the next command runs on its own,
    # correctly, and a new process takes the socket's place.
    (path,) = resident.folder.glob("*.log")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path.with_suffix(".sock")))
    done = resident.l10n("status", "-l", "vi", cwd=project)
    assert done.returncode == 0 and "vi" in done.stdout
    wait_for(resident.listening, "a new process to listen")
    assert resident.l10n("status", "-l", "vi", cwd=project).stdout == done.stdout
    assert resident.served() == 1


def test_a_process_whose_code_changed_makes_way(resident: Resident, tmp_path: Path) -> None:
    """A process listening under a name that is not its installation's digest (the code
    changed since it started) exits at its next look."""
    resident.folder.mkdir(mode=0o700)
    path = resident.folder / "0000000000000000.sock"
    code = (
        f"import sys; sys.path[:] = {sys.path!r}; "
        f"from pipeline.resident.server import main; main({str(path)!r})"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env={**resident.env, address.IDLE: "1"}, cwd=tmp_path
    )
    try:
        assert proc.wait(timeout=WAIT) == 0
    finally:
        proc.kill()
    assert resident.logs()[-1].endswith("stale: exits")
    assert not path.exists()


def test_switches_and_unsafe_folders(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    assert address.socket_path(env) is not None
    assert address.socket_path({**env, "L10N_RESIDENT": "0"}) is None
    assert address.socket_path({**env, "L10N_RESIDENT": "off"}) is None
    assert address.socket_path({**env, "CI": "true"}) is None  # a CI job leaves nothing
    assert address.socket_path({**env, "CI": "true", "L10N_RESIDENT": "1"}) is not None
    os.chmod(runtime / "l10n", 0o777)  # others could answer our commands
    assert address.socket_path(env) is None
    os.chmod(runtime / "l10n", 0o700)
    assert address.socket_path(env) is not None
    # A runtime folder that is not there (an environment copied from elsewhere): the
    # user's folder in the temporary directory instead.
    elsewhere = address.folder({"XDG_RUNTIME_DIR": str(tmp_path / "gone"), "TMPDIR": str(tmp_path)})
    assert elsewhere == str(tmp_path / f"l10n-{os.getuid()}")
    # The live preview keeps its own process; nothing is sent or started for it.
    assert client.handed_over(["serve"], address.socket_path(env)) is None


def test_the_digest_follows_the_code_not_the_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site" / "pipeline"
    (package / "po" / "__pycache__").mkdir(parents=True)
    (package / "cli.py").write_text("x = 1\n")
    (package / "po" / "read.py").write_text("y = 2\n")
    monkeypatch.setattr(address, "_PACKAGE", str(package))
    first = address.fingerprint()
    (package / "po" / "__pycache__" / "read.cpython-311.pyc").write_bytes(b"\0")
    assert address.fingerprint() == first
    os.utime(package / "po" / "read.py", ns=(1, 10**18))
    assert address.fingerprint() != first
    monkeypatch.undo()  # the installed tool's own files are in it
    assert any(part.startswith(f"{address.__file__}\0") for part in address.loaded())


def test_the_process_has_imported_what_a_one_page_rebuild_needs(tmp_path: Path) -> None:
    """A module a served one-page rebuild imports that the process has not would be
    imported again by every such command: the list in `server.PRELOAD` must cover them."""
    project = copy_repo(tmp_path / "p")
    env = dict(os.environ, L10N_RESIDENT="0", L10N_CACHE=str(tmp_path / "cache"))
    dump = "import sys; print('\\n'.join(sorted(sys.modules)))"
    build = ["build", "-f", "html", "-l", "vi"]
    assert (
        subprocess.run(
            [sys.executable, "-m", "pipeline", *build], cwd=project, env=env, capture_output=True
        ).returncode
        == 0
    )
    edit_one(project)
    probe = (
        "import sys, atexit\n"
        f"atexit.register(lambda: print('\\n'.join(sorted(sys.modules)), file=sys.stderr))\n"
        f"sys.argv = ['l10n', *{build!r}]\n"
        "from pipeline.__main__ import main\nmain()\n"
    )
    rebuild = subprocess.run(
        [sys.executable, "-c", probe], cwd=project, env=env, capture_output=True, text=True
    )
    assert "vi: 1 pages built" in rebuild.stdout, rebuild.stderr
    needed = {line for line in rebuild.stderr.splitlines() if line and " " not in line}
    preload = (
        "import importlib, sys\nfrom pipeline.resident.server import PRELOAD\n"
        f"for name in PRELOAD: importlib.import_module(name)\n{dump}\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", preload], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "pipeline.site.render" in needed and "markdown" in needed
    # A codec comes with the caller's locale and takes no time to load.
    missing = {name for name in needed - set(loaded) if not name.startswith("encodings.")}
    assert missing - {"__main__"} == set()
