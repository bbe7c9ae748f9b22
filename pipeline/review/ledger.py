"""The approval ledger: who accepted which exact translation of which exact English.

One file per locale, `locales/<locale>/approvals.tsv`, one approval a line::

    <page> TAB <context> TAB <english> TAB <translation> TAB <role> TAB <date> TAB <reviewer>

`context`, `english` and `translation` are digests (the first 16 hex digits of SHA-256) of
the entry's `msgctxt`, its English (`msgid`, and `msgid_plural` for a plural) and its
translation (every `msgstr[n]` in order).  An approval counts only while all three still
match the catalog: changing the English or the translation voids it with nothing to clean
up.  Lines are kept sorted and unique, so two reviewers' approvals merge cleanly in git;
lines starting with `#` are comments.  Only `approve` writes the file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib

from ..errors import L10nError
from ..files import write_text

LEDGER_NAME = "approvals.tsv"
DIGEST_SIZE = 16
HEADER = (
    "# l10n approvals: page, context, English and translation digests, role, date, reviewer\n"
    "# (tab-separated, sorted; written by `l10n approve`; see README, Review and sign-off)\n"
)
_DIGEST = re.compile(rf"[0-9a-f]{{{DIGEST_SIZE}}}")
_ROLE = re.compile(r"[a-z][a-z0-9-]{0,39}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_SIZE]


@dataclass(frozen=True, order=True)
class EntryText:
    """Exactly what an approval covers: one translation of one English in one page."""

    page: str
    context: str
    english: str
    translation: str

    @classmethod
    def of(cls, page: str, entry: polib.POEntry) -> EntryText:
        english = entry.msgid if not entry.msgid_plural else f"{entry.msgid}\0{entry.msgid_plural}"
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
            translation = "\0".join(forms)
        else:
            translation = entry.msgstr
        return cls(page, digest(entry.msgctxt or ""), digest(english), digest(translation))


@dataclass(frozen=True, order=True)
class Approval:
    """One reviewer's acceptance, in one role, of one EntryText."""

    text: EntryText
    role: str
    date: str
    reviewer: str

    def line(self) -> str:
        t = self.text
        fields = (t.page, t.context, t.english, t.translation, self.role, self.date, self.reviewer)
        return "\t".join(fields)


def check_reviewer(name: str) -> str:
    """A reviewer's name as typed, refused when empty or when it would break the line."""
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise L10nError("--by: the reviewer's name is empty; give the name of the person")
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise L10nError("--by: the reviewer's name holds a tab or control character")
    return name


def check_role(role: str) -> str:
    role = role.strip()
    if not _ROLE.fullmatch(role):
        raise L10nError(
            f"--role: {role!r} is not a role name (lowercase letters, digits and '-', "
            "such as clinician or linguist)"
        )
    return role


def parse(text: str, shown: str, pages: Iterable[str] | None = None) -> list[Approval]:
    """The approvals of a ledger file; any line that does not parse is an error naming it."""
    known = set(pages) if pages is not None else None
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        where = f"{shown}:{number}"
        if len(fields) != 7:
            raise L10nError(
                f"{where}: expected 7 tab-separated fields (page, 3 digests, role, date, "
                f"reviewer), found {len(fields)}"
            )
        page, context, english, translation, role, date, reviewer = fields
        for name, value in (("context", context), ("English", english)):
            if not _DIGEST.fullmatch(value):
                raise L10nError(f"{where}: the {name} digest must be {DIGEST_SIZE} hex digits")
        if not _DIGEST.fullmatch(translation):
            raise L10nError(f"{where}: the translation digest must be {DIGEST_SIZE} hex digits")
        if not _ROLE.fullmatch(role):
            raise L10nError(f"{where}: {role!r} is not a role name")
        if not _DATE.fullmatch(date):
            raise L10nError(f"{where}: {date!r} is not a date (YYYY-MM-DD)")
        if not reviewer.strip() or reviewer != reviewer.strip():
            raise L10nError(f"{where}: the reviewer's name is empty or padded")
        if known is not None and page not in known:
            raise L10nError(f"{where}: unknown page {page!r} (no locales/{page}.pot)")
        found.append(Approval(EntryText(page, context, english, translation), role, date, reviewer))
    return found


def dumps(approvals: Iterable[Approval]) -> str:
    """The ledger file: sorted, each approval once."""
    lines = sorted({a.line() for a in approvals})
    return HEADER + "".join(line + "\n" for line in lines)


@dataclass
class Ledger:
    """A locale's approvals, looked up by the exact text they cover."""

    path: Path
    approvals: list[Approval]

    def __post_init__(self) -> None:
        self._by_text: dict[EntryText, list[Approval]] = {}
        for approval in self.approvals:
            self._by_text.setdefault(approval.text, []).append(approval)

    def of(self, text: EntryText) -> list[Approval]:
        """The approvals that still cover this text: earlier texts' approvals are void."""
        return self._by_text.get(text, [])

    def roles(self, text: EntryText) -> set[str]:
        return {a.role for a in self.of(text)}

    def add(self, new: Iterable[Approval]) -> list[Approval]:
        """Record approvals not yet in the ledger; the ones recorded are returned."""
        have = {(a.text, a.role, a.reviewer) for a in self.approvals}
        added = []
        for approval in new:
            key = (approval.text, approval.role, approval.reviewer)
            if key not in have:
                have.add(key)
                added.append(approval)
                self.approvals.append(approval)
                self._by_text.setdefault(approval.text, []).append(approval)
        return added

    def save(self) -> None:
        write_text(self.path, dumps(self.approvals))


def ledger_path(locales_dir: Path, locale: str) -> Path:
    return locales_dir / locale / LEDGER_NAME


def load(locales_dir: Path, locale: str, shown: str, pages: Iterable[str] | None) -> Ledger:
    """A locale's ledger (empty when there is none); `pages` are the known page domains."""
    path = ledger_path(locales_dir, locale)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Ledger(path, [])
    except (OSError, UnicodeDecodeError) as exc:
        raise L10nError(f"{shown}: cannot be read: {exc}") from None
    return Ledger(path, parse(text, shown, pages))


def approved(roles: set[str], required: Iterable[str]) -> bool:
    """Whether an entry with approvals in `roles` meets the gate: every required role, or
    any approval at all when the gate requires none."""
    needed = set(required)
    return needed <= roles if needed else bool(roles)
