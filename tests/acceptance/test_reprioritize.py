"""groom reprioritize: one-line moves, score orders with the fewest writes, rebalancing."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Project, Runner


def ranks(groom: Runner) -> list[tuple[str, str | None]]:
    return [(row["id"], row["rank"]) for row in groom("list", "--format", "json").json()]


def order(groom: Runner) -> list[str]:
    return [story_id for story_id, _ in ranks(groom)]


@pytest.fixture
def five(project: Project) -> Project:
    for index, story_id in enumerate(["S-1", "S-2", "S-3", "S-4", "S-5"]):
        project.story(story_id, status="refining", rank=f"a{index}", value=10 - index)
    return project


def test_top_bottom_before_after(five: Project, groom: Runner) -> None:
    result = groom("reprioritize", "S-4", "--top")
    assert result.code == 0, result
    assert result.out == 'S-4: rank "a3" → "Zz" (before S-1)\n1 file written\n'
    assert order(groom) == ["S-4", "S-1", "S-2", "S-3", "S-5"]
    groom("reprioritize", "S-4", "--bottom")
    assert order(groom) == ["S-1", "S-2", "S-3", "S-5", "S-4"]
    groom("reprioritize", "S-4", "--before", "S-2")
    assert order(groom) == ["S-1", "S-4", "S-2", "S-3", "S-5"]
    groom("reprioritize", "S-1", "--after", "S-3")
    assert order(groom) == ["S-4", "S-2", "S-3", "S-1", "S-5"]


def test_a_move_changes_one_line_of_one_file(five: Project, groom: Runner) -> None:
    before = {p.name: p.read_bytes() for p in five.backlog.iterdir()}
    groom("reprioritize", "S-5", "--before", "S-2")
    after = {p.name: p.read_bytes() for p in five.backlog.iterdir()}
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["S-5.md"]
    old_lines, new_lines = before["S-5.md"].splitlines(), after["S-5.md"].splitlines()
    assert [(o, n) for o, n in zip(old_lines, new_lines, strict=True) if o != n] == [(b'rank: "a4"', b'rank: "a0V"')]


def test_move_to_where_it_is_writes_nothing(five: Project, groom: Runner) -> None:
    result = groom("reprioritize", "S-2", "--after", "S-1")
    assert result.out == "S-2 is already there (after S-1, before S-3); nothing written\n"


def test_moving_next_to_an_unranked_story_ranks_it_first(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", rank="a0")
    project.story("S-2", status="refining")
    project.story("S-3", status="refining")
    project.story("S-4", status="refining", rank="a1")
    result = groom("reprioritize", "S-4", "--after", "S-3")
    assert result.code == 0, result
    assert result.out.splitlines() == [
        'S-2: rank (none) → "a1" (it had no rank: stories without one sort last, by id)',
        'S-3: rank (none) → "a2" (it had no rank: stories without one sort last, by id)',
        'S-4: rank "a1" → "a3" (after S-3)',
        "3 files written",
    ]
    assert order(groom) == ["S-1", "S-2", "S-3", "S-4"]


def test_five_hundred_moves_into_one_gap(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", rank="a0")
    project.story("S-2", status="refining", rank="a1")
    project.story("S-3", status="refining", rank="a2")
    for _ in range(250):
        groom("reprioritize", "S-3", "--before", "S-2")
        groom("reprioritize", "S-2", "--before", "S-3")
    assert order(groom) == ["S-1", "S-2", "S-3"]
    result = groom("check")
    assert result.code == 0, result
    assert "[long-rank]" in result.out  # the keys grew: check says to rebalance
    groom("reprioritize", "--rebalance")
    assert ranks(groom) == [("S-1", "a0"), ("S-2", "a1"), ("S-3", "a2")]


def test_duplicate_ranks_are_stepped_over(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", rank="a0")
    project.story("S-2", status="refining", rank="a1")
    project.story("S-3", status="refining", rank="a1")
    project.story("S-4", status="refining", rank="a2")
    assert groom("reprioritize", "S-4", "--before", "S-3").code == 0
    assert order(groom).index("S-4") < order(groom).index("S-3")


@pytest.mark.parametrize(
    "args",
    [
        ["S-1"],
        ["S-1", "--top", "--bottom"],
        ["--top"],
        ["S-1", "--by", "value"],
        ["--by", "value", "--rebalance"],
        ["S-1", "--before", "S-1"],
        ["S-1", "--after", "S-9"],
        ["S-9", "--top"],
    ],
)
def test_usage_errors(five: Project, groom: Runner, args: list[str]) -> None:
    result = groom("reprioritize", *args)
    assert result.code == 2, result
    assert result.err.startswith("groom: error: ")


# ---------------------------------------------------------------------------------------
# score orders


def test_backlog_already_in_value_order_changes_nothing(five: Project, groom: Runner) -> None:
    result = groom("reprioritize", "--by", "value")
    assert result.code == 0, result
    assert result.out.endswith("ordered 5 open stories by value: 0 files written\n")


def test_one_story_out_of_place_changes_one_file(five: Project, groom: Runner) -> None:
    five.story("S-5", status="refining", rank="a4", value=100)
    before = {p.name: p.read_bytes() for p in five.backlog.iterdir()}
    result = groom("reprioritize", "--by", "value")
    assert result.out.endswith("1 file written\n"), result
    after = {p.name: p.read_bytes() for p in five.backlog.iterdir()}
    assert [name for name in before if before[name] != after[name]] == ["S-5.md"]
    assert order(groom) == ["S-5", "S-1", "S-2", "S-3", "S-4"]


def test_dry_run_shows_old_and_new_and_writes_nothing(five: Project, groom: Runner) -> None:
    five.story("S-5", status="refining", rank="a4", value=100)
    before = {p.name: p.read_bytes() for p in five.backlog.iterdir()}
    result = groom("reprioritize", "--by", "value", "--dry-run")
    lines = result.out.splitlines()
    assert lines[0].split() == ["#", "id", "title", "value", "old", "rank", "new", "rank"]
    assert re.match(r'1\s+S-5\s+Story S-5\s+100\s+"a4"\s+"Zz"', lines[2]), result
    assert re.match(r'2\s+S-1\s+Story S-1\s+10\s+"a0"\s+kept', lines[3]), result
    assert lines[-1] == "ordered 5 open stories by value: would rewrite 1 file"
    assert {p.name: p.read_bytes() for p in five.backlog.iterdir()} == before


def test_wsjf_reports_missing_inputs_per_story(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", rank="a0", value=2, time_criticality=1, risk_reduction=1, estimate=8)
    project.story("S-2", status="refining", rank="a1", value=8, time_criticality=5, risk_reduction=3, estimate=2)
    project.story("S-3", status="refining", rank="a2", value=8, estimate=3)
    project.story("S-4", status="done", rank="Zz", value=20, time_criticality=20, risk_reduction=20, estimate=1)
    result = groom("reprioritize", "--by", "wsjf", "--format", "json")
    assert result.code == 0, result
    document = result.json()
    assert [(row["id"], row["score"], row["missing"]) for row in document["order"]] == [
        ("S-2", 8.0, None),
        ("S-1", 0.5, None),
        ("S-3", None, "no time_criticality, no risk_reduction"),
    ]
    assert document["written"] == 1
    assert order(groom) == ["S-4", "S-2", "S-1", "S-3"]


def test_rebalance_says_how_many(five: Project, groom: Runner) -> None:
    five.story("S-6", status="refining", rank="a4V")
    result = groom("reprioritize", "--rebalance")
    assert result.code == 0
    assert result.out.splitlines()[-1] == "rebalanced the ranked stories: 1 file written"
    assert ranks(groom)[-1] == ("S-6", "a5")


def test_unranked_unscored_tail_stays_unranked(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", rank="a0", value=1)
    project.story("S-2", status="refining", value=5)
    project.story("S-3", status="refining", value=None)
    project.story("S-4", status="refining", value=None)
    result = groom("reprioritize", "--by", "value", "--format", "json")
    assert [(r["id"], r["new_rank"]) for r in result.json()["order"]] == [
        ("S-2", "Zz"),
        ("S-1", "a0"),
        ("S-3", None),
        ("S-4", None),
    ]
    assert result.json()["written"] == 1


def test_score_order_keeps_stories_below_their_dependencies(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", rank="a0", value=1)
    project.story("S-2", status="ready", rank="a1", value=9, depends_on=["S-1"])
    project.story("S-3", status="refining", rank="a2", value=5)
    assert groom("check").code == 0
    result = groom("reprioritize", "--by", "value", "--format", "json")
    document = result.json()
    assert [row["id"] for row in document["order"]] == ["S-3", "S-1", "S-2"]
    assert document["held"] == [{"id": "S-2", "after": "S-1"}]
    assert groom("check").code == 0, "the reorder must not break the DoR"
    assert (
        "kept below what they depend on, whatever the score: S-2 after S-1"
        in groom("reprioritize", "--by", "value", "--dry-run").out
    )


def test_a_move_above_a_dependency_says_so(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", rank="a0")
    project.story("S-2", status="refining", rank="a1", depends_on=["S-1"])
    project.story("S-3", status="done", rank="a2")
    project.story("S-4", status="refining", rank="a3", depends_on=["S-3"])
    result = groom("reprioritize", "S-2", "--top")
    assert "note: S-2 now sorts above S-1, which it depends on" in result.out
    assert "note:" not in groom("reprioritize", "S-4", "--top").out  # a done dependency is fine


def test_a_move_that_breaks_a_ready_dependent_says_so(project: Project, groom: Runner) -> None:
    project.story("S-1", status="refining", rank="a0", value=3)
    project.story("S-2", status="ready", rank="a1", depends_on=["S-1"])
    project.story("S-3", status="draft", rank="a2")
    result = groom("reprioritize", "S-1", "--bottom")
    assert result.code == 0, result
    assert "note: S-2 claims ready, depends on S-1 and now sorts above it: groom check will say so" in result.out
    assert groom("check").code == 1
