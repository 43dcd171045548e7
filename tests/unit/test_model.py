"""model: the order of stories and what a file name says (and which files the config excludes)."""

from __future__ import annotations

import fnmatch
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from groom.backlog import _excluded
from groom.model import Holders, Unreadable, holder, id_key, named_for, order_key

_DIGITS = re.compile(r"(\d+)")


def _by_pattern(story_id: str) -> tuple[str | int, ...]:
    parts = _DIGITS.split(story_id)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(st.text(alphabet="S-BACK.0123456789٣x ", max_size=10))
def test_the_fast_id_key_is_the_pattern_key(story_id: str) -> None:
    assert id_key(story_id) == _by_pattern(story_id)


def test_numbers_in_ids_compare_as_numbers() -> None:
    ids = ["S-10", "S-2", "S-10.1", "BACK-3", "S-1"]
    assert sorted(ids, key=id_key) == ["BACK-3", "S-1", "S-2", "S-10", "S-10.1"]


def test_ranked_stories_come_first_then_by_id() -> None:
    keys = [order_key(None, "S-1"), order_key("a1", "S-3"), order_key("a1", "S-2"), order_key("a0", "S-9")]
    assert sorted(keys) == [
        order_key("a0", "S-9"),
        order_key("a1", "S-2"),
        order_key("a1", "S-3"),
        order_key(None, "S-1"),
    ]


def test_a_file_name_names_its_id_whatever_the_case() -> None:
    assert named_for("backlog/S-42.md", "S-42")
    assert named_for("backlog/S-42-export.md", "s-42")
    assert named_for("backlog/tasks/back-7 - Title.md", "BACK-7")
    assert not named_for("backlog/S-420.md", "S-42")


def test_a_dotted_id_is_not_its_parent_number() -> None:
    assert not named_for("backlog/S-1.2-sub.md", "S-1")
    assert named_for("backlog/S-1.2-sub.md", "S-1.2")
    assert named_for("backlog/S-1.md", "S-1")
    assert named_for("backlog/S-1.-odd.md", "S-1")


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(
    st.lists(st.text(alphabet="ab*?[]!/.-", min_size=1, max_size=6), max_size=4),
    st.text(alphabet="ab/.-", min_size=1, max_size=10),
)
def test_exclude_patterns_match_as_fnmatch_does(patterns: list[str], relative: str) -> None:
    """Discovery's compiled exclude patterns say what fnmatchcase says, pattern by pattern: one
    with a slash against the path relative to the backlog, one without against the name."""
    name = relative.rsplit("/", 1)[-1]
    expected = any(fnmatch.fnmatchcase(relative if "/" in p else name, p) for p in patterns)
    assert _excluded(relative, patterns) == expected


_NAME = st.text(alphabet="sS-1.2 aİx_", max_size=7)


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(st.lists(st.tuples(_NAME, _NAME), max_size=5), st.lists(_NAME, min_size=1, max_size=5))
def test_the_holders_index_finds_the_file_holder_finds(files: list[tuple[str, str]], ids: list[str]) -> None:
    """Holders works out named_for's rule once per file: the same holder for every id, the
    first file in order when two seem to hold it, by name or by its id line."""
    unreadable = [Unreadable(f"backlog/{name}.md", f"{name}.md", 1, 1, "yaml", "", line) for name, line in files]
    held = Holders(unreadable)
    for story_id in ids:
        assert held(story_id) is holder(unreadable, story_id), story_id
        for name, _ in files:  # the names themselves, and what they start with
            for wanted in (name, name[:-1], name[:3]):
                assert held(wanted) is holder(unreadable, wanted), wanted
