"""``groom report``: the report's model, plain data built from the results of the planning
functions the other commands use (sprint candidates and forecast, the refinement agenda, the
actions by owner, velocity), so the page and the commands never disagree.

Pure: the command layer reads the backlog and git, calls those functions and hands their
results here; the page renderers (``groom.page``) turn the model into HTML or markdown and
``as_json`` into JSON. Nothing here reads a file, runs git or prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from groom.config import Config
from groom.model import Holders, Placement, Story, Unreadable
from groom.ready import Gap, Judge, show
from groom.refine import Action, Agenda
from groom.sprint import MIN_HISTORY, TRIALS, ForecastSprint, Selection, story_points
from groom.sprintloop import Velocity

VERSION = 1
BACKLOG_SHOWN = 100
"""Open stories the backlog table shows (or down to the cut, if that is further); the rest are counted."""
TOP_CONSIDERED = 10
"""The top of the backlog the headline's "not ready at the top" looks at."""
TOP_FORECAST = 10
"""Open stories from the top that the "done by sprint +n" table lists (every open epic too)."""
DEFAULT_SPRINTS = 6
"""Sprints the report forecasts unless --sprints says otherwise."""
NO_EPIC = "(no epic)"

GapsOf = Callable[[Story], list[Gap]]


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class Headline:
    open_points: float
    open_stories: int
    unestimated: int
    """Open stories without a numeric estimate (not in open_points)."""
    ready_points: float
    """Ready work not yet in a sprint, as groom refine counts it."""
    ready_stories: int
    capacity: float | None
    capacity_source: str
    runway_sprints: float | None
    """Ready points in sprints of capacity (groom refine's "sprints of ready work")."""
    top_considered: int
    top_not_ready: int
    """Of the ``top_considered`` highest-ranked open stories not yet in a sprint, those not ready."""
    candidates_points: float
    candidates: int
    unreadable: int


@dataclass(frozen=True, slots=True)
class GapRecord:
    rule: str
    advice: str
    detail: str


@dataclass(frozen=True, slots=True)
class Dependency:
    id: str
    status: str | None
    """None: no story with that id can be read."""
    readable: bool = True
    """False when the file that seems to hold it cannot be read."""


@dataclass(frozen=True, slots=True)
class Row:
    position: int
    """Place among the open stories, 1 at the top."""
    id: str
    title: str
    status: str
    estimate: Any
    """As written: a number, ``?``, or None."""
    value: Any
    ready: bool
    """Meets the Definition of Ready (every DoR item), as groom list says."""
    gaps: tuple[GapRecord, ...]
    depends_on: tuple[Dependency, ...]
    sprint: str | None
    """The sprint it is in (planned or in progress), else None."""
    candidate: bool
    """A sprint candidate (above the cut, selected)."""
    cumulative: float | None
    """Candidates' cumulative points."""
    reasons: tuple[str, ...]
    """Why a story above the cut was left out."""


@dataclass(frozen=True, slots=True)
class BacklogTable:
    rows: tuple[Row, ...]
    cut: int | None
    """How many rows lie above the sprint-candidate cut; None without a capacity."""
    open_stories: int
    more: int
    """Open stories below the last row shown."""


@dataclass(frozen=True, slots=True)
class CandidateRecord:
    id: str
    title: str
    estimate: float
    cumulative: float


@dataclass(frozen=True, slots=True)
class ExcludedRecord:
    id: str
    title: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ForecastRecord:
    sprint: int
    ids: tuple[str, ...]
    points: float
    cumulative: float
    p50: int | None
    p85: int | None
    not_ready: tuple[str, ...]
    unestimated: tuple[str, ...]
    oversized: bool
    stopped: bool


@dataclass(frozen=True, slots=True)
class Candidates:
    """What ``groom sprint-candidates --sprints K`` says, with the same keys as its JSON."""

    capacity: float
    capacity_source: str
    history: tuple[tuple[str, float], ...]
    fill: str
    total: float
    candidates: tuple[CandidateRecord, ...]
    excluded: tuple[ExcludedRecord, ...]
    confidence_sprints: int
    confidence_share: float | None
    forecast: tuple[ForecastRecord, ...]
    forecast_asked: int
    below: int


@dataclass(frozen=True, slots=True)
class BurnPoint:
    sprint: int
    """Sprints from now: 0 is today."""
    planned: float
    """Cumulative points of the forecast's sprints up to this one (at the capacity)."""
    p50: float
    """Points done by this sprint in half of the Monte Carlo trials: the work up to the last
    forecast line whose 50 % reading is at or before it."""
    p85: float


@dataclass(frozen=True, slots=True)
class DoneBy:
    kind: str
    """``story`` or ``epic``."""
    name: str
    """The story's id or the epic's name."""
    title: str
    stories: int
    points: float
    plan: int | None
    """The forecast sprint (+n, by capacity) that finishes it."""
    p50: int | None
    """Done within this many sprints in half of the trials; None when not forecast."""
    p85: int | None
    note: str
    """Why there is no reading, or what the reading leaves out; empty otherwise."""


@dataclass(frozen=True, slots=True)
class Forecast:
    asked: int
    seed: int
    trials: int
    readings: bool
    """Whether there is enough history (three sprints or more) for Monte Carlo readings."""
    scope: float
    """Estimated open points not yet in a sprint: what the burn-up climbs towards."""
    burnup: tuple[BurnPoint, ...]
    done_by: tuple[DoneBy, ...]


@dataclass(frozen=True, slots=True)
class Epic:
    name: str
    done: float
    ready: float
    not_ready: float
    unestimated: int
    """Open stories of the epic without a numeric estimate (no points to draw)."""
    stories: int
    open_stories: int


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    text: str
    owner: str | None


@dataclass(frozen=True, slots=True)
class AgendaRecord:
    id: str
    title: str
    status: str
    rank: str | float | None
    estimate: Any
    lacks: tuple[GapRecord, ...]
    questions: tuple[QuestionRecord, ...]
    split_advice: str | None


@dataclass(frozen=True, slots=True)
class AgendaSection:
    items: tuple[AgendaRecord, ...]
    ready_points: float
    ready_stories: int
    capacity: float | None
    sprints_of_ready_work: float | None


@dataclass(frozen=True, slots=True)
class ActionRecord:
    id: str
    title: str
    rank: str | float | None
    position: int
    question: str
    path: str
    line: int | None


@dataclass(frozen=True, slots=True)
class OwnerActions:
    owner: str | None
    questions: tuple[ActionRecord, ...]


@dataclass(frozen=True, slots=True)
class Report:
    version: int
    backlog: str
    generated: str
    """The date the report was made (the command layer's clock)."""
    unreadable: tuple[Problem, ...]
    headline: Headline
    table: BacklogTable
    sprint_candidates: Candidates | None
    """None when no capacity is known; ``no_capacity`` says what to add."""
    no_capacity: str
    forecast: Forecast | None
    velocity: Velocity
    """As groom velocity gives it (sprintloop.Velocity)."""
    epics: tuple[Epic, ...]
    agenda: AgendaSection
    actions: tuple[OwnerActions, ...]


def _plain(value: Any) -> Any:
    """A front matter value as JSON can hold it: NaN and infinities as the YAML text they came from."""
    if isinstance(value, float) and not math.isfinite(value):
        return show(value)
    return value


def as_json(report: Report) -> dict[str, Any]:
    """The model as JSON-able data (tuples become lists)."""
    return asdict(report)


# ---------------------------------------------------------------------------------------
# building


def build(
    stories: Sequence[Story],
    judge: Judge,
    config: Config,
    *,
    selection: Selection | None,
    no_capacity: str,
    agenda: Agenda,
    actions: Sequence[tuple[str, Sequence[Action]]],
    velocity: Velocity,
    unreadable: Sequence[Unreadable],
    backlog: str,
    generated: str,
    seed: int,
    sprints: int,
) -> Report:
    """The report from the planning functions' results (``selection`` is None when there is no
    capacity; ``no_capacity`` then says why). ``stories`` are every readable story in order."""
    open_stories = [story for story in stories if config.is_open(story.status)]
    memo: dict[int, list[Gap]] = {}

    def gaps(story: Story) -> list[Gap]:
        found = memo.get(id(story))
        if found is None:
            found = memo[id(story)] = judge.gaps(story)
        return found

    # A dependency on a finished story ([paths] inactive) shows its status, as show does.
    table = _table(open_stories, selection, gaps, config, [*stories, *judge.backlog.retired], unreadable)
    candidates = _candidates(selection) if selection is not None else None
    return Report(
        version=VERSION,
        backlog=backlog,
        generated=generated,
        unreadable=tuple(Problem(u.display, u.line, u.column, u.message) for u in unreadable),
        headline=_headline(open_stories, selection, agenda, gaps, config, len(unreadable)),
        table=table,
        sprint_candidates=candidates,
        no_capacity="" if selection is not None else no_capacity,
        forecast=_forecast(open_stories, selection, config, seed, sprints) if selection is not None else None,
        velocity=velocity,
        epics=_epics(stories, gaps, config),
        agenda=_agenda(agenda),
        actions=tuple(
            OwnerActions(
                owner or None,
                tuple(
                    ActionRecord(
                        a.story.id,
                        a.story.title,
                        a.story.rank,
                        a.position,
                        a.question.text,
                        a.story.display,
                        a.question.line or None,
                    )
                    for a in items
                ),
            )
            for owner, items in actions
        ),
    )


def _in_sprint(story: Story, config: Config) -> bool:
    return story.status in config.final_statuses


def _headline(
    open_stories: Sequence[Story],
    selection: Selection | None,
    agenda: Agenda,
    gaps: GapsOf,
    config: Config,
    unreadable: int,
) -> Headline:
    estimates = [story.points for story in open_stories]
    waiting = [story for story in open_stories if not _in_sprint(story, config)][:TOP_CONSIDERED]
    not_ready = sum(1 for story in waiting if story.status not in config.ready_statuses or gaps(story))
    return Headline(
        open_points=sum(p for p in estimates if p is not None),
        open_stories=len(open_stories),
        unestimated=sum(1 for p in estimates if p is None),
        ready_points=agenda.ready_points,
        ready_stories=agenda.ready_stories,
        capacity=selection.capacity.points if selection is not None else None,
        capacity_source=selection.capacity.source if selection is not None else "",
        runway_sprints=agenda.sprints_of_ready_work,
        top_considered=len(waiting),
        top_not_ready=not_ready,
        candidates_points=selection.total if selection is not None else 0.0,
        candidates=len(selection.candidates) if selection is not None else 0,
        unreadable=unreadable,
    )


def _gap_records(found: Sequence[Gap]) -> tuple[GapRecord, ...]:
    return tuple(GapRecord(gap.rule, gap.advice, gap.detail) for gap in found)


def _table(
    open_stories: Sequence[Story],
    selection: Selection | None,
    gaps: GapsOf,
    config: Config,
    stories: Sequence[Story | Placement],
    unreadable: Sequence[Unreadable],
) -> BacklogTable:
    status_of: dict[str, str] = {}
    for story in stories:
        status_of.setdefault(story.id, story.status)
    held = Holders(unreadable)
    cut = len(open_stories) - selection.below if selection is not None else None
    chosen = {c.story.id: c.cumulative for c in selection.candidates} if selection is not None else {}
    left_out = {e.story.id: e.reasons for e in selection.excluded} if selection is not None else {}
    shown = max(BACKLOG_SHOWN, cut or 0)
    rows = []
    for position, story in enumerate(open_stories[:shown], start=1):
        found = gaps(story)
        sprint = story.raw("sprint")
        rows.append(
            Row(
                position=position,
                id=story.id,
                title=story.title,
                status=story.status,
                estimate=_plain(story.estimate),
                value=_plain(story.value),
                ready=not found,
                gaps=_gap_records(found),
                depends_on=tuple(
                    Dependency(dep, status_of.get(dep), dep in status_of or held(dep) is None)
                    for dep in story.depends_on
                ),
                sprint=str(sprint) if _in_sprint(story, config) and sprint is not None else None,
                candidate=story.id in chosen,
                cumulative=chosen.get(story.id),
                reasons=tuple(left_out.get(story.id, ())),
            )
        )
    return BacklogTable(tuple(rows), cut, len(open_stories), len(open_stories) - len(rows))


def _candidates(selection: Selection) -> Candidates:
    return Candidates(
        capacity=selection.capacity.points,
        capacity_source=selection.capacity.source,
        history=selection.capacity.history,
        fill=selection.fill,
        total=selection.total,
        candidates=tuple(
            CandidateRecord(c.story.id, c.story.title, c.points, c.cumulative) for c in selection.candidates
        ),
        excluded=tuple(ExcludedRecord(e.story.id, e.story.title, e.reasons) for e in selection.excluded),
        confidence_sprints=selection.confidence.sprints,
        confidence_share=selection.confidence.share,
        forecast=tuple(
            ForecastRecord(
                f.number,
                tuple(s.id for s in f.stories),
                f.points,
                f.cumulative,
                f.p50,
                f.p85,
                f.not_ready,
                f.unestimated,
                f.oversized,
                f.stopped,
            )
            for f in selection.forecast
        ),
        forecast_asked=selection.forecast_asked,
        below=selection.below,
    )


def _forecast(open_stories: Sequence[Story], selection: Selection, config: Config, seed: int, sprints: int) -> Forecast:
    lines = selection.forecast
    waiting = [story for story in open_stories if not _in_sprint(story, config)]
    scope = sum(story_points(story, config) or 0.0 for story in waiting)
    burnup = []
    for number in range(sprints + 1):
        reached = [f for f in lines if f.number <= number]
        burnup.append(
            BurnPoint(
                number,
                reached[-1].cumulative if reached else 0.0,
                max((f.cumulative for f in lines if f.p50 is not None and f.p50 <= number), default=0.0),
                max((f.cumulative for f in lines if f.p85 is not None and f.p85 <= number), default=0.0),
            )
        )
    readings = len([v for _, v in selection.capacity.history if v > 0]) >= MIN_HISTORY
    line_of = {story.id: f for f in lines for story in f.stories}
    unestimated = {story_id for f in lines for story_id in f.unestimated}
    used_up = bool(lines) and len(lines) < selection.forecast_asked and not lines[-1].stopped
    done_by: list[DoneBy] = []
    for story in open_stories[:TOP_FORECAST]:
        done_by.append(
            _done_by("story", story.id, story.title, [story], line_of, unestimated, used_up, config, sprints)
        )
    epics: dict[str, list[Story]] = {}
    for story in open_stories:
        epic = story.data.get("epic")
        if isinstance(epic, str) and epic:
            epics.setdefault(epic, []).append(story)
    for name, members in epics.items():
        done_by.append(_done_by("epic", name, "", members, line_of, unestimated, used_up, config, sprints))
    return Forecast(sprints, seed, TRIALS, readings, scope, tuple(burnup), tuple(done_by))


def _done_by(
    kind: str,
    name: str,
    title: str,
    members: Sequence[Story],
    line_of: dict[str, ForecastSprint],
    unestimated: set[str],
    used_up: bool,
    config: Config,
    sprints: int,
) -> DoneBy:
    """When the last of ``members`` is done, by the forecast's line that holds it."""
    points = sum(story_points(story, config) or 0.0 for story in members)
    waiting = [story for story in members if not _in_sprint(story, config)]
    if not waiting:
        sprint = members[0].raw("sprint")
        where = f"in the current sprint ({sprint})" if sprint is not None else "in the current sprint"
        return DoneBy(kind, name, title, len(members), points, None, None, None, where)
    found = [line_of[story.id] for story in waiting if story.id in line_of]
    no_estimate = [story.id for story in waiting if story_points(story, config) is None]
    missing = [story.id for story in waiting if story.id not in line_of and story.id not in no_estimate]
    notes = []
    if no_estimate:
        flagged = [s for s in no_estimate if s in unestimated] or no_estimate
        notes.append(f"no estimate, not forecast: {', '.join(flagged[:5])}{', …' if len(flagged) > 5 else ''}")
    if missing:
        where = "not in the forecast" if used_up else f"beyond sprint +{sprints}"
        notes.append(f"{len(missing)} {'story' if len(missing) == 1 else 'stories'} {where}")
    if not found or missing:
        return DoneBy(kind, name, title, len(members), points, None, None, None, "; ".join(notes))
    not_ready = [story.id for story in waiting if story.id in line_of and story.id in line_of[story.id].not_ready]
    if not_ready:
        notes.insert(0, f"not ready yet: {', '.join(not_ready[:5])}{', …' if len(not_ready) > 5 else ''}")
    last = max(found, key=lambda f: f.number)
    return DoneBy(kind, name, title, len(members), points, last.number, last.p50, last.p85, "; ".join(notes))


def _epics(stories: Sequence[Story], gaps: GapsOf, config: Config) -> tuple[Epic, ...]:
    """Per epic, in the order of its highest-ranked open story (finished epics last): points
    done, ready, not ready, and the open stories without an estimate."""
    found: dict[str, dict[str, float]] = {}
    first_open: dict[str, int] = {}
    for index, story in enumerate(stories):
        if story.status in config.inactive_statuses:
            continue
        epic = story.data.get("epic")
        name = epic if isinstance(epic, str) and epic else NO_EPIC
        counts = found.setdefault(
            name, {"done": 0.0, "ready": 0.0, "not_ready": 0.0, "unestimated": 0, "stories": 0, "open": 0}
        )
        counts["stories"] += 1
        points = story_points(story, config)
        if story.status in config.done_statuses:
            counts["done"] += points or 0.0
            continue
        counts["open"] += 1
        first_open.setdefault(name, index)
        if points is None:
            counts["unestimated"] += 1
        elif story.status in config.ready_statuses and not gaps(story):
            counts["ready"] += points
        else:
            counts["not_ready"] += points
    order = sorted(found, key=lambda name: (name == NO_EPIC, name not in first_open, first_open.get(name, 0), name))
    return tuple(
        Epic(
            name,
            found[name]["done"],
            found[name]["ready"],
            found[name]["not_ready"],
            int(found[name]["unestimated"]),
            int(found[name]["stories"]),
            int(found[name]["open"]),
        )
        for name in order
    )


def _agenda(agenda: Agenda) -> AgendaSection:
    return AgendaSection(
        items=tuple(
            AgendaRecord(
                item.story.id,
                item.story.title,
                item.story.status,
                item.story.rank,
                _plain(item.story.estimate),
                _gap_records(item.gaps),
                tuple(QuestionRecord(q.text, q.owner) for q in item.questions),
                item.split_advice or None,
            )
            for item in agenda.items
        ),
        ready_points=agenda.ready_points,
        ready_stories=agenda.ready_stories,
        capacity=agenda.capacity.points if agenda.capacity else None,
        sprints_of_ready_work=agenda.sprints_of_ready_work,
    )
