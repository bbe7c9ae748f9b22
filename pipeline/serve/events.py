"""Reload notices for open pages, over Server-Sent Events.

Every served page names what it shows by a key (`th/page`, `review/th/page`, `index`)
and the version of that key it was made from.  A rebuild bumps the versions of the keys
it changed and tells every listener; a page reloads itself when its key is among them.
A page that connects after a change it missed (made between its request and its
connection) is told at once.  `th/*` stands for every key under `th/`, `*` for all.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable

KEEPALIVE_SECONDS = 15.0


def covers(changed: str, key: str) -> bool:
    """Whether a changed key (perhaps a `prefix/*` pattern) covers a page's key."""
    if changed == "*" or changed == key:
        return True
    return changed.endswith("/*") and key.startswith(changed[:-1])


class Events:
    """Versions of keys and the pages listening; used from the event loop's thread only
    (`publish_threadsafe` from any other)."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}  # the last generation that changed each key
        self.generation = 0
        self.listeners: set[asyncio.Queue[list[str] | None]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    def version(self, key: str) -> int:
        """The version a page showing `key` is made from (patterns covering it count)."""
        return max((v for k, v in self.versions.items() if covers(k, key)), default=0)

    def publish(self, keys: Iterable[str]) -> None:
        changed = sorted(set(keys))
        if not changed:
            return
        self.generation += 1
        for key in changed:
            self.versions[key] = self.generation
        for queue in self.listeners:
            queue.put_nowait(changed)

    def publish_threadsafe(self, keys: Iterable[str]) -> None:
        if self.loop is not None and not self.closed:
            self.loop.call_soon_threadsafe(self.publish, list(keys))

    def close(self) -> None:
        """End every stream: the server is stopping."""
        self.closed = True
        for queue in self.listeners:
            queue.put_nowait(None)

    async def stream(self, key: str, seen: int) -> AsyncIterator[str]:
        """The event stream of one page, showing `key` at version `seen`."""
        queue: asyncio.Queue[list[str] | None] = asyncio.Queue()
        self.listeners.add(queue)
        try:
            yield "retry: 1000\n\n"
            if self.version(key) > seen:
                yield _event([key])
            while not self.closed:
                try:
                    changed = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if changed is None:
                    return
                if any(covers(c, key) for c in changed):
                    yield _event(changed)
        finally:
            self.listeners.discard(queue)


def _event(keys: list[str]) -> str:
    return f"event: reload\ndata: {json.dumps({'keys': keys})}\n\n"
