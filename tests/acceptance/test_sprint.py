"""groom sprint-candidates: the selection rules, every exclusion reason, capacity, confidence."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from tests.conftest import Project, Runner


def candidates(groom: Runner, *args: str) -> dict[str, Any]:
    result = groom("sprint-candidates", "--format", "json", *args)
    assert result.code == 0, result
    document: dict[str, Any] = result.json()
    return document


def ids(document: dict[str, Any]) -> list[str]:
    return [c["id"] for c in document["candidates"]]


def reasons(document: dict[str, Any]) -> dict[str, list[str]]:
    return {e["id"]: e["reasons"] for e in document["excluded"]}


def test_takes_ready_stories_in_order_with_cumulative_points(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=3)
    project.story("S-2", rank="a1", estimate=5)
    project.story("S-3", rank="a2", estimate=2)
    document = candidates(groom, "--capacity", "10")
    assert document["candidates"] == [
        {"id": "S-1", "title": "Story S-1", "estimate": 3.0, "cumulative": 3.0},
        {"id": "S-2", "title": "Story S-2", "estimate": 5.0, "cumulative": 8.0},
        {"id": "S-3", "title": "Story S-3", "estimate": 2.0, "cumulative": 10.0},
    ]
    assert document["capacity"] == 10.0
    assert document["total"] == 10.0
    assert document["excluded"] == []


def test_skip_fill_looks_below_a_story_that_does_not_fit(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=5)
    project.story("S-2", rank="a1", estimate=8)
    project.story("S-3", rank="a2", estimate=3)
    document = candidates(groom, "--capacity", "9")
    assert ids(document) == ["S-1", "S-3"]
    assert reasons(document) == {"S-2": ["8 points > 4 left: split it or raise the capacity"]}


def test_strict_fill_stops_at_the_first_that_does_not_fit(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=5)
    project.story("S-2", rank="a1", estimate=8)
    project.story("S-3", rank="a2", estimate=3)
    document = candidates(groom, "--capacity", "9", "--fill", "strict")
    assert ids(document) == ["S-1"]
    assert list(reasons(document)) == ["S-2"]


def test_fill_policy_from_config(project: Project, groom: Runner) -> None:
    (project.root / "groom.toml").write_text('[sprint]\nfill = "strict"\ncapacity = 9\n')
    project.story("S-1", rank="a0", estimate=5)
    project.story("S-2", rank="a1", estimate=8)
    project.story("S-3", rank="a2", estimate=3)
    document = candidates(groom)
    assert ids(document) == ["S-1"]
    assert document["fill"] == "strict"
    assert document["capacity_source"] == "[sprint] capacity in groom.toml"


def test_every_exclusion_reason_in_words(project: Project, groom: Runner) -> None:
    project.story("S-1", status="in-progress", rank="a0", sprint="2026-24")
    project.story("S-2", status="draft", rank="a1", body="")
    project.story("S-3", rank="a2", estimate=None)
    project.story("S-4", rank="a3", depends_on=["S-2"])
    project.story("S-5", rank="a4", estimate=13)
    project.story("S-6", rank="a5", estimate=2)
    document = candidates(groom, "--capacity", "10")
    assert ids(document) == ["S-6"]
    assert reasons(document) == {
        "S-1": ["already in-progress in sprint 2026-24"],
        "S-2": [
            "status is draft",
            "not ready: narrative (no narrative or description found), acceptance-criteria (no acceptance criteria "
            "found), estimated (missing key estimate), value (missing key value)",
        ],
        "S-3": ["not ready: estimated (missing key estimate)"],
        "S-4": ["blocked by S-2 (draft)"],
        "S-5": ["13 points > 10 left: split it or raise the capacity"],
    }


def test_a_dependency_selected_above_does_not_block(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=3)
    project.story("S-2", rank="a1", estimate=3, depends_on=["S-1"])
    project.story("S-3", rank="a2", estimate=3, depends_on=["S-4"])
    project.story("S-4", status="done", rank="Zz", estimate=3)
    assert ids(candidates(groom, "--capacity", "20")) == ["S-1", "S-2", "S-3"]


def test_a_dependency_left_out_blocks(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=8)
    project.story("S-2", rank="a1", estimate=2, depends_on=["S-1"])
    document = candidates(groom, "--capacity", "5")
    assert ids(document) == []
    assert reasons(document)["S-2"] == ["blocked by S-1 (ready)"]


def test_split_and_dropped_stories_are_never_work(project: Project, groom: Runner) -> None:
    project.story("S-1", status="split", rank="a0", estimate=40, children=["S-2", "S-3"])
    project.story("S-2", rank="a0V", estimate=3, parent="S-1")
    project.story("S-3", rank="a0l", estimate=5, parent="S-1")
    project.story("S-4", status="dropped", rank="a1", estimate=1)
    document = candidates(groom, "--capacity", "10")
    assert ids(document) == ["S-2", "S-3"]
    assert document["total"] == 8.0
    assert document["excluded"] == []


def history(project: Project, velocities: dict[str, list[int]]) -> None:
    number = 100
    for sprint, points in velocities.items():
        for estimate in points:
            number += 1
            project.story(f"S-{number}", status="done", estimate=estimate, sprint=sprint)


def test_capacity_from_the_last_three_sprints(project: Project, groom: Runner) -> None:
    history(project, {"2026-20": [13, 13], "2026-21": [8, 5], "2026-22": [8, 8], "2026-23": [5, 3, 8]})
    project.story("S-1", rank="a0", estimate=13)
    document = candidates(groom)
    assert document["capacity"] == pytest.approx((13 + 16 + 16) / 3)
    assert document["capacity_source"] == (
        "mean velocity of the last 3 sprint(s) (2026-21: 13, 2026-22: 16, 2026-23: 16; from done stories)"
    )
    assert [h["velocity"] for h in document["history"]] == [26, 13, 16, 16]


def test_sprints_sort_as_numbers(project: Project, groom: Runner) -> None:
    history(project, {"9": [1], "10": [2], "11": [3], "8": [20]})
    project.story("S-1", rank="a0", estimate=1)
    assert candidates(groom)["capacity"] == 2.0


def test_velocity_list_in_config(project: Project, groom: Runner) -> None:
    (project.root / "groom.toml").write_text("[sprint]\nvelocity = [10, 20, 30, 40]\n")
    project.story("S-1", rank="a0", estimate=13)
    document = candidates(groom)
    assert document["capacity"] == 30.0
    assert "[sprint] velocity in groom.toml" in document["capacity_source"]


def test_no_capacity_says_what_to_add(project: Project, groom: Runner) -> None:
    project.story("S-1")
    result = groom("sprint-candidates")
    assert result.code == 2
    assert result.err.startswith("groom: error: no capacity: pass --capacity N, set [sprint] velocity")


def test_confidence_is_the_share_of_past_sprints(project: Project, groom: Runner) -> None:
    history(project, {"1": [10], "2": [20], "3": [15], "4": [12]})
    project.story("S-1", rank="a0", estimate=13)
    document = candidates(groom, "--capacity", "15")
    assert document["confidence"] == {"sprints": 4, "share": 0.5}
    table = groom("sprint-candidates", "--capacity", "15").out
    assert "confidence: 50% — 2 of the 4 past sprints (10, 20, 15, 12) reached 13 points" in table


def test_short_history_says_so(project: Project, groom: Runner) -> None:
    history(project, {"1": [10], "2": [20]})
    project.story("S-1", rank="a0", estimate=13)
    assert candidates(groom)["confidence"] == {"sprints": 2, "share": None}
    assert "confidence: needs 3 past sprints of velocity, 2 known" in groom("sprint-candidates").out


def test_forecast_is_reproducible(project: Project, groom: Runner) -> None:
    history(project, {"1": [5, 3], "2": [13], "3": [8, 2], "4": [5]})
    for n in range(1, 9):
        project.story(f"S-{n}", rank=f"a{n}", estimate=5)
    first = candidates(groom, "--sprints", "3")
    assert first == candidates(groom, "--sprints", "3")
    forecast = first["forecast"]
    # capacity 9.3 (13, 10, 5): one 5-point story a sprint, never more than the capacity
    assert [f["ids"] for f in forecast] == [["S-1"], ["S-2"], ["S-3"]]
    assert all(f["p50"] <= f["p85"] for f in forecast)
    assert [f["p50"] for f in forecast] == sorted(f["p50"] for f in forecast)
    other_seed = candidates(groom, "--sprints", "3", "--seed", "7")
    assert [f["ids"] for f in other_seed["forecast"]] == [f["ids"] for f in forecast]


def test_spikes_can_reserve_capacity_by_timebox(project: Project, groom: Runner) -> None:
    (project.root / "groom.toml").write_text("[sprint]\nspike_points_per_day = 2\n")
    project.story("S-1", rank="a0", type="spike", timebox="2d", estimate=1)
    project.story("S-2", rank="a1", estimate=3)
    document = candidates(groom, "--capacity", "6")
    assert document["candidates"][0] == {"id": "S-1", "title": "Story S-1", "estimate": 4.0, "cumulative": 4.0}
    assert reasons(document) == {}  # S-2 does not fit, below the last candidate: below the cut
    assert document["below"] == 1


# ---------------------------------------------------------------------------------------
# formats


@pytest.fixture
def small(project: Project) -> Project:
    project.story("S-1", rank="a0", estimate=3, title="Pay | by card")
    project.story("S-2", rank="a1", status="draft", estimate=3, value=2)
    project.story("S-3", rank="a2", estimate=5)
    return project


def test_table(small: Project, groom: Runner) -> None:
    result = groom("sprint-candidates", "--capacity", "10")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "capacity 10 points: given with --capacity; fill: skip"
    assert any(re.fullmatch(r"│ 1 │ S-1\s+│ Pay \| by card\s+│\s+3 │\s+3 │", line) for line in lines), result
    assert "total 8 of 10 points" in lines
    assert lines[-2:] == ["left out above the cut:", "  S-2  Story S-2: status is draft"]


def test_markdown(small: Project, groom: Runner) -> None:
    out = groom("sprint-candidates", "--capacity", "10", "--format", "markdown").out
    assert "| 1 | S-1 | Pay \\| by card | 3 | 3 |" in out
    assert "| 2 | S-3 | Story S-3 | 5 | 8 |" in out
    assert "**Total:** 8 of 10 points." in out
    assert "- **S-2** Story S-2: status is draft" in out


def test_csv(small: Project, groom: Runner) -> None:
    out = groom("sprint-candidates", "--capacity", "10", "--format", "csv").out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        ["id", "title", "status", "selected", "estimate", "cumulative", "reasons"],
        ["S-1", "Pay | by card", "ready", "yes", "3", "3", ""],
        ["S-2", "Story S-2", "draft", "no", "3", "", "status is draft"],
        ["S-3", "Story S-3", "ready", "yes", "5", "8", ""],
    ]


def test_example_backlog_has_every_reason(groom: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import REPO

    monkeypatch.chdir(REPO)
    document = candidates(groom)
    assert ids(document) == ["S-16", "S-32", "S-22", "S-25", "S-17", "S-31"]
    text = " ".join(r for rs in reasons(document).values() for r in rs)
    for words in (
        "already in-progress",
        "status is refining",
        "not ready: no-open-questions",
        "blocked by S-23",
        "points > 2.3 left",
    ):
        assert words in text


def test_dependencies_on_split_or_dropped_stories(project: Project, groom: Runner) -> None:
    project.story("S-1", status="split", rank="a0", estimate=20)
    project.story("S-2", status="dropped", rank="a1")
    project.story("S-3", rank="a2", depends_on=["S-1"])
    project.story("S-4", rank="a3", depends_on=["S-2"])
    project.story("S-5", rank="a4")
    document = candidates(groom, "--capacity", "10")
    assert reasons(document) == {
        "S-3": ["depends on S-1, which was split: depend on its children instead"],
        "S-4": ["depends on S-2, which is dropped: remove the dependency"],
    }


@pytest.mark.parametrize("capacity", ["nan", "inf", "1e308"])
def test_a_capacity_that_is_not_a_count_of_points_is_refused(project: Project, groom: Runner, capacity: str) -> None:
    project.story("S-1", rank="a0")
    result = groom("sprint-candidates", "--capacity", capacity)
    assert result.code == 2, result
    assert "give a number of points from 0 to 100,000" in result.err


def test_cumulative_points_are_summed_not_subtracted(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=3)
    project.story("S-2", rank="a1", estimate=2)
    document = groom("sprint-candidates", "--capacity", "99999.7", "--format", "json").json()
    assert [c["cumulative"] for c in document["candidates"]] == [3, 5]


def test_the_left_out_list_stops_at_the_cut(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a00", estimate=3)
    project.story("S-2", rank="a01", status="refining", estimate=3, value=1)
    project.story("S-3", rank="a02", estimate=5)
    for n in range(4, 19):  # 15 stories below, none of which fits the 1 point left
        project.story(f"S-{n}", rank=f"a{n:02d}", status="draft", estimate=2)
    document = candidates(groom, "--capacity", "9")
    assert ids(document) == ["S-1", "S-3"]
    assert list(reasons(document)) == ["S-2"]
    assert document["below"] == 15
    table = groom("sprint-candidates", "--capacity", "9").out
    assert table.splitlines()[-1] == "15 more open stories below the cut; groom refine shows what they lack"
    assert "S-4 " not in table


def test_with_no_candidate_the_top_stories_say_why(project: Project, groom: Runner) -> None:
    for n in range(1, 15):
        project.story(f"S-{n}", rank=f"a{n:02d}", status="draft")
    document = candidates(groom, "--capacity", "9")
    assert ids(document) == []
    assert len(document["excluded"]) == 10
    assert document["below"] == 4


def test_the_forecast_agrees_with_the_selection_and_never_overflows(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=5)
    project.story("S-2", rank="a1", status="refining", estimate=5, value=1)
    project.story("S-3", rank="a2", estimate=3)
    project.story("S-4", rank="a3", status="draft")  # no estimate
    project.story("S-5", rank="a4", estimate=20)  # bigger than a sprint
    project.story("S-6", rank="a5", estimate=8)
    document = candidates(groom, "--capacity", "10", "--sprints", "6")
    forecast = document["forecast"]
    assert forecast[0]["ids"] == ids(document) == ["S-1", "S-3"]
    assert [f["ids"] for f in forecast[1:]] == [["S-2"], ["S-5"], ["S-6"]]
    assert forecast[1]["not_ready"] == ["S-2"]
    assert forecast[1]["unestimated"] == []  # S-4 ranks below what sprint +2 reaches
    assert forecast[2]["unestimated"] == ["S-4"]
    assert forecast[2]["oversized"] is True
    assert all(f["points"] <= 10 for f in forecast if not f["oversized"])
    text = groom("sprint-candidates", "--capacity", "10", "--sprints", "6").out
    assert "sprint +2: S-2 (not ready) — 5 points, 13 cumulative" in text
    assert "  no estimate, not forecast: S-4" in text
    assert "sprint +3: S-5 (not ready) — 20 points — bigger than a sprint: split it, 33 cumulative" in text
    assert "the open backlog is used up after sprint +4 (6 asked)" in text


def test_strict_fill_ends_the_forecast_at_a_story_without_estimate(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=5)
    project.story("S-2", rank="a1", status="draft")
    project.story("S-3", rank="a2", status="refining", estimate=3, value=1)
    document = candidates(groom, "--capacity", "5", "--fill", "strict", "--sprints", "4")
    assert [f["ids"] for f in document["forecast"]] == [["S-1"], []]
    assert document["forecast"][-1]["stopped"] is True
    assert (
        "the forecast stops at S-2: no estimate (strict fill)"
        in groom("sprint-candidates", "--capacity", "5", "--fill", "strict", "--sprints", "4").out
    )


@pytest.mark.parametrize("sprints", ["0", "27", "-1"])
def test_sprints_outside_1_to_26_are_refused(project: Project, groom: Runner, sprints: str) -> None:
    project.story("S-1", rank="a0")
    result = groom("sprint-candidates", "--capacity", "5", "--sprints", sprints)
    assert result.code == 2, result
    assert result.err == f"groom: error: --sprints {sprints}: forecast 1 to 26 sprints\n"


def test_the_forecast_keeps_a_story_after_its_dependency(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", estimate=5)
    project.story("S-2", rank="a1", status="refining", estimate=3, value=1, depends_on=["S-3"])
    project.story("S-3", rank="a2", status="refining", estimate=5, value=1)
    forecast = candidates(groom, "--capacity", "5", "--sprints", "4")["forecast"]
    assert [f["ids"] for f in forecast] == [["S-1"], ["S-3"], ["S-2"]]


def test_a_capacity_below_the_smallest_card_still_says_why(project: Project, groom: Runner) -> None:
    for n in range(1, 4):
        project.story(f"S-{n}", rank=f"a{n}", estimate=2)
    document = candidates(groom, "--capacity", "0.5")
    assert ids(document) == []
    assert document["excluded"][0]["reasons"] == ["2 points > 0.5 left: split it or raise the capacity"]


def test_piped_tables_are_never_shortened(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", title="A title far longer than any terminal " * 5)
    assert "A title far longer than any terminal " * 4 in groom("list").out
