"""groom on a Backlog.md repository as it is: init --from backlog-md, then every-day commands
read and write the team's own keys (dependencies, parent_task_id, assignee, ordinal)."""

from __future__ import annotations

from pathlib import Path

import frontmatter
import pytest

from tests.acceptance.test_diff import commit, git
from tests.conftest import Runner

CONFIG_YML = """\
project_name: "Demo"
default_status: "To Do"
statuses: ["To Do", "In Progress", "Done"]
labels: []
definition_of_done: ["tests pass"]
task_prefix: "back"
"""


def task(task_id: str, title: str, status: str = "To Do", ac: bool = True, **keys: str) -> str:
    front = {"id": task_id, "title": title, "status": status, "assignee": "[]", "labels": "[]", **keys}
    lines = [f"{key}: {value}" for key, value in front.items()]
    body = "## Description\n\nWhat it is about.\n"
    if ac:
        body += "\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [ ] #1 It works\n<!-- AC:END -->\n"
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    backlog = tmp_path / "backlog"
    for folder in ("tasks", "completed", "docs", "archive/tasks"):
        (backlog / folder).mkdir(parents=True)
    (backlog / "config.yml").write_text(CONFIG_YML)
    files = {
        "tasks/back-1 - First.md": task("BACK-1", "First", ordinal="3000"),
        "tasks/back-2 - Second.md": task("BACK-2", "Second", ordinal="1000", dependencies="[task-5]"),
        "tasks/back-3 - Third.md": task("BACK-3", "Third", ordinal="2000", parent_task_id="back-1"),
        "tasks/back-4 - Fourth.md": task("BACK-4", "Fourth", "In Progress", ac=False, assignee="['@ana']"),
        "completed/back-5 - Fifth.md": task("BACK-5", "Fifth", "Done"),
        "tasks/back-6 - Sixth.md": task("BACK-6", "Sixth", dependencies="[BACK-99]"),
        "tasks/back-8 - Eighth.md": task("BACK-8", "Eighth", dependencies="[back-7]", parent_task_id="BACK-5"),
        "archive/tasks/back-7 - Set aside.md": task("BACK-7", "Set aside", "Won't Do"),
        "docs/doc-1 - Guide.md": "---\nid: doc-1\ntitle: Guide\ntype: guide\n---\nNot a task.\n",
    }
    for name, text in files.items():
        (backlog / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_from_backlog_md_writes_config_and_schemas_only(repo: Path, groom: Runner) -> None:
    before = {p: p.read_bytes() for p in (repo / "backlog").rglob("*") if p.is_file()}
    result = groom("init", "--from", "backlog-md")
    assert result.code == 0, result
    assert {p: p.read_bytes() for p in (repo / "backlog").rglob("*") if p.is_file()} == before
    assert (repo / "groom.toml").is_file() and (repo / "schemas" / "ready.schema.json").is_file()
    again = groom("init", "--from", "backlog-md")
    assert again.code == 2 and "already exist" in again.err


def test_check_reports_only_the_real_problems(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    result = groom("check", "--format", "json")
    assert result.code == 1, result
    found = sorted((f["path"], f["rule"]) for f in result.json()["findings"])
    assert found == [
        ("backlog/tasks/back-4 - Fourth.md", "dor/acceptance-criteria"),  # In Progress without criteria
        ("backlog/tasks/back-6 - Sixth.md", "dor/dependencies-in-order"),  # To Do claims ready: BACK-99 ...
        ("backlog/tasks/back-6 - Sixth.md", "unknown-dependency"),  # ... does not exist
        ("backlog/tasks/back-8 - Eighth.md", "inactive-dependency"),  # BACK-7 was set aside (archive)
    ]
    # BACK-2's dependency task-5 is BACK-5, done in completed/; BACK-8's parent too: both fine.
    assert result.json()["checked"] == 6  # tasks only: completed and archive are history, docs no tasks


def test_findings_name_the_teams_key(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    line = next(line for line in groom("check").out.splitlines() if "unknown-dependency" in line)
    assert line.startswith("backlog/tasks/back-6 - Sixth.md:7:16:")  # the id in the dependencies line
    assert "dependencies names BACK-99, which is not in the backlog" in line


def test_list_shows_the_board_order_and_resolves_old_prefixes(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    rows = groom("list", "--status", "To Do", "--format", "json").json()
    assert [row["id"] for row in rows] == ["BACK-2", "BACK-3", "BACK-1", "BACK-6", "BACK-8"]  # by ordinal, then by id
    shown = groom("show", "BACK-2", "--format", "json").json()
    assert shown["front_matter"]["dependencies"] == ["BACK-5"]  # task-5 is BACK-5


def test_a_move_writes_one_numeric_ordinal(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    first = repo / "backlog/tasks/back-1 - First.md"
    before = {p: p.read_bytes() for p in (repo / "backlog").rglob("*.md")}
    result = groom("reprioritize", "BACK-1", "--after", "BACK-2")
    assert result.code == 0, result
    assert "ordinal: 1500\n" in first.read_text()
    changed = [p for p in before if p.read_bytes() != before[p]]
    assert changed == [first]
    assert first.read_text().replace("ordinal: 1500", "ordinal: 3000") == before[first].decode()
    rows = groom("list", "--status", "To Do", "--format", "json").json()
    assert [row["id"] for row in rows][:3] == ["BACK-2", "BACK-1", "BACK-3"]


def test_new_writes_a_task_backlog_md_lists(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    result = groom("new", "Export: CSV/JSON + more")
    assert result.code == 0, result
    path = repo / "backlog/tasks/back-9 - Export-CSV-JSON-+-more.md"
    post = frontmatter.load(str(path))  # another parser, as Backlog.md reads it
    assert (post["id"], post["title"], post["status"], post["ordinal"]) == (
        "BACK-9",
        "Export: CSV/JSON + more",
        "To Do",
        4000,
    )
    assert "rank" not in post.metadata


def test_finished_tasks_are_history(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    listed = [row["id"] for row in groom("list", "--format", "json").json()]
    assert "BACK-5" not in listed and "BACK-7" not in listed
    shown = groom("show", "BACK-5")
    assert shown.code == 2 and "is in backlog/completed/back-5 - Fifth.md, a folder of finished stories" in shown.err
    shown_json = groom("show", "BACK-2", "--format", "json").json()
    assert shown_json["front_matter"]["dependencies"] == ["BACK-5"]
    assert "depends_on" not in shown_json["front_matter"]  # the file's keys, as written
    assert [(d["id"], d["status"]) for d in shown_json["dependencies"]] == [("BACK-5", "Done")]
    assert groom("renumber", "BACK-1", "--to", "BACK-7").code == 2  # an archived task's id is taken


def test_set_writes_the_teams_key(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    assert groom("set", "BACK-1", "depends_on+=BACK-5").code == 0
    text = (repo / "backlog/tasks/back-1 - First.md").read_text()
    assert "dependencies:" in text and "depends_on" not in text


def test_owner_filter_reads_assignee(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    rows = groom("list", "--owner", "ana", "--format", "json").json()
    assert [row["id"] for row in rows] == ["BACK-4"]


def test_without_config_yml_init_from_says_where_it_looked(
    tmp_path: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = groom("init", "--from", "backlog-md")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "no Backlog.md config.yml" in result.err
    assert groom("init", "--from", "jira").code == 2


def test_first_contact_says_which_keys_would_fit(repo: Path, groom: Runner) -> None:
    result = groom("check", "--backlog", "backlog")
    assert result.code == 1
    hints = [line for line in result.err.splitlines() if line.startswith("groom: hint: ")]
    # Without a groom.toml every folder is read: 8 tasks (archive's too) and the doc.
    assert len(hints) == 3
    assert hints[0] == 'groom: hint: 8 ids look like BACK-1: set id_prefix = "BACK-" in groom.toml'
    assert hints[1].startswith("groom: hint: 8 statuses are not in status.all ('To Do', ")
    assert hints[1].endswith("list the team's in [status]") and "'Won't Do'" in hints[1]
    assert hints[2] == (
        "groom: hint: this is a Backlog.md repository: groom init --from backlog-md writes a groom.toml that fits it"
    )
    assert result.err.splitlines()[:3] == hints  # once, at the top
    assert groom("init", "--from", "backlog-md").code == 0
    assert "hint" not in groom("check").err


def test_diff_reads_both_sides_the_teams_way(repo: Path, groom: Runner) -> None:
    """groom diff reads each side with its own groom.toml: ordinals, team keys, finished folders."""
    assert groom("init", "--from", "backlog-md").code == 0
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "base")
    assert groom("reprioritize", "BACK-6", "--top").code == 0
    result = groom("diff", "HEAD", "--format", "json")
    assert result.code == 0, result
    moved = result.json()["moved"]
    assert moved[0]["id"] == "BACK-6" and moved[0]["new_position"] == 1
    assert result.json()["added"] == [] and result.json()["removed"] == []


def test_zero_padded_ids_pad_new_ones(repo: Path, groom: Runner) -> None:
    config_yml = repo / "backlog" / "config.yml"
    config_yml.write_text(config_yml.read_text() + "zero_padded_ids: 3\n")
    assert groom("init", "--from", "backlog-md").code == 0
    result = groom("new", "Padded", "--format", "json")
    assert result.code == 0, result
    assert result.json()["created"][0]["path"] == "backlog/tasks/back-009 - Padded.md"


def test_ids_typed_in_any_case_or_with_the_old_prefix_name_the_task(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    assert groom("show", "back-2").code == 0
    assert groom("show", "task-2", "--format", "json").json()["id"] == "BACK-2"
    assert groom("reprioritize", "back-6", "--before", "task-2").code == 0
    rows = groom("list", "--status", "To Do", "--format", "json").json()
    assert [row["id"] for row in rows][:2] == ["BACK-6", "BACK-2"]


def test_renumber_keeps_the_teams_file_names(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    result = groom("renumber", "back-6", "--to", "back-20")
    assert result.code == 0, result
    assert (repo / "backlog/tasks/back-20 - Sixth.md").is_file()
    assert "id: BACK-20\n" in (repo / "backlog/tasks/back-20 - Sixth.md").read_text()


@pytest.mark.parametrize(
    ("config_yml", "message"),
    [
        ('statuses: ["Open"]\n', "at least two statuses"),
        ('task_prefix: "123"\n', "task_prefix '123' cannot be an id prefix"),
        ('task_prefix: "draft"\n', "not 'draft'"),
        ("- a\n- b\n", "config.yml is a list"),
        ('statuses: ["To Do", "Done"]\ndefault_status: "Later"\n', "default_status 'Later' is not one of"),
    ],
)
def test_init_from_refuses_a_config_yml_it_cannot_use(
    tmp_path: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch, config_yml: str, message: str
) -> None:
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "config.yml").write_text(config_yml)
    monkeypatch.chdir(tmp_path)
    result = groom("init", "--from", "backlog-md")
    assert result.code == 2
    assert result.err.startswith(f"groom: error: {tmp_path}/backlog/config.yml: ") or "config.yml" in result.err
    assert message in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "groom.toml").exists()


def test_numeric_ranks_and_team_keys_meet_groom_s_own_schemas(
    tmp_path: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without schemas of its own, a team with [fields] gets its references typed by groom's
    packaged schema, and numbers are valid ranks there."""
    (tmp_path / "backlog").mkdir()
    (tmp_path / "groom.toml").write_text('[fields]\ndepends_on = "deps"\nrank = "ord"\n')
    (tmp_path / "backlog" / "S-1.md").write_text("---\nid: S-1\ntitle: One\nstatus: draft\nord: 1000\ndeps: 5\n---\n")
    (tmp_path / "backlog" / "S-2.md").write_text("---\nid: S-2\ntitle: Two\nstatus: draft\nord: 2000.5\n---\n")
    monkeypatch.chdir(tmp_path)
    result = groom("check", "--format", "json")
    found = [(f["path"], f["line"], f["message"]) for f in result.json()["findings"]]
    assert found == [("backlog/S-1.md", 6, "depends_on is an integer (5); expected array")] or (
        len(found) == 1 and found[0][:2] == ("backlog/S-1.md", 6) and "depends_on" in found[0][2]
    ), found


def test_diff_says_a_task_moved_to_completed_is_finished_not_gone(repo: Path, groom: Runner) -> None:
    assert groom("init", "--from", "backlog-md").code == 0
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "base")
    done = (repo / "backlog/tasks/back-3 - Third.md").read_text().replace("status: To Do", "status: Done")
    (repo / "backlog/completed/back-3 - Third.md").write_text(done)
    (repo / "backlog/tasks/back-3 - Third.md").unlink()
    result = groom("diff", "HEAD", "--format", "json")
    assert result.code == 0, result
    assert result.json()["removed"] == []
    assert result.json()["finished"] == [
        {"id": "BACK-3", "path": "backlog/completed/back-3 - Third.md", "status": "Done"}
    ]
    assert "Finished\n  BACK-3" in groom("diff", "HEAD").out
