"""Quality checks of translations: what `l10n check` reports, `build` and `release` rely on.

In a medical page a dropped number, a swapped link or an English drug name left in a
Thai sentence can hurt a patient, so every translated entry is held to its English:
each check is a small pure function registered with an id, a severity and a one-line
description, and yields plain messages.  The runner turns them into findings that name
the line of the entry's `msgstr` in the `.po` file, as a compiler names a line.

Fuzzy, untranslated and obsolete entries are counted, not checked (they fall back to
English at build time).  A translator silences one check for one entry with a
`#, ignore-<id>` flag, as in Weblate; silenced findings are still counted.  The security
checks (`links`, `unsafe-html`) cannot be silenced: translations are untrusted input.
"""

from .cache import ResultCache
from .model import ERROR, WARNING, Check, CheckRun, Context, Finding, LocaleReport, summary_line
from .registry import REGISTRY, SECURITY, check, check_message
from .runner import (
    check_catalog,
    check_catalog_cached,
    check_catalog_keyed,
    check_project,
    open_cache,
    run_checks,
    sources_report,
)

__all__ = [
    "ERROR",
    "WARNING",
    "REGISTRY",
    "SECURITY",
    "Check",
    "CheckRun",
    "Context",
    "Finding",
    "LocaleReport",
    "check",
    "ResultCache",
    "check_catalog",
    "check_catalog_cached",
    "check_catalog_keyed",
    "open_cache",
    "check_message",
    "check_project",
    "run_checks",
    "sources_report",
    "summary_line",
]
