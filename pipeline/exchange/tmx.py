"""TMX 1.4b: the translated entries for an agency's memory, and memories read back.

Written: one `<tu>` per translated entry, its page and (when approved as the release
gate requires) the approving roles as `<prop>`s, inline Markdown as `<bpt>`/`<ept>` and
`<ph>` as in XLIFF.  TMX has no plurals: a plural entry gives a `<tu>` per form, as
Translate Toolkit's po2tmx does, each paired with the English it translates (the msgid
for form 0, the msgid_plural for the others; a language with one form uses it for every
number, so with the plural) and marked `<prop type="x-plural-form">n</prop>`.

Read (for `update`'s memory): every `<tu>` with a segment in the source language and one
in the wanted locale, streamed, in whatever encoding the file declares; inline codes are
read as the text they hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .. import __version__
from ..errors import L10nError
from .codes import Code, Part, as_mixed_content
from .safexml import forget, local, stream
from .units import SIGNED_OFF, TRANSLATED, PageUnits, Unit

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def dumps(pages: list[PageUnits], source_lang: str, target_lang: str) -> bytes:
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="l10n",
        creationtoolversion=__version__,
        segtype="paragraph",
        adminlang=source_lang,
        srclang=source_lang,
        datatype="plaintext",
    ).set("o-tmf", "PO")
    body = etree.SubElement(root, "body")
    langs = (source_lang, target_lang)
    for page in pages:
        for unit in page.units:
            if unit.state not in (TRANSLATED, SIGNED_OFF):
                continue
            if not unit.forms:
                _tu(body, unit.id, page.domain, unit, None, (unit.source, unit.target), langs)
            for form in unit.forms:
                if form.translate:
                    tuid, pair = f"{unit.id}[{form.index}]", (form.tm_source, form.tm_target)
                    _tu(body, tuid, page.domain, unit, form.index, pair, langs)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _tu(
    body: etree._Element,
    tuid: str,
    page: str,
    unit: Unit,
    form: int | None,
    pair: tuple[tuple[Part, ...], tuple[Part, ...]],
    langs: tuple[str, str],
) -> None:
    tu = etree.SubElement(body, "tu", tuid=tuid)
    etree.SubElement(tu, "prop", type="x-page").text = page
    if unit.context is not None:
        etree.SubElement(tu, "prop", type="x-context").text = unit.context
    if form is not None:
        etree.SubElement(tu, "prop", type="x-plural-form").text = str(form)
    if unit.approvals:
        etree.SubElement(tu, "prop", type="x-approved").text = " ".join(unit.approvals)
    for lang, parts in zip(langs, pair, strict=True):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        as_mixed_content(etree.SubElement(tuv, "seg"), parts, _code)


def _code(seg: etree._Element, code: Code) -> etree._Element:
    """TMX 1.4's inline element: `x` names a placeholder, `i` pairs a pair's halves."""
    return etree.SubElement(seg, code.kind, {"x": code.id} if code.kind == "ph" else {"i": code.id})


@dataclass(frozen=True)
class Pair:
    """One translation unit of a memory: English and its translation."""

    english: str
    translation: str


def _language(tag: str) -> str:
    return tag.replace("-", "_").lower()


def matches(tag: str, locale: str) -> bool:
    """Whether a TMX language tag is this locale: the same, or the locale with a region
    (th-TH for th)."""
    tag, locale = _language(tag), _language(locale)
    return tag == locale or tag.startswith(locale + "_")


def read(path: Path, shown: str, source: str, locales: list[str]) -> Iterator[tuple[str, Pair]]:
    """(locale, pair) for every unit with both a source and a locale's segment."""
    started = False
    for event, element in stream(path, shown):
        if not started:
            started = True
            if local(element.tag) != "tmx":
                raise L10nError(
                    f"{shown}:{element.sourceline}: not a TMX file (root element "
                    f"<{local(element.tag)}>, expected <tmx>)"
                )
            continue
        if event != "end" or local(element.tag) != "tu":
            continue
        segments: dict[str, str] = {}
        for tuv in element:
            if local(tuv.tag) != "tuv":
                continue
            lang = tuv.get(XML_LANG) or tuv.get("lang") or ""
            seg = next((c for c in tuv if local(c.tag) == "seg"), None)
            if seg is not None:
                segments.setdefault(_language(lang), "".join(seg.itertext()))
        english = next((t for lang, t in segments.items() if matches(lang, source)), None)
        if english:
            for locale in locales:
                text = next((t for lang, t in segments.items() if matches(lang, locale)), None)
                if text:
                    yield locale, Pair(english, text)
        forget(element)
