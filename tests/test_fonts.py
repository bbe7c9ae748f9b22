"""Tests for pipeline.site.fonts: bundled files, locale→font choice, CSS, WOFF2 builds, coverage."""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from pipeline.site import fonts
from pipeline.site.fonts import (
    FONTS_DIR,
    Font,
    coverage,
    font_face_css,
    font_stack,
    fonts_for,
    missing_glyphs,
    pdf_font_names,
    woff2_name,
    write_woff2,
)

PAIRED_NAMES = [
    f"{stem}-{style}.ttf"
    for stem in ("NotoSans", "NotoSansThai", "NotoSansLao", "NotoSansKhmer", "NotoSansMyanmar")
    for style in ("Regular", "Bold")
]
FALLBACK_NAMES = ["NotoSansMath-Regular.ttf", "NotoSansSymbols2-Regular.ttf"]
TTF_NAMES = PAIRED_NAMES + FALLBACK_NAMES
FALLBACK_STACK = '"Noto Sans Math", "Noto Sans Symbols2", sans-serif'
FALLBACK_PS = {"NotoSansMath-Regular", "NotoSansSymbols2-Regular"}
PROJECT_LOCALES = ["en", "th", "vi", "id", "ms", "fil", "km", "my", "lo"]
LATIN_LOCALES = ["en", "vi", "id", "ms", "fil"]
SCRIPT_FAMILY = {
    "th": "Noto Sans Thai",
    "lo": "Noto Sans Lao",
    "km": "Noto Sans Khmer",
    "my": "Noto Sans Myanmar",
}
ASCII_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test converts fonts itself: no WOFF2 from the shared cache."""
    monkeypatch.setenv("L10N_CACHE", str(tmp_path / "woff2-cache"))


@pytest.mark.parametrize("name", TTF_NAMES)
def test_bundled_ttf_exists_and_loads(name: str) -> None:
    path = FONTS_DIR / name
    assert path.is_file()
    with TTFont(path) as tt:
        assert tt.sfntVersion == "\x00\x01\x00\x00"
        assert tt["name"].getDebugName(6) == path.stem
        assert tt.getBestCmap()


def test_licence_and_readme_bundled() -> None:
    ofl = (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl
    assert "Google" in ofl
    readme = (FONTS_DIR / "README.md").read_text(encoding="utf-8")
    assert "fonts-noto-core" in readme
    for name in TTF_NAMES:
        assert name in readme


@pytest.mark.parametrize("stem", sorted({name.split("-")[0] for name in PAIRED_NAMES}))
def test_bold_maps_same_code_points_as_regular(stem: str) -> None:
    # coverage() only reads the regular fonts; that is only sound while this holds.
    with (
        TTFont(FONTS_DIR / f"{stem}-Regular.ttf") as reg,
        TTFont(FONTS_DIR / f"{stem}-Bold.ttf") as bold,
    ):
        assert set(reg.getBestCmap()) == set(bold.getBestCmap())


@pytest.mark.parametrize("locale", PROJECT_LOCALES)
def test_fonts_for_starts_with_noto_sans_regular_and_bold(locale: str) -> None:
    found = fonts_for(locale)
    assert [(f.family, f.weight) for f in found[:2]] == [("Noto Sans", 400), ("Noto Sans", 700)]
    assert all(isinstance(f, Font) and f.path.is_file() for f in found)
    assert all(f.path.parent == FONTS_DIR for f in found)


@pytest.mark.parametrize("locale", LATIN_LOCALES)
def test_latin_locales_get_noto_sans_then_the_fallbacks(locale: str) -> None:
    assert [f.path.name for f in fonts_for(locale)] == [
        "NotoSans-Regular.ttf",
        "NotoSans-Bold.ttf",
        *FALLBACK_NAMES,
    ]
    assert font_stack(locale) == f'"Noto Sans", {FALLBACK_STACK}'
    assert pdf_font_names(locale) == {"NotoSans-Regular", "NotoSans-Bold", *FALLBACK_PS}


@pytest.mark.parametrize(("locale", "family"), sorted(SCRIPT_FAMILY.items()))
def test_script_locales_add_their_script_font(locale: str, family: str) -> None:
    found = fonts_for(locale)
    assert [(f.family, f.weight) for f in found[2:4]] == [(family, 400), (family, 700)]
    assert font_stack(locale) == f'"Noto Sans", "{family}", {FALLBACK_STACK}'
    stem = family.replace(" ", "")
    assert pdf_font_names(locale) == {
        "NotoSans-Regular",
        "NotoSans-Bold",
        f"{stem}-Regular",
        f"{stem}-Bold",
        *FALLBACK_PS,
    }


@pytest.mark.parametrize("locale", ["th_TH", "th-TH", "TH-th"])
def test_region_and_separator_variants(locale: str) -> None:
    assert fonts_for(locale) == fonts_for("th")


def test_gettext_and_bcp47_script_subtags() -> None:
    # Explicit script subtag wins over the language's likely script (Serbian defaults to Cyrl).
    assert fonts_for("sr_Latn") == fonts_for("sr-Latn") == fonts_for("en")
    # Noto Sans covers Cyrillic itself.
    assert fonts_for("sr") == fonts_for("en")
    for locale in ("zh_Hans", "zh-Hans"):
        with pytest.raises(ValueError, match="Hans"):
            fonts_for(locale)


def test_unknown_script_is_an_error_not_a_silent_fallback() -> None:
    with pytest.raises(ValueError, match="Arab"):
        fonts_for("ar")


def test_unicode_range_computed_from_cmap() -> None:
    thai = fonts_for("th")[2]
    assert "U+0E01-0E5B" in thai.unicode_range
    assert "U+200B-200D" in thai.unicode_range
    assert "U+25CC" in thai.unicode_range
    assert "U+0000" not in thai.unicode_range  # cmaps map NUL; controls are never drawn
    base = fonts_for("vi")[0].unicode_range
    assert base.startswith("U+0020-007E, ")
    assert "U+1DFB-20BF" in base  # Latin Extended Additional (Vietnamese) .. currency


def _parse_unicode_range(value: str) -> set[int]:
    points: set[int] = set()
    for part in value.split(", "):
        match = re.fullmatch(r"U\+([0-9A-F]{4,6})(?:-([0-9A-F]{4,6}))?", part)
        assert match, part
        lo = int(match[1], 16)
        points.update(range(lo, int(match[2] or match[1], 16) + 1))
    return points


@pytest.mark.parametrize("locale", ["vi", "th", "km", "my", "lo"])
def test_unicode_range_claims_every_visible_mapped_code_point(locale: str) -> None:
    drawn: set[int] = set()  # Noto Sans and earlier fallbacks: a fallback claims the rest
    for font in fonts_for(locale):
        claimed = _parse_unicode_range(font.unicode_range)
        with TTFont(font.path) as tt:
            mapped = {cp for cp in tt.getBestCmap() if unicodedata.category(chr(cp)) != "Cc"}
        if font.path.name == "NotoSans-Regular.ttf" or font in fonts.fallback_fonts():
            mapped, drawn = mapped - drawn, drawn | mapped
        assert mapped <= claimed
        # Extra claimed code points are only unassigned ones bridged between ranges.
        assert all(unicodedata.category(chr(cp)) == "Cn" for cp in claimed - mapped)


def test_font_face_css() -> None:
    css = font_face_css("th", "../fonts/")
    assert css.count("@font-face {") == 6
    assert css.count('format("woff2")') == 6
    assert css.count("unicode-range: U+") == 6
    assert css.count("font-display: swap;") == 6
    assert css.count("font-style: normal;") == 6
    assert "font-weight: 400;" in css and "font-weight: 700;" in css
    assert 'font-family: "Noto Sans Thai";' in css
    for font in fonts_for("th"):
        assert f'src: url("../fonts/{woff2_name(font)}") format("woff2");' in css
    assert css == font_face_css("th", "../fonts/")
    assert css.index('"Noto Sans";') < css.index('"Noto Sans Thai";') < css.index("Math")
    assert "Thai" not in font_face_css("vi", "/f/")


def test_woff2_name_contains_content_hash() -> None:
    font = fonts_for("th")[2]
    digest = hashlib.sha256(font.path.read_bytes()).hexdigest()[:10]
    assert woff2_name(font) == f"NotoSansThai-Regular.{digest}.woff2"


def test_woff2_name_changes_when_content_changes(tmp_path: Path) -> None:
    original = fonts_for("th")[2]
    copy = tmp_path / original.path.name
    shutil.copyfile(original.path, copy)
    same = Font(original.family, original.weight, copy, original.unicode_range)
    assert woff2_name(same) == woff2_name(original)
    data = bytearray(copy.read_bytes())
    data[-1] ^= 0xFF
    copy.write_bytes(bytes(data))
    assert woff2_name(same) != woff2_name(original)


@pytest.fixture
def unbundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the package shipped no WOFF2: fonts must be converted."""
    monkeypatch.setattr(fonts, "bundled_woff2", lambda font: tmp_path / "not-shipped.woff2")


@pytest.mark.parametrize("name", TTF_NAMES)
def test_every_ttf_ships_its_current_woff2(name: str) -> None:
    font = Font("", 0, FONTS_DIR / name, "")
    bundled = fonts.bundled_woff2(font)
    assert bundled.is_file(), "run scripts/webfonts"
    with TTFont(bundled) as woff, TTFont(font.path) as ttf:
        assert woff.flavor == "woff2"
        assert woff.getGlyphOrder() == ttf.getGlyphOrder()
        assert woff.getBestCmap() == ttf.getBestCmap()
        # WOFF2 drops the digital signature: it cannot survive the transform.
        assert sorted(woff.keys()) == sorted(set(ttf.keys()) - {"DSIG"})
        for tag in ("cmap", "GSUB", "GPOS", "GDEF", "hmtx", "name", "OS/2", "post"):
            if tag in ttf:
                assert woff[tag].compile(woff) == ttf[tag].compile(ttf), tag


def test_no_woff2_without_its_ttf() -> None:
    wanted = {woff2_name(Font("", 0, ttf, "")) for ttf in FONTS_DIR.glob("*.ttf")}
    assert {p.name for p in fonts.WEBFONTS_DIR.glob("*.woff2")} == wanted


def test_bundled_woff2_is_what_conversion_makes() -> None:
    font = fonts_for("lo")[2]  # smallest bundled font: keeps the test fast
    assert fonts.convert_woff2(font.path) == fonts.bundled_woff2(font).read_bytes()


def test_build_copies_the_bundled_woff2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    font = fonts_for("km")[2]

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("converted a font the package ships")

    monkeypatch.setattr(TTFont, "save", boom)
    out = write_woff2(font, tmp_path / "out")
    assert out.read_bytes() == fonts.bundled_woff2(font).read_bytes()


def test_write_woff2_is_loadable_and_reproducible(
    unbundled: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    font = fonts_for("lo")[2]
    # fontTools takes "now" from SOURCE_DATE_EPOCH; differing clocks must not change the bytes.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    first = write_woff2(font, tmp_path / "a")
    (Path(fonts.cache_dir("woff2")) / first.name).unlink()  # convert again, not copy
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")
    second = write_woff2(font, tmp_path / "b" / "nested")
    assert first.name == second.name == woff2_name(font)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes()[:4] == b"wOF2"
    with TTFont(first) as tt, TTFont(font.path) as ttf:
        assert tt.flavor == "woff2"
        assert tt.getBestCmap() == ttf.getBestCmap()
        assert tt["head"].modified == ttf["head"].modified
        assert tt["name"].getDebugName(6) == "NotoSansLao-Regular"
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temp file left
    assert first.stat().st_mode & 0o644 == 0o644


def test_converted_woff2_is_kept_in_the_user_cache(unbundled: None, tmp_path: Path) -> None:
    font = fonts_for("lo")[2]
    first = write_woff2(font, tmp_path / "a")
    assert (fonts.cache_dir("woff2") / first.name).read_bytes() == first.read_bytes()
    assert fonts.woff2_ready(font, tmp_path / "b")  # copied, not converted
    assert (tmp_path / "b" / first.name).read_bytes() == first.read_bytes()


def test_write_woff2_skips_existing_destination(tmp_path: Path) -> None:
    font = fonts_for("lo")[2]
    dest = tmp_path / woff2_name(font)
    dest.write_bytes(b"sentinel")
    assert write_woff2(font, tmp_path) == dest
    assert dest.read_bytes() == b"sentinel"


def test_write_woff2_cleans_up_on_failure(
    unbundled: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    font = fonts_for("lo")[2]

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("conversion failed")

    monkeypatch.setattr(TTFont, "save", boom)  # fonts imports it where it converts
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        write_woff2(font, out)
    assert list(out.iterdir()) == []


def test_thai_coverage() -> None:
    covered = coverage("th")
    for ch in "กำ" + ASCII_ALNUM:
        assert ord(ch) in covered, ch
    assert missing_glyphs("ภาษาไทย กำลัง 123 abc ฿", "th") == []


def test_khmer_fonts_do_not_cover_myanmar() -> None:
    assert missing_glyphs("ក\u1000", "km") == ["\u1000"]


def test_vietnamese_coverage() -> None:
    covered = coverage("vi")
    for ch in ["ế", "ộ", "ữ"]:
        assert ord(ch) in covered, ch
    # Decomposed input (e + circumflex + acute) needs the combining marks too.
    assert missing_glyphs(unicodedata.normalize("NFD", "ế ộ ữ"), "vi") == []
    assert missing_glyphs("Tiếng Việt có dấu: ế ộ ữ ạ ơ ư đ Đ", "vi") == []


def test_coverage_is_union_of_regular_cmaps() -> None:
    with (
        TTFont(FONTS_DIR / "NotoSans-Regular.ttf") as base,
        TTFont(FONTS_DIR / "NotoSansMyanmar-Regular.ttf") as script,
    ):
        expected = set(base.getBestCmap()) | set(script.getBestCmap())
    for name in FALLBACK_NAMES:
        with TTFont(FONTS_DIR / name) as fallback:
            expected |= set(fallback.getBestCmap())
    assert coverage("my") == expected


def test_missing_glyphs_ignores_invisible_characters() -> None:
    text = "ក\u200b\u200c\u200d\u00ad\ufeff\t\n \u00a0\u2028ខ"
    assert missing_glyphs(text, "km") == []


def test_missing_glyphs_dedupes_in_order_of_appearance() -> None:
    text = "ສະບາຍດີ ก ກ ก 中 ສ 中"
    assert missing_glyphs(text, "lo") == ["ก", "中"]
    assert missing_glyphs("ภาษาไทย", "lo") == list(dict.fromkeys("ภาษาไทย"))


def test_myanmar_and_lao_text_covered() -> None:
    assert missing_glyphs("မြန်မာဘာသာ", "my") == []
    assert missing_glyphs("ພາສາລາວ", "lo") == []
    assert missing_glyphs("ភាសាខ្មែរ", "km") == []
    assert missing_glyphs("ภาษาไทย", "km") == list(dict.fromkeys("ภาษาไทย"))


SYMBOLS = "\u2215÷±≤≥µ−→✓"  # division slash, divide, plus-minus, ≤, ≥, micro, minus, →, ✓


@pytest.mark.parametrize("locale", PROJECT_LOCALES)
def test_symbols_and_maths_are_drawn_in_every_locale(locale: str) -> None:
    assert missing_glyphs(SYMBOLS, locale) == []


def test_a_khmer_dose_with_a_division_slash_is_covered() -> None:
    assert missing_glyphs("លេប ៥ មីលីក្រាម\u2215គីឡូក្រាម ≤ ២ ដង", "km") == []
    assert missing_glyphs("\u2215", "km") == []


def test_fallbacks_close_every_stack_and_claim_only_what_others_lack() -> None:
    assert font_stack("th", ["km", "lo"]).endswith(f", {FALLBACK_STACK}")
    math, symbols = fonts.fallback_fonts()
    claimed = _parse_unicode_range(math.unicode_range)
    assert 0x2215 in claimed and 0x2264 in claimed
    assert ord("a") not in claimed and ord("÷") not in claimed  # Noto Sans draws those
    assert 0x2713 in _parse_unicode_range(symbols.unicode_range)
    assert not claimed & _parse_unicode_range(symbols.unicode_range)
