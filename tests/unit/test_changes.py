"""changes.compare: two backlogs in memory compared, without the disk or git."""

from __future__ import annotations

from typing import Any

import pytest

from groom import changes, schemas
from groom.changes import Snapshot
from groom.model import Story, Unreadable
from groom.ready import Judge
from tests.stories import CONFIG, READY_BODY, backlog, no_disk, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)  # read once, before the tests forbid the disk
KEYS = "0123456789ABCDEFGHIJ"


def side(*stories: Story, unreadable: tuple[Unreadable, ...] = ()) -> Snapshot:
    whole = backlog(*stories)
    whole = type(whole)(whole.config, whole.stories, unreadable)
    return Snapshot("side", None, whole, Judge(whole, SCHEMAS))


def ranked(count: int, **fields: Any) -> list[Story]:
    """S-1..S-count, ready, in that order."""
    return [story(f"S-{n}", rank=f"a{KEYS[n - 1]}", **fields) for n in range(1, count + 1)]


def compare(before: list[Story], after: list[Story], **options: Any) -> changes.Changes:
    return changes.compare(side(*before), side(*after), **options)


def test_one_story_moved_across_ten_is_the_only_move() -> None:
    before = ranked(11)
    after = [*before[:10], story("S-11", rank="Z0")]
    found = compare(before, after)
    assert [(m.story.id, m.old_position, m.new_position) for m in found.moved] == [("S-11", 11, 1)]
    assert [e.story.id for e in found.top_entered] == ["S-11"]
    assert [(e.story.id, e.new_position) for e in found.top_left] == [("S-10", 11)]


def test_stories_that_only_shift_are_not_moves_and_the_biggest_move_comes_first() -> None:
    before = ranked(6)
    # S-1 removed (everyone shifts up), S-6 to the top (5 places), S-2 below S-4 (2 places).
    after = [story("S-6", rank="Z0"), before[2], before[3], story("S-2", rank="a3V"), before[4]]
    found = compare(before, after)
    assert [(m.story.id, m.old_position, m.new_position) for m in found.moved] == [("S-6", 6, 1), ("S-2", 2, 4)]
    assert [s.id for s in found.removed] == ["S-1"]


def test_a_renumbered_story_is_paired_by_its_title_and_keeps_its_place() -> None:
    before = ranked(3)
    after = [before[0], story("S-9", rank="a1", title="Story S-2"), before[2]]
    found = compare(before, after)
    assert [(a.id, b.id) for a, b in found.renumbered] == [("S-2", "S-9")]
    assert (found.added, found.removed, found.moved) == ((), (), ())


def test_two_stories_with_one_title_are_not_guessed_at() -> None:
    before = [story("S-1", title="Same"), story("S-2", title="Same")]
    after = [story("S-3", title="Same")]
    found = compare(before, after)
    assert found.renumbered == ()
    assert [s.id for s in found.added] == ["S-3"]
    assert [s.id for s in found.removed] == ["S-1", "S-2"]


def test_a_split_names_its_children_and_the_points_no_longer_counted() -> None:
    before = [story("S-1", status="refining", estimate=20, value=5)]
    after = [
        story("S-1", status="split", estimate=20, value=5),
        story("S-2", status="draft", parent="S-1"),
        story("S-3", status="draft", parent="S-1"),
        story("S-4", status="draft"),
    ]
    found = compare(before, after)
    assert [(s.story.id, [c.id for c in s.children], s.points) for s in found.split] == [("S-1", ["S-2", "S-3"], 20)]
    assert [s.id for s in found.added] == ["S-4"]  # the children are not "added"
    assert found.status == ()
    assert (found.before.open_points, found.after.open_points) == (20, 0)


def test_estimates_values_status_and_readiness() -> None:
    before = [
        story("S-1", status="refining", estimate=3, value=None),
        story("S-2", status="planned", estimate=3, value=5, sprint=1),
        story("S-3", estimate=3, value=5),
    ]
    after = [
        story("S-1", status="ready", estimate=5, value=8),
        story("S-2", status="planned", estimate=5, value=5, sprint=1),
        story("S-3", estimate=3, value=5, body="No narrative here.\n"),
    ]
    found = compare(before, after)
    assert [(c.story.id, c.old, c.new, c.final_status) for c in found.estimates] == [
        ("S-1", 3, 5, ""),
        ("S-2", 3, 5, "planned"),
    ]
    assert [(c.story.id, c.old, c.new) for c in found.values] == [("S-1", None, 8)]
    assert [(c.story.id, c.old, c.new) for c in found.status] == [("S-1", "refining", "ready")]
    assert [(r.story.id, [g.rule for g in r.gaps]) for r in found.became_ready] == [("S-1", ["value"])]
    assert [(r.story.id, [g.rule for g in r.gaps]) for r in found.lost_ready] == [("S-3", ["acceptance-criteria"])]


def test_questions_opened_answered_and_taken_out() -> None:
    asked = READY_BODY + "\n## Questions\n- [ ] @po: which columns?\n- [ ] @bo: which format?\n"
    answered = READY_BODY + "\n## Questions\n- [x] @po: which columns?\n- [ ] @ana: offline?\n"
    found = compare(
        [story("S-1", body=asked)],
        [story("S-1", body=answered), story("S-2", status="draft", body=READY_BODY + "## Questions\n- [ ] why?\n")],
    )
    assert [(q.story.id, q.question.owner, q.question.text) for q in found.opened] == [
        ("S-1", "ana", "@ana: offline?"),
        ("S-2", None, "why?"),
    ]
    assert [(q.question.owner, q.removed) for q in found.answered] == [("po", False), ("bo", True)]


def test_a_story_in_a_file_that_cannot_be_read_is_neither_added_nor_removed() -> None:
    broken = Unreadable("/nowhere/backlog/S-2.md", "backlog/S-2.md", 2, 1, "yaml", "broken")
    found = changes.compare(side(*ranked(2)), side(ranked(2)[0], unreadable=(broken,)))
    assert (found.added, found.removed) == ((), ())
    assert [(s, u.display) for s, u in found.unreadable] == [("head", "backlog/S-2.md")]
    assert [(e.story.id, e.reason) for e in found.top_left] == [("S-2", "its file cannot be read")]


def test_candidates_at_the_heads_capacity_and_totals() -> None:
    done = [
        story("S-8", status="done", estimate=5, sprint=1, rank="Z0"),
        story("S-9", status="done", estimate=5, sprint=2, rank="Z1"),
    ]
    before = [*ranked(3, estimate=3, value=5), *done]
    after = [story("S-3", rank="Z5", estimate=3, value=5), *ranked(2, estimate=3, value=5), *done]
    found = compare(before, after)
    assert found.capacity is not None and found.capacity.points == 5
    assert [e.story.id for e in found.candidates_entered] == ["S-3"]
    assert [(e.story.id, e.new_position) for e in found.candidates_left] == [("S-1", 2)]
    assert (found.before.ready_points, found.before.runway, found.before.candidate_points) == (9, 9 / 5, 3)
    assert found.after.open_stories == 3


def test_nothing_changed_is_empty() -> None:
    assert compare(ranked(3), ranked(3)).empty
    assert not compare(ranked(3), ranked(2)).empty


def test_what_enters_the_top_says_where_it_was() -> None:
    before = [*ranked(3), story("S-4", status="done", rank="a3", sprint=1)]
    after = [story("S-9", rank="Z0"), story("S-4", status="ready", rank="Z1"), *ranked(3)]
    found = compare(before, after, top=2)
    assert [(e.story.id, e.old_position, e.reason) for e in found.top_entered] == [
        ("S-9", None, "new"),
        ("S-4", None, "was done"),
    ]
    assert [(e.story.id, e.new_position, e.reason) for e in found.top_left] == [("S-1", 3, ""), ("S-2", 4, "")]
