"""The routes of `l10n serve`: built files, the reload stream, review pages, approvals.

Every request must name this server in its `Host` (guard.host_allowed); every response
forbids framing and sniffing; served HTML may run only this server's scripts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from markupsafe import escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..assets import STATIC_DIR
from ..errors import L10nError
from ..locales import gettext_name, web_tag
from ..project import UI_DOMAIN
from ..review.approve import Seen, approve_rows
from ..review.ledger import DIGEST_SIZE, EntryText
from ..site.build import Task, all_locales
from . import guard, inject, review
from .annotate import served_page
from .builder import Builder, page_key, review_key
from .events import Events

MAX_BODY = 1_000_000  # bytes of an approval request
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]
HTML_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src * data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
_DIGEST = re.compile(rf"[0-9a-f]{{{DIGEST_SIZE}}}")


class LocalOnly:
    """Refuses requests whose Host does not name this server (DNS rebinding), and adds
    the security headers to every response."""

    def __init__(self, app: ASGIApp, address: guard.Address) -> None:
        self.app = app
        self.address = address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if not guard.host_allowed(host, self.address):
            refusal = PlainTextResponse(
                f"421 Misdirected Request: this server answers only as {self.address.url}\n",
                status_code=421,
            )
            await refusal(scope, receive, self._secured(send))
            return
        await self.app(scope, receive, self._secured(send))

    @staticmethod
    def _secured(send: Send) -> Send:
        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        return secured


class Site:
    """What the routes share: the builder, the reload events, the address and token."""

    def __init__(
        self,
        builder: Builder,
        events: Events,
        address: guard.Address,
        token: str,
        say: Callable[[str], None],
    ) -> None:
        self.builder = builder
        self.events = events
        self.address = address
        self.token = token
        self.say = say

    # -- built files ----------------------------------------------------------------------

    async def files(self, request: Request) -> Response:
        raw = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
        project = self.builder.project
        path = guard.build_file(project.build_dir, raw)
        if path is None:
            if not self.builder.ready.is_set() and raw.split("?")[0] in ("/", "/index.html"):
                return self._html(self._building(), status_code=503)
            return PlainTextResponse("404 Not Found\n", status_code=404)
        if path.suffix != ".html":
            return FileResponse(path)
        rel = path.relative_to(project.build_dir.resolve()).as_posix()
        page = self._page_of(rel)
        key = page_key(*page) if page else ("index" if rel == "index.html" else f"file/{rel}")
        version = self.events.version(key)
        html = await run_in_threadpool(self._served, path, page, key, version)
        return self._html(html)

    def _page_of(self, rel: str) -> tuple[str, str] | None:
        """(locale, domain) of a built page's path, or None for any other file."""
        tag, _, rest = rel.partition("/")
        if not rest.endswith(".html"):
            return None
        domain = rest.removesuffix(".html")
        project = self.builder.project
        try:
            locale = gettext_name(tag)
        except L10nError:
            return None
        if locale not in all_locales(project) or not project.page_path(domain).is_file():
            return None
        return locale, domain

    def _served(self, path: Path, page: tuple[str, str] | None, key: str, version: int) -> str:
        head = inject.head(key, version)
        project = self.builder.project
        if page is None or page[0] == project.config.source_locale:
            problems = [self.builder.problem] if self.builder.problem else []
            tail = "".join(
                f'<p class="l10n-problem" role="alert" lang="en">{_escape(p)}</p>' for p in problems
            )
            return inject.inject(path.read_text(encoding="utf-8"), head, tail)
        locale, domain = page
        task = Task(locale, domain)
        problems = [p for p in (self.builder.problem, self.builder.errors.get(task)) if p]
        try:
            with self.builder.render_lock:
                served = served_page(project, locale, domain)
            html, work, catalog = served.html, served.needing_work(), served.catalog
        except (L10nError, OSError) as exc:
            problems.append(str(exc))
            html, work = path.read_text(encoding="utf-8"), []
            catalog = project.rel(project.po_path(locale, domain))
        findings = []
        for part in (task, Task(locale, UI_DOMAIN)):
            try:
                findings += [f for f in self.builder.report(part).findings if not f.silenced]
            except L10nError as exc:
                problems.append(str(exc))
        panel = inject.Panel(
            catalog=catalog,
            review_href=f"/_review/{web_tag(locale)}/{domain}",
            findings=sorted(findings, key=lambda f: (f.path != catalog, f.path, f.line)),
            work=work,
            problems=list(dict.fromkeys(problems)),
        )
        return inject.inject(html, head, panel.html())

    def _building(self) -> str:
        body = "<p>This page opens the site by itself when the first build is done.</p>"
        return inject.inject(self._plain_page("Building the site…", body), inject.head("*", 0))

    @staticmethod
    def _plain_page(title: str, body: str) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_escape(title)}</title></head><body><main><h1>{_escape(title)}</h1>"
            f"{body}</main></body></html>\n"
        )

    @staticmethod
    def _html(content: str, status_code: int = 200) -> HTMLResponse:
        return HTMLResponse(content, status_code, headers={"content-security-policy": HTML_POLICY})

    # -- reload events --------------------------------------------------------------------

    async def reload_events(self, request: Request) -> Response:
        key = request.query_params.get("key", "*")
        seen = request.query_params.get("v", "0")
        return StreamingResponse(
            self.events.stream(key, int(seen) if seen.isdigit() else 0),
            media_type="text/event-stream",
        )

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name == "sheet.css":  # the review sheet's, which build/ has once `review` ran
            return FileResponse(STATIC_DIR / "review.css")
        if name not in ("serve.js", "serve.css", "review.js"):
            return PlainTextResponse("404 Not Found\n", status_code=404)
        return FileResponse(inject.STATIC / name)

    # -- review ---------------------------------------------------------------------------

    def _review_target(self, tag: str, domain: str) -> tuple[str, str] | None:
        """(locale, domain) of a page the locale has a catalog or template of, or None."""
        project = self.builder.project
        try:
            locale = gettext_name(tag)
        except L10nError:
            return None
        if locale not in project.target_locales() or domain not in project.domains(locale):
            return None
        return locale, domain

    async def review_page(self, request: Request) -> Response:
        target = self._review_target(request.path_params["tag"], request.path_params["page"])
        if target is None:
            return PlainTextResponse("404 Not Found\n", status_code=404)
        locale, domain = target
        key = review_key(locale, domain)
        head = inject.head(key, self.events.version(key))
        show_all = request.query_params.get("all") == "1"
        html = await run_in_threadpool(self._review_html, locale, domain, head, show_all)
        return self._html(html)

    def _review_html(self, locale: str, domain: str, head: str, show_all: bool) -> str:
        project = self.builder.project
        try:
            with self.builder.render_lock:
                return review.live_sheet(project, locale, domain, show_all, head, self.token)
        except (L10nError, OSError) as exc:
            problem = f'<p class="l10n-problem" role="alert">{_escape(str(exc))}</p>'
            return inject.inject(self._plain_page("Review", problem), head)

    async def approve(self, request: Request) -> Response:
        refusal = guard.approval_refusal(
            request.method,
            request.headers.get("x-l10n-token"),
            self.token,
            request.headers.get("origin"),
            request.headers.get("host", ""),
            request.client.host if request.client else None,
            self.address,
        )
        if refusal is not None:
            return JSONResponse({"message": refusal}, status_code=403)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return JSONResponse({"message": "request too large"}, status_code=413)
        try:
            tag, domain, by, role, entries = _approval_request(json.loads(body or b"null"))
        except (ValueError, TypeError, KeyError) as exc:
            return JSONResponse({"message": f"bad approval request: {exc}"}, status_code=400)
        target = self._review_target(tag, domain)
        if target is None:
            return JSONResponse({"message": f"no page {domain!r} in {tag!r}"}, status_code=404)
        locale, domain = target
        seen = [Seen(EntryText(domain, *digests), line) for digests, line in entries]
        try:
            outcome = await run_in_threadpool(
                approve_rows, self.builder.project, locale, domain, seen, by, role
            )
        except L10nError as exc:
            return JSONResponse({"message": str(exc)}, status_code=400)
        self.say(
            f"approved {len(outcome.approved)} of {web_tag(locale)}/{domain} as {role}: "
            f"{by.strip()}" + (f" ({len(outcome.refused)} not approved)" if outcome.refused else "")
        )
        return JSONResponse(
            {
                "message": review.message(outcome, role, by),
                "added": len(outcome.approved),
                "already": outcome.already,
                "refused": [str(r) for r in outcome.refused],
            },
            status_code=409 if outcome.refused and not outcome.approved else 200,
        )


def _approval_request(
    data: Any,
) -> tuple[str, str, str, str, list[tuple[tuple[str, str, str], int]]]:
    """The fields of an approval request, checked for shape: each entry is the digests
    of the texts the reviewer saw and the line it stood on."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    fields = [data[name] for name in ("locale", "page", "by", "role")]
    if not all(isinstance(f, str) for f in fields):
        raise TypeError("locale, page, by and role must be strings")
    entries = data["entries"]
    if not isinstance(entries, list) or not entries:
        raise ValueError("entries must be a non-empty list")
    found = []
    for entry in entries:
        digests = [entry.get(k) if isinstance(entry, dict) else None for k in _DIGEST_KEYS]
        texts = [d for d in digests if isinstance(d, str) and _DIGEST.fullmatch(d)]
        line = entry.get("line") if isinstance(entry, dict) else None
        if len(texts) != len(_DIGEST_KEYS) or not isinstance(line, int) or line < 1:
            raise ValueError(f"each entry needs {', '.join(_DIGEST_KEYS)} digests and a line")
        found.append(((texts[0], texts[1], texts[2]), line))
    return fields[0], fields[1], fields[2], fields[3], found


_DIGEST_KEYS = ("context", "english", "translation")


def _escape(text: str) -> str:
    return str(escape(text))


def _safe(
    handler: Callable[[Request], Awaitable[Response]], say: Callable[[str], None]
) -> Callable[[Request], Awaitable[Response]]:
    """A handler whose unexpected failure is one line on the terminal and a 500 answer,
    never a traceback."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except Exception as exc:
            say(f"internal error serving {request.url.path}: {type(exc).__name__}: {exc}")
            return PlainTextResponse("500 Internal Server Error\n", status_code=500)

    return run


def create_app(site: Site, lifespan: Callable | None = None) -> ASGIApp:
    say = site.say
    routes = [
        Route("/_l10n/events", _safe(site.reload_events, say)),
        Route("/_l10n/{name}", _safe(site.asset, say)),
        Route("/_review/approve", _safe(site.approve, say), methods=["POST"]),
        Route("/_review/{tag}/{page:path}", _safe(site.review_page, say)),
        Route("/{path:path}", _safe(site.files, say)),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    return LocalOnly(app, site.address)
