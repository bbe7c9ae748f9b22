"""`build/index.html`: every built language, named in itself, with how complete it is,
its pages and its review sheets.

An incremental build lists the index again after every save, and a large site's index
names thousands of files.  So nothing is read that did not change: each catalog's counts
are kept under the catalog's digest, each built page's title under the digest it was
built with, each English title under its page's digest (in the build folder: the same
inputs give the same bytes); which pages and handouts exist is read from their folders,
not asked file by file; and the page is rendered only when what it lists differs from
what it showed when last written.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from markupsafe import Markup

from ..files import MISSING, content_digest, read_object, write_replaceable, write_text
from ..locales import direction, gettext_name, native_name, web_tag
from ..project import Project
from .snapshot import INDEX_CACHE, OutputDigests, digest, tool_digest

_KINDS = ("counts", "built", "english")
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def all_locales(project: Project) -> list[str]:
    source = project.config.source_locale
    return [source] + [loc for loc in project.target_locales() if loc != source]


class IndexCache:
    """What the index lists, kept by content: `counts` maps a catalog to [digest, total,
    translated], `built` a built page to [the digest it was built under, its title],
    `english` an English page to [its digest, its title]; `rendered` is the digest of
    the listing the index was last rendered from, and that of the page it gave."""

    def __init__(
        self,
        build_dir: Path,
        digests: OutputDigests | None = None,
        inputs: Mapping[str, bytes] | None = None,
    ) -> None:
        self.path = build_dir / INDEX_CACHE
        self.digests = digests or OutputDigests(build_dir)
        self.inputs = inputs or {}  # digests this run took already, by path
        self.kept = kept = read_object(self.path)
        self.known: dict[str, dict[str, list]] = {
            kind: dict(kept[kind]) if isinstance(kept.get(kind), dict) else {} for kind in _KINDS
        }
        rendered = kept.get("rendered")
        self.rendered: list[str] | None = rendered if isinstance(rendered, list) else None
        self.used: dict[str, dict[str, list]] = {kind: {} for kind in _KINDS}
        self.fresh: set[str] = set()  # catalogs whose counts this run made from their parse

    def learn(self, counts: dict[str, list]) -> None:
        """Counts a build has just made from the catalogs it read: neither parsed nor
        hashed again for the index."""
        self.known["counts"].update(counts)
        self.fresh.update(counts)

    def counts(self, project: Project, shown: str, locale: str, domain: str) -> tuple[int, int]:
        """Total and translated entries of a catalog (or of a template: none translated),
        named by its path in the project."""
        hit = self.known["counts"].get(shown)
        if shown not in self.fresh or hit is None:
            path = f"{project.root}{os.sep}{shown}"
            kept = hit[0] if isinstance(hit, list) and len(hit) == 3 else None
            content = self._digest(path, kept)
            if hit is None or kept != content:
                from ..status import count
                from .build import load_catalog

                found = count(load_catalog(Path(path), shown), locale, domain)
                hit = [content, found.total, found.translated]
        self.used["counts"][shown] = hit
        return hit[1], hit[2]

    def _digest(self, path: str, kept: object) -> str:
        """A file's digest: the one this run took already when it is the one `kept`, else
        taken now (what is counted or read on a miss is then what the digest says)."""
        taken = self.inputs.get(path)
        if taken is not None and taken.hex() == kept:
            return taken.hex()
        return content_digest(path).hex()

    def _get(self, kind: str, path: str, stamp: str) -> str | None:
        hit = self.known[kind].get(path)
        if isinstance(hit, list) and len(hit) == 2 and hit[0] == stamp and isinstance(hit[1], str):
            self.used[kind][path] = hit
            return hit[1]
        return None

    def _keep(self, kind: str, path: str, stamp: str, title: str) -> str:
        self.known[kind][path] = self.used[kind][path] = [stamp, title]
        return title

    def built(self, project: Project, shown: str, title: str | None = None) -> str:
        """The <title> of a built page, named by its path in the project (`title` when
        the caller has just built it)."""
        stamp = self.digests.digests.get(shown, "")
        if title is not None:
            return self._keep("built", shown, stamp, title)
        found = self._get("built", shown, stamp) if stamp else None
        if found is None:
            try:
                text = (project.root / shown).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            match = _TITLE.search(text)
            found = self._keep(
                "built", shown, stamp, htmllib.unescape(match.group(1)) if match else ""
            )
        return found

    def english(self, project: Project, domain: str) -> str:
        """The title the English page has (as its <title> shows it)."""
        path = project.page_path(domain)
        shown = project.rel(path)
        hit = self.known["english"].get(shown)
        stamp = self._digest(str(path), hit[0] if isinstance(hit, list) and hit else None)
        found = self._get("english", shown, stamp)
        return (
            found
            if found is not None
            else self._keep("english", shown, stamp, english_title(project, domain))
        )

    def save(self) -> None:
        """Keep what this run used, and only that: the same inputs, the same bytes.  Like
        any cache it need not survive a crash: what it lacks is made again."""
        data = {**self.used, "rendered": self.rendered}
        if data != self.kept:
            text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            write_replaceable(self.path, text.encode("utf-8") + b"\n")
            self.kept = data


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


def files_under(folder: str) -> set[str]:
    """Every file under a folder, by its '/'-separated path inside it: one listing of each
    folder instead of a question for each file."""
    found: set[str] = set()
    start = len(folder) + 1
    for parent, _dirs, names in os.walk(folder):
        inside = parent[start:].replace(os.sep, "/")
        prefix = f"{inside}/" if inside else ""
        found.update(prefix + name for name in names)
    return found


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
    if domains is None:
        domains = [project.domain(p) for p in project.pages()]
    english = {d: cache.english(project, d) for d in domains}
    just = built_titles or {}
    templates = {project.template_domain(pot): project.rel(pot) for pot in project.templates()}
    source = project.config.source_locale
    locales = []
    for loc in all_locales(project):
        tag = web_tag(loc)
        folder = project.rel(project.build_dir / tag)
        present = Present(str(project.build_dir / tag))
        pages = []
        for domain in domains:
            title = just.get((loc, domain))
            if title is None and f"{domain}.html" not in present:
                continue
            title = cache.built(project, f"{folder}/{domain}.html", title) or english[domain]
            pages.append(
                {
                    "domain": domain,
                    "title": title,
                    "english": title == english[domain] and loc != source,
                    "href": f"{tag}/{domain}.html",
                    "pdf_href": f"{tag}/{domain}.pdf" if f"{domain}.pdf" in present else None,
                }
            )
        sheets = review_sheets(project, loc)
        if pages or sheets:
            locales.append(
                {
                    "tag": tag,
                    "name": native_name(loc),
                    "percent": f"{completeness(project, loc, cache, templates):g}",
                    "approved": approved_percent(project, loc),
                    "pages": pages,
                    "sheets": sheets,
                }
            )
    return locales


def completeness(
    project: Project,
    locale: str,
    cache: IndexCache | None = None,
    templates: dict[str, str] | None = None,
) -> float:
    """Percent of strings translated over every template, for the index; catalogs
    without a template count too."""
    if locale == project.config.source_locale:
        return 100.0
    cache = cache or IndexCache(project.build_dir)
    if templates is None:
        templates = {project.template_domain(p): project.rel(p) for p in project.templates()}
    where = project.locales_dir / gettext_name(locale) / "LC_MESSAGES"
    folder = project.rel(where)
    catalogs = {name[:-3] for name in files_under(str(where)) if name.endswith(".po")}
    total = translated = 0
    for domain in sorted(catalogs | templates.keys()):
        path = f"{folder}/{domain}.po" if domain in catalogs else templates[domain]
        in_all, done = cache.counts(project, path, locale, domain)
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


def review_sheets(project: Project, locale: str) -> list[dict]:
    """The review sheets `l10n review` has written for a locale, as the index links them."""
    if locale == project.config.source_locale:
        return []
    tag = web_tag(locale)
    folder = str(project.build_dir / "review" / tag)
    present = Present(folder)
    if not present.names:
        return []
    found = []
    for domain in project.domains(locale):
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
) -> bool:
    """`build/index.html` (see index_locales); True when it was rendered anew.  `tool` is
    the tool's digest when the caller has it."""
    cache = cache or IndexCache(project.build_dir)
    listed = index_locales(project, cache, built_titles, domains)
    return write_listing(project, listed, cache, tool)


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
    """Everything the rendered index depends on: the listing, the languages it names and
    the tool (its templates)."""
    shown = [web_tag(loc) for loc in all_locales(project)]
    data = json.dumps([tool, shown, locales], sort_keys=True, ensure_ascii=False)
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
