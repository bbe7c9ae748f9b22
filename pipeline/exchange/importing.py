"""Merging an agency's XLIFF back into the catalogs.

Only a unit whose English is still the entry's current English is taken: found by its
id, or, for a unit another tool numbered (Translate Toolkit's po2xliff), by its English
when that names one entry.  Its translation is rebuilt from the file's text and inline
codes.  A plural entry comes as a group of forms: each `msgstr[n]` the catalog's
`Plural-Forms` declares is taken from form n, and the entry stays fuzzy while a form is
empty.  A done state (`translated`, `final`, `signed-off`) clears the fuzzy flag, any
other keeps it; a translation whose codes were damaged, or that fails a safety check, is
taken but kept fuzzy and reported.  Every file is read through before any catalog is
written, so a bad file changes nothing, and a catalog none of whose entries changed is
not written at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polib

from ..errors import L10nError
from ..files import Staging
from ..locales import gettext_name
from ..po import catalog
from ..po.plurals import Plurals
from ..po.write import dumps_many
from ..project import Project
from ..safety import problems
from . import xliff
from .codes import differ, join, restore, split
from .units import domain_of, is_markdown, references_of, unit_id

STALE_SHOWN = 20  # stale units listed one by one; the rest are counted
_OURS = re.compile(r"u[0-9a-f]{16}\Z")  # the ids `export` writes (`units.unit_id`)
_OURS_FORM = re.compile(r"u[0-9a-f]{16}\[\d+\]\Z")  # and those of a plural's forms
_FORM = re.compile(r"\[(\d+)\]\Z")  # a plural form's id ends in its index: `u…[1]`


@dataclass
class Report:
    """What an import did, for the command line to print."""

    notes: list[str] = field(default_factory=list)  # `file:line: ...` per unit kept fuzzy
    stale: list[str] = field(default_factory=list)  # the first STALE_SHOWN units skipped
    skipped: int = 0
    written: list[str] = field(default_factory=list)
    imported: int = 0
    fuzzy: int = 0
    unchanged: int = 0

    @property
    def problems(self) -> bool:
        return bool(self.notes or self.skipped)

    def skip(self, line: str) -> None:
        self.skipped += 1
        if len(self.stale) < STALE_SHOWN:
            self.stale.append(line)


@dataclass
class _Catalog:
    path: Path
    shown: str
    po: polib.POFile
    markdown: bool
    references: Mapping | None  # the page's link reference definitions
    plurals: Plurals
    by_id: dict[str, polib.POEntry]
    by_english: dict[tuple[str, str], list[polib.POEntry]]  # (msgid, msgid_plural)
    changed: bool = False
    taken: dict[int, tuple[str, dict]] = field(default_factory=dict)  # entry: where, texts


def import_files(project: Project, files: list[Path]) -> Report:
    """Merge the units of these XLIFF files into the project's catalogs."""
    if not files:
        raise L10nError("name at least one XLIFF file, e.g. 'l10n import agency-th.xlf'")
    report = Report()
    catalogs: dict[tuple[str, str], _Catalog | None] = {}
    for path in files:
        shown = str(path)
        for info, item in xliff.read(path, shown):
            found = _catalog(project, info, shown, catalogs, report)
            if found is None:
                continue
            if isinstance(item, xliff.ReadPlural):
                _merge_plural(found, item, shown, report)
            else:
                _merge(found, item, f"{shown}:{item.line}", report)
    changed = [c for c in catalogs.values() if c is not None and c.changed]
    with Staging() as staging:  # every catalog put in place together, or none
        for done, text in zip(changed, dumps_many([c.po for c in changed]), strict=True):
            if staging.add(done.path, text.encode("utf-8")) is not None:
                report.written.append(done.shown)
    return report


def _locale(project: Project, tag: str, shown: str, line: int) -> str:
    """The project locale a file's target-language names (a region it adds to a locale
    the project has only without one, such as th-TH for th, is accepted)."""
    known = project.target_locales()
    where = f"{shown}:{line}"
    if not tag:
        raise L10nError(f"{where}: <file> has no target-language attribute")
    try:
        name = gettext_name(tag)
    except L10nError:
        name = None
    if name not in known and name is not None and "_" in name:
        base, region = name.rsplit("_", 1)
        if (region.isupper() or region.isdigit()) and base in known:
            name = base
    if name not in known:
        raise L10nError(
            f"{where}: target-language {tag!r} is not a locale of this project "
            f"(known: {', '.join(known) or 'none'})"
        )
    return name


def _catalog(
    project: Project,
    info: xliff.FileInfo,
    shown: str,
    catalogs: dict[tuple[str, str], _Catalog | None],
    report: Report,
) -> _Catalog | None:
    source = project.config.source_locale
    if gettext_name(info.source_lang.replace("-", "_").split("_")[0]) != gettext_name(source):
        raise L10nError(
            f"{shown}:{info.line}: source-language {info.source_lang!r} is not this "
            f"project's source language ({source})"
        )
    locale = _locale(project, info.target_lang, shown, info.line)
    domain = domain_of(project, info.original)
    key = (locale, domain or "")
    if key not in catalogs:
        # Only a catalog the project has: an `original` is untrusted (`../` and the like).
        if domain is None or domain not in project.domains(locale):
            catalogs[key] = None
        else:
            catalogs[key] = _load(project, info, shown, locale, domain)
    found = catalogs[key]
    if found is None:
        report.skip(
            f"{shown}:{info.line}: skipped {info.original}: no such page has a {locale} catalog"
        )
    return found


def _load(
    project: Project, info: xliff.FileInfo, shown: str, locale: str, domain: str
) -> _Catalog | None:
    path = project.po_path(locale, domain)
    if not path.is_file():
        return None
    rel = project.rel(path)
    po = catalog.load(path, rel)
    language = po.metadata.get("Language", "").strip()
    if language and gettext_name(language) != locale:
        raise L10nError(
            f"{shown}:{info.line}: target-language {info.target_lang!r}, but {rel} is "
            f"a {language} catalog (its Language header)"
        )
    markdown = is_markdown(project, domain)
    by_english: dict[tuple[str, str], list[polib.POEntry]] = {}
    for entry in po:
        if not entry.obsolete:
            by_english.setdefault((entry.msgid, entry.msgid_plural or ""), []).append(entry)
    return _Catalog(
        path,
        rel,
        po,
        markdown,
        references_of(project, domain) if markdown else None,
        Plurals.of(po.metadata.get("Plural-Forms", ""), locale),
        {unit_id(e.msgctxt, e.msgid): e for e in po if not e.obsolete},
        by_english,
    )


def _entry(
    found: _Catalog, unit: str, english: str, plural: str | None, where: str, report: Report
) -> polib.POEntry | None:
    """The entry a unit (`plural` None) or a plural group (`plural` its English plural,
    "" when it has no form 1) translates, if its English is still current; a unit that
    is not is listed and skipped."""
    entry = found.by_id.get(unit)
    if entry is None and _OURS_FORM.match(unit):
        report.skip(
            f"{where}: skipped unit {unit}: a plural form outside its <group "
            f'restype="{xliff.PLURALS}">; the CAT tool must keep the group'
        )
        return None
    if entry is None and not _OURS.match(unit):  # a tool's own numbering: by the English
        same = found.by_english.get((english, plural or ""), [])
        if len(same) > 1:
            report.skip(
                f"{where}: skipped unit {unit}: {len(same)} entries of {found.shown} have its "
                "English, each in its own msgctxt; export with 'l10n export' to tell them apart"
            )
            return None
        entry = same[0] if same else None
    if (
        entry is None
        or entry.msgid != english
        or bool(entry.msgid_plural) != (plural is not None)
        or (plural and entry.msgid_plural != plural)
    ):
        report.skip(
            f"{where}: skipped unit {unit}: its English is no longer the current "
            f"English of {found.shown}"
        )
        return None
    return entry


def _merge(found: _Catalog, unit: xliff.ReadUnit, where: str, report: Report) -> None:
    if not unit.translate:
        return
    entry = _entry(found, unit.id, join(unit.source), None, where, report)
    if entry is None:
        return
    if not unit.target or not join(unit.target).strip():
        return
    flags = tuple(entry.flags)
    source = split(entry.msgid, found.markdown, flags, found.references)
    restored = restore(source, unit.target, found.markdown, flags, found.references)
    fuzzy = xliff.fuzzy_after(unit)
    if unit.state in (None, "new", "needs-translation") and restored.text == entry.msgid:
        return  # the English copied into the target by a tool: not a translation
    trouble = restored.damage or next(
        iter(problems(entry.msgid, restored.text, found.references)), None
    )
    if trouble:
        fuzzy = True
        report.notes.append(f"{where}: kept fuzzy ({found.shown}, {unit.id}): {trouble}")
    _apply(found, entry, {None: restored.text}, fuzzy, where, report)


def _merge_plural(found: _Catalog, group: xliff.ReadPlural, shown: str, report: Report) -> None:
    """A plural group's forms into `msgstr[n]`, for each n the catalog's Plural-Forms
    declares; a form left empty keeps the entry fuzzy."""
    where = f"{shown}:{group.line}"
    forms = _numbered(group, shown)
    english = join(forms[0].source) if 0 in forms else ""
    plural = join(forms[1].source) if 1 in forms else ""
    entry = _entry(found, group.id, english, plural, where, report)
    if entry is None:
        return
    if any(join(u.source) != (entry.msgid_plural if k else entry.msgid) for k, u in forms.items()):
        report.skip(
            f"{where}: skipped unit {group.id}: its English is no longer the current "
            f"English of {found.shown}"
        )
        return
    texts: dict[int | None, str] = {}
    fuzzy = False
    for index, unit in sorted(forms.items()):
        if not unit.target or not join(unit.target).strip():
            continue
        at = f"{shown}:{unit.line}"
        count = found.plurals.count
        if index >= count:
            report.notes.append(
                f"{at}: not imported ({found.shown}, {unit.id}): the catalog's Plural-Forms "
                f"has {count} form{'s' * (count != 1)}, not a form [{index}]"
            )
            continue
        if not unit.translate:
            continue
        taken = _form(found, entry, index, unit)
        if taken is None:
            continue
        text, trouble = taken
        if trouble:
            report.notes.append(f"{at}: kept fuzzy ({found.shown}, {unit.id}): {trouble}")
        fuzzy = fuzzy or bool(trouble) or xliff.fuzzy_after(unit)
        texts[index] = text
    if not texts:
        return
    for index in range(found.plurals.count):
        texts.setdefault(index, entry.msgstr_plural.get(index, ""))
    empty = [k for k, text in texts.items() if not text]
    if empty:
        fuzzy = True
        report.notes.append(
            f"{where}: kept fuzzy ({found.shown}, {group.id}): plural form [{empty[0]}] "
            "has no translation"
        )
    _apply(found, entry, texts, fuzzy, where, report)


def _numbered(group: xliff.ReadPlural, shown: str) -> dict[int, xliff.ReadUnit]:
    """A group's forms by index: the `[n]` that ends a form's id, else its place."""
    forms: dict[int, xliff.ReadUnit] = {}
    for position, unit in enumerate(group.forms):
        number = _FORM.search(unit.id)
        index = int(number.group(1)) if number else position
        if index in forms:
            raise L10nError(
                f"{shown}:{unit.line}: plural form [{index}] of group {group.id!r} appears twice"
            )
        forms[index] = unit
    return forms


def _form(
    found: _Catalog, entry: polib.POEntry, index: int, unit: xliff.ReadUnit
) -> tuple[str, str | None] | None:
    """Form `index` as Markdown and why it must stay fuzzy (or None); None when a tool
    only copied the English.  Form 0 is shown with the msgid, the others with the
    msgid_plural; each is checked against the English it translates (`plurals`)."""
    flags, refs = tuple(entry.flags), found.references
    shown = entry.msgid_plural if index else entry.msgid
    answers = found.plurals.answers(index, entry.msgid, entry.msgid_plural)
    source = split(shown, found.markdown, flags, refs)
    restored = restore(source, unit.target or [], found.markdown, flags, refs)
    if unit.state in (None, "new", "needs-translation") and restored.text == shown:
        return None
    damage = restored.damage
    if answers != shown:
        damage = differ(restored.text, answers, found.markdown, flags, refs)
    return restored.text, damage or next(iter(problems(answers, restored.text, refs)), None)


def _apply(
    found: _Catalog,
    entry: polib.POEntry,
    texts: dict[int | None, str],
    fuzzy: bool,
    where: str,
    report: Report,
) -> None:
    """Put a translation (`{None: msgstr}`, or `{n: msgstr[n]}`) in its entry, and the
    fuzzy flag as the import decided; nothing else of the entry changes.  A second unit
    for the same entry (two files, or a converted catalog's obsolete entry) must agree
    with the first, which is kept."""
    first = found.taken.setdefault(id(entry), (where, texts))
    if first[0] != where:
        if first[1] != texts:
            report.notes.append(
                f"{where}: not imported ({found.shown}): another translation of the same "
                f"entry was taken at {first[0]}"
            )
        else:
            report.unchanged += 1
        return
    now = {k: entry.msgstr if k is None else entry.msgstr_plural.get(k, "") for k in texts}
    if now == texts and entry.fuzzy == fuzzy:
        report.unchanged += 1
        return
    for index, text in texts.items():
        if index is None:
            entry.msgstr = text
        else:
            entry.msgstr_plural[index] = text
    if fuzzy and not entry.fuzzy:
        entry.flags.insert(0, "fuzzy")
    elif not fuzzy and entry.fuzzy:
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    found.changed = True
    report.imported += 1
    report.fuzzy += fuzzy
