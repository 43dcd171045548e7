"""Shared helpers: a throw-away backlog in tmp_path and a way to run the real entry point."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from groom import cli, yamlio
from groom.cache import FOREGROUND

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"
REALDATA = REPO.parent / "shared" / "realdata" / "backlog-md"


@pytest.fixture(autouse=True)
def _cache_written_in_the_foreground(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run groom inside pytest's process, which must not fork a cache writer that
    outlives the test: the cache is written before each command returns (the detached writer
    has its own test, tests/acceptance/test_cache.py, in a process of its own)."""
    monkeypatch.setenv(FOREGROUND, "1")
    monkeypatch.delenv("CI", raising=False)  # groom's default (the cache on), wherever the tests run


READY_BODY = """As a cook I want a thing so that I get value.

## Acceptance criteria
- [ ] Given a thing, when I do it, then it works
"""


def story_text(
    story_id: str = "S-1",
    status: str = "ready",
    body: str = READY_BODY,
    **fields: Any,
) -> str:
    """A story file; fields default to a story that meets the default DoR."""
    front: dict[str, Any] = {"id": story_id, "title": f"Story {story_id}", "status": status}
    if status in ("ready", "planned", "in-progress", "done"):
        front.update({"estimate": 3, "value": 5})
    front.update(fields)
    lines = []
    for key, value in front.items():
        if value is None:
            continue
        rendered = json.dumps(value) if not isinstance(value, str) or key == "rank" else yamlio.render_scalar(value)
        lines.append(f"{key}: {rendered}")
    return "---\n" + "\n".join(lines) + "\n---\n" + body


@dataclass
class Project:
    """A folder with a backlog/ inside, the working folder of the test."""

    root: Path

    @property
    def backlog(self) -> Path:
        return self.root / "backlog"

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.backlog / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    def story(self, story_id: str = "S-1", name: str | None = None, **fields: Any) -> Path:
        return self.write(name or f"{story_id}.md", story_text(story_id, **fields))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    (tmp_path / "backlog").mkdir()
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __str__(self) -> str:  # shown when an assert fails
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"

    def json(self) -> Any:
        return json.loads(self.out)


Runner = Callable[..., Result]


@pytest.fixture
def groom(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Run the real entry point (error handling included) and capture what it prints."""

    def invoke(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["groom", *args])
        capsys.readouterr()
        try:
            cli.run()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, seen: Callable[..., object]) -> None:
    """Replace ``owner.name`` for the test with the same function that first calls ``seen`` with
    its arguments (how a test tells what a run parsed, judged or built)."""
    real = getattr(owner, name)

    def spied(*args: Any, **kwargs: Any) -> Any:
        seen(*args, **kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spied)
