"""Creating and updating a project's translation catalogs on disk."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polib

from .errors import L10nError
from .files import Staging, discard
from .locales import english_name, gettext_name, plural_forms
from .memory import (
    Candidates,
    Memory,
    Proposal,
    Want,
    apply,
    page_candidates,
    propose,
    tmx_candidates,
    untranslated,
)
from .po import catalog
from .po.merge import merge, merge_many
from .po.write import dumps_many
from .project import Project
from .workers import exchange, finished, no_collections, pool_context, process_pool, shared

if TYPE_CHECKING:
    from multiprocessing.queues import Queue


@dataclass(frozen=True)
class Written:
    path: str
    changed: bool


def localized_header(pot: polib.POFile, locale: str, project: Project) -> polib.POFile:
    """A new catalog for `locale` from a template: the header msginit would write."""
    po = polib.POFile(wrapwidth=catalog.WRAP)
    po.header = pot.header.split("\n")[0] if pot.header else ""
    meta = dict(pot.metadata)
    meta["PO-Revision-Date"] = meta.get("POT-Creation-Date", "")
    meta["Last-Translator"] = f"{project.config.name} project"
    meta["Language-Team"] = english_name(locale)
    meta["Language"] = gettext_name(locale)
    meta["Plural-Forms"] = plural_forms(locale)
    po.metadata = meta
    return merge(po, pot)


def _templates(project: Project, domains: list[str] | None = None) -> dict[str, polib.POFile]:
    """Every template, or those of `domains`, by domain."""
    if domains is None:
        pots = project.templates()
        if not pots:
            raise L10nError(NO_TEMPLATES)
        domains = [project.template_domain(p) for p in pots]
    paths = [project.pot_path(domain) for domain in domains]
    return {d: catalog.load(p, project.rel(p)) for d, p in zip(domains, paths, strict=True)}


def init(project: Project, locales: list[str]) -> list[Written]:
    """Catalogs for new locales; an existing catalog is never overwritten."""
    names = [gettext_name(code) for code in locales]
    if not names:
        raise L10nError("name at least one locale, e.g. 'l10n init th vi'")
    templates = _templates(project)
    existing = [
        project.rel(project.po_path(name, domain))
        for name in names
        for domain in templates
        if project.po_path(name, domain).exists()
    ]
    if existing:
        raise L10nError(
            f"{existing[0]}: already exists; 'l10n init' never overwrites a catalog "
            "(use 'l10n update' to bring it up to date)"
        )
    written = []
    with Staging() as staging:
        for name in names:  # a locale at a time: a large site's catalogs are not all in memory
            paths = [project.po_path(name, domain) for domain in templates]
            fresh = [localized_header(pot, name, project) for pot in templates.values()]
            for path, text in zip(paths, dumps_many(fresh), strict=True):
                staged = staging.add(path, text.encode("utf-8"))
                written.append(Written(project.rel(path), staged is not None))
    return written


def update(project: Project, locales: list[str], jobs: int = 1) -> list[Written]:
    """Merge every template into each locale's catalogs, then propose translations from
    memory (the locale's other pages and the TMX memories) for what is left untranslated.

    A page's template is merged into all its translations together (they share the
    fuzzy search and most of their layout); pages are spread over `jobs` worker
    processes when there is enough work.  Every catalog is read, merged and staged
    before any is put in place, so a bad catalog stops the run with all files as they
    were.
    """
    pots = project.templates()
    if not pots:
        raise L10nError(NO_TEMPLATES)
    domains = [project.template_domain(p) for p in pots]
    tmx = tmx_candidates(project, locales)
    staged: dict[Path, Path | None] = {}
    with Staging() as staging, no_collections():
        if jobs > 1 and len(domains) > 1 and len(locales) * len(domains) >= PARALLEL_FROM:
            shares = _in_workers(project, domains, locales, jobs, tmx)
        else:
            merged = Merged.of(project, _templates(project), locales)
            merged.fill(Memory([merged.offers(), tmx]).propose(merged.wants()))
            shares = iter([merged.stage()])
        for share in shares:
            for path, tmp in share:
                staged[path] = staging.adopt(tmp, path)
    paths = [project.po_path(name, domain) for name in locales for domain in domains]
    return [Written(project.rel(path), staged[path] is not None) for path in paths]


PARALLEL_FROM = 200  # catalogs; below this a worker's start costs more than it saves
NO_TEMPLATES = "locales/ holds no .pot templates: run 'l10n extract' first"


@dataclass
class Merged:
    """Templates merged into their catalogs, not yet written."""

    paths: list[Path]
    domains: list[str]
    locales: list[str]
    catalogs: list[polib.POFile]
    sizes: list[int | None]  # each catalog's file size as read, None for a new one
    open: list[tuple[int, polib.POEntry]] | None = None

    @classmethod
    def of(cls, project: Project, templates: dict[str, polib.POFile], names: list[str]) -> Merged:
        merged = cls([], [], [], [], [])
        for domain, pot in templates.items():
            olds: list[tuple[Path, str, polib.POFile, int | None]] = []
            fresh: list[tuple[Path, str, polib.POFile, int | None]] = []
            for name in names:
                path = project.po_path(name, domain)
                if path.exists():
                    # The merge takes extracted comments and references from the template.
                    data, po = catalog.load_with_bytes(path, project.rel(path), places=False)
                    olds.append((path, name, po, len(data)))
                else:
                    fresh.append((path, name, localized_header(pot, name, project), None))
            new = merge_many([po for _, _, po, _ in olds], pot) + [po for _, _, po, _ in fresh]
            for (path, name, _, size), po in zip(olds + fresh, new, strict=True):
                merged.paths.append(path)
                merged.domains.append(domain)
                merged.locales.append(name)
                merged.catalogs.append(po)
                merged.sizes.append(size)
        return merged

    def _open(self) -> list[tuple[int, polib.POEntry]]:
        """The untranslated entries as merged, with their catalog's number: found once,
        before any is filled."""
        if self.open is None:
            self.open = [
                (number, entry)
                for number, po in enumerate(self.catalogs)
                for entry in po
                if untranslated(entry)
            ]
        return self.open

    def offers(self) -> Candidates:
        """The translations these catalogs offer the locale's other pages."""
        return page_candidates(zip(self.locales, self.domains, self.catalogs, strict=True))

    def wants(self) -> list[Want]:
        return [Want(self.locales[n], self.domains[n], entry.msgid) for n, entry in self._open()]

    def fill(self, proposals: dict[Want, Proposal]) -> None:
        for n, entry in self._open():
            apply(entry, proposals.get(Want(self.locales[n], self.domains[n], entry.msgid)))

    def waiting(self) -> list[int]:
        """The catalogs that memory may change: those with an untranslated entry."""
        return sorted({n for n, _ in self._open()})

    def stage(self, which: list[int] | None = None) -> list[tuple[Path, Path | None]]:
        """These catalogs (all by default) staged for writing (None for one that stays
        as it is)."""
        chosen = range(len(self.paths)) if which is None else which
        paths = [self.paths[i] for i in chosen]
        done: list[tuple[Path, Path | None]] = []
        with Staging(commit=False) as staging:  # put in place by update(), or discarded
            texts = dumps_many([self.catalogs[i] for i in chosen])
            for i, path, text in zip(chosen, paths, texts, strict=True):
                done.append((path, staging.add(path, text.encode("utf-8"), self.sizes[i])))
        return done


def _in_workers(
    project: Project,
    domains: list[str],
    locales: list[str],
    jobs: int,
    tmx: Candidates,
) -> Iterator[list[tuple[Path, Path | None]]]:
    """Pages merged in `jobs` processes, one share each: the run's own and its workers'.

    The memory is searched where its candidates are: each worker sends the run the
    English its catalogs want, the run sends every worker all the English wanted, each
    searches what its own pages offer (the run, the TMX memories too) and the run puts
    the hits together and sends each worker its proposals.  Each then fills and stages
    its catalogs.
    """
    count = min(len(domains), jobs)
    shares = [domains[i::count] for i in range(count)]
    context = pool_context(("pipeline.update",))
    up = context.Queue()
    downs = [context.Queue() for _ in shares[1:]]
    try:
        with process_pool(count - 1, context=context, shared=(up, downs)) as pool:
            futures = [
                pool.submit(_merge_in_worker, project.root, number, share, locales)
                for number, share in enumerate(shares[1:])
            ]
            try:
                own = Merged.of(project, _templates(project, shares[0]), locales)
                memory = Memory([tmx, own.offers()])  # while the workers finish merging
                wants = {number: share for number, share in exchange(up, futures)}
                every = [*own.wants(), *(want for share in wants.values() for want in share)]
                wanted = sorted({want.english for want in every})
                for down in downs:
                    down.put(wanted)
                hits = [memory.hits(wanted)]
                hits += [share for _, share in exchange(up, futures)]
                found = propose(every, hits)
                for number, share in wants.items():
                    downs[number].put({want: found[want] for want in share if want in found})
            finally:
                for down in downs:
                    down.put(None)  # a worker still waiting stops; one answered ignores it
            own.fill(found)
            staged = own.stage()
            del own  # its catalogs freed while the workers finish, not after
            yield staged
            # Each worker's catalogs, staged; update() discards them if a later one fails.
            yield from finished(futures, _discard_share)
    finally:
        for queue in (up, *downs):  # their feeder threads end with the run's use of them
            queue.close()
            queue.join_thread()


def _discard_share(share: object) -> None:
    assert isinstance(share, list)
    discard([tmp for _, tmp in share])


def _merge_in_worker(
    root: Path, number: int, domains: list[str], locales: list[str]
) -> list[tuple[Path, Path | None]]:
    from .project import load

    up, downs = shared()
    with no_collections():
        return _merge_share(load(root), up, downs[number], number, domains, locales)


def _merge_share(
    project: Project, up: Queue, down: Queue, number: int, domains: list[str], locales: list[str]
) -> list[tuple[Path, Path | None]]:
    templates = {domain: _worker_template(project, domain) for domain in domains}
    merged = Merged.of(project, templates, locales)
    up.put((number, merged.wants()))
    memory = Memory([merged.offers()])  # while the run gathers what every share wants
    wanted = down.get()
    if wanted is None:  # the run failed elsewhere
        return []
    up.put((number, memory.hits(wanted)))
    waiting = merged.waiting()
    ready = set(range(len(merged.paths))) - set(waiting)
    done = merged.stage(sorted(ready))  # while the run puts the proposals together
    proposals = down.get()
    if proposals is None:  # the run failed elsewhere
        discard([tmp for _, tmp in done])
        return []
    try:
        merged.fill(proposals)
        done += merged.stage(waiting)
    except BaseException:
        discard([tmp for _, tmp in done])
        raise
    _KEPT.append(merged)  # freed with the process: freeing it first would delay the answer
    return done


_KEPT: list[Merged] = []  # a worker's catalogs, once staged


_cache: dict[Path, polib.POFile] = {}


def _worker_template(project: Project, domain: str) -> polib.POFile:
    """A template read once per process, however many shares need it."""
    path = project.pot_path(domain)
    if path not in _cache:
        _cache[path] = catalog.load(path, project.rel(path))
    return _cache[path]
