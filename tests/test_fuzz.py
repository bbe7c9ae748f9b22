"""Property-based tests (hypothesis): random and mutated catalogs and Markdown pages.

Whatever comes in, the only exception is L10nError (a plain message, exit code 2); for
valid inputs nothing is lost: every translated entry survives a write and a read, and an
update against its own template.  Example counts are modest so that the file runs in
well under a minute.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import polib
import pytest
from conftest import make_project
from hardening_support import TH_PO, cli, page_project, template_for
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pipeline import segments
from pipeline.errors import L10nError
from pipeline.po import catalog
from pipeline.po.merge import merge
from pipeline.site.render import Message, translate_page

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]
FAST = settings(max_examples=100, deadline=None, suppress_health_check=_HEALTH)  # in memory
WRITES = settings(max_examples=25, deadline=None, suppress_health_check=_HEALTH)  # msgcat
SLOW = settings(max_examples=10, deadline=None, suppress_health_check=_HEALTH)  # the CLI

_PROJECTS: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def _work(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where this module's projects live (made once, reused by every example)."""
    _PROJECTS["work"] = tmp_path_factory.mktemp("fuzz")
    yield
    shutil.rmtree(_PROJECTS.pop("work"), ignore_errors=True)
    _PROJECTS.clear()


def _project(name: str) -> Path:
    """One translated project per test, made on first use and reused by its examples."""
    if name not in _PROJECTS:
        _PROJECTS[name] = page_project(_PROJECTS["work"] / name)
    return _PROJECTS[name]


def _clean(result) -> None:
    assert result.code in (0, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


# Catalogs ---------------------------------------------------------------------------------

SAMPLE = catalog.dumps(
    catalog.parse(
        """\
# A translator's comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#. heading 1
#: source/page.md:3
msgid "Systemic sclerosis"
msgstr "โรคหนังแข็ง"

#, fuzzy
#| msgid "Old \\"quoted\\" text"
msgid "New \\"quoted\\" text\\twith a tab"
msgstr "ข้อความ\\n"
"สองบรรทัด"

msgctxt "menu"
msgid "Close"
msgstr "ปิด"

msgid "One file"
msgid_plural "%d files"
msgstr[0] "ไฟล์ %d"
msgstr[1] "ไฟล์ %d ไฟล์"

#~ msgid "Gone"
#~ msgstr "หายไป"
""",
        "sample.po",
    )
)

TOKENS = [
    '"',
    "\\",
    "\n",
    "#",
    "#~ ",
    "#| ",
    "#|\n",
    "#, fuzzy\n",
    "msgid ",
    "msgstr ",
    "msgstr[0] ",
    "msgstr[7] ",
    "msgctxt ",
    "msgid_plural ",
    '""',
    "\\x",
    "\\n",
    "\\q",
    "\r",
    "\r\n",
    "\ufeff",
    "\u2028",
    "\x85",
    "é",
    "ไทย",
    "\t",
    " ",
    "charset=latin-1",
    "charset=NOPE",
    'msgid "Close"\nmsgstr "x"\n',
    "\n\n",
    "\x02",
    "\x1c",
]


@st.composite
def mutated_text(draw) -> str:
    text = SAMPLE
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "delete", "replace", "swap lines"]))
        if how == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif how == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif how == "replace":
            text = text[:at] + draw(st.characters(blacklist_categories=["Cs"])) + text[at + 1 :]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@st.composite
def mutated_bytes(draw) -> bytes:
    data = bytearray(draw(mutated_text()).encode(draw(st.sampled_from(["utf-8", "utf-8-sig"]))))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.binary(min_size=1, max_size=4))
    return bytes(data)


# Inputs that once broke the reader, or sit on an edge GNU gettext defines: tried on every
# run, whatever the random examples are.
KNOWN_TEXTS = [
    SAMPLE.replace('#| msgid "Old', '#|\n#| msgid "Old'),  # a bare `#|` line: GNU skips it
    SAMPLE.replace('#| msgid "Old', '#|   \n#| msgid "Old'),
    "#|\n",
    '#|\nmsgid "New"\nmsgstr "Nouveau"\n',
    SAMPLE[SAMPLE.index("#. heading 1") :],  # no header entry: a header is optional
    'msgid "Close"\nmsgstr "x"\n',
    "# only a comment\n",
    'msgid "a\u2028b"\nmsgstr "c\x85d"\n',  # line separators inside strings, not lines
    SAMPLE.replace('msgstr[1] "', 'msgstr[7] "'),  # a plural form the header lacks
    SAMPLE.replace("ข้อความ\\n", "ข้อความ\\x"),  # \x without hex digits
    SAMPLE.replace("charset=UTF-8", "charset=NOPE"),
]
KNOWN_BYTES = [
    b"\xef\xbb\xbf" + SAMPLE.replace("\n", "\r\n").encode(),  # a BOM and CRLF
    SAMPLE.encode().replace(b"\n", b"\r"),  # old Mac line ends
    b"#|\n",
    SAMPLE.replace("charset=UTF-8", "charset=ISO-8859-1").encode("utf-8"),
    b"",
    b"\x00",
]


def with_examples(cases):
    """Decorate a @given test with an explicit @example for each case."""

    def apply(test):
        for case in reversed(cases):
            test = example(case)(test)
        return test

    return apply


def _read(data: bytes) -> polib.POFile | None:
    """decode + parse, as catalog.load does: a catalog, or None after a clean error."""
    try:
        return catalog.parse(catalog.decode(data, "x.po"), "x.po")
    except L10nError as exc:
        assert re.match(r"x\.po:\d+: \S", str(exc)), str(exc)  # names the line
        assert "\n" not in str(exc)
        return None


def _stable(po: polib.POFile) -> None:
    """What was accepted is written in a form that reads back the same."""
    text = catalog.dumps(po)
    again = catalog.parse(text, "x.po")
    assert catalog.dumps(again) == text
    assert _entries(again) == _entries(po)


def _entries(po: polib.POFile) -> dict:
    """Every entry's translation and fuzziness, as gettext sees them: `fuzzy` means nothing
    on an untranslated entry, and an untranslated obsolete entry is nothing (msgcat drops
    both)."""
    found = {}
    for e in po:
        done = all(e.msgstr_plural.values()) if e.msgstr_plural else bool(e.msgstr)
        if e.obsolete and not (e.msgstr or any(e.msgstr_plural.values())):
            continue
        found[(e.msgctxt, e.msgid, bool(e.obsolete))] = (
            e.msgstr,
            dict(e.msgstr_plural),
            done and "fuzzy" in e.flags,
        )
    return found


@FAST
@given(st.binary(max_size=3000))
@with_examples(KNOWN_BYTES + [t.encode() for t in KNOWN_TEXTS])
def test_random_bytes_are_a_catalog_or_a_clean_error(data: bytes) -> None:
    po = _read(data)
    if po is not None:
        _stable(po)


@FAST
@given(mutated_text())
@with_examples(KNOWN_TEXTS)
def test_mutated_catalog_text(text: str) -> None:
    try:
        po = catalog.parse(text, "x.po")
    except L10nError as exc:
        assert re.match(r"x\.po:\d+: \S", str(exc)), str(exc)
        return
    _stable(po)


@WRITES
@given(mutated_bytes())
@with_examples(KNOWN_BYTES[:4])
def test_mutated_catalog_files_through_load(data: bytes) -> None:
    with tempfile.NamedTemporaryFile(suffix=".po", dir=_PROJECTS["work"]) as handle:
        handle.write(data)
        handle.flush()
        try:
            po = catalog.load(Path(handle.name), "locales/x.po")
        except L10nError as exc:
            assert str(exc).startswith("locales/x.po:"), str(exc)
            return
    _stable(po)


@SLOW
@given(mutated_bytes())
@with_examples(KNOWN_BYTES[2:4])
def test_mutated_catalog_through_update_and_status(data: bytes) -> None:
    root = _project("update")
    path = root / TH_PO
    good = path.read_bytes()
    try:
        path.write_bytes(data)
        for command in (["update"], ["status"]):
            result = cli(command, root)
            _clean(result)
            if result.code == 2:
                assert path.read_bytes() == data  # a failing command changes nothing
                assert result.err.startswith(f"error: {TH_PO}:"), result.err
                assert len(result.err.splitlines()) == 1
                break
            written = path.read_bytes()
            catalog.load(path)  # what update wrote reads back
            assert b"\r" not in written and not written.startswith(b"\xef\xbb\xbf")
    finally:
        path.write_bytes(good)


# Valid catalogs lose nothing -----------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=60
)
WORDS = st.text(
    alphabet=st.sampled_from(list('ab "\\\n\t\r%{}#~|:ไทยếẫ\u2028\x0c€😀')), min_size=1, max_size=40
)


@st.composite
def valid_catalogs(draw) -> polib.POFile:
    po = polib.POFile(wrapwidth=catalog.WRAP)
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    keys = set()
    for _ in range(draw(st.integers(1, 8))):
        msgid = draw(st.one_of(TEXT, WORDS).filter(bool))
        msgctxt = draw(st.one_of(st.none(), WORDS))
        obsolete = draw(st.booleans()) and draw(st.booleans())
        if (msgctxt, msgid) in keys:
            continue
        keys.add((msgctxt, msgid))
        entry = polib.POEntry(msgid=msgid, msgctxt=msgctxt, obsolete=obsolete)
        if draw(st.booleans()):
            entry.msgid_plural = draw(WORDS)
            entry.msgstr_plural = {0: draw(st.one_of(TEXT, WORDS)), 1: draw(st.one_of(TEXT, WORDS))}
        else:
            entry.msgstr = draw(st.one_of(TEXT, WORDS))
        forms = list(entry.msgstr_plural.values()) or [entry.msgstr]
        if all(forms) and draw(st.booleans()):  # gettext drops it from untranslated ones
            entry.flags.append("fuzzy")
        entry.obsolete = obsolete and all(forms)  # and drops untranslated obsolete entries
        if not obsolete and draw(st.booleans()):
            entry.tcomment = " ".join(
                draw(st.lists(st.sampled_from(["note", "ไทย", "4:1"]), min_size=1, max_size=3))
            )
            entry.occurrences = [("source/page.md", str(draw(st.integers(1, 999))))]
        po.append(entry)
    return po


@WRITES
@given(valid_catalogs())
def test_valid_catalog_round_trip_loses_nothing(po: polib.POFile) -> None:
    text = catalog.dumps(po)
    again = catalog.parse(text, "x.po")
    assert _entries(again) == _entries(po)
    assert catalog.dumps(again) == text  # and writing it again changes nothing


@WRITES
@given(valid_catalogs())
def test_update_against_its_own_template_keeps_every_translation(po: polib.POFile) -> None:
    po = catalog.parse(catalog.dumps(po), "x.po")
    merged = catalog.parse(catalog.dumps(merge(po, template_for(po))), "x.po")
    assert _entries(merged) == _entries(po)


@SLOW
@given(valid_catalogs())
def test_cli_update_against_its_own_template_keeps_every_translation(po: polib.POFile) -> None:
    root = _PROJECTS["work"] / "own-template"
    if not root.exists():
        make_project(root, pages={}, pyproject='locales = ["th"]')
        (root / "locales/th/LC_MESSAGES").mkdir(parents=True)
    path = root / "locales/th/LC_MESSAGES/dom.po"
    path.write_text(catalog.dumps(po), encoding="utf-8")
    (root / "locales/dom.pot").write_text(catalog.dumps(template_for(po)), encoding="utf-8")
    result = cli(["update"], root)
    assert result.code == 0, result.output
    assert _entries(catalog.load(path)) == _entries(catalog.parse(catalog.dumps(po), "x.po"))


# Markdown ---------------------------------------------------------------------------------

KNOWN_PAGES = [
    "---\nFoo\n---\n",  # front matter that is not a mapping: a clean error
    "> " * 150 + "deep\n",  # deeper than the nesting limit: a clean error, not a recursion
    "- " * 150 + "x\n",
    "[foo] \n[]\n\n[foo]: /url\n",  # a soft break between a link and its reference
    "A \x02wzxhzdk:0\x03 b\n",  # Python-Markdown's placeholder spelled by the author
    "<!-- i18n: skip -->\n",
    "a\u2028b\x85c\r\nd\re\n",
    "---\ntitle: T\n---\n",
]

MARKDOWN = [
    "# ",
    "## ",
    "> ",
    "- ",
    "* ",
    "1. ",
    "    ",
    "\t",
    "\n",
    "\n\n",
    "*",
    "**",
    "_",
    "`",
    "```\n",
    "~~~\n",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](http://example.org/a)",
    "[ref]",
    "[ref]: https://example.org/r\n",
    "<https://example.org/auto>",
    "|",
    "| a | b |\n| - | - |\n",
    "\\",
    "&amp;",
    "&#60;",
    "&lt;",
    "---\n",
    "title: T\n",
    "***\n",
    "  \n",
    "\r\n",
    "\r",
    "\x02",
    "\x03",
    "\u2028",
    "ไทย",
    "Tiếng Việt",
    "50–300",
    "4:1",
    "%(name)s",
    "{x}",
    "\x00",
]
HTML = [
    "<div>\n",
    "</div>\n",
    "<!-- i18n: a note -->\n",
    "<!-- i18n: skip -->\n",
    "<b>",
    "<script>x</script>",
    "<img src=x onerror=y>",
]
WORD = st.text(alphabet="abcxyz ", min_size=1, max_size=8)


def markdown_text(with_html: bool):
    pieces = st.sampled_from(MARKDOWN + (HTML if with_html else []))
    return st.lists(st.one_of(pieces, WORD), max_size=40).map("".join)


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](https://evil.example/)",
    "<https://evil.example>",
    "&lt;script&gt;",
    "\x02wzxhzdk:0\x03",
    "<span style='x'>y</span>",
    "[x][ref]",
    "*แปล*",
    "**ไทย**",
    "`code`",
    "![i](https://evil.example/p.png)",
    "\\",
    "]",
    "[",
]


@FAST
@given(markdown_text(with_html=True))
@with_examples(KNOWN_PAGES)
def test_random_markdown_parses_or_fails_cleanly(text: str) -> None:
    try:
        page = segments.parse(text, "page.md")
    except L10nError as exc:
        assert str(exc).startswith("page.md"), str(exc)
        return
    for segment in page.segments:
        assert segment.text and segment.text == segment.text.strip()
        assert segment.line >= 1
    # One parse serves extraction and translation: every extracted segment is looked up
    # (and found) when the page is translated with its own English.
    own = {s.text: Message(s.text, "x.po", 1) for s in page.segments}
    translated = translate_page(text, "page.md", "th", own)
    assert translated.segments == len(page.segments)
    assert not translated.fallbacks, [s.text for s in translated.fallbacks]
    assert not translated.warnings, translated.warnings


@FAST
@given(markdown_text(with_html=False), st.data())
def test_hostile_translations_of_random_pages_reach_no_output(text: str, data) -> None:
    try:
        page = segments.parse(text, "page.md")
    except L10nError:
        return
    assume(page.segments)
    messages = {
        s.text: Message(
            data.draw(
                st.lists(st.one_of(st.sampled_from(HOSTILE), WORD), min_size=1, max_size=4).map(
                    "".join
                )
            ),
            "x.po",
            1,
        )
        for s in page.segments
    }
    html = translate_page(text, "page.md", "th", messages).html
    lowered = html.lower()  # text may mention anything; markup may not
    assert "<script" not in lowered and "<span" not in lowered
    for tag in re.findall(r"<[a-z][^>]*>", lowered):
        assert not re.search(r"\son\w+\s*=|\sstyle\s*=", tag), tag
        for url in re.findall(r"(?:href|src)\s*=\s*\"([^\"]*)\"", tag):
            assert url.startswith(("https://example.org/", "http://example.org/")), tag
    assert "\x02" not in html and "\x03" not in html


@SLOW
@given(markdown_text(with_html=True))
@with_examples(KNOWN_PAGES[:2])
def test_random_pages_through_extract_update_and_build(text: str) -> None:
    root = _project("build")
    page = root / "source/random.md"
    page.write_text(text, encoding="utf-8", newline="")
    try:
        for command in (["extract"], ["update"], ["build", "-f", "html", "-j", "1"]):
            result = cli(command, root)
            _clean(result)
            if result.code:
                assert result.err.startswith("error: source/random.md"), result.err
                break
        else:
            html = (root / "build/th/random.html").read_text(encoding="utf-8")
            assert html.count("<main") == 1
    finally:
        page.unlink()
        for leftover in (root / "locales").rglob("random.po*"):
            leftover.unlink()


@FAST
@given(st.text(max_size=60))
def test_sanitizer_shortcut_is_exact(text: str) -> None:
    """Text the sanitiser is not asked about is exactly what it would have returned."""
    import nh3

    from pipeline import safety

    full = nh3.clean(
        text,
        tags=safety.TAGS,
        attributes=safety.ATTRIBUTES,
        url_schemes=safety.SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    assert safety.sanitize(text) == full


@FAST
@given(st.text(max_size=60))
def test_any_string_written_reads_back(text: str) -> None:
    """A catalog written by the pipeline reads back to the same strings."""
    po = polib.POFile(wrapwidth=catalog.WRAP)
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    assume("\x00" not in text and text)
    po.append(polib.POEntry(msgid=text, msgstr=text[::-1]))
    back = catalog.parse(catalog.dumps(po), "x.po")
    assert [(e.msgid, e.msgstr) for e in back] == [(text, text[::-1])]
