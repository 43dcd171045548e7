"""Rank keys: the reference implementation's outputs, moves into one gap, minimal reorders."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from groom import rank
from groom.errors import RankError

VECTORS = json.loads((Path(__file__).parent / "rank_vectors.json").read_text())


def test_matches_the_reference_between() -> None:
    for low, high, expected in VECTORS["between"]:
        assert rank.between(low, high) == expected, (low, high)


def test_matches_the_reference_n_between() -> None:
    for low, high, count, expected in VECTORS["n_between"]:
        assert rank.n_between(low, high, count) == expected, (low, high, count)


@pytest.mark.parametrize(
    ("low", "high"),
    [(None, "A00000000000000000000000000"), ("a00", None), ("a00", "a1"), ("0", "1"), ("a1", "a0"), ("a1", "a1")],
)
def test_invalid_or_unordered_keys_are_refused(low: str | None, high: str | None) -> None:
    with pytest.raises(RankError):
        rank.between(low, high)


@pytest.mark.parametrize("key", ["a0", "a1V", "Zz", "b00", "zzzzzzzzzzzzzzzzzzzzzzzzzzzV"])
def test_valid_keys(key: str) -> None:
    assert rank.is_valid(key)


@pytest.mark.parametrize("key", ["", "a", "a0 ", "a00", "0|hzzzzz:", "b0", "é0"])
def test_invalid_keys(key: str) -> None:
    assert not rank.is_valid(key)


def test_five_hundred_moves_into_one_gap_stay_ordered_and_usable() -> None:
    low, high = "a0", "a1"
    keys = []
    for _ in range(500):
        high = rank.between(low, high)
        keys.append(high)
    assert keys == sorted(keys, reverse=True)
    assert len(set(keys)) == 500
    assert all(rank.is_valid(k) and low < k < "a1" for k in keys)
    assert len(keys[-1]) < 100  # about one character per six inserts


def test_keep_in_place_keeps_the_longest_ordered_run() -> None:
    assert rank.keep_in_place(["a0", "a1", "a2"]) == [True, True, True]
    assert rank.keep_in_place(["a1", "a0", "a2"]).count(True) == 2
    assert rank.keep_in_place(["a3", "a0", "a1", "a2"]) == [False, True, True, True]
    assert rank.keep_in_place([None, "a0", None]) == [False, True, False]
    assert rank.keep_in_place(["a0", "a0", "a1"]).count(True) == 2


@pytest.mark.parametrize("seed", range(20))
def test_assign_gives_sorted_keys_and_rewrites_only_what_moved(seed: int) -> None:
    generator = random.Random(seed)
    keys = rank.n_between(None, None, 30)
    new_order = keys[:]
    generator.shuffle(new_order)
    result = rank.assign(new_order)
    assert result == sorted(result)
    assert len(set(result)) == len(result)
    kept = sum(1 for old, new in zip(new_order, result, strict=True) if old == new)
    assert kept == sum(rank.keep_in_place(new_order))


def test_one_story_out_of_place_changes_one_key() -> None:
    keys = rank.n_between(None, None, 10)
    moved = [keys[5], *keys[:5], *keys[6:]]
    result = rank.assign(moved)
    assert sum(1 for old, new in zip(moved, result, strict=True) if old != new) == 1
    assert rank.assign(keys) == keys


def test_assign_avoids_keys_held_by_other_stories() -> None:
    result = rank.assign([None, "a0", None], frozenset({"Zz", "a1"}))
    assert result[1] == "a0"
    assert result == sorted(result)
    assert not {"Zz", "a1"} & set(result)
