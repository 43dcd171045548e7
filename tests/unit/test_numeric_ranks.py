"""Numeric ranks (Backlog.md's ordinal): ordered by value, moves write one midpoint, ends step
1000 past the last, rebalance spreads them; text keys stay the default."""

from __future__ import annotations

import pytest

from groom import rank, reorder
from groom.errors import RankError
from groom.model import order_key
from groom.reorder import Target
from tests.stories import no_disk, order, story

__all__ = ["no_disk"]

pytestmark = pytest.mark.usefixtures("no_disk")


def board() -> list:  # type: ignore[type-arg]
    return order(story("B-1", rank=3000), story("B-2", rank=1000), story("B-3", rank=2000), story("B-4", rank=2500))


def test_numbers_order_by_value_not_by_text() -> None:
    assert [p.id for p in order(story("B-1", rank=10), story("B-2", rank=9), story("B-3", rank=100))] == [
        "B-2",
        "B-1",
        "B-3",
    ]
    assert order_key(2.5, "B-1") < order_key(10, "B-1") < order_key(None, "B-1")


def test_a_move_between_neighbours_writes_their_midpoint_in_one_file() -> None:
    moved = reorder.move(board(), "B-1", Target("after", "B-2"))
    assert [(r.story_id, r.old, r.new) for r in moved.rewrites] == [("B-1", 3000, 1500)]


def test_the_bottom_is_1000_past_the_last_and_the_top_halves_the_first() -> None:
    assert reorder.move(board(), "B-2", Target("bottom")).new == 4000
    assert reorder.move(board(), "B-1", Target("top")).new == 500


def test_a_midpoint_that_is_not_whole_is_a_short_decimal() -> None:
    keys = rank.NUMBERS
    assert keys.between(1, 2) == 1.5
    assert keys.between(2000, 2001) == 2000.5
    assert keys.between(0.1, 0.2) == 0.15


def test_ranks_too_close_to_split_say_to_rebalance() -> None:
    with pytest.raises(RankError, match=r"too close.*--rebalance"):
        rank.NUMBERS.between(1.0, 1.000001)
    with pytest.raises(RankError, match="not in order"):
        rank.NUMBERS.between(2, 1)


def test_rebalance_spreads_numbers_1000_apart_in_the_current_order() -> None:
    rewrites = reorder.rebalance(board())
    assert [(r.story_id, r.new) for r in rewrites] == [("B-4", 3000), ("B-1", 4000)]


def test_a_backlog_of_numbers_and_text_keys_refuses_a_move_and_rebalances_to_the_majority() -> None:
    mixed = order(story("B-1", rank=1000), story("B-2", rank=2000), story("B-3", rank="a0"))
    with pytest.raises(RankError, match="mix numbers and text"):
        reorder.move(mixed, "B-3", Target("top"))
    assert [(r.story_id, r.new) for r in reorder.rebalance(mixed)] == [("B-3", 3000)]
    with pytest.raises(RankError, match="mix numbers and text"):
        reorder.move(mixed, "B-3", Target("top"), kind="text")
    assert [(r.story_id, r.new) for r in reorder.rebalance(mixed, "text")] == [
        ("B-1", "a0"),
        ("B-2", "a1"),
        ("B-3", "a2"),
    ]


def test_numbers_in_a_text_backlog_keep_text_keys() -> None:
    assert rank.space(["a0", "a1", None]) is rank.TEXT
    assert rank.space([1, 2.5, None]) is rank.NUMBERS
    assert rank.space([], "number") is rank.NUMBERS
    assert rank.space([True]) is rank.TEXT  # a boolean is no rank


def test_reorder_by_value_keeps_the_numbers_in_place_and_fills_gaps() -> None:
    from tests.stories import CONFIG

    stories = [
        story("B-1", status="refining", rank=1000, value=1),
        story("B-2", status="refining", rank=2000, value=9),
        story("B-3", status="refining", rank=3000, value=5),
    ]
    result = reorder.by_score(stories, CONFIG, "value")
    assert [(row.story.id, row.new) for row in result.rows] == [("B-2", 2000), ("B-3", 3000), ("B-1", 4000)]


def test_keys_given_around_ranks_held_elsewhere_stay_distinct_and_in_order() -> None:
    """A reorder gives new ranks that avoid the ranks of stories outside it (done ones): the key
    stepped past a taken one must stay below the next new key, not just below the gap's end."""
    keys = rank.assign_in(rank.NUMBERS, [1000, None, None, 2000], frozenset({1333}))
    assert keys == sorted(keys) and len(set(keys)) == 4 and 1333 not in keys
    keys = rank.assign_in(rank.NUMBERS, [None, None, None], frozenset({1000}))
    assert keys == sorted(keys) and len(set(keys)) == 3 and 1000 not in keys


def test_huge_ranks_take_an_exact_midpoint_or_say_there_is_no_room() -> None:
    assert rank.NUMBERS.between(10**20, 10**20 + 2) == 10**20 + 1
    with pytest.raises(RankError, match="too close"):
        rank.NUMBERS.between(1e20, 1e20 + 16384.0)


@pytest.mark.parametrize(
    ("low", "high", "count", "expected"),
    [
        (None, None, 3, [1000, 2000, 3000]),
        (2500, None, 2, [3500, 4500]),  # 1000 apart after the last, from its whole part
        (2500.5, None, 1, [3500]),
        (None, 3000, 2, [1000, 2000]),  # between 0 and a positive first
        (None, 0, 2, [-2000, -1000]),  # 1000 apart below a first that is not above 0
        (None, -0.5, 1, [-1000]),
        (1000, 2000, 3, [1250, 1500, 1750]),
        (1000, 1004, 3, [1001, 1002, 1003]),  # one apart: still whole numbers
        (1, 2, 3, [1.25, 1.5, 1.75]),  # closer: short decimals
        (0, 1, 1, [0.5]),
    ],
)
def test_keys_spread_evenly_between_neighbours(low: object, high: object, count: int, expected: list[object]) -> None:
    keys = rank.NUMBERS.n_between(low, high, count)
    assert keys == expected
    assert all(type(key) is type(want) for key, want in zip(keys, expected, strict=True))


def test_no_room_for_several_keys_says_to_rebalance() -> None:
    assert rank.NUMBERS.n_between(1, 2, 0) == []
    with pytest.raises(RankError, match=r"no room for 3 ranks between 1 and 1\.000001"):
        rank.NUMBERS.n_between(1, 1.000001, 3)
    with pytest.raises(RankError, match="no room for 2 ranks between 5 and 5"):
        rank.NUMBERS.n_between(5, 5, 2)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (None, None, 1000),
        (1000, None, 2000),
        (1000.7, None, 2000),
        (None, 1000, 500),
        (None, 0.000001, -999),  # no room above 0: 1000 below the whole number above it
        (None, -5, -1005),
        (1000, 2000, 1500),
        (1000, 1001, 1000.5),
        (1, 3, 2),
        (0.5, 2.5, 1),  # the whole number in between comes first
        (1.25, 1.75, 1.5),
    ],
)
def test_the_key_between_two_neighbours(low: object, high: object, expected: object) -> None:
    key = rank.NUMBERS.between(low, high)
    assert key == expected and type(key) is type(expected)


def test_what_a_rank_is_in_each_space() -> None:
    assert [rank.NUMBERS.is_valid(v) for v in (1, 2.5, -3, True, float("nan"), float("inf"), "1", None)] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert [rank.NUMBERS.of(v) for v in (7, "a0", None, False)] == [7, None, None, None]
    assert [rank.TEXT.of(v) for v in ("a0", 7, None)] == ["a0", None, None]
    assert [rank.TEXT.is_valid(v) for v in ("a0", "a-1", 7)] == [True, False, False]
    assert rank.written(1500) == 1500 and type(rank.written("a1")).__name__ == "Quoted"
    assert rank.TEXT.between(None, None) == "a0" and rank.TEXT.n_between("a0", None, 2) == ["a1", "a2"]
    assert rank.space([1, None], "text") is rank.TEXT  # the config decides when the ranks agree
    assert rank.space(["a0"], "number") is rank.NUMBERS
