"""``groom split``, ``groom new`` and ``groom renumber``: the commands that make or rename files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from groom import edits, split, storyfile
from groom.backlog import display_path
from groom.errors import GroomError
from groom.model import Story, refuse_unreadable
from groom.naming import FieldMap, team_key
from groom.workspace import Workspace


def _new_file(new: split.NewStory, fields: FieldMap) -> edits.NewFile:
    values = {team_key(key, fields): value for key, value in new.fields.items()}
    return edits.NewFile(new.path, storyfile.render_new(values, new.body), new.display, new.id)


@dataclass(frozen=True, slots=True)
class Split:
    plan: split.Plan
    written: edits.Written


def split_story(
    ws: Workspace,
    story_id: str,
    *,
    into: Sequence[str] = (),
    by_criteria: bool = False,
    groups: Sequence[str] = (),
    spike: str | None = None,
    timebox: str = split.DEFAULT_TIMEBOX,
    force: bool = False,
    dry_run: bool = False,
) -> Split:
    """Children (or a spike) for one story and the parent's new values, all files or none."""
    story = ws.story(story_id)
    order = ws.placements
    refuse_unreadable(ws.unreadable, f"split {story_id}")
    taken = ws.taken_ids()
    if spike is not None:
        plan = split.plan_spike(story, spike, timebox, order, taken, ws.config)
    elif by_criteria:
        plan = split.plan_by_criteria(story, groups, into, order, taken, ws.config, force=force)
    else:
        plan = split.plan_into(story, into, order, taken, ws.config, force=force)
    changes = [edits.Change(story, plan.changes)]
    created = [_new_file(new, ws.config.fields) for new in plan.created]
    return Split(plan, ws.apply(changes, created, dry_run=dry_run))


def suggest(ws: Workspace, story_id: str) -> tuple[Story, list[split.Suggestion]]:
    story = ws.story(story_id)
    return story, split.suggest(story, ws.body(story), ws.config)


@dataclass(frozen=True, slots=True)
class Created:
    story: split.NewStory
    written: edits.Written


def new(
    ws: Workspace, title: str, story_type: str, *, top: bool = False, after: str | None = None, dry_run: bool = False
) -> Created:
    """A story from the template with the next free id, where the options say."""
    if top and after is not None:
        raise GroomError("give --top or --after ID, not both")
    order = ws.placements
    refuse_unreadable(ws.unreadable, "place a new story")
    folder = ws.config.backlog / ws.config.new_folder if ws.config.new_folder else ws.config.backlog
    story = split.plan_new(
        title,
        story_type,
        order,
        ws.taken_ids(),
        ws.config,
        (str(folder), display_path(folder, ws.cwd)),
        top=top,
        after=ws.id(after) if after else None,
    )
    created = [_new_file(story, ws.config.fields)]
    return Created(story, ws.apply(created=created, dry_run=dry_run))


@dataclass(frozen=True, slots=True)
class Renumbered:
    plan: split.Renumber
    written: edits.Written


def renumber(ws: Workspace, target: str, new_id: str | None, *, dry_run: bool = False) -> Renumbered:
    """A fresh id for the story in ``target`` (an id, or its file), every reference updated."""
    backlog = ws.backlog
    as_path = (ws.cwd / target).resolve()
    if as_path.is_file():
        matches = [s for s in backlog.stories if Path(s.path).resolve() == as_path]
        if not matches:
            broken = [u for u in backlog.unreadable if Path(u.path).resolve() == as_path]
            if broken:
                raise broken[0].error_for(target)
            raise GroomError(f"{target} is not a story of this backlog")
        story = matches[0]
    else:
        story = split.one_holder(backlog, ws.id(target))
    refuse_unreadable(backlog.unreadable, f"renumber {story.id} (a reference to it could be in that file)")
    plan = split.plan_renumber(backlog, story, ws.id(new_id) if new_id else None, ws.taken_ids())
    changes = [edits.Change(other, keys) for other, keys in plan.references]
    if plan.new_path == story.path:
        changes.append(edits.Change(story, {"id": plan.new_id}))
    else:
        changes.append(edits.Change(story, {"id": plan.new_id}, plan.new_path, plan.new_display))
    return Renumbered(plan, ws.apply(changes, dry_run=dry_run))
