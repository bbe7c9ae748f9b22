"""The layout path catalog.dumps had before pipeline.po.write: polib's text, then one
GNU `msgcat --force-po -` per catalog.  Kept verbatim as the oracle for tests."""

from __future__ import annotations

import shutil
import subprocess

import polib

_FORMATS = frozenset(
    {
        "c",
        "objc",
        "c++",
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
    }
)
_GNU_FLAGS = (
    {"fuzzy", "wrap", "no-wrap"}
    | {f"{x}-format" for x in _FORMATS}
    | {f"no-{x}-format" for x in _FORMATS}
)
_KEEP = "# \u2063l10n-flags: "


def dumps(po: polib.POFile) -> str:
    po.wrapwidth = 79
    if po.metadata.get("Content-Type", "").lower().find("charset=") >= 0:
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.encoding = "utf-8"
    text = str(po)
    if not po.header:
        text = text.removeprefix("#\n")
    if getattr(po, "headerless", False):  # a header is optional: none is invented
        text = text.removeprefix('msgid ""\nmsgstr ""\n\n')
    if not text.endswith("\n"):
        text += "\n"
    return _gnu_format(text)


def _gnu_format(text: str) -> str:
    msgcat = shutil.which("msgcat")
    if not msgcat:
        return text
    done = subprocess.run(
        [msgcat, "--force-po", "-"],
        input=_protect_flags(text).encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        return text
    return _restore_flags(done.stdout.decode("utf-8"))


def _gnu_flag(flag: str) -> bool:
    return flag in _GNU_FLAGS or flag.startswith("range:")


def _protect_flags(text: str) -> str:
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
        extra = [ln[len(_KEEP) :] for ln in lines if ln.startswith(_KEEP)]
        if extra:
            lines = [ln for ln in lines if not ln.startswith(_KEEP)]
            flags = ", ".join(extra)
            at = next((i for i, ln in enumerate(lines) if ln.startswith("#, ")), None)
            if at is not None:
                lines[at] = f"{lines[at]}, {flags}"
            else:
                at = next(
                    i
                    for i, ln in enumerate(lines)
                    if not ln.startswith(("# ", "#.", "#:")) and ln != "#"
                )
                lines.insert(at, f"#, {flags}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
