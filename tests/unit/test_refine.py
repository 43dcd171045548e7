"""refine: the agenda, the open questions by owner, and stale stories, from plain data."""

from __future__ import annotations

import pytest

from groom import refine, schemas
from groom.ready import Judge
from tests.stories import CONFIG, backlog, no_disk, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)

ASKS = """As a cook I want a thing so that I get value.

## Acceptance criteria
- [ ] Given a thing, when I do it, then it works

## Questions
- [ ] @Mira: which source?
- [ ] @mira: which licence?
- [x] @jonas: answered
- [ ] nobody's
"""


def test_owners_are_one_person_whatever_the_case() -> None:
    stories = [story("S-1", status="refining", rank="a0", body=ASKS), story("S-2", status="split", body=ASKS)]
    groups = refine.actions(stories, CONFIG, None)
    assert [(owner, [a.question.text for a in items]) for owner, items in groups] == [
        ("Mira", ["@Mira: which source?", "@mira: which licence?"]),
        ("", ["nobody's"]),
    ]
    assert [owner for owner, _ in refine.actions(stories, CONFIG, "@MIRA")] == ["Mira"]


def test_a_question_without_an_owner_goes_to_the_storys_owner() -> None:
    """Backlog.md's assignee (a list, read as owner through [fields]) or a plain owner key."""
    stories = [
        story("S-1", status="refining", rank="a0", body=ASKS, owner=["@jonas", "@ana"]),
        story("S-2", status="refining", rank="a1", body=ASKS, owner="ana"),
    ]
    groups = dict(refine.actions(stories, CONFIG, None))
    assert [(a.story.id, a.question.text) for a in groups["jonas"]] == [("S-1", "nobody's")]
    assert [(a.story.id, a.question.text) for a in groups["ana"]] == [("S-2", "nobody's")]
    assert "" not in groups
    assert len(groups["Mira"]) == 4  # a question that names its owner stays with it


def test_the_agenda_lists_what_is_not_ready_with_split_advice() -> None:
    whole = backlog(
        story("S-1", rank="a0"),
        story("S-2", status="refining", rank="a1", estimate=20, value=3),
        story("S-3", status="refining", rank="a2", estimate="?", value=3),
        story("S-4", status="planned", rank="a3", estimate=None),
        story("S-9", status="done", estimate=8, sprint="1"),
    )
    agenda = refine.agenda(whole.stories, Judge(whole, SCHEMAS), CONFIG, top=5)
    assert [(item.story.id, item.split_advice) for item in agenda.items] == [
        ("S-2", "20 points is above 13: split it (groom split S-2 --suggest)"),
        ("S-3", "estimate is ?: break out a spike (groom split S-3 --spike TITLE) or answer the questions"),
    ]
    assert (agenda.ready_points, agenda.ready_stories) == (3, 1)
    assert agenda.sprints_of_ready_work == pytest.approx(3 / 8)
    assert len(refine.agenda(whole.stories, Judge(whole, SCHEMAS), CONFIG, top=1).items) == 1


def test_stale_stories_oldest_first_and_only_open_ones() -> None:
    day = 86_400.0
    stories = [
        story("S-1", status="refining"),
        story("S-2", status="draft"),
        story("S-3", status="done"),
        story("S-4", status="draft"),
    ]
    changed = {s.path: (when, "ana") for s, when in zip(stories, (10 * day, 2 * day, 0.0, 99 * day), strict=True)}
    report = refine.staleness(stories, CONFIG, changed, True, now=100 * day, days=30)
    assert [item.story.id for item in report.stories] == ["S-2", "S-1"]
    assert refine.drop_changes(report.stories, CONFIG) == [
        (report.stories[0].story, {"status": "dropped"}),
        (report.stories[1].story, {"status": "dropped"}),
    ]
