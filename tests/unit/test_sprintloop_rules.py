"""sprintloop, the rest of its rules in the words a user reads: a sprint that already holds
stories, what a close reports and where unfinished stories go back, and velocity rows with
spikes, unestimated stories, running sprints and the git history of each file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from groom import schemas, sprint, sprintloop
from groom.errors import GroomError
from groom.model import REMOVE, Story
from groom.ready import Judge
from tests.stories import CONFIG, backlog, no_disk, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)
SPIKES = replace(CONFIG, spike_points_per_day=2)


def selection(*stories: Story, capacity: float = 10) -> sprint.Selection:
    whole = backlog(*stories)
    return sprint.select(whole.stories, Judge(whole, SCHEMAS), CONFIG, sprint.Capacity(capacity, "given", ()), "skip")


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(GroomError) as error:
        call(*args, **kwargs)  # type: ignore[operator]
    return error.value.message


def test_a_sprint_name_with_a_colon_hash_or_new_line_is_refused_in_words() -> None:
    for bad in ("a:b", "#1", "a\nb", ""):
        assert (
            refused(sprintloop.sprint_value, bad) == f"{bad!r} is not a sprint name; use something like 2026-24 or 24"
        )
    assert sprintloop.sprint_value("X") == "X"


@pytest.mark.parametrize(
    ("held", "words"),
    [
        (1, "sprint 7 already holds 1 story (S-11)"),
        (2, "sprint 7 already holds 2 stories (S-11, S-12)"),
        (5, "sprint 7 already holds 5 stories (S-11, S-12, S-13, S-14, S-15)"),
        (6, "sprint 7 already holds 6 stories (S-11, S-12, S-13, S-14, S-15, …)"),
    ],
)
def test_a_sprint_that_holds_stories_says_which_before_adding_more(held: int, words: str) -> None:
    inside = [story(f"S-{10 + n}", status="planned", sprint=7, rank=f"b{n}") for n in range(1, held + 1)]
    stories = [story("S-1", rank="a0", estimate=5), *inside]
    assert refused(sprintloop.plan, selection(*stories), stories, CONFIG, "7", add=False) == (
        f"{words}; pass --add to add the candidates to it, or name another sprint"
    )


def test_a_sprint_nothing_fits_plans_nothing() -> None:
    big = story("S-1", rank="a0", estimate=13)
    assert refused(sprintloop.plan, selection(big, capacity=5), [big], CONFIG, "8", add=False) == (
        "no story fits this sprint: groom sprint-candidates says why; nothing was planned"
    )


def test_a_close_reports_the_sprint_its_done_and_unfinished_stories_and_their_points() -> None:
    done = story("S-1", status="done", sprint=24, estimate=5)
    spike = story("S-2", status="done", sprint="24", type="spike", timebox="1d", estimate=None)
    doing = story("S-3", status="in-progress", sprint=24, estimate=None)
    elsewhere = story("S-4", status="done", sprint=25, estimate=8)
    onward = sprintloop.close([done, spike, doing, elsewhere], SPIKES, "24", "25")
    assert (onward.name, onward.destination) == ("24", "25")
    assert [s.id for s in onward.done] == ["S-1", "S-2"]
    assert [s.id for s in onward.unfinished] == ["S-3"]
    assert (onward.committed_points, onward.done_points) == (7, 7)  # the spike by its timebox; S-3 none
    back = sprintloop.close([done, spike, doing, elsewhere], SPIKES, "24", None)
    assert (back.name, back.destination, back.committed_points, back.done_points) == ("24", "", 7, 7)
    assert [s.id for s in back.done] == ["S-1", "S-2"]
    assert [s.id for s in back.unfinished] == ["S-3"]


def test_unfinished_stories_go_back_on_top_when_no_story_is_ready() -> None:
    doing = story("S-1", status="in-progress", sprint="s1", rank="c1")
    other = story("S-2", status="planned", sprint="s1", rank="x")
    first = story("S-3", status="refining", rank="b5")
    unranked = story("S-4", status="in-progress", sprint="s1")
    closing = sprintloop.close([first, doing, other, unranked], CONFIG, "s1", None)
    keys = [fields["rank"] for _, fields in closing.changes]
    assert keys == sorted(keys)
    assert keys[-1] < "b5"
    assert [fields["status"] for _, fields in closing.changes] == ["ready"] * 3
    assert all(fields["sprint"] is REMOVE for _, fields in closing.changes)
    empty = sprintloop.close([story("S-1", status="in-progress", sprint="s1")], CONFIG, "s1", None)
    assert [fields for _, fields in empty.changes] == [{"status": "ready", "sprint": REMOVE, "rank": "a0"}]


def test_unfinished_stories_go_back_just_above_the_first_ready_story() -> None:
    stories = [
        story("S-1", status="ready", rank="a1"),
        story("S-2", status="in-progress", sprint="s1", rank="a9"),
        story("S-3", status="in-progress", sprint="s1", rank="b1"),
        story("S-4", rank="c0"),
    ]
    keys = [fields["rank"] for _, fields in sprintloop.close(stories, CONFIG, "s1", None).changes]
    assert keys[0] < keys[1] < "a1"


def test_velocity_counts_spikes_by_timebox_and_unestimated_stories_as_nothing() -> None:
    stories = [
        story("S-1", status="done", sprint="1", estimate=5),
        story("S-2", status="done", sprint="1", type="spike", timebox="2d", estimate=None),
        story("S-3", status="done", sprint="1", estimate="?"),
        story("S-4", status="split", sprint="1", estimate=8),
        story("S-5", status="draft", estimate=3),
    ]
    ever = {s.path: {"1"} for s in stories}
    [row] = sprintloop.velocity(stories, SPIKES, ever).sprints
    assert (row.sprint, row.done_points, row.done_stories, row.committed_points) == ("1", 9, 3, 12)


def test_a_sprint_still_holding_open_stories_is_not_over() -> None:
    stories = [
        story("S-1", status="done", sprint="1", estimate=5),
        story("S-2", status="in-progress", sprint="2", estimate=3),
        story("S-3", status="split", sprint="3", estimate=3),
    ]
    ever = {stories[1].path: {"2"}, stories[2].path: {"3"}, "/nowhere/backlog/S-9.md": {"4"}}
    result = sprintloop.velocity(stories, CONFIG, ever)
    assert [r.sprint for r in result.sprints] == ["1", "3", "4"]
    assert result.committed_source == "committed: points of every story that was ever in the sprint, from git history"
    assert [r.sprint for r in sprintloop.velocity(stories, CONFIG, ever, last=1).sprints] == ["4"]
    assert result.mean_last_3 == pytest.approx(5 / 3)


def test_a_story_not_in_the_history_still_counts_for_the_sprint_it_names() -> None:
    stories = [story("S-1", status="done", sprint="1", estimate=5), story("S-2", status="done", sprint="1", estimate=2)]
    ever = {stories[0].path: {"1"}}  # S-2's file is new: git has no history of it yet
    [row] = sprintloop.velocity(stories, CONFIG, ever).sprints
    assert row.committed_points == 7
