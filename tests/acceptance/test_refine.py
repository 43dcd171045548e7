"""The refinement meeting: actions, the agenda, stale stories from git history, groom init."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, Project, Runner, story_text

BODY_WITH_QUESTIONS = """As a cook I want a thing so that I get value.

## Acceptance criteria
- [ ] it works

## Questions
- [ ] @mira: which sheet?
- [x] @jonas: answered already
- [ ] nobody owns this one
"""


def test_actions_grouped_by_owner_highest_ranked_first(project: Project, groom: Runner) -> None:
    project.write("S-1.md", story_text("S-1", status="refining", rank="a1", body=BODY_WITH_QUESTIONS))
    project.write(
        "S-2.md",
        story_text(
            "S-2",
            status="draft",
            rank="a0",
            questions=["@mira: front matter question?", {"question": "x", "answered": True}],
        ),
    )
    project.write("S-3.md", story_text("S-3", status="done", rank="a2", body=BODY_WITH_QUESTIONS))
    result = groom("actions", "--format", "json")
    assert result.code == 0, result
    assert [(g["owner"], [(q["id"], q["question"]) for q in g["questions"]]) for g in result.json()] == [
        ("mira", [("S-2", "@mira: front matter question?"), ("S-1", "@mira: which sheet?")]),
        (None, [("S-1", "nobody owns this one")]),
    ]
    text = groom("actions", "--owner", "@mira").out
    assert text.splitlines()[0] == "@mira (2)"
    assert "nobody owns" not in text


def test_no_open_questions(project: Project, groom: Runner) -> None:
    project.story("S-1")
    assert groom("actions").out == "no open questions\n"


def test_refine_agenda(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=5)  # ready: counted as ready work
    project.write("S-2.md", story_text("S-2", status="refining", rank="a1", estimate="?", body=BODY_WITH_QUESTIONS))
    project.story("S-3", status="refining", rank="a2", estimate=40)
    project.story("S-4", status="draft", rank="a3")
    project.story("S-5", status="in-progress", rank="Zz")
    (project.root / "groom.toml").write_text("[sprint]\nvelocity = [4, 5, 6]\n")
    result = groom("refine", "--top", "2", "--format", "json")
    assert result.code == 0, result
    document = result.json()
    assert [item["id"] for item in document["items"]] == ["S-2", "S-3"]
    first = document["items"][0]
    assert [gap["rule"] for gap in first["lacks"]] == ["estimated", "value", "no-open-questions"]
    assert [q["text"] for q in first["questions"]] == ["@mira: which sheet?", "nobody owns this one"]
    assert first["split_advice"].startswith("estimate is ?: break out a spike")
    assert document["items"][1]["split_advice"] == "40 points is above 13: split it (groom split S-3 --suggest)"
    assert document["ready_points"] == 5
    assert document["sprints_of_ready_work"] == 1.0
    table = groom("refine").out
    assert (
        table.splitlines()[-1] == "5 points of ready work in 1 story: 1.0 sprints at 5 points; teams aim for about two"
    )
    markdown = groom("refine", "--format", "markdown").out
    assert "1. **S-2** Story S-2 (refining, estimate ?)" in markdown


def test_refine_without_velocity(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=5)
    assert "no velocity known" in groom("refine").out


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ana",
        "GIT_AUTHOR_EMAIL": "ana@example.com",
        "GIT_COMMITTER_NAME": "Ana",
        "GIT_COMMITTER_EMAIL": "ana@example.com",
    }
    if date is not None:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


@pytest.fixture
def history(project: Project) -> Project:
    root = project.root
    git(root, "init", "-q", "-b", "main")
    project.story("S-1", status="refining", rank="a0")
    project.story("S-2", status="draft", rank="a1")
    project.story("S-3", status="done", rank="a2")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "old", date="2020-01-02T10:00:00Z")
    project.story("S-4", status="draft", rank="a3")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "older story touched", date="2021-06-01T10:00:00Z")
    (project.backlog / "S-2.md").write_text(story_text("S-2", status="draft", rank="a1", value=3))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "recent", date="2099-01-01T10:00:00Z")
    return project


def test_stale_from_git_history_oldest_first(history: Project, groom: Runner) -> None:
    result = groom("stale", "--format", "json")
    assert result.code == 0, result
    document = result.json()
    assert document["source"] == "git"
    assert [(s["id"], s["last_change"], s["author"]) for s in document["stories"]] == [
        ("S-1", "2020-01-02", "Ana"),
        ("S-4", "2021-06-01", "Ana"),
    ]


def test_uncommitted_change_is_fresh(history: Project, groom: Runner) -> None:
    (history.backlog / "S-1.md").write_text(story_text("S-1", status="refining", rank="a0", value=9))
    assert [s["id"] for s in groom("stale", "--format", "json").json()["stories"]] == ["S-4"]


def test_stale_drop_writes_all(history: Project, groom: Runner) -> None:
    result = groom("stale", "--drop", "--yes")
    assert result.code == 0, result
    assert (
        result.out.splitlines()[-1] == "2 open stories unchanged for 180 days or more: status dropped (2 files written)"
    )
    statuses = {row["id"]: row["status"] for row in groom("list", "--format", "json").json()}
    assert statuses == {"S-1": "dropped", "S-2": "draft", "S-3": "done", "S-4": "dropped"}
    assert groom("check").code == 0


def test_stale_outside_git_uses_mtime(project: Project, groom: Runner) -> None:
    old = project.story("S-1", status="refining")
    project.story("S-2", status="refining")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    result = groom("stale")
    assert result.out.splitlines()[0] == "not a git repository: using the files' modification times"
    assert [line.split()[0] for line in result.out.splitlines()[3:-1]] == ["S-1"]


def test_init_then_check_passes(tmp_path: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = groom("init", "team")
    assert result.code == 0, result
    assert "created:\n  groom.toml\n  schemas/story.schema.json" in result.out
    assert "entry: groom check" in result.out
    assert "groom check --format github" in result.out
    monkeypatch.chdir(tmp_path / "team")
    check = groom("check")
    assert check.code == 0, check
    assert check.out == "checked 1 story file: 0 errors, 0 warnings\n"
    assert groom("sprint-candidates", "--capacity", "10").code == 0


def test_init_refuses_to_overwrite(tmp_path: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "groom.toml").write_text("# ours\n")
    result = groom("init")
    assert result.code == 2
    assert "groom.toml already exist(s); groom init writes nothing over existing files" in result.err
    assert (tmp_path / "groom.toml").read_text() == "# ours\n"
    assert not (tmp_path / "schemas").exists()


def test_init_config_lists_every_key_groom_reads(
    tmp_path: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    groom("init")
    text = (tmp_path / "groom.toml").read_text()
    for key in ("velocity", "capacity", "fill", "spike_points_per_day", "max_length", "final", "inactive"):
        assert key in text


def test_the_repository_offers_a_pre_commit_hook() -> None:
    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert "id: groom-check" in text
    assert "require_serial: true" in text
    assert "types: [markdown]" in text


def test_stale_reads_git_history_of_non_ascii_file_names(history: Project, groom: Runner) -> None:
    project = history
    project.story("S-5", name="S-5-crème-brûlée.md", status="draft", rank="a4")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-qm", "a story with an accent", date="2020-03-01T10:00:00Z")
    stories = {s["id"]: s for s in groom("stale", "--format", "json").json()["stories"]}
    assert stories["S-5"]["last_change"] == "2020-03-01", stories


def test_stale_drop_asks_for_yes_when_not_at_a_terminal(history: Project, groom: Runner) -> None:
    before = {p.name: p.read_bytes() for p in history.backlog.iterdir()}
    result = groom("stale", "--drop")
    assert result.code == 2, result
    assert result.err == (
        "groom: error: --drop would give 2 stories the status dropped; see them with --dry-run, "
        "then add --yes to drop them\n"
    )
    dry = groom("stale", "--drop", "--dry-run")
    assert dry.code == 0, dry
    assert dry.out.splitlines()[-1].endswith("would give them status dropped (would rewrite 2 files)")
    assert {p.name: p.read_bytes() for p in history.backlog.iterdir()} == before


def test_stories_in_a_sprint_are_never_stale(history: Project, groom: Runner) -> None:
    (history.backlog / "S-1.md").write_text(story_text("S-1", status="in-progress", rank="a0"))
    git(history.root, "commit", "-qam", "S-1 started", date="2020-05-01T10:00:00Z")
    assert [s["id"] for s in groom("stale", "--format", "json").json()["stories"]] == ["S-4"]


def test_a_reorder_does_not_make_a_story_fresh(history: Project, groom: Runner) -> None:
    (history.backlog / "S-1.md").write_text(story_text("S-1", status="refining", rank="a0V"))
    git(history.root, "commit", "-qam", "reprioritize", date="2099-02-01T10:00:00Z")
    stories = {s["id"]: s["last_change"] for s in groom("stale", "--format", "json").json()["stories"]}
    assert stories["S-1"] == "2020-01-02", stories


def test_stale_drop_refuses_while_a_story_file_cannot_be_read(history: Project, groom: Runner) -> None:
    history.write("S-9.md", "---\nid: S-9\nlabels: [a\n---\n")
    before = {p.name: p.read_bytes() for p in history.backlog.iterdir()}
    result = groom("stale", "--drop", "--yes")
    assert result.code == 1, result
    assert (
        "cannot drop stale stories (one of them may be in that file) while backlog/S-9.md cannot be read" in result.err
    )
    assert {p.name: p.read_bytes() for p in history.backlog.iterdir()} == before
