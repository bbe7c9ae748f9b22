"""pipeline.po.read: a catalog laid out as GNU writes it is read one entry per match of a
regular expression, and that reading builds exactly what the line-by-line reader builds;
anything else is left to the line reader."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from conftest import CORPUS, REPO, needs_corpus, needs_gettext
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import L10nError
from pipeline.po import catalog, read
from pipeline.po.write import dumps_many


def _model(po: polib.POFile) -> tuple:
    return (
        type(po),
        po.header,
        po.metadata,
        po.metadata_is_fuzzy,
        po.headerless,
        po.wrapwidth,
        po.encoding,
        [(type(e), e.__dict__) for e in po],
    )


def _texts(root: Path) -> list[str]:
    found = []
    for path in sorted([*root.rglob("*.po"), *root.rglob("*.pot")]):
        try:
            found.append(catalog.decode(path.read_bytes(), str(path)))
        except L10nError:
            continue
    return found


def _agree(text: str) -> bool:
    """Whether the fast reading, where it reads `text` at all, is the line reader's; True
    when it read it."""
    fast = read.read_laid_out(text)
    if fast is None:
        return False
    assert _model(fast) == _model(read.read_lines(text))  # the line reader accepts it too
    return True


@needs_corpus
def test_real_catalogs_read_alike() -> None:
    texts = _texts(CORPUS) + _texts(REPO / "locales")
    read_fast = [_agree(text) for text in texts]
    assert len(texts) >= 40
    assert sum(read_fast) >= 20  # most real catalogs are in GNU's layout
    assert not all(read_fast)  # indented, unusual and broken ones are in the corpus too


@needs_corpus
@needs_gettext
def test_what_this_package_writes_is_read_fast_and_alike() -> None:
    catalogs = []
    for text in _texts(CORPUS):
        try:
            catalogs.append(catalog.parse(text, "t.po"))
        except L10nError:
            continue
    written = dumps_many(catalogs)
    assert len(written) >= 30
    for text in written:
        assert _agree(text), text[:300]


def test_every_shape_of_entry_reads_alike() -> None:
    text = "\n".join(
        [
            "# Header comment",
            "#",
            "# second line",
            "#, fuzzy",
            'msgid ""',
            'msgstr ""',
            '"Content-Type: text/plain; charset=UTF-8\\n"',
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
            "",
            "#",
            "# translator  ",
            "#. extracted",
            "#. second",
            "#: a.md:1 b.md c:d.md:x",
            "#: e.md:22",
            "#, fuzzy, c-format",
            '#| msgctxt "old ctx"',
            '#| msgid "old "',
            '#| "id"',
            '#| msgid_plural "olds"',
            'msgctxt "ctx"',
            'msgid "a \\"quoted\\"\\tword\\\\"',
            'msgid_plural ""',
            '"plural "',
            '"form"',
            'msgstr[0] "x"',
            'msgstr[1] ""',
            '"y\\n"',
            "",
            'msgid "long"',
            'msgstr ""',
            '"first line "',
            '"second line"',
            "",
            'msgid "not yet translated"',
            'msgstr ""',
            "",
            "# obsolete note",
            '#~| msgid "was"',
            '#~ msgctxt "c"',
            '#~ msgid "gone"',
            '#~ msgstr ""',
            '#~ "kept "',
            '#~ "too"',
            "",
            '#~ msgid "gone plural"',
            '#~ msgid_plural "gone plurals"',
            '#~ msgstr[0] "a"',
            '#~ msgstr[1] "b"',
            "",
        ]
    )
    assert _agree(text)
    po = read.read(text)
    assert po.header == "Header comment\n\nsecond line"
    first = po[0]
    assert first.tcomment == "translator"  # a leading empty line dropped, as GNU reads it
    assert first.linenum == 10
    assert first.occurrences == [("a.md", "1"), ("b.md", ""), ("c:d.md:x", ""), ("e.md", "22")]
    assert first.msgid == 'a "quoted"\tword\\'
    assert first.previous_msgid == "old id"
    assert first.msgstr_plural == {0: "x", 1: "y\n"}
    assert [e.msgstr for e in po.obsolete_entries()] == ["kept too", ""]
    # For a merge, which takes them from the template: no extracted comments, no places,
    # and an entry of the commonest shape (a msgid and its translation) held lightly.
    bare = read.read(text, places=False)
    assert [{**_fields(e), "comment": "", "occurrences": []} for e in po] == [
        _fields(e) for e in bare
    ]
    kinds = ["POEntry", "PlainEntry", "POEntry", "POEntry", "POEntry"]  # translated only
    assert [type(e).__name__ for e in bare] == kinds


def _fields(entry: polib.POEntry) -> dict:
    """Every attribute of polib's entry model, however the entry holds it."""
    found = {name: getattr(entry, name) for name in polib.POEntry(linenum=0).__dict__}
    return {**found, "flags": list(found["flags"]), "msgstr_plural": dict(found["msgstr_plural"])}


@pytest.mark.parametrize(
    "entry",
    [
        'msgid "a"\n# late comment\nmsgstr "b"\n',  # a comment inside the entry
        'msgid "a"\n\nmsgstr "b"\n',  # an empty line inside the entry
        'msgid  "a"\nmsgstr "b"\n',  # two spaces
        '  msgid "a"\nmsgstr "b"\n',  # indented
        'msgid "\\101"\nmsgstr "b"\n',  # an octal escape
        '#.\nmsgid "a"\nmsgstr "b"\n',  # an empty extracted comment
        '#: a.md:1\n#. after the reference\nmsgid "a"\nmsgstr "b"\n',  # GNU's order changed
        'msgid "a"\nmsgstr "b"\nmsgid "c"\nmsgstr "d"\n',  # no empty line between entries
    ],
)
def test_other_layouts_are_left_to_the_line_reader(entry: str) -> None:
    text = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n' + entry
    assert read.read_laid_out(text) is None
    if "late comment" in entry:  # GNU refuses it: the line reader names the line
        with pytest.raises(L10nError, match=r"t\.po:6: syntax error: unexpected msgstr"):
            catalog.parse(text, "t.po")
        return
    assert _model(read.read(text)) == _model(read.read_lines(text))


def test_an_error_still_names_its_line() -> None:
    text = 'msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b\n'
    with pytest.raises(L10nError, match=r"t\.po:5: unterminated string"):
        catalog.parse(text, "t.po")


_PIECES = [
    "",
    " ",
    "#",
    "#.",
    "#. x",
    "# c",
    "#, fuzzy",
    "#: a.md:3",
    '#| msgid "p"',
    '#| "q"',
    '#~ msgid "o"',
    '#~ msgstr "o"',
    '#~ "r"',
    '#~| msgid "s"',
    'msgctxt "c"',
    'msgid "i"',
    'msgid_plural "j"',
    'msgstr "s"',
    'msgstr[0] "a"',
    'msgstr[1] "b"',
    '"cont"',
    '"e\\\\s\\nc"',
    '"bad\\q"',
    'msgid ""',
]


@needs_corpus
@given(st.data())
def test_changed_catalogs_read_alike(data: st.DataObject) -> None:
    """Lines of a real catalog moved, dropped, doubled or replaced: whatever the fast
    reading accepts, the line reader accepts and reads the same."""
    texts = _SAMPLES or _samples()
    lines = data.draw(st.sampled_from(texts)).split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines) - 1))
        kind = data.draw(st.sampled_from(["insert", "drop", "replace", "swap", "append"]))
        if kind == "insert":
            lines.insert(at, data.draw(st.sampled_from(_PIECES)))
        elif kind == "drop":
            del lines[at]
        elif kind == "replace":
            lines[at] = data.draw(st.sampled_from(_PIECES))
        elif kind == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        else:
            lines[at] += data.draw(st.sampled_from([" ", "x", '"', "\t"]))
        if not lines:
            lines = [""]
    text = "\n".join(lines)
    fast = read.read_laid_out(text)
    if fast is not None:
        assert _model(fast) == _model(read.read_lines(text))


_SAMPLES: list[str] = []


def _samples() -> list[str]:
    """Small real catalogs, read once."""
    found = [t for t in _texts(CORPUS / "po") if t.count("\n") < 400]
    _SAMPLES.extend(found[:30])
    return _SAMPLES
