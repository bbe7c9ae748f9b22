"""Running the checks over catalogs: findings named by the line of each `msgstr`."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import polib

from .. import glossary as glossary_mod
from .. import segments
from ..assets import PACKAGE_DIR
from ..errors import L10nError
from ..files import content_digest, digests_kept
from ..glossary import Glossary
from ..po import catalog
from ..po.plurals import Plurals
from ..project import Project
from ..segments import Segment
from ..site import fonts
from ..workers import finished, process_pool
from . import content, markup, style  # noqa: F401  (importing them registers their checks)
from .cache import ResultCache
from .cache import close as close_results
from .model import ERROR, CheckRun, Context, Finding, LocaleReport
from .registry import run as run_all
from .sources import check_sources
from .text import blanks_and_marks, script_of


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
        text, po = catalog.read_kept(path, shown)
    except OSError as exc:
        report.findings.append(Finding(shown, 1, "syntax", ERROR, exc.strerror or str(exc), locale))
        return report
    except L10nError as exc:
        line, message = _split_error(str(exc), shown)
        report.findings.append(Finding(shown, line, "syntax", ERROR, message, locale))
        return report
    lines = text.split("\n")
    plurals = Plurals.of(po.metadata.get("Plural-Forms", ""), locale)
    refs = tuple(sorted((references or {}).items()))  # the page's: the same for every message
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
        for index, english, translation in _forms(entry, plurals):
            line = msgstr_line(lines, entry, index)
            context = Context(
                english, translation, locale, domain, tuple(entry.flags), glossary, entry, refs
            )
            for item, message in run_all(context):
                silenced = item.silenceable and f"ignore-{item.id}" in entry.flags
                report.findings.append(
                    Finding(shown, line, item.id, item.severity, message, locale, silenced)
                )
    return report


def run_checks(
    project: Project, locales: list[str], jobs: int = 1, cache: ResultCache | bool = True
) -> CheckRun:
    """Check every locale asked for: `l10n check` and the release gate start here, and
    `build` can print `summary_line` of each report."""
    with digests_kept(project.root), digests_kept(PACKAGE_DIR):
        if isinstance(cache, ResultCache):
            store: ResultCache | None = cache
        else:
            store = open_cache(project) if cache else None
        try:
            sources = sources_report(project, store)  # the English: a report of its own
            reports = check_project(project, locales, jobs, store if store is not None else False)
        finally:
            close_results()  # the run's connection: see cache.close
        return CheckRun([sources] * bool(sources.findings) + reports)


def sources_report(
    project: Project,
    store: ResultCache | None,
    templates: Mapping[str, str] | None = None,
    seen: Mapping[str, list[int]] | None = None,
) -> LocaleReport:
    """`check_sources`, kept in the cache under the digest of every template
    (`templates`: `Project.template_paths`, when the caller has them; `seen`: their
    stats as a scan found them)."""
    if store is None:
        return check_sources(project)
    seen = seen or {}
    if templates is None:
        templates = project.template_paths()
    digest = hashlib.sha256(f"{store.common}\0sources\0{project.config.source_locale}".encode())
    for shown in templates.values():
        path = f"{project.root}{os.sep}{shown}"
        digest.update(f"\0{shown}\0".encode() + content_digest(path, seen.get(path)))
    key = digest.hexdigest()
    found = store.get(key)
    if found is None:
        found = check_sources(project)
        store.put(key, found)
    return found


def open_cache(project: Project) -> ResultCache:
    """The results cache of a run (the glossary read and validated once for it)."""
    return ResultCache.open(project, glossary_mod.load(project.locales_dir))


def check_project(
    project: Project, locales: list[str], jobs: int = 1, cache: ResultCache | bool = True
) -> list[LocaleReport]:
    """A report per locale over every domain: each template's, and any other `.po`.

    A catalog whose results are in the cache (`cache`: a ResultCache, True for the
    user's, False for none) is not checked again; the others are checked page by page,
    over `jobs` worker processes when there are several pages, and kept.
    """
    if isinstance(cache, ResultCache):
        store: ResultCache | None = cache
        glossary = cache.glossary
    else:
        glossary = glossary_mod.load(project.locales_dir)
        store = ResultCache.open(project, glossary) if cache else None
    templates = project.template_domains()
    domains = {locale: project.domains(locale, templates) for locale in locales}
    parts: dict[tuple[str, str], LocaleReport] = {}
    todo: dict[str, list[tuple[str, str]]] = {}  # domain -> [(locale, key)]
    for locale in locales:
        for domain in domains[locale]:
            key = store.key(project, locale, domain) if store else ""
            found = store.get(key) if store else None
            if found is None:
                todo.setdefault(domain, []).append((locale, key))
            else:
                parts[(locale, domain)] = found
    for domain, done in _check_pages(project, todo, glossary, jobs):
        for (locale, key), report in zip(todo[domain], done, strict=True):
            parts[(locale, domain)] = report
            if store:
                store.put(key, report)
    reports = []
    for locale in locales:
        total = LocaleReport(locale)
        for domain in domains[locale]:
            part = parts[(locale, domain)]
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


def check_catalog_cached(
    project: Project, locale: str, domain: str, cache: ResultCache | None = None
) -> LocaleReport:
    """The report of one catalog (its template's counts when it does not exist yet), from
    the cache when nothing it depends on changed; what `build` and the live preview ask
    for each catalog a save touches."""
    return check_catalog_keyed(project, locale, domain, cache or open_cache(project))[1]


def check_catalog_keyed(
    project: Project, locale: str, domain: str, store: ResultCache
) -> tuple[str, LocaleReport]:
    """`check_catalog_cached`, with the key its report is kept under (what a summary
    table counts by)."""
    key = store.key(project, locale, domain)
    found = store.get(key)
    if found is None:
        found = check_page(project, domain, [locale], store.glossary)[0]
        store.put(key, found)
    return key, found


def check_page(
    project: Project, domain: str, locales: list[str], glossary: Glossary
) -> list[LocaleReport]:
    """The reports of one page's catalogs in these locales, checked now."""
    reports = []
    for locale in locales:
        path = project.po_path(locale, domain)
        if path.exists():
            references = page_references(project, domain)
            reports.append(
                check_catalog(path, project.rel(path), locale, domain, glossary, references)
            )
        else:  # no catalog yet: every message of the template is untranslated
            pot = project.pot_path(domain)
            reports.append(_untranslated(pot, project.rel(pot), locale))
    return reports


def prepare(locales: list[str]) -> None:
    """Load what the checks of these locales read (font coverage, number symbols, scripts)
    once, before worker processes are forked: they inherit it instead of each loading it."""
    blanks_and_marks()
    for locale in locales:
        with contextlib.suppress(ValueError):  # the glyphs check reports such a locale
            fonts.prepare_glyphs(locale)
        content.number_symbols(locale)
        script_of(locale)


def _check_pages(
    project: Project, todo: dict[str, list[tuple[str, str]]], glossary: Glossary, jobs: int
) -> Iterator[tuple[str, list[LocaleReport]]]:
    """(domain, reports) for each page of `todo`, here or over worker processes: a page's
    locales go together, so its English is parsed once for all of them."""
    workers = min(jobs, len(todo))
    prepare(sorted({locale for items in todo.values() for locale, _ in items}))
    if workers <= 1:
        for domain, items in todo.items():
            yield domain, check_page(project, domain, [loc for loc, _ in items], glossary)
        return
    with process_pool(workers, preload=("pipeline.checks",)) as pool:
        futures = [
            pool.submit(
                _check_page_in_worker, project.root, domain, [loc for loc, _ in items], glossary
            )
            for domain, items in todo.items()
        ]
        yield from zip(todo, finished(futures, lambda _done: None), strict=True)


_WORKER_PROJECT: dict[Path, Project] = {}


def _check_page_in_worker(
    root: Path, domain: str, locales: list[str], glossary: Glossary
) -> list[LocaleReport]:
    from ..project import load

    if root not in _WORKER_PROJECT:
        _WORKER_PROJECT[root] = load(root)
    return check_page(_WORKER_PROJECT[root], domain, locales, glossary)


def page_references(project: Project, domain: str) -> Mapping[str, tuple[str, str | None]]:
    """The link reference definitions of a page, so that `[text][ref]` resolves in checks
    as it does when the page is built (not to be changed: they are remembered)."""
    page = project.page_path(domain)
    try:
        data = page.read_bytes()
    except OSError:
        return {}
    return _references(data, project.rel(page))


@functools.lru_cache(maxsize=64)
def _references(data: bytes, shown: str) -> Mapping[str, tuple[str, str | None]]:
    found: dict = {}
    if b"]:" not in data:
        return found  # a reference definition is `[label]: url`

    def capture(_segment: Segment, references: Mapping) -> None:
        found.update(references)

    # extract reports a broken page; its catalogs are still checked
    with contextlib.suppress(L10nError, UnicodeDecodeError):
        segments.render(data.decode("utf-8"), shown, capture, html=False)
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


def _forms(entry: polib.POEntry, plurals: Plurals) -> Iterator[tuple[int | None, str, str]]:
    """(msgstr index, English, translation): form 0 answers the singular only where it
    serves few numbers (n = 1); a form serving many (Thai's only one, Filipino's first)
    answers the plural and keeps its placeholders, as `msgfmt --check` requires."""
    if not entry.msgid_plural:
        yield None, entry.msgid, entry.msgstr
        return
    for index, translation in sorted(entry.msgstr_plural.items()):
        yield index, plurals.answers(index, entry.msgid, entry.msgid_plural), translation


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
