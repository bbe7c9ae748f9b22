"""`l10n status`: how far each locale has come, for people and for machines."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from conftest import snapshot

from pipeline.po import catalog
from pipeline.status import count

PAGE = "# Heart health\n\nOne two three four.\n\nFive six.\n\nSeven.\n"
FIELDS = {
    "locale",
    "domain",
    "total",
    "translated",
    "fuzzy",
    "untranslated",
    "obsolete",
    "words",
    "translated_words",
    "percent",
    "percent_words",
    "approved",
    "approvals",
    "untranslatable",
}


@pytest.fixture
def counted(new_project, run) -> Path:
    """th: 2 translated (one identical to the English), 1 fuzzy, 1 untranslated, 1 obsolete.
    vi is configured but has no catalogs yet."""
    root = new_project(pages={"a.md": PAGE}, pyproject='locales = ["th", "vi"]\n')
    assert run(["extract"], root).code == 0
    assert run(["init", "th"], root).code == 0
    path = root / "locales/th/LC_MESSAGES/a.po"
    po = catalog.load(path)
    po.find("Heart health").msgstr = "สุขภาพหัวใจ"
    fuzzy = po.find("One two three four.")
    fuzzy.msgstr, fuzzy.flags = "หนึ่ง สอง สาม สี่", ["fuzzy"]
    po.find("Five six.").msgstr = "Five six."  # identical to the English: translated
    po.append(polib.POEntry(msgid="Gone.", msgstr="หายไป", obsolete=True))
    catalog.save(path, po)
    return root


def status_json(run, root: Path, *args: str) -> dict:
    result = run(["status", "--json", *args], root)
    assert result.code == 0, result.output
    assert result.err == ""
    return json.loads(result.out)


def test_counts_per_domain(counted: Path, run) -> None:
    data = status_json(run, counted)
    th = next(loc for loc in data["locales"] if loc["locale"] == "th")
    page = next(d for d in th["domains"] if d["domain"] == "a")
    assert page == {
        "locale": "th",
        "domain": "a",
        "total": 4,
        "translated": 2,
        "fuzzy": 1,
        "untranslated": 1,
        "obsolete": 1,
        "words": 9,
        "translated_words": 4,
        "percent": 50.0,
        "percent_words": 44.4,
        "approved": 0,
        "approvals": {},
        "untranslatable": 0,
    }


def test_json_schema(counted: Path, run) -> None:
    data = status_json(run, counted)
    assert set(data) == {"locales"}
    assert [loc["locale"] for loc in data["locales"]] == ["th", "vi"]
    for loc in data["locales"]:
        assert set(loc) == FIELDS | {"domains"}
        assert loc["domain"] is None
        assert [d["domain"] for d in loc["domains"]] == ["a", "ui"]
        for row in [loc, *loc["domains"]]:
            for key in FIELDS - {"locale", "domain", "percent", "percent_words", "approvals"}:
                assert isinstance(row[key], int) and row[key] >= 0
            assert isinstance(row["percent"], float) and 0 <= row["percent"] <= 100
            assert row["total"] == row["translated"] + row["fuzzy"] + row["untranslated"]
        for key in ("total", "translated", "fuzzy", "untranslated", "obsolete", "words"):
            assert loc[key] == sum(d[key] for d in loc["domains"])


def test_locale_without_catalogs_counts_as_untranslated(counted: Path, run) -> None:
    vi = status_json(run, counted)["locales"][1]
    assert vi["locale"] == "vi"
    assert vi["translated"] == vi["fuzzy"] == vi["obsolete"] == 0
    assert vi["untranslated"] == vi["total"] > 4
    assert vi["percent"] == vi["percent_words"] == 0.0


def test_only_the_named_locales(counted: Path, run) -> None:
    data = status_json(run, counted, "-l", "vi")
    assert [loc["locale"] for loc in data["locales"]] == ["vi"]
    result = run(["status", "-l", "km"], counted)
    assert result.code == 2
    assert "'km' is not configured" in result.err


def test_table(counted: Path, run) -> None:
    result = run(["status"], counted)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == [
        "locale",
        "domain",
        "total",
        "done",
        "fuzzy",
        "todo",
        "obsol.",
        "%",
        "%",
        "words",
        "approved",
        "approvals",
    ]
    assert lines[1].split() == ["th", "a", "4", "2", "1", "1", "1", "50.0", "44.4", "0", "-"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["th", "a"],
        ["th", "ui"],
        ["th", "(all)"],
        ["vi", "a"],
        ["vi", "ui"],
        ["vi", "(all)"],
    ]


def test_status_writes_nothing(counted: Path, run) -> None:
    before = snapshot(counted)
    assert run(["status"], counted).code == 0
    assert run(["status", "--json"], counted).code == 0
    assert snapshot(counted) == before


def test_count_plurals_and_empty_catalog() -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    assert count(po, "th", "x").percent == 100.0  # nothing to translate
    po.append(polib.POEntry(msgid="one file", msgid_plural="files", msgstr_plural={0: "x", 1: ""}))
    po.append(polib.POEntry(msgid="a b", msgid_plural="c", msgstr_plural={0: "x", 1: "y"}))
    counts = count(po, "th", "x")
    assert (counts.total, counts.translated, counts.untranslated) == (2, 1, 1)
    assert (counts.words, counts.translated_words) == (4, 2)


def test_no_templates_yet(new_project, run) -> None:
    root = new_project(pages={"a.md": PAGE}, locales=["th"])
    assert status_json(run, root) == {"locales": []}
