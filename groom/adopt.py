"""``groom init --from backlog-md``: the groom.toml and schemas that let groom read a Backlog.md
repository as it is. Plain text in, file contents out: init.py does the reading and writing.

Backlog.md (https://github.com/MrLesk/Backlog.md) keeps tasks as ``back-12 - Title.md`` files
with front matter in ``backlog/tasks``, ``backlog/completed`` and ``backlog/drafts``; its own
settings are in ``backlog/config.yml``. What maps onto groom's contract:

- ``dependencies`` → depends_on, ``parent_task_id`` → parent, ``assignee`` → owner, ``ordinal``
  → rank (a number: moves write the midpoint of the neighbours, as Backlog.md's board does);
- ids ``BACK-12`` (the task prefix, upper case), written ``back-12`` or ``task-12`` (the prefix
  before ``task_prefix`` was set) in references: one id, whatever the case or old prefix;
- the statuses of config.yml; every status before ``Done`` claims readiness (Backlog.md has no
  "ready" column: a task on the board is there to be picked), so the Definition of Ready applies
  to it; ``In Progress`` means work started; ``Done`` is done;
- ``docs``, ``decisions``, ``milestones``, ``assets`` are not tasks; ``completed`` and ``archive``
  hold tasks that are done or set aside: read for their ids, never open work, not judged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from groom import yamlio
from groom.errors import ConfigError, YamlError

DONE_NAMES = ("done", "completed", "closed")
NOT_STARTED = ("todo", "ready", "backlog", "open", "new")
_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9]*")
NOT_TASKS = ("docs", "decisions", "milestones", "assets", "archive/milestones", "archive/decisions", "archive/docs")
FINISHED = ("completed", "archive")
"""Folders of tasks that are done (completed) or set aside (archive): read, not worked on."""


@dataclass(frozen=True, slots=True)
class BacklogMd:
    """What groom needs of a Backlog.md config.yml."""

    statuses: tuple[str, ...]
    default_status: str
    prefix: str
    """The task id prefix as ids write it, ``BACK-``."""
    definition_of_done: tuple[str, ...]
    digits: int = 0
    """zero_padded_ids: new ids' numbers are this wide (0: not padded)."""


def read_config(text: str, shown: str) -> BacklogMd:
    """The settings of a Backlog.md ``config.yml``; ConfigError (one line) when it cannot be used."""
    try:
        data = yamlio.load_mapping(text)
    except YamlError as exc:
        message = exc.message.replace("front matter", "config.yml")
        raise ConfigError(f"line {exc.line + 1}: {message}; fix config.yml first", path=shown) from None
    statuses = data.get("statuses", ["To Do", "In Progress", "Done"])
    if not isinstance(statuses, list) or not all(isinstance(s, str) and s for s in statuses):
        raise ConfigError("statuses must be a list of status names", path=shown)
    if len(set(statuses)) < 2:
        raise ConfigError("statuses must name at least two statuses (work to do, and done)", path=shown)
    default = data.get("default_status") or statuses[0]
    if default not in statuses:
        raise ConfigError(f"default_status {default!r} is not one of statuses", path=shown)
    prefix = data.get("task_prefix") or "task"
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix) or prefix.lower() == "draft":
        raise ConfigError(
            f"task_prefix {prefix!r} cannot be an id prefix for groom: ASCII letters, then letters or digits "
            "(and not 'draft', which drafts use)",
            path=shown,
        )
    done = data.get("definition_of_done", [])
    done_items = tuple(str(item) for item in done) if isinstance(done, list) else ()
    padded = data.get("zero_padded_ids", 0)
    digits = padded if isinstance(padded, int) and not isinstance(padded, bool) and 0 <= padded <= 9 else 0
    return BacklogMd(tuple(statuses), default, prefix.upper() + "-", done_items, digits)


def _toml_list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def _comment(items: tuple[str, ...]) -> str:
    return "".join(f"#   - {item}\n" for item in items) or "#   (none in config.yml)\n"


def config_text(settings: BacklogMd, backlog: str) -> str:
    """groom.toml for a Backlog.md repository whose backlog folder is ``backlog`` (relative)."""
    statuses = settings.statuses
    done = [s for s in statuses if s.lower() in DONE_NAMES] or [statuses[-1]]
    # Backlog.md has no "ready" column: a task on the board is there to be picked, so every
    # status before done claims the DoR; the ones past the default mean work has started.
    ready = [s for s in statuses if s not in done]
    started = [s for s in ready if s != settings.default_status and s.lower().replace(" ", "") not in NOT_STARTED]
    aliases = "" if settings.prefix == "TASK-" else f'aliases = {{ "task-" = "{settings.prefix}" }}\n'
    return f"""\
# groom on a Backlog.md repository (written by groom init --from backlog-md).
# Backlog.md stays the tool the team edits tasks with; groom checks them and plans with them.
# Paths are relative to this file.

backlog = {json.dumps(backlog)}
# Not tasks at all (docs, decisions, milestones, assets): not read.
exclude = {_toml_list(["readme.md", "README.md", *NOT_TASKS])}
id_prefix = {_toml_list([settings.prefix, "DRAFT-"])}   # tasks, then drafts
types = ["story", "spike", "bug", "chore", "feature", "enhancement", "task", "docs", "refactor", "other"]

[paths]
# Finished (completed) or set aside (archive): their ids are taken and may be referred to,
# a dependency on a completed task is met; they are not open work and are not judged.
inactive = {_toml_list(FINISHED)}

[new]                            # where groom new writes, named as Backlog.md names tasks
folder = "tasks"
file_name = "{{id_lower}} - {{words}}.md"
id_digits = {settings.digits}                     # zero_padded_ids in config.yml

[ids]
match_case = false               # back-12 and BACK-12 are one id, as in Backlog.md
{aliases}
[fields]                         # Backlog.md's names for groom's keys
depends_on = "dependencies"
parent = "parent_task_id"
owner = "assignee"
rank = "ordinal"                 # the board order
# estimate = "story_points"      # if the team records points (add an "estimated" item to the DoR)

[schemas]                        # the team's own copies; edit them to change the rules
story = "schemas/story.schema.json"   # what every task meets
ready = "schemas/ready.schema.json"   # the Definition of Ready

[status]                         # from config.yml
all = {_toml_list(statuses)}
ready = {_toml_list(ready)}    # on the board: the task must meet the DoR
final = {_toml_list(started)}    # work started: the estimate is final
done = {_toml_list(done)}
inactive = []
new = {json.dumps(settings.default_status)}             # groom new
backlog = {json.dumps(settings.default_status)}         # where unfinished work returns
{f"planned = {json.dumps(started[0])}" if started else "# planned = (no started status)"}
# Backlog.md has no split or dropped status: add one to status.all and status.inactive, then
# name it here, to use groom split and groom stale --drop.

[rank]
kind = "number"                  # ordinal is a number

# Backlog.md's Definition of Done (groom does not check it):
{_comment(settings.definition_of_done)}"""


def story_schema() -> dict[str, Any]:
    """The structure every Backlog.md task meets, in Backlog.md's own key names."""
    ids = {"$ref": "urn:groom:config#/$defs/id"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:groom:schema:story",
        "title": "Backlog.md task",
        "description": "What every task file meets, whatever its status. Backlog.md may add other keys.",
        "type": "object",
        "required": ["id", "title", "status"],
        "properties": {
            "id": ids,
            "title": {"type": "string", "minLength": 1},
            "status": {"$ref": "urn:groom:config#/$defs/status"},
            "assignee": {"type": ["array", "string"], "items": {"type": "string"}},
            "reporter": {"type": "string"},
            "labels": {"type": "array", "items": {"type": "string"}},
            "dependencies": {"type": "array", "items": {"type": "string"}},
            "parent_task_id": {"type": "string"},
            "ordinal": {"type": "number"},
            "priority": {"enum": ["high", "medium", "low"]},
            "milestone": {"type": "string"},
        },
    }


def ready_schema() -> dict[str, Any]:
    """A Definition of Ready that fits a Backlog.md team: a description, acceptance criteria,
    no open questions, dependencies first. No points: Backlog.md does not record them."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:groom:schema:ready",
        "title": "Definition of Ready",
        "description": "Every task whose status claims work has started meets each item below. Each item's "
        "title is the rule name in findings and its description the advice shown.",
        "allOf": [
            {
                "title": "description",
                "description": "write what the task is about under '## Description'",
                "properties": {
                    "derived": {
                        "anyOf": [
                            {"properties": {"description": {"const": True}}},
                            {"properties": {"narrative": {"const": True}}},
                        ]
                    }
                },
            },
            {
                "title": "acceptance-criteria",
                "description": "add at least one acceptance criterion (a '- [ ]' item under '## Acceptance Criteria')",
                "properties": {"derived": {"properties": {"acceptance_criteria": {"minimum": 1}}}},
            },
            {
                "title": "no-open-questions",
                "description": "answer the open questions (tick them) or turn them into a task of their own",
                "properties": {"derived": {"properties": {"open_questions": {"const": 0}}}},
            },
            {
                "title": "dependencies-in-order",
                "description": "put every dependency that is not done above this task on the board",
                "properties": {"derived": {"properties": {"dependencies_out_of_order": {"maxItems": 0}}}},
            },
        ],
    }


def schema_bytes(schema: dict[str, Any]) -> bytes:
    return (json.dumps(schema, indent=2, ensure_ascii=False) + "\n").encode()
