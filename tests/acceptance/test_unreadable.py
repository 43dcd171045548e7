"""Nothing vanishes: with one story's YAML broken (S-16 of the example backlog), every command
prints what it can, names the file it cannot read, and never writes around it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, Runner

BROKEN = "backlog/S-16-check-off-shopping-items.md"
WHERE = f"{BROKEN}:9:9: cannot be read: "


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("backlog", "schemas"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "groom.toml", tmp_path / "groom.toml")
    story = tmp_path / BROKEN
    story.write_text(story.read_text().replace("labels: [shopping, mobile]", "labels: [shopping, mobile"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "backlog").rglob("*"))}


def _names_the_file_once(err: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(WHERE), err


def test_check_reports_it(example: Path, groom: Runner) -> None:
    result = groom("check")
    assert result.code == 1, result
    assert f"{BROKEN}:9:9: error [yaml]" in result.out, result


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--format", "json"),
        ("show", "S-22"),
        ("estimate", "--missing"),
        ("reprioritize", "--by", "wsjf", "--dry-run"),
        ("sprint-candidates",),
        ("refine",),
        ("actions",),
        ("stale", "--days", "0"),
    ],
    ids=" ".join,
)
def test_read_commands_print_what_they_can_and_name_the_file(
    example: Path, groom: Runner, args: tuple[str, ...]
) -> None:
    result = groom(*args)
    assert result.code == 1, result
    assert result.out, result
    _names_the_file_once(result.err)


def test_list_json_stays_a_plain_list(example: Path, groom: Runner) -> None:
    rows = groom("list", "--format", "json").json()
    assert isinstance(rows, list)
    assert len(rows) == 32
    assert "S-16" not in {row["id"] for row in rows}


@pytest.mark.parametrize("output", ["table", "markdown", "json", "csv"])
def test_sprint_candidates_says_what_it_left_out_in_every_format(example: Path, groom: Runner, output: str) -> None:
    result = groom("sprint-candidates", "--format", output)
    assert result.code == 1, result
    if output == "json":
        assert result.json()["unreadable"] == [
            {"path": BROKEN, "line": 9, "column": 9, "message": result.json()["unreadable"][0]["message"]}
        ]
    elif output == "csv":
        assert f",{BROKEN},,unreadable,,,line 9, col 9: " in result.out.replace('"', ""), result
    else:
        assert f"1 story file could not be read and is not in this plan: {BROKEN}" in result.out, result


def test_a_dependency_on_it_is_not_called_missing(example: Path, groom: Runner) -> None:
    document = groom("sprint-candidates", "--format", "json").json()
    reasons = {e["id"]: e["reasons"] for e in document["excluded"]}
    assert f"blocked by S-16 (its file {BROKEN} cannot be read)" in reasons["S-17"]
    check = groom("check").out
    assert f"depends_on names S-16, whose file {BROKEN} cannot be read; fix that file" in check


def test_refine_json_carries_the_unreadable(example: Path, groom: Runner) -> None:
    document = groom("refine", "--format", "json").json()
    assert [u["path"] for u in document["unreadable"]] == [BROKEN]


@pytest.mark.parametrize(
    "args",
    [
        ("show", "S-16"),
        ("estimate", "S-16", "5"),
        ("estimate", "S-16", "--votes", "5,5"),
        ("reprioritize", "S-16", "--top"),
        ("reprioritize", "S-22", "--before", "S-16"),
        ("split", "S-16", "--into", "a", "--into", "b"),
        ("renumber", "S-16"),
    ],
    ids=" ".join,
)
def test_naming_the_broken_story_says_where_it_is_and_why(example: Path, groom: Runner, args: tuple[str, ...]) -> None:
    before = _files(example)
    result = groom(*args)
    assert result.code == 1, result
    assert result.err.startswith(f"groom: error: S-16 is in {BROKEN}, which cannot be read: line 9, col 9: "), result
    assert result.err.rstrip().endswith("fix it, then run groom check"), result
    assert "no story with id" not in result.err
    assert _files(example) == before


@pytest.mark.parametrize(
    "args",
    [
        ("reprioritize", "S-22", "--top"),
        ("reprioritize", "--by", "wsjf"),
        ("reprioritize", "--rebalance"),
        ("split", "S-26", "--into", "a", "--into", "b"),
        ("split", "S-18", "--spike", "Find out"),
        ("new", "A story"),
        ("renumber", "S-22"),
    ],
    ids=" ".join,
)
def test_writes_that_depend_on_the_order_refuse(example: Path, groom: Runner, args: tuple[str, ...]) -> None:
    before = _files(example)
    result = groom(*args)
    assert result.code == 1, result
    assert f" while {BROKEN} cannot be read (line 9, col 9: " in result.err, result
    assert _files(example) == before


def test_an_estimate_of_another_story_is_written(example: Path, groom: Runner) -> None:
    result = groom("estimate", "S-24", "5")
    assert result.code == 0, result
    assert "estimate: 5" in (example / "backlog/S-24-household-roles-and-permissions.md").read_text()


def test_a_dependency_that_cannot_be_read_is_named(example: Path, groom: Runner) -> None:
    # S-17 is ready and depends on S-16: judging its DoR needs S-16.
    result = groom("estimate", "S-17", "8")
    assert result.code == 1, result
    assert result.err.startswith(f"groom: error: S-16 is in {BROKEN}, which cannot be read"), result


def test_show_and_check_say_a_dependency_or_parent_cannot_be_read(example: Path, groom: Runner) -> None:
    shown = groom("show", "S-17")
    assert "S-16 (its file cannot be read)" in shown.out, shown
    assert groom("show", "S-17", "--format", "json").json()["dependencies"] == [
        {"id": "S-16", "status": None, "readable": False}
    ]
    child = example / "backlog" / "S-40-child.md"
    child.write_text("---\nid: S-40\ntitle: Child\nstatus: draft\nparent: S-16\n---\n")
    check = groom("check").out
    assert f"parent S-16 is in {BROKEN}, which cannot be read; fix that file" in check, check


def test_a_broken_file_not_named_for_its_id_is_still_found_by_its_id_line(example: Path, groom: Runner) -> None:
    (example / BROKEN).rename(example / "backlog" / "check-off.md")
    result = groom("show", "S-16")
    assert result.code == 1, result
    assert result.err.startswith("groom: error: S-16 is in backlog/check-off.md, which cannot be read: line 9"), result
    assert "depends_on names S-16, whose file backlog/check-off.md cannot be read" in groom("check").out
