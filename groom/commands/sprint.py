"""``groom sprint-candidates``, ``groom plan``, ``groom close`` and ``groom velocity``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from groom import edits, git, sprint, sprintloop
from groom.model import refuse_unreadable
from groom.workspace import Workspace


def candidates(ws: Workspace, given: float | None, fill: str | None, sprints: int, seed: int) -> sprint.Selection:
    """Capacity, selection, confidence and forecast; the files that could not be read ride along."""
    backlog = ws.backlog
    cap = sprint.capacity(backlog.stories, ws.config, given)
    chosen = fill or ws.config.fill
    return sprint.select(backlog.stories, ws.judge, ws.config, cap, chosen, sprints, seed, backlog.unreadable)


@dataclass(frozen=True, slots=True)
class Planned:
    name: str
    selection: sprint.Selection
    written: edits.Written


def plan(
    ws: Workspace,
    name: str,
    given: float | None,
    fill: str | None,
    exclude: Sequence[str],
    *,
    add: bool = False,
    dry_run: bool = False,
) -> Planned:
    """``groom plan``: commit this run's candidates to the sprint, all files or none."""
    backlog = ws.backlog
    refuse_unreadable(backlog.unreadable, f"plan sprint {name} (a story may be in that file)")
    exclude = [ws.id(story_id) for story_id in exclude]
    for story_id in exclude:
        backlog.get(story_id)  # an unknown id is a mistake worth saying
    cap = sprint.capacity(backlog.stories, ws.config, given)
    held = sprintloop.members(backlog.stories, str(sprintloop.sprint_value(name))) if add else []
    used = sum(sprint.story_points(story, ws.config) or 0.0 for story in held)
    if used:
        cap = replace(
            cap,
            points=max(cap.points - used, 0.0),
            source=f"{cap.source}, less {used:g} points already in sprint {name}",
        )
    selection = sprint.select(backlog.stories, ws.judge, ws.config, cap, fill or ws.config.fill, exclude=set(exclude))
    planned = sprintloop.plan(selection, backlog.stories, ws.config, name, add=add)
    changes = [edits.Change(story, fields) for story, fields in planned]
    return Planned(str(sprintloop.sprint_value(name)), selection, ws.apply(changes, dry_run=dry_run))


@dataclass(frozen=True, slots=True)
class Closed:
    closing: sprintloop.Closing
    written: edits.Written


def close(ws: Workspace, name: str, to: str | None, *, dry_run: bool = False) -> Closed:
    """``groom close``: unfinished stories to the next sprint or back to the backlog."""
    backlog = ws.backlog
    refuse_unreadable(backlog.unreadable, f"close sprint {name} (a story of it may be in that file)")
    closing = sprintloop.close(backlog.stories, ws.config, name, to)
    changes = [edits.Change(story, fields) for story, fields in closing.changes]
    return Closed(closing, ws.apply(changes, dry_run=dry_run))


def velocity(ws: Workspace, last: int | None) -> sprintloop.Velocity:
    """Velocity per sprint; committed points from git history when the backlog is in git."""
    ever = git.values_ever(ws.config.backlog, "sprint")
    stories = ws.backlog.stories
    by_path = None if ever is None else {s.path: ever.get(str(Path(s.path).resolve()), set()) for s in stories}
    return sprintloop.velocity(stories, ws.config, by_path, last)
