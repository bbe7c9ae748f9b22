"""The built web pages in a real browser: headless Chromium driven by Playwright (issue 3).

Every locale's page is opened from disk (file:// URLs of the shared build made by
test_html.build_site).  Without Chromium or Playwright the module is skipped, unless
L10N_REQUIRE_BROWSER=1 (CI sets it), in which case it fails.  Screenshots of every locale
at 360 px and 1000 px go to build/screenshots/ of the build (and are copied to
/tmp/screens/ for a look).
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_html import LOCALES, NATIVE, SCRIPT_FONTS, Built, build_site

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENS = Path("/tmp/screens")
# A letter of each locale's own script or diacritics, drawn by the font named.
SAMPLE = {
    "en": ("Noto Sans", "a"),
    "vi": ("Noto Sans", "ệ"),
    "id": ("Noto Sans", "a"),
    "ms": ("Noto Sans", "a"),
    "fil": ("Noto Sans", "ñ"),
    **SCRIPT_FONTS,
}


def _unavailable(reason: str) -> None:
    if os.environ.get("L10N_REQUIRE_BROWSER") == "1":
        pytest.fail(f"L10N_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _chromium() -> str | None:
    for candidate in (
        os.environ.get("L10N_BROWSER"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module."""
    executable = _chromium()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install playwright)")
    manager = sync_playwright().start()
    try:
        try:
            chromium = manager.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Error as exc:
            _unavailable(f"Chromium at {executable} does not start: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()
    finally:
        manager.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(tmp_path_factory)


class Tab:
    """A page with everything that went wrong on it recorded."""

    def __init__(self, context: object) -> None:
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url} {r.failure}"))

    def open(self, path: Path) -> object:
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.evaluate("document.fonts.ready.then(() => true)")
        return self.page

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module")
def phone(browser: object) -> Iterator[object]:
    """A 360 px wide browser context, shared by the module's tests (a fresh page each)."""
    context = browser.new_context(viewport={"width": 360, "height": 800})
    yield context
    context.close()


@pytest.fixture
def tab(phone: object) -> Iterator[Tab]:
    opened = Tab(phone)
    yield opened
    opened.close()


@pytest.mark.parametrize("loc", LOCALES)
def test_page_loads_without_console_errors(tab: Tab, site: Built, loc: str) -> None:
    page = tab.open(site.page(loc))
    assert page.evaluate("document.documentElement.lang") == loc
    assert page.title()
    assert tab.errors == []


def test_index_loads_without_console_errors(tab: Tab, site: Built) -> None:
    page = tab.open(site.build / "index.html")
    names = page.locator("ul.locales span.name").all_inner_texts()
    assert [n.strip() for n in names][:2] == ["English", NATIVE["th"]]
    assert tab.errors == []


@pytest.mark.parametrize("loc", LOCALES)
def test_script_web_font_loaded_and_used(tab: Tab, site: Built, loc: str) -> None:
    family, sample = SAMPLE[loc]
    page = tab.open(site.page(loc))
    state = page.evaluate(
        """([family, sample]) => ({
            status: document.fonts.status,
            check: document.fonts.check(`16px "${family}"`, sample),
            loaded: [...document.fonts].filter(
                f => f.family.replace(/"/g, '') === family && f.status === 'loaded').length,
        })""",
        [family, sample],
    )
    assert state == {"status": "loaded", "check": True, "loaded": state["loaded"]}
    assert state["loaded"] >= 1, f"no {family} face loaded"
    # What Chromium actually drew the first paragraph with: our web fonts, no system font.
    cdp = tab.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "main p"})["nodeId"]
    cdp.send("CSS.enable")
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    assert used and all(f["isCustomFont"] for f in used), used
    drawn = {f["familyName"]: f["glyphCount"] for f in used}
    assert family in drawn, drawn
    if loc in SCRIPT_FONTS:
        assert drawn[family] == max(drawn.values())  # the script font draws most of it


@pytest.mark.parametrize("loc", LOCALES)
def test_no_horizontal_scroll_at_360px(tab: Tab, site: Built, loc: str) -> None:
    page = tab.open(site.page(loc))
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[1] == 360
    assert widths[0] <= 360, f"page is {widths[0]} px wide"
    # nothing in the page sticks out to the right either
    wide = page.evaluate("""[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 360.5)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert wide == []


@pytest.mark.parametrize("loc", LOCALES)
def test_menu_opens_and_closes_by_pointer_and_keyboard(tab: Tab, site: Built, loc: str) -> None:
    page = tab.open(site.page(loc))
    menu = page.locator("nav#menu")
    assert not menu.is_visible()
    page.click("a.menu-open")
    assert menu.is_visible()
    assert page.locator("nav#menu a.menu-close").is_visible()
    page.click("nav#menu a.menu-close")
    assert not menu.is_visible()
    # by keyboard: Enter on MENU opens; Tab reaches Close; Enter closes
    page.focus("a.menu-open")
    page.keyboard.press("Enter")
    assert menu.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "menu-close"
    page.keyboard.press("Enter")
    assert not menu.is_visible()
    # Go Back To Menu leads to the index of languages
    page.click("a.menu-open")
    with page.expect_navigation():
        page.click("nav#menu a.menu-back")
    assert page.url == (site.build / "index.html").as_uri()
    assert tab.errors == []


def test_menu_works_without_javascript(browser: object, site: Built) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False)
    try:
        for loc in ("th", "my"):
            page = Tab(context).open(site.page(loc))
            menu = page.locator("nav#menu")
            page.focus("a.menu-open")
            page.keyboard.press("Enter")
            assert menu.is_visible()
            page.click("nav#menu a.menu-close")
            assert not menu.is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("loc", LOCALES)
def test_switcher_navigates_to_the_other_locale(tab: Tab, site: Built, loc: str) -> None:
    other = LOCALES[(LOCALES.index(loc) + 1) % len(LOCALES)]
    page = tab.open(site.page(loc))
    link = page.locator(f'nav.languages a[hreflang="{other}"]')
    with page.expect_navigation():
        link.click()
    assert page.url == site.page(other).as_uri()
    assert page.evaluate("document.documentElement.lang") == other
    # and back by keyboard
    page.focus(f'nav.languages a[hreflang="{loc}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == site.page(loc).as_uri()
    assert tab.errors == []


def _png(data: bytes) -> tuple[tuple[int, int], bytes]:
    """A PNG's (width, height) and its filtered scanlines, read with the standard library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, size, compressed = 8, (0, 0), b""
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        body = data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            compressed += body
        at += 12 + length
    return size, zlib.decompress(compressed)


def test_screenshots_of_every_locale(browser: object, site: Built) -> None:
    folder = site.build / "screenshots"
    folder.mkdir(exist_ok=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1000):
        context = browser.new_context(viewport={"width": width, "height": 800})
        shot = Tab(context)
        try:
            for loc in [*LOCALES, "index"]:
                path = site.build / "index.html" if loc == "index" else site.page(loc)
                page = shot.open(path)
                target = folder / f"{loc}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                size, pixels = _png(target.read_bytes())  # the page at that width, not blank
                assert size[0] == width and size[1] >= 800, size
                assert len(set(pixels)) > 16, f"{target.name} looks blank"
                shutil.copyfile(target, SCREENS / target.name)
            assert shot.errors == []
        finally:
            context.close()
