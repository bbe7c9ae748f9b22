"""XLIFF 1.2, the file every CAT tool reads: written from units, read back as a stream.

One `<file>` per page, one `<trans-unit>` per entry; a plural entry is a `<group
restype="x-gettext-plurals">` of one `<trans-unit>` per form (`<id>[0]`, `<id>[1]`…), as
Translate Toolkit's po2xliff writes it and CAT tools read it.  Inline Markdown is written
as `<bpt>`/`<ept>` and `<ph>` so that CAT tools protect it.  States: `needs-translation`,
`needs-review-translation` (fuzzy), `translated` and `signed-off` (approved as the release
gate requires); a translated unit also carries `approved="yes"`, which tools such as
Translate Toolkit read as "not fuzzy".  Read back: XLIFF 1.2, and 1.1 (what Translate
Toolkit writes), with gettext's header unit skipped.
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
from .units import FUZZY, UNTRANSLATED, Form, PageUnits, Unit

NS = "urn:oasis:names:tc:xliff:document:1.2"
READ_NS = (NS, "urn:oasis:names:tc:xliff:document:1.1")  # 1.1: Translate Toolkit's
PLURALS = "x-gettext-plurals"  # a group's restype: one gettext entry's plural forms
HEADER = "x-gettext-domain-header"  # a unit's restype: a converted catalog's header
XML_NS = "http://www.w3.org/XML/1998/namespace"
DONE = {"translated", "final", "signed-off"}  # states that clear the fuzzy flag
_Q = f"{{{NS}}}"


def dumps(pages: list[PageUnits], source_lang: str, target_lang: str) -> bytes:
    """The XLIFF document for these pages' units."""
    root = etree.Element(_Q + "xliff", nsmap={None: NS}, version="1.2")
    for page in pages:
        file = etree.SubElement(
            root,
            _Q + "file",
            original=page.original,
            datatype="x-markdown" if page.markdown else "po",
        )
        file.set("source-language", source_lang)
        file.set("target-language", target_lang)
        header = etree.SubElement(file, _Q + "header")
        tool = etree.SubElement(header, _Q + "tool")
        tool.set("tool-id", "l10n")
        tool.set("tool-name", "l10n")
        tool.set("tool-version", __version__)
        body = etree.SubElement(file, _Q + "body")
        for unit in page.units:
            _trans_unit(body, unit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _trans_unit(body: etree._Element, unit: Unit) -> None:
    if not unit.forms:
        _element(body, unit.id, unit.source, unit.target, unit.state, unit)
        return
    group = etree.SubElement(body, _Q + "group", id=unit.id, restype=PLURALS)
    for form in unit.forms:
        _element(
            group, f"{unit.id}[{form.index}]", form.source, form.target, form.state, unit, form
        )


def _element(
    parent: etree._Element,
    unit_id: str,
    source: tuple[Part, ...],
    target: tuple[Part, ...],
    state: str,
    unit: Unit,
    form: Form | None = None,
) -> None:
    element = etree.SubElement(parent, _Q + "trans-unit", id=unit_id)
    element.set(f"{{{XML_NS}}}space", "preserve")
    if form is not None and not form.translate:
        element.set("translate", "no")
    elif state not in (UNTRANSLATED, FUZZY):
        element.set("approved", "yes")
    _inline(etree.SubElement(element, _Q + "source"), source)
    if form is None or form.translate:
        _inline(etree.SubElement(element, _Q + "target", state=state), target)
    notes = [("l10n", "source", form.note)] if form is not None else []
    notes += [("developer", "source", line) for line in unit.comment.split("\n") if line]
    previous = unit.previous_plural if form is not None and form.index > 0 else unit.previous
    if previous is not None:
        notes.append(("l10n", "source", f"Previous English: {previous}"))
    notes += [("translator", "target", line) for line in unit.translator.split("\n") if line]
    if unit.approvals:
        notes.append(("l10n", "target", "Approved by: " + ", ".join(unit.approvals)))
    for author, about, text in notes:
        note = etree.SubElement(element, _Q + "note", annotates=about)
        note.set("from", author)
        note.text = text
    if unit.locations or unit.context is not None:
        group = etree.SubElement(element, _Q + "context-group", purpose="location")
        for path, line in unit.locations:
            etree.SubElement(group, _Q + "context", {"context-type": "sourcefile"}).text = path
            if line:
                etree.SubElement(group, _Q + "context", {"context-type": "linenumber"}).text = line
        if unit.context is not None:
            item = etree.SubElement(group, _Q + "context", {"context-type": "x-gettext-msgctxt"})
            item.text = unit.context


def _inline(element: etree._Element, parts: tuple[Part, ...]) -> None:
    """Text and codes as an element's mixed content."""
    as_mixed_content(element, parts, _code)


def _code(element: etree._Element, code: Code) -> etree._Element:
    made = etree.SubElement(element, _Q + code.kind, id=code.id)
    if code.ctype and code.kind != "ept":
        made.set("ctype", code.ctype)
    return made


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileInfo:
    """A `<file>` element's attributes."""

    original: str
    source_lang: str
    target_lang: str
    line: int


@dataclass(frozen=True)
class ReadUnit:
    id: str
    source: list[Part]
    target: list[Part] | None  # None: no <target>
    state: str | None
    approved: bool
    line: int
    translate: bool = True


@dataclass(frozen=True)
class ReadPlural:
    """A `<group restype="x-gettext-plurals">`: one entry's forms, in file order."""

    id: str
    forms: list[ReadUnit]
    line: int


def read(path: Path, shown: str) -> Iterator[tuple[FileInfo, ReadUnit | ReadPlural]]:
    """Every trans-unit (or plural group) of an XLIFF 1.2 file with the file it belongs
    to, streamed."""
    info: FileInfo | None = None
    q = ""
    plural: etree._Element | None = None
    forms: list[ReadUnit] = []
    for event, element in stream(path, shown):
        tag = element.tag if isinstance(element.tag, str) else ""
        if not q:
            q = f"{{{_check_root(element, shown)}}}"
            continue
        if event == "start":
            if tag == q + "file":
                info = _file_info(element, shown)
            elif tag == q + "group" and element.get("restype") == PLURALS and plural is None:
                plural, forms = element, []
            continue
        if tag == q + "trans-unit" and info is not None:
            unit = _unit(element, shown, q)
            inside = plural is not None and element.getparent() is plural
            header = element.get("restype") == HEADER
            forget(element)
            if inside:
                forms.append(unit)
            elif not header:
                yield info, unit
        elif tag == q + "group" and element is plural:
            if info is not None and forms:
                yield info, ReadPlural(element.get("id", ""), forms, element.sourceline or 1)
            plural = None
            forget(element)
        elif tag in (q + "file", q + "bin-unit"):
            forget(element)


def _check_root(root: etree._Element, shown: str) -> str:
    """The XLIFF namespace of a document's root, or an error saying what the file is."""
    tag = root.tag if isinstance(root.tag, str) else ""
    name, space = local(tag), etree.QName(tag).namespace if tag else None
    version = root.get("version", "")
    if name == "xliff" and (
        version.startswith("2.") or (space or "").startswith("urn:oasis:names:tc:xliff:document:2")
    ):
        raise L10nError(
            f"{shown}:{root.sourceline}: XLIFF {version or '2.x'} is not supported; "
            "export XLIFF 1.2 from the CAT tool"
        )
    if name == "tmx":
        raise L10nError(
            f"{shown}:{root.sourceline}: a TMX memory, not an XLIFF file; name it in "
            "[tool.l10n] memory of pyproject.toml for 'l10n update' to use"
        )
    if name != "xliff" or space not in READ_NS:
        raise L10nError(
            f"{shown}:{root.sourceline}: not an XLIFF 1.2 file (root element <{name}> in "
            f'namespace {space or "none"}; expected <xliff xmlns="{NS}">)'
        )
    return space


def _file_info(element: etree._Element, shown: str) -> FileInfo:
    line = element.sourceline or 1
    missing = [a for a in ("original", "source-language") if not element.get(a)]
    if missing:
        raise L10nError(f"{shown}:{line}: <file> has no {missing[0]} attribute")
    return FileInfo(
        element.get("original", ""),
        element.get("source-language", ""),
        element.get("target-language", ""),
        line,
    )


def _unit(element: etree._Element, shown: str, q: str) -> ReadUnit:
    line = element.sourceline or 1
    unit_id = element.get("id")
    if not unit_id:
        raise L10nError(f"{shown}:{line}: <trans-unit> has no id attribute")
    source = element.find(q + "source")
    if source is None:
        raise L10nError(f"{shown}:{line}: <trans-unit id={unit_id!r}> has no <source>")
    target = element.find(q + "target")
    return ReadUnit(
        id=unit_id,
        source=_parts(source),
        target=None if target is None else _parts(target),
        state=None if target is None else target.get("state"),
        approved=element.get("approved") == "yes",
        line=line,
        translate=element.get("translate", "yes") != "no",
    )


def _parts(element: etree._Element) -> list[Part]:
    """Mixed content as text and codes; `<g>` and `<mrk>` (a CAT tool's segment and
    markup wrappers) are read through."""
    out: list[Part] = []

    def text(value: str | None) -> None:
        if value:
            if out and isinstance(out[-1], str):
                out[-1] += value
            else:
                out.append(value)

    def walk(node: etree._Element) -> None:
        text(node.text)
        for child in node:
            name = local(child.tag)
            if name in ("bpt", "ept", "ph", "it"):
                kind = "ph" if name == "it" else name
                out.append(Code(kind, child.get("id", ""), "".join(child.itertext())))
            elif name in ("x", "bx", "ex"):
                kind = {"x": "ph", "bx": "bpt", "ex": "ept"}[name]
                out.append(Code(kind, child.get("id", child.get("rid", "")), ""))
            elif name:
                walk(child)
            text(child.tail)

    walk(element)
    return out


def fuzzy_after(unit: ReadUnit) -> bool:
    """Whether an imported translation stays fuzzy: only a done state (or, without any
    state, `approved="yes"`) clears the flag."""
    if unit.state is None:
        return not unit.approved
    return unit.state not in DONE
