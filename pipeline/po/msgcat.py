"""GNU msgcat as the authority on PO layout, and the flag vocabulary it knows.

msgcat decides what no Python library reproduces (libunistring's line breaking), but
it drops the flags it does not know (Weblate's `ignore-<check>`): those cross it as a
marker comment and are put back after the flags GNU writes.
"""

from __future__ import annotations

import shutil
import subprocess

import polib

# Format flags in the order GNU gettext 0.21 writes them (its `format_language` table).
# `c++` is in _FORMATS because newer gettext knows it; 0.21 reads and drops it.
GNU_FORMAT_ORDER = (
    "c",
    "objc",
    "python",
    "python-brace",
    "java",
    "java-printf",
    "csharp",
    "javascript",
    "scheme",
    "lisp",
    "elisp",
    "librep",
    "ruby",
    "sh",
    "awk",
    "lua",
    "object-pascal",
    "smalltalk",
    "qt",
    "qt-plural",
    "kde",
    "kde-kuit",
    "boost",
    "tcl",
    "perl",
    "perl-brace",
    "php",
    "gcc-internal",
    "gfc-internal",
    "ycp",
)
_FORMATS = frozenset(GNU_FORMAT_ORDER) | {"c++"}
_GNU_FLAGS = (
    {"fuzzy", "wrap", "no-wrap"}
    | {f"{x}-format" for x in _FORMATS}
    | {f"no-{x}-format" for x in _FORMATS}
)
KEEP = "# \u2063l10n-flags: "  # a comment line msgcat carries where a flag would be lost


def executable() -> str | None:
    return shutil.which("msgcat")


def run(msgcat: str, text: str) -> str | None:
    """msgcat's rewriting of a catalog text; None when it refuses the text."""
    done = subprocess.run(
        [msgcat, "--force-po", "-"],  # a header-only catalog is written, not dropped
        input=text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return done.stdout.decode("utf-8")


def is_gnu_flag(flag: str) -> bool:
    return flag in _GNU_FLAGS or flag.startswith("range:")


def split_flags(flags: list[str]) -> list[str]:
    """The flags as GNU reads polib's `#, ` line: a flag holding a comma is two."""
    return [f.strip() for f in ", ".join(flags).split(",") if f.strip()]


def protect_flags(text: str) -> str:
    """Move the flags GNU tools do not know into a `KEEP` comment line."""
    out = []
    for line in text.split("\n"):
        if line.startswith("#, "):
            flags = split_flags([line[3:]])
            extra = [f for f in flags if not is_gnu_flag(f)]
            if extra:
                out.append(KEEP + ", ".join(extra))
                known = [f for f in flags if is_gnu_flag(f)]
                if known:
                    out.append("#, " + ", ".join(known))
                continue
        out.append(line)
    return "\n".join(out)


def restore_block(lines: list[str]) -> list[str]:
    """Put one entry's protected flags back after the flags GNU wrote."""
    extra = [ln[len(KEEP) :] for ln in lines if ln.startswith(KEEP)]
    if not extra:
        return lines
    lines = [ln for ln in lines if not ln.startswith(KEEP)]
    flags = ", ".join(extra)
    at = next((i for i, ln in enumerate(lines) if ln.startswith("#, ")), None)
    if at is not None:
        lines[at] = f"{lines[at]}, {flags}"
    else:
        at = next(
            (
                i
                for i, ln in enumerate(lines)
                if not ln.startswith(("# ", "#.", "#:")) and ln != "#"
            ),
            len(lines),
        )
        lines.insert(at, f"#, {flags}")
    return lines


def restore_flags(text: str) -> str:
    if KEEP not in text:
        return text
    blocks = text.split("\n\n")
    return "\n\n".join("\n".join(restore_block(b.split("\n"))) for b in blocks)


def polib_text(po: polib.POFile) -> str:
    """polib's own rendering, the input GNU tools are given on the slow path."""
    text = str(po)
    if not po.header:
        text = text.removeprefix("#\n")  # polib writes a lone "#" for no header comment
    return text if text.endswith("\n") else text + "\n"


def format_one(text: str) -> str:
    """One catalog laid out by its own msgcat run, for what a shared run cannot model; a
    catalog msgcat refuses, or a machine without msgcat, gets the text back as it was."""
    msgcat = executable()
    done = run(msgcat, protect_flags(text)) if msgcat else None
    return text if done is None else restore_flags(done)
