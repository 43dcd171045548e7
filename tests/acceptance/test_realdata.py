"""groom check over the Backlog.md project's real backlog (a copy): nothing crashes or hides."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REALDATA, Runner

CONFIG = """
backlog = "backlog-md"
exclude = ["readme.md", "docs/*", "decisions/*", "milestones/*", "archive/milestones/*", "assets/*"]
id_prefix = ["BACK-", "DRAFT-"]

[status]
all = ["To Do", "In Progress", "Done", "Won't Do", "To do"]
ready = ["In Progress", "Done"]
done = ["Done"]
inactive = ["Won't Do"]
"""


def _real_backlog() -> Path:
    """The real Backlog.md repository beside ours; the test skips (or, in CI, fails) without it."""
    source = Path(os.environ.get("GROOM_REALDATA", REALDATA))
    if not source.is_dir():
        message = f"real backlog not found at {source}: put ../shared beside the repository or set GROOM_REALDATA"
        if os.environ.get("GROOM_REQUIRE_REALDATA"):
            pytest.fail(message + " (GROOM_REQUIRE_REALDATA is set, so it is required)")
        pytest.skip(message)
    return source


@pytest.fixture(scope="module")
def realdata(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = _real_backlog()
    root = tmp_path_factory.mktemp("realdata")
    shutil.copytree(source, root / "backlog-md", symlinks=True)
    (root / "groom.toml").write_text(CONFIG)
    return root


def test_every_task_file_is_checked_or_reported(realdata: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(realdata)
    task_files = {
        path.relative_to(realdata).as_posix()
        for folder in ("tasks", "completed", "archive/tasks", "drafts", "archive/drafts")
        for path in (realdata / "backlog-md" / folder).glob("*.md")
        if path.name != "readme.md"
    }
    assert len(task_files) == 674
    result = groom("check", "--format", "json")
    assert result.code == 1, result.err
    assert result.err == ""
    document = result.json()
    assert document["checked"] == 674

    listed = {row["id"] for row in groom("list", "--format", "json").json()}
    yaml_findings = [f for f in document["findings"] if f["rule"] == "yaml"]
    assert len(yaml_findings) == 21
    for finding in yaml_findings:
        assert finding["message"].startswith("a plain value cannot start with '@'; quote it"), finding
        line = (realdata / finding["path"]).read_text(encoding="utf-8").splitlines()[finding["line"] - 1]
        assert line[finding["column"] - 1] == "@", (finding, line)
    # 674 files = the stories list shows + the files that could not be read
    assert len(listed) + len({f["path"] for f in yaml_findings}) == 674 - 10  # ten ids appear twice
    duplicates = {f["id"] for f in document["findings"] if f["rule"] == "duplicate-id"}
    assert len(duplicates) == 10


def test_realdata_is_left_untouched(realdata: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(realdata)
    before = {p: p.read_bytes() for p in (realdata / "backlog-md").rglob("*.md")}
    groom("check")
    groom("list")
    assert {p: p.read_bytes() for p in (realdata / "backlog-md").rglob("*.md")} == before


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real Backlog.md repository as a team has it (backlog/ inside the repository),
    after ``groom init --from backlog-md``."""
    source = _real_backlog()
    root = tmp_path_factory.mktemp("adopted")
    shutil.copytree(source, root / "backlog", symlinks=True)
    return root


def _rules(result_json: dict) -> dict[str, int]:  # type: ignore[type-arg]
    counts: dict[str, int] = {}
    for finding in result_json["findings"]:
        counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
    return counts


def test_init_from_backlog_md_leaves_only_real_problems(
    adopted: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(adopted)
    assert groom("init", "--from", "backlog-md").code == 0
    result = groom("check", "--format", "json")
    assert result.code == 1
    # 21 files with an unquoted @name, 4 drafts depending on BACK-8, which is nowhere, a task that
    # took the id of an archived one, and 6 tasks on the board (To Do claims the DoR: Backlog.md
    # has no "ready" column) whose dependencies are not above them, those 4 among them; no status,
    # id or order noise. 1,399 findings before.
    assert _rules(result.json()) == {
        "yaml": 21,
        "unknown-dependency": 4,
        "duplicate-id": 1,
        "dor/dependencies-in-order": 6,
    }
    assert (
        result.json()["checked"] == 194
    )  # tasks and drafts (and the unreadable files); completed and archive are history

    # The board order: ordinal ascending, tasks without one after them by id.
    rows = groom("list", "--status", "To Do", "--format", "json").json()
    ranks = [row["rank"] for row in rows]
    ranked = [rank for rank in ranks if rank is not None]
    assert ranked == sorted(ranked) and len(ranked) > 20
    assert ranks == ranked + [None] * (len(ranks) - len(ranked))


def test_a_move_and_a_new_task_on_the_real_backlog(
    adopted: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(adopted)
    if not (adopted / "groom.toml").exists():
        assert groom("init", "--from", "backlog-md").code == 0
    for path in (adopted / "backlog").rglob("*.md"):  # what the team does first: quote the @names
        text = path.read_text(encoding="utf-8")
        fixed = re.sub(r"^(assignee:|reporter:|  -) (@[\w-]+)$", r"\1 '\2'", text, flags=re.M)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")
    rows = [row for row in groom("list", "--format", "json").json() if row["rank"] is not None]
    first, second, last = rows[0], rows[1], rows[-1]  # a move goes between neighbours of any status
    before = {p: p.read_bytes() for p in (adopted / "backlog").rglob("*.md")}
    result = groom("reprioritize", last["id"], "--after", first["id"])
    assert result.code == 0, result
    changed = [p for p in before if p.read_bytes() != before[p]]
    assert len(changed) == 1
    midpoint = first["rank"] + (second["rank"] - first["rank"]) / 2
    assert f"ordinal: {int(midpoint) if midpoint == int(midpoint) else midpoint}\n" in changed[0].read_text()

    created = groom("new", "Try groom on the board", "--format", "json")
    assert created.code == 0, created
    [(path, story_id)] = [(row["path"], row["id"]) for row in created.json()["created"]]
    assert path == f"backlog/tasks/{story_id.lower()} - Try-groom-on-the-board.md"
    assert story_id == "BACK-637"  # above every id in tasks, completed, drafts and archive


REAL_READS = (
    ("check", "--format", "json"),
    ("list", "--format", "json"),
    ("sprint-candidates", "--format", "json"),
    ("refine", "--format", "json"),
    ("actions",),
    ("estimate", "--missing"),
    ("report", "--format", "markdown", "--out", "-"),
)


def _alike_with_and_without_the_cache(groom: Runner) -> None:
    assert groom("cache", "clear").code == 0
    for args in REAL_READS:
        cold, warm, fresh = groom("--cache", *args), groom("--cache", *args), groom("--no-cache", *args)
        assert (cold.code, cold.out, cold.err) == (fresh.code, fresh.out, fresh.err), f"{args} cold\n{cold}"
        assert (warm.code, warm.out, warm.err) == (fresh.code, fresh.out, fresh.err), f"{args} warm\n{warm}"


def test_the_real_backlog_reads_alike_with_and_without_the_cache(
    realdata: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(realdata)
    _alike_with_and_without_the_cache(groom)
    assert list((realdata / ".groom_cache").glob("backlog-*"))


def test_the_adopted_real_backlog_reads_alike_with_and_without_the_cache(
    adopted: Path, groom: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # [fields], [ids] aliases and [paths] inactive change how every file reads: the cache too.
    root = tmp_path / "adopted"
    shutil.copytree(adopted, root, symlinks=True)
    monkeypatch.chdir(root)
    if not (root / "groom.toml").exists():
        assert groom("init", "--from", "backlog-md").code == 0
    _alike_with_and_without_the_cache(groom)
