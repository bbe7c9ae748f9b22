"""pipeline.po.write writes what polib + one `msgcat --force-po` per catalog wrote, byte
for byte (tests/layout_reference.py keeps that old path as the oracle), with at most
one msgcat process per call."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import layout_reference
import polib
import pytest
from conftest import CORPUS, REPO, msgfmt_check, needs_corpus, needs_gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import L10nError
from pipeline.po import catalog, hardwrap, linebreak, msgcat, template
from pipeline.po import write as layout
from pipeline.po.template import Message, dumps_templates

pytestmark = needs_gettext

HEADER = """\
msgid ""
msgstr ""
"Project-Id-Version: t\\n"
"Language: th\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"""

THAI = (
    "ผู้ป่วยเบาหวานชนิดที่ 2 ควรตรวจระดับน้ำตาลในเลือดอย่างสม่ำเสมอ"
    "และปรึกษาแพทย์ก่อนเปลี่ยนยาหรือขนาดยาทุกครั้ง เพื่อความปลอดภัยของท่าน"
)
KHMER = "អ្នកជំងឺទឹកនោមផ្អែមប្រភេទទី ២ គួរពិនិត្យកម្រិតជាតិស្ករក្នុងឈាមជាប្រចាំហើយពិគ្រោះជាមួយគ្រូពេទ្យមុនពេលផ្លាស់ប្តូរថ្នាំ"
BURMESE = "ဆီးချိုရောဂါအမျိုးအစား ၂ ရှိသူများသည် သွေးတွင်းသကြားဓာတ်ကို ပုံမှန်စစ်ဆေးသင့်ပြီးဆေးမပြောင်းမီ ဆရာဝန်နှင့် တိုင်ပင်သင့်သည်"
LAO = "ຜູ້ປ່ວຍພະຍາດເບົາຫວານຊະນິດທີ 2 ຄວນກວດລະດັບນ້ຳຕານໃນເລືອດເປັນປະຈຳແລະ ປຶກສາທ່ານໝໍກ່ອນປ່ຽນຢາ"
VIETNAMESE = (
    "Người bệnh đái tháo đường típ 2 nên kiểm tra đường huyết thường xuyên và "
    "hỏi ý kiến bác sĩ trước khi thay đổi thuốc hoặc liều dùng của mình."
)
URL = "https://example.org/" + "very-long-path-segment/" * 5 + "index.html?q=1&r=2"


def _assert_same(catalogs: list[polib.POFile]) -> None:
    expected = [layout_reference.dumps(po) for po in catalogs]
    for got, want in zip(layout.dumps_many(catalogs), expected, strict=True):
        assert got.splitlines() == want.splitlines()
        assert got == want


def _corpus_catalogs(root: Path) -> list[polib.POFile]:
    found = []
    for path in sorted([*root.rglob("*.po"), *root.rglob("*.pot")]):
        try:
            found.append(catalog.load(path))
        except L10nError:
            continue  # what catalog.load rejects is never written
    return found


@needs_corpus
def test_every_corpus_catalog_is_laid_out_as_before() -> None:
    catalogs = _corpus_catalogs(CORPUS)
    assert len(catalogs) >= 35  # 45 files, 6 of them rejected by catalog.load
    _assert_same(catalogs)


def test_every_project_catalog_is_laid_out_as_before() -> None:
    catalogs = _corpus_catalogs(REPO / "locales")
    assert catalogs
    _assert_same(catalogs)


def _entries(*entries: str, header: str = HEADER) -> polib.POFile:
    return catalog.parse(header + "\n" + "\n".join(entries), "t.po")


def test_weblate_flags_survive_in_gnu_order() -> None:
    _assert_same(
        [
            _entries(
                '#, ignore-same, python-format, fuzzy, c-format\nmsgid "a %s"\nmsgstr "b %s"\n',
                '#, fuzzy, ignore-same\nmsgid "untranslated fuzzy"\nmsgstr ""\n',
                '#, ignore-end-stop, max-length:80\nmsgid "only weblate"\nmsgstr "x"\n',
                '# note\n#. extracted\n#: a.md:1\n#, ignore-same\nmsgid "c"\nmsgstr "d"\n',
                "#, no-wrap, c++-format, wrap, no-python-format, python-format\n"
                'msgid "e"\nmsgstr "f"\n',
                '#, range: 1..5, c-format, ignore-same\nmsgid "%d file"\nmsgid_plural "%d files"\n'
                'msgstr[0] "x"\nmsgstr[1] "y"\n',
            )
        ]
    )


def test_catalogs_sharing_an_entry_msgcat_lays_out() -> None:
    """A range flag leaves an entry's comments to msgcat; a second catalog with the same
    entry (a page in another locale) takes the first one's lines, still waiting for it."""
    shared = '#. note\n#: a.md:3\n#, range: 1..5, c-format\nmsgid "%d file"\nmsgstr "x %d"\n'
    _assert_same(
        [
            _entries(shared, 'msgid "plain"\nmsgstr "th"\n'),
            _entries('msgid "plain"\nmsgstr "vi"\n', shared),
        ]
    )


def test_obsolete_previous_plural_context_and_fuzzy_header() -> None:
    header = "# Header comment\n#\n#, fuzzy\n" + HEADER
    _assert_same(
        [
            _entries(
                'msgctxt "menu"\nmsgid "Open"\nmsgstr "เปิด"\n',
                '#, fuzzy\n#| msgctxt "old"\n#| msgid "Old text"\nmsgctxt "new"\nmsgid "New text"\n'
                'msgstr "ข้อความ"\n',
                'msgid "%d day"\nmsgid_plural "%d days"\nmsgstr[0] "%d วัน"\nmsgstr[1] "%d วัน"\n',
                '#, fuzzy\n#~| msgid "Previous obsolete"\n#~ msgid "Obsolete"\n#~ msgstr "เลิกใช้"\n',
                '#~ msgid "Obsolete untranslated"\n#~ msgstr ""\n',
                '#~ msgctxt "c"\n#~ msgid "one"\n#~ msgid_plural "many"\n#~ msgstr[0] "x"\n'
                '#~ msgstr[1] "y"\n',
                header=header,
            )
        ]
    )


def _long_entries(prefix: str = "", flags: str = "#, python-format\n") -> list[str]:
    texts = [
        THAI,
        KHMER,
        BURMESE,
        LAO,
        VIETNAMESE,
        URL,
        f"see {URL} now",
        f"{THAI}\n{KHMER}\n",
        f"Line one\nLine two {LAO}\n{URL}\n",
        'a\tb "q" \\ c\n',
        'tab\there\nquote " and backslash \\ and \a bell\n',
        "end with newline\n",
        "\n",
        "",
        "x" * 200,
        ("word " * 40).strip(),
        THAI * 3,
    ]
    return [
        f'{flags}{prefix}msgid "{catalog_escape(f"{i} {t}")}"\n'
        f'{prefix}msgstr "{catalog_escape(t + " %(n)s")}"\n'
        for i, t in enumerate(texts)
    ]


def catalog_escape(text: str) -> str:
    for char, esc in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\t", "\\t"), ("\a", "\\a")):
        text = text.replace(char, esc)
    return text


def test_long_strings_in_every_script_and_escape() -> None:
    _assert_same(
        [
            _entries(*_long_entries()),
            _entries(*_long_entries("#~ ")),
            _entries(*_long_entries(flags="")),
            _entries(*_long_entries("#~ ", "")),
        ]
    )


def test_without_libunistring_msgcat_breaks_the_long_strings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(linebreak, "_lines", lambda *_args: None)
    monkeypatch.setattr(linebreak, "_english_lines", lambda *_args: None)
    _assert_same([_entries(*_long_entries(flags="")), _entries(*_long_entries("#~ ", ""))])


def test_libunistring_breaks_as_msgcat_does() -> None:
    """Thousands of strings mixing every script, escapes and punctuation, under every
    line prefix and keyword: linebreak's lines against one msgcat run over them all."""
    assert linebreak.available(), "libunistring (installed with gettext) cannot be loaded"
    rng = random.Random(5)
    alphabet = (
        list("aZ09 .,;:!?-/()[]\"'\\%{}\t\n&=+*#@<>|~_")
        + list(THAI[:40])
        + list(KHMER[:30])
        + list(BURMESE[:30])
        + list(LAO[:30])
        + list(VIETNAMESE[:50])
        + ["中", "文", "😀", "\u200b", "\u00a0", "\u0301", "\u2014", "\u00ab", "\u00bb", "\u3002"]
    )
    words = [THAI, KHMER, BURMESE, LAO, VIETNAMESE, URL, "word", "a-b", "50–300", "4:1"]
    places = [
        ("", "msgid"),
        ("", "msgstr"),
        ("", "msgctxt"),
        ("", "msgid_plural"),
        ("", "msgstr[1]"),
        ("#~ ", "msgid"),
        ("#~ ", "msgstr"),
        ("#| ", "msgid"),
        ("#| ", "msgctxt"),
        ("#~| ", "msgid"),
    ]
    batch, cases = hardwrap.Batch(), []
    for n in range(3000):
        if n % 3:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(60, 400)))
        else:
            text = " ".join(
                rng.choice(words)[: rng.randint(1, 90)] for _ in range(rng.randint(2, 12))
            )
        prefix, keyword = rng.choice(places)
        cases.append((prefix, keyword, text, batch.string(prefix, keyword, "", text)))
    pieces = batch.resolve(msgcat.executable())
    assert pieces is not None
    for prefix, keyword, text, ref in cases:
        assert list(linebreak.lines(prefix, keyword, text, layout.WRAP)) == pieces[ref], text


def test_line_length_boundaries() -> None:
    """Strings around 79 columns for every keyword and line prefix."""
    entries = []
    for n in range(60, 84):
        for text in ("a" * n, "a " * (n // 2), "é" * n, "ก" * n, "中" * (n // 2)):
            body = catalog_escape(text[:n])
            entries.append(f'msgctxt "{n}{text[:3]}"\nmsgid "{body}"\nmsgstr "{body}"\n')
            entries.append(f'#~ msgctxt "o{n}{text[:3]}"\n#~ msgid "{body}"\n#~ msgstr "{body}"\n')
            entries.append(
                f'#| msgid "{body}"\nmsgctxt "p{n}{text[:3]}"\nmsgid "x"\n'
                f'msgid_plural "y"\nmsgstr[0] "{body}"\nmsgstr[1] "{body}\\n{body}"\n'
            )
    _assert_same([_entries(*entries)])


def test_long_comments_and_references() -> None:
    refs = " ".join(f"source/a-very-long-directory-name/page-{i:03}.md:{i}" for i in range(30))
    _assert_same(
        [
            _entries(
                f"# {'translator note ' * 12}\n#. {'extracted note ' * 12}\n#: {refs}\n"
                'msgid "a"\nmsgstr "b"\n',
                "#: ./a.md:007 a.md:7 ./a.md:7 b.md c*d-e.md:3\n#:  spaced.md:1\n"
                'msgid "c"\nmsgstr "d"\n',
                "#  File: x.c, line: 3\n# \n#   indented\n#.\n#: x:y:1 1 2:3\n"
                'msgid "e"\nmsgstr "f"\n',
                f"#: {'x' * 90}.md:1 y.md:2\n#, no-wrap\n"
                f'msgid "{"long no-wrap " * 10}"\nmsgstr "{"z " * 60}\\n{"w " * 60}"\n',
            )
        ]
    )


def test_model_built_in_code() -> None:
    """Catalogs built through polib's API, not read from text."""
    po = polib.POFile()
    po.header = ",fuzzy\n:a.md:1\nFile: y.c, line: 3\nplain"
    po.metadata = {"Project-Id-Version": "x", "Content-Type": "text/plain; charset=CHARSET"}
    po.metadata_is_fuzzy = True
    po.append(
        polib.POEntry(
            msgid="a",
            msgstr="b",
            flags=["ignore-same", "fuzzy"],
            tcomment="line one\n\nline three",
            comment="c" * 100,
            occurrences=[("x.md", "1"), ("x.md", "1"), ("y.md", "")],
        )
    )
    po.append(polib.POEntry(msgid="p", msgid_plural="ps", msgstr_plural={1: "b", 0: "a"}))
    po.append(polib.POEntry(msgid="o", msgstr="", obsolete=True, flags=["fuzzy"]))
    bare = polib.POFile()
    bare.append(polib.POEntry(msgid="x", msgstr="y"))
    duplicates = polib.POFile()
    duplicates.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    duplicates.append(polib.POEntry(msgid="x", msgstr="y"))
    duplicates.append(polib.POEntry(msgid="x", msgstr="z", obsolete=True))
    _assert_same([po, bare, duplicates])


_TEXT = st.text(
    alphabet=st.sampled_from(
        list("aZ09 .,;:!?-/()[]\"'\\%{}\t\n")
        + list(THAI[:30])
        + list(KHMER[:20])
        + list(BURMESE[:20])
        + list(VIETNAMESE[:40])
        + ["中", "文", "😀", "\u200b", "\u00a0"]
    ),
    max_size=240,
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(_TEXT, _TEXT, st.booleans(), st.booleans()),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    )
)
def test_random_strings(rows: list[tuple[str, str, bool, bool]]) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for i, (msgid, msgstr, obsolete, python) in enumerate(rows):
        po.append(
            polib.POEntry(
                msgctxt=str(i),
                msgid=msgid,
                msgstr=msgstr,
                obsolete=obsolete,
                previous_msgid=msgstr[::-1] if python else None,
                flags=["python-format"] if python else ["ignore-same"],
            )
        )
    _assert_same([po])


def test_one_msgcat_process_for_many_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogs = [_entries(*_long_entries()) for _ in range(20)]
    expected = [layout_reference.dumps(po) for po in catalogs]
    calls = []
    real = subprocess.run

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    assert layout.dumps_many(catalogs) == expected
    assert len(calls) == 1
    short = [_entries('msgid "short"\nmsgstr "สั้น"\n') for _ in range(5)]
    expected = [layout_reference.dumps(po) for po in short]
    calls.clear()
    assert layout.dumps_many(short) == expected
    assert calls == []  # nothing needed msgcat


def _content(po: polib.POFile) -> list[tuple]:
    """Everything a catalog says, whatever its layout."""
    return [
        (e.obsolete, e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, dict(e.msgstr_plural))
        + (sorted(e.flags), e.previous_msgid, e.comment, e.tcomment, e.occurrences)
        for e in po
    ]


def test_without_msgcat_the_catalog_is_still_whole_and_valid(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without GNU msgcat to lay them out, catalogs are still written whole: every entry
    reads back as it was, writing it again changes nothing, and only the layout differs
    from GNU's (msgcat turns it into what is written when msgcat is there)."""
    po = _entries(*_long_entries())
    gnu = layout.dumps_many([po])[0]
    which = msgcat.shutil.which
    monkeypatch.setattr(
        msgcat.shutil, "which", lambda name: None if name == "msgcat" else which(name)
    )
    text = layout.dumps_many([po])[0]
    assert catalog.dumps(po) == text
    again = catalog.parse(text, "t.po")
    assert _content(again) == _content(catalog.parse(gnu, "t.po"))
    assert catalog.dumps(again) == text
    path = tmp_path / "t.po"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([which("msgcat"), "--force-po", str(path)], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode("utf-8") == gnu


# --- templates written straight from extraction's messages (po/template.py) -------------


def _template_header(notes: str = "") -> polib.POFile:
    from datetime import UTC, datetime

    from pipeline.extract import Header, new_catalog

    pot = new_catalog(Header("t", datetime(2026, 1, 1, tzinfo=UTC), "Translations of x."))
    pot.header += notes
    return pot


def _assert_templates_same(templates: list[list[Message]], notes: str = "") -> None:
    """Each template as the polib model of it, written by polib and msgcat, reads; where
    a comment holds a backslash, polib's text is what GNU misreads (a line ending in one
    is joined to the next), so GNU's own reading of ours must give it back unchanged."""
    laid = dumps_templates([(_template_header(notes), messages) for messages in templates])
    for messages, got in zip(templates, laid, strict=True):
        valid = all(message.msgid for message in messages)  # else GNU refuses both alike
        if valid and any("\\" in message.comment for message in messages):
            done = subprocess.run(
                ["msgcat", "--force-po", "-"], input=got, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
            assert done.stdout == got
            continue
        want = layout_reference.dumps(template.catalog(_template_header(notes), messages))
        assert got.splitlines() == want.splitlines()
        assert got == want


def test_templates_in_every_script_with_long_comments_and_references() -> None:
    many = tuple((f"source/a-long-folder-name/page-{i:03}.md", i) for i in range(30))
    messages = [
        Message(text, f"paragraph · {text[:60]}\n{'a note ' * 14}", many[: n + 1])
        for n, text in enumerate([THAI, KHMER, BURMESE, LAO, VIETNAMESE, URL, f"see {URL}"])
    ]
    messages += [
        Message("Take %(dose)s twice " * 6, "list item", (("p.md", 3),), ("python-format",)),
        Message("two  \nlines", "paragraph\n\nafter a blank line", (("p.md", 0), ("p.md", 0))),
        Message('tab\tand "quotes" and \\', "", (("./p.md", 9),)),
        Message("", "the header's msgid", (("p.md", 1),)),  # GNU refuses it: the slow path
    ]
    _assert_templates_same([messages[:-1], messages[-1:], [], messages[:2]])
    laid = template.bodies([messages[:-1], messages[-1:], []])
    assert laid[0] is not None and laid[1] is None and laid[2] == ""  # written here: not None


def test_templates_gnu_would_read_otherwise_go_the_slow_way() -> None:
    odd = [
        Message("control", "a\x01b", (("p.md", 1),)),
        Message("space", "c", (("my page.md", 2),)),
        Message("star", "d", (("a*b.md", 3),)),
        Message("colon", "e", (("a:b.md", 4), (":x.md", 5))),
        Message("isolate", "f", (("a\u2068b.md", 6),)),
        Message("huge line", "g", (("p.md", 10**10),)),
        Message("range", "h", (("p.md", 1),), ("range: 1..5",)),
        Message("comment # File: x, line: 1", "# File: x.c, line: 3", (("p.md", 1),)),
    ]
    _assert_templates_same([[message] for message in odd] + [odd])
    # an extracted comment is never read as a Solaris reference: that one is plain
    laid = template.bodies([[message] for message in odd])
    assert laid[:-1] == [None] * 7 and isinstance(laid[-1], str)
    _assert_templates_same([odd[:2]], notes="\nNot translatable: p.md:3: <video> left out")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(_TEXT, _TEXT, st.integers(0, 10**6), st.booleans()),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    )
)
def test_random_templates(rows: list[tuple[str, str, int, bool]]) -> None:
    messages = [
        Message(msgid, comment, (("source/p.md", line),), ("python-format",) if python else ())
        for msgid, comment, line, python in rows
    ]
    _assert_templates_same([messages])


WRAPPED_AT_A_BACKSLASH = (
    "a path like C:\\temp\\ and more words so that the wrapped line breaks right after "
    "the backslash\\ here"
)


@pytest.mark.parametrize(
    "comment",
    [
        "\\",
        "a note\\\nnext",
        "\\\n\\",
        WRAPPED_AT_A_BACKSLASH,
        "a note long enough to be wrapped over two lines by the writer, ending in a backslash \\",
    ],
)
def test_a_comment_line_ending_in_a_backslash_keeps_the_reference(comment: str) -> None:
    """GNU joins a line ending in a backslash to the next, as written or as wrapping left
    it: such a line gets a space after it, so msgcat keeps the reference as a reference."""
    messages = [Message("0", comment, (("source/p.md", 1),))]
    _assert_templates_same([messages])
    (laid,) = dumps_templates([(_template_header(), messages)])
    assert "\n#: source/p.md:1\n" in laid
    assert not [line for line in laid.split("\n") if line.endswith("\\")]


def test_a_catalogs_comments_ending_in_a_backslash_keep_what_follows(tmp_path: Path) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(
        polib.POEntry(
            msgid="Hello",
            msgstr="สวัสดี",
            tcomment=WRAPPED_AT_A_BACKSLASH,
            comment="kept apart \\",
            occurrences=[("source/p.md", "3")],
            flags=["fuzzy"],
        )
    )
    path = tmp_path / "th.po"
    path.write_text(layout.dumps_many([po])[0], encoding="utf-8")
    msgfmt_check(path)
    back = subprocess.run(["msgcat", str(path)], capture_output=True, text=True, check=True).stdout
    assert "#: source/p.md:3" in back and "#, fuzzy" in back


def test_templates_without_msgcat_are_what_dumps_many_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages = [Message(THAI, "paragraph", (("p.md", 1),)), Message("b", "c", (("p.md", 2),))]
    which = msgcat.shutil.which
    monkeypatch.setattr(
        msgcat.shutil, "which", lambda name: None if name == "msgcat" else which(name)
    )
    laid = dumps_templates([(_template_header(), messages)])
    assert laid == layout.dumps_many([template.catalog(_template_header(), messages)])


def test_comments_wrap_as_textwrap_wraps_them() -> None:
    """Long comment lines: words at every length around the width, and random runs of
    words, hyphens, tabs and wide characters."""
    import textwrap

    texts = [
        f"{'a' * n} {'b' * m} {'c' * k}" for n in range(70, 82) for m in (1, 5, 80) for k in (1, 9)
    ]
    texts += [" ".join(["word"] * n) for n in range(15, 40)]
    rng = random.Random(3)
    alphabet = list("abcdé中😀") * 4 + ["-", "\t", "\u00a0", " ", "--"]
    for _ in range(3000):
        words = [
            "".join(rng.choices(alphabet, k=rng.randint(0, 14))) for _ in range(rng.randint(6, 16))
        ]
        texts.append(" ".join(words))
    for text in texts:
        for prefix in ("#. ", "# "):
            if len(text) + len(prefix) > layout.WRAP:
                expected = textwrap.wrap(
                    text,
                    layout.WRAP,
                    initial_indent=prefix,
                    subsequent_indent=prefix,
                    break_long_words=False,
                )
                assert layout.polib_wrapped(text, prefix) == expected, text
