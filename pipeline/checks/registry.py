"""The registry of checks, and how one translation is put through them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import polib

from ..glossary import Glossary
from .model import ERROR, WARNING, Check, CheckFunction, Context

REGISTRY: dict[str, Check] = {}


def check(
    id: str, severity: str, description: str, silenceable: bool = True
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under `id`."""
    if severity not in (ERROR, WARNING):
        raise ValueError(f"severity must be {ERROR!r} or {WARNING!r}")

    def register(function: CheckFunction) -> CheckFunction:
        REGISTRY[id] = Check(id, severity, description, function, silenceable)
        return function

    return register


REGISTRY["syntax"] = Check(
    "syntax",
    ERROR,
    "the catalog parses (as GNU msgfmt would), with the line of the problem",
    None,
    silenceable=False,
)


def check_message(
    english: str,
    translation: str,
    locale: str,
    domain: str,
    flags: Iterable[str] = (),
    glossary: Glossary | None = None,
    only: Iterable[str] | None = None,
    references: Mapping[str, tuple[str, str | None]] | None = None,
    entry: polib.POEntry | None = None,
) -> list[tuple[Check, str]]:
    """Every (check, message) for one translation; `build` may ask with only=SECURITY."""
    ctx = Context(
        english,
        translation,
        locale,
        domain,
        tuple(flags),
        glossary or Glossary(),
        entry,
        tuple(sorted((references or {}).items())),
    )
    return run(ctx, only)


def run(ctx: Context, only: Iterable[str] | None = None) -> list[tuple[Check, str]]:
    """Every (check, message) for one translation in its context."""
    wanted = set(only) if only is not None else None
    results: list[tuple[Check, str]] = []
    for item in REGISTRY.values():
        function = item.function
        if function is None or (wanted is not None and item.id not in wanted):
            continue
        for message in function(ctx):
            results.append((item, message))
    return results


SECURITY = ("links", "unsafe-html")
