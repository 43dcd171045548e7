"""The house plan, read from the imports: one reader, one writer, planning without the disk."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from groom import storyfile
from tests.stories import no_disk

PACKAGE = Path(__file__).resolve().parents[2] / "groom"
PLANNING = ("model", "estimate", "reorder", "split", "sprint", "refine", "ids", "rank", "facts", "ready")
EDGE = {
    "groom.workspace",
    "groom.backlog",
    "groom.edits",
    "groom.git",
    "groom.storyfile",
    "subprocess",
    "groom.commands",
}
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
    reached = {
        module
        for module in imports(PACKAGE / f"{name}.py")
        if module.split(".")[0:2] and any(module == edge or module.startswith(edge + ".") for edge in EDGE)
    }
    assert reached == set(), f"groom/{name}.py imports {sorted(reached)}"


def test_only_yamlio_parses_yaml() -> None:
    for path in modules():
        if path.name == "yamlio.py":
            continue
        parsers = {m for m in imports(path) if m.split(".")[0] in ("yaml", "ruamel", "frontmatter")}
        assert parsers == set(), f"{path.name} imports {sorted(parsers)}"


def test_only_edits_writes_files() -> None:
    for path in modules():
        if path.name == "edits.py":
            continue
        text = path.read_text()
        for needle in ("save_all(", "os.replace(", "os.link(", ".write_bytes(", ".write_text(", "mkstemp("):
            assert needle not in text, f"{path.relative_to(PACKAGE.parent)} writes files itself ({needle})"


def test_the_no_disk_guard_fails_a_test_that_reads_a_file(no_disk: None) -> None:
    with pytest.raises(AssertionError, match="touched the disk"):
        storyfile.read_regular(__file__)
    with pytest.raises(AssertionError, match="touched the disk"):
        Path(__file__).read_text()
