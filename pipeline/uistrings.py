"""The strings of the page templates, as Babel extracts them.

Importing Jinja2 and Babel's extractor and running them costs more than a small site's
extraction (docs/benchmarks.md).  What they find depends only on the templates and the
code that reads them, so:

- the package ships what they find in its own templates (`ui-strings.json`, written
  by `scripts/ui-strings`; a test checks it), used while the templates are the ones it
  was made from and Babel is the version it was made with;
- anything else (edited templates, another Babel) is extracted once and kept in the
  user's cache under the digest of the templates and of the extracting code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from contextlib import suppress
from pathlib import Path

from .assets import PACKAGE_DIR, TEMPLATES_DIR
from .files import cache_dir, write_atomic
from .site.snapshot import file_stat

SHIPPED = PACKAGE_DIR / "ui-strings.json"
Strings = list[list]  # [message, comment, template, line] for each string


def messages(templates_dir: Path = TEMPLATES_DIR) -> Strings:
    """Each string of the templates, with its comment and place, in template order."""
    templates = sorted(templates_dir.glob("*.html"))
    if templates_dir == TEMPLATES_DIR:
        shipped = _shipped(templates)
        if shipped is not None:
            return shipped
    key = hashlib.sha256(Path(__file__).read_bytes())
    for path in [*templates, *_extractor_files()]:
        key.update(f"\0{path}\0".encode())
        key.update(
            path.read_bytes() if path.suffix == ".html" else repr(file_stat(str(path))).encode()
        )
    cached = cache_dir("ui") / f"{key.hexdigest()[:32]}.json"
    with suppress(OSError, ValueError):
        found = json.loads(cached.read_text(encoding="utf-8"))
        if _valid(found):
            return found
    found = _extracted(templates_dir, templates)
    with suppress(OSError):
        write_atomic(cached, json.dumps(found, ensure_ascii=False).encode("utf-8"))
    return found


def shipped_text() -> str:
    """What `SHIPPED` holds for the package's templates as they are now."""
    templates = sorted(TEMPLATES_DIR.glob("*.html"))
    data = {
        "about": "The strings of templates/*.html as Babel extracts them: scripts/ui-strings",
        "babel": _babel_version(),
        "templates": _digests(templates),
        "strings": _extracted(TEMPLATES_DIR, templates),
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_shipped() -> None:
    write_atomic(SHIPPED, shipped_text().encode("utf-8"))


def _shipped(templates: list[Path]) -> Strings | None:
    """The shipped strings, if they were extracted from these very templates by this
    Babel; else None."""
    try:
        data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("babel") != _babel_version():
        return None
    if data.get("templates") != _digests(templates) or not _valid(data.get("strings")):
        return None
    return data["strings"]


def _digests(templates: list[Path]) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in templates}


def _babel_version() -> str:
    import babel  # loaded already: locale codes are checked with it

    return babel.__version__


def _valid(found: object) -> bool:
    return isinstance(found, list) and all(
        isinstance(item, list) and [type(part) for part in item] == [str, str, str, int]
        for item in found
    )


def _extracted(templates_dir: Path, templates: list[Path]) -> Strings:
    from babel.messages.extract import extract_from_file  # only here: it loads Jinja2

    found = []
    for path in templates:
        where = f"{templates_dir.parent.name}/{templates_dir.name}/{path.name}"
        for line, message, comments, _context in extract_from_file(
            "jinja2.ext:babel_extract",
            path,
            keywords={"_": None, "gettext": None},
            comment_tags=("i18n:",),
            options={"trimmed": "true"},
        ):
            if isinstance(message, str):
                found.append([message, "\n".join(comments), where, line])
    return found


def _extractor_files() -> list[Path]:
    """Babel's and Jinja2's extraction code, found without importing either."""
    found = []
    for package, module in (("babel", ("messages", "extract.py")), ("jinja2", ("ext.py",))):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            found.append(Path(spec.origin).parent.joinpath(*module))
    return found
