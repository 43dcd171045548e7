"""Safety nets the other acceptance tests leave out, each made to fire: the writers of the
sprint loop and of everyday edits refuse a file changed since groom read it; `new` never
replaces a file that appeared meanwhile; plan and close refuse to write next to a story file
they cannot read. (tests/acceptance/test_writes.py does the same for the other writers.)"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from groom import edits
from tests.conftest import REPO, Runner

BROKEN = "backlog/S-16-check-off-shopping-items.md"


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("backlog", "schemas"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "groom.toml", tmp_path / "groom.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "backlog").rglob("*"))}


WRITERS = [
    ("set", "S-22", "value=13"),
    ("set", "S-22", "labels+=urgent", "owner=ana"),
    ("plan", "2026-25"),
    ("close", "2026-24", "--to", "2026-25"),
    ("close", "2026-24", "--to-backlog"),
]


@pytest.mark.parametrize("args", WRITERS, ids=" ".join)
def test_a_file_edited_after_groom_read_it_is_not_overwritten(
    example: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    real = edits.apply
    seen: dict[str, bytes] = {}

    def someone_edits_first(root: Any, changes: Any = (), created: Any = (), removed: Any = (), **options: Any) -> Any:
        # Another editor saves a body edit to the last file groom is about to change.
        target = list(changes)[-1].source.path
        with open(target, "a", encoding="utf-8") as handle:
            handle.write("\nA line the product owner added meanwhile.\n")
        seen.update(_files(example))
        return real(root, changes, created, removed, **options)

    monkeypatch.setattr(edits, "apply", someone_edits_first)
    result = groom(*args)
    assert result.code == 2, result
    assert "changed on disk since groom read it; nothing was written: run the command again" in result.err, result
    assert len(result.err.splitlines()) == 1, result
    assert seen, "the write was never attempted"
    assert _files(example) == seen


def test_new_never_replaces_a_file_that_appeared_meanwhile(
    example: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = edits.apply

    def someone_creates_it_first(
        root: Any, changes: Any = (), created: Any = (), removed: Any = (), **options: Any
    ) -> Any:
        for new in created:
            Path(new.path).write_text("someone else's story\n")
        return real(root, changes, created, removed, **options)

    monkeypatch.setattr(edits, "apply", someone_creates_it_first)
    before = _files(example)
    result = groom("new", "Pay by card")
    assert result.code == 2, result
    assert result.err.startswith("groom: error: backlog/S-"), result
    assert result.err.rstrip().endswith("already exists; nothing was changed"), result
    after = _files(example)
    [appeared] = set(after) - set(before)
    assert after.pop(appeared) == b"someone else's story\n"
    assert after == before


@pytest.mark.parametrize(
    ("args", "doing"),
    [
        (("plan", "2026-25"), "plan sprint 2026-25 (a story may be in that file)"),
        (("close", "2026-24", "--to-backlog"), "close sprint 2026-24 (a story of it may be in that file)"),
    ],
    ids=["plan", "close"],
)
def test_the_sprint_loop_refuses_to_write_next_to_a_file_it_cannot_read(
    example: Path, groom: Runner, args: tuple[str, ...], doing: str
) -> None:
    story = example / BROKEN
    story.write_text(story.read_text().replace("labels: [shopping, mobile]", "labels: [shopping, mobile"))
    before = _files(example)
    result = groom(*args)
    assert result.code == 1, result
    assert result.err.startswith(f"groom: error: cannot {doing} while {BROKEN} cannot be read (line 9, col 9: "), result
    assert result.err.rstrip().endswith("fix it (groom check), then run the command again"), result
    assert _files(example) == before
