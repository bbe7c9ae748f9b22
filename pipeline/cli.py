"""The `l10n` command line: parses options and calls the core, nothing more."""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .errors import L10nError, Problems
from .files import project_lock
from .workers import fewer_collections

if TYPE_CHECKING:  # the project module pulls in Babel: not worth it for a no-op build
    from .project import Project

REPORT_URL = "the project's issue tracker (see README, Reporting problems)"
LOCALE_OPTION = click.option(
    "-l",
    "--locale",
    "locales",
    multiple=True,
    metavar="LOCALE",
    help="Work on this locale only (repeatable). Default: every configured locale.",
)


class State:
    def __init__(self, root: Path, debug: bool, argv: list[str] | None = None) -> None:
        self.root = root
        self.debug = debug
        self.argv = argv  # the command line as typed, when main() was given it

    def project(self) -> Project:
        from .project import load

        return load(self.root)


pass_state = click.make_pass_decorator(State)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "--project",
    "root",
    type=click.Path(path_type=Path),
    default=".",
    show_default=True,
    help="The project folder (with source/ and locales/).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.version_option(__version__, prog_name="l10n")
@click.pass_context
def cli(ctx: click.Context, root: Path, debug: bool) -> None:
    """Localise Markdown patient pages through gettext catalogs into HTML and PDF.

    \b
    Example:
      l10n extract && l10n update && l10n status
    """
    ctx.obj = State(root, debug, ctx.obj)


JOBS_OPTION = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for large projects (default: the number of cores).",
)


def _jobs(jobs: int | None) -> int:
    return jobs or os.cpu_count() or 1


@cli.command()
@JOBS_OPTION
@pass_state
def extract(state: State, jobs: int | None) -> None:
    """Write locales/<page>.pot for every page and locales/ui.pot.

    \b
    Example:
      l10n extract
    """
    from .extract import extract_project

    proj = state.project()
    with project_lock(proj.root):
        results = extract_project(proj, _jobs(jobs))
    for item in results:
        for notice in item.notices:
            page = item.path.replace("locales/", "source/").removesuffix(".pot") + ".md"
            click.echo(f"{page}:{notice.line}: {notice.message}", err=True)
        mark = "wrote" if item.changed else "unchanged"
        click.echo(f"{mark} {item.path} ({item.entries} messages)")


@cli.command()
@click.argument("locales", nargs=-1, metavar="LOCALE...")
@pass_state
def init(state: State, locales: tuple[str, ...]) -> None:
    """Create the catalogs of new locales from the templates.

    \b
    Example:
      l10n init th vi km
    """
    from .update import init as init_catalogs

    proj = state.project()
    with project_lock(proj.root):
        written = init_catalogs(proj, list(locales))
    for item in written:
        click.echo(f"created {item.path}")


@cli.command()
@LOCALE_OPTION
@JOBS_OPTION
@pass_state
def update(state: State, locales: tuple[str, ...], jobs: int | None) -> None:
    """Merge every locales/*.pot into each locale's catalogs (as msgmerge does).

    \b
    Example:
      l10n update -l th
    """
    from .update import update as update_catalogs

    proj = state.project()
    chosen = proj.select(locales)
    with project_lock(proj.root):
        written = update_catalogs(proj, chosen, _jobs(jobs))
    changed = [w for w in written if w.changed]
    if changed:  # one write for them all: thousands of lines
        click.echo("\n".join(f"updated {item.path}" for item in changed))
    click.echo(f"{len(changed)} of {len(written)} catalogs changed")


@cli.command()
@LOCALE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@pass_state
def status(state: State, locales: tuple[str, ...], as_json: bool) -> None:
    """Translated, fuzzy and untranslated counts per locale and page.

    \b
    Example:
      l10n status --json
    """
    from .status import collect, totals

    proj = state.project()
    rows = collect(proj, proj.select(locales))
    sums = totals(rows)
    if as_json:
        data = {
            "locales": [
                {
                    **sums[loc].as_json(),
                    "domain": None,
                    "domains": [r.as_json() for r in rows if r.locale == loc],
                }
                for loc in sums
            ]
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    header = (
        f"{'locale':<8} {'domain':<28} {'total':>6} {'done':>6} {'fuzzy':>6} "
        f"{'todo':>6} {'obsol.':>6} {'%':>6} {'% words':>8} {'approved':>8}  approvals"
    )
    click.echo(header)
    for loc, total in sums.items():
        for row in [r for r in rows if r.locale == loc] + [total]:
            name = "(all)" if row.domain == "*" else row.domain
            roles = ", ".join(f"{role} {number}" for role, number in row.approvals) or "-"
            click.echo(
                f"{loc:<8} {name:<28} {row.total:>6} {row.translated:>6} {row.fuzzy:>6} "
                f"{row.untranslated:>6} {row.obsolete:>6} {row.percent:>6.1f} "
                f"{row.percent_words:>8.1f} {row.approved:>8}  {roles}"
            )
    for row in rows:
        if row.untranslatable and row.locale == rows[0].locale:
            click.echo(
                f"{row.domain}: {row.untranslatable} places not translatable "
                "(l10n extract names them)"
            )


@cli.command()
@LOCALE_OPTION
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON for machines (shape: pipeline.checks.CheckRun).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--list", "list_checks", is_flag=True, help="List the checks and exit.")
@JOBS_OPTION
@pass_state
def check(
    state: State,
    locales: tuple[str, ...],
    as_json: bool,
    strict: bool,
    list_checks: bool,
    jobs: int | None,
) -> None:
    """Report translation problems as path:line: [check] message; exit 1 on errors.

    Silence one check for one entry with a '#, ignore-<check>' flag in the .po file.
    A catalog checked before, with nothing it depends on changed since, is not checked
    again (its results are kept in the user's cache).

    \b
    Example:
      l10n check -l th --strict
    """
    from .checks import REGISTRY, run_checks, summary_line

    if list_checks:
        for item in REGISTRY.values():
            click.echo(f"{item.id:<13} {item.severity:<8} {item.description}")
        return
    proj = state.project()
    result = run_checks(proj, proj.select(locales), _jobs(jobs))
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        lines = [str(finding) for finding in result.findings]
        click.echo("\n".join(lines + [summary_line(report) for report in result.reports]))
    if result.errors or (strict and result.warnings):
        counts = f"{result.errors} errors" + (
            f", {result.warnings} warnings (--strict)" if strict else ""
        )
        raise Problems(f"check failed: {counts}")


@cli.command()
@LOCALE_OPTION
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["html", "pdf"]),
    help="Output format (repeatable). Default: html and pdf.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes. Default: the number of cores.",
)
@click.option("--force", is_flag=True, help="Rebuild everything, even what is up to date.")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print every file written.")
@pass_state
def build(
    state: State,
    locales: tuple[str, ...],
    formats: tuple[str, ...],
    jobs: int | None,
    force: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Write build/<locale>/<page>.html and .pdf, and build/index.html.

    \b
    Example:
      l10n build -l th -f html
    """
    from .site.command import BuildOptions, snapshot_key
    from .site.snapshot import Snapshot, invocation, last_report, report_lines

    options = BuildOptions(frozenset(formats or ("html", "pdf")), jobs, force, quiet, verbose)
    command = snapshot_key(state.root, list(locales), options.formats, os.environ)
    typed = (
        None
        if force or state.argv is None
        else invocation(state.argv, os.getcwd(), os.environ, quiet)
    )
    if not force:
        report = last_report(state.root, command, typed)  # nothing changed since the last build
        if report is not None:
            if not quiet:
                for line in report_lines(report):
                    click.echo(line)
            return
    snapshot = Snapshot.scan(state.root.resolve(), command)
    snapshot.invocation = typed

    from .site import command as site_command
    from .site.build import select

    proj = state.project()
    chosen = select(proj, locales)
    with project_lock(proj.root):
        outcome = site_command.build(
            proj,
            chosen,
            options,
            lambda line, err: click.echo(line, err=err),
            lambda run: _with_progress(run, quiet or verbose),
            snapshot.files,
        )
        printer = [Path(outcome.browser)] if outcome.browser else []
        snapshot.finish(proj.root, proj.build_dir, outcome.results, printer)


def _with_progress(run, plain: bool):  # noqa: ANN001, ANN202
    """A progress bar on a terminal; nothing extra in CI logs or with -q/-v."""
    if plain or not sys.stderr.isatty():
        return run(None)
    with click.progressbar(length=0, label="building", file=sys.stderr) as bar:
        return run(lambda _task: bar.update(1))


@cli.command()
@click.option(
    "--version",
    "version",
    metavar="V",
    help="Release version. Default: the version in pyproject.toml.",
)
@LOCALE_OPTION
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Ship the locales that pass even when others fail their gate.",
)
@click.option(
    "--from",
    "sources",
    multiple=True,
    metavar="DIR",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Assemble from build folders made elsewhere (repeatable), one per locale.",
)
@pass_state
def release(
    state: State,
    version: str | None,
    locales: tuple[str, ...],
    allow_partial: bool,
    sources: tuple[Path, ...],
) -> None:
    """Gate each locale, then write archives, manifest.json and SHA256SUMS.

    A locale ships only when it is translated to the threshold, has no fuzzy entries,
    no check errors and, with [tool.l10n] release-approval, every translated entry
    approved in each role it names.

    \b
    Example:
      l10n release --version 1.2.0
    """
    from .release import assemble, gate, release_findings

    proj = state.project()
    chosen = proj.select(locales)
    with project_lock(proj.root):
        if not sources:
            from .site import command as site_command

            site_command.build(
                proj,
                chosen,
                site_command.BuildOptions(frozenset({"html", "pdf"}), quiet=True),
                lambda line, err: click.echo(line, err=err),
                lambda run: run(None),
            )
        gates = gate(proj, chosen, release_findings(proj, chosen))
        result = assemble(
            proj, chosen, version or proj.config.version, gates, list(sources), allow_partial
        )
    for g in result.gates:
        verdict = "ships" if g.passed else "refused: " + "; ".join(g.reasons)
        click.echo(f"{g.locale}: {g.counts.percent:g}% translated, {verdict}")
    if result.shipped:
        click.echo(f"wrote {proj.rel(result.folder)} ({len(result.shipped)} locales)")
    failed = [g for g in result.gates if not g.passed]
    if failed and not allow_partial:
        raise Problems("release refused: fix the locales above or pass --allow-partial")


@cli.command()
@LOCALE_OPTION
@click.option(
    "--page",
    "pages",
    multiple=True,
    metavar="P",
    help="This page only (repeatable; its domain, such as systemic-sclerosis or ui).",
)
@click.option(
    "--all", "everything", is_flag=True, help="List every entry, not only those to review."
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["html", "pdf"]),
    help="Output format (repeatable). Default: html and pdf.",
)
@pass_state
def review(
    state: State,
    locales: tuple[str, ...],
    pages: tuple[str, ...],
    everything: bool,
    formats: tuple[str, ...],
) -> None:
    """Write bilingual review sheets, build/review/<locale>/<page>.html and .pdf.

    Each lists the English beside the translation, the findings of 'check', and the
    earlier approved translation where the text changed since.

    \b
    Example:
      l10n review -l th --page systemic-sclerosis
    """
    from .review.sheet import write_sheets

    proj = state.project()
    chosen = proj.select(locales)
    browser, no_browser = None, None
    if "pdf" in (formats or ("html", "pdf")):
        from .site.browser import find_browser

        try:
            browser = find_browser(proj.config.browser, proj.root)
        except L10nError as exc:
            no_browser = exc  # the HTML sheets are still written
    with project_lock(proj.root):
        written = write_sheets(proj, chosen, pages, everything, browser is not None, browser)
    for sheet, path in zip(written.sheets, written.html, strict=True):
        also = " and .pdf" if written.pdf else ""
        changed = sum(1 for row in sheet.rows if row.state == "changed")
        click.echo(
            f"wrote {proj.rel(path)}{also}: {len(sheet.rows)} entries"
            + (f" ({changed} changed since approved)" if changed else "")
        )
    if no_browser is not None:
        raise no_browser


@cli.command()
@click.option(
    "--sheet",
    "sheets",
    multiple=True,
    required=True,
    metavar="FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A review sheet (.html or .pdf) that 'l10n review' wrote (repeatable).",
)
@click.option("--by", required=True, metavar="NAME", help="The reviewer's name, as they write it.")
@click.option(
    "--role", required=True, metavar="ROLE", help="Their role, such as linguist or clinician."
)
@pass_state
def approve(state: State, sheets: tuple[Path, ...], by: str, role: str) -> None:
    """Record that NAME approved, in ROLE, exactly the texts each sheet showed.

    An entry whose English or translation changed after its sheet was written is named
    and not approved (exit 1).  A sheet may be the HTML or the PDF as the reviewer
    received it: comments added in a PDF reader are fine, an edited page is refused.

    \b
    Example:
      l10n approve --sheet build/review/th/ui.pdf --by "Dr A. Somchai" --role clinician
    """
    from .review.approve import approve_sheets

    proj = state.project()
    outcomes = approve_sheets(proj, list(sheets), by, role)
    refused = 0
    for outcome in outcomes:
        for item in outcome.refused:
            click.echo(str(item), err=True)
        refused += len(outcome.refused)
        parts = [f"{len(outcome.approved)} approved"]
        if outcome.already:
            parts.append(f"{outcome.already} already approved")
        if outcome.refused:
            parts.append(f"{len(outcome.refused)} not approved")
        click.echo(
            f"{outcome.locale} {outcome.page} (sheet {outcome.sheet[:16]}): {', '.join(parts)} "
            f"({role}: {by.strip()})"
        )
    if refused:
        raise Problems(
            f"approve: {refused} entries not approved (named above); write their sheets again "
            "with 'l10n review' and have them reviewed"
        )


@cli.command()
@LOCALE_OPTION
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on (only this machine by default).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on; 0 picks a free one.",
)
@pass_state
def serve(state: State, locales: tuple[str, ...], host: str, port: int) -> None:
    """Serve build/ with live reload, check findings and review pages.

    Builds the HTML that is out of date, then rebuilds only the pages a saved file
    affects; every open page reloads itself.  Review and approve at
    /_review/<locale>/<page>.

    \b
    Example:
      l10n serve -l th
    """
    from .serve.server import serve as run

    run(state.project(), locales, host, port, click.echo)


@cli.command()
@click.option("-l", "--locale", "locale", required=True, metavar="LOCALE", help="The locale.")
@click.option("--page", "pages", multiple=True, metavar="PAGE", help="Only this page (repeatable).")
@click.option(
    "--only",
    type=click.Choice(["todo", "unapproved", "all"]),
    default="todo",
    show_default=True,
    help="todo: untranslated and fuzzy; unapproved: also translated entries the release "
    "gate has not approved; all: everything (XLIFF only).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["xliff", "tmx"]), default="xliff", show_default=True
)
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="The file to write."
)
@pass_state
def export(
    state: State, locale: str, pages: tuple[str, ...], only: str, fmt: str, output: Path
) -> None:
    """Write an XLIFF 1.2 file (or a TMX 1.4b memory) of a locale's entries for an agency.

    \b
    Example:
      l10n export -l th -o agency-th.xlf
    """
    from .exchange.exporting import export as export_units
    from .files import write_atomic

    if output.is_dir():
        raise L10nError(f"-o {output}: is a folder; name the file to write")
    proj = state.project()
    (chosen,) = proj.select([locale])
    result = export_units(proj, chosen, list(pages), only, fmt)
    if result.left_out.not_xml:
        click.echo(
            f"{result.left_out.not_xml} entries left out: they hold control characters "
            "that XML cannot carry",
            err=True,
        )
    if not result.units:
        click.echo(f"nothing to export for {chosen} (--only {only}); {output} not written")
        return
    write_atomic(output, result.data)
    what = "translated entries" if fmt == "tmx" else "units"
    click.echo(f"wrote {output} ({result.units} {what} from {result.pages} pages)")


@cli.command(name="import")
@click.argument("files", nargs=-1, metavar="FILE...", type=click.Path(path_type=Path))
@pass_state
def import_(state: State, files: tuple[Path, ...]) -> None:
    """Merge an agency's XLIFF files back into the catalogs.

    Units whose English changed since the export are listed and skipped; translations
    whose inline codes were damaged, or that fail a safety check, stay fuzzy.

    \b
    Example:
      l10n import agency-th.xlf
    """
    from .exchange.importing import import_files

    proj = state.project()
    with project_lock(proj.root):
        report = import_files(proj, list(files))
    for line in report.stale:
        click.echo(line, err=True)
    if report.skipped > len(report.stale):
        click.echo(f"... and {report.skipped - len(report.stale)} more skipped", err=True)
    for line in report.notes:
        click.echo(line, err=True)
    for path in report.written:
        click.echo(f"updated {path}")
    click.echo(
        f"{report.imported} translations imported ({report.fuzzy} fuzzy), "
        f"{report.unchanged} unchanged, {report.skipped} skipped"
    )
    if report.problems:
        raise Problems("import: some units were skipped or kept fuzzy (listed above)")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: plain one-line errors and the contract's exit codes, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    fewer_collections()
    try:
        code = cli.main(args=args, prog_name="l10n", standalone_mode=False, obj=list(args))
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        code = 130
    except (L10nError, Problems) as exc:
        if str(exc):
            click.echo(f"error: {exc}" if isinstance(exc, L10nError) else str(exc), err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = 130
    except OSError as exc:
        code = _os_error(exc) if exc.errno in _ENVIRONMENT else _internal_error(exc, debug)
    except Exception as exc:
        code = _internal_error(exc, debug)
    sys.exit(code if isinstance(code, int) else 0)


# Failures of the machine, not of the tool: a plain message, not a bug report.
_ENVIRONMENT = {errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EDQUOT}


def _os_error(exc: OSError) -> int:
    where = f"{exc.filename}: " if exc.filename else ""
    click.echo(
        f"error: {where}{exc.strerror}; check the folder's permissions and free space", err=True
    )
    return 2


def _internal_error(exc: BaseException, debug: bool) -> int:
    """An internal error: one line, the traceback only on request."""
    if debug:
        import traceback  # here: every run that goes well is spared its import

        traceback.print_exception(exc)
    click.echo(
        f"internal error: {type(exc).__name__}: {exc} -- please report it to {REPORT_URL} "
        "(run again with --debug to see the traceback)",
        err=True,
    )
    return 3
