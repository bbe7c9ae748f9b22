"""What the checks see and what they report: the message in context, the finding, the
report of a locale and of a run."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Protocol

import polib

from ..glossary import Glossary
from ..inline import Inline
from .text import inline, plural

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Context:
    """What a check sees of one translated message."""

    english: str
    translation: str
    locale: str
    domain: str
    flags: tuple[str, ...] = ()
    glossary: Glossary = field(default_factory=Glossary)
    entry: polib.POEntry | None = None
    references: tuple[tuple[str, tuple[str, str | None]], ...] = ()  # the page's [ref]: url
    # Each check asks for the English and the translation rendered: asked of the
    # process-wide memo every time, the asking (keys hashed over the page's references)
    # would cost more than the checks themselves.
    _rendered: dict[str, Inline] = field(default_factory=dict, compare=False, repr=False)

    def inline(self, text: str) -> Inline:
        """A text rendered as in its page, reference links resolved."""
        found = self._rendered.get(text)
        if found is None:
            found = self._rendered[text] = inline(text, self.references)
        return found


CheckFunction = Callable[[Context], Iterable[str]]


@dataclass(frozen=True)
class Check:
    """A registered check; `function` is None for checks of a whole file (`syntax`)."""

    id: str
    severity: str
    description: str
    function: CheckFunction | None
    silenceable: bool = True


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    check: str
    severity: str
    message: str
    locale: str = ""
    silenced: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.check}] {self.message}"

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class LocaleReport:
    """The findings and counts of one locale."""

    locale: str
    findings: list[Finding] = field(default_factory=list)
    checked: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    obsolete: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity and not f.silenced)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    @property
    def silenced(self) -> int:
        return sum(1 for f in self.findings if f.silenced)

    def as_json(self) -> dict:
        return {
            "errors": self.errors,
            "warnings": self.warnings,
            "silenced": self.silenced,
            "checked": self.checked,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "obsolete": self.obsolete,
        }


class Counted(Protocol):
    """What a summary line shows: a LocaleReport, or its counts alone."""

    @property
    def locale(self) -> str: ...
    @property
    def errors(self) -> int: ...
    @property
    def warnings(self) -> int: ...
    @property
    def silenced(self) -> int: ...
    @property
    def fuzzy(self) -> int: ...
    @property
    def untranslated(self) -> int: ...


def summary_line(report: Counted) -> str:
    """One line per locale, as `check` ends and `build` prints it."""
    return (
        f"{report.locale}: {plural(report.errors, 'error')}, "
        f"{plural(report.warnings, 'warning')}, {report.silenced} silenced, "
        f"{report.fuzzy} fuzzy, {report.untranslated} untranslated"
    )


@dataclass
class CheckRun:
    """The reports of a run, one per locale, in the order the locales were asked for.

    As JSON (`l10n check --json`)::

        {"findings": [{"path": "locales/th/LC_MESSAGES/page.po", "line": 57,
                       "check": "numbers", "severity": "error",
                       "message": "\\"4:1\\" is missing from the translation",
                       "locale": "th", "silenced": false}, ...],
         "silenced": [... the same, for findings an ignore-<check> flag silences ...],
         "summary": {"th": {"errors": 1, "warnings": 0, "silenced": 0, "checked": 38,
                            "fuzzy": 0, "untranslated": 3, "obsolete": 0}, ...}}
    """

    reports: list[LocaleReport]

    @property
    def findings(self) -> list[Finding]:
        """The findings that count: silenced ones are left out."""
        return [f for r in self.reports for f in r.findings if not f.silenced]

    @property
    def silenced(self) -> list[Finding]:
        return [f for r in self.reports for f in r.findings if f.silenced]

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.reports)

    @property
    def warnings(self) -> int:
        return sum(r.warnings for r in self.reports)

    def as_json(self) -> dict:
        return {
            "findings": [f.as_json() for f in self.findings],
            "silenced": [f.as_json() for f in self.silenced],
            "summary": {r.locale: r.as_json() for r in self.reports},
        }
