"""`l10n release`: versioned, checksummed, reproducible archives of the built locales.

Each locale passes a gate first (translated enough, nothing fuzzy, no check errors);
medical content that is unreviewed, broken or incomplete does not ship.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polib

from . import git
from .dates import source_date
from .errors import L10nError
from .files import write_atomic, write_text
from .locales import web_tag
from .po import catalog
from .project import Project
from .review.coverage import locale_coverage
from .status import Counts, collect, totals

_ASSET_URL = re.compile(
    r"""(?:href|src)="((?:\.\./)*assets/[^"#?]+)"|url\("?((?:\.\./)*assets/[^")]+)"?\)"""
)
ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)


@dataclass
class Gate:
    """Whether a locale may ship, and why not."""

    locale: str
    counts: Counts
    errors: int = 0
    warnings: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons


def gate(project: Project, locales: list[str], findings: dict[str, tuple[int, int]]) -> list[Gate]:
    """Judge each locale: threshold, no fuzzy entries, no check errors, and every
    translated entry approved in each role `release-approval` names."""
    threshold = project.config.release_threshold
    rows = collect(project, locales)
    sums = totals(rows)
    gates = []
    for locale in locales:
        counts = sums.get(locale, Counts(locale, "*"))
        errors, warnings = findings.get(locale, (0, 0))
        result = Gate(locale, counts, errors, warnings)
        if counts.percent < threshold:
            result.reasons.append(
                f"{counts.percent:g}% translated, below the release threshold of {threshold:g}% "
                f"({counts.untranslated} untranslated)"
            )
        if counts.fuzzy:
            result.reasons.append(f"{counts.fuzzy} fuzzy entries need review")
        if errors:
            result.reasons.append(f"{errors} check errors (run 'l10n check -l {locale}')")
        result.reasons += _unapproved(project, [r for r in rows if r.locale == locale])
        gates.append(result)
    return gates


def _unapproved(project: Project, rows: list[Counts]) -> list[str]:
    """Per page and required role, how many translated entries lack that role's approval."""
    reasons = []
    for row in rows:
        roles = dict(row.approvals)
        for role in project.config.release_approval:
            lacking = row.translated - roles.get(role, 0)
            if lacking:
                reasons.append(
                    f"page {row.domain}: {lacking} of {row.translated} translated entries lack "
                    f"{role} approval (review sheets: 'l10n review -l {row.locale} --page "
                    f"{row.domain}')"
                )
    return reasons


def release_findings(project: Project, locales: list[str]) -> dict[str, tuple[int, int]]:
    """(errors, warnings) per locale from `l10n check`."""
    from .checks import run_checks

    counts: dict[str, tuple[int, int]] = {}
    for finding in run_checks(project, locales).findings:
        errors, warnings = counts.get(finding.locale, (0, 0))
        if finding.severity == "error":
            errors += 1
        else:
            warnings += 1
        counts[finding.locale] = (errors, warnings)
    return counts


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def revision(root: Path) -> str | None:
    """The source revision when in a git checkout, marked when there are local changes."""
    head = git.text(root, "rev-parse", "HEAD", timeout=10)
    if head is None:
        return None
    dirty = git.text(root, "status", "--porcelain", "--", "source", "locales", timeout=10)
    return f"{head.strip()}+changes" if (dirty or "").strip() else head.strip()


def deterministic_zip(files: dict[str, bytes], moment: datetime) -> bytes:
    """A zip whose bytes depend only on its contents: sorted, fixed time and modes."""
    moment = max(moment, ZIP_EPOCH).astimezone(UTC)
    stamp = (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second - moment.second % 2,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def locale_files(build_dir: Path, locale: str, domains: list[str]) -> dict[str, bytes]:
    """A locale's pages, handouts and the assets they use, as paths inside its archive."""
    tag = web_tag(locale)
    files: dict[str, bytes] = {}
    missing = []
    for domain in domains:
        for suffix in (".html", ".pdf"):
            path = build_dir / tag / f"{domain}{suffix}"
            if path.exists():
                files[f"{tag}/{domain}{suffix}"] = path.read_bytes()
            elif suffix == ".html":
                missing.append(f"{tag}/{domain}{suffix}")
    if missing:
        raise L10nError(
            f"{build_dir}: {missing[0]} is missing; build the locale first "
            f"('l10n build -l {locale}')"
        )
    for name in list(files):
        if not name.endswith(".html"):
            continue
        text = files[name].decode("utf-8")
        for match in _ASSET_URL.finditer(text):
            url = match.group(1) or match.group(2)
            relative = re.sub(r"^(?:\.\./)+", "", url)
            source = build_dir / relative
            if not source.is_file():
                raise L10nError(f"{build_dir}: {relative}, used by {name}, is missing")
            files[relative] = source.read_bytes()
    licence = build_dir / "assets" / "fonts" / "OFL.txt"
    if licence.exists():
        files["assets/fonts/OFL.txt"] = licence.read_bytes()
    return files


def compiled_catalogs(project: Project, locale: str) -> dict[str, bytes]:
    """The locale's `.mo` files, as gettext-based tools load them."""
    out = {}
    for pot in project.templates():
        domain = project.template_domain(pot)
        path = project.po_path(locale, domain)
        if not path.exists():
            continue
        po = catalog.load(path, project.rel(path))
        out[f"{locale}/LC_MESSAGES/{domain}.mo"] = _mo_bytes(po)
    return out


def _mo_bytes(po: polib.POFile) -> bytes:
    return po.to_binary()


@dataclass
class Released:
    folder: Path
    gates: list[Gate]
    shipped: list[str]


def assemble(
    project: Project,
    locales: list[str],
    version: str,
    gates: list[Gate],
    sources: list[Path],
    allow_partial: bool,
) -> Released:
    """Write the release folder from the build output of this or other machines."""
    name = f"{project.config.name}-{version}"
    if not re.fullmatch(r"[A-Za-z0-9._+-]+", version):
        raise L10nError(f"invalid version {version!r}: use letters, digits and . _ + -")
    folder = project.build_dir / "release" / name
    shipped = [g.locale for g in gates if g.passed]
    failed = [g for g in gates if not g.passed]
    if failed and not allow_partial:
        return Released(folder, gates, [])
    domains = [project.domain(p) for p in project.pages()]
    moment = source_date([*project.pages(), *project.templates()], project.root)
    outputs: dict[str, bytes] = {}
    locale_entries = []
    by_locale = {g.locale: g for g in gates}
    for locale in shipped:
        build_dir = _find_build(sources, locale) if sources else project.build_dir
        files = locale_files(build_dir, locale, domains)
        outputs[f"{name}-{web_tag(locale)}.zip"] = deterministic_zip(files, moment)
        for mo_name, data in compiled_catalogs(project, locale).items():
            outputs[f"mo/{mo_name}"] = data
        g = by_locale[locale]
        locale_entries.append(
            {
                "locale": web_tag(locale),
                "catalog_locale": locale,
                "translated": g.counts.translated,
                "total": g.counts.total,
                "percent": g.counts.percent,
                "fuzzy": g.counts.fuzzy,
                "check_errors": g.errors,
                "check_warnings": g.warnings,
                "approved": g.counts.approved,
                "approvers": [
                    who.as_json() for who in locale_coverage(project, locale).sorted_approvers()
                ],
                "archive": f"{name}-{web_tag(locale)}.zip",
                "files": sorted(files),
            }
        )
    manifest = {
        "name": project.config.name,
        "version": version,
        "source_revision": revision(project.root),
        "date": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "locales": locale_entries,
        "refused": [{"locale": web_tag(g.locale), "reasons": g.reasons} for g in failed],
        "files": [
            {"path": path, "size": len(data), "sha256": sha256(data)}
            for path, data in sorted(outputs.items())
        ],
    }
    outputs["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    sums = "".join(f"{sha256(data)}  {path}\n" for path, data in sorted(outputs.items()))
    # Whole or not at all: the release is written beside its final place and moved in
    # by renames, so a run killed at any moment leaves the previous release (or, for the
    # instant between the two renames, none), never a folder missing some archives.
    staging = folder.with_name(f".{folder.name}.partial")
    previous = folder.with_name(f".{folder.name}.previous")
    for stale in (staging, previous):
        if stale.exists():
            shutil.rmtree(stale)
    for path, data in outputs.items():
        write_atomic(staging / path, data)
    write_text(staging / "SHA256SUMS", sums)
    if folder.exists():
        folder.rename(previous)
    staging.rename(folder)
    if previous.exists():
        shutil.rmtree(previous)
    return Released(folder, gates, shipped)


def _find_build(sources: list[Path], locale: str) -> Path:
    """The folder, among those built elsewhere, that holds this locale's pages."""
    tag = web_tag(locale)
    found = [s for s in sources if (s / tag).is_dir()]
    if not found:
        listed = ", ".join(str(s) for s in sources)
        raise L10nError(f"no build of locale {locale} ({tag}/) in {listed}")
    return found[0]
