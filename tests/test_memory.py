"""Translation memory in `l10n update`: proposals from the locale's other pages and from
TMX memories, always fuzzy, with their origin, the same on every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib
import pytest
from conftest import CORPUS, age, gettext_valid, needs_corpus, needs_gettext, snapshot

from pipeline.memory import Memory, Want, page_candidates, propose
from pipeline.po import catalog

SHARED = "Take metformin 500 mg twice a day with food."
SIMILAR = "Take metformin 500 mg three times a day with food."
THAI = "รับประทานเมทฟอร์มิน 500 มก. วันละสองครั้งพร้อมอาหาร"
PAGES = {
    "diabetes.md": f"# Diabetes\n\n{SHARED}\n\nCheck your blood sugar every day.\n",
    "kidney.md": f"# Kidney disease\n\n{SHARED}\n\n{SIMILAR}\n\nDrink water.\n",
}


def po_path(root: Path, page: str, locale: str = "th") -> Path:
    return root / f"locales/{locale}/LC_MESSAGES/{page}.po"


def entries(path: Path) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(path)) if not e.obsolete}


def translate(path: Path, texts: dict[str, str]) -> None:
    po = catalog.load(path)
    for entry in po:
        if entry.msgid in texts:
            entry.msgstr = texts[entry.msgid]
    catalog.save(path, po)


@pytest.fixture
def two_pages(new_project, run) -> Path:
    """Thai has translated the diabetes page; the kidney page is new."""
    root = new_project(pages={"diabetes.md": PAGES["diabetes.md"]}, pyproject='locales = ["th"]')
    assert run(["extract"], root).code == 0 and run(["init", "th"], root).code == 0
    translate(
        po_path(root, "diabetes"),
        {"Diabetes": "เบาหวาน", SHARED: THAI, "Check your blood sugar every day.": "ตรวจน้ำตาล"},
    )
    (root / "source/kidney.md").write_text(PAGES["kidney.md"], encoding="utf-8")
    assert run(["extract"], root).code == 0
    return root


@needs_gettext
def test_update_proposes_the_same_and_similar_english_from_other_pages(
    two_pages: Path, run
) -> None:
    result = run(["update"], two_pages)
    assert result.code == 0, result.output
    kidney = entries(po_path(two_pages, "kidney"))
    exact = kidney[SHARED]
    assert exact.msgstr == THAI and exact.fuzzy  # exact matches are proposed, still fuzzy
    assert exact.tcomment == 'memory: 100% from page "diabetes"'
    similar = kidney[SIMILAR]
    assert similar.msgstr == THAI and similar.fuzzy
    score = int(similar.tcomment.split("%")[0].split(" ")[1])
    assert 75 <= score < 100 and similar.tcomment.endswith('from page "diabetes"')
    assert kidney["Drink water."].msgstr == "" and not kidney["Drink water."].tcomment
    assert kidney["Kidney disease"].msgstr == ""
    diabetes = entries(po_path(two_pages, "diabetes"))
    assert not any(e.fuzzy for e in diabetes.values())  # a page never proposes to itself
    assert gettext_valid([po_path(two_pages, "kidney"), po_path(two_pages, "diabetes")]) == 2


def test_update_twice_changes_nothing_and_comments_do_not_pile_up(two_pages: Path, run) -> None:
    assert run(["update"], two_pages).code == 0
    age((two_pages / "locales").rglob("*.po"))
    before = snapshot(two_pages / "locales")
    result = run(["update"], two_pages)
    assert result.code == 0 and "0 of 3 catalogs changed" in result.out, result.output
    assert snapshot(two_pages / "locales") == before
    # The translator empties a proposal and leaves a note: the next proposal replaces the
    # old comment; the note stays.
    path = po_path(two_pages, "kidney")
    po = catalog.load(path)
    for entry in po:
        if entry.msgid == SHARED:
            entry.msgstr = ""
            entry.flags.remove("fuzzy")
            entry.tcomment = "Ask the pharmacist\n" + entry.tcomment
    catalog.save(path, po)
    assert run(["update"], two_pages).code == 0
    entry = entries(path)[SHARED]
    assert entry.tcomment == 'Ask the pharmacist\nmemory: 100% from page "diabetes"'
    assert entry.fuzzy and entry.msgstr == THAI


def test_a_stale_memory_comment_goes_when_nothing_is_proposed(two_pages: Path, run) -> None:
    assert run(["update"], two_pages).code == 0
    translate(po_path(two_pages, "diabetes"), {SHARED: ""})  # the memory is gone
    path = po_path(two_pages, "kidney")
    po = catalog.load(path)
    for entry in po:
        if entry.msgid in (SHARED, SIMILAR):
            entry.msgstr = ""
            entry.flags.remove("fuzzy")
    catalog.save(path, po)
    assert run(["update"], two_pages).code == 0
    kidney = entries(path)
    for msgid in (SHARED, SIMILAR):
        assert kidney[msgid].msgstr == "" and kidney[msgid].tcomment == ""


TMX = """<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="memoQ" creationtoolversion="9" segtype="sentence" o-tmf="x"
          adminlang="en-US" srclang="en-US" datatype="plaintext"/>
  <body>
    <tu><tuv xml:lang="en-US"><seg>Drink water.</seg></tuv>
        <tuv xml:lang="th-TH"><seg>ดื่มน้ำ</seg></tuv></tu>
    <tu><tuv xml:lang="en-US"><seg>Kidney disease</seg></tuv>
        <tuv xml:lang="vi-VN"><seg>Bệnh thận</seg></tuv></tu>
  </body>
</tmx>
"""


@pytest.mark.parametrize("encoding", ["UTF-16", "UTF-8"])
def test_tmx_memories_are_read_in_their_declared_encoding(
    two_pages: Path, run, encoding: str
) -> None:
    pyproject = two_pages / "pyproject.toml"
    pyproject.write_text('[tool.l10n]\nlocales = ["th"]\nmemory = ["memory/*.tmx"]\n')
    memory = two_pages / "memory/agency.tmx"
    memory.parent.mkdir()
    memory.write_bytes(TMX.format(encoding=encoding).encode(encoding.lower()))
    result = run(["update"], two_pages)
    assert result.code == 0, result.output
    kidney = entries(po_path(two_pages, "kidney"))
    water = kidney["Drink water."]
    assert water.msgstr == "ดื่มน้ำ" and water.fuzzy
    assert water.tcomment == "memory: 100% from memory/agency.tmx"
    assert kidney["Kidney disease"].msgstr == ""  # Vietnamese is not Thai


@pytest.mark.parametrize(
    "text, message",
    [
        ('<?xml version="1.0"?><tmx version="1.4"><body><tu>', "not well-formed"),
        (
            '<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
            '<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>&x;</seg></tuv></tu></body>'
            "</tmx>",
            "entities",
        ),
        ('<?xml version="1.0"?><xliff version="1.2"/>', "not a TMX file"),
    ],
)
def test_a_bad_memory_stops_update_with_catalogs_untouched(
    two_pages: Path, run, text: str, message: str
) -> None:
    (two_pages / "pyproject.toml").write_text(
        '[tool.l10n]\nlocales = ["th"]\nmemory = ["memory/*.tmx"]\n'
    )
    (two_pages / "memory").mkdir()
    (two_pages / "memory/bad.tmx").write_text(text, encoding="utf-8")
    before = snapshot(two_pages / "locales")
    result = run(["update"], two_pages)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "memory/bad.tmx:" in lines[0] and message in lines[0]
    assert snapshot(two_pages / "locales") == before


def test_proposals_are_deterministic_whatever_the_order() -> None:
    """Equal scores: a page before a memory file, then pages by name."""
    catalogs = []
    for locale, page, text in (
        ("th", "zeta", "Z"),
        ("th", "alpha", "A"),
        ("th", "kidney", "K"),
        ("vi", "alpha", "V"),
    ):
        po = polib.POFile()
        po.append(polib.POEntry(msgid=SHARED, msgstr=text))
        catalogs.append((locale, page, po))
    want = Want("th", "kidney", SHARED)
    for order in (catalogs, catalogs[::-1]):
        memory = Memory([page_candidates(order)])
        found = memory.propose([want, Want("vi", "zeta", SIMILAR)])
        assert found[want].translation == "A" and found[want].score == 100
        assert found[Want("vi", "zeta", SIMILAR)].translation == "V"
    assert Memory([page_candidates(catalogs)]).propose([Want("lo", "kidney", SHARED)]) == {}


def test_a_memory_searched_in_parts_proposes_what_it_proposes_whole() -> None:
    """Each process searches the pages it holds: the hits put together give the
    proposals of one search over every page, ties and shared English included."""
    texts = [SHARED, SIMILAR, "Take metformin 500 mg twice a day.", "Drink water.", "Drink"]
    catalogs = []
    for n, (locale, english) in enumerate(
        (locale, english) for english in texts for locale in ("th", "vi", "km")
    ):
        po = polib.POFile()
        po.append(polib.POEntry(msgid=english, msgstr=f"{locale} {n}"))
        po.append(polib.POEntry(msgid=f"Step {n} of the plan.", msgstr=f"{locale} step {n}"))
        catalogs.append((locale, f"page{n % 5}", po))
    wants = [
        Want(locale, page, english)
        for locale in ("th", "vi", "km", "lo")
        for page in ("page0", "page3", "new")
        for english in [*texts, "Take metformin 250 mg twice a day with food.", "Step 7 of it."]
    ]
    whole = Memory([page_candidates(catalogs)]).propose(wants)
    assert len(whole) > 20 and {p.score for p in whole.values()} > {100}
    wanted = {want.english for want in wants}
    for parts in ([catalogs[::2], catalogs[1::2]], [catalogs[:4], catalogs[4:9], catalogs[9:]]):
        hits = [Memory([page_candidates(part)]).hits(wanted) for part in parts]
        assert propose(wants, hits[::-1]) == whole


def test_workers_give_the_same_proposals(new_project, run) -> None:
    """-j 2 (the run searches the memory for its workers) writes what -j 1 writes."""
    pages = {
        f"p{n:02d}.md": f"# Page {n}\n\n{SHARED if n % 2 else SIMILAR}\n\nStep {n} of the plan.\n"
        for n in range(26)
    }
    roots = []
    for jobs in ("1", "2"):
        root = new_project(name=f"j{jobs}", pages={"p00.md": pages["p00.md"]})
        (root / "pyproject.toml").write_text(
            '[tool.l10n]\nlocales = ["th", "vi", "id", "ms", "fil", "km", "my", "lo"]\n'
        )
        assert run(["extract"], root).code == 0
        assert run(["init", "th", "vi", "id", "ms", "fil", "km", "my", "lo"], root).code == 0
        for locale in ("th", "vi"):
            translate(po_path(root, "p00", locale), {SIMILAR: f"{locale} {THAI}"})
        for name, text in pages.items():
            (root / "source" / name).write_text(text, encoding="utf-8")
        assert run(["extract"], root).code == 0
        result = run(["update", "-j", jobs], root)
        assert result.code == 0, result.output
        roots.append(root)
    one, two = (
        {k: v[0] for k, v in snapshot(r / "locales").items() if k.endswith(".po")} for r in roots
    )
    assert one == two and len(one) == 27 * 8
    proposed = entries(po_path(roots[1], "p03", "vi"))[SHARED]
    assert proposed.msgstr == f"vi {THAI}" and proposed.fuzzy
    assert proposed.tcomment.endswith('from page "p00"')
    # A worker that fails before it has sent anything stops the run, which waits for no
    # one: one line, exit 2, no catalog written.
    broken = po_path(roots[1], "p07", "km")
    broken.write_text(broken.read_text(encoding="utf-8") + '\nmsgid "x"\nmsgstr\n')
    (roots[1] / "source/p01.md").write_text("# Page 1\n\nA new sentence.\n")
    assert run(["extract"], roots[1]).code == 0
    before = snapshot(roots[1] / "locales")
    result = run(["update", "-j", "2"], roots[1])
    assert result.code == 2 and "p07.po:" in result.err, result.output
    assert snapshot(roots[1] / "locales") == before


@needs_corpus
def test_a_memory_written_by_translate_toolkit_from_a_real_catalog(new_project, run) -> None:
    """po2tmx (another tool) turns apt's real Thai catalog into a TMX memory."""
    root = new_project(
        pages={
            "errors.md": "# Invalid archive signature\n\nThe list of sources could not be "
            "read.\n\nArchive is too short.\n\nNothing like anything apt says.\n"
        },
        pyproject='locales = ["th"]\nmemory = ["memory/*.tmx"]',
    )
    (root / "memory").mkdir()
    po2tmx = Path(sys.executable).with_name("po2tmx")
    done = subprocess.run(
        [
            str(po2tmx),
            "--progress=none",
            "-l",
            "th",
            "-i",
            str(CORPUS / "po/real/apt-th.po"),
            "-o",
            str(root / "memory/apt.tmx"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert run(["extract"], root).code == 0 and run(["init", "th"], root).code == 0
    result = run(["update"], root)
    assert result.code == 0, result.output
    found = entries(po_path(root, "errors"))
    heading = found["Invalid archive signature"]
    assert heading.msgstr == "เอกลักษณ์ของแฟ้มจัดเก็บไม่ถูกต้อง" and heading.fuzzy
    assert heading.tcomment == "memory: 100% from memory/apt.tmx"
    assert found["The list of sources could not be read."].msgstr == (
        "ไม่สามารถอ่านรายชื่อแหล่งแพกเกจได้"
    )
    short = found["Archive is too short."]
    assert short.msgstr == "แฟ้มจัดเก็บสั้นเกินไป" and short.fuzzy
    assert short.tcomment.startswith("memory: 9") and "100%" not in short.tcomment
    assert found["Nothing like anything apt says."].msgstr == ""
