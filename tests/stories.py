"""Stories built in memory for the planning modules' unit tests: no file is read or written."""

from __future__ import annotations

import builtins
import io
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from groom import facts
from groom.config import Config
from groom.model import Backlog, Placement, Story

READY_BODY = """As a cook I want a thing so that I get value.

## Acceptance criteria
- [ ] Given a thing, when I do it, then it works
"""

CONFIG = Config(root=Path("/nowhere"), source=None, backlog=Path("/nowhere/backlog"))


def story(story_id: str, status: str = "ready", body: str = READY_BODY, **fields: Any) -> Story:
    """A story as if read from ``/nowhere/backlog/<id>.md``; a ready story gets an estimate and a
    value unless they are given (None leaves a key out)."""
    data: dict[str, Any] = {"id": story_id, "title": f"Story {story_id}", "status": status}
    if status in ("ready", "planned", "in-progress", "done"):
        data.update({"estimate": 3, "value": 5})
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    path = f"/nowhere/backlog/{story_id}.md"
    return Story(path, f"backlog/{story_id}.md", data, "", facts.derive(body, 10, data), 1)


def placement(item: Story) -> Placement:
    return Placement(item.path, item.display, item.data, item.digest)


def backlog(*stories: Story, config: Config = CONFIG) -> Backlog:
    return Backlog(config, tuple(sorted(stories, key=lambda s: s.order_key)))


def order(*stories: Story) -> list[Placement]:
    return [placement(s) for s in sorted(stories, key=lambda s: s.order_key)]


@pytest.fixture
def no_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails a test whose code under test opens, reads or lists a file, writes one, or runs a
    program or git. (Stat calls are not patched: pytest itself needs them between steps.)"""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a planning function touched the disk or ran a program: {args!r}")

    from groom import edits, git, storyfile

    for module, name in (
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (os, "scandir"),
        (os, "listdir"),
        (subprocess, "run"),
        (subprocess, "Popen"),
        (storyfile, "read_regular"),
        (storyfile, "read_bytes"),
        (git, "output"),
        (edits, "save_all"),
    ):
        monkeypatch.setattr(module, name, refuse)
