"""Every writing command goes through one guarded writer: a file changed on disk after groom
read it (even only in its body) is never overwritten, and nothing else is written either."""

from __future__ import annotations

from typing import Any

import pytest

from groom import edits
from tests.conftest import Project, Runner

BODY = """As a cook I want a thing so that I get value.

## Acceptance criteria
- [ ] Given one, when I do it, then it works
- [ ] Given two, when I do it, then it works too

## Questions
- [ ] @mira: which one first?
"""

WRITERS = [
    ("estimate", "S-2", "5"),
    ("estimate", "S-2", "--votes", "5,5,8"),
    ("reprioritize", "S-3", "--top"),
    ("reprioritize", "--by", "value"),
    ("reprioritize", "--rebalance"),
    ("split", "S-2", "--into", "First part", "--into", "Second part"),
    ("split", "S-2", "--by-criteria"),
    ("split", "S-2", "--spike", "Find out which one"),
    ("renumber", "S-2"),
    ("stale", "--days", "0", "--drop", "--yes"),
]


@pytest.fixture
def backlog(project: Project) -> Project:
    project.story("S-1", status="done", rank="a0", sprint="2026-01")
    project.story("S-2", status="refining", rank="a5", value=3, body=BODY)
    project.story("S-3", status="refining", rank="a9", value=8, depends_on=["S-2"])
    project.story("S-4", status="draft", rank="b00", value=13)
    return project


def _snapshot(project: Project) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(project.backlog.iterdir())}


@pytest.mark.parametrize("args", WRITERS, ids=[" ".join(a) for a in WRITERS])
def test_a_file_edited_after_groom_read_it_is_not_overwritten(
    backlog: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    real = edits.apply
    seen: dict[str, bytes] = {}

    def someone_edits_first(
        root: Any, changes: Any = (), created: Any = (), removed: Any = (), **options: Any
    ) -> edits.Written:
        # Another editor saves a body edit to the first file groom is about to change.
        target = (list(changes) or [edits.Change(s, {}) for s in removed])[0].source.path
        with open(target, "a", encoding="utf-8") as handle:
            handle.write("\nA line the product owner added meanwhile.\n")
        seen.update(_snapshot(backlog))
        return real(root, changes, created, removed, **options)

    monkeypatch.setattr(edits, "apply", someone_edits_first)
    result = groom(*args)
    assert result.code == 2, result
    assert "changed on disk since groom read it" in result.err, result
    assert seen, "the write was never attempted"
    assert _snapshot(backlog) == seen


@pytest.mark.parametrize("args", WRITERS, ids=[" ".join(a) for a in WRITERS])
def test_every_writing_command_answers_json(backlog: Project, groom: Runner, args: tuple[str, ...]) -> None:
    result = groom(*args, "--format", "json")
    assert result.code == 0, result
    document = result.json()
    assert set(document) >= {"changed", "created", "removed"}, document
    touched = document["changed"] + document["created"] + document["removed"]
    assert touched, document
    for entry in touched:
        assert set(entry) == {"path", "id"}, entry
        assert entry["path"].startswith("backlog/"), entry


def test_new_answers_json(backlog: Project, groom: Runner) -> None:
    result = groom("new", "Plan the week", "--format", "json")
    assert result.code == 0, result
    assert result.json()["created"] == [{"path": "backlog/S-5-plan-the-week.md", "id": "S-5"}]
    assert result.json()["changed"] == []


def test_a_format_a_command_does_not_have_is_refused(backlog: Project, groom: Runner) -> None:
    before = _snapshot(backlog)
    result = groom("estimate", "S-2", "5", "--format", "csv")
    assert result.code == 2, result
    assert result.err == "groom: error: --format csv is not available here; use text or json\n"
    assert _snapshot(backlog) == before


def test_an_edit_that_cannot_be_made_names_its_file(project: Project, groom: Runner) -> None:
    project.story("S-1", status="draft", rank="a0")
    project.write("S-2.md", '---\nid: S-2\ntitle: x\nstatus: draft\nrank: &r "a1VVV"\nalso: *r\n---\n')
    before = _snapshot(project)
    result = groom("reprioritize", "--rebalance")
    assert result.code == 2, result
    assert result.err.startswith("groom: error: backlog/S-2.md: the edit would not parse"), result
    assert _snapshot(project) == before
