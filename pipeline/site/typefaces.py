"""What pages say of their fonts (the @font-face rules, the font stack) and which WOFF2
files those name, kept in the user's cache under the digest of the tool and the fonts.

Working them out reads every bundled font's character map and asks Unicode about each
character it maps: more than a one-page build spends on its page.  The answers depend
on nothing but the fonts and the code, so a process that finds them kept takes them as
they are, and loads no font at all.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable

from ..assets import FONTS_DIR
from ..files import cache_dir, content_digest, read_object, write_replaceable

_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


class Typefaces:
    """The answers of one tool and set of fonts, by question."""

    def __init__(self, tool: str) -> None:
        digest = hashlib.sha256(tool.encode())
        for path in sorted(FONTS_DIR.glob("*.[ot]tf")):
            digest.update(path.name.encode() + b"\0" + content_digest(path))
        self.key = digest.hexdigest()[:32]
        self.path = cache_dir("fonts") / f"faces-{self.key}.json"
        self.kept = read_object(self.path)

    def _answer(self, question: str, make: Callable[[], str | list[str]]) -> str | list[str]:
        found = self.kept.get(question)
        if isinstance(found, str) or (
            isinstance(found, list) and all(isinstance(x, str) for x in found)
        ):
            return found
        found = self.kept[question] = make()
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            write_replaceable(self.path, json.dumps(self.kept, ensure_ascii=False).encode())
        return found

    def css(self, locale: str, prefix: str, built: Iterable[str]) -> str:
        """fonts.font_face_css."""
        from . import fonts

        shown = list(built)
        question = json.dumps(["css", locale, prefix, shown])
        return str(self._answer(question, lambda: fonts.font_face_css(locale, prefix, shown)))

    def stack(self, locale: str, built: Iterable[str]) -> str:
        """fonts.font_stack."""
        from . import fonts

        shown = list(built)
        question = json.dumps(["stack", locale, shown])
        return str(self._answer(question, lambda: fonts.font_stack(locale, shown)))

    def woff2(self, locale: str) -> list[str]:
        """The names of the WOFF2 files of fonts.fonts_for(locale)."""
        from . import fonts

        found = self._answer(
            json.dumps(["woff2", locale]),
            lambda: [fonts.woff2_name(font) for font in fonts.fonts_for(locale)],
        )
        return list(found)

    def coverage(self, locale: str) -> frozenset[str]:
        """fonts.coverage as characters: what the glyphs check holds a text to (a file of
        its own per locale: some thousand characters that a page never needs)."""
        from . import fonts

        if not _CODE.fullmatch(locale):  # not a name for a file: asked every time
            return frozenset(map(chr, fonts.coverage(locale)))
        path = cache_dir("fonts") / f"coverage-{self.key}-{locale}.txt"
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return frozenset(path.read_bytes().decode("utf-8"))  # CR and LF as they are
        found = "".join(sorted(map(chr, fonts.coverage(locale))))
        with contextlib.suppress(OSError, UnicodeEncodeError):
            write_replaceable(path, found.encode("utf-8"))
        return frozenset(found)


@functools.cache
def typefaces() -> Typefaces:
    """This process's answers (the tool does not change while it runs)."""
    from .snapshot import tool_digest

    return Typefaces(tool_digest())
