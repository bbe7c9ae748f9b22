"""`l10n build -f html`: the web pages, parsed (issue 3).

One shared build of a copy of the repository's project (with a few Vietnamese entries made
fuzzy or untranslated, so that fallbacks show) serves most tests; a second project carries
hostile translations.  The browser tests (test_browser.py) reuse the shared build.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import polib
import pytest
from babel import Locale
from babel.dates import format_date
from conftest import copy_repo, entry_lines
from fontTools.ttLib import TTFont

from pipeline.cli import main
from pipeline.inline import render_inline

EPOCH = "1790000000"  # 2026-09-21 UTC
DAY = date(2026, 9, 21)
PAGE = "systemic-sclerosis"
LOCALES = ["en", "th", "vi", "id", "ms", "fil", "km", "my", "lo"]
TARGETS = LOCALES[1:]


def native(loc: str) -> str:
    """A language named in itself, as Babel's locale data names it, capitalised (as a
    reader looks for it in a list): the names follow the locale data in use."""
    name = Locale.parse(loc).display_name
    return name[:1].upper() + name[1:]


NATIVE = {loc: native(loc) for loc in LOCALES}
SCRIPT_FONTS = {
    "th": ("Noto Sans Thai", "ก"),
    "km": ("Noto Sans Khmer", "ក"),
    "my": ("Noto Sans Myanmar", "က"),
    "lo": ("Noto Sans Lao", "ກ"),
}
FALLBACK_FONTS = [("Noto Sans Math", "\u2215"), ("Noto Sans Symbols2", "\u2713")]
BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th")

# Vietnamese entries the shared build makes fuzzy or untranslated: (msgid start, state).
VI_FALLBACKS = {
    "Southeast Asia": "fuzzy",  # an h3
    "Data on patients in Southeast Asia": "fuzzy",  # a p
    "**Short-term plan:**": "untranslated",  # a tight list's li
    "**Glucocorticoids**": "untranslated",  # the p of a loose list item
}
VI_UI_UNTRANSLATED = "Close"


# --- helpers (test_browser.py imports build_site) -------------------------------------------


@dataclass
class Built:
    root: Path
    code: int
    out: str
    err: str

    @property
    def build(self) -> Path:
        return self.root / "build"

    def page(self, locale: str, domain: str = PAGE) -> Path:
        return self.build / locale / f"{domain}.html"


def seed_fonts(src: Path, dest: Path) -> None:
    """Copy already built WOFF2 files: content-hashed names, so the build keeps them (and
    the slow WOFF2 compression is done once per session; test_fonts covers it)."""
    shutil.copytree(src / "build" / "assets" / "fonts", dest / "build" / "assets" / "fonts")


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        else:
            code = 0
    return code, out.getvalue(), err.getvalue()


def build(root: Path, *args: str, epoch: str = EPOCH) -> Built:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", epoch)
        code, out, err = run_cli("-C", str(root), "build", "-f", "html", *args)
    return Built(root, code, out, err)


def make_fallbacks(root: Path) -> None:
    path = root / "locales" / "vi" / "LC_MESSAGES" / f"{PAGE}.po"
    po = polib.pofile(str(path))
    for entry in po:
        for start, state in VI_FALLBACKS.items():
            if entry.msgid.startswith(start):
                if state == "fuzzy":
                    entry.flags.append("fuzzy")
                else:
                    entry.msgstr = ""
    po.save()
    ui_path = root / "locales" / "vi" / "LC_MESSAGES" / "ui.po"
    ui = polib.pofile(str(ui_path))
    ui.find(VI_UI_UNTRANSLATED).msgstr = ""
    ui.save()


def build_site(factory: pytest.TempPathFactory) -> Built:
    """The shared build, made once per test session."""
    root = factory.getbasetemp() / "html-site"
    marker = root / "build-result.txt"
    if marker.exists():
        code, _, rest = marker.read_text(encoding="utf-8").partition("\n")
        out, _, err = rest.partition("\n\x00\n")
        return Built(root, int(code), out, err)
    copy_repo(root)
    make_fallbacks(root)
    built = build(root)
    assert built.code == 0, built.err
    marker.write_text(f"{built.code}\n{built.out}\n\x00\n{built.err}", encoding="utf-8")
    return built


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def plain(markdown_text: str) -> str:
    """What a reader sees of a segment's inline Markdown."""
    html = render_inline(markdown_text).html
    return text(lxml.html.fragment_fromstring(html, create_parent="div"))


def translations(root: Path, locale: str, domain: str) -> dict[str, str]:
    """The usable translations of a catalog: translated, not fuzzy."""
    path = root / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"
    return {e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.translated() and not e.obsolete}


def entry_line(path: Path, msgid: str) -> int:
    """The line where an entry starts (its first comment), as build warnings name it."""
    return entry_lines(path, msgid)[0]


def block_with_text(main_el: lxml.html.HtmlElement, wanted: str) -> lxml.html.HtmlElement:
    found = [el for el in main_el.iter(*BLOCKS) if text(el) == wanted]
    assert found, f"no element with text {wanted[:60]!r}"
    return found[0]


def resolves(page: Path, href: str) -> Path:
    return (page.parent / unquote(urlsplit(href).path)).resolve()


OWN_SCRIPT = re.compile(r'<script src="(?:\.\./)*assets/[\w.-]+\.js" defer></script>\n?')


def own_scripts(page: Path, doc: lxml.html.HtmlElement) -> list[str]:
    """The pipeline's own scripts: external files under build/assets/ in <head>, never
    inline, never in the body.  Returns their file names."""
    names = []
    for script in doc.xpath("//script"):
        assert script.getparent().tag == "head", page
        assert not (script.text or "").strip(), page
        path = resolves(page, script.get("src"))
        assert path.parent.name == "assets" and path.is_file(), (page, path)
        names.append(path.name)
    return names


def without_own_scripts(html: str) -> str:
    return OWN_SCRIPT.sub("", html)


# --- the shared build ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(tmp_path_factory)


@pytest.fixture(scope="module")
def pages(site: Built) -> dict[str, lxml.html.HtmlElement]:
    return {loc: parse(site.page(loc)) for loc in LOCALES}


def test_build_writes_every_locale_the_index_and_shared_assets(site: Built) -> None:
    assert site.code == 0, site.err
    for loc in LOCALES:
        assert site.page(loc).is_file()
    assert (site.build / "index.html").is_file()
    assert (site.build / "assets" / "page.css").is_file()
    assert list((site.build / "assets" / "fonts").glob("*.woff2"))
    assert (site.build / "assets" / "fonts" / "OFL.txt").is_file()
    # assets once, not per locale
    assert not list(site.build.glob("*/assets"))
    css = (site.build / "assets" / "page.css").read_text(encoding="utf-8")
    assert "@media print" in css and ":lang(my)" in css


@pytest.mark.parametrize("loc", LOCALES)
def test_one_main_with_every_translated_segment(site: Built, pages: dict, loc: str) -> None:
    doc = pages[loc]
    mains = doc.xpath("//main")
    assert len(mains) == 1
    main_el = mains[0]
    if loc == "en":
        return
    found = 0
    for msgid, msgstr in translations(site.root, loc, PAGE).items():
        if msgid in ("Systemic Sclerosis",) or msgid.startswith("What systemic sclerosis is"):
            continue  # front matter: <title> and meta description
        el = block_with_text(main_el, plain(msgstr))
        assert el.get("lang") in (None, loc), el.get("lang")
        found += 1
    assert found >= 30
    # the page body is all in main: outside it only the site's header, menu and footer
    assert main_el.getparent().tag == "body"
    assert [p.getparent().tag for p in doc.xpath("//p[not(ancestor::main)]")] == ["footer"] * 2
    assert not doc.xpath("//*[self::h1 or self::h2 or self::h3 or self::ol][not(ancestor::main)]")


@pytest.mark.parametrize("loc", LOCALES)
def test_html_lang_and_dir_from_babel(pages: dict, loc: str) -> None:
    html = pages[loc]
    assert html.get("lang") == loc
    assert html.get("dir") == Locale.parse(loc).text_direction == "ltr"


@pytest.mark.parametrize("loc", TARGETS)
def test_title_and_description_translated(site: Built, pages: dict, loc: str) -> None:
    found = translations(site.root, loc, PAGE)
    doc = pages[loc]
    assert doc.xpath("//title")[0].text == found["Systemic Sclerosis"]
    description = next(v for k, v in found.items() if k.startswith("What systemic sclerosis"))
    assert doc.xpath('//meta[@name="description"]/@content') == [description]


def test_english_title_and_description(pages: dict) -> None:
    doc = pages["en"]
    assert doc.xpath("//title")[0].text == "Systemic Sclerosis"
    assert doc.xpath('//meta[@name="description"]/@content')[0].startswith("What systemic")


@pytest.mark.parametrize("loc", LOCALES)
def test_hreflang_alternates_for_every_built_locale(site: Built, pages: dict, loc: str) -> None:
    links = pages[loc].xpath('//head/link[@rel="alternate"]')
    by_lang = {link.get("hreflang"): link.get("href") for link in links}
    assert len(links) == len(by_lang) == len(LOCALES) + 1
    assert set(by_lang) == {*LOCALES, "x-default"}
    assert by_lang["x-default"] == by_lang["en"]
    for tag, href in by_lang.items():
        assert not urlsplit(href).scheme and not href.startswith("/")
        target = resolves(site.page(loc), href)
        assert target == site.page("en" if tag == "x-default" else tag).resolve()


@pytest.mark.parametrize("loc", LOCALES)
def test_switcher_names_each_language_in_itself(site: Built, pages: dict, loc: str) -> None:
    links = pages[loc].xpath('//nav[contains(@class, "languages")]//a')
    assert [a.get("hreflang") for a in links] == LOCALES
    names = {a.get("hreflang"): text(a) for a in links}
    for tag, name in NATIVE.items():
        assert names[tag] == name
    for tag in SCRIPT_FONTS:  # written in the language's own script, not in English
        letters = [ch for ch in names[tag] if ch.isalpha()]
        script = SCRIPT_FONTS[tag][0].removeprefix("Noto Sans ").upper()
        assert letters and all(unicodedata.name(ch).startswith(script) for ch in letters)
    for tag in ("vi", "id", "ms"):
        assert names[tag] != Locale.parse(tag).english_name, names[tag]
    for a in links:
        tag = a.get("hreflang")
        assert a.get("lang") == tag  # so the name is read and drawn in its own language
        assert resolves(site.page(loc), a.get("href")) == site.page(tag).resolve()
        assert (a.get("aria-current") == "page") == (tag == loc)


@pytest.mark.parametrize("loc", LOCALES)
def test_heading_ids_come_from_the_english(pages: dict, loc: str) -> None:
    ids = [h.get("id") for h in pages[loc].xpath("//main//*[self::h1 or self::h2 or self::h3]")]
    english = [
        h.get("id") for h in pages["en"].xpath("//main//*[self::h1 or self::h2 or self::h3]")
    ]
    assert ids == english
    assert "main-harms" in ids
    assert len(set(ids)) == len(ids)


def test_fuzzy_and_untranslated_fall_back_to_english_marked_lang_en(
    site: Built, pages: dict
) -> None:
    main_el = pages["vi"].xpath("//main")[0]
    english = polib.pofile(str(site.root / "locales" / "vi" / "LC_MESSAGES" / f"{PAGE}.po"))
    seen = {}
    for start in VI_FALLBACKS:
        msgid = next(e.msgid for e in english if e.msgid.startswith(start))
        el = block_with_text(main_el, plain(msgid))
        assert el.get("lang") == "en", lxml.html.tostring(el, encoding="unicode")[:120]
        seen[el.tag] = el
    assert set(seen) == {"h3", "p", "li"}
    assert seen["h3"].get("id") == "southeast-asia"
    # the loose list item's own p falls back; the li stays Vietnamese
    gluco = block_with_text(main_el, "Glucocorticoids")
    assert gluco.tag == "p" and gluco.getparent().get("lang") is None
    # a page with fallbacks says so, in the reader's language
    notice = pages["vi"].xpath('//p[@class="notice"]')
    assert len(notice) == 1 and notice[0].get("lang") is None
    # a fully translated page has no lang="en" in its body and no notice
    for loc in ("th", "km"):
        assert not pages[loc].xpath('//main//*[@lang="en"]')
        assert not pages[loc].xpath('//p[@class="notice"]')


def test_untranslated_ui_string_falls_back_marked_lang_en(pages: dict) -> None:
    close = pages["vi"].xpath('//a[@class="menu-close"]')[0]
    assert (text(close), close.get("lang")) == ("Close", "en")
    back = pages["vi"].xpath('//a[@class="menu-back"]')[0]
    assert back.get("lang") is None and text(back) != "Go Back To Menu"


@pytest.mark.parametrize("loc", LOCALES)
def test_last_updated_is_a_babel_date_in_the_locale(site: Built, pages: dict, loc: str) -> None:
    span = pages[loc].xpath('//span[@class="updated"]')[0]
    time = span.xpath(".//time")[0]
    assert time.get("datetime") == DAY.isoformat()
    if loc == "th":
        assert text(time) == "21 กันยายน พ.ศ. 2569"  # Buddhist Era, not ค.ศ. 2026
        assert "2026" not in text(span) and "ค.ศ." not in text(span)
    else:
        assert text(time) == format_date(DAY, "long", locale=loc)
    if loc != "en":
        label = translations(site.root, loc, "ui")["Last updated: %(date)s"]
        assert text(span) == label.replace("%(date)s", text(time))


@pytest.mark.parametrize("loc", TARGETS)
def test_ui_strings_from_the_locale_ui_catalog(site: Built, pages: dict, loc: str) -> None:
    ui = translations(site.root, loc, "ui")
    doc = pages[loc]
    expect = {
        '//a[@class="menu-open"]': "MENU",
        '//a[@class="menu-back"]': "Go Back To Menu",
        '//a[@class="skip"]': "Skip to main content",
        '//p[@class="disclaimer"]': "This page gives general information and does not replace "
        "advice from your doctor.",
        '//nav[@id="menu"]//li/a': "Systemic Hardening",
    }
    if loc != "vi":
        expect['//a[@class="menu-close"]'] = "Close"
    for path, msgid in expect.items():
        el = doc.xpath(path)[0]
        assert text(el) == ui[msgid], (path, msgid)
        assert el.get("lang") is None
    assert doc.xpath('//nav[@id="menu"]/@aria-label') == [ui["MENU"]]
    assert doc.xpath('//nav[contains(@class, "languages")]/@aria-label') == [ui["Language"]]


def test_menu_works_without_javascript(site: Built, pages: dict) -> None:
    for loc in LOCALES:
        doc = pages[loc]
        own_scripts(site.page(loc), doc)  # layout helpers only: the menu is CSS :target
        assert doc.xpath('//a[@class="menu-open"]/@href') == ["#menu"]
        assert doc.xpath('//nav[@id="menu"]//a[@class="menu-close"]/@href') == ["#top"]
        assert doc.xpath('//*[@id="top"]')
        back = doc.xpath('//a[@class="menu-back"]/@href')[0]
        assert resolves(site.page(loc), back) == (site.build / "index.html").resolve()
        entry = doc.xpath('//nav[@id="menu"]//li/a/@href')[0]
        assert resolves(site.page(loc), entry) == site.page(loc).resolve()
    css = (site.build / "assets" / "page.css").read_text(encoding="utf-8")
    assert "nav.menu:target" in css


FONT_FACE = re.compile(r"@font-face\s*\{(.*?)\}", re.S)


def font_faces(doc: lxml.html.HtmlElement) -> list[dict[str, str]]:
    style = "".join(doc.xpath("//head/style/text()"))
    faces = []
    for body in FONT_FACE.findall(style):
        props = {}
        for decl in body.split(";"):
            name, _, value = decl.partition(":")
            if value:
                props[name.strip()] = value.strip()
        faces.append(props)
    return faces


def in_range(char: str, unicode_range: str) -> bool:
    for part in unicode_range.split(","):
        lo, _, hi = part.strip().removeprefix("U+").partition("-")
        if int(lo, 16) <= ord(char) <= int(hi or lo, 16):
            return True
    return False


@pytest.mark.parametrize("loc", LOCALES)
def test_font_face_rules_with_unicode_range_and_real_woff2(
    site: Built, pages: dict, loc: str
) -> None:
    faces = font_faces(pages[loc])
    assert faces
    families = set()
    for face in faces:
        families.add(face["font-family"].strip('"'))
        assert face["unicode-range"].startswith("U+")
        url = re.fullmatch(r'url\("([^"]+)"\) format\("woff2"\)', face["src"])
        assert url, face["src"]
        path = resolves(site.page(loc), url.group(1))
        assert path.is_file() and path.parent == (site.build / "assets" / "fonts").resolve()
        with TTFont(path) as font:
            assert font.flavor == "woff2"
            cmap = font.getBestCmap()
        sample = "a" if face["font-family"] == '"Noto Sans"' else None
        for family, char in [*SCRIPT_FONTS.values(), *FALLBACK_FONTS]:
            if face["font-family"] == f'"{family}"':
                sample = char
        assert sample is not None
        assert in_range(sample, face["unicode-range"]) and ord(sample) in cmap
        # Latin and digits never come from a script font
        if sample != "a":
            assert not in_range("a", face["unicode-range"])
            assert not in_range("4", face["unicode-range"])
    assert {"Noto Sans", *[f for f, _ in SCRIPT_FONTS.values()]} <= families
    style = "".join(pages[loc].xpath("//head/style/text()"))
    stack = re.search(r"--font:\s*([^;]+);", style).group(1)
    assert stack.startswith('"Noto Sans",')
    if loc in SCRIPT_FONTS:
        # the page's own script comes right after Noto Sans
        assert stack.split(",")[1].strip() == f'"{SCRIPT_FONTS[loc][0]}"'
    # symbols and mathematics last: the division slash of a dose
    assert stack.endswith('"Noto Sans Math", "Noto Sans Symbols2", sans-serif')


def test_index_lists_every_language_named_in_itself_with_completeness(site: Built) -> None:
    index = parse(site.build / "index.html")
    assert len(index.xpath("//main")) == 1
    entries = index.xpath('//ul[@class="locales"]/li')
    assert len(entries) == len(LOCALES)
    percents = {}
    for li, loc in zip(entries, LOCALES, strict=True):
        name = li.xpath('./span[@class="name"]')[0]
        assert name.get("lang") == loc
        if loc in NATIVE:
            assert text(name) == NATIVE[loc]
        complete = li.xpath('./span[@class="complete"]')[0]
        found = re.fullmatch(r"([\d.]+)% translated", text(complete))
        assert found
        percents[loc] = float(found.group(1))
        link = li.xpath(".//a")[0]
        assert resolves(site.build / "index.html", link.get("href")) == site.page(loc).resolve()
        title = parse(site.page(loc)).xpath("//title")[0].text
        assert text(link) == title
    assert all(percents[loc] == 100 for loc in LOCALES if loc != "vi")
    total = translated = 0
    for domain in (PAGE, "ui"):
        po = polib.pofile(str(site.root / "locales" / "vi" / "LC_MESSAGES" / f"{domain}.po"))
        entries_ = [e for e in po if not e.obsolete]
        total += len(entries_)
        translated += sum(1 for e in entries_ if e.translated())
    assert percents["vi"] == round(100 * translated / total, 1) < 100


def test_relative_links_only_and_all_resolve(site: Built) -> None:
    pages_ = sorted(site.build.rglob("*.html"))
    assert len(pages_) == len(LOCALES) + 1
    for page in pages_:
        doc = parse(page)
        for _el, _attr, link, _pos in doc.iterlinks():
            parts = urlsplit(link)
            assert not parts.scheme and not link.startswith("/"), (page, link)
            if parts.path:
                assert resolves(page, link).exists(), (page, link)
            if parts.fragment and not parts.path:
                assert doc.xpath(f'//*[@id="{parts.fragment}"]'), (page, link)


def test_build_is_byte_identical_across_builds(
    site: Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two projects at different paths, same inputs and SOURCE_DATE_EPOCH: same bytes."""

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    builds = []
    for name in ("first", "second"):
        root = copy_repo(tmp_path_factory.mktemp(name) / "project")
        make_fallbacks(root)
        seed_fonts(site.root, root)
        done = build(root)
        assert done.code == 0, done.err
        builds.append(files(done.build))
    first, second = builds
    assert first.keys() == second.keys()
    assert len([name for name in first if name.endswith(".html")]) == len(LOCALES) + 1
    assert [name for name in first if first[name] != second[name]] == []
    # and the same pages as the shared build made earlier
    shared = files(site.build)
    assert [n for n in first if n.endswith(".html") and first[n] != shared[n]] == []


def test_build_with_l_builds_only_that_locale(
    site: Built, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = copy_repo(tmp_path_factory.mktemp("only") / "project")
    seed_fonts(site.root, root)
    done = build(root, "-l", "km")
    assert done.code == 0, done.err
    built = sorted(p.name for p in done.build.iterdir() if p.is_dir() and p.name != "assets")
    assert built == ["km"]
    doc = parse(done.page("km"))
    assert doc.get("lang") == "km"
    index = parse(done.build / "index.html")
    assert [li.get("lang") for li in index.xpath('//span[@class="name"]')] == ["km"]


# --- hostile translations ----------------------------------------------------------------------

LINKS_PAGE = """\
---
title: Links
description: A page with links.
---

# Links page

Read [the guide](https://example.org/guide) first.

See [A](https://a.example/) and [B](https://b.example/).

Kept one.

Kept two.

Kept three.

Kept four.

Kept five.

Kept six.

Kept seven.

Kept eight.

Kept nine.

Kept ten.

Fine one.

- Item one
- Item two

## A heading

| Col |
| --- |
| cell |
"""

HOSTILE = {
    "Links": "ลิงก์<script>alert(1)</script>",
    "Links page": "หน้าลิงก์ <script>alert(1)</script>",
    "Read [the guide](https://example.org/guide) first.": (
        "อ่าน [คู่มือ](https://evil.example/guide) ก่อน"
    ),
    "Kept one.": "<img src=x onerror=alert(1)>",
    "Kept two.": "[x](javascript:alert(1))",
    "Kept three.": "[x](JaVaScRiPt:alert(1))",
    "Kept four.": "[x](&#106;avascript:alert(1))",
    "Kept five.": "<iframe src=//evil></iframe>",
    "Kept six.": "<style>body{display:none}</style>",
    "Kept seven.": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "Kept eight.": "<https://evil.example>",
    "Kept nine.": "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "Kept ten.": "[x](java\tscript:alert(1))",
    "Item one": "<svg onload=alert(1)>",
    "A heading": "หัวข้อ <b onmouseover=alert(1)>x</b>",
    "cell": "<script>alert(1)</script>",
}
FRIENDLY = {
    "A page with links.": "หน้าที่มีลิงก์",
    "See [A](https://a.example/) and [B](https://b.example/).": "ดู [ก](https://a.example/) และ [ข](https://b.example/)",
    "Fine one.": "ตกลง *ดี* `code` **หนา**",
    "Item two": "ข้อสอง",
    "Col": "คอลัมน์",
}
HOSTILE_UI = {
    "Close": '<b onmouseover="alert(1)">ปิด</b>',
    "MENU": "เมนู 100%",
    "Go Back To Menu": "<https://evil.example>",
}


@pytest.fixture(scope="module")
def hostile(site: Built, tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = copy_repo(tmp_path_factory.mktemp("hostile") / "project")
    (root / "source" / "links.md").write_text(LINKS_PAGE, encoding="utf-8")
    for command in (["extract"], ["update", "-l", "th"]):
        code, _, err = run_cli("-C", str(root), *command)
        assert code == 0, err
    path = root / "locales" / "th" / "LC_MESSAGES" / "links.po"
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = {**HOSTILE, **FRIENDLY}.get(entry.msgid, entry.msgstr)
    assert sum(1 for e in po if e.msgstr) == len(HOSTILE) + len(FRIENDLY)
    po.save()
    ui_path = root / "locales" / "th" / "LC_MESSAGES" / "ui.po"
    ui = polib.pofile(str(ui_path))
    for entry in ui:
        entry.msgstr = HOSTILE_UI.get(entry.msgid, entry.msgstr)
    ui.save()
    seed_fonts(site.root, root)
    return build(root, "-l", "th", "-l", "en")


@pytest.fixture(scope="module")
def hostile_html(hostile: Built) -> str:
    return hostile.page("th", "links").read_text(encoding="utf-8")


def test_hostile_build_succeeds(hostile: Built) -> None:
    assert hostile.code == 0, hostile.err


@pytest.mark.parametrize(
    "needle",
    [
        "<script",
        "<iframe",
        "<svg",
        "<img",
        "javascript:",
        "data:",
        "evil",
        "alert(",
        "onerror",
        "onmouseover",
        "onload",
    ],
)
def test_hostile_markup_never_reaches_the_output(hostile: Built, needle: str) -> None:
    for page in [hostile.page("th", "links"), hostile.page("th"), hostile.build / "index.html"]:
        html = without_own_scripts(page.read_text(encoding="utf-8"))
        assert needle not in html.lower(), page.name


def test_hostile_output_has_no_active_content(hostile: Built) -> None:
    for page in [hostile.page("th", "links"), hostile.page("th"), hostile.build / "index.html"]:
        doc = parse(page)
        own_scripts(page, doc)
        assert not doc.xpath("//iframe | //object | //embed | //body//style | //body//script")
        assert len(doc.xpath("//style")) == 1  # the page's own font rules, in <head>
        for el in doc.iter():
            for name, value in el.attrib.items():
                assert not name.lower().startswith("on"), (page.name, name)
                if name in ("href", "src"):
                    scheme = urlsplit(value).scheme.lower()
                    assert scheme in ("", "http", "https"), (page.name, value)


def test_refused_translations_render_the_english_marked_lang_en(hostile: Built) -> None:
    doc = parse(hostile.page("th", "links"))
    main_el = doc.xpath("//main")[0]
    for msgid in HOSTILE:
        if msgid == "Links":
            continue
        el = block_with_text(main_el, plain(msgid))
        assert el.get("lang") == "en", msgid
    guide = block_with_text(main_el, "Read the guide first.")
    assert guide.xpath(".//a/@href") == ["https://example.org/guide"]
    heading = block_with_text(main_el, "A heading")
    assert (heading.tag, heading.get("id")) == ("h2", "a-heading")
    # the title is refused too, in the page and in the index
    assert doc.xpath("//title")[0].text == "Links"
    index = parse(hostile.build / "index.html")
    link = index.xpath('//a[@href="th/links.html"]')[0]
    assert (text(link), link.get("lang")) == ("Links", "en")


def test_safe_translations_are_used_with_their_inline_markdown(hostile: Built) -> None:
    doc = parse(hostile.page("th", "links"))
    main_el = doc.xpath("//main")[0]
    fine = block_with_text(main_el, "ตกลง ดี code หนา")
    assert fine.get("lang") is None
    assert [child.tag for child in fine] == ["em", "code", "strong"]
    see = block_with_text(main_el, "ดู ก และ ข")
    assert see.xpath(".//a/@href") == ["https://a.example/", "https://b.example/"]
    assert doc.xpath('//meta[@name="description"]/@content') == ["หน้าที่มีลิงก์"]
    assert text(block_with_text(main_el, "คอลัมน์")) == "คอลัมน์"


def test_refused_ui_translations_fall_back_to_english(hostile: Built) -> None:
    doc = parse(hostile.page("th", "links"))
    for css, english in (
        ("menu-close", "Close"),
        ("menu-open", "MENU"),
        ("menu-back", "Go Back To Menu"),
    ):
        el = doc.xpath(f'//a[@class="{css}"]')[0]
        assert (text(el), el.get("lang")) == (english, "en")
    # the other ui strings of the same catalog are still used
    assert doc.xpath('//a[@class="skip"]')[0].get("lang") is None


def test_each_refusal_is_a_warning_naming_catalog_and_line(hostile: Built) -> None:
    root = hostile.root
    page_po = root / "locales" / "th" / "LC_MESSAGES" / "links.po"
    ui_po = root / "locales" / "th" / "LC_MESSAGES" / "ui.po"
    lines = hostile.err.splitlines()
    for path, msgids in ((page_po, HOSTILE), (ui_po, HOSTILE_UI)):
        shown = path.relative_to(root).as_posix()
        for msgid in msgids:
            where = f"{shown}:{entry_line(path, msgid)}: warning: "
            matching = [line for line in lines if line.startswith(where)]
            assert len(matching) == 1, (where, hostile.err)
            assert "English shown" in matching[0]
    for msgid in FRIENDLY:
        assert (
            f"{page_po.relative_to(root).as_posix()}:{entry_line(page_po, msgid)}:"
            not in hostile.err
        )
    assert "Traceback" not in hostile.err


def test_warnings_are_repeated_by_a_forced_rebuild(hostile: Built) -> None:
    again = build(hostile.root, "-l", "th", "--force")
    assert again.code == 0
    assert sorted(again.err.splitlines()) == sorted(
        line for line in hostile.err.splitlines() if "warning" in line
    )
