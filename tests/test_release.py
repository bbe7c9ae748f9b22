"""Release gating, verifiable and reproducible archives, incremental builds, assembly."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polib
import pytest
from conftest import copy_repo

from pipeline.site.snapshot import snapshot_path


def run(*argv: str) -> tuple[int, str, str]:
    """The CLI in a subprocess, as a release manager runs it."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def html_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's pages built as HTML once, for the tests that assemble from it."""
    project = copy_repo(tmp_path_factory.mktemp("built"))
    code, _, err = run("-C", str(project), "build", "-f", "html")
    assert code == 0, err
    return project


def test_fuzzy_entry_refuses_its_locale(tmp_path: Path, html_build: Path) -> None:
    project = copy_repo(tmp_path / "p")
    po_path = project / "locales/th/LC_MESSAGES/systemic-sclerosis.po"
    po = polib.pofile(str(po_path))
    po[3].flags.append("fuzzy")
    po.save()

    code, out, err = run("-C", str(project), "release", "--from", str(html_build / "build"))
    assert code == 1
    assert "th:" in out and "1 fuzzy entries need review" in out
    assert "Traceback" not in err
    assert not (project / "build/release").exists()

    code, out, _ = run(
        "-C", str(project), "release", "--allow-partial", "--from", str(html_build / "build")
    )
    assert code == 0
    folder = project / "build/release/l10n-0.1.0"
    manifest = json.loads((folder / "manifest.json").read_text())
    shipped = {entry["locale"] for entry in manifest["locales"]}
    assert "th" not in shipped and {"vi", "km", "my", "lo"} <= shipped
    assert manifest["refused"][0]["locale"] == "th"


def test_release_is_verifiable(tmp_path: Path, html_build: Path) -> None:
    project = copy_repo(tmp_path / "p")
    code, out, err = run(
        "-C", str(project), "release", "--version", "2.0.1", "--from", str(html_build / "build")
    )
    assert code == 0, out + err
    folder = project / "build/release/l10n-2.0.1"
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len((folder / "SHA256SUMS").read_text().splitlines())

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["version"] == "2.0.1"
    assert [e["locale"] for e in manifest["locales"]] == [
        "th",
        "vi",
        "id",
        "ms",
        "fil",
        "km",
        "my",
        "lo",
    ]
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert len(data) == entry["size"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    for entry in manifest["locales"]:
        assert entry["percent"] == 100.0 and entry["fuzzy"] == 0 and entry["check_errors"] == 0
        with zipfile.ZipFile(folder / entry["archive"]) as archive:
            names = archive.namelist()
            assert names == sorted(names)
            assert f"{entry['locale']}/systemic-sclerosis.html" in names
            assert "assets/page.css" in names
            assert any(n.startswith("assets/fonts/") and n.endswith(".woff2") for n in names)
        mo = folder / "mo" / entry["catalog_locale"] / "LC_MESSAGES" / "systemic-sclerosis.mo"
        assert polib.mofile(str(mo)).percent_translated() == 100


def test_two_releases_are_byte_identical(tmp_path: Path) -> None:
    folders = []
    for name in ("one", "two"):
        project = copy_repo(tmp_path / name)
        code, out, err = run("-C", str(project), "build", "-f", "html")
        assert code == 0, err
        code, out, err = run("-C", str(project), "release", "--from", str(project / "build"))
        assert code == 0, out + err
        folders.append(project / "build/release/l10n-0.1.0")
    first = sorted(p.relative_to(folders[0]) for p in folders[0].rglob("*") if p.is_file())
    second = sorted(p.relative_to(folders[1]) for p in folders[1].rglob("*") if p.is_file())
    assert first == second and len(first) > 10
    for rel in first:
        assert (folders[0] / rel).read_bytes() == (folders[1] / rel).read_bytes(), rel


def test_incremental_build_rebuilds_only_what_changed(tmp_path: Path) -> None:
    project = copy_repo(tmp_path / "p")
    code, _, err = run("-C", str(project), "build", "-f", "html")
    assert code == 0, err
    outputs = sorted((project / "build").glob("*/systemic-sclerosis.html"))
    before = {p: p.stat().st_mtime_ns for p in outputs}

    code, out, _ = run("-C", str(project), "build", "-f", "html")
    assert code == 0 and "1 pages built" not in out
    assert {p: p.stat().st_mtime_ns for p in outputs} == before

    po_path = project / "locales/vi/LC_MESSAGES/systemic-sclerosis.po"
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.msgid == "Conclusion")
    entry.msgstr = "Tóm lại"
    po.save()
    code, out, _ = run("-C", str(project), "build", "-f", "html")
    assert code == 0
    changed = {p for p in outputs if p.stat().st_mtime_ns != before[p]}
    assert changed == {project / "build/vi/systemic-sclerosis.html"}
    assert "Tóm lại" in (project / "build/vi/systemic-sclerosis.html").read_text()

    code, out, _ = run("-C", str(project), "build", "-f", "html", "--force")
    assert code == 0
    assert out.count(": 1 pages built, 0 up to date") == len(outputs) == 9


def test_noop_build_answers_from_the_snapshot_but_sees_every_edit(tmp_path: Path) -> None:
    """A no-op build is answered from sizes and mtimes; an edit made within the same
    clock tick as the last build's read (same size, same mtime) is still rebuilt."""
    project = copy_repo(tmp_path / "p")
    code, _, err = run("-C", str(project), "build", "-f", "html")
    assert code == 0, err
    assert snapshot_path(project).is_file()
    page = project / "build/vi/systemic-sclerosis.html"
    before = page.stat().st_mtime_ns
    code, out, _ = run("-C", str(project), "build", "-f", "html")
    assert code == 0 and "vi: 0 pages built, 1 up to date" in out
    assert page.stat().st_mtime_ns == before

    po_path = project / "locales/vi/LC_MESSAGES/systemic-sclerosis.po"
    text = po_path.read_text(encoding="utf-8")
    translated = text.split('msgid "Conclusion"\nmsgstr "', 1)[1].split('"', 1)[0]
    assert translated  # a translation to change
    edited = translated[:-1] + ("X" if translated[-1] != "X" else "Y")
    po_path.write_text(
        text.replace(f'msgstr "{translated}"', f'msgstr "{edited}"', 1), encoding="utf-8"
    )
    code, out, _ = run("-C", str(project), "build", "-f", "html")  # reads a racy file
    assert code == 0 and "vi: 1 pages built" in out
    assert not snapshot_path(project).exists()
    stat = po_path.stat()
    po_path.write_text(text, encoding="utf-8")  # same size, and the same mtime as read
    os.utime(po_path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    code, out, _ = run("-C", str(project), "build", "-f", "html")
    assert code == 0 and "vi: 1 pages built" in out
    assert edited not in page.read_text(encoding="utf-8")
    assert translated in page.read_text(encoding="utf-8")


def test_noop_build_answers_before_parsing_the_command_line(tmp_path: Path) -> None:
    """The same command line in the same folder, nothing changed: answered without click.

    Anything else (another folder, another environment, --force, an edit, a file a killed
    run left in build/) goes through the command line as usual."""
    project = copy_repo(tmp_path / "p")
    argv = ["-C", "p", "build", "-f", "html", "-l", "vi"]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000")
    probe = (
        "import sys\nfrom pipeline.__main__ import main\ntry:\n    main()\nfinally:\n"
        "    print('click imported' if 'click' in sys.modules else 'answered early')"
    )

    def program(*args: str, cwd: Path = tmp_path, **extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env={**env, **extra},
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "click imported" in program(*argv)  # builds
    out = program(*argv)
    assert out == "vi: 0 pages built, 1 up to date\nanswered early\n"
    assert program(*argv[:-2], "-q", "-l", "vi") == "click imported\n"  # not the same line,
    assert program(*argv[:-2], "-q", "-l", "vi") == "answered early\n"  # but remembered
    assert program(*argv, "-q") == "click imported\n"
    assert program(*argv, "-q") == "answered early\n"  # -q: nothing to say
    assert "click imported" in program("-C", ".", *argv[2:], "-q", cwd=project)
    assert "click imported" in program(*argv, "-q", SOURCE_DATE_EPOCH="1795000001")

    assert "click imported" in program(*argv, "-q", "--force")
    assert "click imported" in program(*argv, "-q", "--force")  # never answered early
    assert program(*argv, "-q") == "click imported\n"
    assert program(*argv, "-q") == "answered early\n"

    stale = project / "build" / "vi" / ".systemic-sclerosis.html.abcd1234.tmp"
    stale.write_text("left by a killed run", encoding="utf-8")
    assert program(*argv, "-q") == "click imported\n"
    assert not stale.exists()  # the build that ran tidied it away

    po_path = project / "locales/vi/LC_MESSAGES/systemic-sclerosis.po"
    po_path.write_text(po_path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "vi: 0 pages built" not in program(*argv)


def test_two_copies_of_a_project_build_identical_trees(tmp_path: Path) -> None:
    """build/ holds nothing tied to the folder or the machine: the same project built in
    two folders gives the same files, byte for byte (the snapshot lives in the cache)."""
    trees = []
    for name in ("first", "second-copy"):
        project = copy_repo(tmp_path / name)
        os.utime(project / "source" / "systemic-sclerosis.md", ns=(0, 0))  # old: trusted
        code, _, err = run("-C", str(project), "build", "-l", "th", "-l", "en")
        assert code == 0, err
        assert snapshot_path(project).is_file()  # kept, but not in build/
        files = {
            p.relative_to(project / "build").as_posix(): p.read_bytes()
            for p in sorted((project / "build").rglob("*"))
            if p.is_file()
        }
        assert not [path for path, data in files.items() if str(project).encode() in data]
        trees.append(files)
    assert any(path.endswith(".pdf") for path in trees[0])
    assert trees[0].keys() == trees[1].keys()
    assert [p for p in trees[0] if trees[0][p] != trees[1][p]] == []


def test_assembly_from_per_locale_builds(tmp_path: Path) -> None:
    machines = {}
    for locale in ("th", "km"):
        project = copy_repo(tmp_path / f"machine-{locale}")
        code, _, err = run("-C", str(project), "build", "-f", "html", "-l", locale)
        assert code == 0, err
        assert sorted(p.name for p in (project / "build").iterdir() if p.is_dir()) == [
            "assets",
            {"th": "th", "km": "km"}[locale],
        ]
        machines[locale] = project / "build"

    final = copy_repo(tmp_path / "final")
    code, out, err = run(
        "-C",
        str(final),
        "release",
        "-l",
        "th",
        "-l",
        "km",
        "--from",
        str(machines["th"]),
        "--from",
        str(machines["km"]),
    )
    assert code == 0, out + err
    folder = final / "build/release/l10n-0.1.0"
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=folder).returncode == 0
    with zipfile.ZipFile(folder / "l10n-0.1.0-km.zip") as archive:
        html = archive.read("km/systemic-sclerosis.html").decode()
    assert 'lang="km"' in html

    code, out, err = run("-C", str(final), "release", "-l", "vi", "--from", str(machines["th"]))
    assert code == 2
    assert "no build of locale vi" in err and "Traceback" not in err
