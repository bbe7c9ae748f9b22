"""Dates taken from the inputs, never the clock, and shown as readers expect them."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

from babel.dates import format_date as babel_format_date

from .locales import parse_locale


def source_date(paths: list[Path], root: Path) -> datetime:
    """`SOURCE_DATE_EPOCH`, else the newest commit touching `paths`, else their mtime."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    existing = [p for p in paths if p.exists()]
    stamp = _git_time(existing, root)
    if stamp is None:
        stamp = max((int(p.stat().st_mtime) for p in existing), default=0)
    return datetime.fromtimestamp(stamp, UTC)


def _git_time(paths: list[Path], root: Path) -> int | None:
    if not paths:
        return None
    try:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *map(str, paths)],
            cwd=root, capture_output=True, text=True, timeout=10,
        )
        if dirty.returncode != 0 or dirty.stdout.strip():
            return None
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", *map(str, paths)],
            cwd=root, capture_output=True, text=True, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    return int(value) if out.returncode == 0 and value.isdigit() else None


def po_timestamp(moment: datetime) -> str:
    """The form gettext writes in catalog headers: `2026-11-28 07:35+0000`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M+0000")


def format_date(day: date, locale: str) -> str:
    """A long date in the reader's calendar: Thai readers count years in the Buddhist Era."""
    loc = parse_locale(locale)
    if loc.language == "th":
        return f"{babel_format_date(day, 'd MMMM', locale=loc)} พ.ศ. {day.year + 543}"
    return babel_format_date(day, "long", locale=loc)
