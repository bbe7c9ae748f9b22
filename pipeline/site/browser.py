"""Which Chromium prints the handouts, and with what settings.

Chromium's headless shell is preferred when installed: the same engine, so the same PDF
bytes, without the browser's own interface, which the full browser draws (and updates at
every navigation) even when headless, for much of the CPU a handout costs
(docs/benchmarks.md).

Kept apart from the printing itself (site.pdf, which imports asyncio and fontTools), so that
deciding whether anything needs printing costs no more than a few stat calls.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import L10nError

BROWSER_NAMES = (
    "chromium-headless-shell",
    "chrome-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
)
BROWSER_ENV = "L10N_BROWSER"
INSTALL_HINT = (
    "install Chromium (Debian: 'apt-get install chromium-headless-shell', or "
    "'apt-get install chromium') or point "
    f"{BROWSER_ENV} (or [tool.l10n] browser) at a Chromium-family browser; "
    "'l10n build -f html' works without one"
)


@dataclass(frozen=True)
class Settings:
    """What every worker needs: the browser, the paper and the document's people."""

    browser: str
    paper: str = "A4"
    author: str = ""
    publisher: str = ""


def find_browser(setting: str | None = None, root: Path | None = None) -> str:
    """The Chromium to print with: the setting, $L10N_BROWSER, then PATH (headless shell first)."""
    for value, origin in (
        (setting, "[tool.l10n] browser"),
        (os.environ.get(BROWSER_ENV), BROWSER_ENV),
    ):
        if not value or not value.strip():
            continue
        value = value.strip()
        if "/" in value:
            path = Path(value).expanduser()
            if not path.is_absolute() and root is not None:
                path = root / path
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
            found = None
        else:
            found = shutil.which(value)
        if found:
            return found
        raise L10nError(
            f"{origin} names {value!r}, which is not an executable browser; {INSTALL_HINT}"
        )
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise L10nError(f"cannot print PDF handouts: no Chromium found on PATH; {INSTALL_HINT}")
