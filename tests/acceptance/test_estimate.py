"""groom estimate: one line on the team's scale, planning poker, and what is not estimated."""

from __future__ import annotations

import os

import pytest

from tests.conftest import Project, Runner, story_text


def file_of(project: Project, story_id: str) -> bytes:
    return (project.backlog / f"{story_id}.md").read_bytes()


def test_writes_one_line_where_absent(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", value=5, rank="a0")
    before = file_of(project, "S-1")
    result = groom("estimate", "S-1", "5")
    assert result.code == 0, result
    assert result.out == "S-1: estimate (none) → 5 (backlog/S-1.md)\n"
    after = file_of(project, "S-1")
    assert after == before.replace(b"status: refining\n", b"status: refining\nestimate: 5\n")


def test_replaces_the_value_and_keeps_the_comment(project: Project, groom: Runner) -> None:
    project.write("S-1.md", "---\nid: S-1\ntitle: x\nstatus: refining\nestimate: 3   # first guess\n---\nBody\n")
    assert groom("estimate", "S-1", "8").code == 0
    assert (
        file_of(project, "S-1") == b"---\nid: S-1\ntitle: x\nstatus: refining\nestimate: 8   # first guess\n---\nBody\n"
    )


def test_same_value_writes_nothing(project: Project, groom: Runner) -> None:
    path = project.story("S-1", status="refining", estimate=3)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    result = groom("estimate", "S-1", "3")
    assert result.code == 0
    assert result.out == "S-1: estimate is already 3; nothing written\n"
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_off_scale_is_refused_with_the_scale(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining")
    before = file_of(project, "S-1")
    result = groom("estimate", "S-1", "4")
    assert result.code == 2
    assert result.err == (
        "groom: error: '4' is not on the team's scale: 0, 1, 2, 3, 5, 8, 13, 20, 40, 100, or ? (cannot estimate yet)\n"
    )
    assert file_of(project, "S-1") == before


def test_question_mark_is_written_quoted(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining")
    assert groom("estimate", "S-1", "?").code == 0
    assert b'estimate: "?"\n' in file_of(project, "S-1")
    assert groom("check").code == 0


@pytest.mark.parametrize("status", ["planned", "in-progress", "done"])
def test_final_estimates_need_force(project: Project, groom: Runner, status: str) -> None:
    project.story("S-1", status=status)
    result = groom("estimate", "S-1", "5")
    assert result.code == 2
    assert f"S-1 is {status}: its estimate became final" in result.err
    assert b"estimate: 3" in file_of(project, "S-1")
    assert groom("estimate", "S-1", "5", "--force").code == 0
    assert b"estimate: 5" in file_of(project, "S-1")


def test_split_story_estimate_is_history(project: Project, groom: Runner) -> None:
    project.story("S-1", status="split", estimate=40)
    result = groom("estimate", "S-1", "20")
    assert result.code == 2
    assert "S-1 is split: its estimate is history and counts nowhere" in result.err


def test_ready_story_is_not_broken_without_force(project: Project, groom: Runner) -> None:
    project.story("S-1")
    result = groom("estimate", "S-1", "20")
    assert result.code == 1, result
    assert "would no longer meet the Definition of Ready: [small-enough]" in result.err
    assert "Nothing was written" in result.err
    assert b"estimate: 3" in file_of(project, "S-1")
    assert groom("estimate", "S-1", "20", "--force").code == 0


def test_unknown_story(project: Project, groom: Runner) -> None:
    project.story("S-1")
    result = groom("estimate", "S-9", "3")
    assert result.code == 2
    assert "no story with id 'S-9'" in result.err


def test_story_found_when_the_file_name_does_not_follow_the_convention(project: Project, groom: Runner) -> None:
    project.write("export-feature.md", story_text("S-4", status="refining"))
    assert groom("estimate", "S-4", "2").code == 0
    assert b"estimate: 2" in (project.backlog / "export-feature.md").read_bytes()


# ---------------------------------------------------------------------------------------
# planning poker


def test_adjacent_cards_are_a_consensus_at_the_higher(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining")
    result = groom("estimate", "S-1", "--votes", "ana=3,bo=5,cy=5")
    assert result.code == 0, result
    assert result.out.splitlines() == [
        "S-1: consensus at 5 (votes on 3 and 5)",
        "S-1: estimate (none) → 5 (backlog/S-1.md)",
    ]


def test_one_card_is_a_consensus(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining")
    assert groom("estimate", "S-1", "--votes", "8,8,8").out.startswith("S-1: consensus at 8 (votes on 8)")


def test_wide_spread_writes_nothing_and_names_who_explains(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining")
    before = file_of(project, "S-1")
    result = groom("estimate", "S-1", "--votes", "ana=2,bo=8,cy=3,dee=8")
    assert result.code == 1
    assert result.out == "S-1: no consensus (2 to 8): bo, dee (highest) and ana (lowest) explain, then vote again\n"
    assert file_of(project, "S-1") == before


def test_anonymous_votes_are_numbered(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining")
    result = groom("estimate", "S-1", "--votes", "1,13")
    assert result.out == "S-1: no consensus (1 to 13): #2 (highest) and #1 (lowest) explain, then vote again\n"


def test_question_mark_vote_asks_for_a_spike(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining")
    result = groom("estimate", "S-1", "--votes", "ana=?,bo=5")
    assert result.code == 1
    assert "ana played ?; the story needs a question answered or a spike first" in result.out


def test_off_scale_vote_names_the_voter(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining")
    result = groom("estimate", "S-1", "--votes", "ana=3,bo=4")
    assert result.code == 2
    assert "bo voted '4' is not on the team's scale" in result.err


@pytest.mark.parametrize(
    "args",
    [["S-1"], ["S-1", "3", "--votes", "3,5"], ["--missing", "S-1"], [], ["S-1", "--votes", "3"]],
)
def test_usage_errors(project: Project, groom: Runner, args: list[str]) -> None:
    project.story("S-1", status="refining")
    result = groom("estimate", *args)
    assert result.code == 2, result
    assert result.err.startswith("groom: error: ")


# ---------------------------------------------------------------------------------------
# --missing


def test_missing_lists_open_unestimated_stories_in_order(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", rank="a1")
    project.story("S-2", status="draft", rank="a0", estimate="?")
    project.story("S-3", status="refining", rank="a2", estimate=3)
    project.story("S-4", status="dropped", rank="a3")
    result = groom("estimate", "--missing", "--format", "json")
    assert result.code == 0, result
    assert [(row["id"], row["estimate"]) for row in result.json()] == [("S-2", "?"), ("S-1", None)]
    table = groom("estimate", "--missing").out.splitlines()
    assert [line.split()[0] for line in table[2:]] == ["S-2", "S-1"]
