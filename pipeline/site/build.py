"""`l10n build`: every page in every locale as HTML (and PDF), and the index."""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
from collections.abc import Callable, Collection, Generator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from ..assets import STATIC_DIR
from ..dates import GitHistory, format_date, page_history, source_date
from ..files import MISSING, Staging, content_digest, discard, stage, write_atomic, write_text
from ..locales import direction, gettext_name, native_name, web_tag
from ..project import UI_DOMAIN, Project
from ..workers import finished, process_pool
from .index import (
    IndexCache,
    Present,
    all_locales,
    catalog_counts,
    index_inputs,
    write_index,
)
from .snapshot import Digester, OutputDigests, digest, digester, named, tool_digest

if TYPE_CHECKING:
    import polib

    from ..checks.cache import ResultCache
    from ..segments import Annotate
    from .fonts import Font
    from .render import BuildWarning, Message
    from .summary import Tally

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
    # Each checked page catalog's counts, by domain, with the key of the results counted
    # (what the check summary that follows the build would otherwise read back).
    tallies: dict[str, tuple[str, Tally]] = field(default_factory=dict)


def messages(project: Project, locale: str, domain: str) -> dict[str, Message]:
    """The translations a build may use: translated, not fuzzy, not obsolete."""
    from .render import Message

    path = project.po_path(locale, domain)
    if locale == project.config.source_locale or not path.exists():
        return {}
    shown = project.rel(path)
    po = load_catalog(path, shown)
    return {
        e.msgid: Message(e.msgstr, shown, e.linenum or 0)
        for e in po
        if e.msgctxt is None and not e.obsolete and e.translated() and not e.msgid_plural
    }


def load_catalog(path: Path, shown: str) -> polib.POFile:
    """A catalog, parsed once per process while its bytes stay the same (every page of a
    locale reads its ui catalog; the index reads every catalog again; the checks read it
    after the build)."""
    from ..po import catalog

    try:
        return catalog.read_kept(path, shown)[1]
    except OSError:
        return catalog.load(path, shown)  # which says why, as every reader does


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
    from .typefaces import typefaces

    assets = project.build_dir / "assets"
    for name in ("page.css", "clusters.js"):
        write_text(assets / name, (STATIC_DIR / name).read_text(encoding="utf-8"))
    # Whole or not at all, and checked every time: a run killed while copying must not
    # leave a truncated licence that the next run would take for done.
    write_atomic(assets / "fonts" / "OFL.txt", (fonts.FONTS_DIR / "OFL.txt").read_bytes())
    present = Present(str(assets / "fonts"))
    if all(name in present for loc in locales for name in typefaces().woff2(loc)):
        return []  # every font in place: none need be loaded
    pending: dict[Path, Font] = {}
    for locale in locales:
        for font in fonts.fonts_for(locale):
            if font.path not in pending and not fonts.woff2_ready(font, assets / "fonts"):
                pending[font.path] = font
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
    """The same for every page of a locale at one depth: made once (see typefaces)."""
    from .typefaces import typefaces

    return Markup(typefaces().css(locale, prefix, built))


@functools.lru_cache(maxsize=256)
def _font_stack(locale: str, built: tuple[str, ...]) -> Markup:
    from .typefaces import typefaces

    return Markup(typefaces().stack(locale, built))


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
    counts: dict[str, list]  # IndexCache counts of the page's catalogs
    staged: Path | None  # the page's HTML, for the parent to put in place (files.stage)
    tally: tuple[str, Tally] | None = None  # the checks' counts of its catalog, and their key


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
    tally = None
    if checks is not None and task.locale != project.config.source_locale:
        from ..checks import check_catalog_keyed
        from .summary import Tally

        key, report = check_catalog_keyed(project, task.locale, task.domain, checks)
        tally = (key, Tally.of(report))
    out = output_path(project, task.locale, task.domain, ".html")
    staged = stage(out, page.html.encode("utf-8"))
    counts = catalog_counts(project, task.locale, [task.domain, UI_DOMAIN])
    return Done(task, page.entry, page.warnings, counts, staged, tally)


_WORKER_PROJECT: dict[Path, Project] = {}


def _html_tasks_in_worker(
    root: Path,
    tasks: list[tuple[Task, date]],
    built: list[str],
    with_pdf: bool,
    epoch: str | None,
    checks: ResultCache | None,
) -> list[Done]:
    """`_html_task` of each of a page's locales in a worker process, which loads the
    project once (a pool lives for one run).  `epoch` is the parent's SOURCE_DATE_EPOCH:
    a worker must not date a page from an environment it inherited earlier."""
    from ..project import load

    if epoch is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    if root not in _WORKER_PROJECT:
        _WORKER_PROJECT[root] = load(root)
    project = _WORKER_PROJECT[root]
    done: list[Done] = []
    try:
        for task, day in tasks:
            done.append(_html_task(project, task, built, with_pdf, day, checks))
    except BaseException:
        discard([d.staged for d in done])
        raise
    return done


@dataclass
class Pending:
    """Which pages a build must write, with the digest of each one's inputs, and which
    are up to date (each locale's, by the name the build state gives their output)."""

    todo: dict[Task, str] = field(default_factory=dict)
    fresh: dict[str, list[str]] = field(default_factory=dict)
    inputs: dict[str, bytes] = field(default_factory=dict)  # the digests taken, by path


def out_of_date(
    project: Project,
    locales: list[str],
    domains: list[str],
    only: Collection[Task] | None,
    stamp_of: Digester,
    state: OutputDigests,
    force: bool = False,
    seen: Mapping[str, list[int]] | None = None,
) -> Pending:
    """The pages whose HTML is missing or was made from other inputs (`page_inputs`)
    than they have now; every page with `force`.

    A large site asks this of thousands of pages on every build: each input is digested
    once, not once for each page that reads it, and each locale's outputs are found by
    listing its folder.  A page's locales come together: they share its block parse.
    `seen`: the inputs' stats as a scan before the build found them (`content_digest`)."""
    seen = seen or {}
    build = project.rel(project.build_dir)
    found = Pending()
    taken = found.inputs
    source = str(project.source_dir)
    pages = []  # (domain, the page's and its catalog's name as a stamp holds them, html)
    for domain in domains:
        path = f"{source}/{domain}.md"
        taken[path] = content_digest(path, seen.get(path))
        name = domain.rsplit("/", 1)[-1]
        start = named(f"{name}.md", taken[path]) + named(f"{name}.po", b"")
        pages.append((domain, start, f"{domain}.html"))
    digests = state.digests
    todo = []
    for locale in locales:
        tag = web_tag(locale)
        present = Present("" if force else str(project.build_dir / tag))
        folder = str(project.catalog_dir(locale))
        # No folder of catalogs (the source locale's): none is asked for, each missing.
        digest_of = content_digest if os.path.isdir(folder) else _missing
        path = f"{folder}/{UI_DOMAIN}.po"
        taken[path] = digest_of(path, seen.get(path))
        ui = named("ui.po", taken[path])
        fresh = found.fresh[locale] = []
        for domain, start, html in pages:
            if only is not None and Task(locale, domain) not in only:
                continue
            path = f"{folder}/{domain}.po"
            content = taken[path] = digest_of(path, seen.get(path))
            stamp = stamp_of.joined(start + content + ui)  # named((page, catalog, ui))
            key = f"{build}/{tag}/{html}"
            if digests.get(key) == stamp and (html in present.names or html in present):
                fresh.append(key)
            else:
                todo.append((domain, locale, stamp))
    if todo:
        order = {d: n for n, d in enumerate(domains)}
        todo.sort(key=lambda item: order[item[0]])  # stable: locales in the order asked for
    found.todo = {Task(locale, domain): stamp for domain, locale, stamp in todo}
    return found


def _missing(_path: str, _seen: list[int] | None) -> bytes:
    return MISSING


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
    seen: Mapping[str, list[int]] | None = None,
    templates: Mapping[str, str] | None = None,
) -> list[LocaleResult]:
    """Write every out-of-date page of every locale as HTML, with assets and the index.

    Pages are spread over `jobs` worker processes; an output whose inputs have not
    changed since it was written is left alone unless `force` is given.  `only` limits
    the pages looked at (the live preview rebuilds what a save affects); without `index`
    the index is left for the caller to write (it reads every catalog).  With `checks`
    (a ResultCache, or True for the user's), the catalog of each page written is checked
    (and its results kept) as it is built; a build with nothing to write imports no check.
    `seen`: the inputs' stats as the caller's scan found them before the build;
    `templates`: the project's (`Project.template_paths`), when the caller has them.
    """
    built = all_locales(project)
    every = project.page_domains()
    domains = every if only is None else [d for d in every if d in {t.domain for t in only}]
    state = OutputDigests(project.build_dir)
    tool = tool_digest()
    stamps = digester(tool, built, with_pdf, project.config)
    history = page_history(project.root)  # git's answers about dates come while it looks
    try:
        pending = out_of_date(project, locales, domains, only, stamps, state, force, seen)
        results = {locale: LocaleResult(locale) for locale in locales}
        for locale, keys in pending.fresh.items():
            results[locale].skipped += keys
        todo = pending.todo
        index_html = project.build_dir / "index.html"
        index_stamp = digest(index_inputs(project), tool)
        index_fresh = state.fresh(index_html, project.rel(index_html), index_stamp)
        if not todo and (not index or index_fresh):
            return list(results.values())
        for module in RENDERING:  # here, before any worker is forked: they inherit it
            importlib.import_module(module)
        if checks is True:
            from ..checks import open_cache

            checks = open_cache(project)
        cache = checks or None
        to_convert = write_assets(project, built, convert=False)
        listing = IndexCache(project.build_dir, state, pending.inputs)
        days = {
            task: source_date(
                page_inputs(project, task.locale, task.domain), project.root, history
            ).date()
            for task in todo
        }
    finally:
        history.close()  # what git was not asked (nothing to build) is stopped
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
            state.record(path, todo[task])
            listing.learn(done.counts)
            result = results[task.locale]
            result.pages.append(done.entry)
            titles[(task.locale, task.domain)] = done.entry["title"]
            result.warnings.extend(w for w in done.warnings if w not in result.warnings)
            result.written.append(path)
            if done.tally is not None:
                result.tallies[task.domain] = done.tally
            if progress:
                progress(task)
    if index:
        write_index(project, listing, titles, every, tool, templates)
        state.record(project.rel(index_html), index_stamp)
    else:  # the caller writes the index; until it says so, the next build writes it too
        state.forget(project.rel(index_html))
    state.save()  # last: a run killed before this point is redone in full by the next
    return list(results.values())


BATCHES_PER_WORKER = 4  # pages a worker: fewer, and each page's locales are shared out


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
    # A page's locales go to one worker together: they share its parse, its English and
    # their hand-over (a task a page and a locale costs the run more than a small page);
    # a site of a few pages is shared out by locale instead, to keep every worker busy.
    pages: dict[object, list[tuple[Task, date]]] = {}
    together = len({task.domain for task in days}) >= BATCHES_PER_WORKER * workers
    for task, day in days.items():
        pages.setdefault(task.domain if together else task, []).append((task, day))
    with process_pool(workers, preload=preload) as pool:
        converted = [pool.submit(write_woff2, font, folder) for font in fonts]
        futures = [
            pool.submit(_html_tasks_in_worker, project.root, tasks, built, with_pdf, epoch, checks)
            for tasks in pages.values()
        ]
        handed = 0  # batches the caller has taken whole
        try:
            for batch in finished(futures, lambda done: discard([d.staged for d in done])):
                yield from batch
                handed += 1
            for font_job in converted:
                font_job.result()
        except GeneratorExit:  # the caller stopped: pages not yet started are not built
            for font_job in converted:
                font_job.cancel()
            for future in futures:
                future.cancel()
            # and what the batches already running staged is not left behind
            for future in futures[handed:]:
                if not future.cancelled() and future.exception() is None:
                    discard([done.staged for done in future.result()])
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
    domains = project.page_domains()
    for locale in locales:
        for domain in domains:
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
