"""Printable handouts: every built HTML page printed to PDF by headless Chromium.

Chromium (driven by Playwright) is the one engine measured for this project that breaks
Khmer, Lao and Burmese lines correctly and keeps an exact text layer for every script we
publish (docs/architecture.md, "Why Chromium prints"); site.browser says which one. One browser is
started per run, and -j of its tabs print at the same time. The print layout (A4/Letter,
running header, "Page N of M" footer) comes from the page's own CSS `@page` rule; pikepdf
then fixes the metadata so the same inputs give the same bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import os
import re
import tempfile
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit
from urllib.request import url2pathname
from xml.sax.saxutils import escape

from fontTools.ttLib import TTFont

from ..assets import FONTS_DIR, STATIC_DIR
from ..errors import L10nError
from ..files import write_atomic
from .accessible import Link, make_accessible
from .browser import INSTALL_HINT, Settings
from .xmp import Metadata

if TYPE_CHECKING:
    import pikepdf
    from playwright.async_api import (
        Browser,
        Playwright,
        PlaywrightContextManager,
        ViewportSize,
    )

T = TypeVar("T")
CLUSTERS_JS = STATIC_DIR / "clusters.js"
# Chromium keeps only the last --disable-features, so Playwright's own list (1.65) is
# repeated here. RenderDocument gives every navigation a new frame host and renderer frame:
# a good share of the CPU a handout costs (docs/benchmarks.md), for nothing printing needs.
DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
    "RenderDocument",
)
# Handouts never depend on the network: every request that is not a local file goes to a
# proxy nobody listens on (port 1, loopback included), so it fails at once. Unlike request
# interception this costs the local files nothing.
OFFLINE_ARGS = ("--proxy-server=http://127.0.0.1:1", "--proxy-bypass-list=<-loopback>")
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--font-render-hinting=none",
    f"--disable-features={','.join(DISABLED_FEATURES)}",
    *OFFLINE_ARGS,
)
# The window the page is first laid out in before printing lays it out again at the paper's
# size. One pixel high, Chromium paints and composites next to nothing for the screen
# (docs/benchmarks.md); the PDF is the same to the byte (tests/test_pdf.py).
VIEWPORT: ViewportSize = {"width": 1280, "height": 1}
PAPER = {"A4": "A4", "Letter": "Letter"}
TIMEOUT_MS = 60_000
# Print-ready when the web fonts have loaded; report those that failed, whether clusters.js ran,
# the title, language, headings and links (with the text CSS prints around them): one round
# trip per page. The page's last block and its footer are put in one box that may not
# break, so that the disclaimer never stands alone on the last sheet (Chromium does not
# honour `break-before: avoid` there).
_READY_JS = r"""async () => {
  await document.fonts.ready;
  // The text a CSS content property prints (quoted strings, attr() already resolved).
  const generated = (element, pseudo) => Array.from(
    getComputedStyle(element, pseudo).content.matchAll(/"((?:[^"\\]|\\.)*)"/g),
    m => m[1].replace(/\\(.)/g, "$1")).join("");
  const main = document.querySelector("main");
  const footer = document.querySelector("footer.site");
  const last = main && main.lastElementChild;
  if (last && footer) {
    const keep = document.createElement("div");
    keep.className = "keep-with-footer";
    last.replaceWith(keep);
    keep.append(last, footer);
  }
  const meta = document.querySelector('meta[name="description"]');
  return {
    clusters: typeof window.l10nKeepClusters === "function",
    title: document.title,
    lang: document.documentElement.lang,
    description: meta ? meta.content : "",
    failed: Array.from(document.fonts).filter(f => f.status === "error").map(f => f.family),
    headings: Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
      .filter(h => h.getClientRects().length > 0)
      .map(h => h.innerText.replace(/\s+/g, " ").trim()),
    links: Array.from(document.querySelectorAll("a[href], area[href]"))
      .filter(a => a.getClientRects().length > 0)
      .map(a => {
        const image = a.querySelector("img[alt]");
        const text = (a.innerText || (image && image.alt) || a.getAttribute("aria-label")
          || a.title || "").replace(/\s+/g, " ").trim();
        return [generated(a, "::before"), text, generated(a, "::after")];
      }),
  };
}"""


@dataclass(frozen=True)
class Page:
    """One handout to print: the built HTML page, where its PDF goes, its fixed date, and
    what to add to the finished PDF before it is saved (a review sheet attaches its data)."""

    html: Path
    pdf: Path
    date: datetime
    extra: Callable[[pikepdf.Pdf], None] | None = None


@dataclass(frozen=True)
class Info:
    """What the printed page says about itself."""

    title: str
    lang: str
    description: str
    headings: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


def _fontconfig(folder: Path) -> Path:
    """A fontconfig setup that sees only the bundled fonts.

    Pages load our WOFF2 files through @font-face; anything they do not cover (a fallback,
    a generic family) then also resolves to a bundled font, never to whatever the machine
    happens to have installed.
    """
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n  <dir>{escape(str(FONTS_DIR.resolve()))}</dir>\n"
        f"  <cachedir>{escape(str(folder / 'cache'))}</cachedir>\n"
        # Outlines as designed, whatever the machine's settings: layout stays the same.
        '  <match target="font">\n'
        '    <edit name="hinting" mode="assign"><bool>false</bool></edit>\n'
        '    <edit name="hintstyle" mode="assign"><const>hintnone</const></edit>\n'
        '    <edit name="antialias" mode="assign"><bool>true</bool></edit>\n'
        '    <edit name="rgba" mode="assign"><const>none</const></edit>\n'
        "  </match>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


class Printer:
    """One headless browser; `tabs` pages of it print at the same time.

    A second browser costs a start and 1.3 GB; a second tab costs neither, and while one
    tab waits for its PDF the other navigates and lays out on the other core. Metadata fixing
    and writing run on a thread beside the printing, so even a single tab goes on to the
    next page while Python finishes the previous handout.

        with Printer(settings, tabs=2) as printer:
            printer.write_all(pages)
    """

    def __init__(self, settings: Settings, tabs: int = 1) -> None:
        self.settings = settings
        self.tabs = max(1, tabs)
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._pages: list = []

    def __enter__(self) -> Printer:
        try:
            from playwright.async_api import Error, async_playwright
        except ImportError:
            raise L10nError(
                "cannot print PDF handouts: the Python package playwright is "
                "missing ('pip install playwright'; no 'playwright install' "
                "needed, the system Chromium is used)"
            ) from None
        self._tmp = tempfile.TemporaryDirectory(prefix="l10n-pdf-")
        self._loop = asyncio.new_event_loop()
        try:
            self._run(self._start(async_playwright, Path(self._tmp.name)))
        except Error as exc:
            self.__exit__(None, None, None)
            raise L10nError(
                f"cannot start the browser {self.settings.browser}: "
                f"{_first_line(exc)}; {INSTALL_HINT}"
            ) from None
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._loop is not None:
                self._loop.run_until_complete(self._stop())
        finally:
            self._browser = self._playwright = None
            self._pages = []
            if self._loop is not None:
                self._loop.close()
                self._loop = None
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None

    def _run(self, job: Coroutine[object, object, T]) -> T:
        if self._loop is None:
            raise RuntimeError("Printer used outside its with-block")
        return self._loop.run_until_complete(job)

    async def _start(
        self, async_playwright: Callable[[], PlaywrightContextManager], folder: Path
    ) -> None:
        env: dict[str, str | float | bool] = dict(
            os.environ, FONTCONFIG_FILE=str(_fontconfig(folder))
        )
        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(
            executable_path=self.settings.browser,
            args=list(LAUNCH_ARGS),
            env=env,
            timeout=TIMEOUT_MS,
        )
        # One context for every tab: a context per tab costs more CPU a handout.
        context = await self._browser.new_context(java_script_enabled=True, viewport=VIEWPORT)
        self._pages = [await self._new_tab(context) for _ in range(self.tabs)]

    async def _new_tab(self, context):  # noqa: ANN001, ANN202
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        await page.emulate_media(media="print")
        return page

    async def _stop(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(Exception):  # a crashed browser cannot close
                await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()

    def render(self, html: Path) -> tuple[bytes, Info]:
        """Chromium's PDF of one HTML file, as printed, and what the page says about itself."""
        return self._run(self._render(self._pages[0] if self._pages else None, html))

    async def _render(self, tab, html: Path) -> tuple[bytes, Info]:  # noqa: ANN001
        from playwright.async_api import Error

        if tab is None:
            raise RuntimeError("Printer used outside its with-block")
        try:
            await tab.goto(html.resolve().as_uri(), wait_until="load")
            state = await tab.evaluate(_READY_JS)
            if not state["clusters"]:  # a page built without it
                await tab.add_script_tag(path=CLUSTERS_JS)
            if state["failed"]:
                raise L10nError(
                    f"{html}: fonts failed to load: {', '.join(state['failed'])}; "
                    "rebuild the HTML (its build/assets/fonts/ may be incomplete)"
                )
            data = await tab.pdf(
                format=PAPER[self.settings.paper],
                print_background=True,
                prefer_css_page_size=True,
                tagged=True,
                outline=True,
                display_header_footer=False,
            )
        except Error as exc:
            raise L10nError(f"{html}: printing failed: {_first_line(exc)}") from None
        return data, Info(
            state["title"],
            state["lang"],
            state["description"],
            tuple(state["headings"]),
            tuple(Link(*texts) for texts in state["links"]),
        )

    def write(self, page: Page) -> bool:
        """Print `page` to its PDF; True when the file changed."""
        return self.write_all([page])[0]

    def write_all(self, pages: list[Page]) -> list[bool]:
        """Print every page, each tab taking the next; per page, True when its file changed."""
        return self._run(self._write_all(pages))

    async def _write_all(self, pages: list[Page]) -> list[bool]:
        bundled_font_names()  # read once, before the finishing thread needs it
        loop = asyncio.get_running_loop()
        todo = iter(enumerate(pages))
        finishing: dict[int, asyncio.Future[bool]] = {}
        with ThreadPoolExecutor(1, thread_name_prefix="l10n-pdf-finish") as finisher:

            async def print_from(tab) -> None:  # noqa: ANN001
                for number, page in todo:
                    raw, info = await self._render(tab, page.html)
                    finishing[number] = loop.run_in_executor(
                        finisher, self._finish_and_write, page, raw, info
                    )

            try:
                await _all_or_none([print_from(tab) for tab in self._pages[: len(pages)]])
            finally:
                done = await asyncio.gather(*finishing.values(), return_exceptions=True)
        failed = [result for result in done if isinstance(result, BaseException)]
        if failed:
            raise failed[0]
        return [finishing[number].result() for number in range(len(pages))]

    def _finish_and_write(self, page: Page, raw: bytes, info: Info) -> bool:
        return write_atomic(
            page.pdf, finish(raw, info, page.date, self.settings, page.pdf, page.extra)
        )


async def _all_or_none(jobs: list[Coroutine]) -> None:
    """Run the jobs together; on the first failure cancel the others and raise it."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            raise failure


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def pdf_date(moment: datetime) -> str:
    """A PDF date string (ISO 32000 7.9.4) in UTC."""
    return moment.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


@functools.lru_cache(maxsize=1)
def bundled_font_names() -> frozenset[str]:
    """PostScript names of every font in the repository."""
    names = set()
    for path in FONTS_DIR.glob("*.[ot]tf"):
        with TTFont(path, lazy=True) as tt:
            names.add(tt["name"].getDebugName(6))
    return frozenset(names)


def pdf_fonts(pdf) -> list[tuple[str, bool]]:
    """(base name without the subset tag, embedded?) for every font program in the PDF."""
    import pikepdf

    found = []
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font":
            continue
        if obj.get("/Subtype") == "/Type0":
            continue  # a composite font: its descendant CIDFont carries the program
        name = str(obj.get("/BaseFont", "")).lstrip("/")
        descriptor = obj.get("/FontDescriptor")
        embedded = descriptor is not None and any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        found.append((re.sub(r"^[A-Z]{6}\+", "", name), embedded))
    return found


def finish(
    raw: bytes,
    info: Info,
    date: datetime,
    settings: Settings,
    where: Path,
    extra: Callable[[pikepdf.Pdf], None] | None = None,
) -> bytes:
    """Chromium's PDF with our metadata, fixed dates, a deterministic /ID, what PDF/UA-1
    asks for beyond Chromium's tags (pipeline.site.accessible), and then `extra`'s part."""
    import pikepdf

    with pikepdf.open(io.BytesIO(raw)) as pdf:
        foreign = [
            f"{name or 'unnamed'}{'' if embedded else ' (not embedded)'}"
            for name, embedded in pdf_fonts(pdf)
            if not embedded or name not in bundled_font_names()
        ]
        if foreign:
            raise L10nError(
                f"{where}: uses fonts that are not bundled with the project: "
                f"{', '.join(sorted(set(foreign)))}; check the page's CSS"
            )
        stamp = pdf_date(date)
        docinfo = pdf.docinfo
        for key, value in (
            ("/Title", info.title),
            ("/Subject", info.description),
            ("/Author", settings.author or settings.publisher),
            ("/Creator", settings.publisher),
        ):
            if value:
                docinfo[key] = pikepdf.String(value)
            elif key in docinfo:
                del docinfo[key]
        docinfo["/CreationDate"] = pikepdf.String(stamp)
        docinfo["/ModDate"] = pikepdf.String(stamp)
        if info.lang:
            pdf.Root.Lang = pikepdf.String(info.lang)
        _relative_links(pdf, where.parent)
        _outline_titles(pdf, info.headings)
        meta = Metadata(
            title=info.title,
            lang=info.lang,
            date=date,
            description=info.description,
            author=settings.author or settings.publisher,
            creator=settings.publisher,
            producer=str(docinfo.get("/Producer", "")),
        )
        make_accessible(pdf, meta, info.links)
        if extra is not None:  # last: it may digest the pages as they are saved
            extra(pdf)
        out = io.BytesIO()
        # fix_metadata_version would rewrite the XMP packet in pikepdf's own layout
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


def _relative_links(pdf, folder: Path) -> None:
    """Links to local files as paths relative to the PDF, not this machine's file:// URLs."""
    import pikepdf

    for page in pdf.pages:
        for annot in page.get("/Annots", []):
            action = annot.get("/A")
            if action is None or action.get("/S") != "/URI":
                continue
            uri = urlsplit(str(action.URI))
            if uri.scheme == "file":
                target = os.path.relpath(url2pathname(uri.path), folder.resolve())
                fragment = f"#{uri.fragment}" if uri.fragment else ""
                action.URI = pikepdf.String(Path(target).as_posix() + fragment)


def _outline_titles(pdf, headings: tuple[str, ...]) -> None:
    """Bookmark titles as the headings read.

    Chromium 156 writes a heading's text twice into its bookmark when the heading was
    pushed to the next page (break-after: avoid). Bookmarks follow the headings in
    document order, so they are set from the page's headings when the two agree in number.
    """
    import pikepdf

    items: list[pikepdf.Object] = []

    def walk(node) -> None:  # noqa: ANN001
        child = node.get("/First")
        while child is not None and len(items) <= len(headings):
            items.append(child)
            walk(child)
            child = child.get("/Next")

    if "/Outlines" in pdf.Root:
        walk(pdf.Root.Outlines)
    if len(items) != len(headings):
        return
    for item, heading in zip(items, headings, strict=True):
        if heading and str(item.get("/Title", "")) != heading:
            item.Title = pikepdf.String(heading)


def tabs_for(pages: int, jobs: int | None) -> int:
    """Pages printing at once: -j as given, by default one per core; never more than pages.

    Each is a tab of the one browser: opening it costs a fraction of a browser start, so no
    page count is too small for it (a browser per worker needed 16 pages to pay).
    """
    wanted = jobs if jobs is not None else (os.cpu_count() or 1)
    return max(1, min(wanted, pages))


def print_pages(pages: list[Page], settings: Settings, jobs: int | None = None) -> list[bool]:
    """Print every page with one browser and -j tabs. Returns, per page, if it changed.

    Nothing to print starts no browser.
    """
    if not pages:
        return []
    with Printer(settings, tabs_for(len(pages), jobs)) as printer:
        return printer.write_all(pages)
