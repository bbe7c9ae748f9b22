"""`l10n export`: a locale's entries as an XLIFF 1.2 or TMX 1.4b file for an agency."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import L10nError
from ..locales import web_tag
from ..project import Project
from . import tmx, xliff
from .units import SIGNED_OFF, TRANSLATED, LeftOut, collect

FORMATS = ("xliff", "tmx")


@dataclass(frozen=True)
class Export:
    data: bytes
    units: int
    pages: int
    left_out: LeftOut


def export(project: Project, locale: str, pages: list[str], only: str, fmt: str) -> Export:
    """The file's bytes: the same catalogs give the same bytes."""
    if fmt not in FORMATS:
        raise L10nError(f"--format must be one of {', '.join(FORMATS)}")
    chosen, left = collect(project, locale, pages or None, "all" if fmt == "tmx" else only)
    source, target = web_tag(project.config.source_locale), web_tag(locale)
    if fmt == "tmx":
        count = sum(u.state in (TRANSLATED, SIGNED_OFF) for p in chosen for u in p.units)
        return Export(tmx.dumps(chosen, source, target), count, len(chosen), left)
    count = sum(len(p.units) for p in chosen)
    return Export(xliff.dumps(chosen, source, target), count, len(chosen), left)
