"""estimate: the scale, planning-poker rounds and whether an estimate may be written."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from groom import estimate, schemas
from groom.errors import DorRefusal, GroomError
from groom.model import Story
from groom.ready import Judge
from tests.stories import CONFIG, backlog, no_disk, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)


def judge(*stories: Story) -> Callable[[], Judge]:
    return lambda: Judge(backlog(*stories), SCHEMAS)


def test_points_must_be_on_the_scale() -> None:
    assert estimate.parse_points(" 5 ", CONFIG) == 5
    assert estimate.parse_points("?", CONFIG) == "?"
    with pytest.raises(GroomError, match="'4' is not on the team's scale: 0, 1, 2, 3, 5, 8"):
        estimate.parse_points("4", CONFIG)


def test_votes_on_two_adjacent_cards_settle_at_the_higher() -> None:
    result = estimate.play(estimate.parse_votes("ana=3,bo=5,cy=5", CONFIG), CONFIG)
    assert result.consensus == 5
    assert result.explanation == "consensus at 5 (votes on 3 and 5)"


def test_a_wider_spread_names_highest_and_lowest() -> None:
    result = estimate.play(estimate.parse_votes("ana=2,bo=8,cy=5,dee=8", CONFIG), CONFIG)
    assert result.consensus is None
    assert (result.highest, result.lowest) == (("bo", "dee"), ("ana",))


def test_a_question_mark_asks_for_a_spike() -> None:
    result = estimate.play(estimate.parse_votes("3,?", CONFIG), CONFIG)
    assert result.consensus is None
    assert result.unknown == ("#2",)


def test_a_voter_votes_once() -> None:
    with pytest.raises(GroomError, match="Ana voted twice; give one vote per person"):
        estimate.parse_votes("ana=3,Ana=5", CONFIG)


def test_a_final_estimate_needs_force() -> None:
    planned = story("S-1", status="planned")
    with pytest.raises(GroomError, match="became final when it entered the sprint"):
        estimate.plan(planned, 5, CONFIG, judge(planned))
    assert estimate.plan(planned, 5, CONFIG, judge(planned), force=True).new == 5


def test_a_ready_story_cannot_silently_stop_being_ready() -> None:
    ready = story("S-1")
    with pytest.raises(DorRefusal, match=r"\[small-enough\]"):
        estimate.plan(ready, 20, CONFIG, judge(ready))
    assert estimate.plan(ready, 20, CONFIG, judge(ready), force=True).needed


def test_the_same_estimate_needs_no_write() -> None:
    ready = story("S-1", estimate=3)
    assert not estimate.plan(ready, 3, CONFIG, judge(ready)).needed
    assert estimate.plan(ready, 3.0, CONFIG, judge(ready)).needed  # 3.0 is written as 3.0: a change of text


def test_missing_lists_open_stories_without_a_number() -> None:
    stories = [
        story("S-1", status="draft"),
        story("S-2", status="refining", estimate="?"),
        story("S-3", status="split"),
        story("S-4", status="refining", estimate=5),
    ]
    assert [s.id for s in estimate.missing(stories, CONFIG)] == ["S-1", "S-2"]
