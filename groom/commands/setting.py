"""``groom set``: one story's front matter from the command line, through the guarded writer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from groom import edits, ready, setting
from groom.model import Story
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
    changes = setting.plan(
        story, assignments, ws.config, lambda: ready.Judge(ws.neighbourhood(story), ws.schemas), force=force
    )
    if not changes:
        return Set(story, changes, edits.Written(dry_run=dry_run))
    return Set(story, changes, ws.apply([edits.Change(story, changes)], dry_run=dry_run))
