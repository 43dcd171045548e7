"""reorder: moves, score orders and rebalancing as pure functions of the backlog's order."""

from __future__ import annotations

import pytest

from groom import reorder
from groom.errors import GroomError, StoryNotFound
from groom.model import Placement
from groom.reorder import Target
from tests.stories import CONFIG, no_disk, order, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]


def four() -> list[Placement]:
    return order(
        story("S-1", rank="a0"),
        story("S-2", rank="a1"),
        story("S-3", rank="a2"),
        story("S-4", rank="a3"),
    )


def test_top_takes_a_key_above_the_first() -> None:
    moved = reorder.move(four(), "S-3", Target("top"))
    assert (moved.old, moved.new, moved.after, moved.before) == ("a2", "Zz", None, "S-1")
    assert [(r.story_id, r.old, r.new) for r in moved.rewrites] == [("S-3", "a2", "Zz")]


def test_bottom_takes_a_key_below_the_last() -> None:
    moved = reorder.move(four(), "S-1", Target("bottom"))
    assert (moved.new, moved.after, moved.before) == ("a4", "S-4", None)


def test_before_and_after_take_the_key_between_neighbours() -> None:
    assert reorder.move(four(), "S-4", Target("before", "S-2")).new == "a0V"
    assert reorder.move(four(), "S-1", Target("after", "S-3")).new == "a2V"


def test_a_story_already_in_place_rewrites_nothing() -> None:
    moved = reorder.move(four(), "S-2", Target("after", "S-1"))
    assert moved.rewrites == ()
    assert moved.new == "a1"


def test_next_to_an_unranked_story_ranks_it_and_those_shown_before_it() -> None:
    placements = order(story("S-1", rank="a0"), story("S-2"), story("S-3"), story("S-4", rank="a1"))
    moved = reorder.move(placements, "S-4", Target("after", "S-3"))
    assert [(r.story_id, r.old, r.new) for r in moved.rewrites] == [
        ("S-2", None, "a1"),
        ("S-3", None, "a2"),
        ("S-4", "a1", "a3"),
    ]


def test_a_move_above_an_open_dependency_is_said() -> None:
    placements = order(story("S-1", rank="a0"), story("S-2", rank="a1", depends_on=["S-1"]))
    assert reorder.move(placements, "S-2", Target("top"), CONFIG.done_statuses).above_dependencies == ("S-1",)
    done = order(story("S-1", rank="a0", status="done"), story("S-2", rank="a1", depends_on=["S-1"]))
    assert reorder.move(done, "S-2", Target("top"), CONFIG.done_statuses).above_dependencies == ()


def test_unknown_and_duplicate_ids_are_refused() -> None:
    with pytest.raises(StoryNotFound, match="no story with id 'S-9'"):
        reorder.move(four(), "S-9", Target("top"))
    with pytest.raises(StoryNotFound, match="no story with id 'S-9'"):
        reorder.move(four(), "S-1", Target("before", "S-9"))
    with pytest.raises(GroomError, match="next to itself"):
        reorder.move(four(), "S-1", Target("before", "S-1"))
    twice = order(story("S-1", rank="a0"), story("S-1", rank="a1"))
    with pytest.raises(GroomError, match="used by 2 files"):
        reorder.move(twice, "S-1", Target("top"))


def test_by_value_rewrites_only_the_stories_out_of_place() -> None:
    stories = [
        story("S-1", status="refining", rank="a0", value=8),
        story("S-2", status="refining", rank="a1", value=1),
        story("S-3", status="refining", rank="a2", value=5),
    ]
    result = reorder.by_score(stories, CONFIG, "value")
    assert [row.story.id for row in result.rows] == ["S-1", "S-3", "S-2"]
    assert len(result.rewrites) == 1  # one story out of place: one file changes


def test_by_wsjf_keeps_a_story_below_its_dependency_and_lists_missing_inputs() -> None:
    stories = [
        story("S-1", status="refining", rank="a0", value=1, time_criticality=1, risk_reduction=1, estimate=8),
        story(
            "S-2",
            status="refining",
            rank="a1",
            value=13,
            time_criticality=13,
            risk_reduction=13,
            estimate=1,
            depends_on=["S-1"],
        ),
        story("S-3", status="refining", rank="a2", value=5),
    ]
    result = reorder.by_score(stories, CONFIG, "wsjf")
    assert [row.story.id for row in result.rows] == ["S-1", "S-2", "S-3"]
    assert result.held == (("S-2", "S-1"),)
    assert result.rows[2].reason == "no time_criticality, no risk_reduction, no estimate"


def test_stories_in_a_sprint_keep_their_place() -> None:
    stories = [story("S-1", status="planned", rank="a0", value=1), story("S-2", status="refining", rank="a1", value=9)]
    result = reorder.by_score(stories, CONFIG, "value")
    assert [row.story.id for row in result.rows] == ["S-2"]
    assert result.rewrites == []


def test_rebalance_spreads_short_keys_in_the_current_order() -> None:
    placements = order(story("S-1", rank="a0V"), story("S-2", rank="a0VVVV"), story("S-3"))
    rewrites = reorder.rebalance(placements)
    assert [(r.story_id, r.new) for r in rewrites] == [("S-1", "a0"), ("S-2", "a1")]
