"""The CI matrix of docs/scaling.md, run here: one runner per locale, then the release job
assembling their artifacts; the release is the one a single machine makes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from conftest import REPO, copy_repo

DOC = REPO / "docs" / "scaling.md"
_EXPRESSION = re.compile(r"\$\{\{\s*matrix\.locale\s*\}\}")
_CONDITION = re.compile(r"\Amatrix\.locale\s*(==|!=)\s*'([^']*)'\Z")


def workflow() -> dict:
    """The workflow the document shows (its one YAML block)."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/scaling.md shows one workflow"
    return yaml.safe_load(blocks[0])


def l10n_on_path(folder: Path) -> str:
    """A `l10n` program (this checkout's, run by this interpreter), as `pip install .`
    would put on a runner's PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "l10n"
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pipeline "$@"\n')
    program.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


def run_job(job: dict, checkout: Path, locale: str, artifacts: Path, path: str) -> None:
    """The steps of one job on its own runner: `run` steps through bash; the actions
    they use done as they would be (checkout, artifacts); installing steps are what this
    environment already has."""
    env = {
        **os.environ,
        **{k: str(v) for k, v in job.get("env", {}).items()},
        "PATH": path,
        "HOME": str(checkout.parent / "home"),
        "L10N_CACHE": str(checkout.parent / "home" / ".cache" / "l10n"),
        "PYTHONPATH": str(REPO),
    }
    for step in job["steps"]:
        condition = step.get("if")
        if condition is not None:
            found = _CONDITION.match(condition.strip())
            assert found, f"a condition this simulation does not know: {condition}"
            if (locale == found.group(2)) != (found.group(1) == "=="):
                continue
        if "run" in step:
            command = _EXPRESSION.sub(locale, step["run"])
            if command.startswith(("sudo apt-get", "pip install")):
                continue
            done = subprocess.run(
                ["bash", "-c", command], cwd=checkout, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, f"{locale}: {command}\n{done.stdout}{done.stderr}"
            continue
        action, settings = step["uses"].split("@")[0], step.get("with", {})
        if action == "actions/upload-artifact":
            name = _EXPRESSION.sub(locale, settings["name"])
            shutil.copytree(checkout / settings["path"], artifacts / name)
        elif action == "actions/download-artifact":
            shutil.copytree(artifacts, checkout / settings["path"])
        else:  # checkout: the runner's copy is made; cache: a first run finds none
            assert action in ("actions/checkout", "actions/cache"), action


def test_the_matrix_workflow_releases_what_one_machine_releases(tmp_path: Path) -> None:
    jobs = workflow()["jobs"]
    locales = jobs["build"]["strategy"]["matrix"]["locale"]
    assert jobs["release"]["needs"] == "build"
    path = l10n_on_path(tmp_path / "bin")
    artifacts = tmp_path / "artifacts"

    def runner(locale: str) -> None:
        checkout = copy_repo(tmp_path / f"runner-{locale}" / "checkout")
        run_job(jobs["build"], checkout, locale, artifacts, path)
        built = sorted(p.name for p in (checkout / "build").iterdir() if p.is_dir())
        assert built == sorted(["assets", locale]), built  # that locale, nothing else
        assert list((checkout / "build" / locale).glob("*.pdf")), "handouts built too"

    with ThreadPoolExecutor(2) as runners:  # the matrix's jobs run side by side
        list(runners.map(runner, locales))
    final = copy_repo(tmp_path / "runner-release" / "checkout")
    run_job(jobs["release"], final, "", artifacts, path)
    released = next((final / "build" / "release").iterdir())
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=released, capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr

    one = copy_repo(tmp_path / "one-machine")
    env = {**os.environ, "PATH": path, "L10N_CACHE": str(tmp_path / "one-cache")}
    env["SOURCE_DATE_EPOCH"] = str(jobs["release"]["env"]["SOURCE_DATE_EPOCH"])
    for argv in (["build"], ["release"]):
        done = subprocess.run(["l10n", "-C", str(one), *argv], env=env, capture_output=True)
        assert done.returncode == 0, done.stderr
    alone = next((one / "build" / "release").iterdir())
    sums = (released / "SHA256SUMS").read_text()
    assert sums == (alone / "SHA256SUMS").read_text()
    assert len(sums.splitlines()) >= len(locales) - 1  # an archive per target locale at least
