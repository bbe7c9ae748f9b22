"""Accessible handouts (PDF/UA-1): artifacts, structure, identification, read back.

The independent checker `pdfua` must find nothing on any handout; beyond its rules, the
structure tree and the marked content are read back here with pikepdf and pdfminer.
The content-stream editing (pipeline.site.artifacts) is also tested without a browser.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pdfua
import pdfua.rules.structure
import pikepdf
import polib
import pytest
from conftest import SAMPLE_PAGE, make_project
from pdfminer.converter import PDFPageAggregator
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from PIL import Image

from pipeline.cli import main
from pipeline.site import browser as browser_lookup
from pipeline.site.accessible import make_accessible
from pipeline.site.artifacts import Content, Unbalanced
from pipeline.site.xmp import Metadata, packet

DOMAIN = "systemic-sclerosis"
LOCALES = ["en", "th", "vi", "id", "ms", "fil", "km", "my", "lo"]
MM = 72 / 25.4
TOP, BOTTOM = 20 * MM, 22 * MM  # the @page margins of pipeline/templates/page.html
TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = TEXT_OPS | {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh"}


# --- reading PDFs back ---------------------------------------------------------------------


def owners(ops: list[tuple[list, str]]) -> list[tuple[str, str | None]]:
    """(operator, what it belongs to) for every painting operator: `mcid N`, `Artifact
    <Subtype or Type>`, or None when it is neither tagged nor an artifact."""
    stack: list[str | None] = []
    found = []
    for operands, op in ops:
        if op in ("BDC", "BMC"):
            props = operands[1] if len(operands) > 1 else None
            if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                stack.append(f"mcid {int(props.MCID)}")
            elif str(operands[0]) == "/Artifact":
                kind = props.get("/Subtype", props.get("/Type")) if props is not None else None
                stack.append(f"Artifact {str(kind).lstrip('/')}")
            else:
                stack.append(None)
        elif op == "EMC":
            stack.pop()
        elif op in PAINT_OPS:
            found.append((op, next((s for s in reversed(stack) if s), None)))
    return found


_SCRATCH = pikepdf.new()  # parsed operands belong to a document, which must stay open


def instructions(stream: bytes) -> list[tuple[list, str]]:
    parsed = pikepdf.parse_content_stream(_SCRATCH.make_stream(stream))
    return [(list(i.operands), str(i.operator)) for i in parsed]


def unmarked(ops: list[tuple[list, str]]) -> list[tuple[str, str]]:
    """The instructions other than marked-content operators, comparable between streams."""
    return [(repr(operands), op) for operands, op in ops if op not in ("BDC", "BMC", "EMC")]


class _Marks(PDFPageAggregator):
    """Every character pdfminer lays out, with the marked-content sequences around it."""

    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources)
        self.stack: list[tuple[str, dict]] = []
        self.chars: list[tuple[str, float, tuple]] = []

    def begin_tag(self, tag, props=None) -> None:  # noqa: ANN001
        self.stack.append((tag.name, dict(props) if isinstance(props, dict) else {}))

    def end_tag(self) -> None:
        self.stack.pop()

    def render_char(self, *args, **kwargs) -> float:  # noqa: ANN002, ANN003
        advance = super().render_char(*args, **kwargs)
        char = self.cur_item._objs[-1]
        self.chars.append((char.get_text(), (char.y0 + char.y1) / 2, tuple(self.stack)))
        return advance


def marked_chars(path: Path) -> list[list[tuple[str, float, tuple]]]:
    """Per page: (text, height of its middle, marked-content stack) of every character."""
    resources = PDFResourceManager()
    pages = []
    with path.open("rb") as handle:
        for page in PDFPage.get_pages(handle):
            device = _Marks(resources)
            PDFPageInterpreter(resources, device).process_page(page)
            pages.append(device.chars)
    return pages


def owner_of(stack: tuple) -> str | None:
    for tag, props in reversed(stack):
        if "MCID" in props:
            return f"mcid {props['MCID']}"
        if tag == "Artifact":
            kind = props.get("Subtype", props.get("Type"))
            return f"Artifact {getattr(kind, 'name', kind)}"
    return None


def text_by_mcid(path: Path) -> dict[tuple[int, int], str]:
    """The text of each marked sequence, by (page index, /MCID)."""
    texts: dict[tuple[int, int], str] = {}
    for number, chars in enumerate(marked_chars(path)):
        for text, _, stack in chars:
            owner = owner_of(stack)
            if owner and owner.startswith("mcid "):
                key = (number, int(owner.split()[1]))
                texts[key] = texts.get(key, "") + text
    return texts


def kids(element: pikepdf.Dictionary) -> list:
    found = element.get("/K")
    if found is None:
        return []
    return list(found) if isinstance(found, pikepdf.Array) else [found]


def elements(doc: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The structure elements in document order."""
    out = []
    stack = list(reversed(kids(doc.Root.StructTreeRoot)))
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            out.append(node)
            stack.extend(reversed(kids(node)))
    return out


def element_text(doc: pikepdf.Pdf, element: pikepdf.Dictionary, texts: dict) -> str:
    """The text of an element's own marked content and of everything below it."""
    pages = {page.objgen: number for number, page in enumerate(doc.pages)}
    out = []
    for kid in kids(element):
        if isinstance(kid, int):
            out.append(texts.get((pages[element.Pg.objgen], kid), ""))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            page = kid.get("/Pg", element.get("/Pg"))
            out.append(texts.get((pages[page.objgen], int(kid.MCID)), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            out.append(element_text(doc, kid, texts))
    return "".join(out)


def squash(text: str) -> str:
    return "".join(text.split())


def checker_report(path: Path, monkeypatch: pytest.MonkeyPatch) -> pdfua.Report:
    """pdfua's report. Its rule UA-14-001 (empty headings) raises on pikepdf 10 whenever a
    heading has more than one kid (it asks a pikepdf.Array for `is_integer`), and would be
    skipped: a number test that treats arrays and dictionaries as "not a number" lets it
    run, unchanged otherwise."""
    real = pdfua.rules.structure.as_integer

    def as_integer(value: object) -> int | None:
        if isinstance(value, pikepdf.Array | pikepdf.Dictionary):
            return None
        return real(value)

    monkeypatch.setattr(pdfua.rules.structure, "as_integer", as_integer)
    return pdfua.validate(str(path))


# --- the content stream, without a browser -------------------------------------------------

# What Chromium prints, in miniature: the page background, the margin boxes (a title with
# a cluster's /ActualText, a page number), the body clipped to the page area with a rule under
# a heading, a paragraph, the web address printed after a link, and a sequence that opens
# inside two groups and closes after them.
CHROMIUM_LIKE = b"""\
.24 0 0 -.24 0 841.92 cm
q
3.125 0 0 3.125 212.5 237.5 cm
1 1 1 RG 1 1 1 rg
0 0 658 964 re
f
Q
q
3.125 0 0 3.125 0 0 cm
BT
/F4 12 Tf
1 0 0 -1 282 41 Tm
<0014> Tj
/Span<</ActualText (fi) >> BDC
6.5 0 Td <0015> Tj
EMC
ET
BT
/F4 12 Tf
1 0 0 -1 346 1090 Tm
<0016> Tj
ET
Q
q
212.5 237.5 2055 3011 re
W* n
q
3.125 0 0 3.125 212.5 237.5 cm
/H2 <</MCID 0 >>BDC
0 242 658 1 re
f
EMC
/P <</MCID 1 >>BDC
BT
/F4 12 Tf
1 0 0 -1 0 300 Tm
<0017> Tj
ET
EMC
BT
/F4 12 Tf
1 0 0 -1 40 300 Tm
<0018> Tj
ET
/P <</MCID 2 >>BDC
BT
ET
Q
Q
EMC
"""


def test_untagged_content_becomes_header_footer_and_layout_artifacts() -> None:
    content = Content.scan(CHROMIUM_LIKE, middle=421)
    new = content.rewrite()
    before, after = instructions(CHROMIUM_LIKE), instructions(new)
    assert unmarked(after) == unmarked(before)  # only marked-content operators were added
    assert owners(after) == [
        ("f", "Artifact Layout"),  # the page background
        ("Tj", "Artifact Header"),
        ("Tj", "Artifact Header"),  # inside its /ActualText span
        ("Tj", "Artifact Footer"),
        ("f", "mcid 0"),
        ("Tj", "mcid 1"),
        ("Tj", "Artifact Layout"),  # untagged text in the body: the printed web address
    ]
    assert Content.scan(new, middle=421).rewrite() == new  # nothing left to mark


def test_sequences_that_only_draw_lines_can_become_layout_artifacts() -> None:
    content = Content.scan(CHROMIUM_LIKE, middle=421)
    assert set(content.decorations) == {0}  # the rule under the heading, not the text
    ops = instructions(content.rewrite(demote=frozenset({0})))
    assert ("f", "Artifact Layout") in owners(ops)[4:5]
    assert not any(
        isinstance(operands[-1], pikepdf.Dictionary) and operands[-1].get("/MCID") == 0
        for operands, op in ops
        if op == "BDC"
    )


def test_operator_words_inside_strings_and_comments_are_not_operators() -> None:
    stream = (
        b"q\n1 0 0 1 0 0 cm\nBT\n/F1 12 Tf\n1 0 0 1 10 800 Tm\n"
        b"(a \\) Q BT f \\( re) Tj\n<0 f BDC B> Tj\n[(ET) 10 <00 b>] TJ\n"
        b"% a comment: Q ET EMC\nET\nQ\n"
    )
    ops = instructions(Content.scan(stream, middle=421).rewrite())
    assert unmarked(ops) == unmarked(instructions(stream))
    assert owners(ops) == [("Tj", "Artifact Header")] * 2 + [("TJ", "Artifact Header")]


def test_a_text_object_holding_a_tagged_sequence_is_wrapped_around_it() -> None:
    stream = (
        b"q\nBT\n/F1 12 Tf\n1 0 0 1 10 100 Tm\n<01> Tj\n"
        b"/P <</MCID 0>> BDC\n<02> Tj\nEMC\n<03> Tj\nET\nQ\n"
    )
    ops = instructions(Content.scan(stream, middle=421).rewrite())
    # beside tagged content in its group, untagged text is part of the body: layout
    assert owners(ops) == [
        ("Tj", "Artifact Layout"),
        ("Tj", "mcid 0"),
        ("Tj", "Artifact Layout"),
    ]
    assert unmarked(ops) == unmarked(instructions(stream))


def test_an_unbalanced_stream_is_refused_and_a_clean_one_left_alone() -> None:
    with pytest.raises(Unbalanced):
        Content.scan(b"q\nBT\nET\n", middle=0)
    with pytest.raises(Unbalanced):
        Content.scan(b"/P <</MCID 0>> BDC\nEMC\nEMC\n", middle=0)
    tagged = b"/P <</MCID 0>> BDC\nBT\n<01> Tj\nET\nEMC\n"
    assert Content.scan(tagged, middle=0).rewrite() == tagged


def test_xmp_packet_declares_pdfua_in_the_pages_language() -> None:
    meta = Metadata(
        title="โรค <A & B>\x01",
        lang="th",
        date=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        description="คำอธิบาย",
        author="Centre",
        creator="Centre",
        producer="Skia/PDF",
    )
    data = packet(meta)
    assert data == packet(meta)  # nothing from the clock
    ns = {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "dc": "http://purl.org/dc/elements/1.1/",
        "xmp": "http://ns.adobe.com/xap/1.0/",
        "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    }
    root = ET.fromstring(data.split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0])
    description = root.find("rdf:RDF/rdf:Description", ns)
    assert description.find("pdfuaid:part", ns).text == "1"
    titles = {
        li.get("{http://www.w3.org/XML/1998/namespace}lang"): li.text
        for li in description.findall("dc:title/rdf:Alt/rdf:li", ns)
    }
    assert titles == {"x-default": "โรค <A & B>", "th": "โรค <A & B>"}
    assert [li.text for li in description.findall("dc:language/rdf:Bag/rdf:li", ns)] == ["th"]
    assert description.find("xmp:CreateDate", ns).text == "2026-01-02T03:04:05+00:00"


def _tiny_tagged_pdf() -> pikepdf.Pdf:
    """One page: a list item whose text sits straight in LI (MCID 1, beside its label's
    MCID 0), a link, and an unbalanced content stream."""
    doc = pikepdf.new()
    doc.add_blank_page()
    page = doc.pages[0].obj
    page.Contents = doc.make_stream(b"/Lbl <</MCID 0>> BDC\nEMC\nEMC\n")
    page.StructParents = 0
    link = doc.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[0, 0, 10, 10],
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/x")),
            StructParent=1,
        )
    )
    page.Annots = pikepdf.Array([link])
    root = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    item = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.LI))
    label = doc.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Lbl, P=item, Pg=page, K=0)
    )
    anchor = doc.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem,
            S=pikepdf.Name.Link,
            P=item,
            K=pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=link, Pg=page),
        )
    )
    item.P, item.Pg, item.K = root, page, pikepdf.Array([label, 1, anchor])
    root.K = item
    root.ParentTree = pikepdf.Dictionary(Nums=[0, pikepdf.Array([label, item]), 1, anchor])
    doc.Root.StructTreeRoot = root
    return doc


def test_structure_fixes_beyond_what_chromium_writes() -> None:
    doc = _tiny_tagged_pdf()
    stream = doc.pages[0].obj.Contents.read_bytes()
    meta = Metadata(title="T", lang="en", date=datetime(2026, 1, 1, tzinfo=UTC))
    make_accessible(doc, meta, links=())  # no links reported: counts differ
    item = doc.Root.StructTreeRoot.K
    label, body = kids(item)
    assert (label.S, body.S) == ("/Lbl", "/LBody")
    assert kids(body)[0] == 1 and kids(body)[1].S == "/Link"
    assert kids(body)[1].P.objgen == body.objgen
    parents = pikepdf.NumberTree(doc.Root.StructTreeRoot.ParentTree)
    assert parents[0][1].objgen == body.objgen  # MCID 1 now belongs to LBody
    assert str(doc.pages[0].obj.Annots[0].Contents) == "https://example.org/x"
    assert doc.pages[0].obj.Contents.read_bytes() == stream  # unbalanced: left as it was
    with doc.open_metadata() as xmp:
        assert xmp["pdfuaid:part"] == "1"


# --- the repository's handouts -------------------------------------------------------------


def _pdf(root: Path, locale: str) -> Path:
    return root / "build" / locale / f"{DOMAIN}.pdf"


def _translated(root: Path, locale: str, msgid: str, domain: str = DOMAIN) -> str:
    if locale == "en":
        return msgid
    po = polib.pofile(str(root / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"))
    entry = po.find(msgid)
    return entry.msgstr if entry and entry.translated() else msgid


@pytest.mark.parametrize("locale", LOCALES)
def test_checker_finds_nothing(
    repository_handouts: Path, locale: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = checker_report(_pdf(repository_handouts, locale), monkeypatch)
    assert [o.rule_id for o in report.skipped] == []
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
    assert len(report.outcomes) == len(pdfua.default_registry())


@pytest.mark.parametrize("locale", LOCALES)
def test_margin_boxes_are_pagination_artifacts_and_the_body_is_tagged(
    repository_handouts: Path, locale: str
) -> None:
    path = _pdf(repository_handouts, locale)
    with pikepdf.open(path) as doc:
        height = float(doc.pages[0].mediabox[3])
        for page in doc.pages:
            ops = [(list(i.operands), str(i.operator)) for i in pikepdf.parse_content_stream(page)]
            assert [op for op, owner in owners(ops) if owner is None] == []
    pages = marked_chars(path)
    for number, chars in enumerate(pages, 1):
        places = {"header": set(), "footer": set(), "body": set()}
        for _, middle, stack in chars:
            place = "header" if middle > height - TOP else "footer" if middle < BOTTOM else "body"
            owner = owner_of(stack) or "none"
            places[place].add(owner if owner.startswith("Artifact") else owner.split()[0])
        assert places == {
            "header": {"Artifact Header"},
            "footer": {"Artifact Footer"},
            "body": {"mcid"},
        }, f"page {number}"
    if locale == "en":  # Latin: pdfminer's text is the text (no /ActualText needed)
        title = _translated(repository_handouts, locale, "Systemic Sclerosis")
        for number, chars in enumerate(pages, 1):
            header = "".join(t for t, m, _ in chars if m > height - TOP)
            footer = "".join(t for t, m, _ in chars if m < BOTTOM)
            assert squash(header) == squash(title)
            assert squash(footer) == f"Page{number}of{len(pages)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_headings_in_order_and_bookmarks_that_point_at_them(
    repository_handouts: Path, locale: str
) -> None:
    path = _pdf(repository_handouts, locale)
    texts = text_by_mcid(path)
    with pikepdf.open(path) as doc, doc.open_outline() as outline:
        headings = [e for e in elements(doc) if str(e.S) in ("/H1", "/H2", "/H3", "/H4")]
        levels = [int(str(h.S)[2]) for h in headings]
        assert levels[0] == 1 and levels.count(1) == 1
        assert set(levels) == {1, 2, 3}
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
        assert all(element_text(doc, h, texts).strip() for h in headings)  # none empty
        items = []
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            items.append(item)
            stack[:0] = list(item.children)
        assert [item.obj.SE.objgen for item in items] == [h.objgen for h in headings]
    first = _translated(repository_handouts, locale, "Systemic Sclerosis Overview")
    assert squash(items[0].title) == squash(first)  # in the page's language


@pytest.mark.parametrize("locale", LOCALES)
def test_lists_are_l_li_lbody(repository_handouts: Path, locale: str) -> None:
    with pikepdf.open(_pdf(repository_handouts, locale)) as doc:
        found = elements(doc)
        items = [e for e in found if e.S == "/LI"]
        assert len(items) > 10
        for element in found:
            if element.S == "/L":
                assert {str(k.S) for k in kids(element)} == {"/LI"}
            if element.S == "/LI":
                roles = [str(k.S) for k in kids(element)]
                assert roles in (["/Lbl", "/LBody"], ["/LBody"]), roles
                body = kids(element)[-1]
                assert kids(body) and body.P.objgen == element.objgen


@pytest.mark.parametrize("locale", LOCALES)
def test_identified_as_pdfua_in_the_pages_language(repository_handouts: Path, locale: str) -> None:
    title = _translated(repository_handouts, locale, "Systemic Sclerosis")
    with pikepdf.open(_pdf(repository_handouts, locale)) as doc:
        with doc.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert xmp["dc:title"] == title
            assert xmp["dc:language"] == {locale}
            assert xmp["xmp:CreateDate"] == (
                pikepdf.models.metadata.decode_pdf_date(str(doc.docinfo.CreationDate))
                .astimezone(UTC)
                .strftime("%Y-%m-%dT%H:%M:%S+00:00")
            )
        assert str(doc.Root.Lang) == locale
        assert doc.Root.ViewerPreferences.DisplayDocTitle is True
        assert doc.Root.MarkInfo.Marked is True
        assert {str(page.obj.get("/Tabs")) for page in doc.pages} == {"/S"}
        document = kids(doc.Root.StructTreeRoot)[0]
        assert document.S == "/Document" and str(document.Lang) == locale


# --- fallback segments, a figure, a table and links ----------------------------------------

FALLBACK_PAGE = SAMPLE_PAGE.replace(
    "![Alt text for image](img.png)",
    "![Alt text for image](img.png)\n\nSee [the guide](https://example.org/guide) now.",
)
TRANSLATED = {
    "Main Title": "หัวข้อหลัก",
    "Main Harms": "อันตรายหลัก",
    "Item one": "รายการหนึ่ง",
    "Head A": "หัวคอลัมน์ ก",
    "Cell 1": "ช่องที่ 1",
    "![Alt text for image](img.png)": "![ภาพประกอบของโรค](img.png)",
    "Last paragraph.": "ย่อหน้าสุดท้าย",
}


@pytest.fixture(scope="module")
def partly_translated(handout_browser: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample page in Thai with most segments left in English, printed."""
    root = make_project(
        tmp_path_factory.mktemp("fallback") / "project", {"sample.md": FALLBACK_PAGE}
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1790000000")
        mp.setenv(browser_lookup.BROWSER_ENV, handout_browser)
        for argv in (["extract"], ["init", "th"]):
            with pytest.raises(SystemExit):
                main(["-C", str(root), *argv])
        catalog = root / "locales" / "th" / "LC_MESSAGES" / "sample.po"
        po = polib.pofile(str(catalog))
        for entry in po:
            entry.msgstr = TRANSLATED.get(entry.msgid, entry.msgstr)
        po.save()
        with pytest.raises(SystemExit) as built:
            main(["-C", str(root), "build", "-l", "th", "-f", "html", "-q"])
        assert built.value.code == 0
        Image.new("RGB", (40, 30), (200, 60, 60)).save(root / "build" / "th" / "img.png")
        with pytest.raises(SystemExit) as printed:
            main(["-C", str(root), "build", "-l", "th", "-f", "pdf", "-q"])
        assert printed.value.code == 0
    return root / "build" / "th" / "sample.pdf"


def language(element: pikepdf.Dictionary) -> str:
    """An element's language: its own /Lang, else its parent's (ISO 32000-1 14.9.2)."""
    node = element
    while isinstance(node, pikepdf.Dictionary) and "/Lang" not in node:
        node = node.get("/P")
    return str(node.Lang) if isinstance(node, pikepdf.Dictionary) else ""


def test_fallback_segments_are_english_in_the_structure_tree(partly_translated: Path) -> None:
    texts = text_by_mcid(partly_translated)
    english, thai = [], []
    with pikepdf.open(partly_translated) as doc:
        blocks = [e for e in elements(doc) if e.S in ("/P", "/LI", "/TH", "/TD", "/H1", "/H2")]
        for element in blocks:
            text = squash(element_text(doc, element, texts))
            if any("\u0e00" <= c <= "\u0e7f" for c in text):
                thai.append((text, language(element)))
            elif text:
                english.append((text, language(element)))
    assert len(thai) >= 7  # title, heading, list item, two cells, last paragraph, date
    assert [(text, lang) for text, lang in thai if lang != "th"] == []
    for segment in ("Itemtwo", "Nesteditem", "HeadB", "Cell2", "Aquotedsentence.", "Seethe"):
        assert [lang for text, lang in english if text.startswith(segment)][:1] == ["en"]
    assert {lang for _, lang in english} == {"en"}  # nothing English is left Thai


def test_figures_tables_and_links_are_described(
    partly_translated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = checker_report(partly_translated, monkeypatch)
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
    assert report.skipped == ()
    with pikepdf.open(partly_translated) as doc:
        found = elements(doc)
        figures = [e for e in found if e.S == "/Figure"]
        assert [str(f.Alt) for f in figures] == ["ภาพประกอบของโรค"]
        headers = [e for e in found if e.S == "/TH"]
        assert len(headers) == 2
        assert all(
            any(a.get("/Scope") == "/Column" for a in h.A if isinstance(a, pikepdf.Dictionary))
            for h in headers
        )
        links = [
            str(annot.Contents)
            for page in doc.pages
            for annot in page.get("/Annots", [])
            if annot.Subtype == "/Link"
        ]
        assert links == ["link (https://example.org/a)", "the guide (https://example.org/guide)"]
        # the rules of the heading, the table and the notice box are layout, not content
        for element in found:
            if element.S in ("/H2", "/Table", "/BlockQuote"):
                assert not any(isinstance(k, int) for k in kids(element)), element.S


def test_a_fallback_handout_reads_the_same_to_poppler(partly_translated: Path) -> None:
    """Marking artifacts changes no glyph: the text layer still has every segment."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils missing")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(partly_translated), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for wanted in ("หัวข้อหลัก", "รายการหนึ่ง", "Item two", "(https://example.org/guide)"):
        assert squash(wanted) in squash(text)
