"""Web pages: a source page and a locale's translations through the Jinja2 templates."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, cast

import jinja2
from markupsafe import Markup, escape

from ..assets import TEMPLATES_DIR
from ..files import cache_dir
from ..safety import english_html, problems, vet
from ..segments import Annotate, Segment, render
from . import css

PAGE, PAGES = "\ue000", "\ue001"  # stand-ins for CSS page counters inside a ui string
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


@dataclass(frozen=True)
class Message:
    """A usable translation and where it stands in its catalog."""

    text: str
    path: str
    line: int


@dataclass(frozen=True)
class BuildWarning:
    """A translation the build did not use, or a template string it could not, and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


def css_string(value: str) -> Markup:
    return Markup(css.escape(str(value)))


def css_counter(value: str) -> Markup:
    """A translated "Page %(page)s of %(pages)s" as a CSS `content` value."""
    text = Markup(value).unescape() if isinstance(value, Markup) else str(value)
    parts: list[str] = []
    for piece in re.split(f"([{PAGE}{PAGES}])", text):
        if piece == PAGE:
            parts.append("counter(page)")
        elif piece == PAGES:
            parts.append("counter(pages)")
        elif piece:
            parts.append(f'"{css.escape(piece)}"')
    return Markup(" ".join(parts) or '""')


class _I18n(Protocol):
    """What jinja2.ext.i18n adds to its environment (by `Environment.extend`, untyped)."""

    def install_gettext_callables(
        self,
        gettext: Callable[[str], str],
        ngettext: Callable[[str, str, int], str],
        newstyle: bool | None = None,
    ) -> None: ...


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The page templates, compiled once per machine: Jinja2 keeps their code in the
    user's cache (under the template's digest), so each run and each worker need not
    compile them again."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        bytecode_cache=_compiled_templates(),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["css_counter"] = css_counter
    return env


def _compiled_templates() -> jinja2.BytecodeCache | None:
    folder = cache_dir("templates")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # no cache: templates are compiled in each process
    return jinja2.FileSystemBytecodeCache(str(folder))


def _ui_problem(msgid: str, text: str) -> str | None:
    """Why a ui translation cannot be used, or None.

    ui strings are plain text, escaped when rendered; one that carries markup, a link or a
    placeholder the English lacks is refused outright rather than shown escaped.
    """
    names = _PLACEHOLDER.findall(msgid)
    if sorted(names) != sorted(_PLACEHOLDER.findall(text)):
        return "placeholders differ from the English"
    try:  # Jinja formats every ui string with %: a stray % would stop the build
        text % {name: "" for name in names if name}
    except (ValueError, TypeError, KeyError):
        return "a lone % must be written %%"
    found = problems(msgid, text)
    return found[0] if found else None


def ui_messages(entries: Mapping[str, Message]) -> tuple[dict[str, str], list[BuildWarning]]:
    """The ui translations that are safe to use: plain text, placeholders as in the English."""
    usable, warnings = {}, []
    for msgid, message in entries.items():
        problem = _ui_problem(msgid, message.text)
        if problem:
            warnings.append(
                BuildWarning(
                    message.path, message.line, f"translation not used ({problem}); English shown"
                )
            )
            continue
        usable[msgid] = message.text
    return usable, warnings


def render_template(name: str, ui: Mapping[str, str], **context: object) -> str:
    """Fill a page template; ui strings are escaped, never trusted as markup."""
    env = environment()

    def gettext(message: str) -> Markup:
        return escape(ui.get(message, message))

    def ngettext(singular: str, plural: str, n: int) -> Markup:
        return gettext(singular if n == 1 else plural)

    english = context.get("lang") in (None, context.get("source_lang", "en"))

    def fallback(message: str) -> Markup:
        """` lang="en"` for the element of a ui string shown in English on a translated page."""
        return Markup("") if english or message in ui else Markup(' lang="en"')

    cast(_I18n, env).install_gettext_callables(gettext, ngettext, newstyle=True)
    return env.get_template(name).render(PAGE=PAGE, PAGES=PAGES, en=fallback, **context)


@dataclass
class TranslatedPage:
    """A page body in one language, and what fell back to English on the way."""

    html: str
    meta: dict[str, str]  # title and description
    fallbacks: list[Segment]  # segments shown in English
    warnings: list[BuildWarning]
    segments: int  # how many segments the page has


def translate_page(
    source: str,
    path: str,
    lang: str,
    messages: Mapping[str, Message],
    annotate: Annotate | None = None,
) -> TranslatedPage:
    """The page body in `lang`.

    A translation is used only when it is safe; otherwise the English stays, marked
    `lang="en"`, and a warning names the catalog line.  The English, on its own page or
    in a translated one, goes through the sanitiser a translation goes through.  `annotate`: see
    segments.render.
    """
    warnings: list[BuildWarning] = []

    def replace(seg: Segment, references: Mapping) -> str | None:
        message = messages.get(seg.text)
        if message is None:
            return None
        checked = vet(seg.text, message.text, references)
        if checked.html is None:
            warnings.append(
                BuildWarning(
                    message.path,
                    message.line,
                    f"translation not used ({checked.problem}); English shown",
                )
            )
        return checked.html

    def english_of(seg: Segment, scope: Mapping) -> str:
        return english_html(seg.text, scope)

    rendered = render(
        source,
        path,
        replace if lang != "en" else None,
        lang,
        source=english_of,
        annotate=annotate,
    )
    meta = {}
    for key in ("title", "description"):
        english = rendered.page.meta.get(key, "")
        message = messages.get(" ".join(english.split())) if lang != "en" else None
        meta[key] = english
        if message:
            checked = vet(english, message.text)
            if checked.html is None:
                warnings.append(
                    BuildWarning(
                        message.path,
                        message.line,
                        f"translation not used ({checked.problem}); English shown",
                    )
                )
            else:
                meta[key] = message.text
    fallbacks = [s for s in rendered.fallbacks if s.kind not in ("title", "description")]
    return TranslatedPage(rendered.html, meta, fallbacks, warnings, len(rendered.page.segments))
