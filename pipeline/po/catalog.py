"""Reading and writing gettext catalogs as GNU gettext does.

polib holds the catalog model.  Reading (`poread`) follows GNU's grammar and names the
line of the first error; around it, any charset the header declares, a UTF-8 BOM and
CRLF line endings are accepted.  Writing (`layout`) gives UTF-8, LF and the layout of
GNU's own tools, so that a translator's save and a pipeline run agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib

from ..errors import L10nError
from ..files import write_text
from . import read as poread
from .write import WRAP, dumps_many

_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")
_MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf]")


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


def parse(text: str, path: str, places: bool = True) -> polib.POFile:
    """A catalog from its text; any syntax problem is an L10nError naming the line.
    Without `places`, entries may lack their extracted comments and references."""
    po = poread.parse(text, path, places)
    po.wrapwidth = WRAP
    seen: dict[tuple[str | None, str], int | None] = {}
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
    return po


_READ: dict[tuple[str, str, bytes], tuple[str, polib.POFile]] = {}
READ_KEPT = 256  # catalogs a process keeps parsed


def read_kept(path: Path, shown: str) -> tuple[str, polib.POFile]:
    """A catalog's text and parse, made once per process while its bytes stay the same:
    the build reads a page's catalog, then checks it; every page of a locale reads its ui
    catalog. Not to be changed: the same objects are handed out again. OSError or
    L10nError as `load` raises them."""
    import hashlib

    data = path.read_bytes()
    key = (str(path), shown, hashlib.sha256(data).digest())
    found = _READ.get(key)
    if found is None:
        if len(_READ) >= READ_KEPT:
            del _READ[next(iter(_READ))]
        text = decode(data, shown)
        found = _READ[key] = (text, parse(text, shown))
    return found


def load(path: Path, shown: str | None = None) -> polib.POFile:
    """Read and check a catalog file; `shown` is the path that messages name."""
    return load_with_bytes(path, shown)[1]


def load_with_bytes(
    path: Path, shown: str | None = None, places: bool = True
) -> tuple[bytes, polib.POFile]:
    """A catalog file's bytes, and the catalog read and checked (as `load`; see `parse`
    for `places`)."""
    name = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise L10nError(f"{name}: cannot be read: {exc.strerror}") from None
    return data, parse(decode(data, name), name, places)


def dumps(po: polib.POFile) -> str:
    """The catalog as GNU gettext writes it: UTF-8, LF, msgcat's wrapping."""
    return dumps_many([po])[0]


def save(path: Path, po: polib.POFile) -> bool:
    """Write a catalog atomically; an unchanged catalog is not touched."""
    return write_text(path, dumps(po))


# A template's header line for each place of its page that cannot be translated.
UNTRANSLATABLE_NOTE = "Not translatable: "


def untranslatable(pot: Path) -> int:
    """How many places of a page its template names as not translatable: read from the
    header, without parsing the catalog."""
    count = 0
    try:
        with open(pot, encoding="utf-8") as handle:
            for line in handle:
                if not line.startswith("#"):
                    break
                count += line.startswith(f"# {UNTRANSLATABLE_NOTE}")
    except (OSError, UnicodeDecodeError):
        return 0
    return count
