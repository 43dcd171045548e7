"""No lost update, no half-written change: concurrent runs, edits at the worst moment, and a
crash (kill -9) injected at every step of a multi-file write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from groom import edits
from tests.conftest import Project, Runner


def _groom(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "groom", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def _files(project: Project) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(project.backlog.iterdir())}


def test_two_writers_at_once_lose_nothing(project: Project) -> None:
    for n in range(1, 5):
        project.story(f"S-{n}", status="refining", rank=f"a{n}", value=n)
    for round_ in range(12):
        points = ("5", "8")[round_ % 2]
        first = subprocess.Popen(
            [sys.executable, "-m", "groom", "estimate", "S-3", points],
            cwd=project.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        second = _groom(project.root, "reprioritize", "S-3", "--top" if round_ % 2 else "--bottom")
        _, err = first.communicate(timeout=60)
        assert (first.returncode, second.returncode) == (0, 0), (err, second.stderr)
        text = (project.backlog / "S-3.md").read_text()
        assert f"estimate: {points}\n" in text, text
        moved = second.stdout.split("→ ")[1].split()[0] if "→" in second.stdout else None
        assert moved is None or f"rank: {moved}\n" in text, (second.stdout, text)


def test_an_edit_saved_while_groom_writes_is_never_overwritten(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in (1, 2, 3):
        project.story(f"S-{n}", status="refining", rank=f"a{n}V")
    real = edits._checkpoint
    calls: list[str] = []

    def editor_saves_after_the_temporary_files(step: str) -> None:
        calls.append(step)
        if step == "journal written":
            path = project.backlog / "S-2.md"
            path.write_text(path.read_text() + "\nA note the PO saved just now.\n")
        real(step)

    monkeypatch.setattr(edits, "_checkpoint", editor_saves_after_the_temporary_files)
    before = _files(project)
    result = groom("reprioritize", "--rebalance")
    assert result.code == 2, result
    assert "changed on disk while groom was writing; nothing was changed" in result.err
    after = _files(project)
    assert after["S-2.md"].endswith(b"A note the PO saved just now.\n")
    assert {k: v for k, v in after.items() if k != "S-2.md"} == {k: v for k, v in before.items() if k != "S-2.md"}
    assert not list(project.backlog.glob(".groom-*"))


def test_a_writer_waits_for_another_then_says_so(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.story("S-1", status="refining", rank="a0")
    holder = edits.Lock(project.backlog)
    holder.acquire(exclusive=True)
    monkeypatch.setenv("GROOM_LOCK_WAIT", "0.2")
    try:
        result = groom("estimate", "S-1", "5")
        assert result.code == 2, result
        assert result.err.startswith("groom: error: another groom is writing to "), result
        assert "run the command again in a moment" in result.err
        assert groom("list").code == 2  # readers wait for a writer too
    finally:
        holder.release()
    assert groom("estimate", "S-1", "5").code == 0


WRITES = [
    ("reprioritize", "--rebalance"),
    ("split", "S-2", "--into", "First half", "--into", "Second half"),
    ("renumber", "S-3"),
]


@pytest.mark.parametrize("args", WRITES, ids=[a[0] for a in WRITES])
def test_a_crash_at_any_step_leaves_all_old_or_all_new_after_the_next_run(
    project: Project, args: tuple[str, ...]
) -> None:
    for n in (1, 2, 3):
        project.story(f"S-{n}", status="refining", rank=f"a{n}VV", value=n, children=["S-3"] if n == 1 else None)
    (project.backlog / "S-3.md").write_text(
        (project.backlog / "S-3.md").read_text().replace("status:", "parent: S-1\nstatus:")
    )
    before = _files(project)
    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)
    done = _groom(project.root, *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    after = _files(project)
    for name, raw in before.items():  # back to the start
        (project.backlog / name).write_bytes(raw)
    for name in set(after) - set(before):
        (project.backlog / name).unlink()
    step = 1
    while True:
        crashed = _groom(project.root, *args, env={"GROOM_TEST_CRASH_AT": str(step)})
        if crashed.returncode == 0:
            break
        assert crashed.returncode == 137, crashed.stderr
        nxt = _groom(project.root, "list")
        assert nxt.returncode == 0, nxt.stderr
        state = _files(project)
        assert state in (before, after), (step, crashed.stderr, nxt.stderr, sorted(state))
        assert not [p for p in project.backlog.iterdir() if p.name.startswith(".groom-")], step
        if state == after and step > 1:
            assert "finished the interrupted" in nxt.stderr or "temporary file" in nxt.stderr or nxt.stderr == "", (
                nxt.stderr
            )
        for name, raw in before.items():
            (project.backlog / name).write_bytes(raw)
        for name in set(state) - set(before):
            (project.backlog / name).unlink()
        step += 1
    assert step > 4, "the crash hook never fired"


def test_stray_temporary_files_are_removed_and_said(project: Project, groom: Runner) -> None:
    project.story("S-1")
    (project.backlog / ".groom-abc.tmp").write_text("half a story")
    result = groom("list")
    assert result.code == 0, result
    assert result.err == "groom: removed 1 temporary file(s) an interrupted groom left behind\n"
    assert not (project.backlog / ".groom-abc.tmp").exists()


def test_a_write_outside_the_backlog_is_refused(project: Project) -> None:
    from groom.errors import WriteConflict

    story = project.story("S-1")
    outside = project.root / "S-2-evil.md"
    with pytest.raises(WriteConflict, match="outside the backlog folder"):
        edits.apply(project.backlog, created=[edits.NewFile(str(outside), b"---\nid: S-2\n---\n")])
    assert not outside.exists()
    assert story.exists()


def test_a_write_that_would_cross_the_size_limit_is_refused(project: Project, groom: Runner) -> None:
    path = project.story("S-1", status="refining", body="")
    path.write_bytes(path.read_bytes() + b"x" * (1024 * 1024 - 5 - path.stat().st_size) + b"\n")
    size = path.stat().st_size
    assert size == 1024 * 1024 - 4  # "estimate: 13" adds 13 bytes
    result = groom("estimate", "S-1", "13")
    assert result.code == 2, result
    assert "over the 1,048,576-byte limit for a story" in result.err
    assert path.stat().st_size == size
    assert groom("list").code == 0
