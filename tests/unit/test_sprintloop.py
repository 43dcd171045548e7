"""sprintloop: plan, close and velocity as pure functions of the stories."""

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


def selection(*stories: Story, capacity: float = 10) -> sprint.Selection:
    whole = backlog(*stories)
    cap = sprint.Capacity(capacity, "given", ())
    return sprint.select(whole.stories, Judge(whole, SCHEMAS), CONFIG, cap, "skip")


def test_sprint_names_are_text_or_numbers() -> None:
    assert sprintloop.sprint_value(" 2026-24 ") == "2026-24"
    assert sprintloop.sprint_value("24") == 24
    for bad in ("", " ", "a#b", "x: y", "two\nlines"):
        with pytest.raises(GroomError, match="is not a sprint name"):
            sprintloop.sprint_value(bad)


def test_plan_gives_the_candidates_the_planned_status_and_the_sprint() -> None:
    stories = [story("S-1", rank="a0", estimate=5), story("S-2", rank="a1", estimate=8)]
    changes = sprintloop.plan(selection(*stories), stories, CONFIG, "7", add=False)
    assert [(s.id, fields) for s, fields in changes] == [("S-1", {"status": "planned", "sprint": 7})]


def test_plan_refuses_a_sprint_that_holds_stories_unless_added_to() -> None:
    held = story("S-9", status="planned", sprint=7)
    stories = [story("S-1", rank="a0", estimate=5), held]
    with pytest.raises(GroomError, match="sprint 7 already holds 1 story"):
        sprintloop.plan(selection(*stories), stories, CONFIG, "7", add=False)
    assert len(sprintloop.plan(selection(*stories), stories, CONFIG, "7", add=True)) == 1
    with pytest.raises(GroomError, match="no story fits this sprint"):
        sprintloop.plan(selection(held), [held], CONFIG, "8", add=False)


def test_close_to_the_next_sprint_moves_only_the_unfinished() -> None:
    done = story("S-1", status="done", sprint="s1", estimate=5)
    doing = story("S-2", status="in-progress", sprint="s1", estimate=3)
    gone = story("S-3", status="dropped", sprint="s1", estimate=8)
    closing = sprintloop.close([done, doing, gone], CONFIG, "s1", "s2")
    assert [(s.id, fields) for s, fields in closing.changes] == [("S-2", {"sprint": "s2"})]
    assert (closing.committed_points, closing.done_points, closing.destination) == (8, 5, "s2")
    with pytest.raises(GroomError, match="that is the sprint being closed"):
        sprintloop.close([done, doing], CONFIG, "s1", "s1")
    with pytest.raises(GroomError, match="no open or done story has sprint: s9"):
        sprintloop.close([done, doing], CONFIG, "s9", None)


def test_close_to_the_backlog_puts_them_on_top_of_the_ready_stories() -> None:
    doing = story("S-2", status="in-progress", sprint="s1", rank="a5")
    planned = story("S-3", status="planned", sprint="s1", rank="a6")
    first_ready = story("S-4", status="ready", rank="a2")
    above = story("S-5", status="refining", rank="a1", value=1)
    closing = sprintloop.close([above, first_ready, doing, planned], CONFIG, "s1", None)
    keys = [fields["rank"] for _, fields in closing.changes]
    assert "a1" < keys[0] < keys[1] < "a2"
    assert all(fields["status"] == "ready" and fields["sprint"] is REMOVE for _, fields in closing.changes)


def test_velocity_per_sprint_with_committed_points_from_history() -> None:
    stories = [
        story("S-1", status="done", sprint="1", estimate=5),
        story("S-2", status="done", sprint="2", estimate=3),
        story("S-3", status="ready", estimate=8),  # was in sprint 2, went back to the backlog
        story("S-4", status="done", sprint="10", estimate=2),
        story("S-5", status="planned", sprint="11", estimate=1),  # sprint 11 is still running
    ]
    ever: dict[str, set[str]] = {s.path: set() for s in stories}
    ever[stories[2].path] = {"2"}
    ever[stories[0].path] = {"1"}
    ever["/nowhere/backlog/S-0.md"] = {"3"}  # a sprint that finished nothing
    result = sprintloop.velocity(stories, CONFIG, ever)
    assert [(r.sprint, r.done_points, r.done_stories, r.committed_points) for r in result.sprints] == [
        ("1", 5, 1, 5),
        ("2", 3, 1, 11),
        ("3", 0, 0, 0),
        ("10", 2, 1, 2),
    ]
    assert result.mean_last_3 == pytest.approx((3 + 0 + 2) / 3)
    assert result.counted == 3
    assert [r.sprint for r in sprintloop.velocity(stories, CONFIG, ever, last=2).sprints] == ["3", "10"]


def test_velocity_outside_git_knows_no_commitment() -> None:
    result = sprintloop.velocity([story("S-1", status="done", sprint="1", estimate=5)], CONFIG, None)
    assert result.sprints[0].committed_points is None
    assert result.committed_source == "committed: unknown outside a git repository"
    assert result.counted == 1
    assert sprintloop.velocity([], replace(CONFIG), None).mean_last_3 is None
