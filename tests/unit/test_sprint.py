"""sprint: capacity, selection and confidence as pure functions of the stories."""

from __future__ import annotations

from dataclasses import replace

import pytest

from groom import schemas, sprint
from groom.errors import ConfigError
from groom.model import Story, Unreadable
from groom.ready import Judge
from tests.stories import CONFIG, backlog, no_disk, placement, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)  # read once, before the tests forbid the disk


def select(*stories: Story, capacity: float, fill: str = "skip", history: tuple[float, ...] = ()) -> sprint.Selection:
    whole = backlog(*stories)
    cap = sprint.Capacity(capacity, "given", tuple((f"#{i}", v) for i, v in enumerate(history)))
    return sprint.select(whole.stories, Judge(whole, SCHEMAS), CONFIG, cap, fill)


def ids(selection: sprint.Selection) -> list[str]:
    return [c.story.id for c in selection.candidates]


def test_capacity_is_the_mean_of_the_last_three_sprints() -> None:
    done = [
        story(f"S-{n}", status="done", estimate=points, sprint=f"2026-{n:02d}")
        for n, points in ((1, 40), (2, 10), (3, 20), (4, 30))
    ]
    cap = sprint.capacity(done, CONFIG, None)
    assert cap.points == 20
    assert [name for name, _ in cap.history] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert sprint.capacity(done, CONFIG, 7).points == 7
    with pytest.raises(ConfigError, match="no capacity"):
        sprint.capacity([], CONFIG, None)


def test_a_story_that_exactly_fills_the_capacity_is_taken() -> None:
    result = select(story("S-1", rank="a0", estimate=3), story("S-2", rank="a1", estimate=2), capacity=5)
    assert ids(result) == ["S-1", "S-2"]
    assert result.total == 5


def test_a_one_point_story_is_taken_when_exactly_one_point_is_left() -> None:
    result = select(story("S-1", rank="a0", estimate=3), story("S-2", rank="a1", estimate=1), capacity=4)
    assert ids(result) == ["S-1", "S-2"]


def test_skip_fill_looks_below_a_story_that_does_not_fit_and_strict_stops() -> None:
    stories = (
        story("S-1", rank="a0", estimate=5),
        story("S-2", rank="a1", estimate=8),
        story("S-3", rank="a2", estimate=2),
    )
    assert ids(select(*stories, capacity=8)) == ["S-1", "S-3"]
    strict = select(*stories, capacity=8, fill="strict")
    assert ids(strict) == ["S-1"]
    assert [(e.story.id, e.reasons) for e in strict.excluded] == [
        ("S-2", ("8 points > 3 left: split it or raise the capacity",))
    ]


def test_every_reason_a_story_is_left_out() -> None:
    result = select(
        story("S-1", rank="a0", status="refining", estimate=3, value=5),
        story("S-2", rank="a1", depends_on=["S-1"]),
        story("S-3", rank="a2", status="planned", sprint="2026-24"),
        story("S-4", rank="a3", depends_on=["S-9"]),
        capacity=20,
    )
    reasons = {e.story.id: e.reasons for e in result.excluded}
    assert reasons["S-1"] == ("status is refining",)
    assert reasons["S-2"] == ("blocked by S-1 (refining)",)
    assert reasons["S-3"] == ("already planned in sprint 2026-24",)
    assert reasons["S-4"][-1] == "blocked by S-9 (not in the backlog)"


def test_a_dependency_selected_above_does_not_block() -> None:
    assert ids(select(story("S-1", rank="a0"), story("S-2", rank="a1", depends_on=["S-1"]), capacity=10)) == [
        "S-1",
        "S-2",
    ]


def test_a_dependency_on_an_unreadable_file_says_so() -> None:
    whole = backlog(story("S-2", rank="a1", depends_on=["S-1"]))
    broken = Unreadable("/nowhere/backlog/S-1-x.md", "backlog/S-1-x.md", 3, 1, "yaml", "bad")
    cap = sprint.Capacity(10, "given", ())
    result = sprint.select(whole.stories, Judge(whole, SCHEMAS), CONFIG, cap, "skip", unreadable=(broken,))
    assert result.excluded[0].reasons[-1] == "blocked by S-1 (its file backlog/S-1-x.md cannot be read)"
    assert result.unreadable == (broken,)


def test_a_dependency_on_a_finished_story_is_met_and_one_set_aside_blocks() -> None:
    """Stories in [paths] inactive folders: done there is done; set aside means never."""
    from groom.model import Backlog

    done, aside = placement(story("S-1", status="done")), placement(story("S-3", status="draft"))
    whole = Backlog(
        CONFIG,
        (story("S-4", rank="a0", depends_on=["S-3"]), story("S-2", rank="a1", depends_on=["S-1"])),
        retired=(done, aside),
    )
    cap = sprint.Capacity(10, "given", ())
    result = sprint.select(whole.stories, Judge(whole, SCHEMAS), CONFIG, cap, "skip")
    assert [c.story.id for c in result.candidates] == ["S-2"]
    assert result.excluded[0].reasons == (
        "depends on S-3, which was set aside (backlog/S-3.md): remove the dependency",
    )


def test_confidence_counts_a_past_sprint_that_reached_exactly_the_total() -> None:
    result = select(story("S-1", rank="a0", estimate=5), capacity=5, history=(5, 4, 8))
    assert result.confidence.share == pytest.approx(2 / 3)


def test_confidence_needs_three_sprints() -> None:
    assert select(story("S-1", rank="a0"), capacity=5, history=(5, 5)).confidence.share is None


def test_a_spike_takes_its_timebox_when_the_team_reserves_time() -> None:
    spike = story("S-1", type="spike", timebox="4h", estimate=8)
    assert sprint.story_points(spike, CONFIG) == 8
    assert sprint.story_points(spike, replace(CONFIG, spike_points_per_day=2)) == 1
    assert (
        sprint.story_points(
            replace(spike, data={**spike.data, "timebox": "1w"}), replace(CONFIG, spike_points_per_day=2)
        )
        == 10
    )
