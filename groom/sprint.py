"""Sprint candidates: what fits the next sprint, why the rest does not, and how sure we are.

Pure computation over the backlog's stories: capacity from the command line, groom.toml or the
velocity of past sprints ("yesterday's weather": the mean of the last three); a walk of the
open backlog in order that selects ready stories that fit; Monte Carlo readings over the
past velocities, seeded so the same backlog prints the same numbers.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from groom.config import Config
from groom.errors import ConfigError
from groom.model import Story, Unreadable, holder, id_key
from groom.numbers import points as fmt
from groom.ready import Gap, Judge

TRIALS = 10_000
DEFAULT_SEED = 42
HISTORY_WINDOW = 3
"""Sprints the capacity is averaged over."""
MAX_CAPACITY = 100_000
"""The largest --capacity taken: more points than any team plans in a sprint."""
MIN_HISTORY = 3
"""Fewer past sprints than this give no confidence reading."""


@dataclass(frozen=True, slots=True)
class Capacity:
    points: float
    source: str
    """In words: where the number came from."""
    history: tuple[tuple[str, float], ...]
    """(sprint, velocity) of every past sprint known, oldest first."""


def velocity_history(stories: Sequence[Story], config: Config) -> tuple[tuple[str, float], ...]:
    """Points of done stories per sprint, oldest first; or the [sprint] velocity list."""
    if config.velocity:
        return tuple((f"#{index + 1}", value) for index, value in enumerate(config.velocity))
    per_sprint: dict[str, float] = {}
    for story in stories:
        sprint = story.data.get("sprint")
        points = story.points
        if story.status in config.done_statuses and sprint is not None and points is not None:
            per_sprint[str(sprint)] = per_sprint.get(str(sprint), 0.0) + points
    return tuple(sorted(per_sprint.items(), key=lambda item: id_key(item[0])))


def capacity(stories: Sequence[Story], config: Config, given: float | None) -> Capacity:
    """``--capacity``, else [sprint] capacity, else the mean velocity of the last three sprints."""
    history = velocity_history(stories, config)
    if given is not None:
        if not math.isfinite(given) or given > MAX_CAPACITY:
            raise ConfigError(f"--capacity {given:g}: give a number of points from 0 to {MAX_CAPACITY:,}")
        return Capacity(given, "given with --capacity", history)
    if config.capacity is not None:
        return Capacity(config.capacity, "[sprint] capacity in groom.toml", history)
    if not history:
        raise ConfigError(
            "no capacity: pass --capacity N, set [sprint] velocity = [...] or capacity = N in groom.toml, "
            "or give done stories their sprint (sprint: 2026-24) so groom can measure the velocity"
        )
    recent = history[-HISTORY_WINDOW:]
    mean = sum(points for _, points in recent) / len(recent)
    used = ", ".join(f"{name}: {fmt(points)}" for name, points in recent)
    where = "[sprint] velocity in groom.toml" if config.velocity else "done stories"
    return Capacity(mean, f"mean velocity of the last {len(recent)} sprint(s) ({used}; from {where})", history)


@dataclass(frozen=True, slots=True)
class Candidate:
    story: Story
    points: float
    cumulative: float


@dataclass(frozen=True, slots=True)
class Excluded:
    story: Story
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Confidence:
    sprints: int
    """Past sprints the reading uses."""
    share: float | None
    """Share of past velocities at or above the total; None when history is too short."""


@dataclass(frozen=True, slots=True)
class ForecastSprint:
    number: int
    stories: tuple[Story, ...]
    points: float
    cumulative: float
    p50: int | None
    """Sprints needed to finish everything up to here in half of the Monte Carlo trials."""
    p85: int | None


@dataclass(frozen=True, slots=True)
class Selection:
    capacity: Capacity
    fill: str
    candidates: tuple[Candidate, ...]
    excluded: tuple[Excluded, ...]
    confidence: Confidence
    forecast: tuple[ForecastSprint, ...]
    unreadable: tuple[Unreadable, ...] = ()
    """Story files that could not be read: the selection cannot account for them."""

    @property
    def total(self) -> float:
        return self.candidates[-1].cumulative if self.candidates else 0.0


_TIMEBOX = re.compile(r"([0-9]+(?:\.[0-9]+)?)([hdw])")


def story_points(story: Story, config: Config) -> float | None:
    """What the story takes of the capacity: its estimate; a spike's timebox when the team
    reserves capacity for spikes by time ([sprint] spike_points_per_day)."""
    if story.type == "spike" and config.spike_points_per_day is not None:
        match = _TIMEBOX.fullmatch(str(story.data.get("timebox", "")))
        if match:
            amount, unit = float(match.group(1)), match.group(2)
            days = amount / 8 if unit == "h" else amount * 5 if unit == "w" else amount
            return days * config.spike_points_per_day
    return story.points


def _status_reasons(story: Story, config: Config) -> list[str]:
    if story.status in config.final_statuses:
        sprint = story.data.get("sprint")
        return [f"already {story.status}" + (f" in sprint {sprint}" if sprint is not None else "")]
    if story.status not in config.ready_statuses:
        return [f"status is {story.status}"]
    return []


def _gap_reasons(gaps: Sequence[Gap]) -> list[str]:
    return [f"not ready: {gap.rule} ({gap.detail})" if gap.detail else f"not ready: {gap.rule}" for gap in gaps]


def _dependency_reasons(
    story: Story,
    by_id: Mapping[str, Story],
    chosen: Collection[str],
    config: Config,
    unreadable: Sequence[Unreadable],
) -> list[str]:
    reasons = []
    split_status = dict(config.roles).get("split")
    for dep in story.depends_on:
        target = by_id.get(dep)
        broken = holder(unreadable, dep) if target is None else None
        if broken is not None:
            reasons.append(f"blocked by {dep} (its file {broken.display} cannot be read)")
        elif target is None:
            reasons.append(f"blocked by {dep} (not in the backlog)")
        elif target.status == split_status:
            reasons.append(f"depends on {dep}, which was split: depend on its children instead")
        elif target.status in config.inactive_statuses:
            reasons.append(f"depends on {dep}, which is {target.status}: remove the dependency")
        elif target.status not in config.done_statuses and dep not in chosen:
            reasons.append(f"blocked by {dep} ({target.status})")
    return reasons


def select(
    stories: Sequence[Story],
    judge: Judge,
    config: Config,
    cap: Capacity,
    fill: str,
    sprints: int = 0,
    seed: int = DEFAULT_SEED,
    unreadable: Sequence[Unreadable] = (),
) -> Selection:
    """Walk the open backlog in order; see the module doc and the README for the rules.
    ``unreadable`` names the files that could not be read, so a dependency on one is not
    called missing."""
    by_id = {story.id: story for story in stories}
    smallest = min((card for card in config.scale if card > 0), default=1)
    selected: list[Candidate] = []
    chosen: set[str] = set()
    excluded: list[Excluded] = []
    remaining = cap.points
    for story in stories:
        if not config.is_open(story.status):
            continue
        if remaining < smallest:
            break
        reasons = _status_reasons(story, config)
        reasons += _gap_reasons(judge.gaps(story))
        reasons += _dependency_reasons(story, by_id, chosen, config, unreadable)
        points = story_points(story, config)
        if not reasons and points is not None and points > remaining:
            reasons.append(f"{fmt(points)} points > {fmt(remaining)} left: split it or raise the capacity")
            excluded.append(Excluded(story, tuple(reasons)))
            if fill == "strict":
                break
            continue
        if reasons or points is None:
            excluded.append(Excluded(story, tuple(reasons or ["no estimate"])))
            continue
        remaining -= points
        chosen.add(story.id)
        selected.append(Candidate(story, points, (selected[-1].cumulative if selected else 0.0) + points))
    total = selected[-1].cumulative if selected else 0.0
    velocities = [points for _, points in cap.history]
    confidence = Confidence(
        len(velocities),
        (sum(1 for v in velocities if v >= total) / len(velocities)) if len(velocities) >= MIN_HISTORY else None,
    )
    forecast = _forecast(stories, config, cap, sprints, velocities, seed) if sprints > 0 else ()
    return Selection(cap, fill, tuple(selected), tuple(excluded), confidence, forecast, tuple(unreadable))


def _forecast(
    stories: Sequence[Story],
    config: Config,
    cap: Capacity,
    sprints: int,
    velocities: Sequence[float],
    seed: int,
) -> tuple[ForecastSprint, ...]:
    """Azure DevOps' Forecast: a line every ``capacity`` points down the ordered backlog,
    unused points carried over; each line with its 50 % / 85 % Monte Carlo reading."""
    estimated = [
        (story, points)
        for story in stories
        if config.is_open(story.status)
        and story.status not in config.final_statuses  # already in the current sprint
        and (points := story_points(story, config)) is not None
    ]
    result: list[ForecastSprint] = []
    index = 0
    cumulative = 0.0
    generator = random.Random(seed)
    usable = [v for v in velocities if v > 0]
    for number in range(1, sprints + 1):
        line = cap.points * number
        members: list[Story] = []
        points = 0.0
        while index < len(estimated) and cumulative + estimated[index][1] <= line + 1e-9:
            story, story_points_ = estimated[index]
            members.append(story)
            points += story_points_
            cumulative += story_points_
            index += 1
        p50 = p85 = None
        if len(usable) >= MIN_HISTORY and cumulative > 0:
            p50, p85 = _sprints_needed(cumulative, usable, generator)
        result.append(ForecastSprint(number, tuple(members), points, cumulative, p50, p85))
    return tuple(result)


def _sprints_needed(points: float, velocities: Sequence[float], generator: random.Random) -> tuple[int, int]:
    """Magennis: draw past velocities until the points are done; 50th and 85th percentile."""
    counts = []
    for _ in range(TRIALS):
        done = 0.0
        count = 0
        while done < points:
            done += generator.choice(velocities)
            count += 1
        counts.append(count)
    counts.sort()
    return counts[math.ceil(0.50 * TRIALS) - 1], counts[math.ceil(0.85 * TRIALS) - 1]
