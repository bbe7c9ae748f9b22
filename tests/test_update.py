"""`l10n init` and `l10n update`: new catalogs, and merging that never loses a translation."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from conftest import (
    CORPUS,
    HAVE_GETTEXT,
    SAMPLE_PAGE,
    age,
    catalogs,
    gettext_valid,
    msgcat_same,
    msgfmt_check,
    needs_corpus,
    needs_gettext,
    snapshot,
    translations,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import segments
from pipeline.errors import L10nError
from pipeline.extract import Header, page_template
from pipeline.locales import plural_forms
from pipeline.po import catalog, merge

TH = "locales/th/LC_MESSAGES/sample.po"
VI = "locales/vi/LC_MESSAGES/sample.po"


def load(path: Path) -> polib.POFile:
    return polib.pofile(str(path))


def edit_catalog(path: Path, change: Callable[[polib.POFile], None]) -> None:
    """What a translator's editor does: read, change, save (GNU layout)."""
    po = catalog.load(path)
    change(po)
    catalog.save(path, po)


def translate_all(po: polib.POFile, prefix: str = "TH ") -> None:
    for entry in po:
        if not entry.obsolete:
            entry.msgstr = prefix + entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")


def by_msgid(po: polib.POFile, obsolete: bool = False) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in po if bool(e.obsolete) == obsolete}


# init ----------------------------------------------------------------------------------


def test_init_creates_a_catalog_per_template_and_locale(initialised: Path) -> None:
    found = sorted(p.relative_to(initialised).as_posix() for p in initialised.rglob("*.po"))
    assert found == [
        f"locales/{loc}/LC_MESSAGES/{domain}.po"
        for loc in ("th", "vi")
        for domain in ("sample", "sub/inner", "ui")
    ]
    for path in initialised.rglob("*.po"):
        po = load(path)
        domain = Path(*path.relative_to(initialised / "locales").parts[2:])
        template = load(initialised / "locales" / domain.with_suffix(".pot"))
        assert [e.msgid for e in po] == [e.msgid for e in template]
        assert [e.comment for e in po] == [e.comment for e in template]
        assert [e.occurrences for e in po] == [e.occurrences for e in template]
        assert all(e.msgstr == "" for e in po)


def test_init_header(initialised: Path) -> None:
    po = load(initialised / TH)
    assert po.metadata["Language"] == "th"
    assert po.metadata["Plural-Forms"] == plural_forms("th") == "nplurals=1; plural=0;"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Content-Transfer-Encoding"] == "8bit"
    assert po.metadata["Language-Team"] == "Thai"
    assert not po.metadata_is_fuzzy
    assert load(initialised / VI).metadata["Language"] == "vi"
    assert (initialised / TH).read_bytes().decode("utf-8")


@needs_gettext
def test_init_catalogs_pass_msgfmt_and_msgcat(initialised: Path) -> None:
    assert gettext_valid(initialised.rglob("*.po")) == 6


@pytest.mark.parametrize("code", ["fil", "km", "my", "lo", "ms", "id", "zh-Hans", "pt_BR"])
def test_init_takes_plural_forms_from_babel(extracted: Path, run, code: str) -> None:
    result = run(["init", code], extracted)
    assert result.code == 0, result.output
    name = code.replace("-", "_")
    po = load(extracted / "locales" / name / "LC_MESSAGES" / "ui.po")
    assert po.metadata["Plural-Forms"] == plural_forms(code)
    assert po.metadata["Language"] == name
    if HAVE_GETTEXT:
        gettext_valid([extracted / "locales" / name / "LC_MESSAGES" / "ui.po"])


def test_init_refuses_to_overwrite(initialised: Path, run) -> None:
    edit_catalog(initialised / TH, translate_all)
    age(initialised.rglob("*.po"))
    before = snapshot(initialised)
    result = run(["init", "km", "th"], initialised)
    assert result.code == 2
    assert result.err.startswith(f"error: {TH}: already exists")
    assert "Traceback" not in result.err
    assert snapshot(initialised) == before  # nor was km created
    assert not (initialised / "locales" / "km").exists()


@pytest.mark.parametrize(
    "code", ["xx-INVALID", "../evil", "", "th/../../etc", "zz", "en_XX", "th/x"]
)
def test_init_invalid_locale(extracted: Path, run, code: str) -> None:
    before = snapshot(extracted)
    result = run(["init", code], extracted)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("error: ") and "locale code" in result.err
    assert repr(code) in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert snapshot(extracted) == before
    names = sorted(p.name for p in (extracted / "locales").iterdir())
    assert names == ["sample.pot", "sub", "ui.pot"]


def test_init_one_bad_code_writes_nothing(extracted: Path, run) -> None:
    before = snapshot(extracted)
    assert run(["init", "th", "../evil"], extracted).code == 2
    assert snapshot(extracted) == before


def test_init_needs_templates(project: Path, run) -> None:
    result = run(["init", "th"], project)
    assert result.code == 2
    assert "l10n extract" in result.err
    assert not (project / "locales" / "th").exists()


def test_init_needs_a_locale(extracted: Path, run) -> None:
    result = run(["init"], extracted)
    assert result.code == 2
    assert "at least one locale" in result.err


# update --------------------------------------------------------------------------------

EDITED_PAGE = (
    SAMPLE_PAGE.replace("# Main Title\n", "# Main Title\n\nPatients should see a doctor early.\n")
    .replace("Item two", "Item number two")
    .replace("## Main Harms", "## Main Harms and Risks")
    .replace("| Cell 1 | Cell 2 |", "| Cell 1 | Cell 2 (new) |")
    .replace("Last paragraph.\n", "")
    .replace("> A quoted sentence.", "> A quoted sentence.\n\nA brand new closing remark.")
)


@pytest.fixture
def translated(initialised: Path) -> Path:
    """The sample project with th fully translated, some notes and flags, a header."""

    def change(po: polib.POFile) -> None:
        translate_all(po)
        entries = by_msgid(po)
        entries["Item three"].tcomment = "Checked by Dr. Somchai"
        entries["Item three"].flags.append("no-wrap")
        entries["Cell 1"].flags.append("fuzzy")
        entries["Cell 1"].previous_msgid = "Cell one"
        po.metadata["Last-Translator"] = "Somchai <s@example.org>"
        po.metadata["Language-Team"] = "Thai medical translators"
        po.metadata["PO-Revision-Date"] = "2026-01-02 03:04+0700"
        po.metadata["X-Generator"] = "Poedit 3.4"

    edit_catalog(initialised / TH, change)
    return initialised


def edit_source(root: Path, run, text: str = EDITED_PAGE) -> None:
    (root / "source" / "sample.md").write_text(text, encoding="utf-8")
    result = run(["extract"], root)
    assert result.code == 0, result.output


def test_update_merges_as_gettext_does(translated: Path, run) -> None:
    edit_source(translated, run)
    result = run(["update"], translated)
    assert result.code == 0, result.output
    assert f"updated {TH}" in result.out
    po = load(translated / TH)
    active, gone = by_msgid(po), by_msgid(po, obsolete=True)

    # exact match: translation, flags and translator comment kept; reference refreshed
    three = active["Item three"]
    assert three.msgstr == "TH Item three"
    assert three.tcomment == "Checked by Dr. Somchai"
    assert three.flags == ["no-wrap"]
    assert three.occurrences == [("source/sample.md", "20")]  # was 18: two lines inserted
    assert three.comment == "list item · Main Harms and Risks"  # refreshed from the template
    heading = active["Main Harms and Risks"]
    assert (heading.msgstr, heading.previous_msgid, heading.fuzzy) == (
        "TH Main Harms",
        "Main Harms",
        True,
    )
    assert heading.comment == "heading 2 · Main Harms and Risks\nKeep the number 4:1 exactly."
    # a fuzzy exact match stays fuzzy, with its previous msgid
    assert "fuzzy" in active["Cell 1"].flags and active["Cell 1"].previous_msgid == "Cell one"

    # changed English: old translation, fuzzy, previous msgid
    two = active["Item number two"]
    assert two.msgstr == "TH Item two"
    assert "fuzzy" in two.flags
    assert two.previous_msgid == "Item two"
    cell = active["Cell 2 (new)"]
    assert (cell.msgstr, cell.previous_msgid, cell.fuzzy) == ("TH Cell 2", "Cell 2", True)

    # vanished: obsolete, translation kept, no reference
    assert gone["Last paragraph."].msgstr == "TH Last paragraph."
    assert gone["Last paragraph."].occurrences == []
    assert "Item two" not in gone  # it lives on as the fuzzy match

    # new: untranslated, in document order
    assert active["Patients should see a doctor early."].msgstr == ""
    assert active["A brand new closing remark."].msgstr == ""
    template = [e.msgid for e in load(translated / "locales" / "sample.pot")]
    assert [e.msgid for e in po if not e.obsolete] == template

    # the translator's header survives
    meta = po.metadata
    assert meta["Last-Translator"] == "Somchai <s@example.org>"
    assert meta["Language-Team"] == "Thai medical translators"
    assert meta["PO-Revision-Date"] == "2026-01-02 03:04+0700"
    assert meta["X-Generator"] == "Poedit 3.4"
    assert meta["Plural-Forms"] == "nplurals=1; plural=0;"
    template_date = load(translated / "locales" / "sample.pot").metadata["POT-Creation-Date"]
    assert meta["POT-Creation-Date"] == template_date

    if HAVE_GETTEXT:
        gettext_valid(catalogs(translated))


def test_update_twice_changes_nothing(translated: Path, run) -> None:
    edit_source(translated, run)
    assert run(["update"], translated).code == 0
    age(translated.rglob("*.po"))
    before = snapshot(translated)
    result = run(["update"], translated)
    assert result.code == 0
    assert snapshot(translated) == before
    assert "0 of 6 catalogs changed" in result.out


def test_update_without_changes_touches_nothing(translated: Path, run) -> None:
    age(translated.rglob("*.po"))
    before = snapshot(translated)
    result = run(["update"], translated)
    assert result.code == 0
    assert snapshot(translated) == before


def test_update_only_the_named_locale(translated: Path, run) -> None:
    edit_source(translated, run)
    before = snapshot(translated)
    assert run(["update", "-l", "vi"], translated).code == 0
    after = snapshot(translated)
    assert after[TH] == before[TH]
    assert after[VI] != before[VI]


def test_vanished_untranslated_strings_are_dropped(initialised: Path, run) -> None:
    edit_source(initialised, run)
    assert run(["update"], initialised).code == 0
    po = load(initialised / VI)
    assert by_msgid(po, obsolete=True) == {}


def test_an_obsolete_translation_comes_back(translated: Path, run) -> None:
    edit_source(translated, run)
    assert run(["update"], translated).code == 0
    edit_source(translated, run, SAMPLE_PAGE)
    assert run(["update"], translated).code == 0
    po = load(translated / TH)
    back = by_msgid(po)["Last paragraph."]
    assert back.msgstr == "TH Last paragraph." and "fuzzy" not in back.flags
    assert back.occurrences == [("source/sample.md", "46")]


def test_new_page_and_new_locale_get_catalogs(translated: Path, run) -> None:
    (translated / "source" / "other.md").write_text("# Other\n", encoding="utf-8")
    assert run(["extract"], translated).code == 0
    (translated / "pyproject.toml").write_text('[tool.l10n]\nlocales = ["th", "vi", "km"]\n')
    result = run(["update"], translated)
    assert result.code == 0, result.output
    for loc in ("th", "vi", "km"):
        po = load(translated / "locales" / loc / "LC_MESSAGES" / "other.po")
        assert [e.msgid for e in po] == ["Other"]
        assert po.metadata["Language"] == loc
    assert load(translated / "locales/km/LC_MESSAGES/ui.po").metadata[
        "Plural-Forms"
    ] == plural_forms("km")


EXTRA_POT = """\
msgid ""
msgstr ""
"Project-Id-Version: extra\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

#: extra.py:1
#, python-format
msgid "%(n)d tablet"
msgid_plural "%(n)d tablets"
msgstr[0] ""
msgstr[1] ""

#: extra.py:2
msgctxt "dose"
msgid "Morning"
msgstr ""

#: extra.py:3
msgctxt "greeting"
msgid "Morning"
msgstr ""

#: extra.py:4
msgid "Take with water."
msgstr ""
"""


def test_any_template_in_locales_is_merged(initialised: Path, run) -> None:
    """A hand-made .pot with plurals and contexts: created, translated, merged again."""
    pot = initialised / "locales" / "extra.pot"
    pot.write_text(EXTRA_POT, encoding="utf-8")
    assert run(["update", "-l", "th"], initialised).code == 0
    path = initialised / "locales/th/LC_MESSAGES/extra.po"
    po = load(path)
    assert [(e.msgctxt, e.msgid) for e in po] == [
        (None, "%(n)d tablet"),
        ("dose", "Morning"),
        ("greeting", "Morning"),
        (None, "Take with water."),
    ]
    assert po[0].msgstr_plural == {0: ""}  # Thai: one plural form

    def change(po: polib.POFile) -> None:
        po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"  # the translator's own
        po[0].msgstr_plural = {0: "%(n)d เม็ด", 1: "%(n)d เม็ด (หลาย)"}
        po[1].msgstr = "เช้า (ยา)"
        po[2].msgstr = "อรุณสวัสดิ์"
        po[3].msgstr = "กินกับน้ำ"

    edit_catalog(path, change)
    pot.write_text(
        EXTRA_POT.replace("extra.py:", "extra.py:1").replace("Take with water.", "Take with food."),
        encoding="utf-8",
    )
    assert run(["update", "-l", "th"], initialised).code == 0
    po = load(path)
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    tablet = po.find("%(n)d tablet")
    assert tablet.msgstr_plural == {0: "%(n)d เม็ด", 1: "%(n)d เม็ด (หลาย)"}
    assert tablet.flags == ["python-format"]
    assert tablet.occurrences == [("extra.py", "11")]
    assert po.find("Morning", msgctxt="dose").msgstr == "เช้า (ยา)"
    assert po.find("Morning", msgctxt="greeting").msgstr == "อรุณสวัสดิ์"
    food = po.find("Take with food.")
    assert (food.msgstr, food.fuzzy, food.previous_msgid) == ("กินกับน้ำ", True, "Take with water.")
    if HAVE_GETTEXT:
        gettext_valid([path])


def test_plural_shape_changes_give_valid_catalogs(tmp_path: Path) -> None:
    """Singular <-> plural in the template: msgmerge's result, never a broken file."""
    old = catalog.parse(
        EXTRA_POT.replace('msgstr[0] ""\nmsgstr[1] ""', 'msgstr[0] "A"\nmsgstr[1] "B"')
        .replace('msgid "Take with water."\nmsgstr ""', 'msgid "Take with water."\nmsgstr "W"')
        .replace('"Content-Type', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n"Content-Type'),
        "old.po",
    )
    template = catalog.parse(
        EXTRA_POT.replace(
            'msgid_plural "%(n)d tablets"\nmsgstr[0] ""\nmsgstr[1] ""', 'msgstr ""'
        ).replace(
            'msgid "Take with water."\nmsgstr ""',
            'msgid "Take with water."\nmsgid_plural "Take them with water."\n'
            'msgstr[0] ""\nmsgstr[1] ""',
        ),
        "new.pot",
    )
    merged = merge.merge(old, template)
    tablet, water = merged.find("%(n)d tablet"), merged.find("Take with water.")
    assert (tablet.msgstr, tablet.msgstr_plural, tablet.fuzzy) == ("A", {}, True)
    assert tablet.previous_msgid_plural == "%(n)d tablets"
    assert (water.msgstr_plural, water.fuzzy) == ({0: "W", 1: "W"}, True)
    path = tmp_path / "merged.po"
    catalog.save(path, merged)
    if HAVE_GETTEXT:
        gettext_valid([path])
        (tmp_path / "old.po").write_text(catalog.dumps(old), encoding="utf-8")
        (tmp_path / "new.pot").write_text(catalog.dumps(template), encoding="utf-8")
        theirs = msgmerge(tmp_path / "old.po", tmp_path / "new.pot")
        assert_keeps_what_msgmerge_keeps(merged, theirs)
        gnu = theirs.find("%(n)d tablet")
        assert (gnu.msgstr, gnu.fuzzy) == ("A", True)  # the same as ours


def test_obsolete_previous_msgid_survives(initialised: Path, run) -> None:
    path = initialised / TH
    text = path.read_text(encoding="utf-8") + (
        '\n#, fuzzy\n#~| msgid "Old English"\n#~ msgid "Older English"\n#~ msgstr "แปล"\n'
    )
    path.write_text(text, encoding="utf-8")
    assert run(["update", "-l", "th"], initialised).code == 0
    assert path.read_text(encoding="utf-8") == text
    assert catalog.load(path).obsolete_entries()[0].previous_msgid == "Old English"


@pytest.mark.parametrize("variant", ["bom", "crlf", "latin1", "bom+crlf"])
def test_catalog_encodings_are_read_and_written_as_utf8_lf(
    initialised: Path, run, variant: str
) -> None:
    path = initialised / "locales/vi/LC_MESSAGES/sub/inner.po"
    edit_catalog(path, lambda po: [setattr(e, "msgstr", f"Trang lồng nhau {e.msgid}") for e in po])
    if variant == "latin1":
        edit_catalog(path, lambda po: [setattr(e, "msgstr", f"Café {e.msgid} ÿ") for e in po])
    clean = path.read_bytes()
    data = clean
    if variant == "latin1":
        data = data.replace(b"charset=UTF-8", b"charset=ISO-8859-1")
        data = data.decode("utf-8").encode("latin-1")
    if "crlf" in variant:
        data = data.replace(b"\n", b"\r\n")
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    result = run(["update", "-l", "vi"], initialised)
    assert result.code == 0, result.output
    written = path.read_bytes()
    assert written == clean
    assert b"\r" not in written and not written.startswith(b"\xef\xbb\xbf")
    po = load(path)
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert all(e.msgstr.endswith(e.msgid + (" ÿ" if variant == "latin1" else "")) for e in po)


@needs_corpus
def test_corpus_latin1_catalog(tmp_path: Path) -> None:
    source = CORPUS / "po/edge/gettext-msgmerge-update-1.latin1.po"
    po = catalog.load(source)
    assert po.find("white").msgstr == "weiß"
    path = tmp_path / "de.po"
    catalog.save(path, po)
    assert "charset=UTF-8" in path.read_text(encoding="utf-8")
    assert catalog.load(path).find("white").msgstr == "weiß"


BROKEN = """\
msgid ""
msgstr ""
"Language: th\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

#: source/x.md:1
msgid "One"
msgstr "หนึ่ง"

msgid "Two"
msgstr "สอง"

msgid "Three"
msgstr "สาม
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BROKEN, f"{TH}:17: unterminated string"),
        (BROKEN.replace('"สาม\n', '"สาม"\nmsgstr "again"\n'), f"{TH}:18: "),
        (
            BROKEN.replace('msgstr "สาม\n', 'msgstr "ok"\n\nmsgid "One"\nmsgstr "dup"\n'),
            f"{TH}:19: duplicate message",
        ),
        (
            BROKEN.replace('msgstr "สอง"', 'msgstr "bad \\q escape"'),
            f"{TH}:14: invalid escape sequence",
        ),
        (BROKEN.replace("charset=UTF-8", "charset=NOPE-42"), f"{TH}:5: unknown charset"),
        ("", f"{TH}:1: empty catalog"),
    ],
)
def test_syntax_error_names_the_line_and_writes_nothing(
    translated: Path, run, text: str, message: str
) -> None:
    edit_source(translated, run)  # there is work to do for every catalog
    (translated / TH).write_text(text, encoding="utf-8")
    age(translated.rglob("*.po"))
    before = snapshot(translated)
    result = run(["update"], translated)
    assert result.code == 2
    assert result.err.startswith(f"error: {message}"), result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    assert snapshot(translated) == before
    assert run(["status"], translated).code == 2


# GNU msgmerge on the same files -------------------------------------------------------


def msgmerge(old: Path, pot: Path) -> polib.POFile:
    done = subprocess.run(
        ["msgmerge", "--previous", "--quiet", "-o", "-", str(old), str(pot)],
        capture_output=True,
        check=True,
    )
    return polib.pofile(done.stdout.decode("utf-8"))


def assert_keeps_what_msgmerge_keeps(ours: polib.POFile, theirs: polib.POFile) -> None:
    assert translations(theirs) <= translations(ours)
    mine = {(e.msgctxt, e.msgid): e for e in ours}
    for entry in theirs:
        if entry.obsolete or not entry.msgid:
            continue
        match = mine.get((entry.msgctxt, entry.msgid))
        assert match is not None and not match.obsolete, entry.msgid
        if entry.translated():  # a string msgmerge keeps as done is done here too
            assert match.translated(), entry.msgid
            assert (match.msgstr, match.msgstr_plural) == (entry.msgstr, entry.msgstr_plural)


@needs_gettext
def test_scenario_against_msgmerge(translated: Path, run, tmp_path: Path) -> None:
    old = tmp_path / "old.po"
    shutil.copy(translated / TH, old)
    text = (
        EDITED_PAGE.replace("First paragraph with **bold**", "The first paragraph with **bold**")
        .replace("Repeated sentence.\n", "Repeated sentence, reworded.\n", 1)
        .replace("A quoted sentence.", "A quoted and edited sentence.")
        .replace("Head B", "Heading B")
        .replace("Nested item\n", "Nested item\n    - Another nested item\n")
    )
    edit_source(translated, run, text)
    assert run(["update", "-l", "th"], translated).code == 0
    ours = load(translated / TH)
    theirs = msgmerge(old, translated / "locales" / "sample.pot")
    assert_keeps_what_msgmerge_keeps(ours, theirs)
    assert translations(load(old)) <= translations(ours)  # nothing lost at all
    fuzzy = {e.msgid for e in ours if e.fuzzy and not e.obsolete}
    assert {
        "The first paragraph with **bold** and a [link](https://example.org/a). "
        "It continues on a second line.",
        "A quoted and edited sentence.",
        "Heading B",
        "Item number two",
    } <= fuzzy


def choices(po: polib.POFile) -> dict:
    """What a merge decided for each message: fuzzy or not, its translation, and the
    English it came from."""
    return {
        (e.msgctxt, e.msgid): (
            "fuzzy" in e.flags,
            e.msgstr,
            dict(e.msgstr_plural),
            e.previous_msgid,
        )
        for e in po
        if not e.obsolete
    }


def same_choices(ours: polib.POFile, theirs: polib.POFile) -> bool:
    mine, gnu = choices(ours), choices(theirs)
    differ = {k: (mine.get(k), gnu[k]) for k in gnu if mine.get(k) != gnu[k] and k[1]}
    assert not differ, differ
    return True


@needs_corpus
@needs_gettext
def test_catalogs_read_lightly_merge_and_write_the_same() -> None:
    """An update reads old catalogs without their places and holds the commonest entries
    lightly (`PlainEntry`): merged and written, they give the bytes full entries give,
    exact matches, fuzzy ones, obsolete ones and plural ones alike."""
    from pipeline.po.write import dumps_many

    texts = []
    for path in sorted((CORPUS / "po").rglob("*.po")):
        try:
            texts.append(catalog.decode(path.read_bytes(), str(path)))
            catalog.parse(texts[-1], str(path))
        except L10nError:
            texts.pop()
    light = 0
    for text in texts:
        rng = random.Random(text[:200])
        template = polib.POFile()
        template.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
        for entry in catalog.parse(text, "old.po"):
            if entry.obsolete or rng.random() < 0.1:
                continue
            words = entry.msgid.split(" ")
            if rng.random() < 0.2 and len(words) > 2:
                words[rng.randrange(len(words))] = "changed"
            template.append(
                polib.POEntry(
                    msgid=" ".join(words),
                    msgctxt=entry.msgctxt,
                    msgid_plural=entry.msgid_plural,
                    msgstr_plural={0: "", 1: ""} if entry.msgid_plural else {},
                    occurrences=[("a.md", str(rng.randint(1, 99)))],
                    comment=rng.choice(["", "paragraph", "heading 1"]),
                    flags=[f for f in entry.flags if f.endswith("-format")],
                )
            )
        full, bare = (catalog.parse(text, "old.po", places) for places in (True, False))
        light += sum(type(e).__name__ == "PlainEntry" for e in bare)
        merged = [merge.merge(full, template), merge.merge(bare, template)]
        assert len({*dumps_many(merged)}) == 1
    assert len(texts) >= 20 and light >= 100


@needs_gettext
def test_fuzzy_matches_are_msgmerges(tmp_path: Path) -> None:
    """Many near-identical old strings, obsolete and fuzzy ones among them: every new
    string gets the same old translation and previous English as msgmerge --previous."""
    rng = random.Random(5)
    words = [
        "take",
        "the",
        "tablet",
        "every",
        "day",
        "with",
        "food",
        "water",
        "rest",
        "sleep",
        "pain",
        "fever",
        "dose",
    ]
    old = polib.POFile(wrapwidth=catalog.WRAP)
    old.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "th"}
    seen = set()
    for n in range(160):
        msgid = " ".join(rng.choice(words) for _ in range(rng.randint(1, 9)))
        if msgid in seen:
            continue
        seen.add(msgid)
        entry = polib.POEntry(msgid=msgid, msgstr=f"แปล {n}")
        if n % 7 == 0:
            entry.obsolete = True
        elif n % 5 == 0:
            entry.flags = ["fuzzy"]
            entry.previous_msgid = f"{msgid} before"
        elif n % 11 == 0:
            entry.msgstr = ""
        old.append(entry)
    pot = polib.POFile(wrapwidth=catalog.WRAP)
    pot.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for msgid in sorted(seen)[::3]:
        words_ = msgid.split(" ")
        words_[rng.randrange(len(words_))] = rng.choice(words)
        edited = " ".join(words_) + rng.choice(["", ".", " now"])
        if edited not in {e.msgid for e in pot}:
            pot.append(polib.POEntry(msgid=edited))
    (tmp_path / "old.po").write_text(catalog.dumps(old), encoding="utf-8")
    (tmp_path / "new.pot").write_text(catalog.dumps(pot), encoding="utf-8")
    ours = merge.merge(catalog.load(tmp_path / "old.po"), catalog.load(tmp_path / "new.pot"))
    theirs = msgmerge(tmp_path / "old.po", tmp_path / "new.pot")
    assert sum("fuzzy" in e.flags for e in theirs if not e.obsolete) > 20
    assert same_choices(ours, theirs)

    # A second locale with the same English (other translations, some missing): merged
    # together with the first, sharing the fuzzy search, each still gets msgmerge's.
    for n, entry in enumerate(old):
        entry.msgstr = f"bản dịch {n}" if n % 13 else ""
    (tmp_path / "vi.po").write_text(catalog.dumps(old), encoding="utf-8")
    both = merge.merge_many(
        [
            catalog.load(tmp_path / "old.po"),
            catalog.load(tmp_path / "vi.po"),
            catalog.load(tmp_path / "old.po"),
        ],
        catalog.load(tmp_path / "new.pot"),
    )
    assert same_choices(both[0], theirs) and same_choices(both[2], theirs)
    assert same_choices(both[1], msgmerge(tmp_path / "vi.po", tmp_path / "new.pot"))


def corpus_template(po: polib.POFile, rng: random.Random) -> polib.POFile:
    """A template for a catalog's English, with sentences edited, removed and added."""
    pot = polib.POFile(wrapwidth=catalog.WRAP)
    pot.metadata = {
        "Project-Id-Version": "corpus",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    for entry in po:
        if entry.obsolete:
            continue
        roll = rng.random()
        if roll < 0.15:
            continue  # the English disappeared
        msgid = entry.msgid
        if roll < 0.4:  # one word edited
            words = msgid.split(" ")
            i = rng.randrange(len(words))
            words[i] += "s"
            msgid = " ".join(words)
        new = polib.POEntry(
            msgid=msgid,
            msgctxt=entry.msgctxt,
            msgid_plural=entry.msgid_plural,
            occurrences=entry.occurrences,
            comment=entry.comment,
            flags=[f for f in entry.flags if f.endswith("-format")],
        )
        if entry.msgid_plural:
            new.msgstr_plural = {0: "", 1: ""}
        pot.append(new)
        if roll > 0.95:
            pot.append(polib.POEntry(msgid=f"A new sentence {len(pot)}."))
    return pot


CORPUS_CATALOGS = [
    "real/gnome-clocks-th.po",
    "real/gnome-clocks-lo.po",
    "real/gcalc-my.po",
    "real/gcalc-km.po",
    "real/gcalc-fil.po",
    "edge/babel-de.po",
    "edge/babel-ru_RU.po",
    "edge/gettext-msgcat-13.po",
    "edge/gettext-msgcat-15.po",
    "edge/gettext-msgcat-17.po",
    "edge/gettext-msgcat-22.po",
    "edge/gettext-msgmerge-10.po",
    "edge/gettext-msgmerge-11.po",
    "edge/gettext-msgmerge-14.po",
    "edge/gettext-msgmerge-9.po",
    "edge/gettext-msgmerge-plural-5.po",
    "edge/gettext-msgmerge-plural-6.po",
    "edge/gettext-msgmerge-update-1.latin1.po",
    "edge/gettext-msgmerge-1.po",  # these four have no header entry: none is invented
    "edge/gettext-msgmerge-3.po",
    "edge/gettext-msgmerge-15.po",
    "edge/babel-fi_BUGGY.po",
    "edge/polib-test_comment_ordering.po",
    "edge/polib-test_fuzzy_header.po",
    "edge/polib-test_indented.po",
    "edge/polib-test_iso-8859-15.latin9.po",
    "edge/polib-test_merge_before.po",
    "edge/polib-test_obsolete_previousmsgid.po",
    "edge/polib-test_previous_msgid.po",
    "edge/polib-test_unusual_metadata_location.po",
    "edge/polib-test_weird_occurrences.po",
]


@needs_corpus
@needs_gettext
@pytest.mark.parametrize("name", CORPUS_CATALOGS)
def test_corpus_catalogs_lose_nothing(name: str, new_project, run) -> None:
    """A real catalog, its English edited: through `l10n update`, compared with msgmerge."""
    source = CORPUS / "po" / name
    old = catalog.load(source)
    root = new_project(pages={}, locales=["th"])
    po_path = root / "locales/th/LC_MESSAGES/corpus.po"
    shutil.copy(source, po_path)
    pot_path = root / "locales/corpus.pot"
    catalog.save(pot_path, corpus_template(old, random.Random(name)))

    result = run(["update"], root)
    assert result.code == 0, result.output
    ours = load(po_path)
    assert translations(old) <= translations(ours)
    theirs = msgmerge(source, pot_path)
    assert_keeps_what_msgmerge_keeps(ours, theirs)
    assert same_choices(ours, theirs)
    assert [e.msgid for e in ours if not e.obsolete] == [e.msgid for e in load(pot_path)]
    for field in ("Plural-Forms", "Last-Translator", "Language-Team", "PO-Revision-Date"):
        assert ours.metadata.get(field) == old.metadata.get(field)
    msgcat_same(po_path)
    header = re.compile(r'^msgid ""\nmsgstr ', re.M)  # the header entry, which is optional
    assert bool(header.search(po_path.read_text("utf-8"))) == bool(
        header.search(source.read_text("latin-1"))
    )
    source_ok = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(source)]).returncode
    if source_ok == 0:  # a catalog msgfmt accepted is still accepted
        msgfmt_check(po_path)

    age([po_path])
    before = snapshot(root)
    assert run(["update"], root).code == 0
    assert snapshot(root) == before


@needs_corpus
@pytest.mark.parametrize("name", ["bad/polib-test_ufeff.po"])
def test_corpus_odd_catalogs_are_read_or_refused_clearly(name: str, new_project, run) -> None:
    root = new_project(pages={"p.md": "Text.\n"}, locales=["th"])
    assert run(["extract"], root).code == 0
    shutil.copy(CORPUS / "po" / name, root / "locales/th/LC_MESSAGES/p.po")
    result = run(["update"], root)
    assert result.code in (0, 2)
    if result.code == 2:
        assert result.err.startswith("error: locales/th/LC_MESSAGES/p.po:")
    assert "Traceback" not in result.err


@needs_corpus
@pytest.mark.parametrize(
    ("name", "line"),
    [("bad/polib-test_syntax_error1.po", 5), ("bad/gettext-msgmerge-2-duplicate.po", None)],
)
def test_corpus_broken_catalogs(name: str, line: int | None, tmp_path: Path) -> None:
    number = str(line) if line else r"\d+"
    with pytest.raises(L10nError, match=rf"^x\.po:{number}: "):
        catalog.parse(catalog.decode((CORPUS / "po" / name).read_bytes(), "x.po"), "x.po")


# Property: random edit sequences never lose a translation ------------------------------

WORDS = st.sampled_from(
    [
        "the",
        "patient",
        "skin",
        "organ",
        "fibrosis",
        "lungs",
        "heart",
        "kidneys",
        "therapy",
        "cells",
        "early",
        "rare",
    ]
)
SENTENCES = st.lists(WORDS, min_size=2, max_size=7).map(lambda w: " ".join(w).capitalize() + ".")
EDITS = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 50), WORDS),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("insert"), st.integers(0, 50), SENTENCES),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 50)),
)


def apply(edit: tuple, page: list[str]) -> None:
    kind, at = edit[0], edit[1] % (len(page) + 1)
    if kind == "insert":
        page.insert(at, edit[2])
    elif not page:
        return
    elif kind == "edit":
        words = page[at % len(page)].rstrip(".").split()
        words[len(words) // 2] = edit[2]
        page[at % len(page)] = " ".join(words) + "."
    elif kind == "delete":
        page.pop(at % len(page))
    else:
        page.insert(edit[2] % len(page), page.pop(at % len(page)))


def template_for(page: list[str]) -> polib.POFile:
    markdown = "# Title\n\n" + "\n\n".join(page) + "\n"
    parsed = segments.parse(markdown, "source/p.md")
    from datetime import UTC, datetime

    pot = page_template(parsed, Header("p", datetime(2026, 1, 1, tzinfo=UTC), "p"))
    return catalog.parse(str(pot), "p.pot")


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
@given(
    start=st.lists(SENTENCES, min_size=1, max_size=6),
    rounds=st.lists(st.lists(EDITS, min_size=1, max_size=3), min_size=1, max_size=4),
    seed=st.integers(0, 2**16),
)
def test_random_edits_never_lose_a_translation(start, rounds, seed) -> None:
    rng = random.Random(seed)
    page = list(start)
    po = merge.merge(template_for([]), template_for(page))
    written: set[str] = set()
    for number, edits in enumerate(rounds):
        for entry in po:  # the translator translates some of what is untranslated
            if not entry.obsolete and not entry.msgstr and rng.random() < 0.7:
                entry.msgstr = f"แปล {number} {entry.msgid}"
                written.add(entry.msgstr)
        po = catalog.parse(str(po), "p.po")
        for edit in edits:
            apply(edit, page)
        template = template_for(page)
        po = catalog.parse(catalog.dumps(merge.merge(po, template)), "p.po")
        assert written <= translations(po)
        assert [e.msgid for e in po if not e.obsolete] == [e.msgid for e in template]
        text = catalog.dumps(po)
        assert catalog.dumps(merge.merge(catalog.parse(text, "p.po"), template)) == text


# Worker processes ----------------------------------------------------------------------

WORKER_LOCALES = ("th", "vi", "id", "ms", "fil", "km", "my", "lo")


def _worker_project(root: Path, run) -> Path:
    """Enough catalogs (26 pages x 8 locales) for `update -j 2` to use workers, half
    translated, after an edit of the English."""
    from pipeline.update import PARALLEL_FROM

    pages = 26
    assert pages * len(WORKER_LOCALES) >= PARALLEL_FROM
    from conftest import make_project

    def page(n: int, edit: int) -> str:
        return (
            "\n\n".join(
                [f"# Page {n}"]
                + [
                    f"Paragraph {i} of page {n} says {'more ' * (i + edit)}about "
                    f"dose {i * n} mg, {'long ' * 20}text."
                    for i in range(6)
                ]
            )
            + "\n"
        )

    make_project(
        root,
        pages={f"p{n:02}.md": page(n, 0) for n in range(pages)},
        pyproject="locales = [" + ", ".join(f'"{x}"' for x in WORKER_LOCALES) + "]",
    )
    assert run(["extract"], root).code == 0
    assert run(["init", *WORKER_LOCALES], root).code == 0
    for path in sorted((root / "locales").rglob("*.po")):
        po = load(path)
        for i, entry in enumerate(po):
            if i % 2:
                entry.msgstr = f"«{entry.msgid}» ({path.parent.parent.name})"
        po.save(str(path))
    for n in range(pages):
        (root / "source" / f"p{n:02}.md").write_text(page(n, 1), encoding="utf-8")
    assert run(["extract"], root).code == 0
    return root


def test_update_in_workers_writes_what_one_process_writes(tmp_path: Path, run) -> None:
    one = _worker_project(tmp_path / "one", run)
    two = tmp_path / "two"
    shutil.copytree(one, two)
    assert run(["update", "-j", "1"], one).code == 0
    assert run(["update", "-j", "2"], two).code == 0
    ours = {p.relative_to(one): p.read_bytes() for p in catalogs(one)}
    assert ours == {p.relative_to(two): p.read_bytes() for p in catalogs(two)}
    fuzzy = [e for p in catalogs(two) if p.suffix == ".po" for e in load(p).fuzzy_entries()]
    assert fuzzy and all(e.previous_msgid for e in fuzzy)
    assert not [p for p in two.rglob("*.tmp")]


@pytest.mark.parametrize("page", ["p12", "p13"])  # the run's own share, a worker's
def test_update_in_workers_with_a_broken_catalog_changes_nothing(
    tmp_path: Path, run, page: str
) -> None:
    root = _worker_project(tmp_path / "p", run)
    broken = root / f"locales/km/LC_MESSAGES/{page}.po"
    broken.write_text(
        broken.read_text(encoding="utf-8") + '\nmsgid "x"\nmsgstr "y\n', encoding="utf-8"
    )
    before = snapshot(root)
    result = run(["update", "-j", "2"], root)
    assert result.code == 2
    assert f"locales/km/LC_MESSAGES/{page}.po:" in result.output
    assert "Traceback" not in result.output
    assert snapshot(root) == before  # no catalog rewritten, no temporary file left


@needs_gettext
@pytest.mark.parametrize(
    "comments",
    ["#|\n", "#|   \n", '#|\n#| msgid "Old"\n', '#, fuzzy\n#|\n#| msgid "Old"\n'],
)
def test_bare_previous_comment_reads_as_gnu_reads_it(comments: str, tmp_path: Path) -> None:
    """A line holding only `#|` carries nothing: GNU skips it, and so do we (never a crash)."""
    text = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'{comments}msgid "New"\nmsgstr "Nouveau"\n'
    )
    path = tmp_path / "bare.po"
    path.write_text(text, encoding="utf-8")
    po = catalog.parse(text, "bare.po")
    assert [(e.msgid, e.msgstr) for e in po] == [("New", "Nouveau")]
    gnu = subprocess.run(["msgcat", "--force-po", str(path)], capture_output=True, check=True)
    assert catalog.dumps(po).encode() == gnu.stdout
