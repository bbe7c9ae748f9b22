"""Reading and writing gettext catalogs as GNU gettext does.

polib holds the catalog model.  Around it: a strict line check first (polib accepts an
unterminated string or an unknown escape silently), any charset the header declares,
a UTF-8 BOM and CRLF line endings on the way in; UTF-8, LF and the wrapping of GNU's
own tools on the way out, so that a translator's save and a pipeline run agree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import polib

from .errors import L10nError
from .files import write_text

WRAP = 79

_KEYWORD = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s*(".*)\Z')
_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")
_MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf]")
_ESCAPES = set('\\"ntrabfv01234567x')
_OBSOLETE_PREVIOUS = re.compile(r"^([ \t]*)#~\|", re.M)  # polib skips these lines


@dataclass(frozen=True)
class CatalogError:
    line: int
    message: str


def lint(text: str) -> CatalogError | None:
    """The first syntax error GNU msgfmt would stop at, with its line; None if clean."""
    expect_string = False
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            line = line[2:].strip()
            if line.startswith("|"):
                line = line[1:].strip()
        elif line.startswith("#"):
            continue
        if not line:
            continue
        match = _KEYWORD.match(line)
        if match:
            line = match.group(2)
            expect_string = True
        elif not line.startswith('"'):
            word = line.split()[0][:30]
            return CatalogError(number, f"syntax error: unexpected {word!r}")
        elif not expect_string:
            return CatalogError(number, "syntax error: string without a keyword")
        problem = _string_problem(line)
        if problem:
            return CatalogError(number, problem)
    return None


def _string_problem(token: str) -> str | None:
    """Check one quoted string token: terminated, valid escapes, nothing after it."""
    i = 1
    while i < len(token):
        ch = token[i]
        if ch == "\\":
            nxt = token[i + 1] if i + 1 < len(token) else ""
            if nxt not in _ESCAPES or not nxt:
                return f"invalid escape sequence \\{nxt}" if nxt else "unterminated string"
            i += 2
            continue
        if ch == '"':
            rest = token[i + 1 :].strip()
            if rest:
                return f"syntax error: unexpected {rest[:30]!r} after the string"
            return None
        i += 1
    return "unterminated string"


def decode(data: bytes, path: str) -> str:
    """Text of a catalog in the charset its header declares (BOM and CRLF accepted)."""
    if not data.strip():
        raise L10nError(f"{path}:1: empty catalog (expected a header entry and messages)")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise L10nError(f"{path}:{line}: not a text catalog (NUL byte)")
    data = data.removeprefix(b"\xef\xbb\xbf")
    found = _CHARSET.search(data)
    charset = found.group(1).decode("ascii") if found else "UTF-8"
    if charset.upper() == "CHARSET":
        charset = "UTF-8"
    try:
        text = data.decode(charset)
    except LookupError:
        line = data[: found.start()].count(b"\n") + 1 if found else 1
        raise L10nError(f"{path}:{line}: unknown charset {charset!r} in the header") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise L10nError(
            f"{path}:{line}: invalid {charset} byte 0x{data[exc.start]:02x}; "
            "the header's charset must match the file's encoding"
        ) from None
    if charset.replace("-", "").upper() != "UTF8" and _MOJIBAKE.search(text) and _is_utf8(data):
        line = next(n for n, ln in enumerate(text.split("\n"), 1) if _MOJIBAKE.search(ln))
        raise L10nError(
                f"{path}:{line}: the header declares charset {charset} but the file is UTF-8; "
                "change the header to charset=UTF-8"
            )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _LFLines(str):
    """Catalog text that polib splits at LF only, as gettext does: str.splitlines() also
    splits at U+2028, U+2029, U+0085 and FS/GS/RS, which may stand inside a msgstr."""

    def splitlines(self, keepends: bool = False) -> list[str]:
        lines = self.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [line + "\n" for line in lines] if keepends else lines


_C_ESCAPE = re.compile(r"\\([0-7]{1,3}|x[0-9A-Fa-f]*|.)")
_STRING_LINE = re.compile(r"\s*(?:#[~|]\s*)*(?:msg|\")")
_CONTROL_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_POLIB_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _c_escapes(text: str, path: str) -> str:
    """Decode the C escapes that GNU gettext reads and polib does not (`\\a \\b \\f \\v`,
    which msgcat itself writes for those control characters, and octal or hex ones), so
    that polib does not take them for a backslash and a letter."""
    if "\\" not in text:
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if "\\" not in line or not _STRING_LINE.match(line):
            continue

        def decode(found: re.Match, number: int = number) -> str:
            code = found.group(1)
            if code in _CONTROL_ESCAPES:
                return _CONTROL_ESCAPES[code]
            if code[0] not in "01234567x":
                return found.group()  # \\ \n \t \r \": polib's own
            value = int(code[1:], 16) if code[0] == "x" and len(code) > 1 else \
                int(code, 8) if code[0] != "x" else -1
            if not 0 < value < 0x80:
                raise L10nError(f"{path}:{number}: escape sequence \\{code} is not supported; "
                                "write the character itself")
            char = chr(value)
            return _POLIB_ESCAPES.get(char, char)

        lines[number - 1] = _C_ESCAPE.sub(decode, line)
    return "\n".join(lines)


def parse(text: str, path: str) -> polib.POFile:
    """A catalog from its text; any syntax problem is an L10nError naming the line."""
    problem = lint(text)
    if problem:
        raise L10nError(f"{path}:{problem.line}: {problem.message}")
    text = _c_escapes(text, path)
    try:
        # polib drops the previous msgid of obsolete entries (`#~| msgid`); read those
        # lines as `#|` so that the entry that follows keeps them, as gettext does.
        text = _OBSOLETE_PREVIOUS.sub(r"\1#|", text)
        po = polib.pofile(_LFLines(text if "\n" in text else text + "\n"), wrapwidth=WRAP)
    except (OSError, ValueError) as exc:
        found = re.search(r"\(line (\d+)\)", str(exc))
        line = found.group(1) if found else "1"
        reason = str(exc).split(":", 1)[-1].strip() if ":" in str(exc) else ""
        detail = f": {reason}" if reason else ""
        raise L10nError(f"{path}:{line}: syntax error{detail}") from None
    seen: dict[tuple[str | None, str], int] = {}
    for entry in po:
        key = (entry.msgctxt, entry.msgid)
        if entry.obsolete:
            continue
        if key in seen:
            raise L10nError(
                f"{path}:{entry.linenum}: duplicate message {entry.msgid[:40]!r} "
                f"(first defined at line {seen[key]})"
            )
        seen[key] = entry.linenum
    if not po.metadata:
        raise L10nError(f'{path}:1: missing header entry (msgid ""); add one or run "l10n init"')
    return po


def load(path: Path, shown: str | None = None) -> polib.POFile:
    """Read and check a catalog file; `shown` is the path that messages name."""
    name = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise L10nError(f"{name}: cannot be read: {exc.strerror}") from None
    return parse(decode(data, name), name)


def dumps(po: polib.POFile) -> str:
    """The catalog as GNU gettext writes it: UTF-8, LF, msgcat's wrapping."""
    po.wrapwidth = WRAP
    if po.metadata.get("Content-Type", "").lower().find("charset=") >= 0:
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.encoding = "utf-8"
    text = str(po)
    if not po.header:
        text = text.removeprefix("#\n")  # polib writes a lone "#" for no header comment
    if not text.endswith("\n"):
        text += "\n"
    return _gnu_format(text)


def _gnu_format(text: str) -> str:
    """Let GNU msgcat lay the file out when it is installed: the wrapping of Thai, Khmer
    or Burmese depends on libunistring's line breaking, which nothing else reproduces."""
    msgcat = shutil.which("msgcat")
    if not msgcat:
        return text
    done = subprocess.run(
        [msgcat, "--force-po", "-"],  # a header-only catalog is written, not dropped
        input=_protect_flags(text).encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        return text
    return _restore_flags(done.stdout.decode("utf-8"))


_FORMATS = frozenset({
    "c", "objc", "c++", "python", "python-brace", "java", "java-printf", "csharp",
    "javascript", "scheme", "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua",
    "object-pascal", "smalltalk", "qt", "qt-plural", "kde", "kde-kuit", "boost", "tcl", "perl",
    "perl-brace", "php", "gcc-internal", "gfc-internal", "ycp",
})
_GNU_FLAGS = {"fuzzy", "wrap", "no-wrap"} | {f"{x}-format" for x in _FORMATS} | {
    f"no-{x}-format" for x in _FORMATS}
_KEEP = "# \u2063l10n-flags: "  # a comment line msgcat carries where a flag would be lost


def _gnu_flag(flag: str) -> bool:
    return flag in _GNU_FLAGS or flag.startswith("range:")


def _protect_flags(text: str) -> str:
    """Flags GNU tools do not know (Weblate's `ignore-<check>`) would be dropped by
    msgcat: carry them across as a comment line, restored by `_restore_flags`."""
    out = []
    for line in text.split("\n"):
        if line.startswith("#, "):
            flags = [f.strip() for f in line[3:].split(",") if f.strip()]
            extra = [f for f in flags if not _gnu_flag(f)]
            if extra:
                out.append(_KEEP + ", ".join(extra))
                known = [f for f in flags if _gnu_flag(f)]
                if known:
                    out.append("#, " + ", ".join(known))
                continue
        out.append(line)
    return "\n".join(out)


def _restore_flags(text: str) -> str:
    if _KEEP not in text:
        return text
    blocks = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        extra = [ln[len(_KEEP):] for ln in lines if ln.startswith(_KEEP)]
        if extra:
            lines = [ln for ln in lines if not ln.startswith(_KEEP)]
            flags = ", ".join(extra)
            at = next((i for i, ln in enumerate(lines) if ln.startswith("#, ")), None)
            if at is not None:
                lines[at] = f"{lines[at]}, {flags}"
            else:
                at = next(i for i, ln in enumerate(lines)
                          if not ln.startswith(("# ", "#.", "#:")) and ln != "#")
                lines.insert(at, f"#, {flags}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def save(path: Path, po: polib.POFile) -> bool:
    """Write a catalog atomically; an unchanged catalog is not touched."""
    return write_text(path, dumps(po))
