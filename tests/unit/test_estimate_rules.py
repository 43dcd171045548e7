"""estimate, the rest of its rules in the words a user reads: cards off the scale, votes that
cannot be counted, what each round says, and when an estimate may be written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from groom import estimate, schemas
from groom.errors import DorRefusal, GroomError
from groom.model import Story
from groom.ready import Judge
from tests.stories import CONFIG, backlog, no_disk, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)
SCALE = "0, 1, 2, 3, 5, 8, 13, 20, 40, 100, or ? (cannot estimate yet)"


def judge(*stories: Story) -> Callable[[], Judge]:
    return lambda: Judge(backlog(*stories), SCHEMAS)


def refused(call: Callable[..., object], *args: object, **kwargs: object) -> str:
    with pytest.raises(GroomError) as error:
        call(*args, **kwargs)
    return error.value.message


@pytest.mark.parametrize(("text", "card"), [("5", 5), (" 13 ", 13), ("8.0", 8), ("0", 0), (" ? ", "?")])
def test_a_card_of_the_scale_is_read_whatever_its_spelling(text: str, card: object) -> None:
    assert estimate.parse_points(text, CONFIG) == card


@pytest.mark.parametrize("text", ["4", "-1", "five", "", "21", "1e9"])
def test_a_card_off_the_scale_is_refused_with_the_scale(text: str) -> None:
    assert refused(estimate.parse_points, text, CONFIG) == f"{text.strip()!r} is not on the team's scale: {SCALE}"
    assert refused(estimate.parse_points, text, CONFIG, "ana") == (
        f"ana voted {text.strip()!r} is not on the team's scale: {SCALE}"
    )


def test_a_half_point_scale_reads_half_points() -> None:
    config = replace(CONFIG, scale=(0.5, 1, 2))
    assert estimate.parse_points("0.5", config) == 0.5
    assert estimate.scale_text(config) == "0.5, 1, 2, or ? (cannot estimate yet)"


def test_votes_are_named_or_numbered_and_each_must_be_on_the_scale() -> None:
    assert estimate.parse_votes(" 3, ,5 ,", CONFIG) == [estimate.Vote("#1", 3), estimate.Vote("#2", 5)]
    assert estimate.parse_votes("ana = 3,bo=?", CONFIG) == [estimate.Vote("ana", 3), estimate.Vote("bo", "?")]
    assert refused(estimate.parse_votes, "=3,bo=5", CONFIG) == "vote '=3' has no name before '='; write name=points"
    assert refused(estimate.parse_votes, "ana=3,bo=4", CONFIG) == f"bo voted '4' is not on the team's scale: {SCALE}"
    assert refused(estimate.parse_votes, "3,4", CONFIG) == f"#2 voted '4' is not on the team's scale: {SCALE}"


@pytest.mark.parametrize("text", ["5", "", " , ", "ana=5"])
def test_a_round_needs_two_votes(text: str) -> None:
    assert refused(estimate.parse_votes, text, CONFIG) == (
        "a planning-poker round needs at least two votes, e.g. --votes 3,5,5 or ana=3,bo=5"
    )


def play(text: str) -> estimate.Round:
    return estimate.play(estimate.parse_votes(text, CONFIG), CONFIG)


def test_votes_on_one_card_are_a_consensus_at_it() -> None:
    result = play("ana=8,bo=8")
    assert (result.consensus, result.highest, result.lowest) == (8, ("ana", "bo"), ("ana", "bo"))
    assert result.explanation == "consensus at 8 (votes on 8)"


def test_two_cards_apart_are_no_consensus_and_the_extremes_explain() -> None:
    result = play("ana=2,bo=5,cy=2,dee=3")
    assert result.consensus is None
    assert result.explanation == "no consensus (2 to 5): bo (highest) and ana, cy (lowest) explain, then vote again"


def test_adjacent_cards_at_the_ends_of_the_scale_settle_at_the_higher() -> None:
    assert play("0,1").consensus == 1
    assert play("40,100").consensus == 100
    assert play("0,2").consensus is None


def test_a_question_mark_names_who_played_it_and_asks_for_a_spike() -> None:
    result = play("ana=3,bo=?,cy=?")
    assert (result.highest, result.lowest, result.unknown) == ((), (), ("bo", "cy"))
    assert result.explanation == (
        "no estimate: bo, cy played ?; the story needs a question answered or a spike first "
        "(groom split ID --spike TITLE)"
    )


@pytest.mark.parametrize(("status", "word"), [("split", "split"), ("dropped", "dropped")])
def test_the_estimate_of_a_split_or_dropped_story_is_history(status: str, word: str) -> None:
    old = story("S-1", status=status, estimate=8)
    assert refused(estimate.plan, old, 5, CONFIG, judge(old)) == (
        f"S-1 is {word}: its estimate is history and counts nowhere; estimate its children instead, or pass --force"
    )
    assert estimate.plan(old, 5, CONFIG, judge(old), force=True).new == 5


@pytest.mark.parametrize("status", ["planned", "in-progress", "done"])
def test_an_estimate_is_final_once_the_story_entered_a_sprint(status: str) -> None:
    final = story("S-1", status=status)
    assert refused(estimate.plan, final, 5, CONFIG, judge(final)) == (
        f"S-1 is {status}: its estimate became final when it entered the sprint; pass --force to change it anyway"
    )


def test_a_story_not_claiming_ready_takes_any_card_and_the_judge_is_not_even_asked() -> None:
    def no_judge() -> Judge:
        raise AssertionError("the DoR was checked for a story that does not claim ready")

    draft = story("S-1", status="refining", estimate=3)
    change = estimate.plan(draft, 40, CONFIG, no_judge)
    assert (change.old, change.new, change.needed) == (3, 40, True)
    ready = story("S-2", estimate=3)
    assert not estimate.plan(ready, 3, CONFIG, no_judge).needed  # nothing changes: nothing to check


def test_a_refusal_for_the_dor_names_every_item_it_would_break() -> None:
    ready = story("S-1")
    with pytest.raises(DorRefusal) as error:
        estimate.plan(ready, "?", CONFIG, judge(ready))
    assert error.value.message == (
        "S-1 is ready and would no longer meet the Definition of Ready: [estimated] estimate the story on the "
        'team\'s scale (estimate is "?"; expected one of 0, 1, 2, 3, 5, 8, 13, 20, 40, 100). '
        "Nothing was written; pass --force to write it anyway"
    )
    assert error.value.exit_code == 1


def test_a_gap_the_story_already_had_does_not_block_a_new_estimate() -> None:
    without_value = story("S-1", value=None)
    assert estimate.plan(without_value, 5, CONFIG, judge(without_value)).new == 5
    judged = judge(without_value)()
    estimate.refuse_new_gaps(judged, story("S-2", status="refining"), {"estimate": "?"})  # claims nothing


def test_an_estimate_changes_only_when_value_or_type_differ() -> None:
    assert not estimate.Change(story("S-1"), 3, 3).needed
    assert estimate.Change(story("S-1"), None, 3).needed
    assert estimate.Change(story("S-1"), "3", 3).needed
    assert estimate.Change(story("S-1"), True, 1).needed
