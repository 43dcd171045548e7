"""split: children, spikes, new stories and renumbering planned from plain data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from groom import split
from groom.errors import ConfigError, GroomError
from groom.model import Placement, Story
from tests.stories import CONFIG, backlog, no_disk, order, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]

THREE = """As a shopper I want to use the list offline so that I can shop in the basement.

## Acceptance criteria
- [ ] Given no connection, when I open the list, then I see the last synced version
- [ ] Given no connection, when I tick an item, then the tick is kept
- [ ] Given the connection is back, when I open the list, then the ticks are synced

## Questions
- [ ] @jonas: how long may a list stay offline?
"""


def parent() -> Story:
    return story("S-2", status="refining", rank="a1", estimate=20, value=8, epic="lists", labels=["mobile"], body=THREE)


def neighbours() -> list[Placement]:
    return order(story("S-1", rank="a0"), parent(), story("S-3", rank="a2"))


def test_children_inherit_and_stand_where_the_parent_stood() -> None:
    plan = split.plan_into(
        parent(), ["Show the list offline", "Sync ticks"], neighbours(), ["S-1", "S-2", "S-9"], CONFIG
    )
    assert [new.id for new in plan.created] == ["S-10", "S-11"]
    first = plan.created[0]
    assert first.fields == {
        "id": "S-10",
        "title": "Show the list offline",
        "status": "draft",
        "epic": "lists",
        "labels": ["mobile"],
        "value": 8,
        "parent": "S-2",
        "rank": "a1G",
    }
    assert first.display == "backlog/S-10-show-the-list-offline.md"
    assert first.body.startswith("As a shopper I want to show the list offline so that I can shop in the basement.")
    assert plan.changes == {"status": "split", "children": ["S-10", "S-11"]}
    assert "a1" < plan.created[0].fields["rank"] < plan.created[1].fields["rank"] < "a2"


def test_the_status_roles_come_from_config() -> None:
    config = replace(
        CONFIG,
        statuses=("idea", "gone", "ready", "done"),
        inactive_statuses=("gone",),
        roles=(("new", "idea"), ("split", "gone")),
    )
    plan = split.plan_into(parent(), ["A", "B"], neighbours(), [], config)
    assert plan.changes["status"] == "gone"
    assert {new.fields["status"] for new in plan.created} == {"idea"}
    with pytest.raises(ConfigError, match=r"set status\.split in groom\.toml"):
        split.plan_into(parent(), ["A", "B"], neighbours(), [], replace(config, roles=(("new", "idea"),)))


def test_groups_must_place_every_criterion() -> None:
    with pytest.raises(GroomError, match="criteria 2, 3 of S-2 are in no --group"):
        split.plan_by_criteria(parent(), ["1"], [], neighbours(), [], CONFIG)
    plan = split.plan_by_criteria(parent(), ["1", "2,3"], [], neighbours(), [], CONFIG)
    assert [len(new.body.split("- [ ]")) - 1 for new in plan.created] == [1, 2]


def test_a_spike_goes_just_above_and_carries_the_open_questions() -> None:
    plan = split.plan_spike(parent(), "How long offline?", "1d", neighbours(), ["S-3"], CONFIG)
    [spike] = plan.created
    assert spike.fields["type"] == "spike"
    assert spike.fields["timebox"] == "1d"
    assert "a0" < spike.fields["rank"] < "a1"
    assert "- [ ] Answered: @jonas: how long may a list stay offline?" in spike.body
    assert plan.changes == {"depends_on": ["S-4"]}


def test_titles_are_checked() -> None:
    for bad, message in (("", "cannot be empty"), ("a\x1b[31mred", "control characters"), ("x" * 201, "at most 200")):
        with pytest.raises(GroomError, match=message):
            split.check_title(bad)
    assert split.check_title("  two   spaces ") == "two spaces"


def test_new_goes_to_the_bottom_unless_told() -> None:
    placements = neighbours()
    folder = ("/nowhere/backlog", "backlog")
    bottom = split.plan_new("Plan a week", "story", placements, ["S-3"], CONFIG, folder)
    assert (bottom.id, bottom.fields["rank"], bottom.display) == ("S-4", "a3", "backlog/S-4-plan-a-week.md")
    assert split.plan_new("Plan", "story", placements, [], CONFIG, folder, top=True).fields["rank"] == "Zz"
    assert split.plan_new("Plan", "story", placements, [], CONFIG, folder, after="S-1").fields["rank"] == "a0V"


def test_renumber_updates_every_reference() -> None:
    whole = backlog(
        story("S-1", rank="a0", children=["S-2"]),
        story("S-2", rank="a1", parent="S-1"),
        story("S-3", rank="a2", depends_on=["S-2", "S-1"]),
    )
    plan = split.plan_renumber(whole, whole.get("S-2"), None, ["S-3", "S-7"])
    assert plan.new_id == "S-8"
    assert plan.new_display == "backlog/S-8.md"
    assert [(s.id, keys) for s, keys in plan.references] == [
        ("S-1", {"children": ["S-8"]}),
        ("S-3", {"depends_on": ["S-8", "S-1"]}),
    ]


def test_a_child_narrative_stays_grammatical() -> None:
    plan = split.plan_into(parent(), ["Offline read", "Sync ticks made offline"], neighbours(), [], CONFIG)
    first, second = (new.body.splitlines()[0] for new in plan.created)
    assert first == "As a shopper I want “Offline read” so that I can shop in the basement."
    assert second == "As a shopper I want to sync ticks made offline so that I can shop in the basement."
