"""`groom check` through the real entry point: exit codes, formats, every rule, bad input."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, Project, Runner, story_text


def rules(result_json: dict[str, object]) -> list[tuple[str, str]]:
    findings = result_json["findings"]
    assert isinstance(findings, list)
    return [(f["path"], f["rule"]) for f in findings]


def test_example_backlog_passes(groom: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = groom("check")
    assert result.code == 0, result
    assert result.out == "checked 33 story files: 0 errors, 0 warnings\n", result


def test_clean_backlog_json_shape(project: Project, groom: Runner) -> None:
    project.story("S-1")
    result = groom("check", "--format", "json")
    assert result.code == 0, result
    assert result.json() == {"version": 1, "ok": True, "checked": 1, "findings": []}


def test_findings_exit_1_with_path_line_column(project: Project, groom: Runner) -> None:
    project.story("S-1", status="doing")
    result = groom("check")
    assert result.code == 1, result
    first = result.out.splitlines()[0]
    assert first.startswith('backlog/S-1.md:4:1: error [schema] status is "doing"; expected one of'), result
    assert result.out.endswith("checked 1 story file: 1 error, 0 warnings\n")


def test_json_finding_fields(project: Project, groom: Runner) -> None:
    project.story("S-1", estimate=4)
    document = groom("check", "--format", "json").json()
    assert document["ok"] is False
    assert document["findings"] == [
        {
            "path": "backlog/S-1.md",
            "line": 5,
            "column": 1,
            "id": "S-1",
            "rule": "schema",
            "severity": "error",
            "message": 'estimate is 4; expected one of 0, 1, 2, 3, 5, 8, 13, 20, 40, 100, "?"',
        }
    ]


def test_github_format_prints_annotations_and_the_text_report(project: Project, groom: Runner) -> None:
    project.story("S-1", status="doing")
    result = groom("check", "--format", "github")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith("::error file=backlog/S-1.md,line=4,col=1,title=groom schema::status is")
    assert lines[1].startswith("backlog/S-1.md:4:1: error [schema]")
    assert lines[-1].startswith("checked 1 story file")


def test_warnings_alone_do_not_fail(project: Project, groom: Runner) -> None:
    project.story("S-1", name="S-2-wrong-name.md")
    result = groom("check")
    assert result.code == 0, result
    assert "warning [id-filename] file name does not start with the id S-1" in result.out


# ---------------------------------------------------------------------------------------
# The Definition of Ready, one item at a time


@pytest.mark.parametrize(
    ("fields", "body", "rule", "words"),
    [
        ({"estimate": None}, None, "dor/estimated", "missing key estimate"),
        ({"estimate": "?"}, None, "dor/estimated", 'estimate is "?"'),
        ({"estimate": 20}, None, "dor/small-enough", "estimate is 20; expected at most 13"),
        ({"value": None}, None, "dor/value", "missing key value"),
        ({}, "Just a title.\n", "dor/acceptance-criteria", "no acceptance criteria found"),
        ({}, "## Acceptance criteria\n- [ ] it works\n", "dor/narrative", "no narrative or description"),
        (
            {},
            "As a user I want x so that y.\n\n## Acceptance criteria\n- [ ] ok\n\n## Questions\n- [ ] @po: which?\n",
            "dor/no-open-questions",
            "1 open question, first: @po: which?",
        ),
        ({"type": "spike"}, None, "dor/spike-timebox", "give the spike a timebox"),
    ],
)
def test_each_dor_item(
    project: Project, groom: Runner, fields: dict[str, Any], body: str | None, rule: str, words: str
) -> None:
    text = story_text("S-1", **fields) if body is None else story_text("S-1", body=body, **fields)
    project.write("S-1.md", text)
    result = groom("check")
    assert result.code == 1, result
    assert f"[{rule}]" in result.out, result
    assert words in result.out, result


def test_dor_applies_only_to_ready_and_later(project: Project, groom: Runner) -> None:
    project.story("S-1", status="draft", body="")
    project.story("S-2", status="refining", estimate="?")
    result = groom("check")
    assert result.code == 0, result


def test_answered_questions_do_not_block(project: Project, groom: Runner) -> None:
    body = "As a user I want x so that y.\n\n## Acceptance criteria\n- [ ] ok\n\n## Questions\n- [x] @po: which?\n"
    project.write("S-1.md", story_text("S-1", body=body))
    assert groom("check").code == 0


def test_questions_in_front_matter_count(project: Project, groom: Runner) -> None:
    project.write("S-1.md", story_text("S-1", questions=["@po: which sheet?"]))
    result = groom("check")
    assert "[dor/no-open-questions]" in result.out, result


def test_dependency_must_be_done_or_ranked_above(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a1", depends_on=["S-2", "S-3"])
    project.story("S-2", status="refining", rank="a2")
    project.story("S-3", status="done", rank="a3")
    result = groom("check")
    assert result.code == 1, result
    assert "[dor/dependencies-in-order]" in result.out
    assert "not done and not ranked above it: S-2" in result.out, result
    project.story("S-2", status="refining", rank="a0")
    assert groom("check").code == 0


# ---------------------------------------------------------------------------------------
# Cross-story integrity


def test_duplicate_ids_are_reported_on_both_files(project: Project, groom: Runner) -> None:
    project.story("S-1")
    project.story("S-1", name="S-1-copy.md")
    document = groom("check", "--format", "json").json()
    assert rules(document) == [
        ("backlog/S-1-copy.md", "duplicate-id"),
        ("backlog/S-1.md", "duplicate-id"),
    ]


def test_unknown_dependency_and_parent(project: Project, groom: Runner) -> None:
    project.story("S-1", status="draft", depends_on=["S-9"], parent="S-8")
    result = groom("check")
    assert result.code == 1
    assert "backlog/S-1.md:5:14: error [unknown-dependency] depends_on names S-9" in result.out, result
    assert "[unknown-parent] parent S-8 is not in the backlog" in result.out


def test_an_empty_dependency_is_a_reference_to_nothing(project: Project, groom: Runner) -> None:
    """``depends_on: ""`` names no story: an unknown dependency, and not ready (a shortcut for
    stories without dependencies once took it for none), with the cache or without."""
    project.story("S-2", rank="b0", depends_on="")
    for switch in ("--no-cache", "--cache", "--cache"):
        result = groom(switch, "check")
        assert result.code == 1, result
        assert "[unknown-dependency] depends_on names , which is not in the backlog" in result.out, result
        assert "no" in groom(switch, "list").out.splitlines()[-2].split()


def test_dependency_cycle(project: Project, groom: Runner) -> None:
    project.story("S-1", status="draft", depends_on=["S-2"])
    project.story("S-2", status="draft", depends_on=["S-3"])
    project.story("S-3", status="draft", depends_on=["S-1"])
    project.story("S-4", status="draft", depends_on=["S-4"])
    result = groom("check")
    assert result.code == 1
    assert result.out.count("[dependency-cycle]") == 4, result
    assert "dependency cycle S-1 → S-2 → S-3 → S-1" in result.out
    assert "dependency cycle S-4 → S-4" in result.out


def test_duplicate_rank_is_a_warning(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a1")
    project.story("S-2", rank="a1")
    result = groom("check")
    assert result.code == 0, result
    assert result.out.count("warning [duplicate-rank]") == 2


def test_a_rank_shared_with_finished_work_is_no_warning(project: Project, groom: Runner) -> None:
    """Order matters among open stories only: a done or dropped story may keep a rank that an open
    one took since (Backlog.md's ordinals are per board column, so this is common there)."""
    project.story("S-1", rank="a1", status="done")
    project.story("S-2", rank="a1", status="dropped")
    project.story("S-3", rank="a1")
    result = groom("check")
    assert result.code == 0, result
    assert "duplicate-rank" not in result.out


def test_paths_limit_the_report_but_not_the_references(project: Project, groom: Runner) -> None:
    project.story("S-1", status="draft", depends_on=["S-2"])
    project.story("S-2", status="doing")
    result = groom("check", "backlog/S-1.md", "backlog/S-1.md")  # named twice: checked once
    assert result.code == 0, result
    assert result.out == "checked 1 story file: 0 errors, 0 warnings\n"
    result = groom("check", "backlog/S-2.md")
    assert result.code == 1
    assert "backlog/S-2.md" in result.out


def test_paths_outside_the_backlog_are_named(project: Project, groom: Runner) -> None:
    project.story("S-1")
    (project.root / "notes.md").write_text("# notes\n")
    result = groom("check", "notes.md", "--format", "json")
    assert result.code == 0
    assert result.json()["not_checked"] == ["notes.md"]
    assert result.json()["checked"] == 0


def test_missing_path_is_a_usage_error(project: Project, groom: Runner) -> None:
    result = groom("check", "nope.md")
    assert result.code == 2
    assert result.err == "groom: error: nope.md: no such file or folder\n"


# ---------------------------------------------------------------------------------------
# Bad input: a clear finding each, nothing skipped, nothing hangs


BAD_FILES: list[tuple[str, bytes, str, int, str]] = [
    ("unquoted-colon", b"---\nid: S-1\ntitle: Fix: the bug\nstatus: draft\n---\n", "yaml", 3, "quote the value"),
    ("tab", b"---\nid: S-1\n\ttitle: x\nstatus: draft\n---\n", "yaml", 3, "tab"),
    ("unclosed-quote", b"---\nid: S-1\ntitle: 'x\nstatus: draft\n---\n", "yaml", 3, "quote"),
    ("unclosed-block", b"---\nid: S-1\ntitle: x\n", "front-matter", 1, "not closed"),
    ("no-front-matter", b"# Title\n\nJust text.\n", "front-matter", 1, "no front matter"),
    ("list", b"---\n- id\n- title\n---\n", "yaml", 2, "front matter is a list, not a mapping"),
    ("empty", b"", "front-matter", 1, "empty file"),
    ("latin1", b"---\nid: S-1\ntitle: caf\xe9\nstatus: draft\n---\n", "front-matter", 3, "not UTF-8"),
    ("dup-key", b"---\nid: S-1\ntitle: x\nstatus: draft\nstatus: ready\n---\n", "yaml", 5, "duplicate key"),
    ("tagged", b"---\nid: S-1\ntitle: !!python/object:os.system x\n---\n", "yaml", 3, "tag"),
]


@pytest.mark.parametrize(("name", "raw", "rule", "line", "words"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_file_gets_one_clear_finding(
    project: Project, groom: Runner, name: str, raw: bytes, rule: str, line: int, words: str
) -> None:
    project.write(f"{name}.md", raw)
    project.story("S-7")
    result = groom("check", "--format", "json")
    assert result.code == 1, result
    document = result.json()
    assert document["checked"] == 2
    [finding] = document["findings"]
    assert (finding["path"], finding["rule"], finding["line"]) == (f"backlog/{name}.md", rule, line), result
    assert words in finding["message"], result
    assert result.err == ""


def test_bom_and_crlf_are_read_normally(project: Project, groom: Runner) -> None:
    text = story_text("S-1").replace("\n", "\r\n").encode()
    project.write("S-1.md", b"\xef\xbb\xbf" + text)
    result = groom("check")
    assert result.code == 0, result


def test_no_and_dates_keep_their_text(project: Project, groom: Runner) -> None:
    project.write(
        "S-1.md", story_text("S-1", status="draft").replace("status: draft", "status: no\ncreated: 2026-01-05")
    )
    result = groom("check", "--format", "json")
    [finding] = result.json()["findings"]
    assert finding["message"].startswith('status is "no"; expected one of'), result
    result = groom("show", "S-1", "--format", "json")
    assert result.json()["front_matter"]["created"] == "2026-01-05"


def test_billion_laughs_is_reported_fast(project: Project, groom: Runner) -> None:
    lines = ["id: S-1", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    project.write("bomb.md", "---\n" + "\n".join(lines) + "\n---\n")
    start = time.perf_counter()
    result = groom("check")
    assert time.perf_counter() - start < 1.0
    assert result.code == 1
    assert "[yaml] an alias to a list or mapping is not allowed" in result.out, result


def test_deep_nesting_is_reported(project: Project, groom: Runner) -> None:
    project.write("deep.md", "---\nid: S-1\na: " + "[" * 10_000 + "]" * 10_000 + "\n---\n")
    result = groom("check")
    assert result.code == 1
    assert "backlog/deep.md:3:" in result.out and "[yaml]" in result.out, result


def test_huge_file_is_refused_without_reading_it(project: Project, groom: Runner) -> None:
    path = project.backlog / "huge.md"
    with path.open("wb") as handle:
        handle.write(b"---\nid: S-1\n---\n")
        handle.truncate(50 * 1024 * 1024)
    result = groom("check")
    assert result.code == 1
    assert "backlog/huge.md:1:1: error [front-matter] is 52,428,800 bytes, over the 1,048,576-byte limit" in result.out


def test_symlink_and_fifo_are_reported_not_followed(project: Project, groom: Runner, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(story_text("S-9"))
    (project.backlog / "link.md").symlink_to(outside)
    os.mkfifo(project.backlog / "pipe.md")
    project.story("S-1")
    result = groom("check")
    assert result.code == 1, result
    assert "backlog/link.md:1:1: error [file] is a symbolic link" in result.out
    assert "backlog/pipe.md:1:1: error [file] is not a regular file" in result.out
    assert "checked 3 story files" in result.out


# ---------------------------------------------------------------------------------------
# Unusable schemas stop the run with exit 2


def use_schema(project: Project, text: str, name: str = "ready.schema.json") -> None:
    (project.root / "schemas").mkdir(exist_ok=True)
    (project.root / "schemas" / name).write_text(text)
    (project.root / "groom.toml").write_text(f'[schemas]\nready = "schemas/{name}"\n')


def test_schema_that_is_not_json(project: Project, groom: Runner) -> None:
    project.story("S-1")
    use_schema(project, '{"type": "object",,}')
    result = groom("check")
    assert result.code == 2
    assert result.err.startswith("groom: error: ") and "ready.schema.json:1: schema is not valid JSON" in result.err
    assert result.out == ""


def test_schema_that_is_not_a_schema(project: Project, groom: Runner) -> None:
    project.story("S-1")
    use_schema(project, '{"type": "story"}')
    result = groom("check")
    assert result.code == 2
    assert "not a valid JSON Schema at type" in result.err, result


def test_unknown_format_is_refused(project: Project, groom: Runner) -> None:
    project.story("S-1")
    use_schema(project, '{"properties": {"created": {"type": "string", "format": "sprint-date"}}}')
    result = groom("check")
    assert result.code == 2
    assert "format 'sprint-date' cannot be checked by groom" in result.err, result


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"type": "object"}')

        def log_message(self, format: str, *args: object) -> None:  # noqa: ARG002 - silences the base class
            return

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/schema.json", requests
    finally:
        server.shutdown()
        server.server_close()


def test_remote_ref_is_refused_without_a_request(
    project: Project, groom: Runner, web_server: tuple[str, list[str]]
) -> None:
    url, requests = web_server
    project.story("S-1")
    use_schema(project, json.dumps({"allOf": [{"$ref": url}]}))
    result = groom("check")
    assert result.code == 2, result
    assert f"$ref '{url}' is not a local schema and groom never fetches one" in result.err
    assert requests == []


def test_local_ref_between_schema_files_works(project: Project, groom: Runner) -> None:
    (project.root / "schemas").mkdir()
    (project.root / "schemas" / "common.json").write_text(
        json.dumps({"$id": "urn:team:common", "$defs": {"owner": {"required": ["owner"]}}})
    )
    use_schema(
        project,
        json.dumps(
            {"allOf": [{"title": "owned", "description": "name an owner", "$ref": "urn:team:common#/$defs/owner"}]}
        ),
    )
    project.story("S-1")
    result = groom("check")
    assert result.code == 1, result
    assert "[dor/owned] not ready: name an owner (missing key owner)" in result.out


def test_config_errors_are_one_line(project: Project, groom: Runner) -> None:
    (project.root / "groom.toml").write_text("backlog = 'backlog'\nscale = [1, 2]\n")
    result = groom("check")
    assert result.code == 2
    assert result.err == (
        f"groom: error: {project.root / 'groom.toml'}: unknown key 'scale'; "
        "see the groom.toml that 'groom init' writes for the keys\n"
    )


def test_missing_backlog_folder(tmp_path: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = groom("check")
    assert result.code == 2
    assert "backlog folder" in result.err and "not found" in result.err


def test_symlinked_folder_is_reported(project: Project, groom: Runner, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "S-5.md").write_text(story_text("S-5"))
    (project.backlog / "old").symlink_to(elsewhere)
    project.story("S-1")
    result = groom("check")
    assert result.code == 1, result
    assert "backlog/old:1:1: error [file] is a symbolic link to a folder" in result.out


def test_sarif_for_code_scanning(project: Project, groom: Runner) -> None:
    project.story("S-1", status="doing")
    project.story("S-2", name="S-3-misnamed.md")
    result = groom("check", "--format", "sarif")
    assert result.code == 1
    document = json.loads(result.out)
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert run["tool"]["driver"]["name"] == "groom"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["id-filename", "schema"]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [("schema", "error"), ("id-filename", "warning")]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "backlog/S-1.md"}, "region": {"startLine": 4, "startColumn": 1}}


def test_junit_for_test_reports(project: Project, groom: Runner) -> None:
    from xml.etree import ElementTree

    project.story("S-1", status="doing")
    project.story("S-2")
    project.story("S-3", name="S-4-misnamed.md")
    result = groom("check", "--format", "junit")
    assert result.code == 1
    suite = ElementTree.fromstring(result.out.split("\n", 1)[1]).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    cases = {case.get("name", ""): case for case in suite.iter("testcase")}
    assert sorted(cases) == ["backlog/S-1.md", "backlog/S-2.md", "backlog/S-4-misnamed.md"]
    failure = cases["backlog/S-1.md"].find("failure")
    assert failure is not None and failure.get("type") == "schema"
    assert cases["backlog/S-2.md"].find("failure") is None
    out = cases["backlog/S-4-misnamed.md"].find("system-out")
    assert out is not None and "[id-filename]" in (out.text or "")


@pytest.mark.parametrize("where", [".", "backlog", "backlog/"])
def test_a_folder_path_checks_the_stories_in_it(project: Project, groom: Runner, where: str) -> None:
    project.story("S-1")
    project.story("S-2", name="sub/S-2.md")
    assert groom("check", where).out == "checked 2 story files: 0 errors, 0 warnings\n"


def test_dependency_on_a_split_story_is_a_warning_with_the_children(project: Project, groom: Runner) -> None:
    project.story("S-1", status="split", children=["S-2"])
    project.story("S-2", status="draft", parent="S-1")
    project.story("S-3", status="draft", depends_on=["S-1"])
    result = groom("check")
    assert result.code == 0, result
    assert "warning [inactive-dependency] depends_on names S-1, which is split; depend on S-2 instead" in result.out


def test_merge_conflict_markers_are_named(project: Project, groom: Runner) -> None:
    project.write(
        "S-1.md", "---\nid: S-1\ntitle: x\n<<<<<<< HEAD\nstatus: draft\n=======\nstatus: ready\n>>>>>>> branch\n---\n"
    )
    result = groom("check")
    assert result.code == 1, result
    assert result.out.startswith("backlog/S-1.md:4:1: error [merge-conflict] merge conflict at line 4: resolve it"), (
        result
    )


def test_parent_and_children_must_agree(project: Project, groom: Runner) -> None:
    project.story("S-1", status="split", rank="a0", children=["S-2", "S-9"])
    project.story("S-2", status="draft", rank="a1", parent="S-1")
    project.story("S-3", status="draft", rank="a2", parent="S-1")
    project.story("S-4", status="draft", rank="a3", children=["S-5"])
    project.story("S-5", status="draft", rank="a4")
    messages = [
        (f["path"], f["message"])
        for f in groom("check", "--format", "json").json()["findings"]
        if f["rule"] == "parent-children"
    ]
    assert messages == [
        ("backlog/S-1.md", "children lists S-9, which is not in the backlog; fix the id or remove it"),
        ("backlog/S-3.md", "parent S-1 does not list S-3 in its children; add it there or fix the parent"),
        ("backlog/S-4.md", "children lists S-5, whose parent is not set; make them agree"),
    ]


def test_renumbering_after_two_branches_split_one_story_keeps_the_family_together(
    project: Project, groom: Runner
) -> None:
    project.story("S-19", status="split", rank="a0", children=["S-37", "S-38"])
    for suffix, rank in (("a", "a1"), ("b", "a2")):
        project.story("S-37", name=f"S-37-{suffix}.md", status="draft", rank=rank + "1", parent="S-19")
        project.story("S-38", name=f"S-38-{suffix}.md", status="draft", rank=rank + "2", parent="S-19")
    assert groom("renumber", "backlog/S-37-b.md").code == 0
    assert groom("renumber", "backlog/S-38-b.md").code == 0
    assert "children: [S-37, S-38, S-39, S-40]" in (project.backlog / "S-19.md").read_text()
    result = groom("check")
    assert result.code == 0, result
