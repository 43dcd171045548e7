"""``groom estimate``: one value, a planning-poker round, or what is not estimated yet."""

from __future__ import annotations

from dataclasses import dataclass

from groom import edits, estimate, ready
from groom.model import Story
from groom.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Estimated:
    change: estimate.Change
    written: edits.Written


def set_estimate(
    ws: Workspace, story_id: str, points: estimate.Points, *, force: bool, dry_run: bool = False
) -> Estimated:
    """Write ``estimate: points`` into the story's file (one line), unless refused."""
    story = ws.story(story_id)
    change = estimate.plan(
        story, points, ws.config, lambda: ready.Judge(ws.neighbourhood(story), ws.schemas), force=force
    )
    if not change.needed:
        return Estimated(change, edits.Written(dry_run=dry_run))
    planned = [edits.Change(story, {"estimate": points})]
    return Estimated(change, ws.apply(planned, dry_run=dry_run))


@dataclass(frozen=True, slots=True)
class Poker:
    story_id: str
    round: estimate.Round
    estimated: Estimated | None
    """The consensus as written; None when the team votes again."""
    dry_run: bool = False


def poker(ws: Workspace, story_id: str, votes: str, *, force: bool, dry_run: bool = False) -> Poker:
    """Settle one planning-poker round; a consensus is written like ``set_estimate``."""
    result = estimate.play(estimate.parse_votes(votes, ws.config), ws.config)
    if result.consensus is None:
        story = ws.story(story_id)  # an unknown or unreadable id is still an error
        return Poker(story.id, result, None, dry_run)
    return Poker(story_id, result, set_estimate(ws, story_id, result.consensus, force=force, dry_run=dry_run), dry_run)


def missing(ws: Workspace) -> list[Story]:
    return estimate.missing(ws.backlog.stories, ws.config)
