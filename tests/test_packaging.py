"""Packaging: what a fresh clone of the repository builds and installs.

A wheel holds the whole `pipeline` package tree with its data files (templates, static
files, fonts), the version from `pipeline/__init__.py` and both licences; building or
installing it writes nothing into the checkout (no `build/`, no `*.egg-info`). The
clone holds what is committed, so these tests see the repository as CI does.
"""

from __future__ import annotations

import ast
import email.parser
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh `git clone` of the repository (its committed state)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of the repository")
    dest = tmp_path_factory.mktemp("clone") / "l10n"
    _run(["git", "clone", "--quiet", str(REPO), str(dest)], cwd=dest.parent)
    return dest


def _untracked(clone: Path) -> list[str]:
    """Every file in the clone that git does not track, ignored ones included."""
    out = _run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], clone)
    return out.splitlines()


def _tracked(clone: Path, folder: str) -> set[str]:
    return set(_run(["git", "ls-files", "--", folder], clone).splitlines())


def _version(clone: Path) -> str:
    tree = ast.parse((clone / "pipeline" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError("pipeline/__init__.py defines no __version__")


@pytest.fixture(scope="module")
def wheel(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel . --no-deps` in the clone, with build isolation (the declared backend)."""
    dist = tmp_path_factory.mktemp("dist")
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), "."], clone
    )
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_building_the_wheel_writes_nothing_into_the_checkout(clone: Path, wheel: Path) -> None:
    assert not (clone / "build").exists() or not any((clone / "build").iterdir())
    assert _untracked(clone) == []


def test_the_wheel_holds_the_whole_package_tree_with_its_data(clone: Path, wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every committed file of the package, subpackages and data files alike.
    missing = _tracked(clone, "pipeline") - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    package = {n for n in names if ".dist-info/" not in n}
    assert all(n.startswith("pipeline/") for n in package), sorted(package)
    for data in ("templates", "static", "fonts"):
        assert any(n.startswith(f"pipeline/{data}/") for n in names), data
    assert "pipeline/templates/page.html" in names
    assert "pipeline/static/page.css" in names
    assert {"pipeline/fonts/NotoSansKhmer-Regular.ttf", "pipeline/fonts/OFL.txt"} <= names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_the_wheel_metadata(clone: Path, wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    info = next(n.split("/")[0] for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    meta = email.parser.Parser().parsestr(archive.read(f"{info}/METADATA").decode())
    assert meta["Name"] == "l10n"
    assert meta["Version"] == _version(clone)  # one place: pipeline/__init__.py
    assert wheel.name.startswith(f"l10n-{_version(clone)}-")
    assert meta["License-Expression"] == "MIT AND OFL-1.1"
    assert set(meta.get_all("License-File")) == {"LICENSE", "pipeline/fonts/OFL.txt"}
    assert f"{info}/licenses/LICENSE" in archive.namelist()
    declared = tomllib.loads((clone / "pyproject.toml").read_text(encoding="utf-8"))
    entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert f"l10n = {declared['project']['scripts']['l10n']}" in entry_points


def test_the_quick_start_install_writes_nothing_into_the_checkout(
    clone: Path, tmp_path: Path
) -> None:
    """`pip install --no-deps --no-build-isolation .` (the README's install, with the
    locked build backend), into a folder of its own."""
    target = tmp_path / "site"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            ".",
        ],
        clone,
    )
    assert (target / "pipeline" / "templates" / "page.html").is_file()
    assert (target / "pipeline" / "fonts" / "NotoSansLao-Bold.ttf").is_file()
    assert not (clone / "build").exists() or not any((clone / "build").iterdir())
    assert _untracked(clone) == []
