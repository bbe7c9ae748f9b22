"""The project on disk: where pages and catalogs live, and its `[tool.l10n]` settings."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import L10nError
from .files import listed
from .locales import gettext_name

UI_DOMAIN = "ui"


@dataclass(frozen=True)
class Config:
    """Settings from `[tool.l10n]`; every one has a sensible default."""

    name: str = "l10n"
    version: str = "0.0.0"
    source_locale: str = "en"
    locales: tuple[str, ...] | None = None
    publisher: str = ""
    author: str = ""
    release_threshold: float = 100.0
    paper: str = "A4"
    max_page_bytes: int = 10_000_000
    browser: str | None = None
    release_approval: tuple[str, ...] = ()  # roles every shipped entry needs
    memory: tuple[str, ...] = ()  # glob patterns of TMX files offered as translation memory


@dataclass(frozen=True)
class Project:
    root: Path
    config: Config

    @cached_property
    def source_dir(self) -> Path:
        return self.root / "source"

    @cached_property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @cached_property
    def build_dir(self) -> Path:
        return self.root / "build"

    @cached_property
    def _prefix(self) -> str:
        return str(self.root).rstrip("/") + "/"

    def rel(self, path: Path | str) -> str:
        """A path as messages show it: relative to the project root."""
        text = str(path)
        if text.startswith(self._prefix):  # as relative_to does, without its cost
            return text[len(self._prefix) :]
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def pages(self) -> list[Path]:
        """Every source page, refusing links that lead outside the project.

        One walk of `source/` (it does not enter linked folders, as rglob does not), in
        the order of sorted paths: every build asks, so no page costs a path resolution
        or a question to the file system unless it is a link."""
        return [Path(path) for path in self._pages()]

    def page_domains(self) -> list[str]:
        """The domain of each page of `pages`, in its order."""
        start = len(str(self.source_dir)) + 1
        return [_domain(path[start:], ".md") for path in self._pages()]

    def _pages(self) -> list[str]:
        source = str(self.source_dir)
        if not os.path.isdir(source):
            return []
        root = self.root.resolve()
        linked: list[tuple[list[str], str]] = []  # folders that are links
        found: list[tuple[list[str], str, os.DirEntry]] = []  # candidate pages, files or not
        _scan(source, [], ".md", found, linked)
        for _, path in sorted(linked):
            target = Path(path).resolve()
            if not target.is_relative_to(root):
                raise L10nError(
                    f"{self.rel(Path(path))}: links to {target}, outside the project; "
                    "copy its pages into source/ instead"
                )
        contained = Path(source).resolve().is_relative_to(root)
        pages = []
        for _, path, entry in sorted(found, key=lambda item: (item[0], item[1])):
            if entry.is_symlink() or not contained:
                target = Path(path).resolve()
                if not target.is_relative_to(root):
                    raise L10nError(
                        f"{self.rel(Path(path))}: links to {target}, outside the project; "
                        "copy the page into source/ instead"
                    )
            if entry.is_file():
                pages.append(path)
        return pages

    def domain(self, page: Path) -> str:
        return page.relative_to(self.source_dir).with_suffix("").as_posix()

    def page_path(self, domain: str) -> Path:
        return self.source_dir / f"{domain}.md"

    def pot_path(self, domain: str) -> Path:
        return self.locales_dir / f"{domain}.pot"

    def catalog_dir(self, locale: str) -> Path:
        """Where a locale's catalogs are."""
        return self.locales_dir / gettext_name(locale) / "LC_MESSAGES"

    def po_path(self, locale: str, domain: str) -> Path:
        return self.locales_dir / f"{gettext_name(locale)}/LC_MESSAGES/{domain}.po"

    def templates(self) -> list[Path]:
        """Every `.pot` under `locales/`, whether or not a page produced it."""
        if not self.locales_dir.is_dir():
            return []
        return [Path(path) for path in _walk(str(self.locales_dir), ".pot")]

    def template_domain(self, pot: Path) -> str:
        return pot.relative_to(self.locales_dir).with_suffix("").as_posix()

    def template_domains(self) -> list[str]:
        return list(self.template_paths())

    def template_paths(self) -> dict[str, str]:
        """Every template's domain -> its path in the project, in the order of `templates`
        (from the walk's strings: a large site has thousands)."""
        if not self.locales_dir.is_dir():
            return {}
        folder = str(self.locales_dir)
        found = {}
        for path in _walk(folder, ".pot"):
            found[_domain(path[len(folder) + 1 :], ".pot")] = self.rel(path)
        return found

    def domains(
        self, locale: str | None = None, templates: Iterable[str] | None = None
    ) -> list[str]:
        """Every domain with a template, and, for a locale, every domain it has a `.po` of.

        `templates`: the template domains, when the caller has listed them already.
        """
        found = set(templates if templates is not None else self.template_domains())
        if locale is not None:
            folder = str(self.po_path(locale, UI_DOMAIN).parent)
            for parent, _dirs, names in os.walk(folder):  # as rglob, at a fraction of its cost
                inside = os.path.relpath(parent, folder).replace(os.sep, "/")
                prefix = "" if inside == "." else f"{inside}/"
                found |= {prefix + name[:-3] for name in names if name.endswith(".po")}
        return sorted(found)

    def target_locales(self) -> list[str]:
        """The configured locales, or every `locales/<locale>/` that exists."""
        if self.config.locales is not None:
            return [gettext_name(code) for code in self.config.locales]
        if not self.locales_dir.is_dir():
            return []
        found = []
        for child in sorted(self.locales_dir.iterdir()):
            if child.is_dir() and (child / "LC_MESSAGES").is_dir():
                try:
                    found.append(gettext_name(child.name))
                except L10nError as exc:
                    raise L10nError(
                        f"{self.rel(child)}/: {exc}; rename the folder, or list the locales "
                        "in [tool.l10n] locales of pyproject.toml"
                    ) from None
        return found

    def select(self, requested: tuple[str, ...] | list[str]) -> list[str]:
        """The locales a command works on: those asked for, which must be known here."""
        known = self.target_locales()
        if not requested:
            return known
        chosen = []
        for code in requested:
            name = gettext_name(code)
            if name not in known:
                listed = ", ".join(known) or "none"
                if name == gettext_name(self.config.source_locale):
                    how = "it is the source locale, which has no catalogs"
                elif self.config.locales is not None:
                    how = (
                        f"add it to [tool.l10n] locales in pyproject.toml and run "
                        f"'l10n init {code}'"
                    )
                else:
                    how = f"add it with 'l10n init {code}'"
                raise L10nError(
                    f"locale {code!r} is not configured in this project (known: {listed}); {how}"
                )
            if name not in chosen:
                chosen.append(name)
        return chosen


def _domain(inside: str, suffix: str) -> str:
    """A page's or template's domain from its path inside its folder, as with_suffix("")
    makes it (which leaves a name that is only the suffix, say ".md", as it is)."""
    return inside if inside.rpartition("/")[2] == suffix else inside[: -len(suffix)]


def _scan(
    folder: str,
    inside: list[str],
    suffix: str,
    found: list[tuple[list[str], str, os.DirEntry]],
    links: list[tuple[list[str], str]],
) -> None:
    """What `_walk` finds, with each candidate's directory entry (which knows, without
    asking the file system again, whether it is a file or a link)."""
    for entry, is_dir in listed(folder):
        parts = [*inside, entry.name]
        if entry.name.endswith(suffix):
            found.append((parts, entry.path, entry))
        if is_dir:
            if entry.is_symlink():
                links.append((parts, entry.path))
            else:
                _scan(entry.path, parts, suffix, found, links)


def _walk(folder: str, suffix: str, links: list[str] | None = None) -> list[str]:
    """What `sorted(Path(folder).rglob("*" + suffix))` lists, files or not, from one walk
    that, as rglob, does not enter linked folders (`links` gets those, in the same order).
    Pages and templates are listed on every build: no path object is made per file."""
    found: list[tuple[list[str], str]] = []
    linked: list[tuple[list[str], str]] = []
    for parent, dirs, names in os.walk(folder):
        inside = os.path.relpath(parent, folder)
        prefix = [] if inside == "." else inside.split(os.sep)
        if links is not None:
            for name in dirs:
                if os.path.islink(os.path.join(parent, name)):
                    linked.append(([*prefix, name], os.path.join(parent, name)))
        found += [
            ([*prefix, n], os.path.join(parent, n)) for n in dirs + names if n.endswith(suffix)
        ]
    if links is not None:
        links += [path for _, path in sorted(linked)]
    return [path for _, path in sorted(found)]


def load(root: Path) -> Project:
    """Open the project at `root`, reading `[tool.l10n]` from its pyproject.toml."""
    root = Path(root)
    if not root.is_dir():
        what = "not a folder" if root.exists() else "no such folder"
        raise L10nError(f"{root}: {what}; -C/--project expects a project folder")
    root = root.resolve()
    if not (root / "source").is_dir() and not (root / "locales").is_dir():
        raise L10nError(
            f"{root}: not an l10n project (expected a source/ or locales/ folder in it)"
        )
    return Project(root, _config(root / "pyproject.toml"))


def _config(path: Path) -> Config:
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise L10nError(f"{path.name}: cannot be read: {exc}") from None
    table = data.get("tool", {}).get("l10n", {})
    project = data.get("project", {})
    known = {
        "source-locale",
        "locales",
        "publisher",
        "author",
        "release-threshold",
        "paper",
        "max-page-size",
        "browser",
        "release-approval",
        "memory",
    }
    unknown = sorted(set(table) - known)
    if unknown:
        raise L10nError(
            f"{path.name}: unknown setting [tool.l10n] {unknown[0]!r} "
            f"(known: {', '.join(sorted(known))})"
        )
    locales = table.get("locales")
    if locales is not None and not (
        isinstance(locales, list) and all(isinstance(x, str) for x in locales)
    ):
        raise L10nError(f"{path.name}: [tool.l10n] locales must be a list of locale codes")
    roles = _strings(table, "release-approval", path, "role names")
    memory = _strings(table, "memory", path, 'file patterns, such as ["memory/*.tmx"]')
    paper = str(table.get("paper", "A4"))
    if paper not in ("A4", "Letter"):
        raise L10nError(f'{path.name}: [tool.l10n] paper must be "A4" or "Letter"')
    try:
        threshold = float(table.get("release-threshold", 100))
        max_bytes = int(table.get("max-page-size", 10_000_000))
    except (TypeError, ValueError):
        raise L10nError(
            f"{path.name}: [tool.l10n] release-threshold and max-page-size must be numbers"
        ) from None
    return Config(
        name=str(project.get("name", "l10n")),
        version=_version(project, data.get("tool", {}), path.parent),
        source_locale=str(table.get("source-locale", "en")),
        locales=tuple(gettext_name(code) for code in locales) if locales is not None else None,
        publisher=str(table.get("publisher", "")),
        author=str(table.get("author", table.get("publisher", ""))),
        release_threshold=threshold,
        paper=paper,
        max_page_bytes=max_bytes,
        browser=table.get("browser"),
        release_approval=roles,
        memory=memory,
    )


def _version(project: dict, tools: dict, root: Path) -> str:
    """`[project] version`, or, when it is dynamic, the `__version__` of the file that
    `[tool.hatch.version] path` names (one place for it, as hatchling reads it)."""
    if "version" in project:
        return str(project["version"])
    source = tools.get("hatch", {}).get("version", {}).get("path")
    if "version" in project.get("dynamic", []) and isinstance(source, str):
        file = root / source
        try:
            found = re.search(
                r"""^__version__\s*=\s*["']([^"']+)["']""", file.read_text("utf-8"), re.M
            )
        except (OSError, UnicodeDecodeError):
            found = None
        if found:
            return found.group(1)
    return "0.0.0"


def _strings(table: dict, key: str, path: Path, what: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not (isinstance(value, list) and all(isinstance(x, str) and x.strip() for x in value)):
        raise L10nError(f"{path.name}: [tool.l10n] {key} must be a list of {what}")
    return tuple(value)
