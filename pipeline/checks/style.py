"""Checks of style: punctuation of the script, whitespace, untranslated text, length."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from .. import glossary as glossary_mod
from .content import BRACE, JINJA, PRINTF_ANY
from .model import WARNING, Context
from .registry import check
from .text import SCRIPT_NAMES, UNSPACED, in_script, letters, plural, script_of, visible

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
        if before and in_script(before[-1], script) and not _abbreviation(before, script):
            count += 1
    return count


def _abbreviation(before: str, script: str) -> bool:
    return script in ("Thai", "Laoo") and len(re.split(r"[\s.]", before)[-1]) <= 3


@check(
    "punctuation",
    WARNING,
    "sentence-final punctuation follows the script (Khmer ។, Burmese "
    "။, none in Thai or Lao) and a question stays a question",
)
def punctuation(ctx: Context) -> Iterator[str]:
    script = script_of(ctx.locale)
    name = SCRIPT_NAMES.get(script, "")
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
    if script in UNSPACED and theirs == "." and not _abbreviation(body[:-1], script):
        yield f'ends with a Latin "."; {name} sentences {convention}'
    elif sentence and stop and theirs not in (stop, "៕", "!", "?", "…"):
        yield f"the English ends a sentence; {name} sentences {convention}"
    elif sentence and script not in UNSPACED and theirs not in ".!?…":
        yield f'the English ends with "{ours}" but the translation has no final punctuation'
    elif ours and ours not in ".!?…:;" and theirs in (".", stop):
        yield f'the English has no final punctuation but the translation ends with "{theirs}"'
    if script in UNSPACED:
        inner = _latin_stops(body[:-1] if theirs == "." else body, script)
        if inner:
            yield (
                f'a Latin "." ends {plural(inner, "sentence")} inside the text; '
                f"{name} sentences {convention}"
            )


_ZERO_WIDTH_HINTS = {"\u200b", "\u2060", "\u00ad"}  # word-break hints: ZWSP, WJ, soft hyphen
_JOINERS = {"\u200c", "\u200d"}


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control').lower()}"


def _stray(text: str, english: str, script: str) -> Iterator[str]:
    """Invisible characters where they do no good (or harm: bidi overrides)."""
    if text.isprintable():
        return  # no control or format character at all
    for i, ch in enumerate(text):
        if ch in english or ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"):
            continue
        before, after = text[i - 1 : i], text[i + 1 : i + 2]
        if ch in _ZERO_WIDTH_HINTS and script in UNSPACED:
            if before.strip() and after.strip() and after not in _ZERO_WIDTH_HINTS:
                continue  # a break hint between two letters is how these scripts are written
        elif (
            ch in _JOINERS and in_script(before or " ", script) and in_script(after or " ", script)
        ):
            continue  # ZWJ/ZWNJ shape conjuncts inside a word
        yield f"stray {_char_name(ch)} at position {i + 1}"


_DOUBLED = re.compile(r"\S {2,}(?=[^\s])")  # "  \n" is a Markdown hard break


@check(
    "whitespace",
    WARNING,
    "leading/trailing whitespace as in the English; no doubled "
    "spaces, stray control or zero-width characters",
)
def whitespace(ctx: Context) -> Iterator[str]:
    en, tr = ctx.english, ctx.translation
    edges = (
        ("leading", en[: len(en) - len(en.lstrip())], tr[: len(tr) - len(tr.lstrip())]),
        ("trailing", en[len(en.rstrip()) :], tr[len(tr.rstrip()) :]),
    )
    for side, ours, theirs in edges:
        if ours != theirs:
            yield f"{side} whitespace {theirs!r} differs from the English ({ours!r})"
    found = _DOUBLED.search(tr)
    if found and not _DOUBLED.search(en):
        yield f"doubled space at position {found.start() + 2}"
    if "\t" in tr and "\t" not in en:
        yield "tab character in the translation"
    yield from dict.fromkeys(_stray(tr, en, script_of(ctx.locale)))


@check(
    "unchanged",
    WARNING,
    "translation differs from the English (do-not-translate terms and numbers alone may stay)",
)
def unchanged(ctx: Context) -> Iterator[str]:
    if ctx.translation.strip() != ctx.english.strip():
        return
    rest = visible(ctx.english)
    for kept in ctx.glossary.untranslatable(ctx.english):
        rest = rest.replace(kept, " ")
    for term in ctx.glossary.occurrences(ctx.english):
        same = [
            w
            for w in glossary_mod.renderings(term, ctx.locale)
            if w.casefold() == term.english.casefold()
        ]
        if same:
            rest = term.pattern().sub(" ", glossary_mod.normalise(rest))
    rest, _ = PRINTF_ANY.subn(" ", JINJA.sub(" ", BRACE.sub(" ", rest)))
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


@functools.lru_cache(maxsize=8192)  # an English text is measured once for every locale
def _size(text: str) -> int:
    """Letters a reader sees: combining marks and spaces do not count, so scripts that
    stack vowels and tones compare fairly with English."""
    return letters(visible(text))


@check("length", WARNING, "translation length within the usual ratio to the English for the script")
def length(ctx: Context) -> Iterator[str]:
    ours, theirs = _size(ctx.english), _size(ctx.translation)
    if not ours:
        return
    low, high = _BANDS.get(script_of(ctx.locale), (0.3, 3.0))
    ratio = theirs / ours
    name = SCRIPT_NAMES.get(script_of(ctx.locale), "this script")
    usual = f"usual for {name} is {low}–{high}"
    if ours >= _SHORT and not low <= ratio <= high:
        yield f"the translation is {ratio:.2f}× the length of the English ({usual})"
    elif ours < _SHORT and theirs > high * ours + _SHORT:
        yield f"the translation is {theirs} letters for {ours} in the English ({usual})"
