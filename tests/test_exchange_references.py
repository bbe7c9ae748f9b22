"""Reference-style links through XLIFF: `[text][label]`, `[text][]`, `[text]` (and the
image forms) naming one of the page's definitions, and footnote references.

The link text is translated and the reference is an inline code the CAT tool protects;
what `export` takes for a reference is what `check` renders as a link (both read the
page's definitions the same way); `import` gives back Markdown that links where the
English links, naming the label where the text that was the label got translated.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import polib
from conftest import CORPUS, msgcat_same, msgfmt_check, needs_corpus, needs_gettext
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html
from test_exchange import Q, assert_valid, units
from translate.storage import xliff as tt_xliff

from pipeline import segments
from pipeline.checks.runner import _references
from pipeline.checks.text import inline as checks_inline
from pipeline.errors import L10nError
from pipeline.exchange.codes import Code, codes, join, restore, split
from pipeline.exchange.units import unit_id

PAGE = """\
# Links

Read the [patient guide][guide] and the [NHS] page, or see [Scleroderma][] for more.[^1]

![Diagram of the skin][skin] Ask [your doctor] [care] today, not [a friend][nobody].

[guide]: https://example.org/guide "The guide"
[NHS]: https://www.nhs.uk/
[scleroderma]: https://en.wikipedia.org/wiki/Scleroderma
[skin]: /img/skin.png
[care]: https://example.org/care

[^1]: A footnote with [the guide][guide].
"""
READ = "Read the [patient guide][guide] and the [NHS] page, or see [Scleroderma][] for more.[^1]"
ASK = "![Diagram of the skin][skin] Ask [your doctor] [care] today, not [a friend][nobody]."
THAI_WORDS = {
    "Read the ": "อ่าน",
    "patient guide": "คู่มือผู้ป่วย",
    " and the ": " และหน้า ",
    "NHS": "เอ็นเอชเอส",
    " page, or see ": " หรือดู ",
    "Scleroderma": "โรคหนังแข็ง",
    " for more.": " เพิ่มเติม",
    "Diagram of the skin": "แผนภาพผิวหนัง",
    " Ask ": " ถาม",
    "your doctor": "แพทย์ของคุณ",
    " today, not [a friend][nobody].": "วันนี้ ไม่ใช่ [เพื่อน][nobody]",
    "Links": "ลิงก์",
    "Back to the text": "กลับไปที่ข้อความ",
    "A footnote with ": "เชิงอรรถกับ",
    "the guide": "คู่มือ",
    ".": "",
}
THAI = {
    READ: "อ่าน[คู่มือผู้ป่วย][guide] และหน้า [เอ็นเอชเอส][NHS] หรือดู [โรคหนังแข็ง][Scleroderma] เพิ่มเติม[^1]",
    ASK: "![แผนภาพผิวหนัง][skin] ถาม[แพทย์ของคุณ] [care]วันนี้ ไม่ใช่ [เพื่อน][nobody]",
    "A footnote with [the guide][guide].": "เชิงอรรถกับ[คู่มือ][guide]",
}


def page_project(new_project, run, page: str = PAGE) -> Path:
    root = new_project(pages={"page.md": page}, pyproject='locales = ["th"]')
    assert run(["extract"], root).code == 0
    assert run(["init", "th"], root).code == 0
    return root


def catalog_of(root: Path) -> Path:
    return root / "locales/th/LC_MESSAGES/page.po"


def export(root: Path, run, out: Path, only: str = "todo") -> etree._Element:
    argv = ["export", "-l", "th", "--page", "page", "--only", only, "-o", str(out)]
    result = run(argv, root)
    assert result.code == 0, result.output
    return assert_valid(out)


def translate_in_place(out: Path) -> None:
    """What a CAT tool does: the source's codes copied into the target, the text between
    them translated, the unit marked translated."""
    tree = etree.parse(str(out))
    for unit in tree.getroot().iter(Q + "trans-unit"):
        target = unit.find(Q + "target")
        target.getparent().replace(target, copy.deepcopy(unit.find(Q + "source")))
        target = unit.find(Q + "source").getnext()
        target.tag = Q + "target"
        target.set("state", "translated")
        if target.text:
            target.text = THAI_WORDS[target.text]
        for code in target:
            if code.tail:
                code.tail = THAI_WORDS[code.tail]
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")


def link_codes(parts) -> list[str | None]:
    """The links and images among a segment's codes (their starts, and autolinks)."""
    return [
        c.ctype
        for c in codes(parts)
        if (c.kind == "bpt" and c.ctype in ("link", "x-image")) or c.ctype == "x-autolink"
    ]


# export ----------------------------------------------------------------------------------


def test_reference_links_are_exported_as_protected_codes(new_project, run) -> None:
    root = page_project(new_project, run)
    found = units(export(root, run, root / "th.xlf"))
    read = found[unit_id(None, READ)].find(Q + "source")
    assert [(c.tag, c.text, c.get("ctype")) for c in read] == [
        (Q + "bpt", "[", "link"),
        (Q + "ept", "][guide]", None),
        (Q + "bpt", "[", "link"),
        (Q + "ept", "]", None),
        (Q + "bpt", "[", "link"),
        (Q + "ept", "][]", None),
        (Q + "ph", "[^1]", "x-footnote"),
    ]
    assert [c.tail for c in read] == [
        "patient guide",
        " and the ",
        "NHS",
        " page, or see ",
        "Scleroderma",
        " for more.",
        None,
    ]  # the link texts are what the translator translates
    ask = found[unit_id(None, ASK)].find(Q + "source")
    assert [(c.tag, c.text) for c in ask] == [
        (Q + "bpt", "!["),
        (Q + "ept", "][skin]"),
        (Q + "bpt", "["),
        (Q + "ept", "] [care]"),
    ]
    assert ask[-1].tail == " today, not [a friend][nobody]."  # no such label: not a link


@needs_corpus
def test_check_and_export_agree_on_what_a_reference_is() -> None:
    """Every segment of the real pages and of the CommonMark examples that define
    references: the links and images `export` protects are those `check` renders, with
    the page's definitions as `check` reads them (a segment whose links cannot be split
    exactly is exported as plain text, never with a link left half-protected)."""
    pages = [*sorted((CORPUS / "markdown").glob("*.md"))]
    texts = [(p.read_text(encoding="utf-8"), p.name) for p in pages]
    spec = json.loads((CORPUS / "commonmark/spec.json").read_text(encoding="utf-8"))
    texts += [(e["markdown"], "spec.md") for e in spec if "]:" in e["markdown"]]
    texts.append((PAGE, "page.md"))
    referenced = plain = 0
    for text, name in texts:
        try:
            found = segments.parse(text, name)
        except L10nError:
            continue
        references = _references(text.encode("utf-8"), name)
        key = tuple(sorted(references.items()))
        for segment in found.segments:
            parts = split(segment.text, references=references)
            assert join(parts) == segment.text
            rendered = checks_inline(segment.text, key).tags
            links = rendered.count("a") + rendered.count("img") - rendered.count("sup")
            if not codes(parts):
                plain += bool(links)
                continue
            assert len(link_codes(parts)) == links, segment.text
            ends = [c.text for c in codes(parts) if c.kind == "ept"]
            referenced += sum(e.startswith("]") and not e.startswith("](") for e in ends)
    assert referenced > 60 and plain <= 3  # nested links Python-Markdown resolves its own way


# import ----------------------------------------------------------------------------------


@needs_gettext
def test_reference_links_round_trip(new_project, run) -> None:
    root = page_project(new_project, run)
    path = catalog_of(root)
    out = root / "th.xlf"
    export(root, run, out)
    translate_in_place(out)
    result = run(["import", str(out)], root)
    assert result.code == 0, result.output
    after = {e.msgid: e for e in polib.pofile(str(path))}
    for english, thai in THAI.items():
        assert after[english].msgstr == thai and not after[english].fuzzy
    msgfmt_check(path)
    msgcat_same(path)
    # `check` sees the links the English has: the labels named where the text was one.
    assert run(["check", "-l", "th"], root).code == 0
    assert run(["build", "-l", "th", "-f", "html"], root).code == 0
    main = lxml_html.parse(str(root / "build/th/page.html")).getroot().find(".//main")
    links = {a.text_content(): a.get("href") for a in main.iter("a") if a.text_content()}
    assert links["คู่มือผู้ป่วย"] == "https://example.org/guide"
    assert links["เอ็นเอชเอส"] == "https://www.nhs.uk/"
    assert links["โรคหนังแข็ง"] == "https://en.wikipedia.org/wiki/Scleroderma"
    assert links["แพทย์ของคุณ"] == "https://example.org/care"
    assert main.find(".//img").get("alt") == "แผนภาพผิวหนัง"
    # The next export shows the same codes, the label named in the translation's end.
    again = units(export(root, run, root / "all.xlf", "all"))[unit_id(None, READ)]
    source, target = again.find(Q + "source"), again.find(Q + "target")
    assert [(c.get("id"), c.text) for c in target if c.tag == Q + "ept"] == [
        ("1", "][guide]"),
        ("2", "][NHS]"),
        ("3", "][Scleroderma]"),
    ]
    assert {c.get("id") for c in target} == {c.get("id") for c in source}
    store = tt_xliff.xlifffile.parsestring((root / "all.xlf").read_bytes())
    assert {u.source: u.target for u in store.units if u.source in THAI} == THAI
    before = path.read_bytes()
    result = run(["import", str(root / "all.xlf")], root)
    assert result.code == 0 and "0 translations imported" in result.out, result.output
    assert path.read_bytes() == before


def test_a_changed_reference_is_kept_fuzzy_as_check_would_flag_it(new_project, run) -> None:
    root = page_project(new_project, run)
    out = root / "th.xlf"
    export(root, run, out)
    translate_in_place(out)
    tree = etree.parse(str(out))
    target = units(tree.getroot())[unit_id(None, READ)].find(Q + "target")
    target[3].text = "][care]"  # the NHS link sent elsewhere
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    result = run(["import", str(out)], root)
    assert result.code == 1
    assert "inline code ']' was changed to '][care]'" in result.err
    entry = {e.msgid: e for e in polib.pofile(str(catalog_of(root)))}[READ]
    assert entry.fuzzy and "[เอ็นเอชเอส][care]" in entry.msgstr
    # `check` calls the same translation an error once someone clears the flag.
    po = polib.pofile(str(catalog_of(root)))
    po.find(READ).flags.remove("fuzzy")
    po.save()
    check = run(["check", "-l", "th"], root)
    assert check.code == 1 and "[links]" in check.out and "https://example.org/care" in check.out


def test_a_tool_that_flattens_codes_must_keep_the_references(new_project, run) -> None:
    """Translate Toolkit writes targets as plain text: the Markdown typed must still link
    where the English links (a translated shortcut label without its label does not)."""
    root = page_project(new_project, run)
    out = root / "th.xlf"
    export(root, run, out)
    store = tt_xliff.xlifffile.parsestring(out.read_bytes())
    typed = {
        READ: THAI[READ],
        ASK: "![แผนภาพผิวหนัง][skin] ถาม[แพทย์ของคุณ]วันนี้",  # [care] dropped
    }
    for unit in store.units:
        if unit.source in typed:
            unit.target = typed[unit.source]
            unit.markfuzzy(False)
    out.write_bytes(bytes(store))
    result = run(["import", str(out)], root)
    assert result.code == 1
    after = {e.msgid: e for e in polib.pofile(str(catalog_of(root)))}
    assert after[READ].msgstr == THAI[READ] and not after[READ].fuzzy
    assert after[ASK].fuzzy and "inline code '] [care]' is missing" in result.err


REFERENCES = {
    "a": ("https://example.org/a", None),
    "b c": ("https://example.org/bc", "Title"),
    "x": ("/x.png", None),
}
LINKISH = st.text(alphabet="abcx []()!*_`^\\<>\n:é", max_size=40)


@settings(max_examples=300, deadline=None)
@given(LINKISH)
def test_any_segment_with_references_splits_and_restores_exactly(text: str) -> None:
    parts = split(text, references=REFERENCES)
    assert join(parts) == text
    restored = restore(parts, list(parts), references=REFERENCES)
    assert restored.damage is None and restored.text == text


def test_a_translated_label_is_named_and_an_unchanged_one_kept() -> None:
    source = split("See [A] and [b  C][] now", references=REFERENCES)
    first, end, second, close = codes(source)
    assert (end.text, close.text) == ("]", "][]")
    same = restore(source, ["ดู ", first, "A", end, " และ ", second, "b  C", close])
    assert same.text == "ดู [A] และ [b  C][]" and same.damage is None
    moved = restore(source, [second, "บี", close, " ", first, "เอ", end])
    assert moved.text == "[บี][b  C] [เอ][A]" and moved.damage is None
    named = restore(source, ["ดู ", first, "เอ", Code("ept", end.id, "][a]"), second, "B c", close])
    assert named.damage is None  # labels match in any case, spaces folded
    wrong = restore(source, [first, "เอ", Code("ept", end.id, "][b c]"), second, "บี", close])
    assert wrong.damage == "inline code ']' was changed to '][b c]'"
