"""A large backlog is read by one process per core, and each judges the stories it reads
(backlog._shared, ready.Found): every command answers as one process reading and judging alone.

The sharing starts at PARALLEL_FROM files (1,500) on Linux; these tests lower it and claim three
cores, so small random backlogs take the shared path on any machine, and lower TASK_ITEMS, so
each child hands its share back in several answers.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from groom import backlog as backlog_module
from groom import ready, records
from groom.model import Story
from groom.workspace import Workspace
from tests.acceptance.test_cache import READS, Walk
from tests.conftest import Project, Result, Runner, spy

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="backlogs are read by several processes on Linux only")


def _shared(monkeypatch: pytest.MonkeyPatch, shared: bool) -> None:
    monkeypatch.setattr(backlog_module, "PARALLEL_FROM", 2 if shared else 10**9)
    monkeypatch.setattr(backlog_module, "TASK_ITEMS", 2)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})


def _both(groom: Runner, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Result, Result]:
    _shared(monkeypatch, True)
    shared = groom(*args)
    _shared(monkeypatch, False)
    alone = groom(*args)
    return shared, alone


@pytest.mark.parametrize("seed", [7, 77, 777])
def test_every_command_answers_alike_read_by_one_process_or_by_three(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    walk = Walk(project, seed)  # broken files, dependencies, spikes, NaN values, ready stories with gaps
    for _ in range(12):
        walk.step()
    for args in [*READS, ("show", walk.ids()[0])]:
        for cache in ("--no-cache", "--cache"):
            shared, alone = _both(groom, monkeypatch, cache, *args)
            assert (shared.code, shared.out, shared.err) == (alone.code, alone.out, alone.err), (
                f"seed {seed}: groom {cache} {' '.join(args)}\nshared\n{shared}\n\nalone\n{alone}"
            )


def test_the_processes_that_read_judge_what_they_read(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(1, 31):
        project.story(f"S-{n}", rank=f"a{n:02}", depends_on=["S-1"] if n % 10 == 0 else None)
    project.story("S-31", status="ready", value=None)  # not ready: no value
    judged_here: list[str] = []
    spy(monkeypatch, ready.Judge, "_findings", lambda _judge, story: judged_here.append(story.id))
    shared, alone = _both(groom, monkeypatch, "--no-cache", "check", "--format", "json")
    assert (shared.code, shared.out) == (alone.code, alone.out)
    assert [f["rule"] for f in json.loads(shared.out)["findings"]] == ["dor/value"]
    # Alone, this process judged all 31 stories after reading; shared, the children read and
    # judged every story but those with dependencies, judged here after the read, in context.
    assert judged_here[:-31] == ["S-10", "S-20", "S-30"]
    assert len(judged_here) == 31 + 3


@pytest.mark.parametrize(
    ("args", "judged"),
    [
        (("check", "backlog/S-7.md"), ["S-7"]),  # the named file alone
        (("list", "--status", "draft"), ["S-3"]),  # the stories listed alone
        (("list", "--status", "split"), []),  # not work: never judged
        (("refine", "--format", "json"), ["S-1", "S-2", "S-3", "S-5", "S-7"]),  # open stories alone
    ],
)
def test_the_reading_processes_judge_only_what_the_command_asks(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], judged: list[str]
) -> None:
    statuses = {3: "draft", 4: "done", 6: "split"}
    for n in range(1, 8):
        project.story(f"S-{n}", status=statuses.get(n, "ready"), rank=f"a{n}", value=None if n == 5 else 5)
    log = project.root / "judged.log"  # every process that judges writes here: the children too

    def note(_judge: ready.Judge, story: Story, *_: Any) -> None:
        with log.open("a") as out:
            out.write(f"{story.id}\n")

    spy(monkeypatch, ready.Judge, "_findings", note)
    spy(monkeypatch, ready.Judge, "_gaps", note)
    _shared(monkeypatch, True)
    result = groom("--no-cache", *args)
    assert result.code in (0, 1), result
    asked = log.read_text().split() if log.exists() else []
    assert sorted(set(asked)) == judged


def test_a_runaway_pattern_stops_the_run_when_several_processes_judge(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = project.root / "schemas"
    schemas.mkdir()
    source = Path(__file__).resolve().parents[2] / "groom" / "schemas" / "story.schema.json"
    schema = json.loads(source.read_text())
    schema["properties"]["title"] = {"type": "string", "pattern": "^(a|aa)+$"}
    (schemas / "story.schema.json").write_text(json.dumps(schema))
    (project.root / "groom.toml").write_text('backlog = "backlog"\n[schemas]\nstory = "schemas/story.schema.json"\n')
    for n in range(1, 5):
        project.write(f"S-{n}.md", f"---\nid: S-{n}\ntitle: {'a' * 35}!\nstatus: draft\n---\n")
    shared, alone = _both(groom, monkeypatch, "--no-cache", "check")
    assert shared.code == alone.code == 2
    assert shared.err == alone.err
    assert "schema pattern '^(a|aa)+$' ran for over 0.5 s" in shared.err


def test_an_interrupted_read_ends_its_own_children_and_no_one_elses(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """groom used in-process by a caller with children of its own: interrupted while reading, it
    ends its reading children, not the caller's."""
    for n in range(1, 7):
        project.story(f"S-{n}")
    callers = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    callers.start()
    try:
        _shared(monkeypatch, True)

        def interrupted(*_: Any, **__: Any) -> Any:
            raise KeyboardInterrupt

        monkeypatch.setattr(records, "unpack", interrupted)  # as groom takes the children's first answer
        result = groom("--no-cache", "velocity")
        assert (result.code, result.err) == (130, "groom: interrupted\n"), result
        assert callers.is_alive()
        assert multiprocessing.active_children() == [callers]
    finally:
        callers.kill()
        callers.join()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_reading_child_ends_with_the_process_that_forked_it(project: Project, stop: signal.Signals) -> None:
    """``timeout`` (or a CI job's end) sends SIGTERM to groom alone: its reading child must not
    live on, waiting for ever to hand over its share and holding the caller's pipe open. Sent
    SIGINT alone, groom stops at once too (it waited for its child to finish its share)."""
    schemas = project.root / "schemas"
    schemas.mkdir()
    source = Path(__file__).resolve().parents[2] / "groom" / "schemas" / "story.schema.json"
    schema = json.loads(source.read_text())
    schema["properties"]["title"] = {"type": "string", "pattern": "^(a|aa)+$"}  # ~20 ms a title: slow
    (schemas / "story.schema.json").write_text(json.dumps(schema))
    (project.root / "groom.toml").write_text('backlog = "backlog"\n[schemas]\nstory = "schemas/story.schema.json"\n')
    count = backlog_module.PARALLEL_FROM + 100
    for n in range(1, count + 1):
        project.write(f"S-{n}.md", f"---\nid: S-{n}\ntitle: {'a' * 21}!\nstatus: draft\n---\n")
    groom = subprocess.Popen(
        [sys.executable, "-m", "groom", "--no-cache", "check"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "GROOM_CACHE_FOREGROUND": "1"},
    )
    children: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while not _children(groom.pid):
            assert groom.poll() is None and time.monotonic() < deadline, "groom never shared its reading"
            time.sleep(0.01)
        children = _children(groom.pid)
        time.sleep(0.2)
        groom.send_signal(stop)
        groom.wait(3)
        deadline = time.monotonic() + 5
        while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in children):
            assert time.monotonic() < deadline, f"a reading child outlived groom: {children}"
            time.sleep(0.05)
        groom.communicate(timeout=5)  # nobody holds the pipes any more
    finally:
        groom.kill()
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return "Z"


def test_a_story_changed_before_the_cache_writer_judges_it_costs_the_next_run_that_story_alone(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a cold run the cache's writer judges every story for the next run. A story handed
    over by a reading child has its front matter read again to place a gap; if its file changed
    since (the command itself wrote it, or the user did), that story cannot be judged: the others
    still are (the writer stopped at the first such story, and the next run judged all the rest)."""
    for n in range(1, 13):
        project.story(f"S-{n}", status="draft", rank=f"a{n:02}")  # drafts: no estimate, a gap at status
    monkeypatch.setenv("GROOM_CACHE_FOREGROUND", "1")
    real = Workspace._judge_all

    def edited_first(ws: Workspace) -> None:
        path = project.root / "backlog" / "S-3.md"
        path.write_text(path.read_text().replace("title: Story S-3", "title: Story S-3, edited"))
        real(ws)

    monkeypatch.setattr(Workspace, "_judge_all", edited_first)
    _shared(monkeypatch, True)
    assert groom("--cache", "check").code == 0
    monkeypatch.setattr(Workspace, "_judge_all", real)
    judged: list[str] = []
    spy(monkeypatch, ready.Judge, "_gaps", lambda _judge, story, *_: judged.append(story.id))
    assert groom("--cache", "list").code == 0
    assert judged == ["S-3"]
