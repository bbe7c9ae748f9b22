"""Running `l10n serve`: the socket, Uvicorn, the file watchers, and a clean stop.

The socket is bound before anything else, so that a busy port is one line and exit 2,
and so that `--port 0` can print the port it got.  The first build runs in the builder's
thread while the server already answers.  Ctrl+C or SIGTERM ends the reload streams,
stops the watchers and returns: exit 0, the port released.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import secrets
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import FrameType

import uvicorn
from starlette.applications import Starlette
from watchfiles import DefaultFilter, awatch

from ..errors import L10nError
from ..project import Project
from ..site.build import select
from .affected import watched
from .app import Site, create_app
from .builder import Builder
from .events import Events
from .guard import Address

STOP_SECONDS = 1  # seconds: the longest wait for open connections when stopping
_EDITOR_LEFTOVERS = ("~", ".swp", ".swx", ".tmp", ".bak")


def bind(host: str, port: int) -> tuple[socket.socket, Address]:
    """A listening socket on host:port (port 0: any free one); a port in use or a host
    that cannot be listened on is an L10nError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise L10nError(f"--host {host}: not an address of this machine ({exc.strerror})") from None
    family, kind, proto, _, where = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # not while another listens
    try:
        sock.bind(where)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise L10nError(
                f"port {port} on {host} is in use; stop what is using it or choose another "
                "with --port (--port 0: any free port)"
            ) from None
        raise L10nError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    bound, real_port = sock.getsockname()[:2]
    return sock, Address(host, real_port, bound)


def _worth_watching(change: object, path: str) -> bool:
    """Saves of real files, not editors' swap and backup files nor our temporary files."""
    name = os.path.basename(path)
    return not (name.startswith((".", "#")) or name.endswith(_EDITOR_LEFTOVERS) or name == "4913")


class _Server(uvicorn.Server):
    """Uvicorn, stopping on Ctrl+C or SIGTERM without re-raising the signal afterwards
    (which would end the program with 130 instead of 0).  A second Ctrl+C changes
    nothing: the stop is bounded by STOP_SECONDS anyway."""

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_stop = on_stop

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            self.should_exit = True
            self.on_stop()


def serve(
    project: Project,
    requested: tuple[str, ...],
    host: str,
    port: int,
    say: Callable[[str], None],
    jobs: int | None = None,
) -> None:
    """Serve `build/` until stopped; rebuild what saves change."""
    select(project, requested)  # an unknown locale is bad input before anything starts
    sock, address = bind(host, port)
    say(f"Serving {address.url} (Ctrl+C to stop)")
    events = Events()
    builder = Builder(project, requested, events, say, jobs or os.cpu_count() or 1)
    site = Site(builder, events, address, secrets.token_urlsafe(32), say)
    stop_watching = asyncio.Event()
    loop_box: list[asyncio.AbstractEventLoop] = []

    async def watch(paths: list[Path], recursive: bool, keep: Callable) -> None:
        try:
            async for changes in awatch(
                *paths,
                watch_filter=keep,
                recursive=recursive,
                stop_event=stop_watching,
                debounce=1600,
                step=50,
            ):
                builder.submit(Path(p) for _, p in changes)
        except (RuntimeError, OSError) as exc:
            shown = ", ".join(project.rel(p) for p in paths)
            say(f"error: cannot watch {shown} ({exc}); saves there are not seen")

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        loop_box.append(loop)
        events.loop = loop
        default = DefaultFilter()
        folders = [p.resolve() for p in watched(builder.project)]
        tasks = [
            asyncio.create_task(
                watch(folders, True, lambda c, p: default(c, p) and _worth_watching(c, p))
            ),
            asyncio.create_task(
                watch([project.root], False, lambda c, p: os.path.basename(p) == "pyproject.toml")
            ),
        ]
        builder.start()
        try:
            yield
        finally:
            stop_watching.set()
            await asyncio.wait(tasks, timeout=STOP_SECONDS)

    def on_stop() -> None:
        builder.stop()
        if loop_box:
            loop_box[0].call_soon_threadsafe(events.close)
            loop_box[0].call_soon_threadsafe(stop_watching.set)

    config = uvicorn.Config(
        create_app(site, lifespan),
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=STOP_SECONDS,
        http="h11",
        ws="none",
    )
    server = _Server(config, on_stop)
    server.run(sockets=[sock])
    sock.close()
    if not builder.join(STOP_SECONDS):  # a page that takes longer: stop without it
        say("stopped (a page being built was left; the next build makes it)")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    say("stopped")
