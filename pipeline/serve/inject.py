"""What only served pages carry: the reload script, the findings panel, the review view.

Added to the HTML on its way out of the server, never to the files in `build/`.
Translations and findings are untrusted text: the templates escape everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from ..checks.model import Finding

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
STATE_LABELS = {
    "fuzzy": "fuzzy",
    "untranslated": "untranslated",
    "missing": "not in catalog",
    "unsafe": "refused",
}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)


def inject(html: str, head: str, tail: str = "") -> str:
    """`head` at the end of the document's head, `tail` at the end of its body."""
    at = html.find("</head>")
    html = html + head if at < 0 else html[:at] + head + html[at:]
    at = html.rfind("</body>")
    return html + tail if at < 0 else html[:at] + tail + html[at:]


def head(key: str, version: int) -> str:
    return render("head.html", key=key, version=version)


@dataclass
class Panel:
    """The findings panel of one page in one locale."""

    catalog: str
    review_href: str
    findings: list[Finding]
    work: list  # annotate.Mark of segments shown in English
    problems: list[str]

    def html(self) -> str:
        errors = sum(1 for f in self.findings if f.severity == "error")
        parts = [f"{len(self.findings)} finding{'s' if len(self.findings) != 1 else ''}"]
        if errors:
            parts[0] += f" ({errors} error{'s' if errors != 1 else ''})"
        if self.work:
            parts.append(f"{len(self.work)} shown in English")
        if self.problems:
            parts.insert(0, "cannot be built")
        return render(
            "panel.html",
            catalog=self.catalog,
            review_href=self.review_href,
            findings=self.findings,
            work=self.work,
            problems=self.problems,
            labels=STATE_LABELS,
            summary="Translation: " + ", ".join(parts),
            open=bool(self.findings or self.problems),
        )
