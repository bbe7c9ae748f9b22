"""The command-line contract: -C on every command, --version, --help, exit codes, errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import snapshot

import pipeline
from pipeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]
CORE_COMMANDS = ["extract", "init", "update", "status"]


def says_version(out: str) -> None:
    """One line naming the program and its version (the wording around them is Click's)."""
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    assert lines[0].startswith("l10n") and lines[0].split()[-1] == pipeline.__version__, out


def test_version(run) -> None:
    result = run(["--version"])
    assert result.code == 0
    says_version(result.out)
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in declared["project"]  # one place: pipeline/__init__.py
    assert declared["tool"]["hatch"]["version"]["path"] == "pipeline/__init__.py"
    # and the release version of a project whose version is dynamic is read from there
    from pipeline.project import load

    assert load(ROOT).config.version == pipeline.__version__


def test_help(run) -> None:
    result = run(["--help"])
    assert result.code == 0
    lines = result.out.splitlines()
    assert any("-C" in line and "--project" in line for line in lines)
    listed = {line.split()[0] for line in lines if line.startswith(" ") and line.split()}
    assert set(CORE_COMMANDS) <= listed
    assert run(["-h"]).out == result.out


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_help_per_command(run, command: str) -> None:
    result = run([command, "--help"])
    assert result.code == 0
    assert f"l10n {command}" in result.out.splitlines()[0]  # the usage line comes first
    assert "Example:" in result.out
    assert f"l10n {command}" in result.out.split("Example:")[1]
    assert len(result.out.splitlines()) < 40  # concise


def test_every_core_command_with_project_option(project: Path, run, tmp_path, monkeypatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for argv in (["extract"], ["init", "th"], ["update"], ["status"], ["status", "--json"]):
        result = run(["-C", str(project), *argv])
        assert result.code == 0, (argv, result.output)
    result = run(["--project", str(project), "update", "-l", "th"])
    assert result.code == 0
    assert list(elsewhere.iterdir()) == []
    assert (project / "locales/th/LC_MESSAGES/sample.po").is_file()


def test_relative_project_and_current_folder(project: Path, run, monkeypatch) -> None:
    monkeypatch.chdir(project.parent)
    assert run(["-C", project.name, "extract"]).code == 0
    monkeypatch.chdir(project)
    assert run(["init", "vi"]).code == 0  # default: the current folder
    assert (project / "locales/vi/LC_MESSAGES/ui.po").is_file()


@pytest.mark.parametrize("command", CORE_COMMANDS)
def test_missing_project_folder(run, tmp_path: Path, command: str) -> None:
    args = [command, "th"] if command == "init" else [command]
    result = run(["-C", str(tmp_path / "nowhere"), *args])
    assert result.code == 2
    assert (
        result.err == f"error: {tmp_path / 'nowhere'}: no such folder; "
        "-C/--project expects a project folder\n"
    )


def test_not_a_project(run, tmp_path: Path) -> None:
    result = run(["-C", str(tmp_path), "status"])
    assert result.code == 2
    assert "not an l10n project" in result.err


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ("[tool.l10n]\nlocale = ['th']\n", "pyproject.toml: unknown setting [tool.l10n] 'locale'"),
        ("[tool.l10n\n", "pyproject.toml: cannot be read"),
        ("[tool.l10n]\nlocales = 'th'\n", "locales must be a list"),
        ("[tool.l10n]\nlocales = ['../x']\n", "invalid locale code '../x'"),
    ],
)
def test_bad_settings(new_project, run, pyproject: str, message: str) -> None:
    root = new_project(pyproject=pyproject)
    result = run(["status"], root)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_settings_choose_the_locales(new_project, run) -> None:
    root = new_project(pyproject='locales = ["th", "km"]\n', locales=["vi"])
    assert run(["extract"], root).code == 0
    assert run(["update"], root).code == 0
    assert sorted(p.name for p in (root / "locales").iterdir() if p.is_dir()) == ["km", "th", "vi"]
    assert not any((root / "locales/vi").rglob("*.po"))


def test_default_locales_are_the_folders_that_exist(new_project, run) -> None:
    root = new_project(locales=["lo", "my"])
    assert run(["extract"], root).code == 0
    result = run(["update"], root)
    assert result.code == 0
    assert "4 of 4 catalogs changed" in result.out
    assert (root / "locales/lo/LC_MESSAGES/sample.po").is_file()
    assert (root / "locales/my/LC_MESSAGES/ui.po").is_file()


def test_a_folder_that_is_no_locale(new_project, run) -> None:
    root = new_project(locales=["th", "templates"])
    result = run(["status"], root)
    assert result.code == 2
    assert result.err.startswith("error: locales/templates/: invalid locale code 'templates'")


def test_a_broken_template_is_named(extracted: Path, run) -> None:
    (extracted / "locales/th/LC_MESSAGES").mkdir(parents=True)
    (extracted / "locales/zz.pot").write_text('msgid ""\nmsgstr ""\n\nmsgid "x\n')
    before = snapshot(extracted)
    result = run(["update"], extracted)
    assert result.code == 2
    assert result.err == "error: locales/zz.pot:4: unterminated string\n"
    assert snapshot(extracted) == before


@pytest.mark.parametrize(
    "argv",
    [["bogus"], ["status", "--bogus"], ["update", "-l"], ["init", "--nope"], ["--nope"]],
)
def test_usage_errors_exit_2(project: Path, run, argv: list[str]) -> None:
    before = snapshot(project)
    result = run(argv, project)
    assert result.code == 2
    assert "Error:" in result.err or "error:" in result.err
    assert "Traceback" not in result.err
    assert snapshot(project) == before


def test_bad_input_never_shows_a_traceback(extracted: Path, run) -> None:
    (extracted / "locales/th/LC_MESSAGES").mkdir(parents=True)
    (extracted / "locales/th/LC_MESSAGES/sample.po").write_text('msgid "x\n', encoding="utf-8")
    for argv in (["update"], ["status"], ["status", "--json"], ["init", "th"]):
        result = run(argv, extracted)
        assert result.code == 2, argv
        assert result.err.startswith("error: ")
        assert "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1


def test_internal_error_is_one_line_exit_3(project: Path, run, monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr("pipeline.extract.extract_project", boom)
    result = run(["extract"], project)
    assert result.code == 3
    assert result.err.startswith("internal error: RuntimeError: something broke")
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    debug = run(["--debug", "extract"], project)
    assert debug.code == 3
    assert "Traceback" in debug.err


def test_python_dash_m(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "-C", str(project), "extract"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote locales/sample.pot" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "pipeline", "-C", str(project), "init", "xx-INVALID"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: unknown locale code 'xx-INVALID'")


@pytest.mark.skipif(shutil.which("l10n") is None, reason="the l10n script is not installed")
def test_console_script(project: Path) -> None:
    done = subprocess.run(["l10n", "--version"], capture_output=True, text=True)
    assert done.returncode == 0
    says_version(done.stdout)
