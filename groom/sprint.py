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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from groom.config import Config
from groom.errors import ConfigError
from groom.model import Holders, Placement, Story, Unreadable, id_key
from groom.numbers import points as fmt
from groom.ready import Gap, Judge

TRIALS = 10_000
DEFAULT_SEED = 42
HISTORY_WINDOW = 3
"""Sprints the capacity is averaged over."""
MAX_CAPACITY = 100_000
"""The largest --capacity taken: more points than any team plans in a sprint."""
MIN_HISTORY = 3
MAX_SPRINTS = 26
"""Forecast at most this many sprints (a year of two-week sprints)."""
SHOWN_WITHOUT_CANDIDATE = 10
"""With no candidate at all, the reasons of this many open stories from the top are shown."""
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
        sprint = story.raw("sprint")
        points = story.points
        if story.status in config.done_statuses and sprint is not None and points is not None:
            per_sprint[str(sprint)] = per_sprint.get(str(sprint), 0.0) + points
    return tuple(sorted(per_sprint.items(), key=lambda item: id_key(item[0])))


def capacity(stories: Sequence[Story], config: Config, given: float | None) -> Capacity:
    """``--capacity``, else [sprint] capacity, else the mean velocity of the last three sprints."""
    history = velocity_history(stories, config)
    if given is not None:
        if not math.isfinite(given) or not 0 <= given <= MAX_CAPACITY:
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
    not_ready: tuple[str, ...] = ()
    """Stories in this sprint that do not meet the DoR yet."""
    unestimated: tuple[str, ...] = ()
    """Stories the forecast passed (skip fill) or stopped at (strict fill): no estimate."""
    oversized: bool = False
    """A single story bigger than the capacity, alone in its sprint: split it."""
    stopped: bool = False
    """Strict fill stopped at an unestimated story: no sprint after this one is forecast."""


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
    below: int = 0
    """Open stories below the cut, not listed (groom refine shows what they lack)."""
    forecast_asked: int = 0
    """Sprints the forecast was asked for (it ends early when the backlog is used up)."""

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
        sprint = story.raw("sprint")
        return [f"already {story.status}" + (f" in sprint {sprint}" if sprint is not None else "")]
    if story.status not in config.ready_statuses:
        return [f"status is {story.status}"]
    return []


def _gap_reasons(gaps: Sequence[Gap]) -> list[str]:
    """One reason for every DoR item the story misses: "not ready: value (…), estimated (…)"."""
    if not gaps:
        return []
    return ["not ready: " + ", ".join(f"{gap.rule} ({gap.detail})" if gap.detail else gap.rule for gap in gaps)]


def _dependency_reasons(
    story: Story,
    by_id: Mapping[str, Story],
    chosen: Collection[str],
    config: Config,
    held: Callable[[str], Unreadable | None],
    finished: Callable[[str], Placement | None],
) -> list[str]:
    reasons = []
    split_status = dict(config.roles).get("split")
    for dep in story.depends_on:
        target = by_id.get(dep)
        broken = held(dep) if target is None else None
        old = finished(dep) if target is None else None
        if old is not None:
            if old.status not in config.done_statuses:
                reasons.append(f"depends on {dep}, which was set aside ({old.display}): remove the dependency")
        elif broken is not None:
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
    exclude: Collection[str] = (),
) -> Selection:
    """Walk the open backlog in order; see the module doc and the README for the rules.
    ``unreadable`` names the files that could not be read, so a dependency on one is not
    called missing.

    The cut is where the walk stopped taking stories: after the last candidate (skip fill), at
    the first ready story that did not fit (strict fill); with no candidate, after the first
    few open stories, whose reasons say why nothing fits. Only the stories above the cut are
    listed; the rest are counted."""
    if not 0 <= sprints <= MAX_SPRINTS:
        raise ConfigError(f"--sprints {sprints}: forecast 1 to {MAX_SPRINTS} sprints")
    by_id = {story.id: story for story in stories}
    open_stories = [story for story in stories if config.is_open(story.status)]
    smallest = min((card for card in config.scale if card > 0), default=1)
    walked: list[Candidate | Excluded] = []
    chosen: set[str] = set()
    remaining = cap.points
    strict_stop = False
    held = Holders(unreadable)
    for story in open_stories:
        if remaining < smallest and any(isinstance(w, Candidate) for w in walked):
            break  # nothing more fits; with no candidate yet the walk goes on to say why
        if story.id in exclude:
            walked.append(Excluded(story, ("left out in planning (--exclude)",)))
            continue
        reasons = _status_reasons(story, config)
        reasons += _gap_reasons(judge.gaps(story))
        reasons += _dependency_reasons(story, by_id, chosen, config, held, judge.backlog.finished)
        points = story_points(story, config)
        if not reasons and points is not None and points > remaining:
            reasons.append(f"{fmt(points)} points > {fmt(remaining)} left: split it or raise the capacity")
            walked.append(Excluded(story, tuple(reasons)))
            if fill == "strict":
                strict_stop = True
                break
            continue
        if reasons or points is None:
            walked.append(Excluded(story, tuple(reasons or ["no estimate"])))
            continue
        remaining -= points
        chosen.add(story.id)
        cumulative = sum(w.points for w in walked if isinstance(w, Candidate)) + points
        walked.append(Candidate(story, points, cumulative))
    selected = [w for w in walked if isinstance(w, Candidate)]
    last = max((i for i, w in enumerate(walked) if isinstance(w, Candidate)), default=-1)
    cut = len(walked) if strict_stop else last + 1 if last >= 0 else min(SHOWN_WITHOUT_CANDIDATE, len(walked))
    excluded = [w for w in walked[:cut] if isinstance(w, Excluded)]
    total = selected[-1].cumulative if selected else 0.0
    velocities = [points for _, points in cap.history]
    confidence = Confidence(
        len(velocities),
        (sum(1 for v in velocities if v >= total) / len(velocities)) if len(velocities) >= MIN_HISTORY else None,
    )
    forecast = _forecast(stories, selected, judge, config, cap, fill, sprints, velocities, seed) if sprints > 0 else ()
    return Selection(
        cap,
        fill,
        tuple(selected),
        tuple(excluded),
        confidence,
        forecast,
        tuple(unreadable),
        below=len(open_stories) - cut,
        forecast_asked=sprints,
    )


def _forecast(
    stories: Sequence[Story],
    selected: Sequence[Candidate],
    judge: Judge,
    config: Config,
    cap: Capacity,
    fill: str,
    sprints: int,
    velocities: Sequence[float],
    seed: int,
) -> tuple[ForecastSprint, ...]:
    """Sprint +1 is the candidate set. Each later sprint takes the open stories left, in
    backlog order, under the same capacity and never above it (as the selection: skip fill
    looks past a story that does not fit, strict fill stops at it); a story bigger than a sprint
    gets one of its own, flagged; a story without an estimate is named, and skipped (skip) or
    ends the forecast (strict). Each line has its 50 % / 85 % Monte Carlo reading."""
    generator = random.Random(seed)
    usable = [v for v in velocities if v > 0]

    def reading(cumulative: float) -> tuple[int | None, int | None]:
        if len(usable) < MIN_HISTORY or cumulative <= 0:
            return None, None
        return _sprints_needed(cumulative, usable, generator)

    first_points = sum(c.points for c in selected)
    result = [ForecastSprint(1, tuple(c.story for c in selected), first_points, first_points, *reading(first_points))]
    chosen = {c.story.id for c in selected}
    queue = [
        story
        for story in stories
        if config.is_open(story.status) and story.status not in config.final_statuses and story.id not in chosen
    ]
    cumulative = first_points
    waiting = {story.id for story in queue}
    for number in range(2, sprints + 1):
        if not queue:
            break
        members, unestimated, queue, stopped = _fill_one(queue, config, cap.points, fill, waiting)
        if not members and not unestimated and not stopped:
            break  # only stories waiting on dependencies that are never forecast (a cycle)
        waiting -= {story.id for story in members} | set(unestimated)
        points = sum(story_points(s, config) or 0.0 for s in members)
        cumulative += points
        not_ready = tuple(s.id for s in members if s.status not in config.ready_statuses or judge.gaps(s))
        oversized = len(members) == 1 and points > cap.points
        result.append(
            ForecastSprint(
                number,
                tuple(members),
                points,
                cumulative,
                *reading(cumulative),
                not_ready,
                unestimated,
                oversized,
                stopped,
            )
        )
        if stopped:
            break
    return tuple(result)


def _fill_one(
    queue: list[Story], config: Config, capacity: float, fill: str, waiting: set[str]
) -> tuple[list[Story], tuple[str, ...], list[Story], bool]:
    """One forecast sprint from the front of ``queue``: (members, unestimated named, the queue
    left, whether strict fill stopped at an unestimated story). A story waits while one of its
    dependencies is still in ``waiting`` (open and not yet forecast); an unestimated story is
    named in the sprint its place in the backlog reaches, and then left out."""
    members: list[Story] = []
    unestimated: list[tuple[int, str]] = []
    room = capacity
    last = -1
    for index, story in enumerate(queue):
        points = story_points(story, config)
        if points is None:
            if fill == "strict":
                return members, (story.id,), queue[index:], True
            unestimated.append((index, story.id))
            continue
        blocked = any(dep in waiting and dep not in {m.id for m in members} for dep in story.depends_on)
        if not blocked and points <= room + 1e-9:
            members.append(story)
            room -= points
            last = index
        elif not blocked and not members and points > capacity:
            members.append(story)  # bigger than any sprint: alone, flagged
            last = index
            break
        elif fill == "strict" and not blocked:
            break
    named = tuple(story_id for index, story_id in unestimated if index < last)
    taken = {id(story) for story in members}
    remaining = [story for story in queue if id(story) not in taken and story.id not in named]
    return members, named, remaining, False


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
