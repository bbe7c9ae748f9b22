"""Where the package keeps its data: page templates, stylesheet and scripts, fonts."""

from __future__ import annotations

import functools
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
FONTS_DIR = PACKAGE_DIR / "fonts"
# The fonts' WOFF2 conversions; apart from FONTS_DIR, which the PDF step hands to
# fontconfig as the only fonts there are (it would take these for more faces).
WEBFONTS_DIR = PACKAGE_DIR / "webfonts"


@functools.cache
def package_files(folder: str, pattern: str) -> tuple[Path, ...]:
    """The package's files in `folder` that match `pattern`, sorted: listed once a process
    (the tool does not change while it runs), while their bytes are read every time."""
    return tuple(sorted((PACKAGE_DIR / folder).glob(pattern)))
