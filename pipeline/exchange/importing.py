"""Merging an agency's XLIFF back into the catalogs.

Only a unit whose English is still the entry's current English is taken; its translation
is rebuilt from the file's text and inline codes.  A done state (`translated`, `final`,
`signed-off`) clears the fuzzy flag, any other keeps it; a translation whose codes were
damaged, or that fails a safety check, is taken but kept fuzzy and reported.  Every file
is read through before any catalog is written, so a bad file changes nothing, and a
catalog none of whose entries changed is not written at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polib

from ..errors import L10nError
from ..files import Staging
from ..locales import gettext_name
from ..po import catalog
from ..po.write import dumps_many
from ..project import Project
from ..safety import problems
from . import xliff
from .codes import join, restore, split
from .units import domain_of, is_markdown, unit_id

STALE_SHOWN = 20  # stale units listed one by one; the rest are counted


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
    by_id: dict[str, polib.POEntry]
    changed: bool = False


def import_files(project: Project, files: list[Path]) -> Report:
    """Merge the units of these XLIFF files into the project's catalogs."""
    if not files:
        raise L10nError("name at least one XLIFF file, e.g. 'l10n import agency-th.xlf'")
    report = Report()
    catalogs: dict[tuple[str, str], _Catalog] = {}
    for path in files:
        shown = str(path)
        for info, unit in xliff.read(path, shown):
            where = f"{shown}:{unit.line}"
            found = _catalog(project, info, shown, catalogs, report)
            if found is not None:
                _merge(found, unit, where, report)
    changed = [c for c in catalogs.values() if c.changed]
    with Staging() as staging:  # every catalog put in place together, or none
        for item, text in zip(changed, dumps_many([c.po for c in changed]), strict=True):
            if staging.add(item.path, text.encode("utf-8")) is not None:
                report.written.append(item.shown)
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
    catalogs: dict[tuple[str, str], _Catalog],
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
    path = project.po_path(locale, domain) if domain else None
    if domain is None or path is None or not path.is_file():
        report.skip(
            f"{shown}:{info.line}: skipped {info.original}: no such page has a {locale} catalog"
        )
        return None
    key = (locale, domain)
    if key not in catalogs:
        rel = project.rel(path)
        po = catalog.load(path, rel)
        language = po.metadata.get("Language", "").strip()
        if language and gettext_name(language) != locale:
            raise L10nError(
                f"{shown}:{info.line}: target-language {info.target_lang!r}, but {rel} is "
                f"a {language} catalog (its Language header)"
            )
        entries = {
            unit_id(e.msgctxt, e.msgid): e for e in po if not e.obsolete and not e.msgid_plural
        }
        catalogs[key] = _Catalog(path, rel, po, is_markdown(project, domain), entries)
    return catalogs[key]


def _merge(found: _Catalog, unit: xliff.ReadUnit, where: str, report: Report) -> None:
    entry = found.by_id.get(unit.id)
    if entry is None or join(unit.source) != entry.msgid:
        report.skip(
            f"{where}: skipped unit {unit.id}: its English is no longer the current "
            f"English of {found.shown}"
        )
        return
    if not unit.target or not join(unit.target).strip():
        return
    flags = tuple(entry.flags)
    source = split(entry.msgid, found.markdown, flags)
    restored = restore(source, unit.target, found.markdown, flags)
    fuzzy = xliff.fuzzy_after(unit)
    if unit.state in (None, "new", "needs-translation") and restored.text == entry.msgid:
        return  # the English copied into the target by a tool: not a translation
    trouble = restored.damage or next(iter(problems(entry.msgid, restored.text)), None)
    if trouble:
        fuzzy = True
        report.notes.append(f"{where}: kept fuzzy ({found.shown}, {unit.id}): {trouble}")
    if entry.msgstr == restored.text and entry.fuzzy == fuzzy:
        report.unchanged += 1
        return
    entry.msgstr = restored.text
    if fuzzy and not entry.fuzzy:
        entry.flags.insert(0, "fuzzy")
    elif not fuzzy and entry.fuzzy:
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    found.changed = True
    report.imported += 1
    report.fuzzy += fuzzy
