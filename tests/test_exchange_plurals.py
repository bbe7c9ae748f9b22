"""Plural entries through XLIFF and TMX.

A plural entry is exported as gettext's plural group, as Translate Toolkit's po2xliff
writes it (`<group restype="x-gettext-plurals">`, a `<trans-unit>` per form), validated
against the OASIS strict schema and read back by Translate Toolkit; imported back into
`msgstr[n]` as the catalog's Plural-Forms declares.  Files that Translate Toolkit's own
po2xliff wrote from real translators' catalogs import too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from conftest import (
    CORPUS,
    age,
    msgcat_same,
    msgfmt_check,
    needs_corpus,
    needs_gettext,
    snapshot,
)
from lxml import etree
from test_exchange import Q, assert_valid
from translate.misc.multistring import multistring
from translate.storage import poxliff
from translate.storage import tmx as tt_tmx

from pipeline.exchange.units import unit_id
from pipeline.po import catalog

REAL = CORPUS / "po" / "real"
TABLETS = ("%(count)s tablet", "%(count)s tablets")
DAYS = ("One day", "%(count)s days")
DOSE_POT = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#. The number of tablets in one dose
#: templates/dose.html:12
#, python-format
msgid "%(count)s tablet"
msgid_plural "%(count)s tablets"
msgstr[0] ""
msgstr[1] ""

#: templates/dose.html:14
#, python-format
msgid "One day"
msgid_plural "%(count)s days"
msgstr[0] ""
msgstr[1] ""

msgctxt "button"
msgid "Close"
msgstr ""
"""
THAI = {TABLETS: ["%(count)s เม็ด"], DAYS: ["%(count)s วัน"], "Close": "ปิด"}
FILIPINO = {
    TABLETS: ["%(count)s tableta", "%(count)s na tableta"],
    DAYS: ["%(count)s araw", "%(count)s na araw"],
    "Close": "Isara",
}
DONE = {"th": THAI, "fil": FILIPINO}


def dose_project(new_project, run) -> Path:
    """A page and a catalog of template strings with two plural entries, in Thai (one
    plural form) and Filipino (two)."""
    root = new_project(pages={"page.md": "# Skin care\n"}, pyproject='locales = ["th", "fil"]')
    assert run(["extract"], root).code == 0
    (root / "locales/dose.pot").write_text(DOSE_POT, encoding="utf-8")
    assert run(["init", "th", "fil"], root).code == 0
    return root


def dose(root: Path, locale: str) -> Path:
    return root / f"locales/{locale}/LC_MESSAGES/dose.po"


def plural_entries(path: Path) -> dict[tuple[str, str], polib.POEntry]:
    return {(e.msgid, e.msgid_plural): e for e in polib.pofile(str(path)) if e.msgid_plural}


def export(root: Path, run, locale: str, out: Path, *argv: str) -> etree._Element:
    argv = ("export", "-l", locale, "--page", "dose", *argv, "-o", str(out))
    result = run(list(argv), root)
    assert result.code == 0, result.output
    return assert_valid(out)


def groups(root: etree._Element) -> dict[str, etree._Element]:
    return {g.get("id"): g for g in root.iter(Q + "group")}


def fill(path: Path, wanted: dict) -> None:
    """Translate a catalog's entries as `wanted` says (plural entries by their English)."""
    po = catalog.load(path)
    for entry in po:
        key = (entry.msgid, entry.msgid_plural) if entry.msgid_plural else entry.msgid
        if key in wanted and entry.msgid_plural:
            entry.msgstr_plural = dict(enumerate(wanted[key]))
        elif key in wanted:
            entry.msgstr = wanted[key]
    catalog.save(path, po)


# export ----------------------------------------------------------------------------------


def test_plural_entries_export_as_gettext_plural_groups(new_project, run) -> None:
    root = dose_project(new_project, run)
    fill(dose(root, "fil"), {TABLETS: FILIPINO[TABLETS], DAYS: ["%(count)s araw", ""]})
    fill(dose(root, "th"), {TABLETS: THAI[TABLETS]})
    doc = export(root, run, "fil", root / "fil.xlf", "--only", "all")
    found = groups(doc)
    tablets = found[unit_id(None, TABLETS[0])]
    assert tablets.get("restype") == "x-gettext-plurals"
    forms = tablets.findall(Q + "trans-unit")
    assert [f.get("id") for f in forms] == [f"{tablets.get('id')}[{n}]" for n in (0, 1)]
    sources = ["".join(f.find(Q + "source").itertext()) for f in forms]
    assert sources == list(TABLETS)
    assert [f.find(Q + "source")[0].tag for f in forms] == [Q + "ph", Q + "ph"]  # protected
    assert ["".join(f.find(Q + "target").itertext()) for f in forms] == FILIPINO[TABLETS]
    assert {f.find(Q + "target").get("state") for f in forms} == {"translated"}
    assert {f.get("approved") for f in forms} == {"yes"}
    notes = [[n.text for n in form.iter(Q + "note")] for form in forms]
    assert "The number of tablets in one dose" in notes[1]
    assert "Plural form 1 of 2 (msgstr[1]): n = 4, 6, 9, 14, …" in notes[1]  # Babel's fil rule
    assert (
        "Plural form 0 of 2 (msgstr[0]): n = 0, 1, 2, 3, …; it serves many numbers, so it "
        "translates the plural too: %(count)s tablets"
    ) in notes[0]
    # Half translated: not done; the empty form says what it needs.
    days = found[unit_id(None, DAYS[0])].findall(Q + "trans-unit")
    assert [d.find(Q + "target").get("state") for d in days] == [
        "needs-review-translation",
        "needs-translation",
    ]
    todo = export(root, run, "fil", root / "todo.xlf")
    assert list(groups(todo)) == [unit_id(None, DAYS[0])]

    # Translate Toolkit's storage reads each group as one plural unit.
    store = poxliff.PoXliffFile.parsestring((root / "fil.xlf").read_bytes())
    read = {u.source.strings[0]: u for u in store.units if u.hasplural()}
    assert read[TABLETS[0]].source.strings == list(TABLETS)
    assert read[TABLETS[0]].target.strings == FILIPINO[TABLETS]

    # One form: the English plural comes along, not to be translated.
    thai = groups(export(root, run, "th", root / "th.xlf", "--only", "all"))
    first, plural = thai[unit_id(None, TABLETS[0])].findall(Q + "trans-unit")
    assert "".join(first.find(Q + "target").itertext()) == THAI[TABLETS][0]
    assert any("Thai has one plural form" in n.text for n in first.iter(Q + "note"))
    assert plural.get("translate") == "no" and plural.find(Q + "target") is None
    assert "".join(plural.find(Q + "source").itertext()) == TABLETS[1]
    store = poxliff.PoXliffFile.parsestring((root / "th.xlf").read_bytes())
    unit = next(u for u in store.units if u.hasplural() and u.source.strings[0] == TABLETS[0])
    assert unit.source.strings == list(TABLETS) and unit.target.strings[0] == THAI[TABLETS][0]


def test_tmx_gives_a_unit_per_plural_form(new_project, run) -> None:
    """TMX has no plurals: each form is a `<tu>` of its own, marked with its form and
    paired with the English it translates (the plural, for a form that serves many
    numbers: Thai's only one, and Filipino's first)."""
    root = dose_project(new_project, run)
    for locale in ("th", "fil"):
        fill(dose(root, locale), DONE[locale])
        out = root / f"{locale}.tmx"
        argv = ["export", "-l", locale, "--page", "dose", "--format", "tmx", "-o", str(out)]
        result = run(argv, root)
        assert result.code == 0, result.output
        assert "3 translated entries" in result.out
        tus = etree.parse(str(out)).getroot().iter("tu")
        pairs = {
            (tu.findtext("prop[@type='x-plural-form']"), "".join(tu.find("tuv/seg").itertext())): (
                "".join(tu.findall("tuv/seg")[1].itertext())
            )
            for tu in tus
        }
        if locale == "fil":
            assert pairs == {
                ("0", TABLETS[1]): FILIPINO[TABLETS][0],
                ("1", TABLETS[1]): FILIPINO[TABLETS][1],
                ("0", DAYS[1]): FILIPINO[DAYS][0],
                ("1", DAYS[1]): FILIPINO[DAYS][1],
                (None, "Close"): "Isara",
            }
        else:  # Thai's one form serves every number: it translates the plural
            assert pairs == {
                ("0", TABLETS[1]): THAI[TABLETS][0],
                ("0", DAYS[1]): THAI[DAYS][0],
                (None, "Close"): "ปิด",
            }
        memory = tt_tmx.tmxfile.parsestring(out.read_bytes())
        assert sorted((u.source, u.target) for u in memory.units) == sorted(
            (english, text) for (_, english), text in pairs.items()
        )


# import ----------------------------------------------------------------------------------


@needs_gettext
@pytest.mark.parametrize("locale", ["th", "fil"])
def test_plurals_round_trip_through_translate_toolkit(new_project, run, locale: str) -> None:
    """What a CAT tool does: fill every form of an export and mark it translated."""
    root = dose_project(new_project, run)
    path = dose(root, locale)
    out = root / "todo.xlf"
    export(root, run, locale, out)
    store = poxliff.PoXliffFile.parsestring(out.read_bytes())
    wanted = DONE[locale]
    for unit in store.units:
        if unit.hasplural():
            unit.target = multistring(wanted[tuple(unit.source.strings)])
        else:
            unit.target = wanted[unit.source]
        unit.markfuzzy(False)
    out.write_bytes(bytes(store))
    result = run(["import", str(out)], root)
    assert result.code == 0, result.output
    assert "3 translations imported (0 fuzzy)" in result.out
    after = plural_entries(path)
    for english in (TABLETS, DAYS):
        assert after[english].msgstr_plural == dict(enumerate(wanted[english]))
        assert not after[english].fuzzy
    msgfmt_check(path)
    msgcat_same(path)
    check = run(["check", "-l", locale], root)
    findings = [line for line in check.out.splitlines() if ": [" in line]
    # `check` holds each form to the English msgfmt holds it to (Filipino's first serves
    # 0, 1, 2, 3, 5…: the plural), so what msgfmt --check accepts, check accepts too.
    assert check.code == 0 and not findings, check.output
    # Lossless: exporting everything and importing it back changes nothing.
    everything = root / "all.xlf"
    export(root, run, locale, everything, "--only", "all")
    age((root / "locales").rglob("*.po"))
    before = snapshot(root / "locales")
    result = run(["import", str(everything)], root)
    assert result.code == 0, result.output
    assert "0 translations imported (0 fuzzy), 3 unchanged" in result.out
    assert snapshot(root / "locales") == before


def test_plural_forms_are_checked_against_the_english_they_translate(new_project, run) -> None:
    """A form that serves many numbers must keep the plural's placeholder even though it
    is shown beside "One day" (Thai's only form; Filipino's first, for 0, 1, 2, 3, 5…), as
    `msgfmt --check` requires; a form left empty keeps the entry fuzzy; a form the
    language does not have is not imported; each is named."""
    root = dose_project(new_project, run)
    for locale, days, tablets in (
        ("th", ["หนึ่งวัน", "%(count)s วัน"], ["%(count)s เม็ด", "%(count)s เม็ด"]),
        ("fil", ["Isang araw", "%(count)s araw"], ["%(count)s tableta", ""]),
    ):
        out = root / f"{locale}.xlf"
        export(root, run, locale, out)
        tree = etree.parse(str(out))
        for group in tree.getroot().iter(Q + "group"):
            texts = days if group.get("id") == unit_id(None, DAYS[0]) else tablets
            for form, text in zip(group.findall(Q + "trans-unit"), texts, strict=True):
                target = form.find(Q + "target")
                if target is None:  # Thai's English plural: a tool that fills it anyway
                    target = etree.SubElement(form, Q + "target")
                target.text, target.attrib["state"] = text, "translated"
        tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    result = run(["import", str(root / "th.xlf"), str(root / "fil.xlf")], root)
    assert result.code == 1, result.output
    thai, filipino = plural_entries(dose(root, "th")), plural_entries(dose(root, "fil"))
    days_id, tablets_id = unit_id(None, DAYS[0]), unit_id(None, TABLETS[0])
    assert thai[DAYS].msgstr_plural == {0: "หนึ่งวัน"} and thai[DAYS].fuzzy
    assert f"({dose(root, 'th').relative_to(root)}, {days_id}[0]): inline code" in result.err
    assert result.err.count("inline code '%(count)s' is missing") == 2
    assert thai[TABLETS].msgstr_plural == {0: "%(count)s เม็ด"} and not thai[TABLETS].fuzzy
    assert f"{tablets_id}[1]): the catalog's Plural-Forms has 1 form, not a form [1]" in result.err
    assert filipino[DAYS].msgstr_plural == {0: "Isang araw", 1: "%(count)s araw"}
    assert filipino[DAYS].fuzzy
    assert f"({dose(root, 'fil').relative_to(root)}, {days_id}[0]): inline code" in result.err
    assert filipino[TABLETS].msgstr_plural == {0: "%(count)s tableta", 1: ""}
    assert filipino[TABLETS].fuzzy
    assert f"{tablets_id}): plural form [1] has no translation" in result.err
    for locale in ("th", "fil"):
        msgfmt_check(dose(root, locale))
    # Once a translator fixes them, gettext agrees with what was kept fuzzy.
    fill(dose(root, "fil"), {DAYS: ["Isang araw", "%(count)s araw"], TABLETS: FILIPINO[TABLETS]})
    po = catalog.load(dose(root, "fil"))
    for entry in po:
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save(dose(root, "fil"), po)
    done = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(dose(root, "fil"))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "doesn't exist in 'msgstr[0]'" in done.stderr


def test_changed_or_broken_plural_groups(new_project, run) -> None:
    root = dose_project(new_project, run)
    out = root / "th.xlf"
    export(root, run, "th", out)
    tree = etree.parse(str(out))
    group = groups(tree.getroot())[unit_id(None, TABLETS[0])]
    first, plural = group.findall(Q + "trans-unit")
    first.find(Q + "target").text = "%(count)s เม็ด"
    first.find(Q + "target").set("state", "translated")
    plural.find(Q + "source").text = "%(count)s pills"  # the English plural changed since
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    result = run(["import", str(out)], root)
    assert result.code == 1
    assert f"skipped unit {group.get('id')}: its English is no longer the current" in result.err
    assert plural_entries(dose(root, "th"))[TABLETS].msgstr_plural == {0: ""}
    # A tool that dropped the group around the forms: named, not merged as singular.
    flat = root / "flat.xlf"
    text = out.read_text(encoding="utf-8").replace("%(count)s pills", "%(count)s tablets")
    head, rest = text.split(f'<group id="{group.get("id")}" restype="x-gettext-plurals">', 1)
    flat.write_text(head + rest.replace("</group>", "", 1), encoding="utf-8")
    result = run(["import", str(flat)], root)
    assert f"skipped unit {group.get('id')}[0]: a plural form outside its <group" in result.err
    # The same form twice: a broken file, refused whole.
    twice = root / "twice.xlf"
    twice.write_text(text.replace(f'id="{group.get("id")}[1]"', f'id="{group.get("id")}[0]"'))
    before = snapshot(root / "locales")
    result = run(["import", str(twice)], root)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "twice.xlf:" in lines[0] and "form [0]" in lines[0]
    assert "appears twice" in lines[0]
    assert snapshot(root / "locales") == before


def test_an_original_outside_the_project_is_not_written(new_project, run, tmp_path: Path) -> None:
    """A file's `original` is untrusted: only a catalog the project has is merged."""
    root = dose_project(new_project, run)
    outside = tmp_path / "outside" / "dose.po"
    outside.parent.mkdir(parents=True)
    outside.write_bytes(dose(root, "th").read_bytes())
    out = root / "th.xlf"
    export(root, run, "th", out)
    tree = etree.parse(str(out))
    for target in tree.getroot().iter(Q + "target"):
        target.text, target.attrib["state"] = "แปล %(count)s", "translated"
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    text = out.read_text(encoding="utf-8")
    for original in (
        "../" * 30 + outside.as_posix().lstrip("/"),  # a catalog's path, as po2xliff names it
        "source/" + "../" * 30 + outside.with_suffix(".md").as_posix().lstrip("/"),
    ):
        out.write_text(text.replace('original="locales/dose.pot"', f'original="{original}"'))
        assert (root / "locales/th/LC_MESSAGES" / original).resolve() == outside or (
            original.startswith("source/")
        )
        before = outside.read_bytes()
        result = run(["import", str(out)], root)
        assert result.code == 1 and "no such page has a th catalog" in result.err
        assert outside.read_bytes() == before


# files Translate Toolkit's po2xliff wrote -------------------------------------------------


def po2xliff(po: Path, out: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "translate.convert.po2xliff", str(po), str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and out.is_file(), done.stderr


@needs_corpus
@needs_gettext
@pytest.mark.parametrize(
    ("name", "locale"), [("gcalc-th", "th"), ("gcalc-ms", "ms"), ("apt-vi", "vi")]
)
def test_a_po2xliff_file_of_a_real_catalog_imports(new_project, run, name, locale) -> None:
    """A translator's catalog converted by Translate Toolkit's po2xliff (XLIFF 1.1, its
    own unit numbers, plural groups padded to two forms, obsolete entries as ordinary
    units, msgctxt dropped), imported into the same catalog emptied: every translation
    comes back, plural forms included, except those whose English several entries share
    (the file cannot tell them apart: named and skipped)."""
    root = new_project(pages={}, pyproject=f'locales = ["{locale}"]')
    path = root / f"locales/{locale}/LC_MESSAGES/{name}.po"
    path.parent.mkdir(parents=True)
    path.write_bytes((REAL / f"{name}.po").read_bytes())
    out = root / f"{name}.xlf"
    po2xliff(path, out)
    assert b"urn:oasis:names:tc:xliff:document:1.1" in out.read_bytes()
    original = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path)) if not e.obsolete}
    emptied = catalog.load(path)
    for entry in emptied:
        if not entry.obsolete:
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
            if entry.fuzzy:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    catalog.save(path, emptied)
    result = run(["import", str(out)], root)
    assert result.code == 1, result.output  # obsolete and ambiguous units are listed
    assert "Traceback" not in result.output
    shared: dict[tuple[str, str], int] = {}
    for entry in original.values():
        key = (entry.msgid, entry.msgid_plural)
        shared[key] = shared.get(key, 0) + 1
    # Units kept fuzzy by a safety check (named on stderr) may differ in the flag only.
    english = {}
    for element in etree.parse(str(out)).getroot().iter():
        if etree.QName(element).localname in ("trans-unit", "group"):
            english[element.get("id")] = "".join(next(element.iter("{*}source")).itertext())
    kept_fuzzy = {english[m] for m in re.findall(r"kept fuzzy \([^,]+, (\w+)", result.err)}
    after = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path)) if not e.obsolete}
    assert after.keys() == original.keys()
    plurals = 0
    for key, entry in original.items():
        back = after[key]
        if shared[(entry.msgid, entry.msgid_plural)] > 1:
            assert not back.msgstr and not any(back.msgstr_plural.values()), key
            continue
        assert (back.msgstr, back.msgstr_plural) == (entry.msgstr, entry.msgstr_plural), key
        assert back.fuzzy == entry.fuzzy or (back.fuzzy and entry.msgid in kept_fuzzy), key
        plurals += bool(entry.msgid_plural)
    assert plurals == sum(1 for e in original.values() if e.msgid_plural) > 0
    msgfmt_check(path)
    msgcat_same(path)


def test_a_second_different_translation_of_an_entry_is_named_not_taken(new_project, run) -> None:
    """Two files (or a converted catalog's obsolete entry beside the current one) that
    translate the same entry differently: the first is kept, the second named."""
    root = dose_project(new_project, run)
    files = []
    for name, text in (("first", "%(count)s เม็ด"), ("second", "%(count)s แคปซูล")):
        out = root / f"{name}.xlf"
        export(root, run, "th", out)
        tree = etree.parse(str(out))
        target = groups(tree.getroot())[unit_id(None, TABLETS[0])].find(f"{Q}trans-unit/{Q}target")
        target.text, target.attrib["state"] = text, "translated"
        tree.write(str(out), xml_declaration=True, encoding="UTF-8")
        files.append(str(out))
    result = run(["import", *files], root)
    assert result.code == 1
    assert plural_entries(dose(root, "th"))[TABLETS].msgstr_plural == {0: "%(count)s เม็ด"}
    assert "second.xlf:" in result.err and "another translation of the same entry" in result.err
    assert "first.xlf:" in result.err.split("was taken at ")[1]
