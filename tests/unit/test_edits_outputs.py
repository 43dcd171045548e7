"""The files groom writes that are not stories: the report page and the warm cache."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from groom import edits
from groom.errors import GroomError


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(edits.TEMP_PREFIX))


def test_a_page_replaces_the_old_one_whole_and_keeps_its_permissions(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_bytes(b"old page")
    page.chmod(0o640)
    edits.write_output(page, b"<html>new</html>")
    assert page.read_bytes() == b"<html>new</html>"
    assert mode(page) == 0o640
    assert leftovers(tmp_path) == []


def test_a_new_page_gets_the_mode_a_new_file_gets(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        edits.write_output(tmp_path / "report.md", b"# report\n")
    finally:
        os.umask(umask)
    assert mode(tmp_path / "report.md") == 0o640
    assert (tmp_path / "report.md").read_bytes() == b"# report\n"


def test_a_page_is_not_written_over_a_folder_or_into_a_missing_one(tmp_path: Path) -> None:
    with pytest.raises(GroomError, match="is a folder; give --out a file name"):
        edits.write_output(tmp_path, b"x")
    with pytest.raises(GroomError, match="no such folder; create it first"):
        edits.write_output(tmp_path / "nowhere" / "report.html", b"x")


def test_a_page_whose_rename_fails_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(GroomError, match="cannot write it: No space left on device"):
        edits.write_output(tmp_path / "report.html", b"x")
    assert list(tmp_path.iterdir()) == []


def test_the_cache_folder_ignores_itself_and_holds_one_file_per_name(tmp_path: Path) -> None:
    folder = tmp_path / ".groom_cache"
    assert edits.write_cache(folder, "backlog-1.json", b'{"a": 1}') is True
    assert (folder / ".gitignore").read_text() == edits.CACHE_IGNORE
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "backlog-1.json").read_bytes() == b'{"a": 1}'
    assert mode(folder / "backlog-1.json") == 0o600 and mode(folder / ".gitignore") == 0o644
    assert edits.write_cache(folder, "backlog-1.json", b'{"a": 2}') is True
    assert (folder / "backlog-1.json").read_bytes() == b'{"a": 2}'
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", "backlog-1.json"]


def test_a_gitignore_the_team_wrote_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / ".groom_cache"
    folder.mkdir()
    (folder / ".gitignore").write_text("mine\n")
    assert edits.write_cache(folder, "c.json", b"{}")
    assert (folder / ".gitignore").read_text() == "mine\n"


def test_a_cache_that_cannot_be_written_is_only_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert edits.write_cache(blocker / "cache", "c.json", b"{}") is False

    def refuse(*_: object) -> None:
        raise OSError(28, "No space left on device")

    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / ".gitignore").write_text("*\n")
    monkeypatch.setattr(os, "replace", refuse)
    assert edits.write_cache(folder, "c.json", b"{}") is False
    assert leftovers(folder) == []


def test_clearing_removes_only_what_groom_wrote(tmp_path: Path) -> None:
    folder = tmp_path / ".groom_cache"
    names = ("backlog-a.msgpack", "backlog-a.json")
    assert edits.clear_cache(folder, names) == 0
    edits.write_cache(folder, "backlog-a.msgpack", b"{}")
    edits.write_cache(folder, "backlog-a.json", b"{}")  # an older groom's cache file
    (folder / f"{edits.TEMP_PREFIX}x{edits.TEMP_SUFFIX}").write_text("left by a crash")
    assert edits.clear_cache(folder, names) == 4
    assert not folder.exists()

    edits.write_cache(folder, "backlog-a.msgpack", b"{}")
    edits.write_cache(folder, "backlog-b.msgpack", b"{}")  # another backlog's, in a shared folder
    (folder / "notes.txt").write_text("someone's")
    (folder / "backlog-a.json").symlink_to(folder / "notes.txt")
    assert edits.clear_cache(folder, names) == 1  # not the other backlog's, the notes, the link or .gitignore
    left = sorted(p.name for p in folder.iterdir())
    assert left == [".gitignore", "backlog-a.json", "backlog-b.msgpack", "notes.txt"]


def test_the_cache_plants_no_gitignore_in_a_folder_it_did_not_make_and_removes_none_it_did_not_write(
    tmp_path: Path,
) -> None:
    """GROOM_CACHE_DIR=. or a backlog folder: the team's own .gitignore, or none, stays as it was."""
    folder = tmp_path / "chosen"
    folder.mkdir()
    assert edits.write_cache(folder, "backlog-a.msgpack", b"{}", ignore=False)
    assert not (folder / ".gitignore").exists()
    (folder / ".gitignore").write_text("*.tmp\n")
    assert edits.clear_cache(folder, ["backlog-a.msgpack"]) == 1
    assert (folder / ".gitignore").read_text() == "*.tmp\n"
    assert edits.write_cache(tmp_path / "made" / "here", "backlog-a.msgpack", b"{}", ignore=False)
    assert (tmp_path / "made" / "here" / ".gitignore").read_text() == edits.CACHE_IGNORE  # groom made it


def test_a_cache_folder_that_is_a_link_is_neither_written_nor_cleared(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "backlog-a.msgpack").write_text("not groom's")
    link = tmp_path / ".groom_cache"
    link.symlink_to(elsewhere)
    assert not edits.write_cache(link, "backlog-a.msgpack", b"{}")
    assert edits.clear_cache(link, ["backlog-a.msgpack"]) == 0
    assert sorted(p.name for p in elsewhere.iterdir()) == ["backlog-a.msgpack"]
    assert (elsewhere / "backlog-a.msgpack").read_text() == "not groom's"


def test_a_killed_writers_temporary_files_go_when_the_cache_is_next_written(tmp_path: Path) -> None:
    folder = tmp_path / ".groom_cache"
    edits.write_cache(folder, "backlog-a.msgpack", b"{}")
    stale = folder / f"{edits.TEMP_PREFIX}old{edits.TEMP_SUFFIX}"
    fresh = folder / f"{edits.TEMP_PREFIX}new{edits.TEMP_SUFFIX}"
    stale.write_text("killed")
    fresh.write_text("another writer, now")
    old = time.time() - edits.STALE_SECONDS - 5
    os.utime(stale, (old, old))
    edits.write_cache(folder, "backlog-a.msgpack", b"{}")
    assert not stale.exists() and fresh.exists()


def test_a_cache_that_cannot_be_cleared_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / ".groom_cache"
    edits.write_cache(folder, "a.json", b"{}")

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refuse)
    with pytest.raises(GroomError, match=r"\.groom_cache: cannot clear the cache: Permission denied"):
        edits.clear_cache(folder, ["a.json"])
