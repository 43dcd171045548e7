"""``groom sprint-candidates``: what fits the next sprint, and why the rest does not."""

from __future__ import annotations

from groom import sprint
from groom.workspace import Workspace


def candidates(ws: Workspace, given: float | None, fill: str | None, sprints: int, seed: int) -> sprint.Selection:
    """Capacity, selection, confidence and forecast; the files that could not be read ride along."""
    backlog = ws.backlog
    cap = sprint.capacity(backlog.stories, ws.config, given)
    chosen = fill or ws.config.fill
    return sprint.select(backlog.stories, ws.judge, ws.config, cap, chosen, sprints, seed, backlog.unreadable)
