"""ids: the next free id is above every id seen, whatever the case or the slug."""

from __future__ import annotations

from groom import ids


def test_next_ids_are_above_every_id_and_file_name_seen() -> None:
    seen = ["S-3", "s-12-old-branch-story.md", "S-7", "BUG-99", "S-10.1"]
    assert ids.next_ids("S-", seen, 2) == ["S-13", "S-14"]


def test_an_empty_backlog_starts_at_one() -> None:
    assert ids.next_ids("BACK-", [], 1) == ["BACK-1"]
