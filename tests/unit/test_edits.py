"""edits, the one guarded writer: what apply writes and reports, every refusal, the lock, the
all-or-nothing commit (rolled back after a failure at each of its steps) and the recovery of a
commit that a crash interrupted at each of its steps."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from groom import edits, storyfile
from groom.errors import FrontMatterError, GroomError, WriteConflict
from groom.model import Placement


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A backlog folder with S-1, S-2 and S-3; the working folder is its parent."""
    monkeypatch.chdir(tmp_path)
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    for n in (1, 2, 3):
        (backlog / f"S-{n}.md").write_bytes(f"---\nid: S-{n}\nstatus: draft\nrank: a{n}\n---\nBody {n}.\n".encode())
    return backlog


def source(path: Path) -> Placement:
    """The story as a command read it (its digest is what a write compares with)."""
    raw = path.read_bytes()
    data = {"id": path.stem}
    return Placement(str(path), f"backlog/{path.name}", data, storyfile.digest(raw))


def files(folder: Path) -> dict[str, bytes]:
    """Every regular file of the folder (temporary files and the journal included), by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink()}


def someone_edits(path: Path) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("A line the product owner added meanwhile.\n")


# ---------------------------------------------------------------------------------------
# apply: what it writes and what it says it wrote


def test_apply_writes_the_new_values_and_names_the_files_it_changed(folder: Path) -> None:
    one, two = source(folder / "S-1.md"), source(folder / "S-2.md")
    written = edits.apply(folder, [edits.Change(one, {"rank": "b1"}), edits.Change(two, {"rank": "b2"})])
    assert (folder / "S-1.md").read_bytes() == b"---\nid: S-1\nstatus: draft\nrank: b1\n---\nBody 1.\n"
    assert (folder / "S-2.md").read_bytes() == b"---\nid: S-2\nstatus: draft\nrank: b2\n---\nBody 2.\n"
    assert written == edits.Written(changed=(("backlog/S-1.md", "S-1"), ("backlog/S-2.md", "S-2")))
    assert written.count == 2
    assert sorted(files(folder)) == ["S-1.md", "S-2.md", "S-3.md"]  # no journal, no temporary file left


def test_a_change_to_the_value_a_file_already_has_writes_nothing_and_is_not_reported(folder: Path) -> None:
    path = folder / "S-1.md"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    written = edits.apply(folder, [edits.Change(source(path), {"rank": "a1"}), edits.Change(source(path), {})])
    assert written == edits.Written()
    assert written.count == 0
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_a_dry_run_promises_what_the_real_run_does_and_writes_nothing(folder: Path) -> None:
    before = files(folder)
    plan = [edits.Change(source(folder / "S-1.md"), {"rank": "b1"})]
    gone = [source(folder / "S-3.md")]
    new = [edits.NewFile(str(folder / "S-4.md"), b"---\nid: S-4\n---\n", "backlog/S-4.md", "S-4")]
    promised = edits.apply(folder, plan, new, gone, dry_run=True)
    assert files(folder) == before
    done = edits.apply(folder, plan, new, gone)
    assert promised.dry_run
    assert not done.dry_run
    assert (promised.changed, promised.created, promised.removed) == (done.changed, done.created, done.removed)
    assert done.count == 3


def test_a_dry_run_refuses_what_the_real_run_would_refuse(folder: Path) -> None:
    plan = [edits.Change(source(folder / "S-1.md"), {"rank": "b1"})]
    someone_edits(folder / "S-1.md")
    with pytest.raises(WriteConflict, match="changed on disk since groom read it"):
        edits.apply(folder, plan, dry_run=True)


def test_a_renamed_story_is_created_under_its_new_name_and_removed_under_the_old(folder: Path) -> None:
    change = edits.Change(source(folder / "S-1.md"), {"id": "S-7"}, str(folder / "S-7.md"), "backlog/S-7.md")
    written = edits.apply(folder, [change])
    assert sorted(files(folder)) == ["S-2.md", "S-3.md", "S-7.md"]
    assert (folder / "S-7.md").read_bytes() == b"---\nid: S-7\nstatus: draft\nrank: a1\n---\nBody 1.\n"
    assert written.created == (("backlog/S-7.md", "S-7"),)
    assert written.removed == (("backlog/S-1.md", "S-1"),)
    assert written.changed == ()
    assert (written.renamed, written.count) == (1, 1)  # one file, renamed, counts once


def test_removed_and_created_files_are_reported_by_their_shown_names(folder: Path) -> None:
    new = edits.NewFile(str(folder / "S-4.md"), b"---\nid: S-4\n---\n", "backlog/S-4.md", "S-4")
    nameless = edits.NewFile(str(folder / "S-5.md"), b"---\nid: S-5\n---\n")
    written = edits.apply(folder, created=[new, nameless], removed=[source(folder / "S-3.md")])
    assert written.created == (("backlog/S-4.md", "S-4"), (str(folder / "S-5.md"), ""))
    assert written.removed == (("backlog/S-3.md", "S-3"),)
    assert written.count == 3
    assert sorted(files(folder)) == ["S-1.md", "S-2.md", "S-4.md", "S-5.md"]
    assert (folder / "S-4.md").read_bytes() == b"---\nid: S-4\n---\n"


# ---------------------------------------------------------------------------------------
# apply: refusals, each leaving every file as it was


def _change(folder: Path) -> dict[str, Any]:
    return {"changes": [edits.Change(source(folder / "S-1.md"), {"rank": "b1"})]}


def _rename(folder: Path) -> dict[str, Any]:
    return {"changes": [edits.Change(source(folder / "S-1.md"), {"id": "S-9"}, str(folder / "S-9.md"), "S-9")]}


def _remove(folder: Path) -> dict[str, Any]:
    return {"removed": [source(folder / "S-1.md")]}


@pytest.mark.parametrize("plan", [_change, _rename, _remove], ids=["change", "rename", "remove"])
def test_a_file_changed_since_it_was_read_is_refused_by_every_kind_of_write(folder: Path, plan: Any) -> None:
    planned = plan(folder)
    other = [edits.Change(source(folder / "S-2.md"), {"rank": "b2"})]
    planned["changes"] = other + planned.get("changes", [])
    someone_edits(folder / "S-1.md")
    before = files(folder)
    with pytest.raises(WriteConflict) as refused:
        edits.apply(folder, **planned)
    assert refused.value.message == ("changed on disk since groom read it; nothing was written: run the command again")
    assert refused.value.path == "backlog/S-1.md"
    assert files(folder) == before


def test_an_edit_the_splice_cannot_make_names_the_story_file_and_its_line(folder: Path) -> None:
    path = folder / "S-1.md"
    path.write_bytes(b"---\nid: S-1\ntitle: [unclosed\n---\n")
    before = files(folder)
    with pytest.raises(FrontMatterError) as refused:
        edits.apply(folder, [edits.Change(source(path), {"rank": "b1"})])
    assert (refused.value.path, refused.value.line) == ("backlog/S-1.md", 3)  # the title line
    with pytest.raises(WriteConflict, match="does not write nested mappings") as nested:
        edits.apply(folder, [edits.Change(source(folder / "S-2.md"), {"rank": {"a": 1}})])
    assert nested.value.path == "backlog/S-2.md"
    assert files(folder) == before


def test_a_story_may_grow_to_the_size_limit_and_not_one_byte_over(folder: Path) -> None:
    path = folder / "S-1.md"
    head = b"---\nid: S-1\nrank: a1\n---\n"
    path.write_bytes(head + b"x" * (storyfile.MAX_FILE_BYTES - len(head) - 1))  # "rank: b12" adds one byte
    edits.apply(folder, [edits.Change(source(path), {"rank": "b12"})])
    assert path.stat().st_size == storyfile.MAX_FILE_BYTES
    with pytest.raises(WriteConflict) as refused:
        edits.apply(folder, [edits.Change(source(path), {"rank": "b123"})])
    assert refused.value.message == (
        "would grow to 1,048,577 bytes, over the 1,048,576-byte limit for a story (groom could not read it back); "
        "shorten the story first. Nothing was written"
    )
    assert refused.value.path == "backlog/S-1.md"
    assert path.stat().st_size == storyfile.MAX_FILE_BYTES


@pytest.mark.parametrize(
    "target",
    ["../S-4.md", "linked/S-4.md", "S-4-link.md", "."],
    ids=["the parent folder", "through a link to a folder outside", "a link", "the folder itself"],
)
def test_a_write_outside_the_backlog_folder_is_refused(folder: Path, target: str) -> None:
    (folder.parent / "outside").mkdir()
    (folder / "linked").symlink_to(folder.parent / "outside")
    (folder / "S-4-link.md").symlink_to(folder.parent / "outside" / "S-4.md")
    before = files(folder)
    new = edits.NewFile(os.path.join(folder, target), b"---\nid: S-4\n---\n", f"shown/{target}")
    with pytest.raises(WriteConflict) as refused:
        edits.apply(folder, created=[new])
    assert refused.value.message == f"is outside the backlog folder {folder}; groom writes only inside it"
    assert refused.value.path == f"shown/{target}"
    assert files(folder) == before
    assert list((folder.parent / "outside").iterdir()) == []


def test_a_write_into_a_subfolder_of_the_backlog_is_allowed(folder: Path) -> None:
    (folder / "epic").mkdir()
    edits.apply(folder, created=[edits.NewFile(str(folder / "epic" / "S-4.md"), b"---\nid: S-4\n---\n")])
    assert (folder / "epic" / "S-4.md").exists()


def test_a_new_file_never_replaces_an_existing_name(folder: Path) -> None:
    target = folder / "S-4.md"
    target.write_bytes(b"someone's story\n")
    before = files(folder)
    plan = [edits.Change(source(folder / "S-1.md"), {"rank": "b1"})]
    with pytest.raises(WriteConflict) as refused:
        edits.apply(folder, plan, [edits.NewFile(str(target), b"---\nid: S-4\n---\n", "backlog/S-4.md")])
    assert (refused.value.message, refused.value.path) == ("already exists; nothing was changed", "backlog/S-4.md")
    assert files(folder) == before


def test_create_files_makes_the_folders_and_refuses_a_name_that_exists(tmp_path: Path) -> None:
    edits.create_files({str(tmp_path / "a" / "b" / "one.md"): b"1\n", str(tmp_path / "two.md"): b"2\n"})
    assert (tmp_path / "a" / "b" / "one.md").read_bytes() == b"1\n"
    assert (tmp_path / "two.md").read_bytes() == b"2\n"
    with pytest.raises(WriteConflict) as refused:
        edits.create_files({str(tmp_path / "three.md"): b"3\n", str(tmp_path / "two.md"): b"new\n"})
    assert (refused.value.message, refused.value.path) == (
        "already exists; nothing was changed",
        str(tmp_path / "two.md"),
    )
    assert not (tmp_path / "three.md").exists()
    assert (tmp_path / "two.md").read_bytes() == b"2\n"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        edits.create_files({str(tmp_path / "one.md"): b"1\n"})
        assert os.umask(umask) == umask  # the umask is left as it was
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "one.md").stat().st_mode) == mode


# ---------------------------------------------------------------------------------------
# save_all: the journal of a multi-file commit


def test_a_multi_file_commit_keeps_a_journal_until_it_is_done(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["groom", "reprioritize", "--rebalance"])
    seen: dict[str, Any] = {}

    def look(step: str) -> None:
        if step == "journal written":
            seen["journal"] = json.loads((folder / edits.JOURNAL).read_text())
            seen["mode"] = stat.S_IMODE((folder / edits.JOURNAL).stat().st_mode)

    monkeypatch.setattr(edits, "_checkpoint", look)
    one, three = folder / "S-1.md", folder / "S-3.md"
    old_one, old_three = one.read_bytes(), three.read_bytes()
    edits.apply(
        folder,
        [edits.Change(source(one), {"rank": "b1"})],
        [edits.NewFile(str(folder / "S-4.md"), b"---\nid: S-4\n---\n")],
        [source(three)],
    )
    journal = seen["journal"]
    assert journal["version"] == 1
    assert journal["command"] == "reprioritize --rebalance"
    steps = journal["steps"]
    assert [(s["kind"], s["target"]) for s in steps] == [
        ("replace", str(one)),
        ("create", str(folder / "S-4.md")),
        ("remove", str(three)),
    ]
    assert steps[0]["old"] == edits.fingerprint(old_one)
    assert steps[0]["new"] == edits.fingerprint(one.read_bytes())
    assert steps[1]["old"] is None
    assert steps[1]["new"] == edits.fingerprint(b"---\nid: S-4\n---\n")
    assert steps[2] == {
        "kind": "remove",
        "target": str(three),
        "temp": None,
        "old": edits.fingerprint(old_three),
        "new": None,
    }
    assert all(os.path.basename(s["temp"]).startswith(".groom-") for s in steps[:2])
    assert seen["mode"] == 0o600
    assert not (folder / edits.JOURNAL).exists()


def test_a_two_file_commit_keeps_a_journal_too(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(edits, "_checkpoint", lambda *_: seen.append((folder / edits.JOURNAL).exists()))
    plan = [edits.Change(source(folder / name), {"rank": "b1"}) for name in ("S-1.md", "S-2.md")]
    edits.apply(folder, plan)
    assert seen == [False, False, True, True, True, False]


def test_a_single_file_commit_needs_no_journal(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, bool]] = []
    monkeypatch.setattr(edits, "_checkpoint", lambda step: seen.append((step, (folder / edits.JOURNAL).exists())))
    edits.apply(folder, [edits.Change(source(folder / "S-1.md"), {"rank": "b1"})])
    assert seen == [
        ("temporary file written", False),
        ("journal written", False),
        ("file replaced", False),
        ("journal removed", False),
    ]


def test_the_fingerprint_tells_different_bytes_apart_and_is_the_same_in_every_process() -> None:
    assert edits.fingerprint(b"rank: a1") == edits.fingerprint(b"rank: a1")
    assert edits.fingerprint(b"rank: a1") != edits.fingerprint(b"rank: a2")
    assert len(edits.fingerprint(b"")) == 32  # hex of 16 bytes, written to the journal as text


# ---------------------------------------------------------------------------------------
# save_all: a failure at any step undoes what was done


def _mixed(
    folder: Path,
) -> tuple[list[tuple[storyfile.Snapshot, bytes]], list[edits.NewFile], list[storyfile.Snapshot]]:
    """Two changed files, one new file, one removed file: every kind of step."""
    changes = []
    for name in ("S-1.md", "S-2.md"):
        snapshot = storyfile.read_regular(folder / name)
        changes.append((snapshot, snapshot.raw.replace(b"rank: a", b"rank: b")))
    created = [edits.NewFile(str(folder / "S-4.md"), b"---\nid: S-4\n---\n")]
    return changes, created, [storyfile.read_regular(folder / "S-3.md")]


COMMIT_STEPS = ["file created", "file replaced", "file replaced", "file removed"]


@pytest.mark.parametrize("failing", range(len(COMMIT_STEPS) + 1), ids=lambda n: f"after {n} of 4 steps")
def test_a_failure_at_any_step_of_a_commit_restores_every_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    (folder / "S-1.md").chmod(0o600)
    (folder / "S-3.md").chmod(0o640)
    before = files(folder)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    done: list[str] = []

    def fail_after(step: str) -> None:
        if step in COMMIT_STEPS:
            done.append(step)
            if len(done) == failing:
                raise OSError(errno.EIO, "Input/output error", str(folder / "S-2.md"))

    monkeypatch.setattr(edits, "_checkpoint", fail_after)
    if failing == 0:  # the very first step fails: linking the new file

        def cannot_link(*_: Any) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(os, "link", cannot_link)
    changes, created, removed = _mixed(folder)
    with pytest.raises(WriteConflict) as refused:
        edits.save_all(changes, created, removed, journal=folder)
    assert refused.value.message == "cannot write (Input/output error); nothing was changed"
    assert refused.value.path == (str(folder / "S-2.md") if failing else "")
    assert files(folder) == before  # every byte back, no temporary file, no journal
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == modes


def test_an_interruption_that_is_not_an_io_error_is_undone_and_passed_on(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(folder)

    def interrupted(step: str) -> None:
        if step == "file removed":
            raise KeyboardInterrupt

    monkeypatch.setattr(edits, "_checkpoint", interrupted)
    with pytest.raises(KeyboardInterrupt):
        edits.save_all(*_mixed(folder), journal=folder)
    assert files(folder) == before


def test_a_temporary_file_that_cannot_be_written_is_removed_and_said(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(folder)
    real = os.fsync
    calls: list[int] = []

    def disk_full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", "/the/full/disk")
        real(fd)

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(WriteConflict) as refused:
        edits.save_all(*_mixed(folder), journal=folder)
    assert (refused.value.message, refused.value.path) == (
        "cannot write (No space left on device); nothing was changed",
        "/the/full/disk",
    )
    assert files(folder) == before


def test_a_journal_that_cannot_be_written_leaves_nothing_behind_and_says_why(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(folder)
    real = edits._write_temp

    def disk_full_at_the_journal(path: str, raw: bytes, mode: int) -> str:
        if path.endswith(edits.JOURNAL):
            raise OSError(errno.ENOSPC, "No space left on device", path)
        return real(path, raw, mode)

    monkeypatch.setattr(edits, "_write_temp", disk_full_at_the_journal)
    with pytest.raises(WriteConflict) as refused:
        edits.save_all(*_mixed(folder), journal=folder)
    assert (refused.value.message, refused.value.path) == (
        "cannot write (No space left on device); nothing was changed",
        str(folder / edits.JOURNAL),
    )
    assert files(folder) == before  # the temporary files are gone too


def test_save_all_checks_again_that_nothing_changed_and_no_new_name_is_taken(folder: Path) -> None:
    # apply checks first; save_all (also used by groom init) does not rely on its caller.
    changes, created, removed = _mixed(folder)
    someone_edits(folder / "S-3.md")
    before = files(folder)
    with pytest.raises(WriteConflict) as refused:
        edits.save_all(changes, created, removed, journal=folder)
    assert (refused.value.message, refused.value.path) == (
        "changed on disk since groom read it; run the command again",
        str(folder / "S-3.md"),
    )
    changes, created, removed = _mixed(folder)
    (folder / "S-4.md").write_bytes(b"taken\n")
    shown = [
        edits.NewFile(created[0].path, created[0].raw, "backlog/S-4.md"),
        edits.NewFile(str(folder / "S-5.md"), b""),
    ]
    for new, path in ((shown[0], "backlog/S-4.md"), (edits.NewFile(created[0].path, b"x"), str(folder / "S-4.md"))):
        with pytest.raises(WriteConflict) as taken:
            edits.save_all(changes, [shown[1], new], removed, journal=folder)
        assert (taken.value.message, taken.value.path) == ("already exists; nothing was changed", path)
    assert files(folder) == {**before, "S-4.md": b"taken\n"}


def test_a_file_saved_by_another_program_while_groom_commits_is_not_overwritten(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def editor_saves(step: str) -> None:
        if step == "file created":
            someone_edits(folder / "S-2.md")

    monkeypatch.setattr(edits, "_checkpoint", editor_saves)
    before = files(folder)
    with pytest.raises(WriteConflict) as refused:
        edits.save_all(*_mixed(folder), journal=folder)
    assert (refused.value.message, refused.value.path) == (
        "changed on disk while groom was writing; nothing was changed",
        str(folder / "S-2.md"),
    )
    after = files(folder)
    assert after.pop("S-2.md").endswith(b"A line the product owner added meanwhile.\n")
    before.pop("S-2.md")
    assert after == before


@pytest.mark.parametrize("how", ["same size and time", "gone"])
def test_a_file_changed_since_it_was_read_is_caught_even_with_the_same_size_and_time(folder: Path, how: str) -> None:
    path = folder / "S-1.md"
    snapshot = storyfile.read_regular(path)
    if how == "gone":
        path.unlink()
    else:
        info = path.stat()
        path.write_bytes(snapshot.raw.replace(b"Body 1", b"Body 9"))
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    with pytest.raises(WriteConflict, match="changed on disk since groom read it"):
        edits.save_all([(snapshot, snapshot.raw.replace(b"rank: a1", b"rank: b1"))])


# ---------------------------------------------------------------------------------------
# recovery: a crash at any step, then the next run


def _crash_states(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict[str, bytes]]]:
    """The folder as a crash would leave it at each step of a mixed commit (kill -9 there)."""
    monkeypatch.setattr(sys, "argv", ["groom", "split", "S-1"])
    states: list[tuple[str, dict[str, bytes]]] = []
    with monkeypatch.context() as patched:
        patched.setattr(edits, "_checkpoint", lambda step: states.append((step, files(folder))))
        edits.save_all(*_mixed(folder), journal=folder)
    yield from states


def test_the_next_run_finishes_or_undoes_a_commit_a_crash_interrupted_at_any_step(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(folder)
    states = list(_crash_states(folder, monkeypatch))
    after = files(folder)
    finished = "finished the interrupted 'groom split S-1' (4 of 4 files)"
    strays = "removed {} temporary file(s) an interrupted groom left behind"
    expected = [
        ("temporary file written", before, [strays.format(1)]),
        ("temporary file written", before, [strays.format(2)]),
        ("temporary file written", before, [strays.format(3)]),
        ("journal written", after, [finished]),
        # The new file is linked into place: its temporary name is left over once finished.
        ("file created", after, [finished, strays.format(1)]),
        ("file replaced", after, [finished, strays.format(1)]),
        ("file replaced", after, [finished, strays.format(1)]),
        ("file removed", after, [finished, strays.format(1)]),
        ("journal removed", after, []),
    ]
    assert [step for step, _ in states] == [step for step, _, _ in expected]
    for (step, state), (_, result, said) in zip(states, expected, strict=True):
        for path in folder.iterdir():
            path.unlink()
        for name, raw in state.items():
            (folder / name).write_bytes(raw)
        assert edits.recover(folder) == said, step
        assert files(folder) == result, step


def _journal(folder: Path, *steps: dict[str, Any], command: str = "estimate S-1 5") -> None:
    document = {"version": 1, "command": command, "started": "2026-11-28 10:00:00", "steps": list(steps)}
    (folder / edits.JOURNAL).write_text(json.dumps(document))


def test_recovery_leaves_a_file_someone_changed_after_the_crash_and_says_so(folder: Path) -> None:
    one, three = folder / "S-1.md", folder / "S-3.md"
    temp = folder / ".groom-x.tmp"
    temp.write_bytes(b"---\nid: S-1\nrank: b1\n---\n")
    fp = edits.fingerprint
    _journal(
        folder,
        {"kind": "replace", "target": str(one), "temp": str(temp), "old": fp(b"old"), "new": fp(temp.read_bytes())},
        {"kind": "remove", "target": str(three), "temp": None, "old": fp(b"old"), "new": None},
    )
    before = {name: raw for name, raw in files(folder).items() if name.endswith(".md")}
    said = edits.recover(folder)
    assert said == [
        "finished the interrupted 'groom estimate S-1 5' (0 of 2 files)",
        f"{one}: changed after the interrupted write; left as it is",
        f"{three}: changed after the interrupted write; left as it is",
        "removed 1 temporary file(s) an interrupted groom left behind",
    ]
    assert files(folder) == before


def test_recovery_cannot_finish_a_step_whose_new_version_was_lost(folder: Path) -> None:
    one = folder / "S-1.md"
    damaged = folder / ".groom-y.tmp"
    damaged.write_bytes(b"half of it")
    fp = edits.fingerprint
    old = fp(one.read_bytes())
    _journal(
        folder,
        {"kind": "replace", "target": str(one), "temp": str(folder / ".groom-gone.tmp"), "old": old, "new": fp(b"x")},
        {"kind": "create", "target": str(folder / "S-4.md"), "temp": str(damaged), "old": None, "new": fp(b"y")},
        {"kind": "create", "target": str(folder / "S-5.md"), "temp": None, "old": None, "new": fp(b"z")},
    )
    said = edits.recover(folder)
    assert said[:4] == [
        "finished the interrupted 'groom estimate S-1 5' (0 of 3 files)",
        f"{one}: the new version was lost; left as it is",
        f"{folder / 'S-4.md'}: the new version was lost; left as it is",
        f"{folder / 'S-5.md'}: the new version was lost; left as it is",
    ]
    assert sorted(files(folder)) == ["S-1.md", "S-2.md", "S-3.md"]


def test_recovery_does_not_create_over_a_file_someone_made_meanwhile(folder: Path) -> None:
    temp = folder / ".groom-z.tmp"
    temp.write_bytes(b"groom's S-4")
    (folder / "S-4.md").write_bytes(b"someone's S-4")
    fp = edits.fingerprint
    _journal(
        folder,
        {
            "kind": "create",
            "target": str(folder / "S-4.md"),
            "temp": str(temp),
            "old": None,
            "new": fp(temp.read_bytes()),
        },
    )
    said = edits.recover(folder)
    assert said[1] == f"{folder / 'S-4.md'}: changed after the interrupted write; left as it is"
    assert (folder / "S-4.md").read_bytes() == b"someone's S-4"


def test_an_unreadable_journal_is_removed_and_said(folder: Path) -> None:
    (folder / edits.JOURNAL).write_text('{"version": 1, "steps": [')
    before = {k: v for k, v in files(folder).items() if k != edits.JOURNAL}
    assert edits.recover(folder) == [
        f"{folder / edits.JOURNAL}: an unreadable journal of an interrupted write; removed it",
        "finished the interrupted 'groom a write' (0 of 0 files)",
    ]
    assert files(folder) == before


def test_without_a_journal_or_leftovers_recovery_does_and_says_nothing(folder: Path) -> None:
    before = files(folder)
    assert edits.recover(folder) == []
    assert files(folder) == before


def test_stray_temporary_files_are_removed_in_subfolders_but_hidden_folders_are_left_alone(folder: Path) -> None:
    (folder / "epic").mkdir()
    (folder / ".git").mkdir()
    (folder / ".groom-dir.tmp").mkdir()
    strays = [folder / ".groom-a.tmp", folder / "epic" / ".groom-b.tmp", folder / ".groom-dir.tmp" / ".groom-c.tmp"]
    kept = [folder / ".git" / ".groom-d.tmp", folder / ".groom-e.txt", folder / "notes.tmp", folder / "x.groom-f.tmp"]
    for path in strays + kept:
        path.write_bytes(b"left over")
    assert edits.recover(folder) == ["removed 3 temporary file(s) an interrupted groom left behind"]
    assert [p.exists() for p in strays] == [False, False, False]
    assert all(p.exists() for p in kept)


# ---------------------------------------------------------------------------------------
# the crash hook the reliability tests use


def test_the_crash_hook_stops_the_process_at_exactly_the_named_step(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Died(BaseException):
        pass

    def exit_now(code: int) -> None:
        raise Died(code)

    monkeypatch.setattr(os, "_exit", exit_now)
    monkeypatch.delattr(edits._checkpoint, "count", raising=False)  # as in a fresh process
    monkeypatch.setenv("GROOM_TEST_CRASH_AT", "4")
    monkeypatch.setattr(sys, "argv", ["groom", "renumber", "S-3"])
    with pytest.raises(Died) as died:
        edits.save_all(*_mixed(folder), journal=folder)
    assert died.value.args == (137,)
    assert capsys.readouterr().err == "groom: test crash at step 4 (journal written)\n"
    assert edits.recover(folder) == ["finished the interrupted 'groom renumber S-3' (4 of 4 files)"]
    assert b"rank: b2" in (folder / "S-2.md").read_bytes()


def test_without_the_variable_the_crash_hook_never_fires(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def exit_now(code: int) -> None:
        raise AssertionError(f"the hook ended the process ({code})")

    monkeypatch.setattr(os, "_exit", exit_now)
    monkeypatch.delenv("GROOM_TEST_CRASH_AT", raising=False)
    edits.save_all(*_mixed(folder), journal=folder)
    assert sorted(files(folder)) == ["S-1.md", "S-2.md", "S-4.md"]


# ---------------------------------------------------------------------------------------
# the lock


def test_a_writer_holding_the_lock_keeps_another_writer_and_readers_out(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROOM_LOCK_WAIT", "0.1")
    holder, other = edits.Lock(folder), edits.Lock(folder)
    holder.acquire(exclusive=True)
    assert holder.exclusive
    try:
        for exclusive in (True, False):
            with pytest.raises(GroomError) as refused:
                other.acquire(exclusive=exclusive)
            assert refused.value.message == (
                f"another groom is writing to {folder} (waited 0.1 s); nothing was read or written: "
                "run the command again in a moment"
            )
            assert refused.value.exit_code == 2
    finally:
        holder.release()
    other.acquire(exclusive=True)
    assert other.exclusive
    other.release()
    other.release()  # twice is harmless


def test_readers_share_the_lock(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROOM_LOCK_WAIT", "0")
    first, second = edits.Lock(folder), edits.Lock(folder)
    first.acquire(exclusive=False)
    second.acquire(exclusive=False)
    assert not (first.exclusive or second.exclusive)
    with pytest.raises(GroomError, match="another groom is writing"):
        edits.Lock(folder).acquire(exclusive=True)
    first.release()
    second.release()


def test_a_writer_waits_for_the_lock_to_be_released(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROOM_LOCK_WAIT", "3")
    holder = edits.Lock(folder)
    holder.acquire(exclusive=True)
    timer = threading.Timer(0.3, holder.release)
    timer.start()
    waiting = edits.Lock(folder)
    waiting.acquire(exclusive=True)  # the wait (3 s) outlasts the holder
    timer.join()
    assert waiting.exclusive
    waiting.release()


def test_the_reader_lock_can_become_a_writer_lock(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROOM_LOCK_WAIT", "0")
    lock = edits.Lock(folder)
    lock.acquire(exclusive=False)
    lock.acquire(exclusive=True)
    assert lock.exclusive
    with pytest.raises(GroomError):
        edits.Lock(folder).acquire(exclusive=False)
    lock.release()


def test_without_a_folder_or_without_locks_a_command_goes_on_unprotected(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = edits.Lock(folder / "nowhere")
    missing.acquire(exclusive=True)
    assert not missing.exclusive
    missing.release()

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    lock = edits.Lock(folder)
    lock.acquire(exclusive=True)  # returns at once: no error, no wait
    assert not lock.exclusive
    lock.release()
