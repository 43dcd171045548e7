"""groom set: everyday edits, typed like YAML, guarded like every write."""

from __future__ import annotations

import pytest

from tests.conftest import Project, Runner


@pytest.fixture
def story(project: Project) -> Project:
    project.write(
        "S-1.md",
        "---\nid: S-1\ntitle: Plan the week\nstatus: refining   # in refinement\nvalue: 3\nlabels: [web]\n---\n"
        "As a cook I want a plan so that I shop once.\n\n## Acceptance criteria\n- [ ] It works\n",
    )
    return project


def test_set_changes_one_line_per_key(story: Project, groom: Runner) -> None:
    result = groom("set", "S-1", "value=8", "labels+=mobile", "owner=ana")
    assert result.code == 0, result
    assert (
        (story.backlog / "S-1.md")
        .read_text()
        .startswith(
            "---\nid: S-1\ntitle: Plan the week\nstatus: refining   # in refinement\nvalue: 8\nlabels: [web, mobile]\n"
            "owner: ana\n---\n"
        )
    )
    assert result.out.splitlines() == [
        "S-1: value 3 → 8",
        "S-1: labels [web] → [web, mobile]",
        "S-1: owner (none) → ana",
        "1 file written",
    ]
    assert groom("set", "S-1", "labels-=web").code == 0
    assert "labels: [mobile]" in (story.backlog / "S-1.md").read_text()


def test_text_keys_stay_text(story: Project, groom: Runner) -> None:
    assert groom("set", "S-1", "title=2026").code == 0
    assert groom("show", "S-1", "--format", "json").json()["front_matter"]["title"] == "2026"


def test_setting_ready_runs_the_dor_first(story: Project, groom: Runner) -> None:
    before = (story.backlog / "S-1.md").read_bytes()
    result = groom("set", "S-1", "status=ready")
    assert result.code == 1, result
    assert "S-1 would be ready without meeting the Definition of Ready: [estimated]" in result.err
    assert (story.backlog / "S-1.md").read_bytes() == before
    assert groom("set", "S-1", "status=ready", "estimate=3").code == 0
    assert groom("check").code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("set", "S-1", "value"), "'value' is not KEY=VALUE"),
        (("set", "S-1", "value=1", "value=2"), "value is given twice"),
        (("set", "S-1", "title+=x"), "title is not a list"),
        (("set", "S-1", "labels-=nope"), "labels has no 'nope'"),
        (("set", "S-1", "derived=1"), "'derived' is reserved"),
    ],
)
def test_bad_assignments_are_refused(story: Project, groom: Runner, args: tuple[str, ...], words: str) -> None:
    before = (story.backlog / "S-1.md").read_bytes()
    result = groom(*args)
    assert result.code == 2, result
    assert words in result.err, result
    assert (story.backlog / "S-1.md").read_bytes() == before


@pytest.fixture
def varied(project: Project) -> Project:
    project.story("S-1", rank="a0", labels=["mobile", "web"], epic="shopping", owner="Ana")
    project.story("S-2", status="draft", rank="a1", labels=["web"], epic="planning", title="Export the plan as PDF")
    project.story("S-3", status="refining", rank="a2", labels=["Mobile"], epic="Shopping", owner="@bo")
    return project


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (("--label", "mobile"), ["S-1", "S-3"]),
        (("--label", "web", "--label", "nope"), ["S-1", "S-2"]),
        (("--epic", "shopping"), ["S-1", "S-3"]),
        (("--owner", "@ana"), ["S-1"]),
        (("--owner", "bo"), ["S-3"]),
        (("--ready",), ["S-1"]),
        (("--not-ready",), ["S-2", "S-3"]),
        (("--grep", "pdf"), ["S-2"]),
        (("--label", "mobile", "--not-ready"), ["S-3"]),
    ],
)
def test_list_filters(varied: Project, groom: Runner, args: tuple[str, ...], ids: list[str]) -> None:
    result = groom("list", *args, "--format", "json")
    assert result.code == 0, result
    assert [row["id"] for row in result.json()] == ids


def test_list_as_csv(varied: Project, groom: Runner) -> None:
    lines = groom("list", "--format", "csv").out.splitlines()
    assert lines[0] == "id,title,status,estimate,value,rank,ready"
    assert lines[1] == "S-1,Story S-1,ready,3,5,a0,yes"


def test_show_prints_the_story_text(varied: Project, groom: Runner) -> None:
    out = groom("show", "S-1").out
    assert out.rstrip().endswith("## Acceptance criteria\n- [ ] Given a thing, when I do it, then it works")
    assert groom("show", "S-1", "--format", "json").json()["body"].startswith("As a cook I want a thing")


def test_a_new_dependency_is_judged_where_it_is(project: Project, groom: Runner) -> None:
    """A ready story may depend on a done one: set judges the new reference against the backlog,
    not against the story's old neighbourhood (which did not hold it yet)."""
    project.story("S-1", rank="a1")
    project.story("S-2", status="done", rank="a2")
    result = groom("set", "S-1", "depends_on+=S-2")
    assert result.code == 0, result
    assert "depends_on: [S-2]" in (project.backlog / "S-1.md").read_text()
    assert groom("set", "S-1", "depends_on+=S-3").code == 1  # not in the backlog: the DoR refuses
