"""Every file in tests/examples/valid passes; every file in tests/examples/invalid produces
findings of exactly the rule its name starts with (``<rule>--<case>.md``, ``/`` as ``-``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from groom import backlog, config, ready, schemas
from tests.conftest import EXAMPLES

VALID = sorted((EXAMPLES / "valid").glob("*.md"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.md"))


def check_one(tmp_path: Path, source: Path) -> list[tuple[str, str]]:
    folder = tmp_path / "backlog"
    folder.mkdir()
    # Named after the story's id, so a case is about its content, not its file name.
    match = re.search(r"^id: (\S+)$", source.read_text(encoding="utf-8"), re.M)
    shutil.copy(source, folder / (f"{match.group(1)}.md" if match else source.name))
    loaded = config.load(tmp_path)
    found = ready.check(backlog.load(loaded, tmp_path), schemas.load(loaded))
    return [(f.rule, f.severity) for f in found]


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_example_has_no_findings(tmp_path: Path, path: Path) -> None:
    assert check_one(tmp_path, path) == []


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example_has_its_rule(tmp_path: Path, path: Path) -> None:
    expected = path.name.split("--")[0].replace("dor-", "dor/")
    found = check_one(tmp_path, path)
    assert found, path.name
    assert {rule for rule, _ in found} == {expected}, found
