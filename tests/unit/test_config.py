"""groom.toml discovery, defaults and refusal of what cannot be right."""

from __future__ import annotations

from pathlib import Path

import pytest

from groom import config
from groom.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path) -> None:
    loaded = config.load(tmp_path)
    assert loaded.source is None
    assert loaded.backlog == tmp_path / "backlog"
    assert loaded.scale == (0, 1, 2, 3, 5, 8, 13, 20, 40, 100)
    assert loaded.id_prefix == "S-"
    assert loaded.max_story_points == 13


def test_found_by_walking_up(tmp_path: Path) -> None:
    (tmp_path / "groom.toml").write_text('backlog = "stories"\nid_prefix = ["P-", "Q-"]\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    loaded = config.load(deep)
    assert loaded.source == tmp_path / "groom.toml"
    assert loaded.backlog == tmp_path.resolve() / "stories"
    assert loaded.id_prefixes == ("P-", "Q-")


def test_command_line_overrides(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text("[estimate]\nscale = [1, 2, 4, 8]\nmax_story_points = 8\n")
    loaded = config.load(tmp_path, config_file=other, backlog=Path("elsewhere"))
    assert loaded.scale == (1, 2, 4, 8)
    assert loaded.backlog == (tmp_path / "elsewhere").resolve()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("backlog = 3\n", "backlog must be a string"),
        ("[estimate]\nscale = [3, 1]\n", "increasing order"),
        ("[estimate]\nscale = ['S', 'M']\n", "must be a number"),
        ("[status]\nready = ['approved']\n", "status.ready names 'approved', which is not in status.all"),
        ("[sprint]\nfill = 'greedy'\n", "sprint.fill must be one of skip, strict"),
        ("[estimates]\nscale = [1]\n", "unknown key 'estimates.scale'"),
        ("id_prefix = ''\n", "non-empty prefix"),
        ("backlog = \n", "not valid TOML"),
    ],
)
def test_bad_values_are_refused_with_the_key(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "groom.toml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        config.load(tmp_path)
    assert words in str(caught.value)
    assert str(tmp_path / "groom.toml") in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path, config_file=tmp_path / "nope.toml")


def test_status_roles_default_to_the_statuses_the_team_has(tmp_path: Path) -> None:
    (tmp_path / "groom.toml").write_text('[status]\nall = ["To Do", "Doing", "Done", "ready"]\ndone = ["Done"]\n')
    loaded = config.load(tmp_path)
    assert loaded.role("backlog") == "ready"
    with pytest.raises(ConfigError, match=r"no status for what new stories and split children get: set status\.new"):
        loaded.role("new")


def test_status_roles_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "groom.toml").write_text(
        '[status]\nall = ["To Do", "Doing", "Done", "Gone"]\ndone = ["Done"]\ninactive = ["Gone"]\n'
        'new = "To Do"\nplanned = "Doing"\nsplit = "Gone"\ndropped = "Gone"\nbacklog = "To Do"\n'
    )
    loaded = config.load(tmp_path)
    assert [loaded.role(r) for r in ("new", "planned", "split", "dropped", "backlog")] == [
        "To Do",
        "Doing",
        "Gone",
        "Gone",
        "To Do",
    ]


def test_a_role_naming_an_unknown_status_is_refused(tmp_path: Path) -> None:
    (tmp_path / "groom.toml").write_text('[status]\nsplit = "Split"\n')
    with pytest.raises(ConfigError, match=r"status\.split names 'Split', which is not in status\.all"):
        config.load(tmp_path)


@pytest.mark.parametrize("role", ["split", "dropped"])
def test_split_and_dropped_roles_must_be_inactive(tmp_path: Path, role: str) -> None:
    (tmp_path / "groom.toml").write_text(
        f'[status]\nall = ["draft", "ready", "done", "archived"]\n{role} = "archived"\n'
    )
    with pytest.raises(ConfigError, match=f"status.{role} is 'archived', which status.inactive does not list"):
        config.load(tmp_path)
