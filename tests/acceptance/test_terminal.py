"""At a terminal groom wraps and colours; piped, or with NO_COLOR, it does neither."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import Project

ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _at_terminal(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """What a person sees: the command's output through a pseudo-terminal 80 columns wide."""
    main, secondary = pty.openpty()
    settings = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    settings.update({"COLUMNS": "80", "LINES": "40", **(env or {})})
    process = subprocess.Popen(
        [sys.executable, "-m", "groom", *args], cwd=root, stdout=secondary, stderr=secondary, env=settings
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def _backlog(project: Project) -> None:
    long_question = "@jonas: do we need offline sync for this, or is online-only fine for a first version of it?"
    body = (
        "As a cook I want a thing so that I get value.\n\n## Acceptance criteria\n- [ ] It works\n\n"
        f"## Questions\n- [ ] {long_question}\n"
    )
    project.story("S-1", status="ready", rank="a0", body=body)
    project.story(
        "S-2", status="draft", rank="a1", title="A title long enough to be shortened in a table of eighty columns"
    )


def test_at_80_columns_no_line_is_longer_and_no_word_is_broken(project: Project) -> None:
    _backlog(project)
    for args in (
        ("check",),
        ("list",),
        ("refine",),
        ("actions",),
        ("sprint-candidates", "--capacity", "5"),
        ("stale",),
    ):
        seen = ESCAPE.sub("", _at_terminal(project.root, *args))
        assert all(len(line) <= 80 for line in seen.splitlines()), (args, seen)
        assert "offline sync for this" in " ".join(seen.split()) or args[0] in ("list", "sprint-candidates", "stale"), (
            seen
        )
    check = _at_terminal(project.root, "check")
    assert "\x1b[31merror\x1b[0m" in check, check


def test_no_colour_with_no_color_or_when_piped(project: Project) -> None:
    _backlog(project)
    assert not ESCAPE.search(_at_terminal(project.root, "check", env={"NO_COLOR": "1"}))
    piped = subprocess.run(
        [sys.executable, "-m", "groom", "check"], cwd=project.root, capture_output=True, text=True, check=False
    )
    assert not ESCAPE.search(piped.stdout + piped.stderr)
    assert any(len(line) > 80 for line in piped.stdout.splitlines())  # piped: never wrapped, parsers read it


def test_sprint_table_shortens_titles_never_ids(project: Project) -> None:
    project.story("S-1", rank="a0", estimate=3, title="A very long title " * 8)
    seen = ESCAPE.sub("", _at_terminal(project.root, "sprint-candidates", "--capacity", "5"))
    rows = [line for line in seen.splitlines() if "S-1" in line and "│" in line]
    assert len(rows) == 1 and "…" in rows[0] and rows[0].rstrip().endswith("│"), seen
