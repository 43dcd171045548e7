"""A judge with a memory (the warm cache's): a verdict kept for a story is given back only for
the same story in the same context, only when every row has the right types, and is the very
verdict the judge would give."""

from __future__ import annotations

from typing import Any

import pytest

from groom import schemas
from groom.model import Story
from groom.ready import Judge
from tests.stories import CONFIG, backlog, no_disk, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)


class Memory:
    """A memo in a dict, counting what it is asked."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str, str], list[Any]] = {}
        self.recalled = 0

    def recall(self, kind: str, item: Story, context: list[Any]) -> list[Any] | None:
        self.recalled += 1
        return self.kept.get((kind, item.id, repr(context)))

    def keep(self, kind: str, item: Story, context: list[Any], rows: list[Any]) -> None:
        self.kept[(kind, item.id, repr(context))] = rows


def stories() -> tuple[Story, Story, Story]:
    return (
        story("S-1", rank="a0"),  # ready, meets the DoR
        story("S-2", rank="a1", value=None, depends_on=["S-3"]),  # no value; its dependency ranks below
        story("S-3", status="refining", rank="a2", title=""),  # a schema error (empty title)
    )


def test_a_kept_verdict_is_the_verdict() -> None:
    whole = backlog(*stories())
    memory = Memory()
    judge, plain = Judge(whole, SCHEMAS, memo=memory), Judge(whole, SCHEMAS)
    for item in whole.stories:
        assert judge.findings(item) == plain.findings(item)
        assert judge.gaps(item) == plain.gaps(item)
    kinds = sorted({kind for kind, _, _ in memory.kept})
    assert kinds == ["findings", "gaps"] and len(memory.kept) == 6
    again = Judge(whole, SCHEMAS, memo=memory)
    for item in whole.stories:
        assert again.findings(item) == plain.findings(item)
        assert again.gaps(item) == plain.gaps(item)
    s2 = [f.rule for f in plain.findings(whole.stories[1])]
    assert s2 == ["dor/value", "dor/dependencies-in-order"]
    assert [f.rule for f in plain.findings(whole.stories[2])] == ["schema"]


def test_a_kept_verdict_is_used_without_judging_again(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = backlog(*stories())
    memory = Memory()
    first = Judge(whole, SCHEMAS, memo=memory)
    expected = [first.findings(item) for item in whole.stories]
    expected_gaps = [first.gaps(item) for item in whole.stories]
    second = Judge(whole, SCHEMAS, memo=memory)

    def never(*_: object) -> Any:
        raise AssertionError("judged again although the verdict was kept")

    monkeypatch.setattr(second, "_findings", never)
    monkeypatch.setattr(second, "_gaps", never)
    assert [second.findings(item) for item in whole.stories] == expected
    assert [second.gaps(item) for item in whole.stories] == expected_gaps


def test_a_changed_context_judges_again() -> None:
    """S-2's verdict reads whether its dependency ranks above it: moving S-3 up changes it."""
    memory = Memory()
    s1, s2, s3 = stories()
    Judge(backlog(s1, s2, s3), SCHEMAS, memo=memory).findings(s2)
    moved = story("S-3", status="done", rank="a0")
    found = Judge(backlog(s1, s2, moved), SCHEMAS, memo=memory).findings(s2)
    assert [f.rule for f in found] == ["dor/value"]


@pytest.mark.parametrize(
    "rows",
    [
        [[5, 1, "schema", "error"]],  # a column short
        [[5, 1, "schema", "error", "text", "extra"]],  # a column too many
        [[5.0, 1, "schema", "error", "text"]],  # a float where a line is
        [[True, 1, "schema", "error", "text"]],  # a boolean is no line
        [["5", 1, "schema", "error", "text"]],
        ["not a row"],
    ],
)
def test_rows_of_the_wrong_shape_are_not_trusted(rows: list[Any]) -> None:
    whole = backlog(*stories())
    s3 = whole.stories[2]
    memory = Memory()
    judge = Judge(whole, SCHEMAS, memo=memory)
    expected = Judge(whole, SCHEMAS).findings(s3)
    context = judge._context(s3)
    memory.keep("findings", s3, context, rows)
    memory.keep("gaps", s3, context, rows)
    assert judge.findings(s3) == expected
    assert judge.gaps(s3) == Judge(whole, SCHEMAS).gaps(s3)
    assert memory.kept[("findings", "S-3", repr(context))] != rows  # rebuilt and kept anew


def test_kept_findings_carry_the_story_they_are_about() -> None:
    whole = backlog(*stories())
    memory = Memory()
    Judge(whole, SCHEMAS, memo=memory).findings(whole.stories[2])
    [finding] = Judge(whole, SCHEMAS, memo=memory).findings(whole.stories[2])
    assert (finding.path, finding.id, finding.rule, finding.severity) == (
        "backlog/S-3.md",
        "S-3",
        "schema",
        "error",
    )
    assert finding.message.startswith("title")
