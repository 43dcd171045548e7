"""The house plan, read from the imports: one reader, one writer, planning without the disk."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from groom import storyfile
from tests.stories import no_disk

PACKAGE = Path(__file__).resolve().parents[2] / "groom"
PLANNING = (
    "model",
    "estimate",
    "reorder",
    "split",
    "sprint",
    "sprintloop",
    "setting",
    "refine",
    "ids",
    "rank",
    "facts",
    "ready",
    "reportmodel",
    "changes",
)
EDGE = {
    *("groom.workspace", "groom.backlog", "groom.edits", "groom.git", "groom.storyfile", "groom.commands"),
    *("subprocess", "shutil", "tempfile", "pathlib", "fcntl"),
}
"""What a planning module may not import: the modules that read, write or run things. (os
stays allowed for os.path's string functions; the source check below catches os.stat & co.)"""
__all__ = ["no_disk"]


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("name", PLANNING)
def test_planning_modules_do_not_reach_files_git_or_the_workspace(name: str) -> None:
    found = imports(PACKAGE / f"{name}.py")
    reached = {m for m in found if any(m == edge or m.startswith(edge + ".") for edge in EDGE)}
    assert reached == set(), f"groom/{name}.py imports {sorted(reached)}"


def test_only_yamlio_parses_yaml() -> None:
    for path in modules():
        if path.name == "yamlio.py":
            continue
        parsers = {m for m in imports(path) if m.split(".")[0] in ("yaml", "ruamel", "frontmatter")}
        assert parsers == set(), f"{path.name} imports {sorted(parsers)}"


# What touching the disk or running a program looks like in source (``is_open`` is a method).
_READS = re.compile(
    r"(?<![\w.])open\(|read_text|read_bytes|os\.(?:stat|lstat|scandir|walk|listdir)|subprocess|\.load\("
)
_WRITES = re.compile(
    r"save_all\(|os\.(?:replace|link|rename|unlink|remove|makedirs|mkdir)\(|\.(?:write_bytes|write_text|unlink|mkdir|"
    r"rename|replace)\(|mkstemp\(|open\([^)]*[\"'][wax]"
)


@pytest.mark.parametrize("name", PLANNING)
def test_planning_modules_read_no_file_and_run_nothing(name: str) -> None:
    found = _READS.findall((PACKAGE / f"{name}.py").read_text())
    assert found == [], f"groom/{name}.py reads files or runs programs: {found}"


def test_only_edits_writes_files() -> None:
    for path in modules():
        if path.name == "edits.py":
            continue
        found = [m for m in _WRITES.findall(path.read_text()) if not m.startswith(".replace(")]
        assert found == [], f"{path.relative_to(PACKAGE.parent)} writes files itself: {found}"


def test_the_no_disk_guard_fails_a_test_that_reads_a_file(no_disk: None) -> None:
    with pytest.raises(AssertionError, match="touched the disk"):
        storyfile.read_regular(__file__)
    with pytest.raises(AssertionError, match="touched the disk"):
        Path(__file__).read_text()
