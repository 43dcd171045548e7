"""``groom refine``, ``groom actions`` and ``groom stale``: preparing the refinement meeting."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

from groom import edits, git, refine
from groom.model import refuse_unreadable
from groom.workspace import Workspace


def agenda(ws: Workspace, top: int = refine.DEFAULT_TOP) -> refine.Agenda:
    backlog = ws.judged("gaps", only=lambda story: ws.config.is_open(story.status))
    return replace(refine.agenda(backlog.stories, ws.judge, ws.config, top), unreadable=backlog.unreadable)


def actions(ws: Workspace, owner: str | None) -> list[tuple[str, list[refine.Action]]]:
    return refine.actions(ws.backlog.stories, ws.config, owner)


@dataclass(frozen=True, slots=True)
class Stale:
    report: refine.StaleReport
    written: edits.Written | None
    """What --drop wrote (or would write with --dry-run); None without --drop."""
    dropped: str = ""
    """The status --drop gives (the dropped role)."""


def stale(ws: Workspace, days: int = refine.DEFAULT_STALE_DAYS, *, drop: bool = False, dry_run: bool = False) -> Stale:
    """Open stories unchanged for ``days`` days, from one pass over git history (outside git,
    the files' modification times); with ``drop`` they get the dropped role's status."""
    stories = ws.backlog.stories
    if drop and not dry_run:
        refuse_unreadable(ws.backlog.unreadable, "drop stale stories (one of them may be in that file)")
    history = git.last_changes(ws.config.backlog, ignore=("rank",))
    changed = {}
    for story in stories:
        known = history.get(str(Path(story.path).resolve())) if history is not None else None
        changed[story.path] = known or (os.stat(story.path).st_mtime, "")
    report = refine.staleness(stories, ws.config, changed, history is not None, time.time(), days)
    if not drop:
        return Stale(report, None)
    planned = [edits.Change(story, fields) for story, fields in refine.drop_changes(report.stories, ws.config)]
    return Stale(report, ws.apply(planned, dry_run=dry_run), ws.config.role("dropped"))
