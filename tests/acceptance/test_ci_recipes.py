"""The CI recipes in the README, read from it and run step by step (all but the install) on the
example backlog: what a team copies into its repository works as the README says."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
DISTRIBUTION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"]


def recipe(first_line: str) -> dict[str, Any]:
    """The YAML block of the README whose first line is ``first_line``."""
    blocks = re.findall(r"```yaml\n(.*?)```", README, re.S)
    [block] = [b for b in blocks if b.startswith(first_line + "\n")]
    loaded = yaml.safe_load(block)
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A repository holding the README's example backlog, as CI checks it out."""
    for name in ("groom.toml", "schemas", "backlog"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy(source, tmp_path / name)
    return tmp_path


def run_step(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A step as the runner's shell runs it, with groom from this environment on PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    argv = ["bash", "-eo", "pipefail", "-c", command]
    return subprocess.run(argv, check=False, cwd=cwd, env=env, capture_output=True, text=True)


def break_a_story(root: Path) -> str:
    path = next(p for p in sorted((root / "backlog").glob("S-*.md")) if "status: ready" in p.read_text())
    text = path.read_text()
    path.write_text(re.sub(r"\nestimate: [^\n]*", "", text, count=1))
    return path.relative_to(root).as_posix()


def installs_groom(command: str, host: str) -> bool:
    if not command.startswith("pip install"):
        return False
    assert command == f'pip install "{DISTRIBUTION} @ git+https://{host}/YOUR-ORG/groom"', command
    return True


def test_github_actions_recipe(example: Path) -> None:
    workflow = recipe("# .github/workflows/backlog.yml")
    assert workflow["permissions"]["security-events"] == "write"
    keys: dict[Any, Any] = workflow
    trigger = keys["on"] if "on" in keys else keys[True]  # YAML 1.1 (PyYAML) reads the key on as true
    assert "backlog/**" in trigger["pull_request"]["paths"]
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["with"]["python-version"] == "3.11"
    upload = steps[-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@") and upload["if"] == "always()"
    runs = [step for step in steps if "run" in step]
    assert installs_groom(runs[0]["run"], "github.com")

    # A clean backlog: every step passes and the SARIF has no result.
    for step in runs[1:]:
        done = run_step(step["run"], example)
        assert done.returncode == 0, (step, done.stderr)
    sarif = json.loads((example / upload["with"]["sarif_file"]).read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["name"] == "groom"
    assert sarif["runs"][0]["results"] == []

    # A story that claims ready without an estimate: the check step fails with an annotation on
    # that file; the SARIF step still runs (if: always()) and carries the finding.
    broken = break_a_story(example)
    check = run_step(runs[1]["run"], example)
    assert check.returncode == 1
    assert f"::error file={broken}," in check.stdout
    assert runs[2]["if"] == "always()"
    assert run_step(runs[2]["run"], example).returncode == 1  # the job is red; the upload still runs
    results = json.loads((example / "groom.sarif").read_text())["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == [broken]


def test_gitlab_ci_recipe(example: Path) -> None:
    job = recipe("# .gitlab-ci.yml")["backlog"]
    assert job["image"] == "python:3.11"
    assert job["artifacts"]["when"] == "always"
    report = job["artifacts"]["reports"]["junit"]
    script = job["script"]
    assert installs_groom(script[0], "gitlab.com")
    for command in script[1:]:
        assert run_step(command, example).returncode == 0
    suite = ET.parse(example / report).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    stories = len(list((example / "backlog").glob("S-*.md")))
    assert int(suite.get("tests", "0")) == stories

    broken = break_a_story(example)
    assert run_step(script[1], example).returncode == 1
    failed = [
        case.get("name") for case in ET.parse(example / report).iter("testcase") if case.find("failure") is not None
    ]
    assert failed == [broken]
