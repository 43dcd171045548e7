"""``groom set``: one story's front matter from the command line, through the guarded writer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from groom import edits, ready, setting
from groom.model import Story
from groom.naming import team_key
from groom.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Set:
    story: Story
    changes: dict[str, Any]
    written: edits.Written


def set_fields(ws: Workspace, story_id: str, items: Sequence[str], *, force: bool, dry_run: bool = False) -> Set:
    story = ws.story(story_id)

    def kind(key: str) -> str | None:
        properties = ws.schemas.story.contents.get("properties", {})
        declared = properties.get(key, {}) if isinstance(properties, dict) else {}
        value = declared.get("type") if isinstance(declared, dict) else None
        return value if isinstance(value, str) else None

    assignments = setting.parse(items, kind)
    # A new dependency (or parent) is judged where it is: the story's own neighbourhood does not
    # hold it yet, so references read the whole backlog.
    references = {
        "depends_on",
        "parent",
        team_key("depends_on", ws.config.fields),
        team_key("parent", ws.config.fields),
    }
    whole = any(assignment.key in references for assignment in assignments)

    def judge() -> ready.Judge:
        return ready.Judge(ws.backlog if whole else ws.neighbourhood(story), ws.schemas)

    changes = setting.plan(story, assignments, ws.config, judge, force=force)
    if not changes:
        return Set(story, changes, edits.Written(dry_run=dry_run))
    return Set(story, changes, ws.apply([edits.Change(story, changes)], dry_run=dry_run))
