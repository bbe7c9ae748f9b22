"""`l10n check`: each check with real-looking translations, exact path:line, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import entry_lines
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import checks, safety
from pipeline.checks import REGISTRY, SECURITY, check_message
from pipeline.errors import L10nError
from pipeline.glossary import Glossary, load, parse_tbx

REPO = Path(__file__).resolve().parents[1]

INCIDENCE = (
    "The prevalence of systemic sclerosis in Europe and North America is about 50–300 cases "
    "per million, with a significantly higher proportion of female patients compared to "
    "males (about 4:1)."
)

TBX = """\
<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en">
  <text><body>
    <termEntry id="ssc">
      <descrip type="Translation needed">No</descrip>
      <langSet xml:lang="en"><tig><term>SSc</term></tig></langSet>
    </termEntry>
    <termEntry id="systemic-sclerosis">
      <langSet xml:lang="en"><tig><term>systemic sclerosis</term></tig></langSet>
      <langSet xml:lang="th"><tig><term>โรคหนังแข็งชนิดทั่วร่างกาย</term></tig></langSet>
      <langSet xml:lang="id"><tig><term>sklerosis sistemik</term></tig></langSet>
      <langSet xml:lang="fil"><tig><term>systemic sclerosis</term></tig></langSet>
    </termEntry>
    <termEntry id="glucocorticoid">
      <langSet xml:lang="en"><tig><term>glucocorticoid</term></tig></langSet>
      <langSet xml:lang="vi"><tig><term>glucocorticoid</term></tig></langSet>
      <langSet xml:lang="id">
        <tig><term>glukokortikoid</term></tig>
        <tig>
          <term>kortikosteroid</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>
        </tig>
      </langSet>
    </termEntry>
    <termEntry id="cell-therapy">
      <langSet xml:lang="en"><tig><term>cell therapy</term></tig></langSet>
      <langSet xml:lang="vi"><tig><term>liệu pháp tế bào</term></tig></langSet>
    </termEntry>
    <termEntry id="irct">
      <langSet xml:lang="en"><tig><term>immune reconstruction cell therapy</term></tig></langSet>
      <langSet xml:lang="vi"><tig><term>liệu pháp tế bào tái tạo miễn dịch</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""


@pytest.fixture(scope="module")
def gloss() -> Glossary:
    terms, dnt = parse_tbx(TBX, "glossary.tbx")
    return Glossary(terms, (*dnt, "United Life International Medical Center"))


def messages(
    check: str,
    english: str,
    translation: str,
    locale: str,
    domain: str = "page",
    flags: tuple[str, ...] = (),
    glossary: Glossary | None = None,
    references: dict | None = None,
) -> list[str]:
    return [
        message
        for _, message in check_message(
            english,
            translation,
            locale,
            domain,
            flags,
            glossary,
            only=[check],
            references=references,
        )
    ]


# --- the registry ----------------------------------------------------------------------------


def test_registry_has_the_checks_of_the_issue_with_their_severities() -> None:
    severities = {c.id: c.severity for c in REGISTRY.values()}
    assert severities == {
        "syntax": "error",
        "numbers": "error",
        "links": "error",
        "markup": "error",
        "unsafe-html": "error",
        "placeholders": "error",
        "glossary": "error",
        "glyphs": "error",
        "punctuation": "warning",
        "whitespace": "warning",
        "unchanged": "warning",
        "length": "warning",
    }
    assert all(c.description and "\n" not in c.description for c in REGISTRY.values())


def test_registering_a_check_needs_a_known_severity() -> None:
    with pytest.raises(ValueError):
        checks.check("made-up", "fatal", "never registered")


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "translation"),
    [
        (
            "th",
            "ความชุกของโรคหนังแข็งชนิดทั่วร่างกายในยุโรปและอเมริกาเหนืออยู่ที่ประมาณ ๕๐–๓๐๐ "
            "รายต่อประชากรหนึ่งล้านคน โดยผู้ป่วยหญิงมีสัดส่วนสูงกว่าผู้ป่วยชายอย่างมาก "
            "(ประมาณ ๔:๑)",
        ),
        ("th", "ความชุกประมาณ 50–300 รายต่อประชากรหนึ่งล้านคน (ประมาณ 4:1)"),
        ("lo", "ອັດຕາການເປັນພະຍາດປະມານ ໕໐–໓໐໐ ກໍລະນີຕໍ່ລ້ານຄົນ (ປະມານ ໔:໑)"),
        ("km", "អត្រាប្រេវ៉ាឡង់ប្រហែល ៥០–៣០០ ករណីក្នុងមួយលាននាក់ (ប្រហែល ៤:១)។"),
        ("my", "ဖြစ်ပွားမှုနှုန်းမှာ သန်းတစ်သန်းလျှင် ၅၀–၃၀၀ ခန့်ဖြစ်ပြီး (၄:၁ ခန့်)။"),
        ("vi", "Tỷ lệ mắc bệnh khoảng 50-300 ca trên một triệu dân (khoảng 4 : 1)."),
    ],
)
def test_numbers_native_digits_and_dash_variants_are_the_same_number(
    locale: str, translation: str
) -> None:
    assert messages("numbers", INCIDENCE, translation, locale) == []


def test_numbers_a_changed_ratio_or_broken_range_is_named() -> None:
    swapped = "ความชุกประมาณ ๕๐–๓๐๐ รายต่อประชากรหนึ่งล้านคน (ประมาณ ๑:๔)"
    assert messages("numbers", INCIDENCE, swapped, "th") == [
        '"4:1" is missing from the translation'
    ]
    split = "ความชุกประมาณ 50 ถึง 300 รายต่อประชากรหนึ่งล้านคน (ประมาณ 4:1)"
    assert messages("numbers", INCIDENCE, split, "th") == [
        '"50–300" is missing from the translation'
    ]


@pytest.mark.parametrize(
    ("english", "translation", "locale", "ok"),
    [
        ("About 1,000 patients.", "Sekitar 1.000 pasien.", "id", True),  # Babel: id groups with .
        ("About 1,000 patients.", "Sekitar 1,000 pasien.", "id", True),  # English style kept
        ("A dose of 1.5 mg.", "Dosis 1,5 mg.", "id", True),
        ("A dose of 1.5 mg.", "Liều 1,5 mg.", "vi", True),
        ("A dose of 1.5 mg.", "Dosis 15 mg.", "id", False),
        ("About 1,000 patients.", "ประมาณ 1.000 คน", "th", False),  # in Thai 1.000 is one
        ("About 12,500 patients.", "Mga 12,500 pasyente.", "fil", True),
        ("In 2019 there were 3 trials.", "Noong 2019 ay may tatlong pagsubok.", "fil", False),
    ],
)
def test_numbers_separators_follow_babel_locale_data(
    english: str, translation: str, locale: str, ok: bool
) -> None:
    assert (messages("numbers", english, translation, locale) == []) is ok


_NUMBERISH = st.text(alphabet="0123456789๕໕៥၅.,:–- x", max_size=24)


@settings(max_examples=400, deadline=None)
@given(english=_NUMBERISH, translation=_NUMBERISH, locale=st.sampled_from(["th", "id", "vi", "my"]))
def test_numbers_the_quick_answer_never_passes_what_the_full_reading_fails(
    english: str, translation: str, locale: str
) -> None:
    from pipeline.checks import content

    ours = content._number_units(english, ((",", "."),))
    if ours and content.written_as_in_english(ours, translation):
        theirs = content._number_units(translation, content.number_symbols(locale))
        assert all(content._found(unit, theirs) for unit in ours)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x1100, exclude_categories=["Cs"])
        | st.sampled_from("\U0001f600\u200b\u00ad กขค"),
        max_size=12,
    ),
    locale=st.sampled_from(["th", "km", "my", "lo", "vi"]),
)
def test_glyphs_the_quick_answer_is_the_fonts_own(text: str, locale: str) -> None:
    from pipeline.site import fonts

    drawn = set(text) <= fonts._covered_characters(locale)
    assert (fonts._uncovered(locale).search(text) is None) is drawn


# --- links and markup ------------------------------------------------------------------------


def test_links_a_replaced_target_fails_and_reordering_does_not() -> None:
    english = "See [the guide](https://example.org/guide) and [the FAQ](https://example.org/faq)."
    reordered = "ดู[คำถามที่พบบ่อย](https://example.org/faq) และ[คู่มือ](https://example.org/guide)"
    assert messages("links", english, reordered, "th") == []
    swapped = "ดู[คู่มือ](https://evil.example/guide) และ[คำถามที่พบบ่อย](https://example.org/faq)"
    assert messages("links", english, swapped, "th") == [
        'link target "https://example.org/guide" changed to "https://evil.example/guide"'
    ]
    dropped = "ดูคู่มือและ[คำถามที่พบบ่อย](https://example.org/faq)"
    assert messages("links", english, dropped, "th") == [
        'link target "https://example.org/guide" is missing from the translation'
    ]


def test_links_image_targets_count_and_reference_links_resolve_as_in_the_page() -> None:
    assert messages("links", "![Chart](chart.png)", "![Biểu đồ](chart-vi.png)", "vi") == [
        'link target "chart.png" changed to "chart-vi.png"'
    ]
    refs = {"nhs": ("https://nhs.example/ssc", None), "ads": ("https://ads.example", None)}
    english = "Read [the NHS page][nhs]."
    assert messages("links", english, "Đọc [trang NHS][nhs].", "vi", references=refs) == []
    assert messages("links", english, "Đọc [trang NHS][ads].", "vi", references=refs) == [
        'link target "https://nhs.example/ssc" changed to "https://ads.example"'
    ]


def test_markup_kinds_and_counts_match_the_english() -> None:
    english = "**Immunosuppressants** such as `cyclophosphamide`, see *below*."
    good = "**ยากดภูมิคุ้มกัน** เช่น `cyclophosphamide` ดู*ด้านล่าง*"
    assert messages("markup", english, good, "th") == []
    bad = "**ยากดภูมิคุ้มกัน เช่น cyclophosphamide ดู*ด้านล่าง*"
    assert messages("markup", english, bad, "th") == [
        "bold (**…**): 1 in the English, 0 in the translation",
        "code span (`…`): 1 in the English, 0 in the translation",
        'unbalanced "**" in the translation',
    ]
    emphasis_for_bold = "*ยากดภูมิคุ้มกัน* เช่น `cyclophosphamide` ดู*ด้านล่าง*"
    assert messages("markup", english, emphasis_for_bold, "th") == [
        "bold (**…**): 1 in the English, 0 in the translation",
        "emphasis (*…*): 1 in the English, 2 in the translation",
    ]


# --- unsafe HTML -----------------------------------------------------------------------------

ATTACKS = [
    ("<img src=x onerror=alert(1)>", 'event handler "onerror"'),
    ("Nhấn [vào đây](JaVaScRiPt:alert(1)).", "is a javascript: URL"),
    ("Nhấn [vào đây](&#106;avascript:alert(1)).", "is a javascript: URL"),
    ("Nhấn [vào đây](&#x6A;&#x61;vascript:alert(1)).", "is a javascript: URL"),
    ("Nhấn [vào đây](java&#x09;script:alert(1)).", "is a javascript: URL"),
    ("Nhấn [vào đây](<javascript:alert(1)>).", "is a javascript: URL"),
    ("Nhấn [vào đây](%6Aavascript:alert(1)).", "is a javascript: URL"),
    ("Nhấn [vào đây](VBScript:msgbox(1)).", "is a vbscript: URL"),
    ("![ảnh](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", "is a data: URL"),
    ("Nhấn <script>alert(1)</script> vào đây.", "script element"),
    ('<a href="javascript:alert(1)">vào đây</a>', "javascript: URL"),
    ('<span style="position:fixed;top:0">Cảnh báo</span>', "style attribute"),
    ("Nhấn vào đây<!-- ẩn -->.", "comment"),
    ("Nhấn <https://evil.example/x>.", "adds a link the English lacks"),
    ("Nhấn [vào đây][ads].", "adds a link the English lacks"),
]
REFERENCES = {"ads": ("https://ads.example/", None)}


@pytest.mark.parametrize(("translation", "reason"), ATTACKS)
def test_unsafe_html_reports_each_trick(translation: str, reason: str) -> None:
    found = messages("unsafe-html", "Click here.", translation, "vi", references=REFERENCES)
    assert found and any(reason in message for message in found), found


def test_unsafe_html_names_the_fragment_once_for_a_script_element() -> None:
    assert messages("unsafe-html", "Click here.", "<script>alert(1)</script>", "vi") == [
        'raw HTML "<script>" is not allowed in a translation (script element)'
    ]


def test_unsafe_html_allows_what_the_english_has_and_plain_text_that_looks_like_html() -> None:
    english = "Oxygen (O<sub>2</sub>) supply, see [the guide](https://example.org/a)."
    kept = "Cung cấp oxy (O<sub>2</sub>), xem [hướng dẫn](https://example.org/a)."
    assert messages("unsafe-html", english, kept, "vi") == []
    escaped = "Dùng &lt;b&gt; như văn bản, và 3 < 4 > 2."
    assert messages("unsafe-html", "Plain text.", escaped, "vi") == []


@pytest.mark.parametrize(
    "spelled",
    ["&lt;script&gt;alert(1)&lt;/script&gt;", "&#60;iframe src=x&#62;", "&amp;lt;script&amp;gt;x"],
)
def test_unsafe_html_reports_entities_that_spell_an_active_tag(spelled: str) -> None:
    found = messages("unsafe-html", "Plain text.", f"Văn bản {spelled}.", "vi")
    assert len(found) == 1 and "entities spell a <" in found[0], found


@pytest.mark.parametrize(("translation", "reason"), ATTACKS)
def test_whatever_the_build_refuses_check_reports(translation: str, reason: str) -> None:
    """`build` shows the English in place of an unsafe translation; `check` must have said so."""
    if safety.problems("Click here.", translation, REFERENCES):
        assert check_message(
            "Click here.", translation, "vi", "page", only=SECURITY, references=REFERENCES
        )


# --- placeholders ----------------------------------------------------------------------------


def test_placeholders_python_format_kept_exactly() -> None:
    english, flags = "Page %(page)s of %(pages)s", ("python-format",)
    assert (
        messages("placeholders", english, "Pahina %(page)s ng %(pages)s", "fil", "ui", flags) == []
    )
    assert messages("placeholders", english, "Pahina %(page)s ng %(page)s", "fil", "ui", flags) == [
        'placeholder "%(pages)s" is missing from the translation',
        'placeholder "%(page)s" is not in the English',
    ]
    assert messages(
        "placeholders", "%(percent)s%% translated", "%(percent)s% naisalin", "fil", "ui", flags
    ) == [
        'placeholder "%%" is missing from the translation',
        '"%" not followed by a conversion at "% naisal": write "%%" for a percent sign',
    ]
    assert messages("placeholders", "%s patients", "%d pasien", "id", "ui", flags) == [
        'placeholder "%s" is missing from the translation',
        'placeholder "%d" is not in the English',
    ]


def test_placeholders_brace_and_jinja() -> None:
    english = "Hello {name}, you have {{ count }} messages"
    assert (
        messages("placeholders", english, "Xin chào {name}, bạn có {{count}} tin nhắn", "vi", "ui")
        == []
    )
    assert messages("placeholders", english, "Xin chào {ten}, bạn có tin nhắn", "vi", "ui") == [
        'placeholder "{{ count }}" is missing from the translation',
        'placeholder "{name}" is missing from the translation',
        'placeholder "{ten}" is not in the English',
    ]


def test_placeholders_apply_to_ui_and_format_flagged_entries_only() -> None:
    # A page paragraph is Markdown, not a format string: braces there are text.
    assert messages("placeholders", "Use {name}.", "Dùng tên.", "vi", "systemic-sclerosis") == []
    assert messages(
        "placeholders",
        "Use {name}.",
        "Dùng tên.",
        "vi",
        "systemic-sclerosis",
        ("python-brace-format",),
    ) == ['placeholder "{name}" is missing from the translation']


# --- glossary --------------------------------------------------------------------------------


def test_glossary_approved_rendering_must_appear(gloss: Glossary) -> None:
    english = "Systemic sclerosis (SSc) is a connective tissue disease."
    good = "โรคหนังแข็งชนิดทั่วร่างกาย (SSc) เป็นโรคเนื้อเยื่อเกี่ยวพัน"
    assert messages("glossary", english, good, "th", glossary=gloss) == []
    bad = "โรคหนังแข็ง (SSc) เป็นโรคเนื้อเยื่อเกี่ยวพัน"
    assert messages("glossary", english, bad, "th", glossary=gloss) == [
        '"systemic sclerosis" is not rendered as "โรคหนังแข็งชนิดทั่วร่างกาย" (glossary)'
    ]
    # Latin script: any case; English plural matched by the singular term.
    assert (
        messages(
            "glossary", english, "Sklerosis Sistemik (SSc) adalah penyakit.", "id", glossary=gloss
        )
        == []
    )
    assert messages(
        "glossary", "**Glucocorticoids**", "**Kortikosteroid**", "id", glossary=gloss
    ) == ['"kortikosteroid" is a forbidden rendering of "Glucocorticoids"; use "glukokortikoid"']


def test_glossary_do_not_translate_terms_stay_as_written(gloss: Glossary) -> None:
    english = "Systemic sclerosis (SSc) is rare."
    assert messages(
        "glossary", english, "Sklerosis sistemik (ssc) jarang.", "id", glossary=gloss
    ) == ['"SSc" must be kept as written (do-not-translate)']
    english = "Experts at United Life International Medical Center state it."
    assert messages(
        "glossary",
        english,
        "Theo các chuyên gia tại Trung tâm Y tế Quốc tế United Life.",
        "vi",
        glossary=gloss,
    ) == ['"United Life International Medical Center" must be kept as written (do-not-translate)']


def test_glossary_matches_whole_words_and_the_longest_term(gloss: Glossary) -> None:
    english = "Immune reconstruction cell therapy reshapes immunity."
    good = "Liệu pháp tế bào tái tạo miễn dịch định hình lại hệ miễn dịch."
    assert messages("glossary", english, good, "vi", glossary=gloss) == []
    # "SSc" inside another word is not the term.
    assert gloss.untranslatable("The SScore is high.") == []
    assert [t.english for t in gloss.occurrences("Cell therapy and glucocorticoids.")] == [
        "cell therapy",
        "glucocorticoid",
    ]


def test_glossary_file_refuses_entities_and_reports_xml_errors_with_lines(tmp_path: Path) -> None:
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE m [\n<!ENTITY a "aaaa">\n]>\n<martif/>\n'
    with pytest.raises(L10nError, match=r"glossary.tbx:3: DTD declarations"):
        parse_tbx(bomb, "glossary.tbx")
    public = (
        '<?xml version="1.0"?>\n<!DOCTYPE martif PUBLIC "ISO 12200:1999A//DTD MARTIF '
        'core (DXFcdV04)//EN" "TBXcdv04.dtd">\n' + TBX.split("\n", 1)[1]
    )
    assert len(parse_tbx(public, "glossary.tbx")[0]) == 4
    with pytest.raises(L10nError, match=r"^locales/glossary.tbx:3: not valid XML"):
        (tmp_path / "glossary.tbx").write_text("<martif>\n<text>\n</martif>\n")
        load(tmp_path)


def test_glossary_reads_tbx_v3_and_the_plain_do_not_translate_list(tmp_path: Path) -> None:
    (tmp_path / "glossary.tbx").write_text(
        '<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca" xml:lang="en">'
        "<text><body><conceptEntry id='c1'>"
        "<langSec xml:lang='en'><termSec><term>fibrosis</term></termSec></langSec>"
        "<langSec xml:lang='th'><termSec><term>พังผืด</term></termSec></langSec>"
        "</conceptEntry></body></text></tbx>",
        encoding="utf-8",
    )
    (tmp_path / "do-not-translate.txt").write_text("# names\nSSc\n\nUnited Life\n")
    loaded = load(tmp_path)
    assert [(t.english, t.renderings) for t in loaded.terms] == [("fibrosis", {"th": ("พังผืด",)})]
    assert loaded.do_not_translate == ("SSc", "United Life")


def test_the_repository_glossary_covers_every_locale() -> None:
    loaded = load(REPO / "locales")
    assert set(loaded.do_not_translate) == {"SSc", "United Life International Medical Center"}
    assert len(loaded.terms) >= 19
    locales = {"th", "vi", "id", "ms", "fil", "km", "my", "lo"}
    for term in loaded.terms:
        assert set(term.renderings) == locales, term.english


# --- glyphs ----------------------------------------------------------------------------------


def test_glyphs_a_myanmar_letter_in_khmer_has_no_glyph() -> None:
    assert messages("glyphs", "Conclusion", "សេចក្តីសន្និដ្ឋាន", "km") == []
    assert messages("glyphs", "Conclusion", "សេចក្តីសន្និដ្ឋានက", "km") == [
        'no glyph in the km fonts for "က" (U+1000 MYANMAR LETTER KA)'
    ]
    assert messages("glyphs", "Conclusion", "Kết luận ។", "vi") == [
        'no glyph in the vi fonts for "។" (U+17D4 KHMER SIGN KHAN)'
    ]


# --- punctuation -----------------------------------------------------------------------------

SENTENCE = "Early recognition and intervention can delay disease progression."


@pytest.mark.parametrize(
    ("locale", "translation", "expected"),
    [
        ("my", "စောစီးစွာ သိရှိကုသခြင်းက ရောဂါတိုးတက်မှုကို နှေးကွေးစေနိုင်သည်။", []),
        (
            "my",
            "စောစီးစွာ သိရှိကုသခြင်းက ရောဂါတိုးတက်မှုကို နှေးကွေးစေနိုင်သည်.",
            ['ends with a Latin "."; Burmese sentences end with "။"'],
        ),
        ("km", "ការស្គាល់ និងអន្តរាគមន៍ទាន់ពេលអាចពន្យារការវិវត្តនៃជំងឺ។", []),
        (
            "km",
            "ការស្គាល់ និងអន្តរាគមន៍ទាន់ពេលអាចពន្យារការវិវត្តនៃជំងឺ.",
            ['ends with a Latin "."; Khmer sentences end with "។"'],
        ),
        (
            "km",
            "ការស្គាល់ និងអន្តរាគមន៍ទាន់ពេលអាចពន្យារការវិវត្តនៃជំងឺ",
            ['the English ends a sentence; Khmer sentences end with "។"'],
        ),
        ("th", "การรู้และรักษาแต่เนิ่นๆ ช่วยชะลอการลุกลามของโรคได้", []),
        (
            "th",
            "การรู้และรักษาแต่เนิ่นๆ ช่วยชะลอการลุกลามของโรคได้.",
            ['ends with a Latin "."; Thai sentences take no full stop'],
        ),
        (
            "lo",
            "ການຮັບຮູ້ ແລະ ປິ່ນປົວແຕ່ຫົວທີສາມາດຊະລໍການລຸກລາມຂອງພະຍາດ.",
            ['ends with a Latin "."; Lao sentences take no full stop'],
        ),
        ("th", "ข้อมูลนี้ปรับปรุงเมื่อ พ.ศ.", []),  # an abbreviation, not a full stop
        (
            "th",
            "การรู้แต่เนิ่นๆ สำคัญมาก. ช่วยชะลอโรคได้",
            ['a Latin "." ends 1 sentence inside the text; Thai sentences take no full stop'],
        ),
        (
            "vi",
            "Nhận biết và can thiệp sớm có thể làm chậm tiến triển của bệnh",
            ['the English ends with "." but the translation has no final punctuation'],
        ),
        ("vi", "Nhận biết và can thiệp sớm có thể làm chậm tiến triển của bệnh.", []),
    ],
)
def test_punctuation_follows_the_script(locale: str, translation: str, expected: list) -> None:
    assert messages("punctuation", SENTENCE, translation, locale) == expected


def test_punctuation_a_question_stays_a_question_and_headings_get_no_stop() -> None:
    question = "What is systemic sclerosis?"
    assert messages("punctuation", question, "Xơ cứng bì hệ thống là gì?", "vi") == []
    assert messages("punctuation", question, "Xơ cứng bì hệ thống là gì.", "vi") == [
        'the English is a question but the translation does not end with "?"'
    ]
    assert messages("punctuation", question, "စနစ်တကျ အရေပြားမာကျောရောဂါ ဆိုတာ ဘာလဲ။", "my") == []
    assert messages("punctuation", "Main Harms", "Tác hại chính.", "vi") == [
        'the English has no final punctuation but the translation ends with "."'
    ]
    assert messages("punctuation", "**Vasodilators**", "**ថ្នាំពង្រីកសរសៃឈាម**", "km") == []


# --- whitespace ------------------------------------------------------------------------------


def test_whitespace_edges_doubles_and_invisible_characters() -> None:
    english = "Conclusion"
    assert messages("whitespace", english, "Kết luận", "vi") == []
    assert messages("whitespace", english, " Kết luận\n", "vi") == [
        "leading whitespace ' ' differs from the English ('')",
        "trailing whitespace '\\n' differs from the English ('')",
    ]
    assert messages("whitespace", english, "Kết  luận", "vi") == ["doubled space at position 4"]
    assert messages("whitespace", english, "Kết\u200bluận", "vi") == [
        "stray U+200B zero width space at position 4"
    ]
    assert messages("whitespace", english, "Kết luận\u202e", "vi") == [
        "stray U+202E right-to-left override at position 9"
    ]
    # A zero-width space between Khmer words is a line-break hint; at the end it is stray.
    assert messages("whitespace", english, "សេចក្តី\u200bសន្និដ្ឋាន", "km") == []
    assert messages("whitespace", english, "សេចក្តីសន្និដ្ឋាន\u200b", "km") == [
        "stray U+200B zero width space at position 18"
    ]
    # A Markdown hard break ("  \n") is kept from the English, not a doubled space.
    assert messages("whitespace", "One  \nTwo", "Một  \nHai", "vi") == []


# --- unchanged and length --------------------------------------------------------------------


def test_unchanged_warns_except_for_names_numbers_and_approved_same_terms(
    gloss: Glossary,
) -> None:
    assert messages("unchanged", "MENU", "MENU", "id", "ui", glossary=gloss) == [
        "the translation is identical to the English"
    ]
    for same in (
        "SSc",
        "United Life International Medical Center",
        "50–300",
        "4:1",
        "%(percent)s%%",
    ):
        assert messages("unchanged", same, same, "fil", "ui", glossary=gloss) == [], same
    # The Filipino glossary keeps the disease's English name: an identical title is right.
    assert (
        messages("unchanged", "Systemic Sclerosis", "Systemic Sclerosis", "fil", glossary=gloss)
        == []
    )
    assert messages(
        "unchanged", "Systemic Sclerosis", "Systemic Sclerosis", "id", glossary=gloss
    ) == ["the translation is identical to the English"]


def test_length_bands_are_per_script_and_generous() -> None:
    english = (
        "Such as pirfenidone and nintedanib, which can slow the progression of "
        "interstitial lung disease."
    )
    thai = "เช่น ยาเพอร์เฟนิโดนและนินเทดานิบ ซึ่งสามารถชะลอการลุกลามของโรคปอดอินเตอร์สติเชียลได้"
    burmese = "ပါဖင်နီဒုန်းနှင့် နင်တီဒါနစ်ကဲ့သို့သော ဆေးများသည် အဆုတ်အကြားတစ်ရှူးရောဂါ ဆိုးရွားလာမှုကို နှေးကွေးစေနိုင်သည်။"
    assert messages("length", english, thai, "th") == []
    assert messages("length", english, burmese, "my") == []
    assert messages("length", english, "ยา", "th") == [
        "the translation is 0.02× the length of the English (usual for Thai is 0.3–2.2)"
    ]
    assert messages("length", "Close", "Isara", "fil") == []
    long = "Isara ang kasalukuyang bintana at bumalik sa nakaraang pahina ng menu"
    assert messages("length", "Close", long, "fil") == [
        "the translation is 59 letters for 5 in the English (usual for Latin script is 0.5–2.5)"
    ]


# --- the command -----------------------------------------------------------------------------

HEADER = """\
msgid ""
msgstr ""
"Language: {locale}\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: {plurals}\\n"
"""
PLURALS = {"th": "nplurals=1; plural=0;", "fil": "nplurals=2; plural=(n != 1);"}

THAI_PO = (
    HEADER.format(locale="th", plurals=PLURALS["th"])
    + """
#. heading 1
#: source/page.md:1
msgid "Systemic Sclerosis Overview"
msgstr "ภาพรวมของโรคหนังแข็งชนิดทั่วร่างกาย"

#. paragraph
#: source/page.md:3
msgid ""
"The prevalence is about 50–300 cases per million, with more female patients "
"than male (about 4:1)."
msgstr ""
"ความชุกประมาณ ๕๐–๓๐๐ รายต่อล้านคน โดยผู้ป่วยหญิงมากกว่าชาย "
"(ประมาณ ๔:๑)"

#: source/page.md:5
msgctxt "list"
msgid "A dose of 1.5 mg daily."
msgstr "ขนาดยา 15 มก. ต่อวัน"

#: source/page.md:7
#, fuzzy
msgid "See [the guide](https://example.org/guide)."
msgstr "ดู[คู่มือ](https://evil.example/)"

#: source/page.md:9
msgid "Main Harms"
msgstr ""

#~ msgid "Old sentence with 3 numbers."
#~ msgstr "ประโยคเก่า"
"""
)


def write(root: Path, locale: str, domain: str, text: str) -> Path:
    path = root / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def thai(new_project: Callable[..., Path]) -> Path:
    root = new_project(pages={"page.md": "# Systemic Sclerosis Overview\n"}, locales=["th"])
    write(root, "th", "page", THAI_PO)
    return root


def test_check_reports_path_and_line_of_the_msgstr(thai: Path, run: Callable) -> None:
    result = run(["check"], thai)
    assert result.code == 1, result.output
    assert result.out.splitlines() == [
        'locales/th/LC_MESSAGES/page.po:24: [numbers] "1.5" is missing from the translation',
        "th: 1 error, 0 warnings, 0 silenced, 1 fuzzy, 1 untranslated",
    ]
    assert "check failed: 1 errors" in result.err
    lines = THAI_PO.split("\n")
    assert lines[24 - 1].startswith('msgstr "ขนาดยา')


def test_check_lines_survive_crlf_and_a_bom(thai: Path, run: Callable) -> None:
    path = thai / "locales" / "th" / "LC_MESSAGES" / "page.po"
    path.write_bytes(b"\xef\xbb\xbf" + THAI_PO.replace("\n", "\r\n").encode("utf-8"))
    result = run(["check"], thai)
    assert 'page.po:24: [numbers] "1.5" is missing' in result.out


def test_check_lines_of_plural_forms_and_multiline_msgstr(
    new_project: Callable[..., Path], run: Callable
) -> None:
    root = new_project(pages={}, locales=["fil"])
    write(
        root,
        "fil",
        "ui",
        HEADER.format(locale="fil", plurals=PLURALS["fil"])
        + """
#, python-format
msgid "%(count)s page"
msgid_plural "%(count)s pages"
msgstr[0] "%(count)s pahina"
msgstr[1] "%(bilang)s mga pahina"

msgid ""
"This page gives general information and does not replace advice from your "
"doctor."
msgstr ""
"  Nagbibigay ang pahinang ito ng pangkalahatang impormasyon at hindi ito "
"kapalit ng payo ng iyong doktor."
""",
    )
    result = run(["check"], root)
    assert result.code == 1
    assert result.out.splitlines()[:3] == [
        'locales/fil/LC_MESSAGES/ui.po:11: [placeholders] placeholder "%(count)s" is missing '
        "from the translation",
        'locales/fil/LC_MESSAGES/ui.po:11: [placeholders] placeholder "%(bilang)s" is not in '
        "the English",
        "locales/fil/LC_MESSAGES/ui.po:16: [whitespace] leading whitespace '  ' differs from "
        "the English ('')",
    ]


@pytest.mark.parametrize(
    ("first", "flagged"),
    [("Isang araw", True), ("%(count)s araw", False)],
)
def test_a_plural_form_serving_many_numbers_answers_the_plural_as_msgfmt_says(
    new_project: Callable[..., Path], run: Callable, first: str, flagged: bool
) -> None:
    """Filipino's first form serves 0, 1, 2, 3, 5… (CLDR), so it must keep the plural's
    placeholder: `check` says what `msgfmt --check` says."""
    import shutil
    import subprocess

    from pipeline.locales import plural_forms

    root = new_project(pages={}, locales=["fil"])
    path = write(
        root,
        "fil",
        "ui",
        HEADER.format(locale="fil", plurals=plural_forms("fil"))
        + f"""
#, python-format
msgid "One day"
msgid_plural "%(count)s days"
msgstr[0] "{first}"
msgstr[1] "%(count)s na araw"
""",
    )
    result = run(["check"], root)
    missing = '[placeholders] placeholder "%(count)s" is missing from the translation'
    assert (missing in result.out) is flagged, result.out
    if shutil.which("msgfmt"):
        done = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
        )
        assert (done.returncode != 0) is flagged, done.stderr


def test_check_a_broken_catalog_is_one_syntax_finding_and_the_run_goes_on(
    thai: Path, run: Callable
) -> None:
    write(
        thai,
        "th",
        "ui",
        HEADER.format(locale="th", plurals=PLURALS["th"])
        + '\nmsgid "Close"\nmsgstr "ปิด\n\nmsgid "MENU"\nmsgstr "เมนู"\n',
    )
    result = run(["check"], thai)
    assert result.code == 1
    assert "locales/th/LC_MESSAGES/ui.po:8: [syntax] unterminated string" in result.out
    assert 'page.po:24: [numbers] "1.5" is missing' in result.out  # the other catalog


def test_check_json_parses_back_with_the_documented_shape(thai: Path, run: Callable) -> None:
    result = run(["check", "--json"], thai)
    assert result.code == 1
    data = json.loads(result.out)
    assert set(data) == {"findings", "silenced", "summary"}
    assert data["findings"] == [
        {
            "path": "locales/th/LC_MESSAGES/page.po",
            "line": 24,
            "check": "numbers",
            "severity": "error",
            "message": '"1.5" is missing from the translation',
            "locale": "th",
            "silenced": False,
        }
    ]
    assert data["summary"] == {
        "th": {
            "errors": 1,
            "warnings": 0,
            "silenced": 0,
            "checked": 3,
            "fuzzy": 1,
            "untranslated": 1,
            "obsolete": 1,
        }
    }


def test_check_ignore_flag_silences_one_check_for_one_entry_but_is_counted(
    thai: Path, run: Callable
) -> None:
    path = thai / "locales" / "th" / "LC_MESSAGES" / "page.po"
    path.write_text(
        THAI_PO.replace("#: source/page.md:5\n", "#: source/page.md:5\n#, ignore-numbers\n"),
        encoding="utf-8",
    )
    result = run(["check"], thai)
    assert result.code == 0, result.output
    assert result.out.splitlines() == [
        "th: 0 errors, 0 warnings, 1 silenced, 1 fuzzy, 1 untranslated"
    ]
    data = json.loads(run(["check", "--json"], thai).out)
    assert data["findings"] == []
    assert [(f["line"], f["check"]) for f in data["silenced"]] == [(25, "numbers")]
    # Another check's flag does not silence this one.
    path.write_text(
        THAI_PO.replace("#: source/page.md:5\n", "#: source/page.md:5\n#, ignore-length\n"),
        encoding="utf-8",
    )
    assert run(["check"], thai).code == 1


def test_check_security_findings_cannot_be_silenced(
    new_project: Callable[..., Path], run: Callable
) -> None:
    root = new_project(pages={}, locales=["vi"])
    write(
        root,
        "vi",
        "page",
        HEADER.format(locale="vi", plurals=PLURALS["th"])
        + """
#, ignore-unsafe-html, ignore-links
msgid "Click here."
msgstr "Nhấn <img src=x onerror=alert(1)> vào đây."
""",
    )
    result = run(["check"], root)
    assert result.code == 1
    assert result.out.splitlines() == [
        'locales/vi/LC_MESSAGES/page.po:9: [links] link target "x" is not in the English',
        'locales/vi/LC_MESSAGES/page.po:9: [unsafe-html] raw HTML "<img src=x onerror=alert(1)>"'
        ' is not allowed in a translation (event handler "onerror")',
        "vi: 2 errors, 0 warnings, 0 silenced, 0 fuzzy, 0 untranslated",
    ]


def test_check_exit_codes_clean_strict_and_bad_usage(
    new_project: Callable[..., Path], run: Callable
) -> None:
    root = new_project(pages={}, locales=["id", "th"])
    write(
        root,
        "id",
        "ui",
        HEADER.format(locale="id", plurals=PLURALS["th"])
        + '\nmsgid "MENU"\nmsgstr "MENU"\n\nmsgid "Close"\nmsgstr "Tutup"\n',
    )
    write(
        root,
        "th",
        "ui",
        HEADER.format(locale="th", plurals=PLURALS["th"]) + '\nmsgid "MENU"\nmsgstr "เมนู"\n',
    )
    clean = run(["check", "-l", "th"], root)
    assert (clean.code, clean.out) == (
        0,
        "th: 0 errors, 0 warnings, 0 silenced, 0 fuzzy, 0 untranslated\n",
    )
    warned = run(["check"], root)
    assert warned.code == 0
    assert (
        "locales/id/LC_MESSAGES/ui.po:8: [unchanged] the translation is identical to the "
        "English" in warned.out
    )
    strict = run(["check", "--strict"], root)
    assert strict.code == 1 and "check failed: 0 errors, 1 warnings (--strict)" in strict.err
    assert run(["check", "-l", "xx"], root).code == 2
    assert run(["check", "-l", "km"], root).code == 2  # a real locale, not in this project
    assert run(["check", "--no-such-option"], root).code == 2


def test_check_list_names_every_check(run: Callable) -> None:
    result = run(["check", "--list"])
    assert result.code == 0
    listed = {line.split()[0]: line.split()[1] for line in result.out.splitlines()}
    assert listed == {c.id: c.severity for c in REGISTRY.values()}


def test_check_a_domain_without_a_catalog_counts_as_untranslated(
    new_project: Callable[..., Path], run: Callable
) -> None:
    root = new_project(pages={}, locales=["th"])
    (root / "locales" / "ui.pot").write_text(
        HEADER.format(locale="", plurals="") + '\nmsgid "MENU"\nmsgstr ""\n\n'
        'msgid "Close"\nmsgstr ""\n',
        encoding="utf-8",
    )
    result = run(["check"], root)
    assert result.code == 0
    assert result.out == "th: 0 errors, 0 warnings, 0 silenced, 0 fuzzy, 2 untranslated\n"


def test_check_resolves_the_pages_reference_links(
    new_project: Callable[..., Path], run: Callable
) -> None:
    page = "Read [the guide][g].\n\n[g]: https://example.org/guide\n[x]: https://ads.example/\n"
    root = new_project(pages={"page.md": page}, locales=["vi"])
    write(
        root,
        "vi",
        "page",
        HEADER.format(locale="vi", plurals=PLURALS["th"])
        + """
msgid "Read [the guide][g]."
msgstr "Đọc [hướng dẫn][x]."
""",
    )
    result = run(["check"], root)
    assert result.code == 1
    assert (
        'page.po:8: [links] link target "https://example.org/guide" changed to '
        '"https://ads.example/"'
    ) in result.out
    assert "[unsafe-html] reference link to" in result.out


def test_summary_line_is_one_line_per_locale() -> None:
    report = checks.LocaleReport(
        "km",
        [
            checks.Finding("a.po", 3, "numbers", "error", "m", "km"),
            checks.Finding("a.po", 4, "length", "warning", "m", "km"),
            checks.Finding("a.po", 5, "length", "warning", "m", "km", silenced=True),
        ],
        fuzzy=2,
        untranslated=7,
    )
    assert checks.summary_line(report) == (
        "km: 1 error, 1 warning, 1 silenced, 2 fuzzy, 7 untranslated"
    )


# --- forbidden renderings ----------------------------------------------------------------

LATE = "Many patients are not diagnosed until the middle or late stages of the disease."
STAGES_TBX = """\
<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en">
  <text><body>
    <termEntry id="late-stage">
      <langSet xml:lang="en"><tig><term>late stage</term></tig></langSet>
      <langSet xml:lang="th">
        <tig><term>ระยะลุกลาม</term></tig>
        <tig>
          <term>ระยะท้าย</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>
        </tig>
      </langSet>
      <langSet xml:lang="lo">
        <tig><term>ໄລຍະລຸກລາມ</term></tig>
        <tig>
          <term>ໄລຍະທ້າຍ</term>
          <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote>
        </tig>
      </langSet>
    </termEntry>
  </body></text>
</martif>
"""
TERMINAL_TH = "ผู้ป่วยจำนวนมากไม่ได้รับการวินิจฉัยจนกระทั่งโรคเข้าสู่ระยะกลางหรือระยะท้าย"
ADVANCED_TH = "ผู้ป่วยจำนวนมากไม่ได้รับการวินิจฉัยจนกระทั่งโรคเข้าสู่ระยะกลางหรือระยะลุกลาม"


def _catalog(locale: str, pairs: list[tuple[str, str, str]]) -> str:
    """A catalog of (flag, English, translation) entries, one per source line."""
    plurals = PLURALS.get(locale, "nplurals=1; plural=0;")
    text = HEADER.format(locale=locale, plurals=plurals)
    for number, (flag, english, translation) in enumerate(pairs, 1):
        flags = f"#, {flag}\n" if flag else ""
        text += f'\n#: source/page.md:{number}\n{flags}msgid "{english}"\nmsgstr "{translation}"\n'
    return text


def _msgstr_line(path: Path, english: str) -> int:
    """The line of an entry's msgstr, found in the catalog's text."""
    return entry_lines(path, english)[1]


@pytest.fixture
def stages(new_project: Callable[..., Path]) -> Path:
    root = new_project(pages={"page.md": LATE + "\n"}, locales=["th", "lo"])
    (root / "locales" / "glossary.tbx").write_text(STAGES_TBX, encoding="utf-8")
    return root


def test_forbidden_tbx_rendering_is_an_error_naming_it_and_the_preferred_one(
    stages: Path, run: Callable
) -> None:
    path = write(stages, "th", "page", _catalog("th", [("", LATE, TERMINAL_TH)]))
    result = run(["check", "-l", "th"], stages)
    assert result.code == 1, result.output
    line = _msgstr_line(path, LATE)
    assert result.out.splitlines() == [
        f'locales/th/LC_MESSAGES/page.po:{line}: [glossary] "ระยะท้าย" is a forbidden '
        'rendering of "late stages"; use "ระยะลุกลาม"',
        "th: 1 error, 0 warnings, 0 silenced, 0 fuzzy, 0 untranslated",
    ]
    write(stages, "th", "page", _catalog("th", [("", LATE, ADVANCED_TH)]))
    assert run(["check", "-l", "th"], stages).code == 0


def test_forbidden_rendering_of_another_locale_does_not_fire(stages: Path, run: Callable) -> None:
    # Lao forbids ໄລຍະທ້າຍ; a Thai text is held only to the Thai langSet, and the
    # Malay-only ban on an Indonesian word leaves Indonesian alone.
    lao = "ຄົນເຈັບຫຼາຍຄົນບໍ່ໄດ້ຮັບການບົ່ງມະຕິ ຈົນກວ່າພະຍາດຈະເຂົ້າສູ່ໄລຍະກາງ ຫຼື ໄລຍະທ້າຍ"
    write(stages, "th", "page", _catalog("th", [("", LATE, ADVANCED_TH)]))
    path = write(stages, "lo", "page", _catalog("lo", [("", LATE, lao)]))
    result = run(["check", "--json"], stages)
    findings = json.loads(result.out)["findings"]
    assert [(f["locale"], f["line"], f["message"]) for f in findings] == [
        (
            "lo",
            _msgstr_line(path, LATE),
            '"ໄລຍະທ້າຍ" is a forbidden rendering of "late stages"; use "ໄລຍະລຸກລາມ"',
        ),
    ]
    terms, _ = parse_tbx(PATIENT_TBX, "glossary.tbx")
    patient = Glossary(terms)
    english = "The patient needs rest."
    assert messages("glossary", english, "Pasien perlu beristirahat.", "id", glossary=patient) == []
    assert messages("glossary", english, "Pasien perlu berehat.", "ms", glossary=patient) == [
        '"pasien" is a forbidden rendering of "patient"; use "pesakit"'
    ]
    assert messages("glossary", english, "Pesakit perlu berehat.", "ms", glossary=patient) == []


PATIENT_TBX = """\
<martif type="TBX" xml:lang="en"><text><body>
  <termEntry>
    <langSet xml:lang="en"><tig><term>patient</term></tig></langSet>
    <langSet xml:lang="id"><tig><term>pasien</term></tig></langSet>
    <langSet xml:lang="ms">
      <tig><term>pesakit</term></tig>
      <tig><term>pasien</term><termNote type="administrativeStatus">forbidden</termNote></tig>
    </langSet>
  </termEntry>
</body></text></martif>
"""


def test_ignore_glossary_flag_silences_a_forbidden_rendering(stages: Path, run: Callable) -> None:
    write(stages, "th", "page", _catalog("th", [("ignore-glossary", LATE, TERMINAL_TH)]))
    result = run(["check", "-l", "th"], stages)
    assert result.code == 0, result.output
    assert result.out.splitlines() == [
        "th: 0 errors, 0 warnings, 1 silenced, 0 fuzzy, 0 untranslated"
    ]


def test_forbidden_rendering_inside_the_approved_one_is_no_finding() -> None:
    terms, _ = parse_tbx(
        "<martif><text><body><termEntry>"
        '<langSet xml:lang="en"><tig><term>late stage</term></tig></langSet>'
        '<langSet xml:lang="vi"><tig><term>giai đoạn muộn</term></tig>'
        '<tig><term>muộn</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts'
        "</termNote></tig></langSet></termEntry></body></text></martif>",
        "glossary.tbx",
    )
    stage = Glossary(terms)
    english = "Patients in late stages."
    assert messages("glossary", english, "Người bệnh ở giai đoạn muộn.", "vi", glossary=stage) == []
    assert messages(
        "glossary", english, "Người bệnh giai đoạn muộn, đến muộn.", "vi", glossary=stage
    ) == ['"muộn" is a forbidden rendering of "late stages"; use "giai đoạn muộn"']


GLOSSARY_CSV = """\
source,language,target,status,note
late stage,th,ระยะลุกลาม,preferred,advanced disease
late stage,th,ระยะท้าย,forbidden,reads as the terminal stage
late stage,lo,ໄລຍະລຸກລາມ,,
"late stage",lo,"ໄລຍະທ້າຍ",deprecatedTerm-admn-sts,"the TBX value is accepted, too"
"""


def test_csv_glossary_status_column_forbids_a_rendering(
    new_project: Callable[..., Path], run: Callable
) -> None:
    root = new_project(pages={"page.md": LATE + "\n"}, locales=["th", "lo"])
    (root / "locales" / "glossary.csv").write_text(GLOSSARY_CSV, encoding="utf-8")
    loaded = load(root / "locales")
    assert [(t.english, t.renderings, t.forbidden) for t in loaded.terms] == [
        (
            "late stage",
            {"th": ("ระยะลุกลาม",), "lo": ("ໄລຍະລຸກລາມ",)},
            {"th": ("ระยะท้าย",), "lo": ("ໄລຍະທ້າຍ",)},
        )
    ]
    path = write(root, "th", "page", _catalog("th", [("", LATE, TERMINAL_TH)]))
    result = run(["check", "-l", "th"], root)
    assert result.code == 1
    assert (
        f'page.po:{_msgstr_line(path, LATE)}: [glossary] "ระยะท้าย" is a forbidden '
        'rendering of "late stages"; use "ระยะลุกลาม"'
    ) in result.out


def test_csv_and_tbx_glossaries_add_up(tmp_path: Path) -> None:
    (tmp_path / "glossary.tbx").write_text(STAGES_TBX, encoding="utf-8")
    (tmp_path / "glossary.csv").write_text(
        "source,language,target,status\nLate stage,th,ระยะสุดท้าย,forbidden\nfibrosis,th,พังผืด,\n",
        encoding="utf-8",
    )
    loaded = load(tmp_path)
    assert [(t.english, t.forbidden.get("th")) for t in loaded.terms] == [
        ("late stage", ("ระยะท้าย", "ระยะสุดท้าย")),
        ("fibrosis", None),
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "term,language,target\nlate stage,th,ระยะลุกลาม\n",
            'locales/glossary.csv:1: no "source" column; the header must name source, '
            "language and target (status is optional)",
        ),
        (
            "source,language,target,status\nlate stage,th,ระยะท้าย,forbiden\n",
            'locales/glossary.csv:2: unknown status "forbiden"; use preferred, admitted, '
            "forbidden, deprecated, superseded or obsolete",
        ),
        (
            "source,language,target\nlate stage,th,ระยะลุกลาม\nlate stage,,ระยะท้าย\n",
            "locales/glossary.csv:3: a row needs a source, a language and a target",
        ),
        (
            "source,language,target\nlate stage,en,late stage\n",
            'locales/glossary.csv:2: "en" is the source language; name the locale of the target',
        ),
        (
            'source,language,target\n"late stage,th,ระยะลุกลาม\n',
            "locales/glossary.csv:2: not valid CSV (",  # then the csv module's reason
        ),
    ],
)
def test_csv_glossary_errors_name_the_file_and_line(
    new_project: Callable[..., Path], run: Callable, text: str, error: str
) -> None:
    root = new_project(pages={"page.md": LATE + "\n"}, locales=["th"])
    (root / "locales" / "glossary.csv").write_text(text, encoding="utf-8")
    result = run(["check"], root)
    assert result.code == 2
    assert error in result.err
    assert "Traceback" not in result.output


# --- the fast paths say what the plain definitions say ---------------------------------------


def test_letters_count_what_a_reader_sees_in_every_script() -> None:
    import random
    import sys
    import unicodedata

    from pipeline.checks.text import letters

    def plain(text: str) -> int:
        return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "M")

    rng = random.Random(3)
    pool = "aé \t\n\u00a0\u3000\u200bกำ่ ເລື້ ក្ុ မြန်မာ\u0301\u20dd"
    samples = ["", "   ", "abc", "\U0001d165\U0001d166x", "\U0001f600 \U000e0100"]
    samples += [
        "".join(
            rng.choice(pool) if rng.random() < 0.8 else chr(rng.randrange(sys.maxunicode))
            for _ in range(rng.randint(0, 30))
        )
        for _ in range(2000)
    ]
    for text in samples:
        assert letters(text) == plain(text), ascii(text)


def test_native_digits_of_every_script_read_as_ascii() -> None:
    import sys
    import unicodedata

    from pipeline.checks.content import ascii_digits

    digits = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Nd"]
    assert len(digits) > 600
    assert ascii_digits("".join(digits)) == "".join(str(unicodedata.decimal(d)) for d in digits)
    assert ascii_digits("๕๐–๓๐๐ ราย (4:๑)") == "50–300 ราย (4:1)"


def test_missing_glyphs_in_order_of_appearance_once_each() -> None:
    from pipeline.site.fonts import missing_glyphs

    assert missing_glyphs("ក\u1000 a \u1000\u1001\u200b", "km") == ["\u1000", "\u1001"]
    assert missing_glyphs("ภาษาไทย \t\u00ad", "th") == []


def test_glyphs_of_the_english_are_checked_at_their_source_line(new_project, run) -> None:
    page = "# Doses\n\nTake 5 mg\u2215kg, at most 2 \u2264 3 times.\n\nAsk at desk \u4e2d.\n"
    root = new_project(pages={"page.md": page}, locales=["th"])
    assert run(["extract"], root).code == 0
    result = run(["check"], root)
    assert result.code == 1
    assert (
        'source/page.md:5: [glyphs] no glyph in the bundled fonts for "\u4e2d" '
        "(U+4E2D CJK UNIFIED IDEOGRAPH-4E2D)"
    ) in result.out
    assert "page.md:3" not in result.out  # the division slash and "\u2264" are drawn
    assert "en: 1 error" in result.out
    (root / "source" / "page.md").write_text(page.replace("\u4e2d", "A"), encoding="utf-8")
    assert run(["extract"], root).code == 0
    clean = run(["check"], root)
    assert clean.code == 0 and "en:" not in clean.out, clean.output
