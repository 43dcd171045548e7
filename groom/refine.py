"""The refinement meeting: its agenda, the open questions by owner, and stale stories.

Pure functions over a loaded backlog, except ``staleness``, which reads git history once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from groom import sprint
from groom.backlog import Story
from groom.errors import ConfigError
from groom.facts import Question
from groom.ids import git_output
from groom.numbers import points as show_points
from groom.ready import Gap
from groom.workspace import Workspace

AIM_SPRINTS = 2.0
"""Sprints of ready work teams commonly aim to keep at the top of the backlog."""


# ---------------------------------------------------------------------------------------
# actions


@dataclass(frozen=True, slots=True)
class Action:
    story: Story
    question: Question


def actions(ws: Workspace, owner: str | None) -> list[tuple[str, list[Action]]]:
    """Open questions of open stories grouped by owner (named owners first, alphabetically;
    then the unassigned), each group highest-ranked story first."""
    wanted = owner.lstrip("@").lower() if owner else None
    groups: dict[str, list[Action]] = {}
    for story in ws.backlog.stories:  # already in backlog order
        if not ws.config.is_open(story.status):
            continue
        for question in story.facts.open_questions:
            name = question.owner or ""
            if wanted is not None and name.lower() != wanted:
                continue
            groups.setdefault(name, []).append(Action(story, question))
    return sorted(groups.items(), key=lambda item: (item[0] == "", item[0].lower()))


# ---------------------------------------------------------------------------------------
# agenda


@dataclass(frozen=True, slots=True)
class AgendaItem:
    story: Story
    gaps: tuple[Gap, ...]
    questions: tuple[Question, ...]
    split_advice: str
    """Why and how to split, when the story is too big or cannot be estimated; else empty."""


@dataclass(frozen=True, slots=True)
class Agenda:
    items: tuple[AgendaItem, ...]
    ready_points: float
    ready_stories: int
    capacity: sprint.Capacity | None

    @property
    def sprints_of_ready_work(self) -> float | None:
        if self.capacity is None or self.capacity.points <= 0:
            return None
        return self.ready_points / self.capacity.points


def _split_advice(story: Story, limit: float) -> str:
    points = story.estimate
    if points == "?":
        return f"estimate is ?: break out a spike (groom split {story.id} --spike TITLE) or answer the questions"
    if isinstance(points, int | float) and not isinstance(points, bool) and points > limit:
        return f"{points} points is above {show_points(limit)}: split it (groom split {story.id} --suggest)"
    return ""


def agenda(ws: Workspace, top: int) -> Agenda:
    """The ``top`` highest-ranked open stories that are not ready, and the ready work there is."""
    config = ws.config
    judge = ws.judge
    items: list[AgendaItem] = []
    ready_points = 0.0
    ready_stories = 0
    for story in ws.backlog.stories:
        if not config.is_open(story.status) or story.status in config.final_statuses:
            continue
        gaps = tuple(judge.gaps(story))
        if not gaps and story.status in config.ready_statuses:
            points = sprint.story_points(story, config)
            ready_points += points or 0.0
            ready_stories += 1
            continue
        if len(items) < top:
            items.append(
                AgendaItem(story, gaps, story.facts.open_questions, _split_advice(story, config.max_story_points))
            )
    try:
        capacity = sprint.capacity(ws.backlog.stories, config, None)
    except ConfigError:
        capacity = None
    return Agenda(tuple(items), ready_points, ready_stories, capacity)


# ---------------------------------------------------------------------------------------
# stale stories


@dataclass(frozen=True, slots=True)
class Staleness:
    story: Story
    changed: float
    """When the file last changed (seconds since the epoch)."""
    author: str
    """Who changed it last; empty when the date comes from the file system."""


def _git_history(folder: Path) -> dict[str, tuple[float, str]] | None:
    """Last commit time and author per file under ``folder``, from one ``git log``; None
    outside a git repository."""
    top = git_output(["rev-parse", "--show-toplevel"], folder)
    if top is None:
        return None
    root = Path(top.strip())
    target = str(folder.resolve())
    log = git_output(["log", "--no-renames", "--format=%x00%ct%x09%an", "--name-only", "--", target], root, 300)
    seen: dict[str, tuple[float, str]] = {}
    when, author = 0.0, ""
    for line in (log or "").splitlines():  # no output: no commits yet
        if line.startswith("\0"):
            stamp, _, author = line[1:].partition("\t")
            when = float(stamp)
        elif line:
            # Newest commits come first: the first time a file appears is its last change.
            seen.setdefault(str((root / line).resolve()), (when, author))
    for line in (git_output(["status", "--porcelain", "--no-renames", "--", target], root, 60) or "").splitlines():
        # An uncommitted change is a change now; untracked files fall back to their mtime.
        if line[:2] != "??":
            seen[str((root / line[3:]).resolve())] = (time.time(), "(uncommitted)")
    return seen


@dataclass(frozen=True, slots=True)
class StaleReport:
    stories: tuple[Staleness, ...]
    days: int
    from_git: bool


def staleness(ws: Workspace, days: int) -> StaleReport:
    """Open stories whose file has not changed in ``days`` days, oldest first."""
    history = _git_history(ws.config.backlog)
    cutoff = time.time() - days * 86_400
    found: list[Staleness] = []
    for story in ws.backlog.stories:
        if not ws.config.is_open(story.status):
            continue
        resolved = str(Path(story.path).resolve())
        if history is not None and resolved in history:
            changed, author = history[resolved]
        else:
            changed, author = os.stat(story.path).st_mtime, ""
        if changed < cutoff:
            found.append(Staleness(story, changed, author))
    found.sort(key=lambda item: (item.changed, item.story.order_key))
    return StaleReport(tuple(found), days, history is not None)


def drop_plan(ws: Workspace, stale: Sequence[Staleness]) -> list[tuple[Story, dict[str, object]]]:
    dropped = "dropped" if "dropped" in ws.config.statuses else ws.config.inactive_statuses[-1]
    return [(item.story, {"status": dropped}) for item in stale]
