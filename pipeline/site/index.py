"""`build/index.html`: every built language, named in itself, with how complete it is,
its pages and its review sheets.

An incremental build lists the index again after every save, and a large site's index
names thousands of files.  So each language's part of the listing is kept under a
fingerprint of everything the part is made from: the files of its build folder and the
digests they were built under, its catalogs' (or templates') digests, its review sheets,
its approvals, and what all parts share (the pages, their English titles, the templates,
the settings and the tool).  A part whose fingerprint is the one kept is not listed again:
its digest is taken as kept, and the page is rendered only when the digest of the whole
listing differs from the one it was last rendered from (every part is then listed).  A
part listed again reads nothing that did not change either: each catalog's counts are
kept under the catalog's digest and each built page's title under the digest it was
built with (one file a language), each English title under its page's digest (in the
build folder: the same inputs give the same bytes); which pages and handouts exist is
read from their folders, not asked file by file.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from markupsafe import Markup

from ..files import MISSING, content_digest, read_object, write_replaceable, write_text
from ..locales import direction, native_name, web_tag
from ..project import Project
from .snapshot import INDEX_CACHE, INDEX_TABLE, OutputDigests, digest, tool_digest

_KINDS = ("counts", "built")  # a language's tables
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def all_locales(project: Project) -> list[str]:
    source = project.config.source_locale
    return [source] + [loc for loc in project.target_locales() if loc != source]


def _table(found: object) -> dict[str, list]:
    return dict(found) if isinstance(found, dict) else {}


@dataclass
class Part:
    """One language's part of the index as its inputs are now, and their fingerprint."""

    locale: str
    tag: str
    fingerprint: str
    catalogs: set[str]  # the domains of the language's catalogs
    digests: dict[str, bytes]  # each catalog or template it counts -> its digest, as taken
    unsure: bool = False  # an input changed while it was read: its fingerprint is not kept


class IndexCache:
    """What the index lists, kept by content.  `.l10n-index.json` holds `english` (an
    English page -> [its digest, its title]), `locales` (a language's tag -> [the
    fingerprint of its part, the part's digest, None when it is not listed]) and
    `rendered` (the digest of the listing the index was last rendered from, and that of
    the page it gave); `.l10n-index-<tag>.json` a language's `counts` (a catalog or
    template -> [digest, total, translated]) and `built` (a built page -> [the digest it
    was built under, its title])."""

    def __init__(
        self,
        build_dir: Path,
        digests: OutputDigests | None = None,
        inputs: Mapping[str, bytes] | None = None,
    ) -> None:
        self.path = build_dir / INDEX_CACHE
        self.build_dir = build_dir
        self.digests = digests or OutputDigests(build_dir)
        self.inputs = inputs or {}  # digests this run took already, by path
        self.kept = kept = read_object(self.path)
        self.english_kept = _table(kept.get("english"))
        self.marks = _table(kept.get("locales"))
        rendered = kept.get("rendered")
        self.rendered: list[str] | None = rendered if isinstance(rendered, list) else None
        # What this run used, and so keeps (see save): the shared parts, and the tables of
        # each language listed anew.
        self.used: dict = {"english": {}, "locales": {}, "tables": {}}
        self.tables: dict[str, dict[str, dict[str, list]]] = {}  # as kept, read when listed
        self.fresh: dict[str, list] = {}  # counts this run made from its own parse

    def learn(self, counts: dict[str, list]) -> None:
        """Counts a build has just made from the catalogs it read: neither parsed nor
        hashed again for the index."""
        self.fresh.update(counts)

    def _tables(self, tag: str) -> dict[str, dict[str, list]]:
        """A language's tables as kept (those an earlier version kept in the shared file
        serve as well: every entry names the digest it holds for)."""
        found = self.tables.get(tag)
        if found is None:
            kept = read_object(self.build_dir / INDEX_TABLE.format(tag)) or self.kept
            found = self.tables[tag] = {kind: _table(kept.get(kind)) for kind in _KINDS}
        return found

    def counts(self, project: Project, part: Part, shown: str, domain: str) -> tuple[int, int]:
        """Total and translated entries of a catalog (or of a template: none translated),
        named by its path in the project."""
        hit = self.fresh.get(shown)
        if hit is None:
            hit = self._tables(part.tag)["counts"].get(shown)
            valid = isinstance(hit, list) and len(hit) == 3 and _counts(hit[1], hit[2])
            kept = hit[0] if valid and isinstance(hit, list) else None
            content = self._digest(f"{project.root}{os.sep}{shown}", kept)
            if kept != content:
                from ..status import count
                from .build import load_catalog

                path = Path(project.root, shown)
                found = count(load_catalog(path, shown), part.locale, domain)
                hit = [content, found.total, found.translated]
        assert isinstance(hit, list)
        taken = part.digests.get(shown)
        if taken is None or hit[0] != taken.hex():
            part.unsure = True  # counted from other bytes than the fingerprint's
        self.used["tables"][part.tag]["counts"][shown] = hit
        return hit[1], hit[2]

    def _digest(self, path: str, kept: object) -> str:
        """A file's digest: the one this run took already when it is the one `kept`, else
        taken now (what is counted or read on a miss is then what the digest says)."""
        taken = self.inputs.get(path)
        if taken is not None and taken.hex() == kept:
            return taken.hex()
        return content_digest(path).hex()

    def built(self, project: Project, tag: str, shown: str, title: str | None = None) -> str:
        """The <title> of a built page, named by its path in the project (`title` when
        the caller has just built it)."""
        stamp = self.digests.digests.get(shown, "")
        if title is None and stamp:
            hit = self._tables(tag)["built"].get(shown)
            if isinstance(hit, list) and len(hit) == 2 and hit[0] == stamp:
                title = hit[1] if isinstance(hit[1], str) else None
        if title is None:
            try:
                text = (project.root / shown).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            match = _TITLE.search(text)
            title = htmllib.unescape(match.group(1)) if match else ""
        self.used["tables"][tag]["built"][shown] = [stamp, title]
        return title

    def english(self, project: Project, domain: str) -> str:
        """The title the English page has (as its <title> shows it)."""
        path = f"{project.source_dir}{os.sep}{domain}.md"
        shown = project.rel(path)
        hit = self.english_kept.get(shown)
        valid = isinstance(hit, list) and len(hit) == 2 and isinstance(hit[1], str)
        stamp = self._digest(path, hit[0] if valid and isinstance(hit, list) else None)
        if valid and isinstance(hit, list) and hit[0] == stamp:
            title = hit[1]
        else:
            title = english_title(project, domain)
        self.used["english"][shown] = [stamp, title]
        return title

    def save(self) -> None:
        """Keep what this run used, and only that: the same inputs, the same bytes.  Like
        any cache it need not survive a crash: what it lacks is made again."""
        keep = set(self.used["locales"])
        for tag, table in self.used["tables"].items():
            if not any(table.values()):  # a language not listed: no table
                keep.discard(tag)
                continue
            keep.add(tag)
            if table != self.tables.get(tag):
                write_replaceable(self.build_dir / INDEX_TABLE.format(tag), _dumps(table))
                self.tables[tag] = table
        start, end = INDEX_TABLE.split("{}")
        try:
            names = os.listdir(self.build_dir)
        except OSError:
            names = []
        for name in names:  # the tables of languages no longer built
            tag = name[len(start) : -len(end)]
            if name.startswith(start) and name.endswith(end) and tag not in keep:
                (self.build_dir / name).unlink(missing_ok=True)
        data = {
            "english": self.used["english"],
            "locales": self.used["locales"],
            "rendered": self.rendered,
        }
        if data != self.kept:
            write_replaceable(self.path, _dumps(data))
            self.kept = data


def _counts(*found: object) -> bool:
    return all(type(n) is int and n >= 0 for n in found)


def _dumps(data: dict) -> bytes:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def english_title(project: Project, domain: str) -> str:
    """The title the English page has (as its <title> shows it)."""
    from ..extract import read_source
    from ..segments import split_front_matter

    path = project.page_path(domain)
    meta = split_front_matter(read_source(project, path), project.rel(path)).meta
    return meta.get("title", "") or domain.rsplit("/", 1)[-1]


class Present:
    """Which files a folder holds, from one listing of it: a large site's outputs are
    found without asking for each (a path with a folder in it, a nested page, is asked
    for alone)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        try:
            self.names = set(os.listdir(folder))
        except OSError:
            self.names = set()

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        top, sep, _ = path.partition("/")
        if not sep:
            return path in self.names
        return top in self.names and os.path.exists(os.path.join(self.folder, path))


def index_stamp(project: Project) -> str:
    """The digest the index is recorded under (besides what it lists): each locale's
    approvals and the tool; taken before reading what it lists."""
    return digest(index_inputs(project), tool_digest())


def record_index(project: Project, stamp: str) -> None:
    """Record an index written apart from a build (under the project's lock)."""
    state = OutputDigests(project.build_dir)
    state.record(project.rel(project.build_dir / "index.html"), stamp)
    state.save()


def index_inputs(project: Project) -> list[Path]:
    """What the index shows besides the pages: each locale's approvals."""
    from ..review.ledger import ledger_path

    return [ledger_path(project.locales_dir, loc) for loc in project.target_locales()]


def tree(folder: str) -> list[str]:
    """Every file and folder under a folder (a folder's path ends in '/'), by its
    '/'-separated path inside it, sorted: what a listing can find in it, from one walk."""
    found: list[str] = []
    start = len(folder) + 1
    for parent, dirs, names in os.walk(folder):
        inside = parent[start:].replace(os.sep, "/")
        prefix = f"{inside}/" if inside else ""
        found += [f"{prefix}{name}/" for name in dirs]
        found += [prefix + name for name in names]
    return sorted(found)


@dataclass
class Survey:
    """What every part of the index shares, as found now, and each language's part."""

    tool: str
    domains: list[str]
    english: dict[str, str]  # each page's English title
    templates: dict[str, str]  # each template's domain -> its path in the project
    parts: list[Part] = field(default_factory=list)


def survey(
    project: Project,
    cache: IndexCache,
    domains: list[str] | None = None,
    tool: str | None = None,
    templates: Mapping[str, str] | None = None,
) -> Survey:
    """The index's inputs: the pages and their English titles, the templates, and each
    language's part with its fingerprint.  `domains`, `tool` and `templates` are the
    project's pages, the tool's digest and `Project.template_paths`, when the caller has
    them."""
    if domains is None:
        domains = project.page_domains()
    found = Survey(
        tool or tool_digest(),
        domains,
        {d: cache.english(project, d) for d in domains},
        dict(project.template_paths() if templates is None else templates),
    )
    locales = all_locales(project)
    common = json.dumps(
        [
            found.tool,
            repr(project.config),
            [web_tag(loc) for loc in locales],
            domains,
            [found.english[d] for d in domains],
            sorted(found.templates.items()),
        ],
        ensure_ascii=False,
    ).encode("utf-8")
    found.parts = [_part(project, cache, loc, common, found) for loc in locales]
    return found


def _part(project: Project, cache: IndexCache, locale: str, common: bytes, found: Survey) -> Part:
    """A language's part of the index: the fingerprint of everything it is made from."""
    from ..review.ledger import ledger_path

    tag = web_tag(locale)
    names = tree(str(project.build_dir / tag))
    folder = project.rel(project.build_dir / tag)
    stamp_of = cache.digests.digests.get
    stamps = [stamp_of(f"{folder}/{domain}.html") for domain in found.domains]
    unsure = False
    if None in stamps:  # a page the build state does not know has its title read anew
        present = set(names)
        unsure = any(
            stamp is None and (f"{domain}.html" in present or f"{domain}.html/" in present)
            for domain, stamp in zip(found.domains, stamps, strict=True)
        )
    catalogs: set[str] = set()
    digests: dict[str, bytes] = {}
    if locale != project.config.source_locale:
        where = project.catalog_dir(locale)
        shown = project.rel(where)
        catalogs = {name[:-3] for name in tree(str(where)) if name.endswith(".po")}
        base = f"{project.root}{os.sep}"
        taken = cache.inputs.get
        templates = found.templates
        for domain in sorted(catalogs | templates.keys()):
            path = f"{shown}/{domain}.po" if domain in catalogs else templates[domain]
            digests[path] = taken(base + path) or content_digest(base + path)
    reviewed = tree(str(project.build_dir / "review" / tag))
    approvals = content_digest(ledger_path(project.locales_dir, locale)).hex()
    digest = hashlib.sha256(common)
    contents = [content.hex() for content in digests.values()]
    for part in ([tag, approvals], names, [s or "" for s in stamps], digests, contents, reviewed):
        digest.update(b"\1" + "\0".join(part).encode("utf-8"))
    return Part(locale, tag, digest.hexdigest(), catalogs, digests, unsure)


def index_locales(
    project: Project,
    cache: IndexCache,
    built_titles: dict[tuple[str, str], str] | None = None,
    domains: list[str] | None = None,
) -> list[dict]:
    """What the index lists: each built locale, its pages and how complete it is.

    `built_titles` are the titles of the pages this run wrote, (locale, domain) -> title;
    `domains` the project's pages when the caller has listed them.  Rendering is apart,
    so that the live preview can list while it rebuilds pages.
    """
    found = survey(project, cache, domains)
    parts = [_listed(project, cache, found, part, built_titles or {}) for part in found.parts]
    return [entry for entry in parts if entry is not None]


def _listed(
    project: Project,
    cache: IndexCache,
    found: Survey,
    part: Part,
    just: dict[tuple[str, str], str],
) -> dict | None:
    """A language's part of the listing (None when it has neither pages nor review
    sheets); its fingerprint is kept with the part's digest."""
    loc, tag = part.locale, part.tag
    cache.used["tables"][tag] = {kind: {} for kind in _KINDS}
    source = project.config.source_locale
    folder = project.rel(project.build_dir / tag)
    present = Present(str(project.build_dir / tag))
    english = found.english
    pages = []
    for domain in found.domains:
        title = just.get((loc, domain))
        if title is None and f"{domain}.html" not in present:
            continue
        title = cache.built(project, tag, f"{folder}/{domain}.html", title) or english[domain]
        pages.append(
            {
                "domain": domain,
                "title": title,
                "english": title == english[domain] and loc != source,
                "href": f"{tag}/{domain}.html",
                "pdf_href": f"{tag}/{domain}.pdf" if f"{domain}.pdf" in present else None,
            }
        )
    sheets = review_sheets(project, loc, sorted(part.catalogs | found.templates.keys()))
    entry = None
    if pages or sheets:
        entry = {
            "tag": tag,
            "name": native_name(loc),
            "percent": f"{completeness(project, cache, part, found.templates):g}",
            "approved": approved_percent(project, loc),
            "pages": pages,
            "sheets": sheets,
        }
    if not part.unsure:
        cache.used["locales"][tag] = [part.fingerprint, part_digest(entry)]
    return entry


def part_digest(entry: dict | None) -> str | None:
    """The digest of a language's part of the listing (None for none)."""
    if entry is None:
        return None
    data = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def completeness(
    project: Project, cache: IndexCache, part: Part, templates: dict[str, str]
) -> float:
    """Percent of strings translated over every template, for the index; catalogs
    without a template count too."""
    if part.locale == project.config.source_locale:
        return 100.0
    folder = project.rel(project.catalog_dir(part.locale))
    total = translated = 0
    for domain in sorted(part.catalogs | templates.keys()):
        path = f"{folder}/{domain}.po" if domain in part.catalogs else templates[domain]
        in_all, done = cache.counts(project, part, path, domain)
        total += in_all
        translated += done
    return round(100.0 * translated / total, 1) if total else 100.0


def catalog_counts(project: Project, locale: str, domains: list[str]) -> dict[str, list]:
    """The index's counts of a locale's catalogs (see IndexCache), from the parse a page
    build has made of them anyway."""
    from ..status import count
    from .build import load_catalog

    found = {}
    for domain in domains:
        path = project.po_path(locale, domain)
        if locale == project.config.source_locale:
            continue
        content = content_digest(path)
        if content == MISSING:
            continue
        shown = project.rel(path)
        key = (shown, content)
        if key not in _COUNTED:  # the ui catalog: once, not once a page
            if len(_COUNTED) >= 4096:  # a long-lived preview: old versions go
                _COUNTED.clear()
            counts = count(load_catalog(path, shown), locale, domain)
            _COUNTED[key] = [content.hex(), counts.total, counts.translated]
        found[shown] = _COUNTED[key]
    return found


_COUNTED: dict[tuple[str, bytes], list] = {}


def review_sheets(project: Project, locale: str, domains: list[str] | None = None) -> list[dict]:
    """The review sheets `l10n review` has written for a locale, as the index links them
    (`domains`: the locale's, when the caller has them)."""
    if locale == project.config.source_locale:
        return []
    tag = web_tag(locale)
    folder = str(project.build_dir / "review" / tag)
    present = Present(folder)
    if not present.names:
        return []
    found = []
    for domain in project.domains(locale) if domains is None else domains:
        if f"{domain}.html" in present:
            base = f"review/{tag}/{domain}"
            found.append(
                {
                    "domain": domain,
                    "href": f"{base}.html",
                    "pdf_href": f"{base}.pdf" if f"{domain}.pdf" in present else None,
                }
            )
    return found


def approved_percent(project: Project, locale: str) -> str | None:
    """Percent of a locale's entries whose current text is approved (as `status` counts
    it), for the index; None for the source locale or when the ledger cannot be read
    (`status` and `approve` name the line)."""
    from ..errors import L10nError
    from ..review.ledger import ledger_path

    if locale == project.config.source_locale:
        return None
    if not ledger_path(project.locales_dir, locale).exists():
        return "0"  # nobody has approved anything: no catalog need be read
    from ..review.coverage import locale_coverage

    try:
        return f"{locale_coverage(project, locale).percent:g}"
    except L10nError:
        return None


def write_index(
    project: Project,
    cache: IndexCache | None = None,
    built_titles: dict[tuple[str, str], str] | None = None,
    domains: list[str] | None = None,
    tool: str | None = None,
    templates: Mapping[str, str] | None = None,
) -> bool:
    """`build/index.html` (see index_locales); True when it was rendered anew.  `tool`
    and `templates` are the tool's digest and `Project.template_paths`, when the caller
    has them.

    Each language whose fingerprint is the one kept gives its part's digest as kept; the
    others are listed.  When the digest of the whole listing is the one the index on
    disk was rendered from, its bytes could not change: nothing more is read."""
    cache = cache or IndexCache(project.build_dir)
    found = survey(project, cache, domains, tool, templates)
    just = built_titles or {}
    listed: dict[str, dict | None] = {}
    digests = []
    for part in found.parts:
        mark = cache.marks.get(part.tag)
        if not part.unsure and _mark(mark) and mark[0] == part.fingerprint:
            cache.used["locales"][part.tag] = mark
            kept = mark[1]
        else:
            listed[part.tag] = _listed(project, cache, found, part, just)
            kept = part_digest(listed[part.tag])
        if kept is not None:
            digests.append(kept)
    index = project.build_dir / "index.html"
    if cache.rendered == [_listing(project, digests, found.tool), content_digest(index).hex()]:
        cache.save()
        return False
    for part in found.parts:  # to render: every part, as it is now
        if part.tag not in listed:
            listed[part.tag] = _listed(project, cache, found, part, just)
    locales = [listed[part.tag] for part in found.parts]
    return write_listing(project, [e for e in locales if e is not None], cache, found.tool)


def _mark(found: object) -> TypeGuard[list]:
    return (
        isinstance(found, list)
        and len(found) == 2
        and isinstance(found[0], str)
        and (found[1] is None or isinstance(found[1], str))
    )


def write_listing(
    project: Project, locales: list[dict], cache: IndexCache, tool: str | None = None
) -> bool:
    """Render the index of a listing and write it, unless the index on disk was rendered
    from this very listing (then its bytes could not change); keep the cache."""
    index = project.build_dir / "index.html"
    listing = listing_digest(project, locales, tool or tool_digest())
    anew = cache.rendered != [listing, content_digest(index).hex()]
    if anew:
        page = render_index(project, locales)
        write_text(index, page)
        cache.rendered = [listing, hashlib.sha256(page.encode("utf-8")).hexdigest()]
    cache.save()
    return anew


def listing_digest(project: Project, locales: list[dict], tool: str) -> str:
    """Everything the rendered index depends on: the listing (each language's part),
    the languages it names and the tool (its templates)."""
    return _listing(project, [part_digest(entry) for entry in locales], tool)


def _listing(project: Project, parts: list, tool: str) -> str:
    shown = [web_tag(loc) for loc in all_locales(project)]
    data = json.dumps([tool, shown, parts])
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def render_index(project: Project, locales: list[dict]) -> str:
    """The index page of `index_locales`."""
    from .render import render_template
    from .typefaces import typefaces

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
        font_css=Markup(typefaces().css(source, "assets/fonts/", shown)),
        font_stack=Markup(typefaces().stack(source, shown)),
        locales=locales,
    )
