"""reorder, the rest of its rules: the neighbours a move reports, moves next to unranked or
same-ranked stories, the ready stories a move leaves above their dependency, refusals in
words, scores and what a missing input says, and which stories a score ordering rewrites."""

from __future__ import annotations

from typing import Any

import pytest

from groom import reorder
from groom.errors import GroomError, StoryNotFound
from groom.model import Placement, Story
from groom.reorder import Target
from tests.stories import CONFIG, no_disk, order, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
DONE = CONFIG.done_statuses
READY = CONFIG.ready_statuses


def four(*extra: Story) -> list[Placement]:
    return order(*(story(f"S-{n}", rank=f"a{n}") for n in range(1, 5)), *extra)


def moved(placements: list[Placement], story_id: str, where: str, other: str | None = None) -> tuple[object, ...]:
    result = reorder.move(placements, story_id, Target(where, other), DONE, READY)
    return result.old, result.new, result.after, result.before, [(r.story_id, r.old, r.new) for r in result.rewrites]


def test_a_move_next_to_another_story_says_between_which_two_it_now_stands() -> None:
    assert moved(four(), "S-4", "before", "S-1") == ("a4", "a0", None, "S-1", [("S-4", "a4", "a0")])
    assert moved(four(), "S-4", "before", "S-2") == ("a4", "a1V", "S-1", "S-2", [("S-4", "a4", "a1V")])
    assert moved(four(), "S-1", "after", "S-3") == ("a1", "a3V", "S-3", "S-4", [("S-1", "a1", "a3V")])
    assert moved(four(), "S-1", "after", "S-4") == ("a1", "a5", "S-4", None, [("S-1", "a1", "a5")])


def test_a_story_already_in_place_says_where_it_is_and_writes_nothing() -> None:
    result = reorder.move(four(), "S-2", Target("before", "S-3"))
    assert (result.story_id, result.old, result.new, result.after, result.before, result.rewrites) == (
        "S-2",
        "a2",
        "a2",
        "S-1",
        "S-3",
        (),
    )
    assert moved(four(), "S-1", "top") == ("a1", "a1", None, "S-2", [])
    assert moved(four(), "S-4", "bottom") == ("a4", "a4", "S-3", None, [])


def test_a_story_without_a_rank_is_never_already_in_place() -> None:
    placements = order(story("S-1", rank="a1"), story("S-2"))
    assert moved(placements, "S-2", "bottom") == (None, "a2", "S-1", None, [("S-2", None, "a2")])
    assert moved(order(story("S-1")), "S-1", "top") == (None, "a0", None, None, [("S-1", None, "a0")])


def test_next_to_a_story_sharing_its_rank_the_key_goes_past_both() -> None:
    placements = order(
        story("S-1", rank="a1"), story("S-2", rank="a2"), story("S-3", rank="a2"), story("S-4", rank="a3")
    )
    assert moved(placements, "S-1", "after", "S-2")[1] == "a2V"  # above S-3's a2 too: a2 < a2V < a3
    assert moved(placements, "S-4", "before", "S-3")[1] == "a1V"  # below S-2's a2 too


def test_before_an_unranked_story_it_and_those_shown_before_it_get_ranks_first() -> None:
    placements = order(story("S-1", rank="a1"), story("S-2"), story("S-3"), story("S-4"))
    # Without S-1, no story is ranked: S-2 and S-3 start the ranks.
    assert moved(placements, "S-1", "before", "S-3") == (
        "a1",
        "a0V",
        "S-2",
        "S-3",
        [("S-2", None, "a0"), ("S-3", None, "a1"), ("S-1", "a1", "a0V")],
    )
    assert moved(placements, "S-4", "before", "S-2") == (
        None,
        "a1V",
        "S-1",
        "S-2",
        [("S-2", None, "a2"), ("S-4", None, "a1V")],
    )
    alone = order(story("S-1"), story("S-2"))
    assert moved(alone, "S-2", "before", "S-1") == (None, "Zz", None, "S-1", [("S-1", None, "a0"), ("S-2", None, "Zz")])
    assert moved(alone, "S-1", "after", "S-2") == (None, "a1", "S-2", None, [("S-2", None, "a0"), ("S-1", None, "a1")])


@pytest.mark.parametrize(
    ("target", "error", "words"),
    [
        (Target("after", "S-9"), StoryNotFound, "no story with id 'S-9'; 'groom list' shows the ids"),
        (Target("after", "S-2"), GroomError, "S-2 cannot be moved next to itself"),
        (Target("after", "S-3"), GroomError, "id S-3 is used by 2 files; run 'groom check' and fix that first"),
        (Target("beside", "S-1"), GroomError, "unknown move 'beside'"),
        (Target("after"), GroomError, "unknown move 'after'"),
    ],
)
def test_a_move_that_cannot_be_made_is_refused_in_words(target: Target, error: type[GroomError], words: str) -> None:
    placements = four(story("S-3", rank="a9"))
    with pytest.raises(error) as refused:
        reorder.move(placements, "S-2", target)
    assert refused.value.message == words


def test_a_move_above_its_open_dependency_names_it_and_not_a_done_one() -> None:
    placements = order(
        story("S-1", rank="a1", status="refining"),
        story("S-2", rank="a2", status="done"),
        story("S-3", rank="a3"),
        story("S-4", rank="a4", depends_on=["S-1", "S-2", "S-3", "S-4"]),
    )
    result = reorder.move(placements, "S-4", Target("top"), DONE, READY)
    assert result.above_dependencies == ("S-1", "S-3")
    assert reorder.move(placements, "S-4", Target("after", "S-3"), DONE, READY).above_dependencies == ()


def test_a_dependency_made_ranked_by_the_move_is_judged_by_its_new_rank() -> None:
    placements = order(story("S-1", rank="a1", depends_on=["S-2"]), story("S-2"), story("S-3"))
    result = reorder.move(placements, "S-1", Target("after", "S-3"), DONE, READY)
    assert result.above_dependencies == ()
    result = reorder.move(placements, "S-1", Target("before", "S-3"), DONE, READY)
    assert result.above_dependencies == ()  # S-2 got a rank before S-1's new one


def test_moving_an_open_story_below_its_ready_dependents_names_them() -> None:
    placements = order(
        story("S-1", rank="a1", status="refining"),
        story("S-2", rank="a2", depends_on=["S-1"]),
        story("S-3", rank="a3", status="refining", depends_on=["S-1"]),
        story("S-4", rank="a4", depends_on=["S-1"]),
        story("S-5", rank="a5"),
    )
    assert reorder.move(placements, "S-1", Target("after", "S-2"), DONE, READY).below_dependents == ("S-2",)
    assert reorder.move(placements, "S-1", Target("bottom"), DONE, READY).below_dependents == ("S-2", "S-4")
    done = [
        story("S-1", rank="a1", status="done"),
        *(story(f"S-{n}", rank=f"a{n}", depends_on=["S-1"]) for n in (2, 3)),
    ]
    assert reorder.move(order(*done), "S-1", Target("bottom"), DONE, READY).below_dependents == ()


# ---------------------------------------------------------------------------------------
# scores


@pytest.mark.parametrize(
    ("fields", "method", "result"),
    [
        ({"value": 8}, "value", (8.0, "")),
        ({"value": None}, "value", (None, "no value")),
        ({"value": "high"}, "value", (None, "no value")),
        ({"value": 5, "time_criticality": 3, "risk_reduction": 2, "estimate": 3}, "wsjf", (3.33, "")),
        ({"value": 5, "time_criticality": 0, "risk_reduction": 0, "estimate": 8}, "wsjf", (0.62, "")),
        ({"value": 5, "estimate": 3}, "wsjf", (None, "no time_criticality, no risk_reduction")),
        ({"value": 5, "time_criticality": 3, "risk_reduction": 2, "estimate": None}, "wsjf", (None, "no estimate")),
        (
            {"value": 5, "time_criticality": 3, "risk_reduction": 2, "estimate": "?"},
            "wsjf",
            (None, "estimate ? is not a number"),
        ),
        (
            {"value": 5, "time_criticality": 3, "risk_reduction": 2, "estimate": 0},
            "wsjf",
            (None, "estimate 0 (the job size must be above 0)"),
        ),
        (
            {"value": None, "time_criticality": 3, "risk_reduction": 2, "estimate": -1},
            "wsjf",
            (None, "no value, estimate -1 (the job size must be above 0)"),
        ),
    ],
)
def test_a_score_or_what_it_misses(fields: dict[str, Any], method: str, result: tuple[object, str]) -> None:
    assert reorder.score(story("S-1", status="refining", **fields), method) == result


def test_an_unknown_ordering_is_refused() -> None:
    with pytest.raises(GroomError) as refused:
        reorder.by_score([], CONFIG, "rice")
    assert refused.value.message == "unknown ordering 'rice'; use value or wsjf"


def rows(stories: list[Story], method: str = "value") -> list[tuple[str, str | float | None, str | float | None]]:
    return [(r.story.id, r.old, r.new) for r in reorder.by_score(stories, CONFIG, method).rows]


def test_higher_scores_go_first_and_unscored_stories_keep_their_order_after() -> None:
    stories = [
        story("S-1", rank="a1", status="refining", value=None),
        story("S-2", rank="a2", status="refining", value=3),
        story("S-3", rank="a3", status="refining", value=None),
        story("S-4", rank="a4", status="refining", value=8),
        story("S-5", rank="a5", status="done", value=100),
    ]
    assert [row[0] for row in rows(stories)] == ["S-4", "S-2", "S-1", "S-3"]
    result = reorder.by_score(stories, CONFIG, "value")
    assert [(r.story_id, r.new) for r in result.rewrites] == [
        (r.story_id, r.new) for r in result.rewrites if r.old != r.new
    ]
    assert len(result.rewrites) == 2  # the longest run already in order keeps its keys


def test_unranked_stories_already_last_in_id_order_get_no_rank() -> None:
    stories = [
        story("S-1", rank="a1", status="refining", value=8),
        story("S-3", status="refining", value=None),
        story("S-10", status="refining", value=None),
    ]
    assert rows(stories) == [("S-1", "a1", "a1"), ("S-3", None, None), ("S-10", None, None)]
    flipped = [story("S-1", rank="a1", status="refining", value=None), story("S-3", status="refining", value=8)]
    assert rows(flipped) == [("S-3", None, "a0"), ("S-1", "a1", "a1")]
    unordered = [story("S-10", status="refining", value=5), story("S-3", status="refining", value=1)]
    assert [new is not None for _, _, new in rows(unordered)] == [True, False]


def test_a_story_in_a_sprint_keeps_its_place_and_its_key_is_not_reused() -> None:
    stories = [
        story("S-1", rank="a1", status="planned", value=1),
        story("S-2", rank="a2", status="refining", value=1),
        story("S-3", rank="a3", status="refining", value=9),
    ]
    assert [row[0] for row in rows(stories)] == ["S-3", "S-2"]
    new = {sid: key for sid, _, key in rows(stories)}
    assert "a1" not in new.values()
