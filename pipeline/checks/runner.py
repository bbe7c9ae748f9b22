"""Running the checks over catalogs: findings named by the line of each `msgstr`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import polib

from .. import glossary as glossary_mod
from .. import segments
from ..errors import L10nError
from ..glossary import Glossary
from ..locales import nplurals as plural_count
from ..po import catalog
from ..project import Project
from ..segments import Segment
from . import content, markup, style  # noqa: F401  (importing them registers their checks)
from .model import ERROR, CheckRun, Finding, LocaleReport
from .registry import check_message
from .sources import check_sources


def check_catalog(
    path: Path,
    shown: str,
    locale: str,
    domain: str,
    glossary: Glossary,
    references: Mapping[str, tuple[str, str | None]] | None = None,
) -> LocaleReport:
    """Findings and counts of one `.po` file; a file that does not parse is one finding."""
    report = LocaleReport(locale)
    try:
        text = catalog.decode(path.read_bytes(), shown)
        po = catalog.parse(text, shown)
    except OSError as exc:
        report.findings.append(Finding(shown, 1, "syntax", ERROR, exc.strerror or str(exc), locale))
        return report
    except L10nError as exc:
        line, message = _split_error(str(exc), shown)
        report.findings.append(Finding(shown, line, "syntax", ERROR, message, locale))
        return report
    lines = text.split("\n")
    nplurals = plural_count(po.metadata.get("Plural-Forms", ""))
    for entry in po:
        if entry.obsolete:
            report.obsolete += 1
            continue
        if "fuzzy" in entry.flags:
            report.fuzzy += 1
            continue
        if not entry.translated():
            report.untranslated += 1
            continue
        report.checked += 1
        for index, english, translation in _forms(entry, nplurals):
            line = msgstr_line(lines, entry, index)
            for item, message in check_message(
                english,
                translation,
                locale,
                domain,
                entry.flags,
                glossary,
                None,
                references,
                entry,
            ):
                silenced = item.silenceable and f"ignore-{item.id}" in entry.flags
                report.findings.append(
                    Finding(shown, line, item.id, item.severity, message, locale, silenced)
                )
    return report


def run_checks(project: Project, locales: list[str]) -> CheckRun:
    """Check every locale asked for: `l10n check` and the release gate start here, and
    `build` can print `summary_line` of each report."""
    sources = check_sources(project)  # the English: a report of its own when it has findings
    return CheckRun([sources] * bool(sources.findings) + check_project(project, locales))


def check_project(project: Project, locales: list[str]) -> list[LocaleReport]:
    """A report per locale over every domain: each template's, and any other `.po`."""
    glossary = glossary_mod.load(project.locales_dir)
    templates = {project.template_domain(p): p for p in project.templates()}
    references: dict[str, dict] = {}
    reports = []
    for locale in locales:
        total = LocaleReport(locale)
        for domain in project.domains(locale):
            path = project.po_path(locale, domain)
            if path.exists():
                if domain not in references:
                    references[domain] = page_references(project, domain)
                part = check_catalog(
                    path, project.rel(path), locale, domain, glossary, references[domain]
                )
            else:  # no catalog yet: every message of the template is untranslated
                part = _untranslated(templates[domain], project.rel(templates[domain]), locale)
            total.findings += part.findings
            total.checked += part.checked
            total.fuzzy += part.fuzzy
            total.untranslated += part.untranslated
            total.obsolete += part.obsolete
        reports.append(total)
    return reports


def check_domain(project: Project, locale: str, domain: str, glossary: Glossary) -> LocaleReport:
    """The findings of one page's catalog in one locale, as `check` reports them."""
    path = project.po_path(locale, domain)
    return check_catalog(
        path, project.rel(path), locale, domain, glossary, page_references(project, domain)
    )


def page_references(project: Project, domain: str) -> dict:
    """The link reference definitions of a page, so that `[text][ref]` resolves in checks
    as it does when the page is built."""
    page = project.page_path(domain)
    found: dict = {}

    def capture(_segment: Segment, references: Mapping) -> None:
        found.update(references)

    if page.is_file():
        # extract reports a broken page; its catalogs are still checked
        with contextlib.suppress(L10nError, OSError, UnicodeDecodeError):
            segments.render(page.read_text(encoding="utf-8"), project.rel(page), capture)
    return found


def _untranslated(pot: Path, shown: str, locale: str) -> LocaleReport:
    report = LocaleReport(locale)
    try:
        po = catalog.load(pot, shown)
    except L10nError as exc:
        line, message = _split_error(str(exc), shown)
        report.findings.append(Finding(shown, line, "syntax", ERROR, message, locale))
        return report
    report.untranslated = sum(1 for e in po if not e.obsolete)
    return report


def _split_error(text: str, shown: str) -> tuple[int, str]:
    """`path:line: message` of an L10nError, as (line, message)."""
    rest = text.removeprefix(f"{shown}:")
    number, sep, message = rest.partition(": ")
    if sep and number.isdigit():
        return int(number), message
    return 1, rest.lstrip(": ")


def _forms(entry: polib.POEntry, nplurals: int) -> Iterator[tuple[int | None, str, str]]:
    """(msgstr index, English, translation): form 0 answers the singular only where the
    language has more than one form; elsewhere it serves every count, so the plural."""
    if not entry.msgid_plural:
        yield None, entry.msgid, entry.msgstr
        return
    for index, translation in sorted(entry.msgstr_plural.items()):
        english = entry.msgid if index == 0 and nplurals > 1 else entry.msgid_plural
        yield index, english, translation


def msgstr_line(lines: list[str], entry: polib.POEntry, index: int | None) -> int:
    """The line of the entry's `msgstr` (or `msgstr[index]`): polib only knows where the
    entry starts (its first comment), so scan forward from there."""
    keyword = "msgstr" if index is None else f"msgstr[{index}]"
    start = entry.linenum or 0  # entries read from a file always know their line
    for number in range(max(start - 1, 0), len(lines)):
        stripped = lines[number].lstrip()
        if stripped.startswith(keyword) and stripped[len(keyword) :][:1] in (" ", "\t", '"'):
            return number + 1
    return start
