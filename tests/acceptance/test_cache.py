"""The warm cache (issue 14): every command answers with the cache exactly as without it.

A seeded random walk edits, adds, removes, renames and touches stories, breaks and fixes them,
changes groom.toml and the schemas, and runs writing commands, and after every step compares
each read command's exit code, stdout and stderr with the cache and with ``--no-cache``, byte
for byte. ``GROOM_CACHE_WALK_STEPS`` makes the walk longer (CI runs 25 steps; try 300).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

from groom import backlog as backlog_module
from groom import cache as cache_module
from groom import ready, records, schemas
from groom.workspace import Workspace
from tests.conftest import Project, Result, Runner, spy

SCHEMAS = Path(__file__).resolve().parents[2] / "groom" / "schemas"
STATUSES = ("draft", "refining", "ready", "ready", "planned", "in-progress", "done", "split", "dropped")
ESTIMATES = (None, 1, 2, 3, 5, 8, 13, 20, "?", 2.5)
CONFIG = """backlog = "backlog"
exclude = ["README.md", "{excluded}"]

[estimate]
max_story_points = {largest}

[status]
ready = [{ready}]

[schemas]
story = "schemas/story.schema.json"
ready = "schemas/ready.schema.json"

[sprint]
capacity = {capacity}
"""


class CachedRunner:
    """groom with the cache on for the run (it is off by default), unless a test says
    --cache or --no-cache itself; ``plain`` runs groom as a user without options would."""

    def __init__(self, plain: Runner) -> None:
        self.plain = plain

    def __call__(self, *args: str) -> Result:
        if args and args[0] in ("--cache", "--no-cache"):
            return self.plain(*args)
        return self.plain("--cache", *args)


@pytest.fixture
def groom(groom: Runner) -> CachedRunner:
    return CachedRunner(groom)


class Walk:
    """A backlog that changes at random, one step at a time (seeded: a failure replays)."""

    def __init__(self, project: Project, seed: int) -> None:
        self.project = project
        self.random = random.Random(seed)
        self.next_id = 1
        self.config: dict[str, object] = {"excluded": "S-9*.md", "largest": 13, "capacity": 20}
        self.config["ready"] = '"ready", "planned"'
        (project.root / "schemas").mkdir()
        for name in ("story.schema.json", "ready.schema.json"):
            shutil.copy(SCHEMAS / name, project.root / "schemas" / name)
        self.write_config()
        for _ in range(24):
            self.add()

    # -- what a story looks like -------------------------------------------------------

    def ids(self) -> list[str]:
        return sorted(p.name.split(".")[0].split("-x")[0] for p in self.files())

    def files(self) -> list[Path]:
        return sorted(self.project.backlog.rglob("*.md"))

    def text(self, story_id: str) -> str:
        pick = self.random
        lines = [f"id: {story_id}", f"title: Story {story_id} {pick.choice(['export', 'sync', 'search & share'])}"]
        lines.append(f"status: {pick.choice(STATUSES)}")
        estimate = pick.choice(ESTIMATES)
        if estimate is not None:
            lines.append(f"estimate: {json.dumps(estimate) if estimate != '?' else '?'}")
        if pick.random() < 0.8:
            lines.append(f"value: {pick.randint(1, 13)}")
        if pick.random() < 0.85:
            lines.append(f'rank: "a{pick.choice("0123456789ABCDEFGHIJ")}{pick.choice("abcxyz")}"')
        others = self.ids()
        if others and pick.random() < 0.4:
            deps = pick.sample(others, min(len(others), pick.randint(1, 2)))
            if pick.random() < 0.1:
                deps.append("S-999")
            lines.append(f"depends_on: [{', '.join(deps)}]")
        if others and pick.random() < 0.15:
            lines.append(f"parent: {pick.choice(others)}")
        if pick.random() < 0.3:
            lines.append("labels:\n  - backend\n  - " + pick.choice(["ui", "api"]))
        if pick.random() < 0.3:
            lines.append(f"owner: {pick.choice(['ana', 'bo', 'cy'])}")
        if pick.random() < 0.2:
            lines.append(f"time_criticality: {pick.choice([1, 2, 3, 5])}\nrisk_reduction: {pick.choice([1, 2, 3])}")
        if pick.random() < 0.1:
            lines.append("type: spike\ntimebox: 2d")
        if pick.random() < 0.05:
            lines.append("value: .nan")
        body = []
        if pick.random() < 0.8:
            body.append(f"As a planner I want {story_id} done so that the team ships.")
        if pick.random() < 0.7:
            body.append("\n## Acceptance criteria")
            body += [f"- [ ] Given {n}, when it runs, then it works" for n in range(pick.randint(1, 4))]
        if pick.random() < 0.4:
            body.append("\n## Questions")
            body += [f"- [{pick.choice(' x')}] @{pick.choice(['ana', 'bo'])}: question {n}?" for n in range(2)]
        front = "\n".join(lines)
        if pick.random() < 0.06:
            front += "\nbroken: [unclosed"
        return f"---\n{front}\n---\n" + "\n".join(body) + "\n"

    # -- steps ---------------------------------------------------------------------------

    def write_config(self) -> None:
        (self.project.root / "groom.toml").write_text(CONFIG.format(**self.config))

    def add(self) -> None:
        story_id = f"S-{self.next_id}"
        self.next_id += 1
        folder = self.random.choice(["", "", "", "sub/"])
        self.project.write(f"{folder}{story_id}.md", self.text(story_id))

    def step(self) -> str:
        pick = self.random
        files = self.files()
        kind = pick.choice(
            ["edit", "edit", "same-size", "add", "remove", "rename", "touch", "config", "schema", "break", "conflict"]
        )
        target = pick.choice(files) if files else None
        if target is None or kind == "add":
            self.add()
            return "add"
        if kind == "edit":
            target.write_text(self.text(target.name.split(".")[0].split("-x")[0]))
        elif kind == "same-size":
            # Same size, same modification time: only the change time (and the bytes) differ.
            before = target.stat()
            raw = target.read_bytes()
            at = raw.find(b"Story ")
            if at >= 0:
                target.write_bytes(raw[: at + 6] + (b"Z" if raw[at + 6 : at + 7] != b"Z" else b"Y") + raw[at + 7 :])
                os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
        elif kind == "remove":
            target.unlink()
        elif kind == "rename":
            stem = target.name.removesuffix(".md")
            target.rename(target.with_name((stem[:-2] if stem.endswith("-x") else stem + "-x") + ".md"))
        elif kind == "touch":
            os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + pick.randint(1, 10**9)))
        elif kind == "config":
            key = pick.choice(["largest", "ready", "capacity", "excluded"])
            choices: dict[str, list[object]] = {
                "largest": [8, 13, 20],
                "ready": ['"ready", "planned"', '"ready"', '"ready", "planned", "in-progress", "done"'],
                "capacity": [8, 20, 40],
                "excluded": ["S-9*.md", "S-1*.md", "nothing.md"],
            }
            self.config[key] = pick.choice(choices[key])
            self.write_config()
        elif kind == "schema":
            path = self.project.root / "schemas" / "ready.schema.json"
            schema = json.loads(path.read_text())
            items = schema.get("allOf", [])
            if items and pick.random() < 0.5:
                schema.setdefault("x-dropped", []).append(items.pop(pick.randrange(len(items))))
            elif schema.get("x-dropped"):
                items.append(schema["x-dropped"].pop())
            path.write_text(json.dumps(schema, indent=2))
        elif kind == "break":
            raw = target.read_bytes()
            fixed = raw.replace(b"\nbroken: [unclosed", b"")
            target.write_bytes(fixed if fixed != raw else raw.replace(b"\n---\n", b"\nbroken: [unclosed\n---\n", 1))
        elif kind == "conflict":
            raw = target.read_bytes()
            target.write_bytes(raw + b"<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> other\n")
        return f"{kind} {target.name}"


READS = (
    ("check",),
    ("check", "--format", "json"),
    ("list", "--format", "json"),
    ("list",),
    ("sprint-candidates", "--format", "json"),
    ("sprint-candidates", "--sprints", "3"),
    ("refine", "--format", "json"),
    ("actions",),
    ("estimate", "--missing"),
    ("reprioritize", "--by", "wsjf", "--dry-run"),
    ("report", "--format", "markdown", "--out", "-"),
    ("velocity",),
)


def same(groom: Runner, *args: str) -> Result:
    """Run a command with the cache, then without, and demand the very same answer."""
    cached = groom(*args)
    fresh = groom("--no-cache", *args)
    assert (cached.code, cached.out, cached.err) == (fresh.code, fresh.out, fresh.err), (
        f"groom {' '.join(args)}: with the cache\n{cached}\n\nwithout\n{fresh}"
    )
    return cached


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "backlog").rglob("*")) if p.is_file()}


def write_alike(groom: Runner, project: Project, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """A writing command, with the cache here and without it on a copy: the same output and
    the same files after."""
    twin = project.root.parent / (project.root.name + "-twin")
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(project.root, twin, ignore=shutil.ignore_patterns(cache_module.FOLDER))
    monkeypatch.chdir(twin)
    fresh = groom("--no-cache", *args)
    monkeypatch.chdir(project.root)
    cached = groom(*args)
    here, there = str(project.root), str(twin)  # an error may name the backlog folder itself
    expected = (fresh.code, fresh.out.replace(there, here), fresh.err.replace(there, here))
    assert (cached.code, cached.out, cached.err) == expected, f"groom {args}\n{cached}"
    assert tree(project.root) == tree(twin), f"groom {' '.join(args)} wrote other files with the cache"


@pytest.mark.parametrize("seed", [14, 1414])
def test_every_read_command_answers_alike_with_and_without_the_cache(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    walk = Walk(project, seed)
    steps = int(os.environ.get("GROOM_CACHE_WALK_STEPS", "25"))
    done: list[str] = []
    for step in range(steps):
        for _ in range(walk.random.randint(1, 3)):
            done.append(walk.step())
        ids = walk.ids()
        commands = [("check",), *walk.random.sample(READS, 3)]
        if ids:
            story_id = walk.random.choice(ids)
            commands.append(("show", story_id))
            files = walk.files()
            if files:
                commands.append(("check", str(walk.random.choice(files).relative_to(project.root))))
        for args in commands:
            try:
                same(groom, *args)
            except AssertionError as exc:
                raise AssertionError(f"seed {seed}, step {step}, after: {'; '.join(done[-4:])}\n{exc}") from None
        if ids and walk.random.random() < 0.3:
            story_id, other = walk.random.choice(ids), walk.random.choice(ids)
            write = walk.random.choice(
                [
                    ("reprioritize", story_id, "--top"),
                    ("reprioritize", story_id, "--after", other),
                    ("estimate", story_id, "5"),
                    ("new", f"A new story {step}"),
                    ("split", story_id, "--into", "First half", "--into", "Second half"),
                ]
            )
            write_alike(groom, project, write, monkeypatch)
            done.append(" ".join(write))
    # The walk really went through the cache: it holds the files it last read.
    assert list((project.root / cache_module.FOLDER).glob("backlog-*"))


def test_the_cache_is_used_and_a_changed_file_is_read_again(project: Project, groom: Runner) -> None:
    for n in range(1, 6):
        project.story(f"S-{n}", rank=f"a{n}")
    first = groom("check")
    assert first.code == 0, first
    folder = project.root / cache_module.FOLDER
    assert len(list(folder.glob("backlog-*"))) == 1
    assert (folder / ".gitignore").read_text().endswith("*\n")
    project.story("S-3", status="ready", value=None)  # no value: not ready any more
    second = groom("check")
    assert second.code == 1
    assert "S-3.md:4:1: error [dor/value]" in second.out, second
    assert second.out == groom("--no-cache", "check").out


def test_stories_that_tie_keep_their_order_when_one_is_read_again(project: Project, groom: Runner) -> None:
    """Two files with one id and one rank are ordered by file name; a run that takes one from the
    cache and reads the other again orders them the same (it once put the one read last)."""
    project.story("S-7", name="S-7-a.md", rank="a5", status="draft", title="Twin a")
    project.story("S-7", name="S-7-b.md", rank="a5", status="draft", title="Twin b")
    expected = groom("--no-cache", "list").out
    assert expected.index("Twin a") < expected.index("Twin b")
    assert groom("list").out == expected  # cold: writes the cache
    project.story("S-7", name="S-7-a.md", rank="a5", status="draft", title="Twin a", value=3)
    assert groom("list").out == groom("--no-cache", "list").out


def test_warm_commands_decode_no_story_they_only_list_order_or_count(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What check, list, moves and the sprint commands read of every story (ids, order, status,
    title, estimate, value, sprint, references) is held decoded in the cache; the rest of a front matter, its text and
    facts stay encoded unless a story needs them (a --label filter reads the labels)."""
    for n in range(1, 6):
        project.story(f"S-{n}", rank=f"a{n}", status="ready", labels=["ux"] if n == 2 else [])
    assert groom("list").code == 0  # cold: writes the cache
    decoded: list[str] = []
    for part in ("data", "facts", "front_matter"):
        spy(monkeypatch, records.Filler, part, lambda filler: decoded.append(os.path.basename(filler.path)))
    listed = groom("list")
    assert (listed.code, decoded) == (0, []) and listed.out == groom("--no-cache", "list").out
    assert groom("check").code == 0 and decoded == []
    for command in (["velocity"], ["sprint-candidates", "--capacity", "10"], ["refine"]):
        assert groom(*command).code in (0, 1) and decoded == [], command
    assert groom("reprioritize", "S-3", "--top").code == 0 and decoded == []
    assert "S-2" in groom("list", "--label", "ux").out
    assert sorted(decoded) == ["S-1.md", "S-2.md", "S-4.md", "S-5.md"]  # S-3, just moved, was read again


def test_a_warm_run_reads_judges_and_builds_nothing_it_has(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Warm, nothing changed: no story file is parsed, no story judged, no schema built; one
    story edited: that story alone is read and judged again."""
    for n in range(1, 6):
        project.story(f"S-{n}", rank=f"a{n}", status="ready")
    expected = groom("--no-cache", "check")
    assert groom("check").out == expected.out
    parsed: list[str] = []
    judged: list[str] = []
    built: list[str] = []
    spy(monkeypatch, backlog_module, "load_story", lambda path, *_: parsed.append(Path(path).name))
    spy(monkeypatch, ready.Judge, "_findings", lambda _judge, story: judged.append(story.id))
    spy(monkeypatch, schemas, "load", lambda *_: built.append("schemas"))
    assert groom("check").out == expected.out
    assert (parsed, judged, built) == ([], [], [])
    project.story("S-3", status="ready", rank="a3", value=None)
    again = groom("check")
    assert (parsed, judged, built) == (["S-3.md"], ["S-3"], ["schemas"])
    assert again.out == groom("--no-cache", "check").out and "S-3.md:4:1: error [dor/value]" in again.out


def test_a_warm_run_imports_no_parser_and_no_validator(project: Project, groom: Runner) -> None:
    """A warm run parses no YAML and builds no schema, so it pays for neither library's import
    (PyYAML alone is a twentieth of a warm check on 10,000 stories); a cold one judges."""
    for n in range(1, 4):
        project.story(f"S-{n}", rank=f"a{n}", status="ready")
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(*sorted({m.split('.')[0] for m in sys.modules} & {'yaml', 'jsonschema'})))\n"
        "sys.argv = ['groom', '--cache', 'check']\n"
        "from groom.cli import run\n"
        "run()\n"
    )

    def imported() -> str:
        done = subprocess.run(
            [sys.executable, "-c", script], check=False, cwd=project.root, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[-1]

    assert "jsonschema" in imported().split()  # cold: judged (simple front matter is read without PyYAML)
    assert imported() == ""  # warm: every story and verdict from the cache


def test_a_cold_run_leaves_the_cache_to_a_detached_writer(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a user runs it (its own process, no GROOM_CACHE_FOREGROUND): the command answers as
    without the cache, and a writer it leaves behind writes a cache that holds every verdict."""
    if sys.platform != "linux":
        pytest.skip("the cache is written by a detached process on Linux only (elsewhere before returning)")
    for n in range(1, 6):
        project.story(f"S-{n}", rank=f"a{n}", status="ready")
    project.story("S-6", rank="a6", status="ready", value=None)
    env = {key: value for key, value in os.environ.items() if key != cache_module.FOREGROUND}
    command = [sys.executable, "-m", "groom", "--cache", "check"]
    run = subprocess.run(command, check=False, cwd=project.root, env=env, capture_output=True, text=True)
    expected = groom("--no-cache", "check")
    assert (run.returncode, run.stdout, run.stderr) == (expected.code, expected.out, expected.err)
    folder = project.root / cache_module.FOLDER
    deadline = time.monotonic() + 30
    while not list(folder.glob("backlog-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(folder.glob("backlog-*")), "the detached writer wrote no cache"
    judged: list[str] = []
    spy(monkeypatch, ready.Judge, "_findings", lambda _judge, story: judged.append(story.id))
    assert groom("check").out == expected.out
    assert judged == [], "the writer left verdicts to judge again"


def test_the_gaps_a_check_works_out_are_kept_for_the_next_command(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story that claims ready has its DoR gaps worked out for its findings: they are kept with
    them, so the next command that asks for the story's gaps (list, refine) does not judge it."""
    for n in range(1, 5):
        project.story(f"S-{n}", rank=f"a{n}", status="ready" if n % 2 else "refining")
    assert groom("check").code == 0  # cold: the writer keeps every verdict (conftest: before returning)
    project.story("S-3", rank="a3", status="ready", value=None)  # changed: judged again
    worked_out: list[str] = []
    spy(monkeypatch, ready.Judge, "_gaps", lambda _judge, story, *_: worked_out.append(story.id))
    assert groom("check").code == 1
    assert worked_out == ["S-3"]
    assert groom("list").code == 0
    assert worked_out == ["S-3"]  # its gaps were kept with its findings


def test_a_writer_that_runs_before_the_command_returns_judges_no_story_again(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the cache is written before groom exits (not Linux, or GROOM_CACHE_FOREGROUND=1, as
    in these tests), a cold run keeps its own verdicts for the writer, which would otherwise judge
    every story again while the user waits; it still works out what the command did not ask."""
    for n in range(1, 5):
        project.story(f"S-{n}", rank=f"a{n}", status="ready" if n % 2 else "refining")
    findings: list[str] = []
    gaps: list[str] = []
    spy(monkeypatch, ready.Judge, "_findings", lambda _judge, story: findings.append(story.id))
    spy(monkeypatch, ready.Judge, "_gaps", lambda _judge, story, *_: gaps.append(story.id))
    assert groom("check").code == 0
    assert sorted(findings) == ["S-1", "S-2", "S-3", "S-4"]  # each once: by the command
    assert sorted(gaps) == ["S-1", "S-2", "S-3", "S-4"]  # the ready ones for their findings, the rest by the writer
    assert groom("list").code == 0
    assert len(findings) == len(gaps) == 4  # warm: nothing judged again


def test_a_file_changed_before_the_writer_takes_its_times_is_not_trusted(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold run's writer takes the files' times after the command has read them. A file
    edited in between (same size, its modification time put back) must not be taken for what
    was read: its change time moved past the moment of the read, so the next run compares bytes."""
    path = project.story("S-1", rank="a1")
    real = Workspace._judge_all

    def edit_in_between(ws: Workspace) -> None:
        real(ws)
        time.sleep(0.05)  # past the file system clock's tick (its times are coarser than time_ns)
        before = path.stat()
        path.write_text(path.read_text().replace("value: 5", "value: 7"))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    monkeypatch.setattr(Workspace, "_judge_all", edit_in_between)
    monkeypatch.setattr(cache_module, "SETTLE_NS", 0)  # no grace: only the moment of the read counts
    assert groom("check").code == 0
    assert groom("list", "--format", "json").json()[0]["value"] == 7


def test_on_by_default_off_in_ci_and_when_asked(
    project: Project, groom: CachedRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On for people; off in CI (a fresh checkout would only pay for it) unless asked for;
    --no-cache and [cache] enabled = false turn it off, --cache and enabled = true on."""
    project.story("S-1")
    folder = project.root / cache_module.FOLDER
    monkeypatch.setenv("CI", "true")
    assert groom.plain("check").code == 0
    assert not folder.exists()
    assert groom("--cache", "check").code == 0
    assert folder.is_dir()
    shutil.rmtree(folder)
    (project.root / "groom.toml").write_text("[cache]\nenabled = true\n")
    assert groom.plain("check").code == 0
    assert folder.is_dir()
    shutil.rmtree(folder)
    monkeypatch.delenv("CI")
    (project.root / "groom.toml").write_text("")
    assert groom("--no-cache", "check").code == 0
    assert not folder.exists()
    (project.root / "groom.toml").write_text("[cache]\nenabled = false\n")
    assert groom.plain("check").code == 0
    assert not folder.exists()
    (project.root / "groom.toml").unlink()
    assert groom.plain("check").code == 0
    assert folder.is_dir()
    (project.root / "groom.toml").write_text("[cache]\nenabled = 1\n")
    result = groom.plain("check")
    assert result.code == 2
    assert "cache.enabled must be true or false" in result.err


def test_groom_cache_clear_and_groom_cache_dir(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project.story("S-1")
    groom("check")
    folder = project.root / cache_module.FOLDER
    assert folder.is_dir()
    result = groom("cache", "clear")
    assert (result.code, result.out) == (0, f"removed 2 cache files from {cache_module.FOLDER}\n"), result
    assert not folder.exists()
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv(cache_module.ENVIRONMENT, str(elsewhere))
    groom("check")
    assert list(elsewhere.glob("backlog-*")) and not folder.exists()
    assert groom("cache", "clear").code == 0
    assert not elsewhere.exists()
    # A folder the team chose that holds its own files (the project itself): no .gitignore
    # planted there, and clearing takes groom's file only.
    (project.root / ".gitignore").write_text("*.pyc\n")
    monkeypatch.setenv(cache_module.ENVIRONMENT, str(project.root))
    groom("check")
    assert (project.root / ".gitignore").read_text() == "*.pyc\n"
    assert groom("cache", "clear").out == "removed 1 cache file from .\n"
    assert (project.root / ".gitignore").read_text() == "*.pyc\n" and (project.root / "backlog").is_dir()


def test_what_the_cache_key_stands_for() -> None:
    """groom's own files (the packaged schemas too) and every library that reads or judges: a
    change to any of them makes another key, so nothing judged by the old ones is believed."""
    stamp = cache_module._source_stamp()
    names = {part[0] for part in stamp if isinstance(part, tuple)}
    assert {"schemas/ready.schema.json", "schemas/story.schema.json", "cache.py", "yamlio.py"} <= names
    libraries = {"yaml", "jsonschema", "referencing", "msgspec", "jsonschema_rs", "regex", "rfc3339_validator"}
    assert libraries <= names


def _damage(project: Project, groom: Runner, change: object) -> None:
    """Warm the cache, damage its file, and demand the uncached answer (then a whole new file)."""
    for n in range(1, 4):
        project.story(f"S-{n}", rank=f"a{n}")
    project.story("S-4", status="ready", value=None)
    expected = groom("--no-cache", "check")
    assert groom("check").out == expected.out
    (cache_file,) = (project.root / cache_module.FOLDER).glob("backlog-*")
    assert callable(change)
    change(cache_file)
    again = groom("check")
    assert (again.code, again.out, again.err) == (expected.code, expected.out, expected.err)
    header = json.loads(cache_file.read_bytes().partition(b"\n")[0])
    assert header["format"] == cache_module.FORMAT  # rewritten whole


def _lie(cache_file: Path, edit: object) -> None:
    """Rewrite entries, with a checksum that matches: a cache that parses but says wrong things.
    An entry is [path, size, mtime_ns, ino, ctime_ns, settled, partial, [digest, kind, head,
    data, detail], verdicts] (groom/cache.py's _Entry, holding a records.Record)."""
    head, _, body = cache_file.read_bytes().partition(b"\n")
    entries = msgspec.msgpack.decode(body)
    assert callable(edit)
    for entry in entries:
        edit(entry)
    new_body = msgspec.msgpack.encode(entries)
    header = json.loads(head)
    header["crc"] = zlib.crc32(new_body)
    cache_file.write_bytes(json.dumps(header).encode() + b"\n" + new_body)


def _verdicts(entry: list[Any], change: Callable[[dict[str, Any]], object]) -> None:
    change(entry[8])


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f: f.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2]), id="truncated"),
        pytest.param(lambda f: f.write_bytes(f.read_bytes().replace(b"S-4", b"S-5")), id="corrupt"),
        pytest.param(lambda f: f.write_bytes(b"\x80garbage\n\x00"), id="not-ours"),
        pytest.param(lambda f: f.write_bytes(f.read_bytes().replace(b'"format": 1', b'"format": 99')), id="format"),
        pytest.param(lambda f: f.write_bytes(f.read_bytes().replace(b'"key": "', b'"key": "0')), id="other-key"),
        pytest.param(lambda f: _lie(f, lambda e: e[7].__setitem__(2, "not a front matter")), id="wrong-types"),
        pytest.param(lambda f: _lie(f, lambda e: e[7].__setitem__(3, b"\x93not a mapping")), id="wrong-data"),
        pytest.param(lambda f: _lie(f, lambda e: e[7].__setitem__(4, b"\x93not text")), id="wrong-detail"),
        pytest.param(
            lambda f: _lie(f, lambda e: _verdicts(e, lambda v: v.update(findings=[[], [[1, 1, 2, 3]]]))),
            id="bad-verdict",
        ),
        pytest.param(lambda f: _lie(f, lambda e: e[7].__setitem__(1, "z")), id="unknown-kind"),
        pytest.param(lambda f: _lie(f, lambda e: e[7].__setitem__(0, b"short")), id="short-digest"),
    ],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(project: Project, groom: Runner, change: object) -> None:
    _damage(project, groom, change)


def test_a_cache_written_by_someone_else_or_a_link_is_not_trusted(project: Project, groom: Runner) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("changing a file's owner needs root; run the tests as root (as CI's container does)")

    def foreign(cache_file: Path) -> None:
        # A cache that says S-4 is ready, planted by another user: it must not be believed.
        _lie(cache_file, lambda e: _verdicts(e, lambda v: v.clear()) if e[0] == "S-4.md" else None)
        os.chown(cache_file, 4242, 4242)

    _damage(project, groom, foreign)
    (cache_file,) = (project.root / cache_module.FOLDER).glob("backlog-*")
    assert cache_file.stat().st_uid == os.geteuid()  # replaced by this user's own


def test_a_file_changed_as_it_was_read_is_compared_by_its_bytes(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A coarse clock can leave a file's times unchanged by an edit right after it was read;
    the entry of a file that changed that recently is trusted only when the bytes still match.
    Here every file keeps the same size and times whatever happens (a stat that never moves)."""
    path = project.story("S-1", rank="a1")
    frozen = cache_module._stat(str(path))
    assert frozen is not None
    monkeypatch.setattr(cache_module, "_stat", lambda _: frozen)
    assert groom("check").code == 0
    path.write_text(path.read_text().replace("value: 5", "value: 7"))
    result = groom("list", "--format", "json")
    assert result.json()[0]["value"] == 7, "an entry read within the settle time was trusted blindly"
    # Once settled, the times alone vouch for it: the same trick now goes unseen. (This is what
    # the settle time protects against, and why it is there.)
    monkeypatch.setattr(cache_module, "SETTLE_NS", -(10**18))
    assert groom("check").code == 0
    path.write_text(path.read_text().replace("value: 7", "value: 9"))
    groom("check")
    assert groom("list", "--format", "json").json()[0]["value"] == 7
