"""The refinement meeting: its agenda, the open questions by owner, and stale stories.

Pure functions over the backlog's stories; ``commands.refine`` reads the files and git history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from groom import sprint
from groom.config import Config
from groom.errors import ConfigError
from groom.facts import Question
from groom.model import UNKNOWN, Story, Unreadable
from groom.numbers import points as show_points
from groom.ready import Gap, Judge

AIM_SPRINTS = 2.0
"""Sprints of ready work teams commonly aim to keep at the top of the backlog."""
DEFAULT_TOP = 10
"""Stories on a refinement agenda unless --top says otherwise."""
DEFAULT_STALE_DAYS = 180
"""Days without a change after which an open story is stale unless --days says otherwise."""


# ---------------------------------------------------------------------------------------
# actions


@dataclass(frozen=True, slots=True)
class Action:
    story: Story
    question: Question
    position: int = 0
    """The story's place among the open stories, 1 at the top."""


def actions(stories: Sequence[Story], config: Config, owner: str | None) -> list[tuple[str, list[Action]]]:
    """Open questions of open stories grouped by owner (named owners first, alphabetically;
    then the unassigned), each group highest-ranked story first. A question names its owner
    (``@mira: …``); one that does not goes to the story's owner (``owner``, or the team's key for
    it, e.g. Backlog.md's ``assignee``). Owners are one person whatever the case (@Mira and
    @mira); the group takes the first spelling met."""
    wanted = owner.lstrip("@").lower() if owner else None
    groups: dict[str, list[Action]] = {}
    names: dict[str, str] = {}
    position = 0
    for story in stories:  # already in backlog order
        if not config.is_open(story.status):
            continue
        position += 1
        fallback = story.owners[0].lstrip("@") if story.owners else ""
        for question in story.facts.open_questions:
            name = question.owner or fallback
            if wanted is not None and name.lower() != wanted:
                continue
            shown = names.setdefault(name.lower(), name)
            groups.setdefault(shown, []).append(Action(story, question, position))
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
    unreadable: tuple[Unreadable, ...] = ()

    @property
    def sprints_of_ready_work(self) -> float | None:
        if self.capacity is None or self.capacity.points <= 0:
            return None
        return self.ready_points / self.capacity.points


def _split_advice(story: Story, limit: float) -> str:
    points = story.points
    if story.estimate == UNKNOWN:
        return f"estimate is ?: break out a spike (groom split {story.id} --spike TITLE) or answer the questions"
    if points is not None and points > limit:
        return (
            f"{show_points(points)} points is above {show_points(limit)}: split it (groom split {story.id} --suggest)"
        )
    return ""


def agenda(stories: Sequence[Story], judge: Judge, config: Config, top: int = DEFAULT_TOP) -> Agenda:
    """The ``top`` highest-ranked open stories that are not ready, and the ready work there is."""
    items: list[AgendaItem] = []
    ready_points = 0.0
    ready_stories = 0
    for story in stories:
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
        capacity = sprint.capacity(stories, config, None)
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


@dataclass(frozen=True, slots=True)
class StaleReport:
    stories: tuple[Staleness, ...]
    days: int
    from_git: bool


def staleness(
    stories: Sequence[Story],
    config: Config,
    changed: Mapping[str, tuple[float, str]],
    from_git: bool,
    now: float,
    days: int = DEFAULT_STALE_DAYS,
) -> StaleReport:
    """Open stories not yet in a sprint whose file has not changed in ``days`` days, oldest
    first. ``changed`` maps each story's path to when it last changed and who changed it."""
    cutoff = now - days * 86_400
    found: list[Staleness] = []
    for story in stories:
        if not config.is_open(story.status) or story.status in config.final_statuses:
            continue
        when, author = changed[story.path]
        if when < cutoff:
            found.append(Staleness(story, when, author))
    found.sort(key=lambda item: (item.changed, item.story.order_key))
    return StaleReport(tuple(found), days, from_git)


def drop_changes(stale: Sequence[Staleness], config: Config) -> list[tuple[Story, dict[str, object]]]:
    """What ``--drop`` writes: the dropped role's status on every stale story."""
    dropped = config.role("dropped")
    return [(item.story, {"status": dropped}) for item in stale]
