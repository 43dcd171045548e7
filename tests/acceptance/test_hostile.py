"""Hostile or broken configuration and schemas: refused quickly, with one line and exit 2."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, Project, Runner


@pytest.fixture
def schemas(project: Project) -> Path:
    folder = project.root / "schemas"
    folder.mkdir()
    for name in ("story.schema.json", "ready.schema.json"):
        (folder / name).write_text((REPO / "schemas" / name).read_text())
    (project.root / "groom.toml").write_text(
        '[schemas]\nstory = "schemas/story.schema.json"\nready = "schemas/ready.schema.json"\n'
    )
    project.story("S-1", status="draft")
    return folder


def _edit_story_schema(folder: Path, change: dict[str, object]) -> None:
    path = folder / "story.schema.json"
    document = json.loads(path.read_text())
    for key, value in change.items():
        if key.startswith("properties."):
            document["properties"][key.removeprefix("properties.")] = value
        else:
            document[key] = value
    path.write_text(json.dumps(document))


def _refused(groom: Runner, *args: str, words: str) -> None:
    start = time.perf_counter()
    result = groom(*args)
    assert time.perf_counter() - start < 3, result
    assert result.code == 2, result
    assert len(result.err.splitlines()) == 1, result
    assert words in result.err, result


def test_a_fifo_among_the_schemas(schemas: Path, groom: Runner) -> None:
    os.mkfifo(schemas / "pipe.json")
    _refused(groom, "check", words="pipe.json: cannot read this schema: it is not a regular file")


def test_a_device_as_the_schema(schemas: Path, project: Project, groom: Runner) -> None:
    (project.root / "groom.toml").write_text('[schemas]\nstory = "/dev/zero"\n')
    _refused(groom, "check", words="/dev/zero: cannot read this schema: it is not a regular file")


def test_a_deeply_nested_schema(schemas: Path, groom: Runner) -> None:
    (schemas / "deep.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    _refused(groom, "check", words="deep.json: schema is nested too deeply to read; flatten it")


def test_a_deeply_nested_config(project: Project, groom: Runner) -> None:
    (project.root / "groom.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    _refused(groom, "check", words="groom.toml: nested too deeply to read; flatten it")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"allOf": "x"}, "not a valid JSON Schema at allOf: 'x' is not of type 'array'"),
        ({"properties.default": {"$ref": "http://127.0.0.1:9/x.json"}}, "is not a local schema"),
        ({"properties.enum": {"$ref": "http://127.0.0.1:9/x.json"}}, "is not a local schema"),
        ({"properties.x": {"$dynamicRef": "http://127.0.0.1:9/y#meta"}}, "is not a local schema"),
    ],
    ids=["allOf-not-a-list", "ref-under-default", "ref-under-enum", "dynamic-ref"],
)
def test_schemas_that_are_not_what_they_seem(
    schemas: Path, groom: Runner, change: dict[str, object], words: str
) -> None:
    _edit_story_schema(schemas, change)
    _refused(groom, "check", words=words)


def test_a_pattern_that_backtracks_without_bound(schemas: Path, project: Project, groom: Runner) -> None:
    _edit_story_schema(schemas, {"properties.title": {"type": "string", "pattern": "^(a|aa)+$"}})
    project.write("S-1.md", "---\nid: S-1\ntitle: " + "a" * 35 + "!\nstatus: draft\n---\n")
    _refused(groom, "check", words="schema pattern '^(a|aa)+$' ran for over 0.5 s")


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("[sprint]\ncapacity = nan\n", "sprint.capacity must be a number of zero or more, not nan"),
        ("[sprint]\nvelocity = [3, inf]\n", "sprint.velocity must be a number of zero or more, not inf"),
        ('id_prefix = ["../../evil-", "S-"]\n', "id_prefix '../../evil-' is not an id prefix"),
        ('id_prefix = "S.1-"\n', "id_prefix 'S.1-' is not an id prefix"),
    ],
)
def test_config_values_that_cannot_be_right(project: Project, groom: Runner, toml: str, words: str) -> None:
    project.story("S-1")
    (project.root / "groom.toml").write_text(toml)
    _refused(groom, "new", "A story", words=words)
    assert sorted(p.name for p in project.root.rglob("*.md")) == ["S-1.md"]


def test_non_finite_numbers_in_a_story_are_findings_and_json_stays_strict(project: Project, groom: Runner) -> None:
    project.write("S-1.md", "---\nid: S-1\ntitle: x\nstatus: refining\nestimate: .nan\nvalue: 1e999\n---\n")
    check = groom("check")
    assert check.code == 1, check
    assert "value is .inf, which is not a number groom can count with; write a finite number" in check.out
    for args in (("list", "--format", "json"), ("show", "S-1", "--format", "json"), ("refine", "--format", "json")):
        result = groom(*args)
        json.loads(result.out)  # strict: no bare NaN or Infinity
        assert "NaN" not in result.out and "Infinity" not in result.out, result
    listing = groom("list").out
    assert "open work: 0 points in 1 story (1 not estimated)" in listing, listing
