"""``groom reprioritize``: move one story, reorder by score, or rebalance the keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from groom import edits, rank, reorder
from groom.model import holder, refuse_unreadable
from groom.workspace import Workspace


def _changes(rewrites: Sequence[reorder.Rewrite]) -> list[edits.Change]:
    return [edits.Change(r.source, {"rank": rank.written(r.new)}) for r in rewrites]


def _write(ws: Workspace, rewrites: Sequence[reorder.Rewrite], dry_run: bool) -> edits.Written:
    return ws.apply(_changes(rewrites), dry_run=dry_run)


@dataclass(frozen=True, slots=True)
class Moved:
    move: reorder.Move
    written: edits.Written


def move(ws: Workspace, story_id: str, target: reorder.Target, *, dry_run: bool = False) -> Moved:
    """Rewrite one story's rank (and first ranks for unranked neighbours, if it must)."""
    story_id = ws.id(story_id)
    if target.other is not None:
        target = reorder.Target(target.where, ws.id(target.other))
    order = ws.placements
    for named in (story_id, target.other):
        broken = holder(ws.unreadable, named) if named else None
        if broken is not None and named not in {p.id for p in order}:
            raise broken.error_for(named or "")
    refuse_unreadable(ws.unreadable, f"move {story_id}")
    planned = reorder.move(
        order, story_id, target, ws.config.done_statuses, ws.config.ready_statuses, ws.config.rank_kind
    )
    return Moved(planned, _write(ws, planned.rewrites, dry_run))


@dataclass(frozen=True, slots=True)
class Reordered:
    reorder: reorder.Reorder
    written: edits.Written


def by_score(ws: Workspace, method: str, *, dry_run: bool = False) -> Reordered:
    """Order the open backlog by score with as few rank rewrites as possible."""
    backlog = ws.backlog
    if not dry_run:
        refuse_unreadable(backlog.unreadable, f"reorder the backlog by {method}")
    planned = reorder.by_score(backlog.stories, ws.config, method)
    return Reordered(planned, _write(ws, planned.rewrites, dry_run))


@dataclass(frozen=True, slots=True)
class Rebalanced:
    rewrites: tuple[reorder.Rewrite, ...]
    written: edits.Written


def rebalance(ws: Workspace, *, dry_run: bool = False) -> Rebalanced:
    order = ws.placements
    refuse_unreadable(ws.unreadable, "rebalance the ranks")
    rewrites = reorder.rebalance(order, ws.config.rank_kind)
    return Rebalanced(tuple(rewrites), _write(ws, rewrites, dry_run))
