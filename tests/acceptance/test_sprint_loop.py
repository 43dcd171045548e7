"""The scrum master's loop on a copy of the example: plan, work, close, velocity; every file
changed by exactly the intended lines (read from git diff)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, Runner

CANDIDATES = ["S-16", "S-32", "S-22", "S-25", "S-17", "S-31"]


def git(root: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "Ana",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "Ana",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("backlog", "schemas"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "groom.toml", tmp_path / "groom.toml")
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    return tmp_path


def changed_lines(root: Path) -> dict[str, list[str]]:
    """Per file, the lines git diff shows added or removed (unified=0), against the last commit."""
    result: dict[str, list[str]] = {}
    current = ""
    for line in git(root, "diff", "-U0", "--no-color").splitlines():
        if line.startswith("+++ "):
            current = line[6:].split("/")[-1].split("-")[0] + "-" + line[6:].split("/")[-1].split("-")[1]
        elif line[:1] in "+-" and not line.startswith(("+++", "---")):
            result.setdefault(current, []).append(line)
    return result


def test_plan_work_close_velocity(example: Path, groom: Runner) -> None:
    planned = groom("plan", "2026-25", "--format", "json")
    assert planned.code == 0, planned
    document = planned.json()
    assert [s["id"] for s in document["stories"]] == CANDIDATES
    assert document["committed_points"] == 19
    diff = changed_lines(example)
    assert sorted(diff) == sorted(CANDIDATES)
    for lines in diff.values():
        assert sorted(lines) == ["+sprint: 2026-25", "+status: planned", "-status: ready"], lines
    again = groom("plan", "2026-25")
    assert again.code == 2 and "sprint 2026-25 already holds 6 stories" in again.err, again
    git(example, "commit", "-qam", "plan 2026-25")

    for story in ("S-16", "S-32"):  # the team finishes two of them
        path = next((example / "backlog").glob(f"{story}-*.md"))
        path.write_text(path.read_text().replace("status: planned", "status: done"))
    git(example, "commit", "-qam", "work")

    closed = groom("close", "2026-25", "--to-backlog")
    assert closed.code == 0, closed
    assert closed.out.splitlines()[-1].startswith("sprint 2026-25 closed: 5 of 19 points done (2 done, 4 not finished)")
    diff = changed_lines(example)
    assert sorted(diff) == ["S-17", "S-22", "S-25", "S-31"]
    for lines in diff.values():
        assert [line.split(":")[0] for line in sorted(lines)] == ["+rank", "+status", "-rank", "-sprint", "-status"]
    order = [row["id"] for row in groom("list", "--status", "ready", "--format", "json").json()]
    assert order[:4] == ["S-22", "S-25", "S-17", "S-31"]  # back on top of the ready stories, in their order
    assert groom("check").code == 0
    git(example, "commit", "-qam", "close 2026-25")

    velocity = groom("velocity", "--format", "json")
    assert velocity.code == 0, velocity
    sprints = velocity.json()["sprints"]
    assert [(s["sprint"], s["done_points"]) for s in sprints] == [
        ("2026-21", 19),
        ("2026-22", 18),
        ("2026-23", 21),
        ("2026-25", 5),
    ]
    assert sprints[-1]["done_stories"] == 2
    assert sprints[-1]["committed_points"] == 19  # every story that was ever in the sprint, from git
    assert velocity.json()["mean_last_3"] == pytest.approx((18 + 21 + 5) / 3)


def test_plan_excludes_and_refills(example: Path, groom: Runner) -> None:
    document = groom("plan", "2026-25", "--exclude", "S-22", "--dry-run", "--format", "json").json()
    ids = [s["id"] for s in document["stories"]]
    assert "S-22" not in ids and ids[:2] == ["S-16", "S-32"]
    assert document["dry_run"] is True
    assert changed_lines(example) == {}


def test_close_to_the_next_sprint_keeps_status_and_estimate(example: Path, groom: Runner) -> None:
    result = groom("close", "2026-24", "--to", "2026-25")
    assert result.code == 0, result
    diff = changed_lines(example)
    assert sorted(diff) == ["S-14", "S-15"]
    for lines in diff.values():
        assert sorted(lines) == ["+sprint: 2026-25", "-sprint: 2026-24"]
    assert groom("close", "2026-30", "--to-backlog").code == 2


def test_plan_add_counts_what_the_sprint_already_holds(example: Path, groom: Runner) -> None:
    assert groom("close", "2026-24", "--to", "2026-25").code == 0  # S-14 and S-15 move on
    document = groom("plan", "2026-25", "--add", "--dry-run", "--format", "json").json()
    held = 8 + 5  # the estimates of S-14 and S-15
    assert document["committed_points"] + held <= 19.3 + 1e-9, document
    assert document["capacity"] == pytest.approx(19.3 - held, abs=0.05)


def test_a_sprint_that_finished_nothing_counts_in_velocity(example: Path, groom: Runner) -> None:
    assert groom("close", "2026-24", "--to-backlog").code == 0
    git(example, "commit", "-qam", "close 2026-24, nothing done")
    sprints = groom("velocity", "--format", "json").json()
    assert sprints["sprints"][-1] == {
        "sprint": "2026-24",
        "done_points": 0,
        "done_stories": 0,
        "committed_points": 13,
    }
    assert sprints["mean_last_3"] == pytest.approx((18 + 21 + 0) / 3)
