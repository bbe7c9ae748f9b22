"""What `l10n build` does, in order: HTML first (so it exists even when no browser does),
the check summary of what was rebuilt, then the handouts; and the key under which the
snapshot remembers a finished build so that the same command can answer at once."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..assets import PACKAGE_DIR
from ..errors import L10nError
from ..files import digests_kept

if TYPE_CHECKING:
    from ..project import Project

Say = Callable[[str, bool], None]  # (line, to stderr)
Progress = Callable[[Callable], list]  # runs build_html with a tick callback, or None


@dataclass(frozen=True)
class BuildOutcome:
    results: dict[str, list]  # "pages built", "handouts printed": results per locale
    browser: str | None  # the browser that printed, None when none could


@dataclass(frozen=True)
class BuildOptions:
    formats: frozenset[str]
    jobs: int | None = None
    force: bool = False
    quiet: bool = False
    verbose: bool = False


def snapshot_key(
    root: Path, locales: list[str], formats: frozenset[str], environ: Mapping[str, str]
) -> list:
    """Everything besides files that decides what a build writes."""
    key = [str(root.resolve()), list(locales), sorted(formats), environ.get("SOURCE_DATE_EPOCH")]
    if "pdf" in formats:  # the same command could find another browser
        key += [environ.get("L10N_BROWSER"), environ.get("PATH")]
    return key


def build(
    project: Project,
    chosen: list[str],
    options: BuildOptions,
    say: Say,
    progress: Progress,
    seen: Mapping[str, list[int]] | None = None,
) -> BuildOutcome:
    """Build what is out of date; `seen` are the inputs' stats as a scan before the build
    found them (Snapshot.scan)."""
    with digests_kept(project.root), digests_kept(PACKAGE_DIR):
        try:
            return _build(project, chosen, options, say, progress, seen)
        finally:
            results = sys.modules.get("pipeline.checks.cache")  # imported if anything was checked
            if results is not None:
                results.close()


def _build(
    project: Project,
    chosen: list[str],
    options: BuildOptions,
    say: Say,
    progress: Progress,
    seen: Mapping[str, list[int]] | None,
) -> BuildOutcome:
    from .build import build_html
    from .snapshot import forget

    forget(project.root)
    workers = options.jobs or os.cpu_count() or 1
    browser, no_browser = None, None
    if "pdf" in options.formats:
        from .browser import find_browser

        try:
            browser = find_browser(project.config.browser, project.root)
        except L10nError as exc:
            no_browser = exc  # the HTML is still built (without links to handouts)
    templates = project.template_paths()  # the build and the summary list them once
    pages = progress(
        lambda tick: build_html(
            project,
            chosen,
            with_pdf=browser is not None,
            jobs=workers,
            force=options.force,
            progress=tick,
            checks=not options.quiet,  # each rebuilt page's catalog, where it is built
            seen=seen,
            templates=templates,
        )
    )
    reports = {"pages built": pages}
    _report(pages, options, say, "pages built")
    rebuilt = [r.locale for r in pages if r.written and r.locale != project.config.source_locale]
    if rebuilt and not options.quiet:  # what changed was built: say how it checks
        from ..checks import open_cache, summary_line
        from .summary import summaries

        counted = {(r.locale, domain): kept for r in pages for domain, kept in r.tallies.items()}
        store = open_cache(project)
        for tally in summaries(project, rebuilt, store, workers, counted, templates, seen):
            say(f"check {summary_line(tally)}", False)
    if no_browser is not None:
        raise no_browser
    if browser is not None:
        from .build import build_pdf

        printed = build_pdf(project, chosen, browser, workers, options.force)
        reports["handouts printed"] = printed
        _report(printed, options, say, "handouts printed")
    return BuildOutcome(reports, browser)


def _report(results: list, options: BuildOptions, say: Say, what: str) -> None:
    for result in results:
        for warning in result.warnings:
            say(str(warning), True)
        if options.verbose:
            for path in result.written:
                say(f"wrote {path}", False)
        if not options.quiet:
            say(
                f"{result.locale}: {len(result.written)} {what}, {len(result.skipped)} up to date",
                False,
            )


def ready(locales: Iterable[str] = ()) -> None:
    """Make now what a build makes once a process: the Markdown parser, the page
    templates, the font answers and the tool's digest, the checks' code digest and
    character classes, and what the checks of `locales` read.  A process that forks its
    runs from here hands them to each run (each still checks every file it reads)."""
    from .. import segments
    from ..checks.cache import code_digest, fonts_digest
    from ..checks.runner import prepare
    from .render import environment
    from .typefaces import typefaces

    segments.ready()
    for name in ("page.html", "index.html"):
        environment().get_template(name)
    typefaces()
    code_digest()
    fonts_digest()
    prepare(list(locales))
