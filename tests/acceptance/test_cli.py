"""list, show, --version, --help and the README agreeing with the commands."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from groom import __version__, cli
from tests.conftest import REPO, Project, Result, Runner, story_text


def test_list_in_backlog_order(project: Project, groom: Runner) -> None:
    project.story("S-10", rank="a1")
    project.story("S-2", rank="a1")
    project.story("S-3", rank="a0", status="draft")
    project.story("S-1", status="refining")
    result = groom("list", "--format", "json")
    assert result.code == 0, result
    rows = result.json()
    assert [row["id"] for row in rows] == ["S-3", "S-2", "S-10", "S-1"]
    assert rows[1] == {
        "id": "S-2",
        "title": "Story S-2",
        "status": "ready",
        "estimate": 3,
        "value": 5,
        "rank": "a1",
        "ready": True,
    }
    assert rows[0]["ready"] is False


def test_list_table_and_status_filter(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0")
    project.story("S-2", status="draft", rank="a1")
    result = groom("list", "--status", "ready")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].split() == ["id", "title", "status", "estimate", "value", "rank", "ready"]
    assert lines[2].split() == ["S-1", "Story", "S-1", "ready", "3", "5", "a0", "yes"]
    assert lines[3:] == ["open work: 3 points in 1 story"]


def test_list_does_not_count_a_split_story_twice(project: Project, groom: Runner) -> None:
    project.story("S-1", status="split", estimate=13, rank="a0")
    project.story("S-2", status="refining", estimate=8, parent="S-1", rank="a1")
    project.story("S-3", status="draft", parent="S-1", rank="a2")
    project.story("S-4", status="done", estimate=5, rank="a3")
    last = groom("list").out.splitlines()[-1]
    assert (
        last
        == "open work: 8 points in 2 stories (1 not estimated); 13 points of split or dropped stories are not counted"
    )


def test_list_unknown_status_is_a_usage_error(project: Project, groom: Runner) -> None:
    project.story("S-1")
    result = groom("list", "--status", "doing")
    assert result.code == 2
    assert result.err.startswith("groom: error: unknown status 'doing'; use one of: draft, refining")


def test_show_text_and_json(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0")
    project.story("S-2", status="refining", rank="a1", depends_on=["S-1", "S-9"], estimate="?")
    result = groom("show", "S-2")
    assert result.code == 0, result
    assert "S-2  Story S-2" in result.out
    assert "depends on: S-1 (ready), S-9 (unknown)" in result.out
    assert "ready: no" in result.out
    assert "[estimated] estimate the story on the team's scale" in result.out
    document = groom("show", "S-2", "--format", "json").json()
    assert document["ready"] is False
    assert document["dependencies"] == [
        {"id": "S-1", "status": "ready", "readable": True},
        {"id": "S-9", "status": None, "readable": True},
    ]
    assert {gap["rule"] for gap in document["gaps"]} >= {"estimated", "dependencies-in-order"}


def test_show_unknown_id(project: Project, groom: Runner) -> None:
    project.story("S-1")
    result = groom("show", "S-5")
    assert result.code == 2
    assert "no story with id 'S-5'" in result.err
    assert "did you mean S-1?" in groom("show", "s-1").err


def test_version(groom: Runner) -> None:
    result = groom("--version")
    assert result.code == 0
    assert result.out == f"groom {__version__}\n"


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(cli.app)
    assert isinstance(group, typer.core.TyperGroup)
    return sorted(group.commands)


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help_and_is_in_the_readme(groom: Runner, name: str) -> None:
    result = groom(name, "--help")
    assert result.code == 0, result
    assert re.search(r"^  \S", result.out, re.M), result  # a description paragraph
    assert f"`groom {name}" in (REPO / "README.md").read_text()


def test_usage_error_exits_2(groom: Runner) -> None:
    result = groom("check", "--format", "xml")
    assert result.code == 2
    assert "xml" in result.err


def test_python_dash_m_groom_help() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "groom", "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    assert "check" in completed.stdout and "list" in completed.stdout


def test_an_unexpected_exception_is_one_line_and_exit_3(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groom.commands import read

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    project.story("S-1")
    monkeypatch.setattr(read, "list_stories", broken)
    result = groom("list")
    assert result.code == 3, result
    assert result.err == (
        "groom: internal error: RuntimeError: boom; this is a bug in groom, please report it with the command you ran\n"
    )


def test_an_interrupt_is_one_line_and_exit_130(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groom.commands import read

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    project.story("S-1")
    monkeypatch.setattr(read, "list_stories", interrupted)
    assert groom("list") == Result(130, "", "groom: interrupted\n")


def test_the_collector_is_off_for_a_run_and_back_on_after_it(
    project: Project, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run does without the cyclic garbage collector (it would rescan the backlog over and
    over); whoever called groom in-process gets it back, whether the command worked or failed."""
    import gc

    from groom.commands import read

    seen: list[bool] = []
    real = read.list_stories

    def listing(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    project.story("S-1")
    monkeypatch.setattr(read, "list_stories", listing)
    assert groom("list").code == 0 and gc.isenabled()
    assert groom("list", "--status", "nope").code == 2 and gc.isenabled()
    assert seen == [False, False]


def test_a_role_naming_an_unknown_status_stops_check_with_exit_2(project: Project, groom: Runner) -> None:
    project.story("S-1")
    (project.root / "groom.toml").write_text('[status]\nnew = "Idea"\n')
    result = groom("check")
    assert result.code == 2, result
    assert "status.new names 'Idea', which is not in status.all" in result.err


def test_a_duplicate_id_is_refused_where_one_story_is_meant(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0")
    project.story("S-1", name="S-1-copy.md", rank="a1")
    project.story("S-2", rank="a2")
    for args in (("show", "S-1"), ("estimate", "S-1", "5"), ("split", "S-1", "--suggest")):
        result = groom(*args)
        assert result.code == 2, result
        assert "id S-1 is used by 2 files (backlog/S-1.md, backlog/S-1-copy.md); give one" in result.err, result
    moved = groom("reprioritize", "S-2", "--after", "S-1", "--dry-run")
    assert moved.code == 2, moved
    assert "id S-1 is used by 2 files" in moved.err


def test_a_bare_number_gets_a_did_you_mean(project: Project, groom: Runner) -> None:
    project.story("S-23")
    assert "did you mean S-23?" in groom("show", "23").err


def test_control_characters_from_a_story_never_reach_the_terminal(project: Project, groom: Runner) -> None:
    project.write("S-1.md", '---\nid: S-1\ntitle: "red \\e[31mALERT\\a \\x9b2J"\nstatus: draft\n---\n')
    for args in (("list",), ("show", "S-1"), ("list", "--format", "json"), ("estimate", "--missing")):
        result = groom(*args)
        assert result.code == 0, result
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.out + result.err), result
        assert "\\u001b[31mALERT" in result.out, result
    rows = groom("list", "--format", "json").json()
    assert rows[0]["title"] == "red \x1b[31mALERT\x07 \x9b2J"  # JSON keeps the value itself


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("list", "--bogus"), "No such option: --bogus"),
        (("sprint-candidates", "--capacity", "ten"), "'ten' is not a valid float"),
        (("estimate",), "give an ID and POINTS"),
    ],
)
def test_usage_errors_are_one_line(project: Project, groom: Runner, args: tuple[str, ...], words: str) -> None:
    project.story("S-1")
    result = groom(*args)
    assert result.code == 2, result
    assert len(result.err.splitlines()) == 1, result
    assert words in result.err, result


def test_options_before_the_command_work(project: Project, groom: Runner) -> None:
    project.story("S-1", name="S-1.md")
    other = project.root / "elsewhere"
    other.mkdir()
    (other / "S-7.md").write_text(story_text("S-7"))
    result = groom("--backlog", str(other), "list", "--format", "json")
    assert result.code == 0, result
    assert [row["id"] for row in result.json()] == ["S-7"]


def test_status_filters_repeat_and_ignore_case(project: Project, groom: Runner) -> None:
    project.story("S-1", status="ready", rank="a0")
    project.story("S-2", status="draft", rank="a1")
    project.story("S-3", status="done", rank="a2", sprint="1")
    rows = groom("list", "--status", "Ready", "--status", "done", "--format", "json").json()
    assert [row["id"] for row in rows] == ["S-1", "S-3"]


def test_a_status_in_the_wrong_case_gets_a_did_you_mean(project: Project, groom: Runner) -> None:
    project.write("S-1.md", "---\nid: S-1\ntitle: x\nstatus: Ready\n---\n")
    assert 'status is "Ready"; did you mean "ready"?' in groom("check").out


def test_a_wrong_id_says_what_ids_look_like_and_not_to_rename_the_file(project: Project, groom: Runner) -> None:
    project.write("S-1.md", "---\nid: story-1\ntitle: x\nstatus: draft\n---\n")
    out = groom("check").out
    assert 'id "story-1" is not an id of this backlog; ids look like S-12 (or S-12.1)' in out, out
    assert "id-filename" not in out


def test_paths_that_are_not_stories_are_named(project: Project, groom: Runner) -> None:
    project.story("S-1")
    (project.root / "README.md").write_text("# hi\n")
    assert groom("check", "README.md").out.endswith("not stories of this backlog, not checked: README.md\n")


def test_the_install_lines_name_our_distribution() -> None:
    import tomllib

    name = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"]
    assert name == "groom-backlog"
    from groom.init import CI_STEP

    for text in ((REPO / "README.md").read_text(), CI_STEP):
        # The commands: a CI step's run line, or a shell line; prose may name the wrong package.
        lines = [line for line in text.splitlines() if "run: pip install" in line or line.startswith("pip install")]
        assert lines, text[:200]
        for line in lines:
            assert f'pip install "{name} @ git+' in line or "pip install ." in line, line
            assert "pip install groom " not in line and not line.rstrip().endswith("pip install groom")
