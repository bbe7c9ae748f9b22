"""PDF handouts (`l10n build -f pdf`): the repository's page in every locale, printed once.

Needs Chromium and poppler-utils. Without them the tests are skipped, unless
L10N_REQUIRE_BROWSER=1 (CI sets it), in which case they fail.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pdfplumber
import pikepdf
import polib
import pytest
from conftest import copy_repo

from pipeline import cli
from pipeline.dates import source_date
from pipeline.errors import L10nError
from pipeline.site import browser as browser_lookup
from pipeline.site import pdf
from pipeline.site.build import STATIC_DIR
from pipeline.site.fonts import FONTS_DIR, pdf_font_names
from pipeline.site.snapshot import snapshot_path

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "systemic-sclerosis"
LOCALES = ["en", "th", "vi", "id", "ms", "fil", "km", "my", "lo"]
MM = 72 / 25.4
# The @page rule of pipeline/templates/page.html: margin 20mm 18mm 22mm.
TOP, SIDE, BOTTOM = 20 * MM, 18 * MM, 22 * MM
# Points: pdfplumber's boxes come from the font's advance widths, Chromium positions glyphs
# at sub-pixel offsets; a line that fits may end up to ~0.6 pt past the box. A line that
# really runs off (as WeasyPrint's Khmer and Lao do) is off by tens of points.
TOLERANCE = 1.0


def _run_cli(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    assert exit_info.value.code == 0, f"l10n {' '.join(args)} exited {exit_info.value.code}"


@pytest.fixture(scope="module")
def browser(handout_browser: str) -> str:
    return handout_browser


@pytest.fixture(scope="module")
def built(repository_handouts: Path) -> Path:
    """One build of the repository's page in every locale, HTML and PDF (conftest.py)."""
    return repository_handouts


def _pdf(root: Path, locale: str) -> Path:
    return root / "build" / locale / f"{DOMAIN}.pdf"


def _catalog(root: Path, locale: str, domain: str = DOMAIN) -> polib.POFile | None:
    path = root / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"
    return polib.pofile(str(path)) if locale != "en" else None


def _translate(root: Path, locale: str, msgid: str, domain: str = DOMAIN) -> str:
    po = _catalog(root, locale, domain)
    entry = po.find(msgid) if po else None
    return entry.msgstr if entry and entry.translated() else msgid


def _segments(root: Path, locale: str) -> list[polib.POEntry]:
    """The translated body segments of the page (the description is never printed)."""
    po = _catalog(root, locale) or polib.pofile(str(root / "locales" / f"{DOMAIN}.pot"))
    return [
        e
        for e in po
        if not e.obsolete
        and "fuzzy" not in e.flags
        and not (e.comment or "").startswith("description")
        and (locale == "en" or e.translated())
    ]


def _plain(markdown_text: str) -> str:
    return squash(markdown_text.replace("**", ""))


def squash(text: str) -> str:
    """NFC, without any whitespace: how printed text is compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def _pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", *args, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _body_text(path: Path) -> str:
    """The text inside the page margins: without the running header and footer."""
    with pikepdf.open(path) as doc:
        width, height = (float(v) for v in doc.pages[0].mediabox[2:])
    box = [
        "-x",
        "0",
        "-y",
        str(int(TOP)),
        "-W",
        str(int(width) + 1),
        "-H",
        str(int(height - TOP - BOTTOM)),
    ]
    return _pdftotext(path, *box)


def _pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(
        ["pdfinfo", "-enc", "UTF-8", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def _sheets_mm(path: Path) -> set[tuple[int, int]]:
    """Every page's size in whole millimetres, read from its MediaBox."""
    with pikepdf.open(path) as doc:
        return {
            (round((right - left) / MM), round((top - bottom) / MM))
            for left, bottom, right, top in (
                [float(v) for v in page.mediabox] for page in doc.pages
            )
        }


def _pdffonts(path: Path) -> list[tuple[str, str, str]]:
    """(name, emb, sub) for every font pdffonts lists."""
    out = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    rows = []
    for line in out[2:]:
        fields = line.split()
        # name type... encoding emb sub uni object ID: the last five are fixed
        rows.append((fields[0], fields[-5], fields[-4]))
    return rows


@pytest.mark.parametrize("locale", LOCALES)
def test_valid_tagged_pdf_with_title_and_language(built: Path, locale: str) -> None:
    path = _pdf(built, locale)
    info = _pdfinfo(path)
    assert info["Tagged"] == "yes"
    assert int(info["Pages"]) >= 1
    assert _sheets_mm(path) == {(210, 297)}  # A4
    title = _translate(built, locale, "Systemic Sclerosis")
    assert info["Title"] == title
    assert info["Author"] == "United Life International Medical Center"
    with pikepdf.open(path) as doc, doc.open_metadata() as xmp:
        assert str(doc.Root.Lang) == locale
        assert str(doc.docinfo.Title) == title
        # the XMP packet says what the Info dictionary says (tests/test_pdfua.py: the rest)
        assert xmp["dc:title"] == title
        assert xmp["pdf:Producer"] == str(doc.docinfo.Producer)


@pytest.mark.parametrize("locale", LOCALES)
def test_text_layer_returns_every_translated_segment(built: Path, locale: str) -> None:
    text = squash(_body_text(_pdf(built, locale)))
    segments = _segments(built, locale)
    assert len(segments) > 30
    missing = []
    for entry in segments:
        wanted = _plain(entry.msgstr if locale != "en" else entry.msgid)
        if entry.comment.startswith("title"):
            continue  # the page title is in the running header, checked below
        if wanted not in text:
            missing.append(f"line {entry.linenum}: {wanted[:60]}")
    assert not missing, f"{locale}: {len(missing)} segments not in the text layer: {missing}"
    assert "\u25cc" not in text  # no dotted circle: every cluster shaped


@pytest.mark.parametrize("locale", LOCALES)
def test_header_title_and_localised_page_footer(built: Path, locale: str) -> None:
    path = _pdf(built, locale)
    pages = int(_pdfinfo(path)["Pages"])
    first = squash(_pdftotext(path, "-f", "1", "-l", "1"))
    footer = _translate(built, locale, "Page %(page)s of %(pages)s", "ui")
    assert squash(footer % {"page": 1, "pages": pages}) in first
    assert squash(_translate(built, locale, "Systemic Sclerosis")) in first
    last = squash(_pdftotext(path, "-f", str(pages), "-l", str(pages)))
    assert squash(footer % {"page": pages, "pages": pages}) in last


@pytest.mark.parametrize("locale", LOCALES)
def test_the_disclaimer_never_stands_alone_on_the_last_sheet(built: Path, locale: str) -> None:
    """The last sheet carries the end of the article with the footer, not the footer
    alone (Chromium ignores `break-before: avoid` between them)."""
    path = _pdf(built, locale)
    pages = int(_pdfinfo(path)["Pages"])
    last = squash(_pdftotext(path, "-f", str(pages), "-l", str(pages)))
    article = [
        _plain(e.msgstr if locale != "en" else e.msgid)
        for e in _segments(built, locale)
        if not e.comment.startswith("title")
    ]
    assert any(text and text in last for text in article), f"{locale}: page {pages}: {last}"


@pytest.mark.parametrize("locale", LOCALES)
def test_only_embedded_subsets_of_bundled_fonts(built: Path, locale: str) -> None:
    rows = _pdffonts(_pdf(built, locale))
    assert rows
    allowed = pdf_font_names(locale)
    for name, emb, sub in rows:
        assert (emb, sub) == ("yes", "yes"), f"{name}: embedded={emb} subset={sub}"
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), name
        assert name.split("+", 1)[1] in allowed, f"{locale}: {name} is not one of ours"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_text_past_the_margins(built: Path, locale: str) -> None:
    with pdfplumber.open(_pdf(built, locale)) as doc:
        for number, page in enumerate(doc.pages, 1):
            right = page.width - SIDE + TOLERANCE
            over = [c["text"] for c in page.chars if c["x1"] > right or c["x0"] < SIDE - TOLERANCE]
            assert not over, f"{locale} page {number}: text outside the margins: {over[:20]}"


# A line may not start with a mark or a dependent vowel (it belongs to the cluster before).
NON_STARTERS = {0x0E30, 0x0E32, 0x0E33, 0x0E45, 0x0EB0, 0x0EB2, 0x0EB3}


def _bad_line_starts(path: Path) -> list[str]:
    lines = (line.strip() for line in _pdftotext(path).splitlines())
    return [
        line[:20]
        for line in lines
        if line and (unicodedata.category(line[0]).startswith("M") or ord(line[0]) in NON_STARTERS)
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_no_line_starts_inside_a_cluster(built: Path, locale: str) -> None:
    assert _bad_line_starts(_pdf(built, locale)) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_bookmarks_from_headings(built: Path, locale: str) -> None:
    headings = [
        _plain(e.msgstr if locale != "en" else e.msgid)
        for e in _segments(built, locale)
        if e.comment.startswith("heading")
    ]
    titles = []
    with pikepdf.open(_pdf(built, locale)) as doc, doc.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            titles.append(squash(item.title))
            stack[:0] = list(item.children)
    assert titles[0] == headings[0]  # the h1 comes first
    assert sorted(titles) == sorted(headings)


@pytest.mark.parametrize("locale", LOCALES)
def test_dates_fixed_from_the_page_inputs(built: Path, locale: str) -> None:
    inputs = [built / "source" / f"{DOMAIN}.md"]
    if locale != "en":
        inputs += [built / "locales" / locale / "LC_MESSAGES" / f"{d}.po" for d in (DOMAIN, "ui")]
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        expected = pdf.pdf_date(source_date(inputs, built))
    with pikepdf.open(_pdf(built, locale)) as doc:
        assert str(doc.docinfo.CreationDate) == expected
        assert str(doc.docinfo.ModDate) == expected


def test_web_pages_and_index_link_to_handouts(built: Path) -> None:
    for locale in LOCALES:
        html = (built / "build" / locale / f"{DOMAIN}.html").read_text(encoding="utf-8")
        assert f'href="{DOMAIN}.pdf"' in html
    index = (built / "build" / "index.html").read_text(encoding="utf-8")
    assert f'href="th/{DOMAIN}.pdf"' in index


def test_two_builds_give_identical_bytes(built: Path, browser: str, tmp_path: Path) -> None:
    """Another build in another folder: the same bytes (paths and clock leave no trace)."""
    other = tmp_path / "again"
    shutil.copytree(built, other, ignore=shutil.ignore_patterns("build"))
    # Only the WOFF2 files are reused (slow to compress; named by content, tested elsewhere).
    shutil.copytree(built / "build" / "assets" / "fonts", other / "build" / "assets" / "fonts")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        mp.setenv(browser_lookup.BROWSER_ENV, browser)
        _run_cli(
            [
                "-C",
                str(other),
                "build",
                "-f",
                "pdf",
                "-q",
                "-l",
                "th",
                "-l",
                "km",
                "-l",
                "lo",
                "-j",
                "1",
            ]
        )
    for locale in ("th", "km", "lo"):
        assert _pdf(other, locale).read_bytes() == _pdf(built, locale).read_bytes(), locale

    # With SOURCE_DATE_EPOCH the dates follow it.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1790000000")
        mp.setenv(browser_lookup.BROWSER_ENV, browser)
        _run_cli(["-C", str(other), "build", "-f", "pdf", "-q", "-l", "th"])
    with pikepdf.open(_pdf(other, "th")) as doc:
        expected = pdf.pdf_date(datetime.fromtimestamp(1790000000, UTC))
        assert str(doc.docinfo.CreationDate) == expected == str(doc.docinfo.ModDate)


# --- the narrow-column stress case ---------------------------------------------------------

COLUMN_MM = 60


def _long_text(locale: str) -> str:
    po = polib.pofile(str(REPO / "locales" / locale / "LC_MESSAGES" / f"{DOMAIN}.po"))
    return " ".join(e.msgstr.replace("**", "") for e in po if e.translated() and len(e.msgstr) > 80)


@pytest.fixture(scope="module")
def printer(browser: str):  # noqa: ANN201
    """One browser for the tests that print standalone HTML through pipeline.site.pdf."""
    with pdf.Printer(browser_lookup.Settings(browser=browser, publisher="Test Centre")) as printer:
        yield printer


def test_narrow_column_of_long_khmer_and_lao(printer: pdf.Printer, tmp_path: Path) -> None:
    """Long Khmer and Lao paragraphs in a 60 mm column: no line runs past the column."""
    faces = "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{(FONTS_DIR / f"{stem}-{style}.ttf").as_uri()}"); }}'
        for family, stem in (
            ("Noto Sans", "NotoSans"),
            ("Noto Sans Khmer", "NotoSansKhmer"),
            ("Noto Sans Lao", "NotoSansLao"),
        )
        for weight, style in ((400, "Regular"), (700, "Bold"))
    )
    texts = {"km": _long_text("km"), "lo": _long_text("lo")}
    body = "\n".join(f'<p lang="{lang}">{text}</p>' for lang, text in texts.items())
    # ICU's Lao dictionary splits ພັນທຸກຳ before its vowel AM; in columns of every width
    # from 20 to 60 mm some line would end there if the split were a break opportunity.
    lao = texts["lo"]
    start = lao.index("ພັນທຸກຳ")
    sentence = lao[start - 80 : start + 40]
    body += "".join(f'\n<p lang="lo" style="width: {w}mm">{sentence}</p>' for w in range(20, 61))
    html = tmp_path / "column.html"
    (tmp_path / "clusters.js").write_bytes((STATIC_DIR / "clusters.js").read_bytes())
    html.write_text(
        f"""<!DOCTYPE html><html lang="km"><head><meta charset="utf-8"><title>column</title>
<script src="clusters.js" defer></script>
<style>{faces}
@page {{ size: A4; margin: 20mm 18mm 22mm; }}
body {{ margin: 0; font: 11pt/1.9 "Noto Sans", "Noto Sans Khmer", "Noto Sans Lao"; }}
main {{ width: {COLUMN_MM}mm; }}
</style></head><body><main>{body}</main></body></html>""",
        encoding="utf-8",
    )
    out = tmp_path / "column.pdf"
    assert printer.write(pdf.Page(html, out, datetime(2026, 1, 1, tzinfo=UTC)))
    left, right = SIDE - TOLERANCE, SIDE + COLUMN_MM * MM + TOLERANCE
    lines = 0
    with pdfplumber.open(out) as doc:
        for number, page in enumerate(doc.pages, 1):
            over = [c for c in page.chars if c["x1"] > right or c["x0"] < left]
            worst = max((c["x1"] - right for c in over), default=0)
            assert not over, f"page {number}: {len(over)} characters overflow by {worst:.1f} pt"
            lines += len({round(c["top"]) for c in page.chars})
    assert lines > 40  # really a long, narrow column
    assert _bad_line_starts(out) == []
    text = squash(_pdftotext(out))
    for lang, wanted in texts.items():
        assert squash(wanted) in text, f"{lang}: text layer differs from the input"
    names = {name.split("+", 1)[1] for name, _, _ in _pdffonts(out)}
    assert names <= pdf_font_names("km") | pdf_font_names("lo")


def test_links_print_their_target_and_stay_relative(printer: pdf.Printer, tmp_path: Path) -> None:
    css = (REPO / "pipeline" / "static" / "page.css").as_uri()
    html = tmp_path / "en" / "links.html"
    html.parent.mkdir()
    html.write_text(
        f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Links</title>
<link rel="stylesheet" href="{css}"></head><body>
<header class="site"><nav class="languages"><a href="../th/links.html">ไทย</a></nav></header>
<main><h1>Links</h1><p>See <a href="https://example.org/care">the care guide</a> and
<a href="other.html#dose">the dose table</a>.</p></main></body></html>""",
        encoding="utf-8",
    )
    out = tmp_path / "build" / "en" / "links.pdf"
    printer.write(pdf.Page(html, out, datetime(2026, 1, 1, tzinfo=UTC)))
    text = _pdftotext(out)
    assert "(https://example.org/care)" in text  # a web address is printed for paper
    assert "ไทย" not in text  # the language switcher is not printed
    with pikepdf.open(out) as doc:
        uris = [
            str(a.A.URI)
            for page in doc.pages
            for a in page.get("/Annots", [])
            if "/A" in a and a.A.get("/S") == "/URI"
        ]
        assert str(doc.docinfo.Creator) == "Test Centre"
    assert "https://example.org/care" in uris
    assert "../../en/other.html#dose" in uris  # relative to the PDF, no file:// path
    assert not any(u.startswith("file:") or str(tmp_path) in u for u in uris)


def test_nothing_loads_from_the_network(printer: pdf.Printer, tmp_path: Path) -> None:
    """A page that asks for web resources (even on this machine) prints without them."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            asked.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        html = tmp_path / "web.html"
        html.write_text(
            f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Web</title>
<link rel="stylesheet" href="http://localhost:{port}/style.css"></head><body>
<main><h1>Web</h1><p>Offline.<img src="http://127.0.0.1:{port}/image.png" alt=""></p>
</main></body></html>""",
            encoding="utf-8",
        )
        printer.write(pdf.Page(html, tmp_path / "web.pdf", datetime(2026, 1, 1, tzinfo=UTC)))
        server.shutdown()
    assert asked == []
    assert "Offline." in _pdftotext(tmp_path / "web.pdf")


def test_noop_build_with_handouts_answers_from_the_snapshot(
    browser: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`l10n build` (HTML and PDF) that would change nothing stops at the snapshot; a
    deleted handout or another browser is noticed."""
    import json

    from pipeline.site import build

    root = copy_repo(tmp_path / "project")
    monkeypatch.setenv(browser_lookup.BROWSER_ENV, browser)
    _run_cli(["-C", str(root), "build", "-l", "th", "-q"])
    snap = json.loads(snapshot_path(root).read_text(encoding="utf-8"))
    assert browser in snap["files"]  # a browser upgrade shows too
    assert ["th", 1, "handouts printed"] in snap["report"]
    printed = _pdf(root, "th").stat().st_mtime_ns
    capsys.readouterr()

    def untouchable(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a no-op build loaded the project")

    with monkeypatch.context() as mp:
        mp.setattr(build, "build_html", untouchable)
        mp.setattr(build, "build_pdf", untouchable)
        _run_cli(["-C", str(root), "build", "-l", "th"])
    assert "th: 0 handouts printed, 1 up to date" in capsys.readouterr().out
    assert _pdf(root, "th").stat().st_mtime_ns == printed

    _pdf(root, "th").unlink()
    _run_cli(["-C", str(root), "build", "-l", "th"])
    assert "th: 1 handouts printed, 0 up to date" in capsys.readouterr().out
    assert _pdf(root, "th").is_file()

    other = tmp_path / "bin" / "chromium"  # the same browser under another name
    other.parent.mkdir()
    other.symlink_to(browser)
    monkeypatch.setenv(browser_lookup.BROWSER_ENV, str(other))
    _run_cli(["-C", str(root), "build", "-l", "th"])
    assert "th: 1 handouts printed, 0 up to date" in capsys.readouterr().out


def test_up_to_date_build_loads_neither_rendering_nor_printing(
    browser: str, tmp_path: Path
) -> None:
    """Without a snapshot to answer, a build compares digests: it must not pay for
    importing Python-Markdown, Jinja2, fontTools or the printer to find nothing to do."""
    root = copy_repo(tmp_path / "project")
    env = dict(os.environ, **{browser_lookup.BROWSER_ENV: browser})
    argv = ["-C", str(root), "build", "-l", "km"]
    probe = (
        "import sys\nfrom pipeline.cli import main\ntry:\n    main(sys.argv[1:])\n"
        "finally:\n    print(sorted(m for m in ('pipeline.site.render', 'pipeline.site.pdf', "
        "'markdown', 'jinja2', 'fontTools', 'playwright') if m in sys.modules))"
    )
    first = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, env=env, timeout=600
    )
    assert first.returncode == 0, first.stderr
    assert "km: 1 handouts printed" in first.stdout and "'pipeline.site.pdf'" in first.stdout
    snapshot_path(root).unlink()
    again = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, env=env, timeout=600
    )
    assert again.returncode == 0, again.stderr
    assert "km: 0 pages built, 1 up to date" in again.stdout
    assert "km: 0 handouts printed, 1 up to date" in again.stdout
    assert again.stdout.splitlines()[-1] == "[]"


def test_tabs_print_every_page_once_and_in_order(browser: str, tmp_path: Path) -> None:
    """Two tabs of one browser: each handout from its own page, results in the given order."""
    pages = []
    for number in range(5):
        html = tmp_path / f"p{number}.html"
        html.write_text(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>Page {number}</title></head><body><main><h1>Number {number}"
            "</h1></main></body></html>",
            encoding="utf-8",
        )
        pages.append(
            pdf.Page(html, tmp_path / "out" / f"p{number}.pdf", datetime(2026, 1, 1, tzinfo=UTC))
        )
    settings = browser_lookup.Settings(browser=browser)
    assert pdf.print_pages(pages, settings, jobs=2) == [True] * 5
    for number, page in enumerate(pages):
        assert f"Number {number}" in _pdftotext(page.pdf)
        assert _pdfinfo(page.pdf)["Title"] == f"Page {number}"
    assert pdf.print_pages(pages, settings, jobs=2) == [False] * 5  # same bytes: untouched


def test_headless_shell_prints_the_same_bytes_as_the_browser(built: Path, tmp_path: Path) -> None:
    """The headless shell is preferred for speed; it must print exactly what Chromium prints."""
    found = {name: shutil.which(name) for name in ("chromium-headless-shell", "chromium")}
    if not all(found.values()):
        if os.environ.get("L10N_REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"L10N_REQUIRE_BROWSER=1 but not installed: "
                f"{[name for name, path in found.items() if not path]}"
            )
        pytest.skip("needs both chromium and chromium-headless-shell")
    locales = ("en", "th", "km", "my", "lo")
    date = datetime(2026, 1, 1, tzinfo=UTC)
    printed = {}
    for name, path in found.items():
        pages = [
            pdf.Page(
                built / "build" / locale / f"{DOMAIN}.html", tmp_path / name / f"{locale}.pdf", date
            )
            for locale in locales
        ]
        pdf.print_pages(pages, browser_lookup.Settings(browser=path), jobs=2)
        printed[name] = [page.pdf.read_bytes() for page in pages]
    versions = {name: _version(path) for name, path in found.items()}
    for locale, shell, full in zip(locales, *printed.values(), strict=True):
        if len(set(versions.values())) == 1:
            assert shell == full, locale
        else:  # two releases of the engine (packages updated apart): the same handout
            paths = [tmp_path / name / f"{locale}.pdf" for name in found]
            texts = [squash(_pdftotext(path)) for path in paths]
            assert texts[0] == texts[1], (locale, versions)
            fonts = [{row[0].split("+", 1)[1] for row in _pdffonts(path)} for path in paths]
            assert fonts[0] == fonts[1], (locale, versions)


def _version(browser: str) -> str:
    """The engine's version (`chromium --version`: "Chromium 156.0.8078.129 ...")."""
    out = subprocess.run([browser, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"\d+(?:\.\d+){3}", out)
    assert found, out
    return found.group()


def test_a_one_pixel_window_prints_what_a_full_window_prints(
    built: Path, browser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages are laid out in a 1 px high window to save painting; the PDF must not notice."""
    locales = ("en", "vi", "km", "my")
    date = datetime(2026, 1, 1, tzinfo=UTC)
    printed = {}
    for name, viewport in (("ours", pdf.VIEWPORT), ("full", {"width": 1280, "height": 720})):
        monkeypatch.setattr(pdf, "VIEWPORT", viewport)
        pages = [
            pdf.Page(
                built / "build" / locale / f"{DOMAIN}.html", tmp_path / name / f"{locale}.pdf", date
            )
            for locale in locales
        ]
        pdf.print_pages(pages, browser_lookup.Settings(browser=browser), jobs=2)
        printed[name] = [page.pdf.read_bytes() for page in pages]
    assert pdf.VIEWPORT["height"] == 720  # the patch took effect
    for locale, ours, full in zip(locales, printed["ours"], printed["full"], strict=True):
        assert ours == full, locale


def test_a_failing_page_stops_the_run_with_one_line(browser: str, tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text("<!DOCTYPE html><title>Good</title><p>fine</p>", encoding="utf-8")
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><title>Bad</title><style>@font-face { font-family: X; "
        'src: url("missing.woff2"); } p { font-family: X; }</style><p>text</p>',
        encoding="utf-8",
    )
    date = datetime(2026, 1, 1, tzinfo=UTC)
    pages = [pdf.Page(path, path.with_suffix(".pdf"), date) for path in (good, bad, good)]
    with pytest.raises(L10nError, match=r"bad\.html: fonts failed to load: X") as info:
        pdf.print_pages(pages, browser_lookup.Settings(browser=browser), jobs=2)
    assert "\n" not in str(info.value)


# --- without a browser ---------------------------------------------------------------------


def test_find_browser_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "chromium"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    other = tmp_path / "other-browser"
    shutil.copy2(fake, other)
    named = fake.parent / "named-browser"
    shutil.copy2(fake, named)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.delenv(browser_lookup.BROWSER_ENV, raising=False)
    assert browser_lookup.find_browser() == str(fake)  # PATH last
    shell = fake.parent / "chromium-headless-shell"
    shutil.copy2(fake, shell)
    # on PATH, the headless shell before the browser
    assert browser_lookup.find_browser() == str(shell)
    monkeypatch.setenv(browser_lookup.BROWSER_ENV, str(other))
    assert browser_lookup.find_browser() == str(other)  # then the environment
    # the setting first:
    assert browser_lookup.find_browser("named-browser", tmp_path) == str(named)
    # a path from the root
    assert browser_lookup.find_browser("./other-browser", tmp_path) == str(other)
    monkeypatch.setenv(browser_lookup.BROWSER_ENV, str(tmp_path / "nope"))
    with pytest.raises(L10nError, match="apt-get install chromium"):
        browser_lookup.find_browser()


def test_no_browser_stops_with_advice_after_writing_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_repo(tmp_path / "project")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv(browser_lookup.BROWSER_ENV, raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["-C", str(root), "build", "-l", "th", "-f", "pdf", "-q"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "apt-get install chromium" in err and browser_lookup.BROWSER_ENV in err
    assert "Traceback" not in err
    html = root / "build" / "th" / f"{DOMAIN}.html"
    assert html.exists()
    assert ".pdf" not in html.read_text(encoding="utf-8")  # no link to a missing handout
    assert not _pdf(root, "th").exists()
