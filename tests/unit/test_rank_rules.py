"""rank, the rest of its rules: a bad key or an exhausted gap explained in words, the ends of
the key space, and which keys a new order keeps."""

from __future__ import annotations

import pytest

from groom import rank
from groom.errors import RankError


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("", "rank key is empty"),
        ("a-1", "rank key 'a-1' has a character outside 0-9, A-Z, a-z"),
        ("0a", "rank key cannot start with '0'; keys start with a letter (a0, a1, …)"),
        ("b0", "rank key 'b0' is cut short; its first letter says 3 characters"),
        ("Y0", "rank key 'Y0' is cut short; its first letter says 3 characters"),
        ("a10", "rank key 'a10' ends in a 0 after its integer part, which the scheme forbids"),
        ("A" + "0" * 26, f"rank key {'A' + '0' * 26!r} is the smallest key; nothing can go before it"),
    ],
)
def test_a_bad_key_is_explained(key: str, words: str) -> None:
    with pytest.raises(RankError) as refused:
        rank.validate(key)
    assert refused.value.message == words
    assert not rank.is_valid(key)


def test_keys_out_of_order_are_refused_in_words() -> None:
    with pytest.raises(RankError) as refused:
        rank.between("a2", "a1")
    assert refused.value.message == "no key fits between 'a2' and 'a1': they are not in order"


@pytest.mark.parametrize(
    ("low", "high", "key"),
    [
        ("Zz", None, "a0"),
        (None, "a0", "Zz"),
        ("az", None, "b00"),
        ("b00", None, "b01"),
        ("Yzz", None, "Z0"),
        (None, "b00", "az"),
        (None, "Zz", "Zy"),
        (None, "Z0", "Yzz"),
        ("a0", "a1", "a0V"),
        ("a0", "a0V", "a0G"),
        ("a0V", "a1", "a0l"),
        ("a1", "a1V", "a1G"),
        ("a0z", "a1", "a0zV"),
        ("a0G", "a0V", "a0O"),
    ],
)
def test_keys_at_the_edges_of_an_integer_part(low: str | None, high: str | None, key: str) -> None:
    assert rank.between(low, high) == key
    assert (low is None or low < key) and (high is None or key < high)


def test_a_new_order_keeps_the_longest_run_of_valid_keys_and_fills_the_gaps() -> None:
    # a1 a3 a4 and a1 a2 a4 are both longest: the later one is kept.
    assert rank.keep_in_place(["a1", None, "a3", "bad", "a2", "a4"]) == [True, False, False, False, True, True]
    assert rank.keep_in_place(["a3", "a1", "a2"]) == [False, True, True]
    assert rank.keep_in_place([None, None]) == [False, False]
    assert rank.keep_in_place(["a1", "a0"]) == [False, True]
    assert rank.assign([None, "a5", None, None, "a6", None]) == ["a4", "a5", "a5G", "a5V", "a6", "a7"]
    assert rank.assign(["a2", "a1"]) == ["a0", "a1"]


def test_a_new_key_next_to_a_taken_one_moves_past_it_but_stays_below_its_neighbour() -> None:
    keys = rank.assign(["a1", None, None, "a2"], frozenset({"a1G", "a1V"}))
    assert keys[0] == "a1" and keys[-1] == "a2"
    assert keys == sorted(keys) and len(set(keys)) == 4
    assert not {"a1G", "a1V"} & set(keys)
    tail = rank.assign(["a1", None], frozenset({"a2"}))
    assert tail == ["a1", "a3"]
