"""The sprint itself: committing the candidates (``groom plan``), ending it (``groom close``)
and the velocity it leaves behind (``groom velocity``). Pure: stories in, changes out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from groom import rank
from groom.config import Config
from groom.errors import GroomError
from groom.model import REMOVE, Story, id_key
from groom.sprint import HISTORY_WINDOW, Selection, story_points

Changes = list[tuple[Story, dict[str, Any]]]


def sprint_value(name: str) -> str | int:
    """How a sprint name is written: ``24`` as the number 24, anything else as text."""
    cleaned = name.strip()
    if not cleaned or any(ch in cleaned for ch in "\n#:"):
        raise GroomError(f"{name!r} is not a sprint name; use something like 2026-24 or 24")
    return int(cleaned) if cleaned.isdigit() else cleaned


def members(stories: Sequence[Story], name: str) -> list[Story]:
    """The stories whose ``sprint`` is this sprint (compared as text: 24 and "24" are one)."""
    return [story for story in stories if (sprint := story.raw("sprint")) is not None and str(sprint) == name]


def plan(selection: Selection, stories: Sequence[Story], config: Config, name: str, *, add: bool) -> Changes:
    """``groom plan``: the candidates get the planned role's status and ``sprint: name``."""
    value = sprint_value(name)
    already = members(stories, str(value))
    if already and not add:
        ids = ", ".join(story.id for story in already[:5]) + (", …" if len(already) > 5 else "")
        raise GroomError(
            f"sprint {value} already holds {len(already)} stor{'y' if len(already) == 1 else 'ies'} ({ids}); "
            "pass --add to add the candidates to it, or name another sprint"
        )
    if not selection.candidates:
        raise GroomError("no story fits this sprint: groom sprint-candidates says why; nothing was planned")
    planned = config.role("planned")
    return [(c.story, {"status": planned, "sprint": value}) for c in selection.candidates]


@dataclass(frozen=True, slots=True)
class Closing:
    name: str
    done: tuple[Story, ...]
    unfinished: tuple[Story, ...]
    changes: Changes
    committed_points: float
    done_points: float
    destination: str
    """The next sprint's name, or "" when unfinished stories go back to the backlog."""


def close(stories: Sequence[Story], config: Config, name: str, to: str | None) -> Closing:
    """``groom close``: done stories keep their sprint (the velocity history); every other open
    story of the sprint goes to the next sprint, or back to the backlog role's status at the top
    of the ready stories, its estimate kept."""
    value = sprint_value(name)
    inside = [story for story in members(stories, str(value)) if story.status not in config.inactive_statuses]
    if not inside:
        raise GroomError(f"no open or done story has sprint: {value}; check the sprint's name")
    done = tuple(story for story in inside if story.status in config.done_statuses)
    unfinished = tuple(story for story in inside if story.status not in config.done_statuses)
    committed = sum(story_points(story, config) or 0.0 for story in inside)
    done_points = sum(story_points(story, config) or 0.0 for story in done)
    if to is not None:
        target = sprint_value(to)
        if str(target) == str(value):
            raise GroomError(f"--to {to}: that is the sprint being closed; name the next one")
        changes: Changes = [(story, {"sprint": target}) for story in unfinished]
        return Closing(str(value), done, unfinished, changes, committed, done_points, str(target))
    backlog = config.role("backlog")
    space = rank.space((story.rank for story in stories), config.rank_kind)
    keys = _top_of_ready(stories, backlog, len(unfinished), space)
    changes = [
        (story, {"status": backlog, "sprint": REMOVE, **({"rank": space.written(key)} if key is not None else {})})
        for story, key in zip(unfinished, keys, strict=True)
    ]
    return Closing(str(value), done, unfinished, changes, committed, done_points, "")


def _top_of_ready(stories: Sequence[Story], ready: str, count: int, keys: rank.Keys) -> list[Any]:
    """Keys that put ``count`` stories just above the first ready story (or at the top)."""
    if not count:
        return []
    ranked = [(story, keys.of(story.rank)) for story in stories if keys.is_valid(story.rank)]
    first = next((i for i, (story, _) in enumerate(ranked) if story.status == ready), None)
    if first is None:
        high = ranked[0][1] if ranked else None
        return list(keys.n_between(None, high, count))
    low = ranked[first - 1][1] if first > 0 else None
    return list(keys.n_between(low, ranked[first][1], count))


@dataclass(frozen=True, slots=True)
class SprintVelocity:
    sprint: str
    done_points: float
    done_stories: int
    committed_points: float | None
    """Points of every story that was ever in the sprint; None when that is unknown."""


@dataclass(frozen=True, slots=True)
class Velocity:
    sprints: tuple[SprintVelocity, ...]
    mean_last_3: float | None
    committed_source: str
    """Where the committed figures come from, in words."""
    counted: int = 0
    """How many sprints the mean is over (three, or fewer when there are fewer)."""


def velocity(
    stories: Sequence[Story],
    config: Config,
    ever_in: Mapping[str, set[str]] | None,
    last: int | None = None,
) -> Velocity:
    """Per sprint, oldest first: done stories and points, and (with ``ever_in``, the sprints
    each story's file was ever in, from git) the points committed to it."""
    done: dict[str, list[Story]] = {}
    running: set[str] = set()
    for story in stories:
        sprint = story.raw("sprint")
        if sprint is not None and story.status in config.done_statuses:
            done.setdefault(str(sprint), []).append(story)
        elif sprint is not None and config.is_open(story.status):
            running.add(str(sprint))
    # A sprint that finished nothing is known from git alone; one still holding open stories is
    # not over yet and is no velocity.
    ended = {name for values in (ever_in or {}).values() for name in values} - running
    names = sorted(set(done) | ended, key=id_key)
    rows = []
    for name in names:
        points = sum(story_points(story, config) or 0.0 for story in done.get(name, []))
        committed = None
        if ever_in is not None:
            committed = sum(
                story_points(story, config) or 0.0
                for story in stories
                if story.status not in config.inactive_statuses
                and (name in ever_in.get(story.path, set()) or str(story.raw("sprint")) == name)
            )
        rows.append(SprintVelocity(name, points, len(done.get(name, [])), committed))
    recent = rows[-HISTORY_WINDOW:]
    mean = sum(row.done_points for row in recent) / len(recent) if recent else None
    counted = len(recent)
    shown = tuple(rows[-last:]) if last else tuple(rows)
    source = (
        "committed: points of every story that was ever in the sprint, from git history"
        if ever_in is not None
        else "committed: unknown outside a git repository"
    )
    return Velocity(shown, mean, source, counted)
