"""The schemas: the fast validator must never call valid what the reference calls invalid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from groom import config, schemas


@pytest.fixture(scope="module")
def loaded() -> schemas.Schemas:
    return schemas.load(config.load(Path("/nonexistent-groom-test")))


BASE: dict[str, Any] = {
    "id": "S-1",
    "title": "A story",
    "status": "ready",
    "estimate": 3,
    "value": 5,
    "rank": "a0",
    "derived": {
        "narrative": True,
        "description": True,
        "acceptance_criteria": 1,
        "open_questions": 0,
        "dependencies_out_of_order": [],
    },
}

VARIANTS: list[dict[str, Any]] = [
    {},
    {"id": "X-1"},
    {"id": 1},
    {"id": "S-1.2"},
    {"title": ""},
    {"title": None},
    {"status": "doing"},
    {"estimate": 4},
    {"estimate": "?"},
    {"estimate": 3.0},
    {"estimate": True},
    {"estimate": 20},
    {"estimate": 100},
    {"value": -1},
    {"value": "high"},
    {"rank": "a 1"},
    {"rank": "a1V"},
    {"rank": ""},
    {"depends_on": ["S-2", "S-2"]},
    {"depends_on": "S-2"},
    {"depends_on": ["nope"]},
    {"labels": ["a", ""]},
    {"sprint": 24},
    {"sprint": 2.5},
    {"timebox": "2d"},
    {"timebox": "two days"},
    {"type": "spike"},
    {"type": "spike", "timebox": "1w"},
    {"type": "epic"},
    {"questions": ["open?", {"question": "x", "answered": True}]},
    {"questions": [{"owner": "ana"}]},
    {"derived": {**BASE["derived"], "open_questions": 2}},
    {"derived": {**BASE["derived"], "acceptance_criteria": 0}},
    {"derived": {**BASE["derived"], "narrative": False, "description": False}},
    {"derived": {**BASE["derived"], "narrative": False}},
    {"derived": {**BASE["derived"], "dependencies_out_of_order": ["S-9"]}},
]


@pytest.mark.parametrize("change", VARIANTS, ids=[str(v) for v in VARIANTS])
def test_fast_and_reference_validators_agree(loaded: schemas.Schemas, change: dict[str, Any]) -> None:
    instance = {**BASE, **change}
    for schema in (loaded.story, loaded.ready):
        reference = not any(True for _ in schema.validator.iter_errors(instance))
        assert schema.is_valid(instance) == reference, (schema.name, instance)


def test_fast_path_is_in_use(loaded: schemas.Schemas) -> None:
    assert "jsonschema_rs" in type(loaded.story.is_valid.__self__).__module__  # type: ignore[attr-defined]


def test_config_resource_reflects_the_team_scale(tmp_path: Path) -> None:
    (tmp_path / "groom.toml").write_text('id_prefix = "PAN-"\n[estimate]\nscale = [1, 2, 4]\nmax_story_points = 2\n')
    resource = schemas.config_resource(config.load(tmp_path))
    defs = resource["$defs"]
    assert defs["estimate"] == {"enum": [1, 2, 4]}
    assert defs["estimate_or_unknown"] == {"enum": [1, 2, 4, "?"]}
    assert defs["id"]["pattern"] == "^(?:PAN\\-)[0-9]+(?:\\.[0-9]+)*$"


def test_a_schema_jsonschema_rs_cannot_compile_is_judged_by_the_reference_validator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Fault injection: jsonschema-rs refusing a schema (a regex feature its engine lacks, say)
    # must cost only speed: every answer then comes from jsonschema.
    import jsonschema_rs

    def cannot_compile(*_: Any, **__: Any) -> Any:
        raise ValueError("unsupported regex feature")

    monkeypatch.setattr(jsonschema_rs, "validator_for", cannot_compile)
    slow = schemas.load(config.load(Path("/nonexistent-groom-test")))
    for schema in (slow.story, slow.ready):
        assert schema.is_valid == schema.validator.is_valid
    assert slow.story.is_valid(BASE)
    assert not slow.story.is_valid({**BASE, "status": "Ready"})
