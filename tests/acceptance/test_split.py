"""groom split, groom new and groom renumber: families written whole, ids that do not collide."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from groom import yamlio
from tests.conftest import Project, Runner, story_text

PARENT_BODY = """As a shopper in a basement supermarket I want the list to work offline so that I can still tick items.

## Acceptance criteria
- [ ] Given no connection, when I open the list, then the last synced version is shown
- [ ] Given items ticked offline, when the connection returns, then the ticks are synced
- [ ] Given a conflicting edit, when syncing, then the newest change wins

## Questions
- [ ] @jonas: how long may the list stay offline?
"""


def front(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    return yamlio.load_mapping(text.split("---\n")[1])


@pytest.fixture
def family(project: Project) -> Project:
    project.story("S-1", status="ready", rank="a0")
    project.write(
        "S-2-offline-mode.md",
        story_text(
            "S-2",
            status="refining",
            body=PARENT_BODY,
            estimate=20,
            value=8,
            rank="a1",
            epic="shopping",
            labels=["mobile"],
            depends_on=["S-1"],
            sprint="2026-24",
        ),
    )
    project.story("S-3", status="refining", rank="a2")
    return project


def test_split_into_titles(family: Project, groom: Runner) -> None:
    result = groom("split", "S-2", "--into", "Show the last synced list", "--into", "Sync ticks made offline")
    assert result.code == 0, result
    assert result.out.splitlines() == [
        'S-4: Show the last synced list  (backlog/S-4-show-the-last-synced-list.md, rank "a1G")',
        'S-5: Sync ticks made offline  (backlog/S-5-sync-ticks-made-offline.md, rank "a1V")',
        "S-2: status refining → split, children (none) → [S-4, S-5]",
        "3 files written",
    ]
    child = front(family.backlog / "S-4-show-the-last-synced-list.md")
    assert child == {
        "id": "S-4",
        "title": "Show the last synced list",
        "status": "draft",
        "epic": "shopping",
        "labels": ["mobile"],
        "value": 8,
        "depends_on": ["S-1"],
        "parent": "S-2",
        "rank": "a1G",
    }
    body = (family.backlog / "S-4-show-the-last-synced-list.md").read_text()
    assert (
        "As a shopper in a basement supermarket I want to show the last synced list so that I can still tick items."
        in body
    )
    parent = front(family.backlog / "S-2-offline-mode.md")
    assert parent["status"] == "split"
    assert parent["children"] == ["S-4", "S-5"]
    assert parent["estimate"] == 20
    order = [row["id"] for row in groom("list", "--format", "json").json()]
    assert order == ["S-1", "S-2", "S-4", "S-5", "S-3"]
    assert groom("check").code == 0


def test_split_by_criteria_and_groups(family: Project, groom: Runner) -> None:
    result = groom("split", "S-2", "--by-criteria", "--group", "1", "--group", "2,3")
    assert result.code == 0, result
    second = next(family.backlog.glob("S-5-*.md"))
    text = second.read_text()
    assert "- [ ] Given items ticked offline, when the connection returns, then the ticks are synced\n" in text
    assert "- [ ] Given a conflicting edit, when syncing, then the newest change wins\n" in text
    assert "last synced version" not in text
    assert front(second)["title"] == "The ticks are synced when the connection returns (+1 more)"
    assert groom("check").code == 0


def test_split_by_each_criterion_with_names(family: Project, groom: Runner) -> None:
    result = groom("split", "S-2", "--by-criteria", "--into", "Offline view", "--into", "Sync", "--into", "Conflicts")
    assert result.code == 0, result
    assert [front(p)["title"] for p in sorted(family.backlog.glob("S-[456]-*.md"))] == [
        "Offline view",
        "Sync",
        "Conflicts",
    ]


def test_spike_is_ranked_above_and_depended_on(family: Project, groom: Runner) -> None:
    result = groom("split", "S-2", "--spike", "How long can a list stay offline?", "--timebox", "1d")
    assert result.code == 0, result
    spike_path = next(family.backlog.glob("S-4-*.md"))
    spike = front(spike_path)
    assert spike["type"] == "spike"
    assert spike["timebox"] == "1d"
    assert "a0" < str(spike["rank"]) < "a1"
    assert "- [ ] Answered: @jonas: how long may the list stay offline?" in spike_path.read_text()
    assert front(family.backlog / "S-2-offline-mode.md")["depends_on"] == ["S-1", "S-4"]
    assert groom("check").code == 0


def test_suggest_names_patterns_and_writes_nothing(family: Project, groom: Runner) -> None:
    before = {p.name: p.read_bytes() for p in family.backlog.iterdir()}
    result = groom("split", "S-2", "--suggest")
    assert result.code == 0
    assert "- too big for a sprint: the estimate 20 is above 13" in result.out
    assert "- spike (SPIDR: Spike): an unknown blocks the estimate: 1 open question" in result.out
    assert "- workflow steps or paths (SPIDR: Paths): 3 acceptance criteria" in result.out
    assert {p.name: p.read_bytes() for p in family.backlog.iterdir()} == before


def test_suggest_for_crud_and_and(project: Project, groom: Runner) -> None:
    project.write(
        "S-1.md", story_text("S-1", status="draft", title="Manage users and roles", body="Admins manage users.\n")
    )
    result = groom("split", "S-1", "--suggest")
    assert "operations (CRUD): 'Manage' usually hides create, read, update and delete" in result.out, result
    assert "business-rule or operation variations: the title joins two things with 'and'" in result.out


def test_suggest_when_nothing_stands_out(project: Project, groom: Runner) -> None:
    project.story("S-1")
    assert (
        groom("split", "S-1", "--suggest").out
        == "S-1: no splitting pattern stands out; it looks small and clear enough\n"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--into", "only one"], "at least two"),
        (["--into", "a", "--spike", "b"], "give one of"),
        (["--group", "1"], "give one of"),
        (["--by-criteria", "--group", "1,9"], "has criteria 1 to 3"),
        (["--by-criteria", "--group", "1,2", "--group", "2"], "in two groups"),
        (["--spike", "x", "--timebox", "two days"], "--timebox 'two days'"),
        (["--into", "", "--into", "b"], "cannot be empty"),
    ],
)
def test_split_usage_errors(family: Project, groom: Runner, args: list[str], words: str) -> None:
    before = {p.name: p.read_bytes() for p in family.backlog.iterdir()}
    result = groom("split", "S-2", *args)
    assert result.code == 2, result
    assert words in result.err
    assert {p.name: p.read_bytes() for p in family.backlog.iterdir()} == before


def test_done_story_cannot_be_split(project: Project, groom: Runner) -> None:
    project.story("S-1", status="done")
    result = groom("split", "S-1", "--into", "a", "--into", "b")
    assert result.code == 2
    assert "S-1 is done; only open stories are split or get a spike" in result.err


# ---------------------------------------------------------------------------------------
# all or nothing


def test_a_name_taken_meanwhile_writes_nothing(family: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    from groom import edits

    real = edits.apply
    before: dict[str, bytes] = {}

    def someone_creates_it_first(*args: Any, **kwargs: Any) -> edits.Written:
        family.write("S-5-sync-ticks-made-offline.md", "someone else's story, created a moment ago\n")
        before.update({p.name: p.read_bytes() for p in family.backlog.iterdir()})
        return real(*args, **kwargs)

    monkeypatch.setattr(edits, "apply", someone_creates_it_first)
    result = groom("split", "S-2", "--into", "Show the last synced list", "--into", "Sync ticks made offline")
    assert result.code == 2, result
    assert "already exists; nothing was changed" in result.err
    assert {p.name: p.read_bytes() for p in family.backlog.iterdir()} == before


def test_a_failure_halfway_removes_what_was_written(
    family: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CI runs as root, where a read-only folder does not stop a write: fail the second link instead.
    real = os.link
    calls: list[str] = []

    def failing(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(30, "Read-only file system", dst)
        real(src, dst)

    monkeypatch.setattr(os, "link", failing)
    before = {p.name: p.read_bytes() for p in family.backlog.iterdir()}
    result = groom("split", "S-2", "--into", "A", "--into", "B", "--into", "C")
    assert result.code == 2, result
    assert "Read-only file system" in result.err
    assert {p.name: p.read_bytes() for p in family.backlog.iterdir()} == before


# ---------------------------------------------------------------------------------------
# new


def test_new_story_from_the_template(family: Project, groom: Runner) -> None:
    result = groom("new", "Crème brûlée: share/export!")
    assert result.code == 0, result
    assert result.out == 'S-4: created backlog/S-4-creme-brulee-share-export.md (rank "a3", status draft)\n'
    path = family.backlog / "S-4-creme-brulee-share-export.md"
    assert front(path) == {
        "id": "S-4",
        "title": "Crème brûlée: share/export!",
        "type": "story",
        "status": "draft",
        "rank": "a3",
    }
    assert "## Acceptance criteria" in path.read_text()
    assert groom("check").code == 0


def test_new_top_after_and_type(family: Project, groom: Runner) -> None:
    groom("new", "First", "--top")
    groom("new", "Investigate", "--type", "spike", "--after", "S-1")
    order = [row["id"] for row in groom("list", "--format", "json").json()]
    assert order == ["S-4", "S-1", "S-5", "S-2", "S-3"]
    assert front(next(family.backlog.glob("S-5-*.md")))["timebox"] == "2d"


@pytest.mark.parametrize("title", ["../../etc/passwd", "/absolute", ".hidden", "..", "a/b\\c"])
def test_a_title_cannot_write_outside_the_backlog(family: Project, groom: Runner, title: str) -> None:
    result = groom("new", title)
    assert result.code == 0, result
    created = [p for p in family.root.rglob("*") if p.is_file() and p.name.startswith("S-4")]
    assert len(created) == 1
    assert created[0].parent == family.backlog
    assert not created[0].name.startswith(".")


def test_new_unknown_type(family: Project, groom: Runner) -> None:
    result = groom("new", "x", "--type", "epic")
    assert result.code == 2
    assert "unknown type 'epic'" in result.err


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_ids_are_above_every_branch(project: Project, groom: Runner) -> None:
    root = project.root
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "Test")
    project.story("S-1", status="draft")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    git(root, "checkout", "-qb", "feature")
    project.story("S-2", status="draft", name="S-2-on-feature.md")
    project.story("S-7", status="draft", name="S-7-on-feature.md")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "feature stories")
    git(root, "checkout", "-q", "main")
    assert sorted(p.name for p in project.backlog.iterdir()) == ["S-1.md"]
    result = groom("new", "Made on main")
    assert result.out.startswith("S-8: created"), result


def test_outside_git_the_working_tree_decides(family: Project, groom: Runner) -> None:
    assert groom("new", "x").out.startswith("S-4: created")


# ---------------------------------------------------------------------------------------
# renumber


def test_renumber_updates_every_reference(family: Project, groom: Runner) -> None:
    groom("split", "S-2", "--into", "A", "--into", "B")
    family.story("S-6", status="draft", depends_on=["S-2", "S-1"], rank="a5")
    result = groom("renumber", "S-2")
    assert result.code == 0, result
    assert result.out.splitlines()[0] == "S-2 → S-7 (backlog/S-2-offline-mode.md → backlog/S-7-offline-mode.md)"
    assert not (family.backlog / "S-2-offline-mode.md").exists()
    assert front(family.backlog / "S-7-offline-mode.md")["id"] == "S-7"
    assert front(family.backlog / "S-4-a.md")["parent"] == "S-7"
    assert front(family.backlog / "S-6.md")["depends_on"] == ["S-7", "S-1"]
    assert groom("check").code == 0


def test_renumber_a_duplicate_after_a_merge(family: Project, groom: Runner) -> None:
    family.write("S-3-from-the-other-branch.md", story_text("S-3", status="draft", rank="a3"))
    family.story("S-9", status="draft", depends_on=["S-3"])
    result = groom("renumber", "S-3")
    assert result.code == 2
    assert "id S-3 is used by backlog/S-3.md, backlog/S-3-from-the-other-branch.md; name the file" in result.err
    result = groom("renumber", "backlog/S-3-from-the-other-branch.md", "--to", "S-20")
    assert result.code == 0, result
    assert "not changed, check which S-3 they mean: S-9" in result.out
    assert front(family.backlog / "S-20-from-the-other-branch.md")["id"] == "S-20"
    assert groom("check").code == 0


def test_renumber_to_a_used_id_is_refused(family: Project, groom: Runner) -> None:
    result = groom("renumber", "S-3", "--to", "S-1")
    assert result.code == 2
    assert "S-1 is already used by backlog/S-1.md" in result.err


def test_split_needs_a_split_status(project: Project, groom: Runner) -> None:
    (project.root / "groom.toml").write_text('[status]\nall = ["To Do", "Done"]\ndone = ["Done"]\n')
    project.write("S-1.md", "---\nid: S-1\ntitle: x\nstatus: To Do\n---\n")
    result = groom("split", "S-1", "--into", "a", "--into", "b")
    assert result.code == 2
    assert "no status for what a split story gets: set status.split in groom.toml" in result.err
    spike = groom("split", "S-1", "--spike", "Find out")
    assert spike.code == 2
    assert "no status for what new stories and split children get: set status.new in groom.toml" in spike.err
    (project.root / "groom.toml").write_text('[status]\nall = ["To Do", "Done"]\ndone = ["Done"]\nnew = "To Do"\n')
    assert groom("split", "S-1", "--spike", "Find out").code == 0
    assert "status: To Do" in next(project.backlog.glob("S-2-*.md")).read_text()


def test_renumber_renames_only_a_file_named_for_the_id(project: Project, groom: Runner) -> None:
    project.story("S-1", name="S-12-copied.md", status="draft", rank="a0")
    project.story("S-2", status="draft", rank="a1")
    result = groom("renumber", "backlog/S-12-copied.md", "--to", "S-32")
    assert result.code == 0, result
    assert (project.backlog / "S-12-copied.md").exists()
    assert "id: S-32" in (project.backlog / "S-12-copied.md").read_text()


def test_a_story_in_a_sprint_needs_force_to_split_and_leaves_the_sprint(project: Project, groom: Runner) -> None:
    project.story("S-1", status="in-progress", rank="a0", sprint="2026-24")
    before = (project.backlog / "S-1.md").read_bytes()
    result = groom("split", "S-1", "--into", "A", "--into", "B")
    assert result.code == 2, result
    assert result.err == (
        "groom: error: S-1 is in-progress in sprint 2026-24: splitting it takes it out of the sprint; "
        "pass --force to split it anyway\n"
    )
    assert (project.backlog / "S-1.md").read_bytes() == before
    forced = groom("split", "S-1", "--into", "A", "--into", "B", "--force")
    assert forced.code == 0, forced
    text = (project.backlog / "S-1.md").read_text()
    assert "status: split" in text and "sprint:" not in text


def test_a_criterion_that_makes_no_short_title_asks_for_into(project: Project, groom: Runner) -> None:
    long = "Given " + "a very long condition " * 5 + ", when I act, then " + "a long outcome " * 6
    body = f"As a cook I want a thing so that I get value.\n\n## Acceptance criteria\n- [ ] {long}\n- [ ] Short one\n"
    project.story("S-1", status="refining", rank="a0", value=3, body=body)
    result = groom("split", "S-1", "--by-criteria")
    assert result.code == 2, result
    assert "criterion 1 makes no short title" in result.err and "--into TITLE" in result.err
    assert groom("split", "S-1", "--by-criteria", "--into", "Long part", "--into", "Short part").code == 0


def test_after_a_spike_the_advice_is_to_wait_for_it(project: Project, groom: Runner) -> None:
    body = (
        "As a cook I want a thing so that I get value.\n\n## Acceptance criteria\n- [ ] It works\n\n"
        "## Questions\n- [ ] @mira: which source?\n"
    )
    project.story("S-1", status="ready", rank="a5", body=body)
    before = groom("check").out
    assert "turn them into a spike" in before, before
    assert groom("split", "S-1", "--spike", "Which source?").code == 0
    after = groom("check").out
    assert "answer them when S-2 is done (the spike this story depends on)" in after, after


def test_renumber_to_an_id_with_any_of_the_prefixes(project: Project, groom: Runner) -> None:
    """With several id prefixes, an id with the first one is as valid as one with the last."""
    (project.root / "groom.toml").write_text('id_prefix = ["S-", "B-"]\n')
    project.story("S-1", rank="a1")
    assert groom("renumber", "S-1", "--to", "S-7").code == 0
    assert groom("renumber", "S-7", "--to", "B-3").code == 0
