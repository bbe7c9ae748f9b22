"""Checks of the English itself: what every page shows before any translation exists.

They read the templates (`locales/*.pot`), whose references name the source line of each
string, so that a finding points at the page an author can fix.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from ..errors import L10nError
from ..po import catalog
from ..project import Project
from ..site import fonts
from .model import ERROR, Finding, LocaleReport


def glyph_message(missing: list[str], fonts_of: str) -> str:
    """The message of the `glyphs` check: each character named, at most five."""
    names = ", ".join(
        f'"{ch}" (U+{ord(ch):04X} {unicodedata.name(ch, "unnamed")})' for ch in missing[:5]
    )
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return f"no glyph in the {fonts_of} fonts for {names}{more}"


def check_sources(project: Project) -> LocaleReport:
    """Findings about the English of every template, under the source locale."""
    locale = project.config.source_locale
    report = LocaleReport(locale)
    for pot in project.templates():
        try:
            po = catalog.load(pot, project.rel(pot))
        except (L10nError, OSError):
            continue  # `check` reports a broken template where it checks its catalogs
        for entry in po:
            if entry.obsolete:
                continue
            for message in _glyphs(entry.msgid, locale):
                path, line = _where(entry.occurrences, project.rel(pot), entry.linenum or 1)
                report.findings.append(Finding(path, line, "glyphs", ERROR, message, locale))
    return report


def _glyphs(text: str, locale: str) -> Iterator[str]:
    try:
        missing = fonts.missing_glyphs(text, locale)
    except ValueError as exc:
        yield str(exc)
        return
    if missing:
        yield glyph_message(missing, "bundled")


def _where(occurrences: list[tuple[str, str]], pot: str, linenum: int) -> tuple[str, int]:
    """The first source line a string comes from, else its line in the template."""
    for path, line in occurrences:
        if line.isdigit():
            return path, int(line)
    return pot, linenum
