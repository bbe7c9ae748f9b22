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

from __future__ import annotations

import contextlib
import functools
import html
import html as htmllib
import re
import unicodedata
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path

import polib
from babel import Locale
from babel.core import get_global
from babel.numbers import get_decimal_symbol, get_group_symbol

from . import catalog, fonts, segments
from . import glossary as glossary_mod
from .errors import L10nError
from .glossary import Glossary
from .inline import Inline, render_inline
from .project import UI_DOMAIN, Project
from .safety import control_character
from .segments import Segment

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

    def inline(self, text: str) -> Inline:
        """A text rendered as in its page, reference links resolved."""
        return _inline(text, self.references)


CheckFunction = Callable[[Context], Iterable[str]]


@dataclass(frozen=True)
class Check:
    """A registered check; `function` is None for checks of a whole file (`syntax`)."""

    id: str
    severity: str
    description: str
    function: CheckFunction | None
    silenceable: bool = True


REGISTRY: dict[str, Check] = {}


def check(
    id: str, severity: str, description: str, silenceable: bool = True
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under `id`."""
    if severity not in (ERROR, WARNING):
        raise ValueError(f"severity must be {ERROR!r} or {WARNING!r}")

    def register(function: CheckFunction) -> CheckFunction:
        REGISTRY[id] = Check(id, severity, description, function, silenceable)
        return function

    return register


REGISTRY["syntax"] = Check(
    "syntax", ERROR, "the catalog parses (as GNU msgfmt would), with the line of the problem",
    None, silenceable=False,
)


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
            "errors": self.errors, "warnings": self.warnings, "silenced": self.silenced,
            "checked": self.checked, "fuzzy": self.fuzzy, "untranslated": self.untranslated,
            "obsolete": self.obsolete,
        }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(report: LocaleReport) -> str:
    """One line per locale, as `check` ends and `build` prints it."""
    return (
        f"{report.locale}: {_plural(report.errors, 'error')}, "
        f"{_plural(report.warnings, 'warning')}, {report.silenced} silenced, "
        f"{report.fuzzy} fuzzy, {report.untranslated} untranslated"
    )


# --- running -------------------------------------------------------------------------------


def check_message(
    english: str,
    translation: str,
    locale: str,
    domain: str,
    flags: Iterable[str] = (),
    glossary: Glossary | None = None,
    only: Iterable[str] | None = None,
    references: Mapping[str, tuple[str, str | None]] | None = None,
    entry: polib.POEntry | None = None,
) -> list[tuple[Check, str]]:
    """Every (check, message) for one translation; `build` may ask with only=SECURITY."""
    ctx = Context(
        english, translation, locale, domain, tuple(flags), glossary or Glossary(), entry,
        tuple(sorted((references or {}).items())),
    )
    wanted = set(only) if only is not None else None
    results = []
    for item in REGISTRY.values():
        if item.function is None or (wanted is not None and item.id not in wanted):
            continue
        results.extend((item, message) for message in item.function(ctx))
    return results


SECURITY = ("links", "unsafe-html")


def check_catalog(
    path: Path,
    shown: str,
    locale: str,
    domain: str,
    glossary: Glossary,
    references: Mapping[str, tuple[str, str | None]] | None = None,
) -> LocaleReport:
    """Findings and counts of one `.po` file; a file that does not parse is one finding."""
    report = LocaleReport(locale)
    try:
        text = catalog.decode(path.read_bytes(), shown)
        po = catalog.parse(text, shown)
    except OSError as exc:
        report.findings.append(Finding(shown, 1, "syntax", ERROR, exc.strerror or str(exc), locale))
        return report
    except L10nError as exc:
        line, message = _split_error(str(exc), shown)
        report.findings.append(Finding(shown, line, "syntax", ERROR, message, locale))
        return report
    lines = text.split("\n")
    nplurals = _nplurals(po)
    for entry in po:
        if entry.obsolete:
            report.obsolete += 1
            continue
        if "fuzzy" in entry.flags:
            report.fuzzy += 1
            continue
        if not entry.translated():
            report.untranslated += 1
            continue
        report.checked += 1
        for index, english, translation in _forms(entry, nplurals):
            line = _msgstr_line(lines, entry, index)
            for item, message in check_message(
                english, translation, locale, domain, entry.flags, glossary, None, references,
                entry,
            ):
                silenced = item.silenceable and f"ignore-{item.id}" in entry.flags
                report.findings.append(
                    Finding(shown, line, item.id, item.severity, message, locale, silenced)
                )
    return report


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


def run_checks(project: Project, locales: list[str]) -> CheckRun:
    """Check every locale asked for: `l10n check` and the release gate start here, and
    `build` can print `summary_line` of each report."""
    return CheckRun(check_project(project, locales))


def check_project(project: Project, locales: list[str]) -> list[LocaleReport]:
    """A report per locale over every domain: each template's, and any other `.po`."""
    glossary = glossary_mod.load(project.locales_dir)
    templates = {project.template_domain(p): p for p in project.templates()}
    references: dict[str, dict] = {}
    reports = []
    for locale in locales:
        total = LocaleReport(locale)
        folder = project.po_path(locale, UI_DOMAIN).parent  # locales/<locale>/LC_MESSAGES
        domains = set(templates)
        if folder.is_dir():
            domains |= {p.relative_to(folder).with_suffix("").as_posix()
                        for p in folder.rglob("*.po")}
        for domain in sorted(domains):
            path = project.po_path(locale, domain)
            if path.exists():
                if domain not in references:
                    references[domain] = _page_references(project, domain)
                part = check_catalog(path, project.rel(path), locale, domain, glossary,
                                     references[domain])
            else:  # no catalog yet: every message of the template is untranslated
                part = _untranslated(templates[domain], project.rel(templates[domain]), locale)
            total.findings += part.findings
            total.checked += part.checked
            total.fuzzy += part.fuzzy
            total.untranslated += part.untranslated
            total.obsolete += part.obsolete
        reports.append(total)
    return reports


def _page_references(project: Project, domain: str) -> dict:
    """The link reference definitions of a page, so that `[text][ref]` resolves in checks
    as it does when the page is built."""
    page = project.page_path(domain)
    found: dict = {}

    def capture(_segment: Segment, references: dict) -> None:
        found.update(references)

    if page.is_file():
        # extract reports a broken page; its catalogs are still checked
        with contextlib.suppress(L10nError, OSError, UnicodeDecodeError):
            segments.render(page.read_text(encoding="utf-8"), project.rel(page), capture)
    return found


def _untranslated(pot: Path, shown: str, locale: str) -> LocaleReport:
    report = LocaleReport(locale)
    try:
        po = catalog.load(pot, shown)
    except L10nError as exc:
        line, message = _split_error(str(exc), shown)
        report.findings.append(Finding(shown, line, "syntax", ERROR, message, locale))
        return report
    report.untranslated = sum(1 for e in po if not e.obsolete)
    return report


def _split_error(text: str, shown: str) -> tuple[int, str]:
    """`path:line: message` of an L10nError, as (line, message)."""
    rest = text.removeprefix(f"{shown}:")
    number, sep, message = rest.partition(": ")
    if sep and number.isdigit():
        return int(number), message
    return 1, rest.lstrip(": ")


def _nplurals(po: polib.POFile) -> int:
    found = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(found.group(1)) if found else 2


def _forms(entry: polib.POEntry, nplurals: int) -> Iterator[tuple[int | None, str, str]]:
    """(msgstr index, English, translation): form 0 answers the singular only where the
    language has more than one form; elsewhere it serves every count, so the plural."""
    if not entry.msgid_plural:
        yield None, entry.msgid, entry.msgstr
        return
    for index, translation in sorted(entry.msgstr_plural.items()):
        english = entry.msgid if index == 0 and nplurals > 1 else entry.msgid_plural
        yield index, english, translation


def _msgstr_line(lines: list[str], entry: polib.POEntry, index: int | None) -> int:
    """The line of the entry's `msgstr` (or `msgstr[index]`): polib only knows where the
    entry starts (its first comment), so scan forward from there."""
    keyword = "msgstr" if index is None else f"msgstr[{index}]"
    for number in range(max(entry.linenum - 1, 0), len(lines)):
        stripped = lines[number].lstrip()
        if stripped.startswith(keyword) and stripped[len(keyword):][:1] in (" ", "\t", '"'):
            return number + 1
    return entry.linenum


# --- helpers shared by the checks ----------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _inline(text: str, references: tuple = ()) -> Inline:
    return render_inline(text, dict(references))


def _visible(text: str) -> str:
    """The text a reader sees of a segment: rendered, tags and URLs gone."""
    rendered = re.sub(r"<[^>]*>", "", _inline(text).html)
    return html.unescape(rendered)


_SCRIPT_RANGES = {
    "Thai": ((0x0E00, 0x0E7F),),
    "Laoo": ((0x0E80, 0x0EFF),),
    "Khmr": ((0x1780, 0x17FF), (0x19E0, 0x19FF)),
    "Mymr": ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)),
}
_SCRIPT_NAMES = {
    "Thai": "Thai", "Laoo": "Lao", "Khmr": "Khmer", "Mymr": "Burmese", "Latn": "Latin script",
}
_UNSPACED = frozenset(_SCRIPT_RANGES)  # scripts that write words without spaces


@functools.cache
def _script(locale: str) -> str:
    """ISO 15924 script of a locale from CLDR's likely subtags (th -> Thai)."""
    try:
        loc = Locale.parse(locale.replace("-", "_"))
    except (ValueError, TypeError):
        return "Latn"
    if loc.script:
        return loc.script
    likely = get_global("likely_subtags").get(loc.language, "")
    return next((p.title() for p in likely.split("_")[1:] if len(p) == 4), "Latn")


def _in_script(ch: str, script: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in _SCRIPT_RANGES.get(script, ()))


# --- numbers -------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,'\u00a0\u202f\u2019]\d+)*")
_RANGE_GAP = re.compile(r"\s*[-~\u2010-\u2015\u2212\u301c]\s*")
_RATIO_GAP = re.compile(r"\s*:\s*")


def ascii_digits(text: str) -> str:
    """Native digits (Thai ๕, Lao ໕, Khmer ៥, Burmese ၅, ...) as 0-9."""
    return "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
    )


def _value(token: str, group: str, decimal: str) -> Decimal | None:
    """A number written with these separators, or None when it cannot be one."""
    whole, frac = token, ""
    if decimal in token:
        whole, _, frac = token.rpartition(decimal)
        if decimal in whole or not frac.isdigit():
            return None
    if group and group in whole:
        parts = whole.split(group)
        if not 1 <= len(parts[0]) <= 3 or any(len(p) != 3 for p in parts[1:]):
            return None
        whole = "".join(parts)
    if not whole.isdigit():
        return None
    try:
        return Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class _Unit:
    kind: str  # number, range or ratio
    text: str
    parts: tuple[frozenset, ...]  # each part's possible values


def _number_units(text: str, symbols: tuple[tuple[str, str], ...]) -> list[_Unit]:
    """Numbers, ranges (50–300) and ratios (4:1); each part may read several ways when
    the separators are ambiguous (1.000 is a thousand in Indonesian, one in English)."""
    text = ascii_digits(text)

    def values(token: str) -> frozenset:
        found = {_value(token, g, d) for g, d in symbols} - {None}
        return frozenset({token, *found})

    matches = list(_NUMBER.finditer(text))
    units: list[_Unit] = []
    i = 0
    while i < len(matches):
        here = matches[i]
        if i + 1 < len(matches):
            after = matches[i + 1]
            gap = text[here.end() : after.start()]
            kind = (
                "range" if _RANGE_GAP.fullmatch(gap)
                else "ratio" if _RATIO_GAP.fullmatch(gap) else None
            )
            if kind:
                parts = (values(here.group()), values(after.group()))
                units.append(_Unit(kind, text[here.start() : after.end()], parts))
                i += 2
                continue
        units.append(_Unit("number", here.group(), (values(here.group()),)))
        i += 1
    return units


@functools.cache
def _symbols(locale: str) -> tuple[tuple[str, str], ...]:
    try:
        own = (get_group_symbol(locale), get_decimal_symbol(locale))
    except (ValueError, TypeError):
        own = (",", ".")
    return tuple(dict.fromkeys([own, (",", ".")]))


def _found(unit: _Unit, units: list[_Unit]) -> bool:
    if unit.kind == "number":
        return any(unit.parts[0] & part for other in units for part in other.parts)
    return any(
        other.kind == unit.kind
        and all(a & b for a, b in zip(unit.parts, other.parts, strict=True))
        for other in units
    )


@check("numbers", ERROR, "every number, range (50–300) and ratio (4:1) of the English is kept")
def numbers(ctx: Context) -> Iterator[str]:
    theirs = _number_units(ctx.translation, _symbols(ctx.locale))
    reported = set()
    for unit in _number_units(ctx.english, ((",", "."),)):
        if unit.text not in reported and not _found(unit, theirs):
            reported.add(unit.text)
            yield f'"{unit.text}" is missing from the translation'


# --- links, markup and unsafe HTML ---------------------------------------------------------


@check("links", ERROR, "link and image targets are the English ones, no more, no fewer",
       silenceable=False)
def links(ctx: Context) -> Iterator[str]:
    ours = Counter(ctx.inline(ctx.english).targets)
    theirs = Counter(ctx.inline(ctx.translation).targets)
    missing, added = list((ours - theirs).elements()), list((theirs - ours).elements())
    while missing and added:
        yield f'link target "{missing.pop(0)}" changed to "{added.pop(0)}"'
    for target in missing:
        yield f'link target "{target}" is missing from the translation'
    for target in added:
        yield f'link target "{target}" is not in the English'


_MARKUP = {
    "strong": "bold (**…**)",
    "em": "emphasis (*…*)",
    "code": "code span (`…`)",
    "a": "link",
    "img": "image",
    "br": "line break",
}
_MARKERS = ("**", "__", "`")


class _RawTags(HTMLParser):
    """Tags, attributes and comments of raw HTML fragments."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.comments += 1


def _raw(fragment: str) -> _RawTags:
    parser = _RawTags()
    parser.feed(fragment)
    parser.close()
    return parser


def _markdown_tags(inline: Inline) -> Counter:
    """Elements the Markdown made, not those written as raw HTML."""
    tags = Counter(inline.tags)
    for fragment in inline.raw_html:
        tags -= Counter(tag for tag, _ in _raw(fragment).starts)
    return tags


@check("markup", ERROR, "bold, emphasis, code spans, links and images match the English in "
       "kind and number")
def markup(ctx: Context) -> Iterator[str]:
    ours, theirs = ctx.inline(ctx.english), ctx.inline(ctx.translation)
    mine, yours = _markdown_tags(ours), _markdown_tags(theirs)
    for tag in _MARKUP:
        if mine[tag] != yours[tag]:
            yield f"{_MARKUP[tag]}: {mine[tag]} in the English, {yours[tag]} in the translation"
    for marker in _MARKERS:
        if _visible(ctx.translation).count(marker) > _visible(ctx.english).count(marker):
            yield f'unbalanced "{marker}" in the translation'


_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_BAD_ELEMENTS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "form", "input", "button", "meta", "link", "base", "template", "noscript",
}
_URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "srcdoc", "background", "poster",
    "data", "srcset", "lowsrc", "dynsrc", "ping", "cite", "longdesc", "codebase", "manifest",
}
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_SAFE_SCHEMES = {"http", "https", "mailto", "tel"}  # as the build's sanitiser allows
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff]")


def unsafe_url(url: str) -> str | None:
    """The scheme of a URL when it is not a plain web, mail or phone link (javascript:,
    vbscript:, data:, ...), seen through entities, percent-encoding, case and the
    whitespace and control characters browsers drop; None when it is safe."""
    seen = None
    while seen != url:
        seen, url = url, urllib.parse.unquote(html.unescape(url))
    flat = _INVISIBLE.sub("", url).lower()
    for scheme in _BAD_SCHEMES:
        if flat.startswith(scheme):
            return scheme
    found = re.match(r"([a-z][a-z0-9+.-]*):", flat)
    return f"{found.group(1)}:" if found and found.group(1) not in _SAFE_SCHEMES else None


def _html_problems(fragment: str) -> tuple[list[str], set[str]]:
    """Why a raw HTML fragment is dangerous, and the URLs its attributes hold."""
    parsed = _raw(fragment)
    reasons: list[str] = []
    urls: set[str] = set()
    for tag, attrs in parsed.starts:
        if tag in _BAD_ELEMENTS:
            reasons.append(f"{tag} element")
        for name, value in attrs:
            if name.startswith("on"):
                reasons.append(f'event handler "{name}"')
            elif name == "style":
                reasons.append("style attribute")
            elif name in _URL_ATTRIBUTES and value is not None:
                urls.add(value)
                scheme = unsafe_url(value)
                if scheme:
                    reasons.append(f"{scheme} URL")
    if parsed.comments:
        reasons.append("comment")
    return list(dict.fromkeys(reasons)), urls


def _short(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


_SPELLED_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w-]*)")
_ACTIVE_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "style", "object", "embed", "applet", "svg",
    "math", "link", "meta", "base", "form", "template", "img", "video", "audio",
})


def _decoded(text: str) -> str:
    """Text with entities decoded, as often as a careless consumer might decode them."""
    for _ in range(3):
        decoded = htmllib.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def _spelled_tags(text: str) -> set[str]:
    """Active tags that appear only once entities are decoded (`&lt;script&gt;`)."""
    raw = {m.group(1).lower() for m in _SPELLED_TAG.finditer(text)}
    found = {m.group(1).lower() for m in _SPELLED_TAG.finditer(_decoded(text))}
    return (found - raw) & _ACTIVE_TAGS


@check("unsafe-html", ERROR, "no raw HTML, scripts, event handlers, styles or javascript:/"
       "data: URLs added by the translation", silenceable=False)
def unsafe_html(ctx: Context) -> Iterator[str]:
    bad = control_character(ctx.english, ctx.translation)  # build refuses these too
    if bad:
        yield bad
    for name in sorted(_spelled_tags(ctx.translation) - _spelled_tags(ctx.english)):
        yield (f"entities spell a <{name}> tag; the page shows it as text, but whatever "
               "decodes the text again would run it: write it without the tag")
    ours, theirs = ctx.inline(ctx.english), ctx.inline(ctx.translation)
    covered: set[str] = set()
    added = list((Counter(theirs.raw_html) - Counter(ours.raw_html)).elements())
    opening = [f for f in added if not f.startswith("</")]
    for fragment in opening or added:  # a closing tag is worth a line only on its own
        reasons, urls = _html_problems(fragment)
        covered |= urls
        why = f" ({', '.join(reasons)})" if reasons else ""
        yield f'raw HTML "{_short(fragment)}" is not allowed in a translation{why}'
    for target in dict.fromkeys(theirs.targets):
        scheme = unsafe_url(target)
        if scheme and target not in covered:
            yield f'link target "{_short(target)}" is a {scheme} URL'
    autolinks = {
        url if ":" in url else f"mailto:{url}": found.group()
        for found in _AUTOLINK.finditer(ctx.translation)
        for url in [found.group(1)]
    }
    referenced = {url for url, _title in dict(ctx.references).values()}
    for target in (Counter(theirs.targets) - Counter(ours.targets)):
        if target in covered or unsafe_url(target):
            continue
        if target in autolinks:
            yield f'autolink "{_short(autolinks[target])}" adds a link the English lacks'
        elif target in referenced:
            yield f'reference link to "{_short(target)}" adds a link the English lacks'


# --- placeholders --------------------------------------------------------------------------

_PRINTF_ANY = re.compile(
    r"%(?:\([^)]*\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]?"
)
_PRINTF_NAMED = re.compile(r"%\([A-Za-z_]\w*\)[#0 +\-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_JINJA = re.compile(r"\{\{-?\s*(.+?)\s*-?\}\}|\{%-?\s*(.+?)\s*-?%\}")
_BRACE = re.compile(r"(?<!\{)\{(?:[A-Za-z_]\w*|\d*)(?:\.\w+|\[\w+\])*(?:![rsa])?(?::[^{}]*)?\}")


def _placeholders(text: str, printf: bool) -> tuple[Counter, list[str]]:
    """Placeholders of a format string, and invalid `%` sequences when it is printf."""
    found: Counter = Counter()
    bad: list[str] = []
    rest = text
    for match in _JINJA.finditer(text):
        inner = match.group(1) or match.group(2)
        found["{{ " + inner + " }}" if match.group(1) else "{% " + inner + " %}"] += 1
    rest = _JINJA.sub(" ", rest)
    found.update(_BRACE.findall(rest))
    if printf:
        for match in _PRINTF_ANY.finditer(rest):
            token = match.group()
            if token[-1] in "diouxXeEfFgGcrsa%" and len(token) > 1:
                found[token] += 1
            else:
                bad.append(rest[match.start() : match.start() + 8])
    else:
        found.update(_PRINTF_NAMED.findall(rest))
    return found, bad


@check("placeholders", ERROR, "%(name)s, %s, {name} and {{ name }} placeholders kept exactly "
       "(ui strings and *-format entries)")
def placeholders(ctx: Context) -> Iterator[str]:
    formats = [f for f in ctx.flags if f.endswith("-format") and not f.startswith("no-")]
    if ctx.domain != UI_DOMAIN and not formats:
        return
    printf = "python-format" in ctx.flags or "c-format" in ctx.flags
    ours, _ = _placeholders(ctx.english, printf)
    theirs, bad = _placeholders(ctx.translation, printf)
    for token in (ours - theirs).elements():
        yield f'placeholder "{token}" is missing from the translation'
    for token in (theirs - ours).elements():
        yield f'placeholder "{token}" is not in the English'
    for snippet in bad:
        yield f'"%" not followed by a conversion at "{snippet}": write "%%" for a percent sign'


# --- terminology and fonts -----------------------------------------------------------------


def _contains(text: str, term: str, locale: str) -> bool:
    """Case-insensitive; spaces ignored in scripts that do not separate words with them."""
    hay, needle = glossary_mod.normalise(text).casefold(), glossary_mod.normalise(term).casefold()
    if _script(locale) in _UNSPACED:
        hay, needle = (re.sub(r"[\s\u200b]", "", s) for s in (hay, needle))
    return needle in hay


@check("glossary", ERROR, "approved glossary renderings used; do-not-translate terms kept as "
       "written")
def glossary(ctx: Context) -> Iterator[str]:
    for term in ctx.glossary.occurrences(ctx.english):
        wanted = glossary_mod.renderings(term, ctx.locale)
        if wanted and not any(_contains(ctx.translation, w, ctx.locale) for w in wanted):
            yield f'"{term.english}" is not rendered as "{wanted[0]}" (glossary)'
        for bad in glossary_mod.forbidden(term, ctx.locale):
            if _contains(ctx.translation, bad, ctx.locale):
                yield f'"{bad}" is a forbidden rendering of "{term.english}" (glossary)'
    for term in ctx.glossary.untranslatable(ctx.english):
        if glossary_mod.normalise(term) not in glossary_mod.normalise(ctx.translation):
            yield f'"{term}" must be kept as written (do-not-translate)'


@check("glyphs", ERROR, "every character is drawn by the fonts the build uses for the locale")
def glyphs(ctx: Context) -> Iterator[str]:
    try:
        missing = fonts.missing_glyphs(ctx.translation, ctx.locale)
    except ValueError as exc:
        yield str(exc)
        return
    if missing:
        names = ", ".join(
            f'"{ch}" (U+{ord(ch):04X} {unicodedata.name(ch, "unnamed")})' for ch in missing[:5]
        )
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        yield f"no glyph in the {ctx.locale} fonts for {names}{more}"


# --- punctuation, whitespace, unchanged, length --------------------------------------------

_CLOSERS = " \t\n*_`)]}\"'’”»›）"
_FULL_STOP = {"Khmr": "។", "Mymr": "။"}
_QUESTIONS = ("?", "？")
_MY_QUESTION = re.compile(r"(?:လား|လဲ|နည်း)\s*။\Z")


def _last(text: str) -> str:
    stripped = text.rstrip(_CLOSERS)
    return stripped[-1] if stripped else ""


def _latin_stops(text: str, script: str) -> int:
    """Latin full stops ending a sentence inside a Thai, Lao, Khmer or Burmese text; Thai
    and Lao abbreviations (พ.ศ., ดร.) are short runs between dots and are left alone."""
    count = 0
    for match in re.finditer(r"\.(?=[\s*_)\]\"'’”])", text):
        before = text[: match.start()]
        if before and _in_script(before[-1], script) and not _abbreviation(before, script):
            count += 1
    return count


def _abbreviation(before: str, script: str) -> bool:
    return script in ("Thai", "Laoo") and len(re.split(r"[\s.]", before)[-1]) <= 3


@check("punctuation", WARNING, "sentence-final punctuation follows the script (Khmer ។, Burmese "
       "။, none in Thai or Lao) and a question stays a question")
def punctuation(ctx: Context) -> Iterator[str]:
    script = _script(ctx.locale)
    name = _SCRIPT_NAMES.get(script, "")
    stop = _FULL_STOP.get(script)
    convention = f'end with "{stop}"' if stop else "take no full stop"
    ours, theirs = _last(ctx.english), _last(ctx.translation)
    body = ctx.translation.rstrip(_CLOSERS)
    if not theirs:
        return
    if ours in _QUESTIONS:
        burmese = script == "Mymr" and _MY_QUESTION.search(body)
        if theirs not in _QUESTIONS and not burmese:
            yield 'the English is a question but the translation does not end with "?"'
        return
    sentence = bool(ours) and ours in ".!…"
    if script in _UNSPACED and theirs == "." and not _abbreviation(body[:-1], script):
        yield f'ends with a Latin "."; {name} sentences {convention}'
    elif sentence and stop and theirs not in (stop, "៕", "!", "?", "…"):
        yield f'the English ends a sentence; {name} sentences {convention}'
    elif sentence and script not in _UNSPACED and theirs not in ".!?…":
        yield f'the English ends with "{ours}" but the translation has no final punctuation'
    elif ours and ours not in ".!?…:;" and theirs in (".", stop):
        yield f'the English has no final punctuation but the translation ends with "{theirs}"'
    if script in _UNSPACED:
        inner = _latin_stops(body[:-1] if theirs == "." else body, script)
        if inner:
            yield f'a Latin "." ends {_plural(inner, "sentence")} inside the text; ' \
                  f'{name} sentences {convention}'


_ZERO_WIDTH_HINTS = {"\u200b", "\u2060", "\u00ad"}  # word-break hints: ZWSP, WJ, soft hyphen
_JOINERS = {"\u200c", "\u200d"}


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control').lower()}"


def _stray(text: str, english: str, script: str) -> Iterator[str]:
    """Invisible characters where they do no good (or harm: bidi overrides)."""
    for i, ch in enumerate(text):
        if ch in english or ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"):
            continue
        before, after = text[i - 1 : i], text[i + 1 : i + 2]
        if ch in _ZERO_WIDTH_HINTS and script in _UNSPACED:
            if before.strip() and after.strip() and after not in _ZERO_WIDTH_HINTS:
                continue  # a break hint between two letters is how these scripts are written
        elif ch in _JOINERS and _in_script(before or " ", script) and \
                _in_script(after or " ", script):
            continue  # ZWJ/ZWNJ shape conjuncts inside a word
        yield f"stray {_char_name(ch)} at position {i + 1}"


@check("whitespace", WARNING, "leading/trailing whitespace as in the English; no doubled "
       "spaces, stray control or zero-width characters")
def whitespace(ctx: Context) -> Iterator[str]:
    en, tr = ctx.english, ctx.translation
    for side, pattern in (("leading", r"\A\s*"), ("trailing", r"\s*\Z")):
        ours, theirs = re.search(pattern, en).group(), re.search(pattern, tr).group()
        if ours != theirs:
            yield f"{side} whitespace {theirs!r} differs from the English ({ours!r})"
    doubled = re.compile(r"\S {2,}(?=[^\s])")  # "  \n" is a Markdown hard break
    if doubled.search(tr) and not doubled.search(en):
        yield f"doubled space at position {doubled.search(tr).start() + 2}"
    if "\t" in tr and "\t" not in en:
        yield "tab character in the translation"
    yield from dict.fromkeys(_stray(tr, en, _script(ctx.locale)))


@check("unchanged", WARNING, "translation differs from the English (do-not-translate terms "
       "and numbers alone may stay)")
def unchanged(ctx: Context) -> Iterator[str]:
    if ctx.translation.strip() != ctx.english.strip():
        return
    rest = _visible(ctx.english)
    for term in ctx.glossary.untranslatable(ctx.english):
        rest = rest.replace(term, " ")
    for term in ctx.glossary.occurrences(ctx.english):
        same = [w for w in glossary_mod.renderings(term, ctx.locale)
                if w.casefold() == term.english.casefold()]
        if same:
            rest = term.pattern().sub(" ", glossary_mod.normalise(rest))
    rest, _ = _PRINTF_ANY.subn(" ", _JINJA.sub(" ", _BRACE.sub(" ", rest)))
    if any(ch.isalpha() for ch in rest):
        yield "the translation is identical to the English"


# Usual translation/English ratio of visible letters, widened about twofold.
_BANDS = {
    "Latn": (0.5, 2.5),
    "Thai": (0.3, 2.2),
    "Laoo": (0.3, 2.2),
    "Khmr": (0.25, 2.0),
    "Mymr": (0.2, 2.2),
}
_SHORT = 20


def _size(text: str) -> int:
    """Letters a reader sees: combining marks and spaces do not count, so scripts that
    stack vowels and tones compare fairly with English."""
    return sum(
        1 for ch in _visible(text) if not ch.isspace() and unicodedata.category(ch)[0] != "M"
    )


@check("length", WARNING, "translation length within the usual ratio to the English for the "
       "script")
def length(ctx: Context) -> Iterator[str]:
    ours, theirs = _size(ctx.english), _size(ctx.translation)
    if not ours:
        return
    low, high = _BANDS.get(_script(ctx.locale), (0.3, 3.0))
    ratio = theirs / ours
    name = _SCRIPT_NAMES.get(_script(ctx.locale), "this script")
    usual = f"usual for {name} is {low}–{high}"
    if ours >= _SHORT and not low <= ratio <= high:
        yield f"the translation is {ratio:.2f}× the length of the English ({usual})"
    elif ours < _SHORT and theirs > high * ours + _SHORT:
        yield f"the translation is {theirs} letters for {ours} in the English ({usual})"
