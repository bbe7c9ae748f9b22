"""Whatever authors write is extracted and translated: callouts, footnotes, definition
lists, abbreviations and raw HTML blocks (with the Markdown inside them); the English and
its translations go through one sanitiser; a fully translated page keeps no English.

Real material: the six corpus pages, the 655 CommonMark examples, and the clinic pages of
tests/data/clinic (written the way clinic staff write, translated into Thai and
Vietnamese, their dose sentences into Khmer, Burmese and Lao as well).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import lxml.html
import polib
import pytest
from conftest import CORPUS, REPO, msgfmt_check, needs_corpus, needs_gettext

from pipeline import inline, safety, segments
from pipeline.checks import check_message
from pipeline.errors import L10nError
from pipeline.site.render import Message, translate_page

CLINIC = Path(__file__).parent / "data" / "clinic"
CLINIC_LOCALES = ("th", "vi", "km", "my", "lo")
OPEN, CLOSE = "\u27e6", "\u27e7"  # a pseudo-translation's marks


def kinds(markdown: str) -> list[tuple[str, str, int]]:
    return [(s.kind, s.text, s.line) for s in segments.parse(markdown, "x.md").segments]


def english(markdown: str) -> str:
    """The body of the English page, as `build` makes it."""
    return translate_page(markdown, "source/x.md", "en", {}).html


def translated(
    markdown: str, table: dict[str, str] | None = None, lang: str = "th", only: bool = False
):
    """The body of a translated page: each segment from `table`, else itself (`only`:
    else untranslated)."""
    page = segments.parse(markdown, "source/x.md")
    table = table or {}
    found = {
        s.text: Message(table.get(s.text, s.text), "x.po", 1)
        for s in page.segments
        if not only or s.text in table
    }
    done = translate_page(markdown, "source/x.md", lang, found)
    return done.html, done.meta, done.fallbacks, done.warnings, done.segments


def tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(f"<main>{html}</main>")


def canonical(html: str) -> list:
    """A body as a reader's browser holds it: elements, attributes (lang aside) and text,
    white space folded and not significant at element edges."""
    out: list = []

    def walk(el: lxml.html.HtmlElement) -> None:
        if isinstance(el.tag, str):
            attrs = tuple(sorted((k, v) for k, v in el.attrib.items() if k != "lang"))
            out.append(("<", el.tag, attrs))
            out.append(el.text or "")
            for child in el:
                walk(child)
            out.append((">", el.tag))
        out.append(el.tail or "")

    walk(tree(html))
    merged: list = []
    for item in out:
        if isinstance(item, str) and merged and isinstance(merged[-1], str):
            merged[-1] += item
        else:
            merged.append(item)
    return [" ".join(x.split()) if isinstance(x, str) else x for x in merged if x != "" and x]


# --- callouts ----------------------------------------------------------------------------

CALLOUTS = """\
!!! warning "Take it once a week"
    The dose is **7.5 mg** a week.

!!! warning Do not stop your medicine.

!!! tip ""
    A tip without a title.

> [!NOTE]
> A note.

> [!TIP]
> A tip.

> [!IMPORTANT]
> Important.

> [!WARNING]
> Be careful.

> [!CAUTION]
> Keep away from children.
"""


def test_callouts_are_elements_and_their_titles_segments() -> None:
    assert kinds(CALLOUTS) == [
        ("callout title", "Take it once a week", 1),
        ("paragraph in callout", "The dose is **7.5 mg** a week.", 2),
        ("callout title", "Do not stop your medicine.", 4),
        ("paragraph in callout", "A tip without a title.", 7),
        ("callout title", "Note", 9),
        ("paragraph in callout", "A note.", 10),
        ("callout title", "Tip", 12),
        ("paragraph in callout", "A tip.", 13),
        ("callout title", "Important", 15),
        ("paragraph in callout", "Important.", 16),
        ("callout title", "Warning", 18),
        ("paragraph in callout", "Be careful.", 19),
        ("callout title", "Caution", 21),
        ("paragraph in callout", "Keep away from children.", 22),
    ]
    page = tree(english(CALLOUTS))
    boxes = page.xpath("div[contains(@class, 'admonition')]")
    assert [b.get("class") for b in boxes] == [
        "admonition warning",
        "admonition warning",
        "admonition tip",
        "admonition note",
        "admonition tip",
        "admonition important",
        "admonition warning",
        "admonition danger",
    ]
    titles = [b.xpath("string(p[@class='admonition-title'])") for b in boxes]
    assert titles[:3] == ["Take it once a week", "Do not stop your medicine.", ""]
    assert "!!!" not in page.text_content() and "[!" not in page.text_content()
    thai, _, fallbacks, _, _ = translated(CALLOUTS, {"Caution": "ข้อควรระวัง"})
    assert fallbacks == []
    assert tree(thai).xpath("string(div[8]/p[@class='admonition-title'])") == "ข้อควรระวัง"


# --- footnotes, definition lists, abbreviations -----------------------------------------

NOTES = """\
Take it once a week.[^bnf] Ask again.[^bnf] Folic acid helps.[^folic]

Folic acid
:   A vitamin against mouth ulcers.

MTX is taken once a week.

[^bnf]: British National Formulary, 2024.
[^folic]: Folic acid 5 mg once a week.

*[MTX]: methotrexate
"""


def test_footnotes_definitions_and_abbreviations_are_segments() -> None:
    assert kinds(NOTES) == [
        ("paragraph", "Take it once a week.[^bnf] Ask again.[^bnf] Folic acid helps.[^folic]", 1),
        ("definition term", "Folic acid", 3),
        ("definition", "A vitamin against mouth ulcers.", 4),
        ("paragraph", "MTX is taken once a week.", 6),
        ("title of the link from a footnote back to the text", "Back to the text", 8),
        ("paragraph in footnote 1", "British National Formulary, 2024.", 8),
        ("paragraph in footnote 2", "Folic acid 5 mg once a week.", 9),
        ("abbreviation MTX", "methotrexate", 11),
    ]


def test_footnotes_definitions_and_abbreviations_render_as_elements() -> None:
    html = english(NOTES)
    page = tree(html)
    assert [s.get("id") for s in page.iter("sup")] == ["fnref:bnf", "fnref2:bnf", "fnref:folic"]
    assert [a.get("href") for a in page.xpath("//a[@class='footnote-ref']")] == [
        "#fn:bnf",
        "#fn:bnf",
        "#fn:folic",
    ]
    notes = page.xpath("//div[@class='footnote']/ol/li")
    assert [li.get("id") for li in notes] == ["fn:bnf", "fn:folic"]
    back = [a.get("href") for a in page.xpath("//a[@class='footnote-backref']")]
    assert back == ["#fnref:bnf", "#fnref2:bnf", "#fnref:folic"]  # one per reference
    assert [(e.tag, e.text) for e in page.xpath("//dl/*")] == [
        ("dt", "Folic acid"),
        ("dd", "A vitamin against mouth ulcers."),
    ]
    assert [(a.text, a.get("title")) for a in page.iter("abbr")] == [("MTX", "methotrexate")]
    for syntax in ("[^", "*[", "\n:"):
        assert syntax not in page.text_content()
    # the same page translated as itself is the same page
    same, _, fallbacks, _, _ = translated(NOTES)
    assert fallbacks == [] and canonical(same) == canonical(html)


def test_translated_footnotes_and_abbreviations() -> None:
    thai = {
        "Take it once a week.[^bnf] Ask again.[^bnf] Folic acid helps.[^folic]": (
            "รับประทานสัปดาห์ละครั้ง[^bnf] ถามอีกครั้ง[^bnf] กรดโฟลิกช่วยได้[^folic]"
        ),
        "MTX is taken once a week.": "รับประทาน MTX สัปดาห์ละครั้ง",
        "methotrexate": "เมโธเทรกเซต",
        "Back to the text": "กลับไปที่เนื้อหา",
        "British National Formulary, 2024.": "ตำรายาแห่งชาติของสหราชอาณาจักร ปี 2024",
    }
    html, _, _, warnings, _ = translated(NOTES, thai)
    page = tree(html)
    assert warnings == []
    assert [s.get("id") for s in page.iter("sup")] == ["fnref:bnf", "fnref2:bnf", "fnref:folic"]
    assert [(a.text, a.get("title")) for a in page.iter("abbr")] == [("MTX", "เมโธเทรกเซต")]
    assert {a.get("title") for a in page.xpath("//a[@class='footnote-backref']")} == {"กลับไปที่เนื้อหา"}
    assert "ตำรายาแห่งชาติของสหราชอาณาจักร ปี 2024" in page.text_content()


def test_a_dropped_footnote_reference_is_refused_and_reported() -> None:
    scope = inline.Scope(footnotes=("bnf",))
    english_text = "Take it once a week.[^bnf]"
    assert safety.vet(english_text, "รับประทานสัปดาห์ละครั้ง", scope).problem == (
        "link targets differ from the English: drops '#fn:bnf'"
    )
    found = check_message(english_text, "รับประทานสัปดาห์ละครั้ง", "th", "page")
    assert ("links", 'link target "#fn:bnf" is missing from the translation') in [
        (c.id, m) for c, m in found
    ]


# --- raw HTML blocks ---------------------------------------------------------------------

HTML_PAGE = """\
# Questions

<details>
<summary>What if I miss a dose?</summary>

Take it within **2 days**. Never take 2 doses in one week.

</details>

<div class="callout" title="Emergency number">
Call <b>1669</b> if you have a fever above 38 °C.
</div>

<table>
  <tr><th>Day</th><th>Hours</th></tr>
  <tr><td>Monday to Friday</td><td>08:00–17:00</td></tr>
</table>

<p align="center"><img src="box.png" alt="A weekly pill box"></p>

<script>alert("no")</script>

<!-- only a comment -->

<div>
<svg><text>Chart</text></svg>
</div>
"""


def test_raw_html_text_is_extracted_block_by_block() -> None:
    page = segments.parse(HTML_PAGE, "source/x.md")
    assert [(s.kind, s.text, s.line) for s in page.segments] == [
        ("heading 1", "Questions", 1),
        ("collapsible heading in collapsible block", "What if I miss a dose?", 4),
        (
            "paragraph in collapsible block",
            "Take it within **2 days**. Never take 2 doses in one week.",
            6,
        ),
        ("title of <div>", "Emergency number", 10),
        ("text of <div>", "Call <b>1669</b> if you have a fever above 38 °C.", 11),
        ("table header", "Day", 15),
        ("table header", "Hours", 15),
        ("table cell", "Monday to Friday", 16),
        ("table cell", "08:00–17:00", 16),
        ("paragraph", '<img src="box.png" alt="A weekly pill box">', 19),
    ]
    assert [(n.line, n.message, n.untranslatable) for n in page.notices] == [
        (21, "<script> left out of the page: pages run no code", False),
        (26, "<svg> is not translatable; left out of the page", True),
    ]


def test_raw_html_is_translated_in_place_and_sanitised() -> None:
    thai = {
        "What if I miss a dose?": "ถ้าลืมรับประทานยาจะทำอย่างไร?",
        "Take it within **2 days**. Never take 2 doses in one week.": (
            "ให้รับประทานภายใน **2 วัน** ห้ามรับประทาน 2 ครั้งในสัปดาห์เดียวกัน"
        ),
        "Emergency number": "หมายเลขฉุกเฉิน",
        "Call <b>1669</b> if you have a fever above 38 °C.": "โทร <b>1669</b> หากมีไข้สูงกว่า 38 °C",
        '<img src="box.png" alt="A weekly pill box">': '<img src="box.png" alt="กล่องใส่ยารายสัปดาห์">',
        "Monday to Friday": "วันจันทร์ถึงวันศุกร์",
    }
    html, _, fallbacks, warnings, _ = translated(HTML_PAGE, thai, only=True)
    assert warnings == []
    page = tree(html)
    details = page.find("details")
    assert details.findtext("summary") == "ถ้าลืมรับประทานยาจะทำอย่างไร?"
    assert details.find("p/strong").text == "2 วัน"
    callout = page.find("div")
    assert callout.get("class") == "callout" and callout.get("title") == "หมายเลขฉุกเฉิน"
    assert " ".join(callout.text_content().split()) == "โทร 1669 หากมีไข้สูงกว่า 38 °C"
    assert page.find("p/img").get("alt") == "กล่องใส่ยารายสัปดาห์"
    assert page.find("p").get("align") == "center"
    assert [td.text for td in page.iter("td")] == ["วันจันทร์ถึงวันศุกร์", "08:00–17:00"]
    assert "script" not in html and "alert" not in html and "Chart" not in html
    assert "<!--" not in html
    # what was not translated falls back, marked, and nothing else
    assert {s.text for s in fallbacks} == {"Questions", "Day", "Hours", "08:00–17:00"}
    assert page.xpath("//td[@lang='en']")[0].text == "08:00–17:00"


def test_the_english_page_keeps_only_what_the_sanitiser_allows() -> None:
    page = (
        'Click <span class="x" onclick="steal()">here</span> or '
        '<a href="javascript:alert(1)">there</a>, <i>now</i>.\n\n'
        "<irc://foo.bar:2233/baz>\n\n"
        '<div onmouseover="x()" style="color:red"><b>Bold</b> text</div>\n'
    )
    html = english(page)
    for bad in ("onclick", "javascript", "onmouseover", "style="):
        assert bad not in html
    assert '<span class="x">here</span>' in html and "<i>now</i>" in html
    same, _, fallbacks, warnings, _ = translated(page)
    assert fallbacks == [] and warnings == []  # the author's own links are no problem
    assert canonical(same) == canonical(html)


def test_alt_and_title_are_translated_in_place_nothing_else() -> None:
    img = '<img src="box.png" alt="A weekly pill box">'
    assert safety.vet(img, '<img src="box.png" alt="กล่องใส่ยา">').html == (
        '<img src="box.png" alt="กล่องใส่ยา">'
    )
    assert "not allowed" in safety.vet(img, '<img src="other.png" alt="กล่อง">').problem
    assert "not allowed" in safety.vet("Plain.", "<b>ตัวหนา</b>").problem
    assert check_message(img, '<img src="box.png" alt="กล่องใส่ยา">', "th", "x") == []


@pytest.mark.parametrize(
    ("name", "markdown", "texts", "notice"),
    [
        (
            "unbalanced HTML",
            '<div class="box">\nUnclosed <b>bold\n\nAfter the gap.\n',
            ["Unclosed", "bold", "After the gap."],
            None,
        ),
        (
            "a footnote used but never defined",
            "A note[^missing] never defined.\n",
            ["A note[^missing] never defined."],
            "x.md:1: footnote [^missing] is used but never defined; it shows as written",
        ),
        (
            "nested callouts",
            '!!! note "Outer"\n    Outer.\n\n    !!! warning "Inner"\n        Inner.\n',
            ["Outer", "Outer.", "Inner", "Inner."],
            None,
        ),
        (
            "nested GitHub callouts",
            "> [!NOTE]\n> Outer.\n>\n> > [!WARNING]\n> > Inner.\n",
            ["Note", "Outer.", "[!WARNING] Inner."],
            "x.md:4: callout [!WARNING] inside another callout is shown as a quote, as GitHub "
            "shows it; nest `!!! kind` callouts instead",
        ),
        (
            "<details> inside a list",
            "- Item\n\n    <details>\n    <summary>Why?</summary>\n\n    Because **so**.\n\n"
            "    </details>\n\n- Next <details><summary>Q</summary>A</details>\n",
            ["Item", "Why?", "Because **so**.", "Next <details><summary>Q</summary>A</details>"],
            None,
        ),
        (
            "an HTML block holding only a comment",
            "Before.\n\n<!-- a note -->\n\nAfter.\n",
            ["Before.", "After."],
            None,
        ),
        ("a callout with an empty title", '!!! tip ""\n    No title.\n', ["No title."], None),
    ],
)
def test_bad_input_has_defined_behaviour(name, markdown, texts, notice) -> None:
    page = segments.parse(markdown, "x.md")
    assert [s.text for s in page.segments] == texts, name
    assert [f"x.md:{n.line}: {n.message}" for n in page.notices] == ([notice] if notice else [])
    html = english(markdown)
    thai, _, fallbacks, warnings, _ = translated(markdown, {t: f"ไทย {t}" for t in texts})
    assert fallbacks == [] and warnings == []
    assert [e.tag for e in tree(thai).iter()] == [e.tag for e in tree(html).iter()]


def test_bad_input_through_the_command_line(new_project, run) -> None:
    pages = {
        "unbalanced.md": '<div class="box">\nUnclosed <b>bold\n\nAfter the gap.\n',
        "footnote.md": "A note[^missing] never defined.\n",
        "svg.md": "Text.\n\n<div>\n<svg><text>Chart</text></svg>\n</div>\n",
        "script.md": "Text.\n\n<script>alert(1)</script>\n",
        "comment.md": "<!-- only a comment -->\n",
        "list.md": "- Item\n  <details><summary>Why?</summary>Because.</details>\n",
    }
    root = new_project(pages=pages, locales=["th"])
    result = run(["extract"], root)
    assert result.code == 0, result.output
    assert "Traceback" not in result.output
    assert result.err.splitlines() == [
        "source/footnote.md:1: footnote [^missing] is used but never defined; it shows as written",
        "source/script.md:3: <script> left out of the page: pages run no code",
        "source/svg.md:4: <svg> is not translatable; left out of the page",
    ]
    status = json.loads(run(["status", "--json"], root).out)
    counted = {d["domain"]: d["untranslatable"] for d in status["locales"][0]["domains"]}
    assert counted["svg"] == 1 and counted["footnote"] == 0
    assert "svg: 1 places not translatable" in run(["status"], root).out
    built = run(["build", "-f", "html"], root)
    assert built.code == 0 and "Traceback" not in built.output


# --- the six corpus pages: no English left --------------------------------------------

CORPUS_PAGES = sorted(p.name for p in (CORPUS / "markdown").glob("*.md"))


def _leak(html: str) -> tuple[int, int]:
    """(characters outside a marked translation, visible characters) of a page's <main>,
    code blocks aside (code is never translated)."""
    main = lxml.html.fromstring(html).find(".//main")
    for code in main.xpath(".//pre | .//script | .//style"):
        code.drop_tree()
    depth = outside = seen = 0
    for ch in main.text_content():
        if ch in (OPEN, CLOSE):
            depth += 1 if ch == OPEN else -1
        elif not ch.isspace():
            seen += 1
            outside += depth == 0
    return outside, seen


@needs_corpus
@needs_gettext
def test_pseudo_translated_corpus_pages_keep_no_english(new_project, run) -> None:
    """Every entry of the six real pages marked as translated: what of <main> is outside a
    mark is English left on a "fully translated" page (16 % of it before these pages'
    callouts, footnotes and HTML blocks were extracted)."""
    pages = {
        name: (CORPUS / "markdown" / name).read_text(encoding="utf-8") for name in CORPUS_PAGES
    }
    root = new_project(pages=pages, locales=["th"])
    assert run(["extract"], root).code == 0
    assert run(["init", "th"], root).code == 0
    for name in CORPUS_PAGES:
        path = root / "locales" / "th" / "LC_MESSAGES" / name.replace(".md", ".po")
        po = polib.pofile(str(path))
        for entry in po:
            entry.msgstr = f"{OPEN}{entry.msgid}{CLOSE}"
        po.save()
        msgfmt_check(path)
    result = run(["build", "-f", "html", "-l", "th"], root)
    assert result.code == 0, result.output
    assert "translation not used" not in result.output  # every pseudo-translation was used
    total_out = total = 0
    for name in CORPUS_PAGES:
        html = (root / "build" / "th" / name.replace(".md", ".html")).read_text(encoding="utf-8")
        assert 'class="notice"' not in html, name
        outside, seen = _leak(html)
        assert outside < seen / 100, (name, outside, seen)
        total_out, total = total_out + outside, total + seen
    assert total > 40_000 and total_out < total / 100


# --- CommonMark: the English page and its identity translation -------------------------


@needs_corpus
def test_commonmark_examples_translated_as_themselves_give_the_english_page() -> None:
    examples = json.loads((CORPUS / "commonmark" / "spec.json").read_text(encoding="utf-8"))
    assert len(examples) == 655
    same, different, refused = [], {}, {}
    for example in examples:
        markdown = example["markdown"]
        try:
            page = segments.parse(markdown, "source/spec.md")
        except L10nError as exc:
            refused[example["example"]] = str(exc)
            continue
        found = {s.text: Message(s.text, "x.po", 1) for s in page.segments}
        en = translate_page(markdown, "source/spec.md", "en", {}).html
        done = translate_page(markdown, "source/spec.md", "th", found)
        th, fallbacks, warnings = done.html, done.fallbacks, done.warnings
        assert fallbacks == [] and warnings == [], example["example"]  # no "not yet translated"
        if canonical(en) == canonical(th):
            same.append(example["example"])
        else:
            different[example["example"]] = (en, th)
    assert list(refused) == [96]  # "---\nFoo\n---": front matter that is not a mapping
    assert different == {}
    assert len(same) >= 0.99 * len(examples)


# --- the clinic pages --------------------------------------------------------------------


def _program(root: Path, *argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000")
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "-C", str(root), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def clinic_project(folder: Path) -> Path:
    """The clinic pages and their catalogs, with the repository's glossary and ui
    translations, extracted and merged as a content engineer would."""
    root = folder / "clinic"
    shutil.copytree(CLINIC, root)
    for name in ("glossary.tbx", "do-not-translate.txt"):
        shutil.copy(REPO / "locales" / name, root / "locales" / name)
    for locale in CLINIC_LOCALES:
        shutil.copy(
            REPO / "locales" / locale / "LC_MESSAGES" / "ui.po",
            root / "locales" / locale / "LC_MESSAGES",
        )
    for step in (["extract"], ["update"]):
        done = _program(root, *step)
        assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = clinic_project(tmp_path_factory.mktemp("clinic"))
    done = _program(root, "build", "-f", "html", "-l", "en", "-l", "th", "-l", "vi")
    assert done.returncode == 0, done.stderr
    return root


def _main(root: Path, locale: str, page: str = "methotrexate") -> lxml.html.HtmlElement:
    html = (root / "build" / locale / f"{page}.html").read_text(encoding="utf-8")
    return lxml.html.fromstring(html).find(".//main")


def test_clinic_catalogs_are_complete_and_pass_every_check(clinic: Path) -> None:
    done = _program(clinic, "check", "-l", "th", "-l", "vi")
    assert done.returncode == 0, done.stdout
    assert "th: 0 errors, 0 warnings" in done.stdout and "vi: 0 errors, 0 warnings" in done.stdout
    status = json.loads(_program(clinic, "status", "--json", "-l", "th", "-l", "vi").stdout)
    assert [loc["percent"] for loc in status["locales"]] == [100.0, 100.0]
    for path in (clinic / "locales").rglob("*.po"):
        msgfmt_check(path)


def test_clinic_english_page_renders_every_construct(clinic: Path) -> None:
    main = _main(clinic, "en")
    boxes = main.xpath("div[contains(@class, 'admonition')]")
    assert [b.get("class").split()[1] for b in boxes] == ["warning", "warning", "note", "danger"]
    assert [b.xpath("string(p[@class='admonition-title'])") for b in boxes] == [
        "Take it once a week, not every day",
        "Do not stop your medicine.",
        "Note",
        "Caution",
    ]
    assert [d.findtext("summary") for d in main.iter("details")] == [
        "What if I miss a dose?",
        "Can I drink alcohol?",
    ]
    assert all(d.find("p") is not None for d in main.iter("details"))  # Markdown answers
    assert [e.tag for e in main.xpath("dl/*")] == ["dt", "dd", "dt", "dd"]
    assert len(main.xpath(".//a[@class='footnote-ref']")) == 2
    assert len(main.xpath("div[@class='footnote']/ol/li")) == 2
    assert {a.get("title") for a in main.iter("abbr")} == {"methotrexate"}
    assert main.xpath("string(div[@class='callout']/b)") == "1669"
    assert [td.text for td in main.iter("td")] == [
        "Monday to Friday",
        "08:00–17:00",
        "Saturday",
        "08:00–12:00",
    ]
    assert main.find(".//img").get("alt") == "A weekly pill box with the MTX day marked"
    text = main.text_content()
    for syntax in ("!!!", "[^", "*[", "[!NOTE]", "[!CAUTION]", "<details", "<b>", "\n:"):
        assert syntax not in text


def _skeleton(main: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """The elements of a page body that do not depend on the words: blocks, links,
    footnote references, images."""
    kept = {
        "p",
        "div",
        "details",
        "summary",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "th",
        "td",
        "h1",
        "h2",
        "h3",
        "ol",
        "ul",
        "li",
        "sup",
        "a",
        "img",
        "strong",
        "b",
        "hr",
    }
    return [(e.tag, e.get("class") or "") for e in main.iter() if e.tag in kept]


@pytest.mark.parametrize("locale", ["th", "vi"])
def test_clinic_translated_page_keeps_no_english_and_the_same_elements(
    clinic: Path, locale: str
) -> None:
    main = _main(clinic, locale)
    english_main = _main(clinic, "en")
    assert main.xpath(".//*[@lang]") == []  # nothing fell back to English
    assert not main.xpath(".//*[@class='notice']")
    assert _skeleton(main) == _skeleton(english_main)
    page = segments.parse((CLINIC / "source" / "methotrexate.md").read_text(encoding="utf-8"), "x")
    po = polib.pofile(str(clinic / "locales" / locale / "LC_MESSAGES" / "methotrexate.po"))
    same = {e.msgid for e in po if e.msgstr == e.msgid}  # a drug's name, kept on purpose
    shown = " ".join(main.text_content().split())
    attributes = [v for e in main.iter() for k, v in e.attrib.items() if k in ("alt", "title")]
    for seg in page.segments:
        plain = re.sub(r"<[^>]+>|\*\*|\[\^\w+\]|\[([^\]]*)\]\([^)]*\)", r"\1", seg.text).strip()
        words = re.search(r"[A-Za-z]{3}", plain)  # "08:00–17:00" is no English
        if seg.text in same or not words or seg.kind in ("title", "description"):
            continue
        assert plain not in shown, (locale, plain)
        assert all(plain not in value for value in attributes), (locale, plain)


# --- the clinic pages in a browser and on paper -----------------------------------------


def test_clinic_collapsible_answers_open_in_a_browser(clinic: Path) -> None:
    from test_browser import CHROMIUM_ARGS, _chromium, _unavailable

    executable = _chromium()
    if executable is None:
        _unavailable("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as manager:
        chromium = manager.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 400, "height": 900})
        page.goto((clinic / "build" / "th" / "methotrexate.html").as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        answer = page.locator("details").nth(1).locator("p")
        assert not answer.is_visible()
        page.locator("summary").nth(1).click()
        assert answer.is_visible()
        assert "4 หน่วย" in answer.inner_text()
        failed = page.evaluate(
            "Array.from(document.fonts).filter(f => f.status === 'error').map(f => f.family)"
        )
        chromium.close()
    assert failed == []


DOSES = {
    "Children's dose: 10–15 mg∕m² once a week.",
    "Never take more than 25 mg a week; the weekly dose ÷ 7 is not a daily dose.",
    "Blood tests every 2–4 weeks (± 1 week); vitamin D ≤ 25 µg a day.",
}


def test_clinic_dose_sentences_keep_every_character_in_the_pdf_text(
    tmp_path: Path, handout_browser: str
) -> None:
    """Real Khmer, Thai, Burmese, Lao and Vietnamese sentences with a division slash, a
    division sign, plus-minus, at-most and micrograms: printed, then read back."""
    root = clinic_project(tmp_path)
    argv = ["build", "-f", "pdf", *(a for loc in CLINIC_LOCALES for a in ("-l", loc))]
    done = _program(root, *argv)
    assert done.returncode == 0, done.stderr
    for locale in CLINIC_LOCALES:
        po = polib.pofile(str(root / "locales" / locale / "LC_MESSAGES" / "doses.po"))
        pdf = root / "build" / locale / "doses.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        flat = "".join(text.split())
        for entry in po:
            if entry.msgid in DOSES:
                assert "".join(entry.msgstr.split()) in flat, (locale, entry.msgstr)
        for symbol in "\u2215÷±≤µ":
            assert symbol in text, (locale, symbol)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert "NotoSansMath-Regular" in fonts  # the division slash and ≤ come from it
    assert Counter(DOSES) == Counter(e.msgid for e in po if e.msgid in DOSES)
