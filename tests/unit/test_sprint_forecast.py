"""sprint, the rest of its rules: where the capacity comes from, every reason a story is left
out, where the list is cut, and the multi-sprint forecast with its Monte Carlo readings.
Stories in memory; the disk is off limits."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any, cast

import pytest

from groom import schemas, sprint
from groom.errors import ConfigError
from groom.model import Story
from groom.ready import Judge
from tests.stories import CONFIG, backlog, no_disk, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)  # read once, before the tests forbid the disk


def select(
    *stories: Story,
    capacity: float,
    fill: str = "skip",
    history: tuple[float, ...] = (),
    sprints: int = 0,
    exclude: tuple[str, ...] = (),
) -> sprint.Selection:
    whole = backlog(*stories)
    cap = sprint.Capacity(capacity, "given", tuple((f"#{i}", v) for i, v in enumerate(history)))
    return sprint.select(whole.stories, Judge(whole, SCHEMAS), CONFIG, cap, fill, sprints, exclude=exclude)


def ids(selection: sprint.Selection) -> list[str]:
    return [c.story.id for c in selection.candidates]


def reasons(selection: sprint.Selection) -> dict[str, tuple[str, ...]]:
    return {e.story.id: e.reasons for e in selection.excluded}


def ready(n: int, points: float | str | None = 3, **fields: Any) -> Story:
    return story(f"S-{n}", rank=f"a{n:02d}", estimate=points, **fields)


# ---------------------------------------------------------------------------------------
# capacity


def test_velocity_is_the_points_done_per_sprint_in_sprint_order() -> None:
    done = [
        story("S-1", status="done", estimate=5, sprint="2026-10"),
        story("S-2", status="done", estimate=3, sprint="2026-10"),
        story("S-3", status="done", estimate=8, sprint="2026-9"),
        story("S-4", status="in-progress", estimate=13, sprint="2026-10"),  # not done
        story("S-5", status="done", estimate="?", sprint="2026-10"),  # no points
        story("S-6", status="done", estimate=2),  # no sprint
        story("S-7", status="done", estimate=1, sprint=7),
    ]
    assert sprint.velocity_history(done, CONFIG) == (("7", 1.0), ("2026-9", 8.0), ("2026-10", 8.0))


def test_the_velocity_list_in_groom_toml_wins_over_the_done_stories() -> None:
    done = [story("S-1", status="done", estimate=5, sprint="2026-10")]
    config = replace(CONFIG, velocity=(10.0, 20.0))
    assert sprint.velocity_history(done, config) == (("#1", 10.0), ("#2", 20.0))
    cap = sprint.capacity(done, config, None)
    assert (cap.points, cap.source) == (
        15.0,
        "mean velocity of the last 2 sprint(s) (#1: 10, #2: 20; from [sprint] velocity in groom.toml)",
    )


def test_capacity_is_the_mean_of_the_last_three_sprints_and_says_which() -> None:
    done = [
        story(f"S-{n}", status="done", estimate=p, sprint=f"2026-{n}") for n, p in ((1, 40), (2, 5), (3, 8), (4, 8))
    ]
    cap = sprint.capacity(done, CONFIG, None)
    assert cap.points == 7
    assert cap.source == "mean velocity of the last 3 sprint(s) (2026-2: 5, 2026-3: 8, 2026-4: 8; from done stories)"


def test_capacity_given_or_configured_comes_first_and_says_so() -> None:
    done = [story("S-1", status="done", estimate=5, sprint="2026-10")]
    given = sprint.capacity(done, replace(CONFIG, capacity=30.0), 12)
    assert (given.points, given.source, given.history) == (12, "given with --capacity", (("2026-10", 5.0),))
    configured = sprint.capacity(done, replace(CONFIG, capacity=30.0), None)
    assert (configured.points, configured.source) == (30.0, "[sprint] capacity in groom.toml")


@pytest.mark.parametrize("given", [0, 0.5, sprint.MAX_CAPACITY])
def test_a_capacity_from_0_to_the_maximum_is_taken(given: float) -> None:
    assert sprint.capacity([], CONFIG, given).points == given


@pytest.mark.parametrize(
    ("given", "shown"),
    [(-1, "-1"), (sprint.MAX_CAPACITY + 1, "100001"), (float("nan"), "nan"), (float("inf"), "inf")],
)
def test_a_capacity_outside_0_to_the_maximum_is_refused(given: float, shown: str) -> None:
    with pytest.raises(ConfigError) as refused:
        sprint.capacity([], CONFIG, given)
    assert refused.value.message == f"--capacity {shown}: give a number of points from 0 to 100,000"


def test_without_any_capacity_groom_says_the_three_ways_to_give_one() -> None:
    with pytest.raises(ConfigError) as refused:
        sprint.capacity([story("S-1", status="done", estimate=3)], CONFIG, None)
    assert refused.value.message == (
        "no capacity: pass --capacity N, set [sprint] velocity = [...] or capacity = N in groom.toml, "
        "or give done stories their sprint (sprint: 2026-24) so groom can measure the velocity"
    )


# ---------------------------------------------------------------------------------------
# selection: reasons and the cut


def test_candidates_carry_their_running_total() -> None:
    result = select(ready(1, 3), ready(2, 5), ready(3, 2), capacity=20)
    assert [(c.story.id, c.points, c.cumulative) for c in result.candidates] == [
        ("S-1", 3, 3),
        ("S-2", 5, 8),
        ("S-3", 2, 10),
    ]
    assert result.total == 10
    assert select(ready(1, 3), capacity=0).total == 0


def test_a_story_missing_dor_items_says_each_of_them() -> None:
    result = select(story("S-1", rank="a0", estimate=None, value=None), ready(2), capacity=10)
    assert reasons(result)["S-1"] == ("not ready: estimated (missing key estimate), value (missing key value)",)


def test_a_story_without_points_is_left_out_for_want_of_an_estimate() -> None:
    # Under the default DoR "?" is a gap; a team whose DoR asks for no estimate still gets
    # no story without points in its sprint.
    whole = backlog(ready(1, "?"), ready(2, None), ready(3))

    class NoDor:
        backlog = whole

        def gaps(self, _: Story) -> list[object]:
            return []

    cap = sprint.Capacity(10, "given", ())
    result = sprint.select(whole.stories, cast(Judge, NoDor()), CONFIG, cap, "skip")
    assert ids(result) == ["S-3"]
    assert reasons(result) == {"S-1": ("no estimate",), "S-2": ("no estimate",)}


def test_a_story_already_in_a_sprint_is_left_out_and_says_where() -> None:
    result = select(ready(1, status="in-progress"), ready(2, status="planned", sprint="2026-24"), ready(3), capacity=10)
    assert reasons(result) == {"S-1": ("already in-progress",), "S-2": ("already planned in sprint 2026-24",)}


def test_a_dependency_on_a_split_or_dropped_story_says_what_to_do() -> None:
    result = select(
        story("S-1", status="split", rank="a00"),
        story("S-2", status="dropped", rank="a01"),
        ready(3, depends_on=["S-1"]),
        ready(4, depends_on=["S-2"]),
        ready(5),
        capacity=10,
    )
    assert reasons(result) == {
        "S-3": ("depends on S-1, which was split: depend on its children instead",),
        "S-4": ("depends on S-2, which is dropped: remove the dependency",),
    }


def test_a_done_dependency_does_not_block() -> None:
    assert ids(select(story("S-1", status="done", rank="a00"), ready(2, depends_on=["S-1"]), capacity=5)) == ["S-2"]


def test_a_story_left_out_in_planning_says_so() -> None:
    result = select(ready(1), ready(2), capacity=10, exclude=("S-1",))
    assert ids(result) == ["S-2"]
    assert reasons(result) == {"S-1": ("left out in planning (--exclude)",)}


def test_only_stories_above_the_cut_are_listed_and_the_rest_are_counted() -> None:
    result = select(
        ready(1),
        story("S-2", status="draft", rank="a02"),
        ready(3),
        story("S-4", status="draft", rank="a04"),
        capacity=6,
    )
    assert ids(result) == ["S-1", "S-3"]
    assert list(reasons(result)) == ["S-2"]
    assert result.below == 1


def test_strict_fill_cuts_at_the_story_that_did_not_fit() -> None:
    result = select(ready(1), ready(2, 8), ready(3, 1), capacity=5, fill="strict")
    assert ids(result) == ["S-1"]
    assert list(reasons(result)) == ["S-2"]
    assert result.below == 1


def test_the_walk_stops_when_not_even_the_smallest_card_fits() -> None:
    # 1 point left after S-1: S-2 (a draft) is below the cut, not a reason.
    result = select(ready(1, 3), story("S-2", status="draft", rank="a02"), ready(3, 1), capacity=3)
    assert ids(result) == ["S-1"]
    assert reasons(result) == {}
    assert result.below == 2


def test_with_no_candidate_the_first_ten_open_stories_say_why() -> None:
    drafts = [story(f"S-{n}", status="draft", rank=f"a{n:02d}") for n in range(1, 13)]
    result = select(story("S-0", status="done", rank="a00"), *drafts, capacity=5)
    assert ids(result) == []
    assert list(reasons(result)) == [f"S-{n}" for n in range(1, 11)]
    assert result.below == 2
    few = select(*drafts[:3], capacity=5)
    assert (len(few.excluded), few.below) == (3, 0)


@pytest.mark.parametrize("sprints", [-1, 27])
def test_a_forecast_is_1_to_26_sprints(sprints: int) -> None:
    with pytest.raises(ConfigError) as refused:
        select(ready(1), capacity=5, sprints=sprints)
    assert refused.value.message == f"--sprints {sprints}: forecast 1 to 26 sprints"
    assert len(select(ready(1), capacity=5, sprints=26).forecast) == 1
    assert select(ready(1), capacity=5, sprints=0).forecast == ()


def test_confidence_is_the_share_of_past_sprints_that_reached_the_total() -> None:
    result = select(ready(1, 5), ready(2, 3), capacity=8, history=(8, 7, 9, 2))
    assert result.confidence == sprint.Confidence(4, 0.5)
    assert select(ready(1, 5), capacity=8, history=(1, 1, 1)).confidence == sprint.Confidence(3, 0.0)
    assert select(ready(1, 5), capacity=8, history=(9, 9)).confidence == sprint.Confidence(2, None)


# ---------------------------------------------------------------------------------------
# the forecast


def forecast(
    *stories: Story, capacity: float, fill: str = "skip", history: tuple[float, ...] = (), sprints: int = 6
) -> list[tuple[object, ...]]:
    result = select(*stories, capacity=capacity, fill=fill, history=history, sprints=sprints)
    return [
        (
            f.number,
            [s.id for s in f.stories],
            f.points,
            f.cumulative,
            f.not_ready,
            f.unestimated,
            f.oversized,
            f.stopped,
        )
        for f in result.forecast
    ]


def test_each_forecast_sprint_takes_what_fits_in_backlog_order() -> None:
    stories = [ready(1, 5), ready(2, 5), ready(3, 3), ready(4, 2), ready(5, 5)]
    assert forecast(*stories, capacity=5) == [
        (1, ["S-1"], 5, 5, (), (), False, False),
        (2, ["S-2"], 5, 10, (), (), False, False),
        (3, ["S-3", "S-4"], 5, 15, (), (), False, False),
        (4, ["S-5"], 5, 20, (), (), False, False),
    ]


def test_skip_fill_looks_past_a_story_that_does_not_fit_and_strict_fill_does_not() -> None:
    stories = [ready(1, 5), ready(2, 3), ready(3, 5), ready(4, 2)]
    assert [ids for _, ids, *_ in forecast(*stories, capacity=5)] == [["S-1"], ["S-2", "S-4"], ["S-3"]]
    assert [ids for _, ids, *_ in forecast(*stories, capacity=5, fill="strict")] == [["S-1"], ["S-2"], ["S-3"], ["S-4"]]


def test_a_story_bigger_than_a_sprint_gets_one_of_its_own_flagged() -> None:
    stories = [ready(1, 5), ready(2, 8), ready(3, 2)]
    assert forecast(*stories, capacity=5) == [
        (1, ["S-1"], 5, 5, (), (), False, False),
        (2, ["S-2"], 8, 13, (), (), True, False),
        (3, ["S-3"], 2, 15, (), (), False, False),
    ]


def test_a_story_without_an_estimate_is_named_where_it_ranks_and_skipped_or_ends_a_strict_forecast() -> None:
    stories = [ready(1, 5), ready(2, 3), story("S-3", status="refining", rank="a03"), ready(4, 2), ready(5, 5)]
    assert forecast(*stories, capacity=5) == [
        (1, ["S-1"], 5, 5, (), (), False, False),
        (2, ["S-2", "S-4"], 5, 10, (), ("S-3",), False, False),
        (3, ["S-5"], 5, 15, (), (), False, False),
    ]
    assert forecast(*stories, capacity=5, fill="strict") == [
        (1, ["S-1"], 5, 5, (), (), False, False),
        (2, ["S-2"], 3, 8, (), ("S-3",), False, True),
    ]


def test_forecast_sprints_name_their_stories_that_are_not_ready_yet() -> None:
    stories = [ready(1, 5), story("S-2", status="refining", rank="a02", estimate=3), ready(3, 2, value=None)]
    assert forecast(*stories, capacity=5) == [
        (1, ["S-1"], 5, 5, (), (), False, False),
        (2, ["S-2", "S-3"], 5, 10, ("S-2", "S-3"), (), False, False),
    ]


def test_a_story_waits_for_its_dependency_to_be_forecast_first() -> None:
    stories = [ready(1, 5), ready(2, 3, depends_on=["S-3"]), ready(3, 5), ready(4, 2)]
    assert [ids for _, ids, *_ in forecast(*stories, capacity=5)] == [["S-1"], ["S-3"], ["S-2", "S-4"]]
    together = [ready(1, 5), ready(2, 2), ready(3, 2, depends_on=["S-2"])]
    assert [ids for _, ids, *_ in forecast(*together, capacity=5)] == [["S-1"], ["S-2", "S-3"]]


def test_the_forecast_ends_when_the_backlog_is_used_up_or_only_a_cycle_is_left() -> None:
    assert len(forecast(ready(1, 5), ready(2, 5), capacity=5, sprints=26)) == 2
    cycle = [ready(1, 5), story("S-2", status="refining", rank="a02", estimate=3, depends_on=["S-3"])]
    cycle.append(story("S-3", status="refining", rank="a03", estimate=3, depends_on=["S-2"]))
    assert len(forecast(*cycle, capacity=5, sprints=26)) == 1


def test_the_forecast_leaves_out_stories_already_in_a_sprint() -> None:
    stories = [ready(1, 5), ready(2, 5, status="planned", sprint="2026-24"), ready(3, 5)]
    assert [ids for _, ids, *_ in forecast(*stories, capacity=5)] == [["S-1"], ["S-3"]]


def test_monte_carlo_readings_need_three_usable_past_sprints() -> None:
    result = select(ready(1, 5), ready(2, 5), capacity=5, history=(5, 5, 5), sprints=3)
    assert [(f.p50, f.p85) for f in result.forecast] == [(1, 1), (2, 2)]
    no_reading = select(ready(1, 5), ready(2, 5), capacity=5, history=(5, 5, 0), sprints=3)
    assert [(f.p50, f.p85) for f in no_reading.forecast] == [(None, None), (None, None)]
    nothing = select(ready(1, 8), capacity=5, history=(5, 5, 5), sprints=2)
    assert [(f.p50, f.p85) for f in nothing.forecast] == [(None, None), (2, 2)]  # sprint 1 holds nothing


def test_sprints_needed_are_the_50th_and_85th_percentile_of_the_trials() -> None:
    assert sprint._sprints_needed(10, [5], random.Random(1)) == (2, 2)
    assert sprint._sprints_needed(10, [10], random.Random(1)) == (1, 1)
    assert sprint._sprints_needed(10.5, [5], random.Random(1)) == (3, 3)
    # Velocities 4 or 8, equally likely, for 12 points: 2 sprints (8+4, 4+8, 8+8: 3/4 of the
    # trials) or 3 (4+4+anything: 1/4): the median is 2, the 85th percentile 3.
    assert sprint._sprints_needed(12, [4, 8], random.Random(7)) == (2, 3)


def test_the_same_backlog_and_seed_give_the_same_readings() -> None:
    stories = [ready(n, 5) for n in range(1, 8)]
    first = select(*stories, capacity=10, history=(4, 9, 13, 7), sprints=4)
    again = select(*stories, capacity=10, history=(4, 9, 13, 7), sprints=4)
    assert [(f.p50, f.p85) for f in first.forecast] == [(f.p50, f.p85) for f in again.forecast]
    assert [f.p50 for f in first.forecast] == [2, 3, 4, 5]  # 10, 20, 30, 35 points at a mean of 8.25


# ---------------------------------------------------------------------------------------
# more edges


def test_a_configured_capacity_still_carries_the_velocity_history() -> None:
    done = [story("S-1", status="done", estimate=5, sprint="2026-10")]
    assert sprint.capacity(done, replace(CONFIG, capacity=30.0), None).history == (("2026-10", 5.0),)


def test_a_spike_takes_days_weeks_or_hours_of_its_timebox() -> None:
    config = replace(CONFIG, spike_points_per_day=2)
    for timebox, points in (("2d", 4), ("1w", 10), ("4h", 1), ("1.5d", 3)):
        assert sprint.story_points(story("S-1", type="spike", timebox=timebox, estimate=8), config) == points
    whole = backlog(ready(1, 8, type="spike", timebox="1d"), ready(2, 3))
    cap = sprint.Capacity(5, "given", ())
    result = sprint.select(whole.stories, Judge(whole, SCHEMAS), config, cap, "skip", 2)
    assert [(c.story.id, c.points) for c in result.candidates] == [("S-1", 2), ("S-2", 3)]
    assert [f.points for f in result.forecast] == [5]


def test_with_one_candidate_at_the_top_the_stories_below_are_counted_not_listed() -> None:
    result = select(
        ready(1, 3), story("S-2", status="draft", rank="a02"), story("S-3", status="draft", rank="a03"), capacity=10
    )
    assert ids(result) == ["S-1"]
    assert (reasons(result), result.below) == ({}, 2)


def test_without_candidates_the_total_is_zero_and_every_past_sprint_reached_it() -> None:
    result = select(story("S-1", status="draft", rank="a01"), capacity=10, history=(0, 5, 5))
    assert result.total == 0
    assert result.confidence == sprint.Confidence(3, 1.0)


def test_a_forecast_of_one_sprint_is_the_candidates_and_no_more_sprints_than_asked() -> None:
    stories = [ready(n, 5) for n in range(1, 6)]
    assert [f.number for f in select(*stories, capacity=5, sprints=1).forecast] == [1]
    assert [f.number for f in select(*stories, capacity=5, sprints=3).forecast] == [1, 2, 3]
    whole = backlog(*stories)
    plain = sprint.select(whole.stories, Judge(whole, SCHEMAS), CONFIG, sprint.Capacity(5, "given", ()), "skip")
    assert (plain.forecast, plain.forecast_asked) == ((), 0)


def test_a_forecast_sprint_never_goes_over_the_capacity() -> None:
    stories = [ready(1, 5), ready(2, 3), ready(3, 3), ready(4, 2)]
    assert forecast(*stories, capacity=5) == [
        (1, ["S-1"], 5, 5, (), (), False, False),
        (2, ["S-2", "S-4"], 5, 10, (), (), False, False),
        (3, ["S-3"], 3, 13, (), (), False, False),
    ]


def test_an_unestimated_story_below_everything_a_sprint_takes_is_named_in_a_later_one() -> None:
    stories = [ready(1, 5), ready(2, 5), story("S-3", status="refining", rank="a03"), ready(4, 5)]
    assert forecast(*stories, capacity=5) == [
        (1, ["S-1"], 5, 5, (), (), False, False),
        (2, ["S-2"], 5, 10, (), (), False, False),
        (3, ["S-4"], 5, 15, (), ("S-3",), False, False),
    ]
