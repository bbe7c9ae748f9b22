"""Rebuilding what saves affect, one rebuild at a time, in a thread of its own.

Saved paths are queued; when the builder is free it takes everything queued so far as one
batch, so that many quick saves (or saves during a rebuild) cost one follow-up rebuild,
not one each.  A batch rebuilds the pages the saves affect, checks the catalogs that
changed and tells the open pages.  The index, which reads every catalog and every built
page, is written once saves pause, by a thread of its own that has a child process read
what it lists (serve.listing), so that a save never waits for it; only its last step,
rendering and writing, holds the locks the pages take.

A page that cannot be built (a catalog with a syntax error, saved half-written) keeps
its last good HTML in `build/`; the error is kept for the served page to show, and the
server goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.model import LocaleReport
from ..checks.text import plural
from ..errors import L10nError
from ..files import project_lock
from ..locales import web_tag
from ..project import UI_DOMAIN, Project, load
from ..site.build import Task, build_html, messages, output_path, select
from ..site.index import IndexCache, index_stamp, record_index, write_listing
from ..site.snapshot import forget
from .affected import Plan, plan
from .events import Events
from .findings import check_catalogs
from .listing import Lister

MANY_PAGES = 50  # from here a rebuild is spread over worker processes
INDEX_PAUSE = 0.5  # seconds without a rebuild before the index is written
# The watcher hands over changes after 50 ms without one; a little more lets an editor's
# "save all" or a checkout arrive whole, without making a single save wait for its page.
SETTLE = 0.05  # seconds without a new save before a rebuild starts...
SETTLE_AT_MOST = 1.0  # ...however long saves keep coming


class Stopped(Exception):
    """The server is stopping: a rebuild in progress ends after the page it is on."""


def page_key(locale: str, domain: str) -> str:
    return f"{web_tag(locale)}/{domain}"


def review_key(locale: str, domain: str) -> str:
    return f"review/{web_tag(locale)}/{domain}"


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


@dataclass
class Outcome:
    """What one batch did."""

    built: list[Task] = field(default_factory=list)
    failed: dict[Task, str] = field(default_factory=dict)
    checked: dict[Task, LocaleReport] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)  # what open pages must reload


class Builder:
    """The served project, its pages kept up to date, and its catalogs' findings."""

    def __init__(
        self,
        project: Project,
        requested: tuple[str, ...],
        events: Events,
        say: Callable[[str], None],
        jobs: int,
    ) -> None:
        self.project = project
        self.requested = requested
        self.locales = select(project, requested)
        self.events = events
        self.say = say
        self.jobs = jobs
        self.render_lock = threading.RLock()  # the Markdown parser is one per process
        self.errors: dict[Task, str] = {}  # pages whose last build failed, and why
        self.problem: str | None = None  # the project itself cannot be read
        self.ready = threading.Event()  # the first build is done
        self.busy = True
        self._reports: dict[Task, LocaleReport] = {}
        self._pending: set[Path] = set()
        self._submits = 0  # how many times saves were queued
        self._stopping = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="l10n-builder", daemon=True)
        self._index_wanted = threading.Event()
        self._indexing = False
        self._indexer = threading.Thread(target=self._index_loop, name="l10n-index", daemon=True)
        self._lister = Lister()

    # -- the queue ------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._indexer.start()

    def submit(self, paths: Iterable[Path]) -> None:
        with self._wake:
            self._pending.update(Path(p) for p in paths)
            self._submits += 1
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._lister.stop()
        self._index_wanted.set()

    def pending(self) -> bool:
        with self._wake:
            return bool(self._pending)

    def idle(self) -> bool:
        """Nothing queued, nothing running, the index written."""
        with self._wake:
            return not (self.busy or self._pending or self._index_wanted.is_set() or self._indexing)

    def _next(self) -> set[Path] | None:
        """The saves queued so far, all at once, once they pause for SETTLE seconds (an
        editor's "save all", a git checkout: one rebuild); None when stopping."""
        with self._wake:
            while not self._pending and not self._stopping:
                self.busy = False
                self._wake.wait()
            self.busy = True
            deadline = time.monotonic() + SETTLE_AT_MOST
            while not self._stopping and time.monotonic() < deadline:
                seen = self._submits
                self._wake.wait(SETTLE)
                if self._submits == seen:
                    break
            if self._stopping:
                return None
            taken, self._pending = self._pending, set()
            return taken

    def _run(self) -> None:
        try:
            self._first_build()
        except Stopped:
            return
        except Exception as exc:
            self.say(f"internal error while building: {type(exc).__name__}: {exc}")
        finally:
            self.ready.set()
        self.say("watching source/, locales/, the page templates and pyproject.toml")
        self.events.publish_threadsafe(["*"])
        while (paths := self._next()) is not None:
            try:
                self._batch(paths)
            except Stopped:
                return
            except Exception as exc:  # the server outlives any one rebuild
                self.say(f"internal error while rebuilding: {type(exc).__name__}: {exc}")
        self.busy = False

    def join(self, seconds: float) -> bool:
        """Wait for a rebuild in progress to stop; False when it has not."""
        self._thread.join(seconds)
        return not self._thread.is_alive()

    # -- building -------------------------------------------------------------------------

    def domains(self) -> list[str]:
        return [self.project.domain(p) for p in self.project.pages()]

    def all_pages(self, domains: list[str] | None = None) -> set[Task]:
        listed = self.domains() if domains is None else domains
        return {Task(loc, d) for loc in self.locales for d in listed}

    def _first_build(self) -> None:
        start = time.perf_counter()
        try:
            pages = self.all_pages()
        except L10nError as exc:
            self.problem = str(exc)
            self.say(f"error: {exc}")
            return
        outcome = Outcome()
        self._build(pages, self.jobs, outcome, index=True)
        up_to_date = len(pages) - len(outcome.built) - len(outcome.failed)
        self.say(
            f"built {plural(len(outcome.built), 'page')} ({up_to_date} up to date) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        self._say_failures(outcome.failed)

    def _build(self, pages: set[Task], jobs: int, outcome: Outcome, index: bool) -> None:
        """Build these pages; a batch that fails is split, so that one broken catalog
        stops only the pages made from it."""
        if not pages:
            return
        before = {t: self.errors.get(t) for t in pages}
        try:
            outcome.built += self._build_html(pages, jobs, index)
        except L10nError as exc:
            if len(pages) == 1:
                outcome.failed.update(dict.fromkeys(pages, str(exc)))
            else:
                self._build_apart(pages, outcome)
                if index:
                    self._want_index()
        for task in pages:
            if task in outcome.failed:
                self.errors[task] = outcome.failed[task]
            else:
                self.errors.pop(task, None)
        for task in outcome.built + [t for t in pages if self.errors.get(t) != before[t]]:
            outcome.keys |= {page_key(task.locale, task.domain), review_key(*task_key(task))}

    def _build_apart(self, pages: set[Task], outcome: Outcome) -> None:
        for locale in sorted({t.locale for t in pages}):
            group = sorted((t for t in pages if t.locale == locale), key=lambda t: t.domain)
            broken = self._ui_problem(locale)
            if broken is not None:  # every page of the locale reads its ui catalog
                outcome.failed.update(dict.fromkeys(group, broken))
                continue
            for task in group:
                try:
                    outcome.built += self._build_html({task}, 1, index=False)
                except L10nError as exc:
                    outcome.failed[task] = str(exc)

    def _build_html(self, pages: set[Task], jobs: int, index: bool) -> list[Task]:
        project = self.project
        with project_lock(project.root), self.render_lock:
            forget(project.build_dir)  # `l10n build` must not answer from its last snapshot
            results = build_html(
                project,
                self.locales,
                with_pdf=False,
                jobs=jobs,
                progress=self._tick,
                only=pages,
                index=index,
            )
        written = {path for r in results for path in r.written}
        return [
            t
            for t in pages
            if project.rel(output_path(project, t.locale, t.domain, ".html")) in written
        ]

    def _tick(self, _task: Task) -> None:
        if self._stopping:
            raise Stopped

    def _ui_problem(self, locale: str) -> str | None:
        try:
            messages(self.project, locale, UI_DOMAIN)
        except L10nError as exc:
            return str(exc)
        return None

    def _batch(self, paths: set[Path]) -> None:
        start = time.perf_counter()
        try:
            domains = self.domains()
            todo = plan(self.project, self.locales, paths, domains)
            if todo.config:  # the settings changed: what is served may have too
                self.project = load(self.project.root)
                self.locales = select(self.project, self.requested)
                domains = self.domains()
                todo = plan(self.project, self.locales, paths, domains)
            self.problem = None
        except L10nError as exc:
            self.problem = str(exc)
            self.say(f"error: {exc}")
            self.events.publish_threadsafe(["*"])
            return
        if not todo:
            return
        outcome = self._rebuild(todo, domains)
        self._say_batch(todo, outcome, time.perf_counter() - start)
        self.events.publish_threadsafe(outcome.keys)

    def _rebuild(self, todo: Plan, domains: list[str]) -> Outcome:
        outcome = Outcome()
        every = self.all_pages(domains)
        pages = every if todo.everything else todo.pages & every
        self._build(pages, self.jobs if len(pages) >= MANY_PAGES else 1, outcome, index=False)
        if todo.everything or todo.recheck_all:
            with self.render_lock:
                self._reports.clear()
            outcome.keys.add("*")
        outcome.checked = self._check(todo.catalogs)
        for task in outcome.checked:
            tag = web_tag(task.locale)
            if task.domain == UI_DOMAIN:
                outcome.keys |= {f"{tag}/*", f"review/{tag}/*"}
            else:
                outcome.keys |= {page_key(*task_key(task)), review_key(*task_key(task))}
        outcome.keys |= {f"review/{web_tag(loc)}/*" for loc in todo.review}
        if todo.index or outcome.built:
            self._want_index()
        return outcome

    def _say_batch(self, todo: Plan, outcome: Outcome, seconds: float) -> None:
        if outcome.built or outcome.failed or todo.pages or todo.everything:
            names = sorted(page_key(*task_key(t)) for t in outcome.built)
            self.say(
                f"rebuilt {plural(len(names), 'page')} in {seconds:.2f} s"
                + (f": {_listed(names)}" if names else "")
            )
        for task, report in sorted(outcome.checked.items(), key=lambda kv: task_key(kv[0])):
            path = self.project.rel(self.project.po_path(task.locale, task.domain))
            self.say(
                f"checked {path}: {plural(report.errors, 'error')}, "
                f"{plural(report.warnings, 'warning')}"
            )
        self._say_failures(outcome.failed)

    def _say_failures(self, failed: dict[Task, str]) -> None:
        for message in sorted(set(failed.values())):
            names = sorted(page_key(*task_key(t)) for t, m in failed.items() if m == message)
            self.say(f"error: {message} (kept the last build of {_listed(names)})")

    # -- the index ----------------------------------------------------------------------

    def _want_index(self) -> None:
        with self._wake:
            self._indexing = True  # idle() is False from here until it is written
        self._index_wanted.set()

    def _index_loop(self) -> None:
        while True:
            self._index_wanted.wait()
            while self._index_wanted.is_set() and not self._stopping:
                self._index_wanted.clear()  # a rebuild within the pause asks again
                time.sleep(INDEX_PAUSE)
            if self._stopping:
                return
            try:
                self._write_index()
            except Exception as exc:
                self.say(f"internal error while writing the index: {type(exc).__name__}: {exc}")
            with self._wake:
                self._indexing = self._index_wanted.is_set()

    def _write_index(self) -> None:
        project = self.project
        try:
            stamp = index_stamp(project)  # before reading: a change meanwhile shows later
            listing = self._lister.listing(project.root)
            if listing is None:
                return
            with project_lock(project.root), self.render_lock:
                kept = IndexCache(project.build_dir)
                kept.used = listing.used
                write_listing(project, listing.locales, kept)
                record_index(project, stamp)
        except L10nError as exc:
            self.say(f"error: the index was not written: {exc}")
            return
        self.events.publish_threadsafe(["index"])

    # -- findings -------------------------------------------------------------------------

    def _check(self, catalogs: set[Task]) -> dict[Task, LocaleReport]:
        if not catalogs:
            return {}
        try:
            with self.render_lock:
                found = check_catalogs(self.project, catalogs)
                self._reports.update(found)
        except L10nError as exc:  # the glossary cannot be read
            self.say(f"error: {exc}")
            return {}
        return found

    def report(self, task: Task) -> LocaleReport:
        """The findings of one catalog, checked when first asked for (an L10nError when
        the glossary cannot be read)."""
        with self.render_lock:
            found = self._reports.get(task)
            if found is None:
                found = check_catalogs(self.project, [task])[task]
                self._reports[task] = found
            return found


def task_key(task: Task) -> tuple[str, str]:
    return task.locale, task.domain
