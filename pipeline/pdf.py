"""Printable handouts: every built HTML page printed to PDF by headless Chromium.

Chromium (driven by Playwright) is the one engine measured here that breaks Khmer, Lao and
Burmese lines correctly and keeps an exact text layer for every script we publish
(../shared/research/pdf-engines.md). One browser is started per worker process and reused
for every page it prints. The print layout (A4/Letter, running header, "Page N of M"
footer) comes from the page's own CSS `@page` rule; pikepdf then fixes the metadata so the
same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import functools
import io
import multiprocessing
import os
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname
from xml.sax.saxutils import escape

from fontTools.ttLib import TTFont

from .errors import L10nError
from .files import write_atomic
from .fonts import FONTS_DIR
from .workers import exit_with_parent

CLUSTERS_JS = Path(__file__).with_name("static") / "clusters.js"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
BROWSER_ENV = "L10N_BROWSER"
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: 'apt-get install chromium') or point "
    f"{BROWSER_ENV} (or [tool.l10n] browser) at a Chromium-family browser; "
    "'l10n build -f html' works without one"
)
LAUNCH_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--font-render-hinting=none",
)
PAPER = {"A4": "A4", "Letter": "Letter"}
TIMEOUT_MS = 60_000
# Print-ready when the web fonts have loaded; report those that failed, the title and language.
_READY_JS = r"""async () => {
  await document.fonts.ready;
  const meta = document.querySelector('meta[name="description"]');
  return {
    title: document.title,
    lang: document.documentElement.lang,
    description: meta ? meta.content : "",
    failed: Array.from(document.fonts).filter(f => f.status === "error").map(f => f.family),
    headings: Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
      .filter(h => h.getClientRects().length > 0)
      .map(h => h.innerText.replace(/\s+/g, " ").trim()),
  };
}"""


@dataclass(frozen=True)
class Page:
    """One handout to print: the built HTML page, where its PDF goes, its fixed date."""

    html: Path
    pdf: Path
    date: datetime


@dataclass(frozen=True)
class Settings:
    """What every worker needs: the browser, the paper and the document's people."""

    browser: str
    paper: str = "A4"
    author: str = ""
    publisher: str = ""


@dataclass(frozen=True)
class Info:
    """What the printed page says about itself."""

    title: str
    lang: str
    description: str
    headings: tuple[str, ...] = ()


def find_browser(setting: str | None = None, root: Path | None = None) -> str:
    """The Chromium to print with: the setting, then $L10N_BROWSER, then PATH."""
    for value, origin in ((setting, "[tool.l10n] browser"), (os.environ.get(BROWSER_ENV),
                                                               BROWSER_ENV)):
        if not value or not value.strip():
            continue
        value = value.strip()
        if "/" in value:
            path = Path(value).expanduser()
            if not path.is_absolute() and root is not None:
                path = root / path
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
            found = None
        else:
            found = shutil.which(value)
        if found:
            return found
        raise L10nError(f"{origin} names {value!r}, which is not an executable browser; "
                        f"{INSTALL_HINT}")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise L10nError(f"cannot print PDF handouts: no Chromium found on PATH; {INSTALL_HINT}")


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
    """One headless browser, reused for every page printed through it.

        with Printer(settings) as printer:
            printer.write(page)
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._playwright = None
        self._browser = None
        self._page = None

    def __enter__(self) -> Printer:
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError:
            raise L10nError("cannot print PDF handouts: the Python package playwright is "
                            "missing ('pip install playwright'; no 'playwright install' "
                            "needed, the system Chromium is used)") from None
        self._tmp = tempfile.TemporaryDirectory(prefix="l10n-pdf-")
        env = dict(os.environ, FONTCONFIG_FILE=str(_fontconfig(Path(self._tmp.name))))
        try:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=self.settings.browser, args=list(LAUNCH_ARGS), env=env,
                timeout=TIMEOUT_MS,
            )
            self._page = self._browser.new_page(java_script_enabled=True)
            self._page.set_default_timeout(TIMEOUT_MS)
            self._page.emulate_media(media="print")
            # Handouts never depend on the network: only local files load.
            self._page.route(re.compile(r"^(?!file:|data:|about:)"), lambda r: r.abort())
        except Error as exc:
            self.__exit__(None, None, None)
            raise L10nError(f"cannot start the browser {self.settings.browser}: "
                            f"{_first_line(exc)}; {INSTALL_HINT}") from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._browser is not None:
                with contextlib.suppress(Exception):  # a crashed browser cannot close
                    self._browser.close()
            if self._playwright is not None:
                self._playwright.stop()
        finally:
            self._browser = self._playwright = self._page = None
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None

    def render(self, html: Path) -> tuple[bytes, Info]:
        """Chromium's PDF of one HTML file, as printed, and what the page says about itself."""
        from playwright.sync_api import Error

        if self._page is None:
            raise RuntimeError("Printer used outside its with-block")
        try:
            self._page.goto(html.resolve().as_uri(), wait_until="load")
            if not self._page.evaluate("() => typeof window.l10nKeepClusters === 'function'"):
                self._page.add_script_tag(path=CLUSTERS_JS)  # a page built without it
            state = self._page.evaluate(_READY_JS)
            if state["failed"]:
                raise L10nError(f"{html}: fonts failed to load: {', '.join(state['failed'])}; "
                                "rebuild the HTML (its build/assets/fonts/ may be incomplete)")
            data = self._page.pdf(
                format=PAPER[self.settings.paper], print_background=True,
                prefer_css_page_size=True, tagged=True, outline=True,
                display_header_footer=False,
            )
        except Error as exc:
            raise L10nError(f"{html}: printing failed: {_first_line(exc)}") from None
        return data, Info(state["title"], state["lang"], state["description"],
                          tuple(state["headings"]))

    def write(self, page: Page) -> bool:
        """Print `page` to its PDF; True when the file changed."""
        raw, info = self.render(page.html)
        return write_atomic(page.pdf, finish(raw, info, page.date, self.settings, page.pdf))


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
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        found.append((re.sub(r"^[A-Z]{6}\+", "", name), embedded))
    return found


def finish(raw: bytes, info: Info, date: datetime, settings: Settings, where: Path) -> bytes:
    """Chromium's PDF with our metadata, fixed dates and a deterministic /ID."""
    import pikepdf

    with pikepdf.open(io.BytesIO(raw)) as pdf:
        foreign = [f"{name or 'unnamed'}{'' if embedded else ' (not embedded)'}"
                   for name, embedded in pdf_fonts(pdf)
                   if not embedded or name not in bundled_font_names()]
        if foreign:
            raise L10nError(f"{where}: uses fonts that are not bundled with the project: "
                            f"{', '.join(sorted(set(foreign)))}; check the page's CSS")
        stamp = pdf_date(date)
        docinfo = pdf.docinfo
        for key, value in (("/Title", info.title), ("/Subject", info.description),
                           ("/Author", settings.author or settings.publisher),
                           ("/Creator", settings.publisher)):
            if value:
                docinfo[key] = pikepdf.String(value)
            elif key in docinfo:
                del docinfo[key]
        docinfo["/CreationDate"] = pikepdf.String(stamp)
        docinfo["/ModDate"] = pikepdf.String(stamp)
        if info.lang:
            pdf.Root.Lang = pikepdf.String(info.lang)
        if "/Metadata" in pdf.Root:  # no XMP that could disagree with the Info dictionary
            del pdf.Root.Metadata
        _relative_links(pdf, where.parent)
        _outline_titles(pdf, info.headings)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
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

    items = []

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


def _print_all(settings: Settings, pages: list[Page]) -> list[bool]:
    with Printer(settings) as printer:
        return [printer.write(page) for page in pages]


def workers_for(pages: int, jobs: int | None) -> int:
    """Worker processes: -j as given; by default one per core, but each costs a process and
    a browser start (1-2 s), which a handful of pages does not repay (benchmarks/pdf_bench.py).
    """
    if jobs is not None:
        return max(1, min(jobs, pages))
    return max(1, min(os.cpu_count() or 1, pages // 16))


def print_pages(pages: list[Page], settings: Settings, jobs: int | None = None) -> list[bool]:
    """Print every page; one browser per worker process. Returns, per page, if it changed."""
    if not pages:
        return []
    workers = workers_for(len(pages), jobs)
    if workers == 1:
        return _print_all(settings, pages)
    chunks = [pages[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=exit_with_parent) as pool:  # none left if killed
        results = list(pool.map(_print_all, [settings] * workers, chunks))
    changed = {}
    for chunk, flags in zip(chunks, results, strict=True):
        changed.update({page.pdf: flag for page, flag in zip(chunk, flags, strict=True)})
    return [changed[page.pdf] for page in pages]
