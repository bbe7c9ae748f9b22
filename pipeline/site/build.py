"""`l10n build`: every page in every locale as HTML (and PDF), and the index."""

from __future__ import annotations

import contextlib
import functools
import html as htmllib
import importlib
import json
import os
import re
from collections.abc import Callable, Collection, Generator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from ..assets import STATIC_DIR
from ..dates import GitHistory, format_date, source_date
from ..files import Staging, content_digest, discard, stage, write_atomic, write_text
from ..locales import direction, gettext_name, native_name, web_tag
from ..project import UI_DOMAIN, Project
from ..workers import finished, process_pool
from .snapshot import OutputDigests, digest, digester, tool_digest

if TYPE_CHECKING:
    import polib

    from ..checks.cache import ResultCache
    from ..segments import Annotate
    from .fonts import Font
    from .render import BuildWarning, Message

# Rendering (Python-Markdown, Jinja2, fontTools) is imported where a page is built: a
# build that finds everything up to date never needs it.
RENDERING = ("pipeline.site.render", "pipeline.extract", "pipeline.site.fonts", "pipeline.status")


@dataclass
class LocaleResult:
    locale: str
    pages: list[dict] = field(default_factory=list)
    warnings: list[BuildWarning] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def messages(project: Project, locale: str, domain: str) -> dict[str, Message]:
    """The translations a build may use: translated, not fuzzy, not obsolete."""
    from .render import Message

    path = project.po_path(locale, domain)
    if locale == project.config.source_locale or not path.exists():
        return {}
    shown = project.rel(path)
    po = _load(path, shown)
    return {
        e.msgid: Message(e.msgstr, shown, e.linenum or 0)
        for e in po
        if e.msgctxt is None and not e.obsolete and e.translated() and not e.msgid_plural
    }


def _load(path: Path, shown: str) -> polib.POFile:
    """A catalog, parsed once per process while its bytes stay the same (every page of a
    locale reads its ui catalog; the index reads every catalog again; the checks read it
    after the build)."""
    from ..po import catalog

    try:
        return catalog.read_kept(path, shown)[1]
    except OSError:
        return catalog.load(path, shown)  # which says why, as every reader does


def all_locales(project: Project) -> list[str]:
    source = project.config.source_locale
    return [source] + [loc for loc in project.target_locales() if loc != source]


def select(project: Project, requested: tuple[str, ...]) -> list[str]:
    """`-l en` names the source locale; no `-l` builds the source and every target."""
    source = project.config.source_locale
    if not requested:
        return all_locales(project)
    targets = [c for c in requested if gettext_name(c) != source]
    chosen = project.select(targets) if targets else []
    if any(gettext_name(c) == source for c in requested):
        chosen.insert(0, source)
    return chosen


def _prefix(domain: str) -> str:
    """From build/<tag>/<domain>.html back up to build/."""
    return "../" * (domain.count("/") + 1)


def write_assets(project: Project, locales: list[str], convert: bool = True) -> list[Font]:
    """The stylesheet and the WOFF2 fonts every built page refers to.

    Without `convert`, the fonts that must be converted (neither in build/ nor in the
    user's cache: seconds each) are returned for the caller to convert (`write_woff2`),
    say beside the pages its workers build."""
    from . import fonts

    assets = project.build_dir / "assets"
    for name in ("page.css", "clusters.js"):
        write_text(assets / name, (STATIC_DIR / name).read_text(encoding="utf-8"))
    pending: dict[Path, Font] = {}
    for locale in locales:
        for font in fonts.fonts_for(locale):
            if font.path not in pending and not fonts.woff2_ready(font, assets / "fonts"):
                pending[font.path] = font
    # Whole or not at all, and checked every time: a run killed while copying must not
    # leave a truncated licence that the next run would take for done.
    write_atomic(assets / "fonts" / "OFL.txt", (fonts.FONTS_DIR / "OFL.txt").read_bytes())
    if convert:
        for font in pending.values():
            fonts.write_woff2(font, assets / "fonts")
        return []
    return list(pending.values())


def page_context(project: Project, locale: str, domain: str, built: list[str]) -> dict:
    """What every page template needs besides its body."""
    up = _prefix(domain)
    tag = web_tag(locale)
    alternates = [
        {"hreflang": web_tag(loc), "href": f"{up}{web_tag(loc)}/{domain}.html"} for loc in built
    ]
    alternates.append(
        {
            "hreflang": "x-default",
            "href": f"{up}{web_tag(project.config.source_locale)}/{domain}.html",
        }
    )
    languages = [
        {
            "tag": web_tag(loc),
            "name": native_name(loc),
            "current": loc == locale,
            "href": f"{up}{web_tag(loc)}/{domain}.html",
        }
        for loc in built
    ]
    menu = "systemic-sclerosis"  # the one page the original menu links to
    return {
        "lang": tag,
        "source_lang": web_tag(project.config.source_locale),
        "dir": direction(locale),
        "menu_page": f"{up}{tag}/{menu}.html" if project.page_path(menu).is_file() else None,
        "alternates": alternates,
        "languages": languages,
        "assets": f"{up}assets/",
        "home": f"{up}index.html",
        "font_css": _font_css(locale, f"{up}assets/fonts/", tuple(built)),
        "font_stack": _font_stack(locale, tuple(built)),
        "paper": "A4" if project.config.paper == "A4" else "letter",
    }


@functools.lru_cache(maxsize=256)
def _font_css(locale: str, prefix: str, built: tuple[str, ...]) -> Markup:
    """The same for every page of a locale at one depth: made once per process."""
    from . import fonts

    return Markup(fonts.font_face_css(locale, prefix, built))


@functools.lru_cache(maxsize=256)
def _font_stack(locale: str, built: tuple[str, ...]) -> Markup:
    from . import fonts

    return Markup(fonts.font_stack(locale, built))


def page_inputs(project: Project, locale: str, domain: str) -> list[Path]:
    """The files a page's HTML is made from (besides the tool itself)."""
    return [
        project.page_path(domain),
        project.po_path(locale, domain),
        project.po_path(locale, UI_DOMAIN),
    ]


@dataclass(frozen=True)
class BuiltPage:
    html: str
    entry: dict  # the page's row in the index
    warnings: list[BuildWarning]


def build_page(
    project: Project,
    locale: str,
    domain: str,
    built: list[str],
    with_pdf: bool,
    day: date | None = None,
    annotate: Annotate | None = None,
) -> BuiltPage:
    """One page in one locale.

    `day` is the page's "Last updated" date when the caller knows it already; `annotate`
    marks each segment's element for the live preview (see segments.render).
    """
    from ..extract import read_source
    from .render import render_template, translate_page

    page_path = project.page_path(domain)
    text = read_source(project, page_path)
    found = messages(project, locale, domain)
    ui, ui_warnings = _ui(project, locale)
    page = translate_page(text, project.rel(page_path), locale, found, annotate)
    meta, fallbacks, warnings = page.meta, page.fallbacks, page.warnings
    if day is None:
        day = source_date(page_inputs(project, locale, domain), project.root).date()
    # The date is in the reader's language even where "Last updated" falls back to English.
    time_lang = "" if "Last updated: %(date)s" in ui else f' lang="{web_tag(locale)}"'
    updated = Markup('<time datetime="{}"{}>{}</time>').format(
        day.isoformat(), Markup(time_lang), format_date(day, locale)
    )
    name = domain.rsplit("/", 1)[-1]
    html = render_template(
        "page.html",
        ui,
        title=meta["title"] or name,
        description=meta["description"],
        body=Markup(page.html),
        incomplete=bool(fallbacks) and locale != project.config.source_locale,
        updated=updated,
        pdf_href=f"{name}.pdf" if with_pdf else None,
        **page_context(project, locale, domain, built),
    )
    entry = {
        "domain": domain,
        "title": meta["title"] or name,
        "href": f"{web_tag(locale)}/{domain}.html",
        "pdf_href": f"{web_tag(locale)}/{domain}.pdf" if with_pdf else None,
    }
    return BuiltPage(html, entry, ui_warnings + warnings)


def _ui(project: Project, locale: str) -> tuple[dict[str, str], list[BuildWarning]]:
    """The usable ui strings of a locale, vetted once per process (every page uses them)."""
    path = project.po_path(locale, UI_DOMAIN)
    content = content_digest(path)
    return _ui_cached(project, locale, content)


@functools.lru_cache(maxsize=64)
def _ui_cached(
    project: Project, locale: str, _content: bytes
) -> tuple[dict[str, str], list[BuildWarning]]:
    from .render import ui_messages

    return ui_messages(messages(project, locale, UI_DOMAIN))


def output_path(project: Project, locale: str, domain: str, suffix: str) -> Path:
    return project.build_dir / web_tag(locale) / f"{domain}{suffix}"


INDEX_CACHE = ".l10n-index.json"


def index_stamp(project: Project) -> str:
    """The digest the index is recorded under when it is written apart from a build (the
    live preview): taken before it reads what it lists."""
    return digest(_index_inputs(project), tool_digest())


def record_index(project: Project, stamp: str) -> None:
    """Record an index written apart from a build (under the project's lock)."""
    state = OutputDigests(project.build_dir)
    state.record(project.rel(project.build_dir / "index.html"), stamp)
    state.save()


def _index_inputs(project: Project) -> list[Path]:
    """What the index shows besides the pages: each locale's approvals."""
    from ..review.ledger import ledger_path

    return [ledger_path(project.locales_dir, loc) for loc in project.target_locales()]


_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


class CatalogCounts:
    """Translated and total counts of catalogs, kept in the build folder by content, so
    that the index of a large site does not parse every catalog on every build."""

    def __init__(self, build_dir: Path) -> None:
        self.path = build_dir / INDEX_CACHE
        try:
            self.known: dict[str, list] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self.used: dict[str, list] = {}
        self.fresh: set[str] = set()

    def learn(self, known: dict[str, list]) -> None:
        """Counts a build has just made from the catalogs it read: neither parsed nor
        hashed again for the index."""
        self.known.update(known)
        self.fresh.update(known)

    def get(self, project: Project, path: Path, locale: str, domain: str) -> tuple[int, int]:
        shown = project.rel(path)
        hit = self.known.get(shown)
        if shown in self.fresh and hit is not None:
            self.used[shown] = hit
            return hit[1], hit[2]
        content = content_digest(path).hex()
        if not (isinstance(hit, list) and len(hit) == 3 and hit[0] == content):
            from ..status import count

            counts = count(_load(path, shown), locale, domain)
            hit = [content, counts.total, counts.translated]
        self.used[shown] = hit
        return hit[1], hit[2]

    def save(self) -> None:
        """Keep what this build used, and only that: the same inputs, the same bytes."""
        write_text(self.path, json.dumps(self.used, indent=0, sort_keys=True) + "\n")


def completeness(
    project: Project,
    locale: str,
    known: CatalogCounts | None = None,
    templates: dict[str, Path] | None = None,
) -> float:
    """Percent of strings translated over every template, for the index."""
    if locale == project.config.source_locale:
        return 100.0
    known = known or CatalogCounts(project.build_dir)
    total = translated = 0
    templates = _templates_by_domain(project) if templates is None else templates
    for domain in project.domains(locale, templates):  # catalogs without a template count too
        path = project.po_path(locale, domain)
        in_all, done = known.get(
            project, path if path.exists() else templates[domain], locale, domain
        )
        total += in_all
        translated += done
    return round(100.0 * translated / total, 1) if total else 100.0


def _templates_by_domain(project: Project) -> dict[str, Path]:
    return {project.template_domain(pot): pot for pot in project.templates()}


TITLES_CACHE = ".l10n-titles.json"


class PageTitles:
    """The titles the index shows, kept in the build folder by content: each built page's
    under the digest it was built with, each English page's under the digest of its
    source.  The index of a large site then reads neither every page it built nor every
    source page (and their front matter) on every build."""

    def __init__(self, build_dir: Path, digests: OutputDigests | None = None) -> None:
        self.path = build_dir / TITLES_CACHE
        self.digests = digests or OutputDigests(build_dir)
        try:
            known = json.loads(self.path.read_text(encoding="utf-8"))
            self.known = {kind: dict(known[kind]) for kind in ("built", "english")}
        except (OSError, ValueError, KeyError, TypeError):
            self.known = {"built": {}, "english": {}}
        self.used: dict[str, dict[str, list]] = {"built": {}, "english": {}}

    def _get(self, kind: str, path: str, stamp: str) -> str | None:
        hit = self.known[kind].get(path)
        if isinstance(hit, list) and len(hit) == 2 and hit[0] == stamp and isinstance(hit[1], str):
            self.used[kind][path] = hit
            return hit[1]
        return None

    def _keep(self, kind: str, path: str, stamp: str, title: str) -> str:
        self.known[kind][path] = self.used[kind][path] = [stamp, title]
        return title

    def built(self, project: Project, html: Path, title: str | None = None) -> str | None:
        """The <title> of a built page (`title` when the caller has just built it)."""
        shown = project.rel(html)
        stamp = self.digests.digests.get(shown, "")
        if title is not None:
            return self._keep("built", shown, stamp, title)
        found = self._get("built", shown, stamp) if stamp else None
        if found is None and html.exists():
            match = _TITLE.search(html.read_text(encoding="utf-8"))
            found = htmllib.unescape(match.group(1)) if match else ""
            self._keep("built", shown, stamp, found)
        return found

    def english(self, project: Project, domain: str) -> str:
        """The title the English page has (as its <title> shows it)."""
        path = project.page_path(domain)
        shown = project.rel(path)
        stamp = content_digest(path).hex()
        found = self._get("english", shown, stamp)
        return (
            found
            if found is not None
            else self._keep("english", shown, stamp, english_title(project, domain))
        )

    def save(self) -> None:
        """Keep what this build used, and only that: the same inputs, the same bytes."""
        write_text(self.path, json.dumps(self.used, indent=0, sort_keys=True) + "\n")


def index_entry(
    project: Project,
    locale: str,
    domain: str,
    english: str | None = None,
    title: str | None = None,
    titles: PageTitles | None = None,
) -> dict | None:
    """A built page as the index lists it, or None when it has not been built.

    Its title is the built page's own <title> (`title` when the caller has just built
    it): the translation when it is usable, else the English (then marked as English).
    """
    html = output_path(project, locale, domain, ".html")
    if title is None and not html.exists():
        return None
    titles = titles or PageTitles(project.build_dir)
    english = english if english is not None else titles.english(project, domain)
    title = titles.built(project, html, title) or english
    pdf = output_path(project, locale, domain, ".pdf")
    return {
        "domain": domain,
        "title": title,
        "english": title == english and locale != project.config.source_locale,
        "href": f"{web_tag(locale)}/{domain}.html",
        "pdf_href": f"{web_tag(locale)}/{domain}.pdf" if pdf.exists() else None,
    }


def english_title(project: Project, domain: str) -> str:
    """The title the English page has (as its <title> shows it)."""
    from ..extract import read_source
    from ..segments import split_front_matter

    path = project.page_path(domain)
    meta = split_front_matter(read_source(project, path), project.rel(path)).meta
    return meta.get("title", "") or domain.rsplit("/", 1)[-1]


def catalog_counts(project: Project, locale: str, domains: list[str]) -> dict[str, list]:
    """The index's counts of a locale's catalogs (see CatalogCounts), from the parse a
    page build has made of them anyway."""
    from ..status import count

    found = {}
    for domain in domains:
        path = project.po_path(locale, domain)
        if locale == project.config.source_locale or not path.exists():
            continue
        shown = project.rel(path)
        counts = count(_load(path, shown), locale, domain)
        found[shown] = [content_digest(path).hex(), counts.total, counts.translated]
    return found


def review_sheets(project: Project, locale: str) -> list[dict]:
    """The review sheets `l10n review` has written for a locale, as the index links them."""
    if locale == project.config.source_locale:
        return []
    folder = project.build_dir / "review" / web_tag(locale)
    if not folder.is_dir():
        return []
    found = []
    for domain in project.domains(locale):
        html = folder / f"{domain}.html"
        if html.is_file():
            base = f"review/{web_tag(locale)}/{domain}"
            pdf = html.with_suffix(".pdf").is_file()
            found.append(
                {
                    "domain": domain,
                    "href": f"{base}.html",
                    "pdf_href": f"{base}.pdf" if pdf else None,
                }
            )
    return found


def approved_percent(project: Project, locale: str) -> str | None:
    """Percent of a locale's entries whose current text is approved (as `status` counts
    it), for the index; None for the source locale or when the ledger cannot be read
    (`status` and `approve` name the line)."""
    from ..errors import L10nError
    from ..review.coverage import locale_coverage
    from ..review.ledger import ledger_path

    if locale == project.config.source_locale:
        return None
    if not ledger_path(project.locales_dir, locale).exists():
        return "0"  # nobody has approved anything: no catalog need be read
    try:
        return f"{locale_coverage(project, locale).percent:g}"
    except L10nError:
        return None


def write_index(
    project: Project,
    known: CatalogCounts | None = None,
    built_titles: dict[tuple[str, str], str] | None = None,
    digests: OutputDigests | None = None,
) -> None:
    """`build/index.html`: every built language, named in itself, with how complete it is.

    `built_titles` are the titles of the pages this run wrote, (locale, domain) -> title:
    those pages need not be read back; `digests` what they were built under.
    """
    known = known or CatalogCounts(project.build_dir)
    kept = PageTitles(project.build_dir, digests)
    locales = index_locales(project, known, built_titles, kept)
    known.save()
    kept.save()
    write_text(project.build_dir / "index.html", render_index(project, locales))


def index_locales(
    project: Project,
    known: CatalogCounts,
    built_titles: dict[tuple[str, str], str] | None = None,
    kept: PageTitles | None = None,
) -> list[dict]:
    """What the index lists: each built locale, its pages and how complete it is.  This
    reads every catalog's counts and every built page's title (those `kept` knows need not
    be read); rendering is apart, so that the live preview can read while it rebuilds
    pages."""
    built = all_locales(project)
    domains = [project.domain(p) for p in project.pages()]
    kept = kept or PageTitles(project.build_dir)
    titles = {d: kept.english(project, d) for d in domains}
    just = built_titles or {}
    pots = _templates_by_domain(project)
    locales = []
    for loc in built:
        pages = [
            e
            for d in domains
            if (e := index_entry(project, loc, d, titles[d], just.get((loc, d)), kept))
        ]
        sheets = review_sheets(project, loc)
        if pages or sheets:
            locales.append(
                {
                    "tag": web_tag(loc),
                    "name": native_name(loc),
                    "percent": f"{completeness(project, loc, known, pots):g}",
                    "approved": approved_percent(project, loc),
                    "pages": pages,
                    "sheets": sheets,
                }
            )
    return locales


def render_index(project: Project, locales: list[dict]) -> str:
    """The index page of `index_locales`."""
    from . import fonts
    from .render import render_template

    listed = {x["tag"] for x in locales}
    shown = [loc for loc in all_locales(project) if web_tag(loc) in listed]
    source = project.config.source_locale
    return render_template(
        "index.html",
        {},
        lang=web_tag(source),
        dir=direction(source),
        title="Patient information",
        description="",
        alternates=[],
        assets="assets/",
        font_css=Markup(fonts.font_face_css(source, "assets/fonts/", shown)),
        font_stack=Markup(fonts.font_stack(source, shown)),
        locales=locales,
    )


@dataclass(frozen=True)
class Task:
    """One output to make: a page in a locale."""

    locale: str
    domain: str


@dataclass(frozen=True)
class Done:
    """What a worker reports of a page it wrote."""

    task: Task
    entry: dict
    warnings: list[BuildWarning]
    counts: dict[str, list]  # CatalogCounts entries of the page's catalogs
    staged: Path | None  # the page's HTML, for the parent to put in place (files.stage)


def _html_task(
    project: Project,
    task: Task,
    built: list[str],
    with_pdf: bool,
    day: date,
    checks: ResultCache | None = None,
) -> Done:
    """Build and stage one page; returns what the parent reports.  Staging the page
    where it is built spreads the writes over the workers; the parent puts them all in
    place with one sync.  With `checks`, the page's catalog is checked here too (unless
    its results are kept): the translations were just parsed for the page, and that
    parse serves the checks."""
    page = build_page(project, task.locale, task.domain, built, with_pdf, day)
    if checks is not None and task.locale != project.config.source_locale:
        from ..checks import check_catalog_cached

        check_catalog_cached(project, task.locale, task.domain, checks)
    out = output_path(project, task.locale, task.domain, ".html")
    staged = stage(out, page.html.encode("utf-8"))
    counts = catalog_counts(project, task.locale, [task.domain, UI_DOMAIN])
    return Done(task, page.entry, page.warnings, counts, staged)


_WORKER_PROJECT: dict[Path, Project] = {}


def _html_task_in_worker(
    root: Path,
    task: Task,
    built: list[str],
    with_pdf: bool,
    epoch: str | None,
    day: date,
    checks: ResultCache | None,
) -> Done:
    """`_html_task` in a worker process, which loads the project once (a pool lives for
    one run).  `epoch` is the parent's SOURCE_DATE_EPOCH: a worker must not date a page
    from an environment it inherited earlier."""
    from ..project import load

    if epoch is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    if root not in _WORKER_PROJECT:
        _WORKER_PROJECT[root] = load(root)
    return _html_task(_WORKER_PROJECT[root], task, built, with_pdf, day, checks)


def build_html(
    project: Project,
    locales: list[str],
    with_pdf: bool,
    jobs: int = 1,
    force: bool = False,
    progress: Callable[[Task], None] | None = None,
    only: Collection[Task] | None = None,
    index: bool = True,
    checks: ResultCache | bool = False,
) -> list[LocaleResult]:
    """Write every out-of-date page of every locale as HTML, with assets and the index.

    Pages are spread over `jobs` worker processes; an output whose inputs have not
    changed since it was written is left alone unless `force` is given.  `only` limits
    the pages looked at (the live preview rebuilds what a save affects); without `index`
    the index is left for the caller to write (it reads every catalog).  With `checks`
    (a ResultCache, or True for the user's), the catalog of each page written is checked
    (and its results kept) as it is built; a build with nothing to write imports no check.
    """
    built = all_locales(project)
    domains = [project.domain(p) for p in project.pages()]
    if only is not None:
        wanted = {t.domain for t in only}
        domains = [d for d in domains if d in wanted]
    state = OutputDigests(project.build_dir)
    tool = tool_digest()
    stamp_of = digester(tool, built, with_pdf, project.config)
    todo: list[tuple[Task, str, list[Path]]] = []
    results = {locale: LocaleResult(locale) for locale in locales}
    for domain in domains:  # a page's locales together: they share its block parse
        for locale in locales:
            task = Task(locale, domain)
            if only is not None and task not in only:
                continue
            inputs = page_inputs(project, locale, domain)
            stamp = stamp_of(inputs)
            out = output_path(project, locale, domain, ".html")
            if not force and state.fresh(out, project.rel(out), stamp):
                results[locale].skipped.append(project.rel(out))
            else:
                todo.append((task, stamp, inputs))
    index_html = project.build_dir / "index.html"
    index_stamp = digest(_index_inputs(project), tool)
    if not todo and (not index or state.fresh(index_html, project.rel(index_html), index_stamp)):
        return list(results.values())
    for module in RENDERING:  # here, before any worker is forked: they inherit it
        importlib.import_module(module)
    if checks is True:
        from ..checks import open_cache

        checks = open_cache(project)
    cache = checks or None
    to_convert = write_assets(project, built, convert=False)
    stamps = {task: stamp for task, stamp, _ in todo}
    history = GitHistory(project.root)
    days = {task: source_date(inputs, project.root, history).date() for task, _, inputs in todo}
    known = CatalogCounts(project.build_dir)
    titles: dict[tuple[str, str], str] = {}
    with (
        Staging() as staging,
        contextlib.closing(
            _run(project, days, built, with_pdf, jobs, cache, to_convert)
        ) as running,
    ):
        for done in running:
            task = done.task
            out = output_path(project, task.locale, task.domain, ".html")
            staging.adopt(done.staged, out)
            path = project.rel(out)
            state.record(path, stamps[task])
            known.learn(done.counts)
            result = results[task.locale]
            result.pages.append(done.entry)
            titles[(task.locale, task.domain)] = done.entry["title"]
            result.warnings.extend(w for w in done.warnings if w not in result.warnings)
            result.written.append(path)
            if progress:
                progress(task)
    if index:
        write_index(project, known, titles, state)
        state.record(project.rel(index_html), index_stamp)
    else:  # the caller writes the index; until it says so, the next build writes it too
        state.forget(project.rel(index_html))
    state.save()  # last: a run killed before this point is redone in full by the next
    return list(results.values())


def _run(
    project: Project,
    days: dict[Task, date],
    built: list[str],
    with_pdf: bool,
    jobs: int,
    checks: ResultCache | None,
    fonts: list[Font],
) -> Generator[Done, None, None]:
    """Run the tasks here, or over worker processes when there is enough to share; the
    fonts to convert go to the workers first, beside the pages."""
    from .fonts import write_woff2

    folder = project.build_dir / "assets" / "fonts"
    workers = min(jobs, len(days) + len(fonts))
    if workers > 1 and checks is not None:  # loaded here, the workers inherit it
        from ..checks.runner import prepare

        prepare(sorted({t.locale for t in days} - {project.config.source_locale}))
    if workers <= 1:
        for font in fonts:
            write_woff2(font, folder)
        for task, day in days.items():
            yield _html_task(project, task, built, with_pdf, day, checks)
        return
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    preload = ("pipeline.site.build", *RENDERING, *(("pipeline.checks",) if checks else ()))
    with process_pool(workers, preload=preload) as pool:
        converted = [pool.submit(write_woff2, font, folder) for font in fonts]
        futures = [
            pool.submit(
                _html_task_in_worker, project.root, task, built, with_pdf, epoch, day, checks
            )
            for task, day in days.items()
        ]
        try:
            yield from finished(futures, lambda done: discard([done.staged]))
            for font_job in converted:
                font_job.result()
        except GeneratorExit:  # the caller stopped: pages not yet started are not built
            for font_job in converted:
                font_job.cancel()
            for future in futures:
                future.cancel()
            raise


def build_pdf(
    project: Project, locales: list[str], browser: str, jobs: int | None = None, force: bool = False
) -> list[LocaleResult]:
    """Print each built page of each locale to build/<tag>/<domain>.pdf (after build_html).

    The printing itself lives in pipeline.site.pdf; this only says what to print, skips what is
    up to date, and lists the handouts in the index.
    """
    from .browser import Settings

    settings = Settings(
        browser=browser,
        paper=project.config.paper,
        author=project.config.author,
        publisher=project.config.publisher,
    )
    state = OutputDigests(project.build_dir)
    tool = tool_digest()
    results = {locale: LocaleResult(locale) for locale in locales}
    todo: list[tuple[str, Path, Path, datetime, str]] = []
    history = GitHistory(project.root)
    for locale in locales:
        for domain in [project.domain(p) for p in project.pages()]:
            html = output_path(project, locale, domain, ".html")
            out = output_path(project, locale, domain, ".pdf")
            date = source_date(page_inputs(project, locale, domain), project.root, history)
            stamp = digest(
                [
                    html,
                    project.build_dir / "assets" / "page.css",
                    project.build_dir / "assets" / "clusters.js",
                ],
                tool,
                settings,
                date.isoformat(),
            )
            if not force and state.fresh(out, project.rel(out), stamp):
                results[locale].skipped.append(project.rel(out))
            else:
                todo.append((locale, html, out, date, stamp))
    if not todo and (project.build_dir / "index.html").exists():
        return list(results.values())  # the index already links every handout
    from . import pdf

    pdf.print_pages([pdf.Page(html, out, date) for _, html, out, date, _ in todo], settings, jobs)
    for locale, _, out, _, stamp in todo:
        state.record(project.rel(out), stamp)
        results[locale].written.append(project.rel(out))
    write_index(project)
    state.save()  # last: a run killed before this point is redone in full by the next
    return list(results.values())
