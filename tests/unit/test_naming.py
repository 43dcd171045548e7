"""Reading a team's files in its own words: [fields] and [ids] in groom.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from groom import config
from groom.errors import ConfigError
from groom.naming import PLAIN, Reading, team_key, team_view

FIELDS = (("depends_on", "dependencies"), ("rank", "ordinal"))


def test_a_team_key_is_read_under_the_contract_key_and_the_schema_sees_the_file() -> None:
    data = {"id": "B-1", "dependencies": ["B-2"], "ordinal": 1000, "priority": "high"}
    read = Reading(FIELDS).apply(dict(data))
    assert read["depends_on"] == ["B-2"] and read["rank"] == 1000
    assert team_view(read, FIELDS) == data


def test_the_teams_key_wins_over_a_contract_key_the_file_also_writes() -> None:
    """groom writes the team's key back, so it must read that one too: else a move would write
    ordinal while the order still followed a stray rank."""
    read = Reading(FIELDS).apply({"id": "B-1", "depends_on": ["B-3"], "dependencies": ["B-2"]})
    assert read["depends_on"] == ["B-2"]
    read = Reading(FIELDS).apply({"id": "B-1", "depends_on": ["B-3"]})
    assert read["depends_on"] == ["B-3"]  # no team key: the contract key is read as written


def test_writes_go_to_the_team_key() -> None:
    assert team_key("depends_on", FIELDS) == "dependencies"
    assert team_key("estimate", FIELDS) == "estimate"


def test_ids_in_any_case_or_with_an_old_prefix_are_one_id() -> None:
    reading = Reading((), (("task-", "BACK-"), ("back-", "BACK-")))
    read = reading.apply({"id": "back-7", "depends_on": ["task-2", "TASK-3.1", "BACK-4", "doc-1"], "parent": "Back-1"})
    assert read == {"id": "BACK-7", "depends_on": ["BACK-2", "BACK-3.1", "BACK-4", "doc-1"], "parent": "BACK-1"}


def test_references_under_a_team_key_are_read_and_checked_as_ids() -> None:
    reading = Reading((("depends_on", "dependencies"),), (("task-", "BACK-"),))
    read = reading.apply({"id": "BACK-1", "dependencies": ["task-2"]})
    assert read["depends_on"] == read["dependencies"] == ["BACK-2"]
    assert "depends_on" not in team_view(read, reading.fields)


def test_plain_reading_changes_nothing() -> None:
    data = {"id": "s-1", "depends_on": ["s-2"]}
    assert PLAIN.apply(dict(data)) == data


def _load(tmp_path: Path, text: str) -> config.Config:
    (tmp_path / "groom.toml").write_text(text)
    return config.load(tmp_path)


def test_config_reads_fields_ids_and_rank_kind(tmp_path: Path) -> None:
    loaded = _load(
        tmp_path,
        'id_prefix = ["BACK-"]\n[fields]\ndepends_on = "dependencies"\nrank = "ordinal"\nvalue = "value"\n'
        '[ids]\nmatch_case = false\naliases = { "task-" = "BACK-" }\n[rank]\nkind = "number"\n',
    )
    assert loaded.fields == (("depends_on", "dependencies"), ("rank", "ordinal"))
    assert loaded.reading.prefixes == (("task-", "BACK-"), ("back-", "BACK-"))
    assert loaded.rank_kind == "number"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[fields]\nsummary = "title2"\n', "fields.summary is not a contract key groom can rename"),
        ('[fields]\ndepends_on = "status"\n', "that key already has a meaning for groom"),
        ('[fields]\ndepends_on = "deps"\nparent = "deps"\n', "that key already has a meaning for groom"),
        ('[fields]\nparent = "parent task"\n', "is not a plain front matter key"),
        ('[ids]\naliases = { "task-" = "X-" }\n', "is not one of id_prefix"),
        ("[ids]\nmatch_case = 1\n", "ids.match_case must be true or false"),
        ('[rank]\nkind = "float"\n', "rank.kind must be one of auto, text, number"),
        ("[new]\nid_digits = 2.5\n", "new.id_digits must be a whole number from 0 to 9"),
        ('[new]\nfile_name = "{title}.md"\n', "write a file name ending in .md"),
        ('[new]\nfile_name = "{slug}.md"\n', "must hold {id} or {id_lower}"),
        ('[new]\nfile_name = "{id}}.md"\n', "a brace outside"),
        ('[new]\nfile_name = "{id}-{slug}{.md"\n', "a brace outside|write a file name"),
        ('[fields]\nowner = "derived"\n', "that key already has a meaning for groom"),
        ('[new]\nfolder = "../out"\n', "must be a folder inside the backlog folder"),
        ('[paths]\ninactive = [".hidden"]\n', "must be a folder inside the backlog folder"),
    ],
)
def test_config_refuses_what_cannot_be_read(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, text)


def test_the_schema_view_survives_a_worker_process() -> None:
    """Large backlogs are read in worker processes: the story comes back pickled, its values
    copies (an ordinal above 256 is no longer the same int object). The view must not change."""
    import pickle

    read = Reading(FIELDS).apply({"id": "B-1", "dependencies": ["B-2"], "ordinal": 123456})
    assert team_view(pickle.loads(pickle.dumps(read)), FIELDS) == {
        "id": "B-1",
        "dependencies": ["B-2"],
        "ordinal": 123456,
    }
