"""l10n: English Markdown patient pages to checked, translated HTML and PDF."""

__version__ = "0.1.0"
