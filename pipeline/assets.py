"""Where the package keeps its data: page templates, stylesheet and scripts, fonts."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
FONTS_DIR = PACKAGE_DIR / "fonts"
