"""groom check over the Backlog.md project's real backlog (a copy): nothing crashes or hides."""

from __future__ import annotations

import os
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


@pytest.fixture(scope="module")
def realdata(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = Path(os.environ.get("GROOM_REALDATA", REALDATA))
    if not source.is_dir():
        message = f"real backlog not found at {source}: put ../shared beside the repository or set GROOM_REALDATA"
        if os.environ.get("GROOM_REQUIRE_REALDATA"):
            pytest.fail(message + " (GROOM_REQUIRE_REALDATA is set, so it is required)")
        pytest.skip(message)
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
