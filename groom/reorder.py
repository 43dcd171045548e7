"""Moving stories in the backlog and reordering it by score, with as few file writes as possible.

A move rewrites one story's ``rank`` (the key between its new neighbours). A score ordering
keeps the longest run of stories whose keys are already in the new order and gives new keys
only to the rest. ``rebalance`` is the one operation that rewrites many files: it spreads short
keys evenly when repeated inserts have made them long.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from groom import rank
from groom.config import Config
from groom.errors import GroomError, StoryNotFound
from groom.model import Placement, Story, as_points, id_key, order_key
from groom.numbers import points as show_points
from groom.rank import Key, Keys


@dataclass(frozen=True, slots=True)
class Rewrite:
    """One story whose rank changes."""

    source: Placement | Story
    old: Key | None
    new: Key

    @property
    def story_id(self) -> str:
        return self.source.id


# ---------------------------------------------------------------------------------------
# moves


@dataclass(frozen=True, slots=True)
class Target:
    """Where a story goes: ``top``, ``bottom``, or ``before``/``after`` another story."""

    where: str
    other: str | None = None


@dataclass(frozen=True, slots=True)
class Move:
    story_id: str
    old: Key | None
    new: Key
    after: str | None
    """The story it now follows, if any."""
    before: str | None
    """The story it now precedes, if any."""
    rewrites: tuple[Rewrite, ...]
    """Every rank written: the moved story's last, stories given a first rank before it."""
    above_dependencies: tuple[str, ...] = ()
    """Open stories the moved story depends on that now sort below it (the DoR's
    "dependencies in order" fails for it until they move up too)."""
    below_dependents: tuple[str, ...] = ()
    """Stories that claim ready, depend on the moved (open) story and now sort above it: they no
    longer meet the DoR's "dependencies in order"."""


@dataclass(frozen=True, slots=True)
class _Gap:
    """Between which keys the moved story goes, next to which stories, and the first ranks
    unranked stories need so that the gap exists."""

    low: Any
    high: Any
    after: str | None
    before: str | None
    first_ranks: tuple[Rewrite, ...] = ()


def _one(order: Sequence[Placement], story_id: str) -> Placement:
    mine = [p for p in order if p.id == story_id]
    if not mine:
        raise StoryNotFound(f"no story with id {story_id!r}; 'groom list' shows the ids")
    if len(mine) > 1:
        raise GroomError(f"id {story_id} is used by {len(mine)} files; run 'groom check' and fix that first")
    return mine[0]


def _neighbour_below(order: Sequence[Placement], index: int, key: Any, keys: Keys) -> Any:
    """The rank of the nearest story before ``index`` that sorts strictly before ``key``."""
    for placement in reversed(order[:index]):
        mine = keys.of(placement.rank)
        if mine is not None and mine < key:
            return mine
    return None


def _neighbour_above(order: Sequence[Placement], index: int, key: Any, keys: Keys) -> Any:
    for placement in order[index + 1 :]:
        mine = keys.of(placement.rank)
        if mine is not None and mine > key:
            return mine
    return None


def _rank_unranked_through(order: Sequence[Placement], index: int, keys: Keys) -> tuple[Rewrite, ...]:
    """Stories without a rank sort last, by id. To put a story next to one of them, that one
    and the unranked stories before it get ranks after the last ranked story, in the order
    they are shown in now."""
    first = next(i for i, p in enumerate(order) if keys.of(p.rank) is None)
    last_ranked = keys.of(order[first - 1].rank) if first > 0 else None
    new = keys.n_between(last_ranked, None, index - first + 1)
    return tuple(Rewrite(p, p.rank, key) for p, key in zip(order[first : index + 1], new, strict=True))


def _end_gap(ranked: Sequence[Placement], top: bool) -> _Gap:
    if not ranked:
        return _Gap(None, None, None, None)
    if top:
        return _Gap(None, ranked[0].rank, None, ranked[0].id)
    return _Gap(ranked[-1].rank, None, ranked[-1].id, None)


def _next_to(order: Sequence[Placement], story_id: str, other_id: str, before: bool, keys: Keys) -> _Gap:
    if other_id == story_id:
        raise GroomError(f"{story_id} cannot be moved next to itself")
    found = [i for i, p in enumerate(order) if p.id == other_id]
    if not found:
        raise StoryNotFound(f"no story with id {other_id!r}; 'groom list' shows the ids")
    if len(found) > 1:
        raise GroomError(f"id {other_id} is used by {len(found)} files; run 'groom check' and fix that first")
    index = found[0]
    other = order[index]
    shown_before = order[index - 1].id if index > 0 else None
    shown_after = order[index + 1].id if index + 1 < len(order) else None
    after_id, before_id = (shown_before, other.id) if before else (other.id, shown_after)
    other_rank = keys.of(other.rank)
    if other_rank is None:
        extra = _rank_unranked_through(order, index, keys)
        other_key = extra[-1].new
        ranked = [r for r in (keys.of(p.rank) for p in order) if r is not None]
        previous = extra[-2].new if len(extra) > 1 else (ranked[-1] if ranked else None)
        low, high = (previous, other_key) if before else (other_key, None)
        return _Gap(low, high, after_id, before_id, extra)
    if before:
        return _Gap(_neighbour_below(order, index, other_rank, keys), other_rank, after_id, before_id)
    return _Gap(other_rank, _neighbour_above(order, index, other_rank, keys), after_id, before_id)


def _already_there(me: Placement, gap: _Gap, keys: Keys) -> bool:
    mine = keys.of(me.rank)
    return (
        not gap.first_ranks
        and mine is not None
        and keys.is_valid(mine)
        and (gap.low is None or gap.low < mine)
        and (gap.high is None or mine < gap.high)
    )


def _open_dependencies_below(
    order: Sequence[Placement], me: Placement, rewrites: Sequence[Rewrite], done: Collection[str]
) -> tuple[str, ...]:
    """The moved story's open dependencies that sort after its new place."""
    if not me.depends_on:
        return ()
    new_ranks = {rewrite.story_id: rewrite.new for rewrite in rewrites}
    mine = order_key(new_ranks[me.id], me.id)
    return tuple(
        p.id
        for p in order
        if p.id in me.depends_on
        and p.id != me.id
        and p.status not in done
        and order_key(new_ranks.get(p.id, p.rank), p.id) > mine
    )


def _ready_dependents_above(
    order: Sequence[Placement], me: Placement, key: Key, ready: Collection[str], done: Collection[str]
) -> tuple[str, ...]:
    """Stories claiming ready that depend on the moved story and now sort above it."""
    if me.status in done:
        return ()
    mine = order_key(key, me.id)
    return tuple(
        p.id for p in order if me.id in p.depends_on and p.status in ready and p.id != me.id and p.order_key < mine
    )


def move(
    order: Sequence[Placement],
    story_id: str,
    target: Target,
    done: Collection[str] = (),
    ready: Collection[str] = (),
    kind: str = "auto",
) -> Move:
    """Place one story at the top, at the bottom, or next to another; see the module doc.
    ``order`` is the backlog in order; ``done`` the statuses whose dependencies are met;
    ``ready`` the statuses that claim to meet the DoR (whose order a move may break); ``kind``
    the config's rank.kind (text keys or numbers; see rank.space)."""
    keys = rank.space((p.rank for p in order), kind)
    me = _one(order, story_id)
    rest = [p for p in order if p is not me]
    if target.where in ("top", "bottom"):
        gap = _end_gap([p for p in rest if keys.of(p.rank) is not None], top=target.where == "top")
    elif target.where in ("before", "after") and target.other is not None:
        gap = _next_to(rest, me.id, target.other, before=target.where == "before", keys=keys)
    else:
        raise GroomError(f"unknown move {target.where!r}")
    if _already_there(me, gap, keys):
        return Move(me.id, me.rank, me.rank or "", gap.after, gap.before, ())
    key = keys.between(gap.low, gap.high)
    rewrites = (*gap.first_ranks, Rewrite(me, me.rank, key))
    above = _open_dependencies_below(order, me, rewrites, done)
    below = _ready_dependents_above(order, me, key, ready, done)
    return Move(me.id, me.rank, key, gap.after, gap.before, rewrites, above, below)


# ---------------------------------------------------------------------------------------
# score orderings


WSJF_FIELDS = ("value", "time_criticality", "risk_reduction")


def score(story: Story, method: str) -> tuple[float | None, str]:
    """The story's score and, when it has none, what is missing."""
    if method == "value":
        value = as_points(story.value)
        return (value, "") if value is not None else (None, "no value")
    missing = [f"no {name}" for name in WSJF_FIELDS if as_points(story.data.get(name)) is None]
    size = as_points(story.estimate)
    if size is None:
        missing.append("no estimate" if story.estimate is None else f"estimate {story.estimate} is not a number")
    elif size <= 0:
        missing.append(f"estimate {show_points(size)} (the job size must be above 0)")
    if missing or size is None:
        return None, ", ".join(missing)
    total = sum(as_points(story.data.get(name)) or 0.0 for name in WSJF_FIELDS)
    return round(total / size, 2), ""


@dataclass(frozen=True, slots=True)
class Ranked:
    story: Story
    score: float | None
    reason: str
    """Why the story has no score ("no value"), empty when it has one."""
    old: Key | None
    new: Key | None
    """None: the story stays without a rank (it sorts last, by id, where it belongs)."""

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True, slots=True)
class Reorder:
    method: str
    rows: tuple[Ranked, ...]
    """The open backlog in its new order: scored stories first, unscored ones after."""
    held: tuple[tuple[str, str], ...] = ()
    """(story, dependency) pairs where a story was kept below a lower-scored dependency."""

    @property
    def rewrites(self) -> list[Rewrite]:
        return [Rewrite(r.story, r.old, r.new) for r in self.rows if r.changed and r.new is not None]


def by_score(all_stories: Sequence[Story], config: Config, method: str) -> Reorder:
    """The open backlog ordered by score, highest first; ties and unscored stories keep
    their current relative order. Only the stories that must move get new keys. Stories
    already accepted into a sprint (planned, in progress) keep their place."""
    if method not in ("value", "wsjf"):
        raise GroomError(f"unknown ordering {method!r}; use value or wsjf")
    stories = [s for s in all_stories if config.is_open(s.status) and s.status not in config.final_statuses]
    scored = [(story, *score(story, method)) for story in stories]
    with_score = sorted((row for row in scored if row[1] is not None), key=lambda row: -(row[1] or 0.0))
    without = [row for row in scored if row[1] is None]
    new_order, held = _after_dependencies([*with_score, *without])
    # Stories without a rank sort last, by id: a tail of them already in id order needs none.
    tail = len(new_order)
    while (
        tail > 0
        and new_order[tail - 1][0].rank is None
        and (tail == len(new_order) or id_key(new_order[tail - 1][0].id) < id_key(new_order[tail][0].id))
    ):
        tail -= 1
    moving = {id(s) for s in stories}
    space = rank.space((s.rank for s in all_stories), config.rank_kind)
    others = frozenset(s.rank for s in all_stories if s.rank is not None and id(s) not in moving)
    current = [space.of(story.rank) for story, _, _ in new_order[:tail]]
    keys: list[Key | None] = [*rank.assign_in(space, current, others)]
    keys += [None] * (len(new_order) - tail)
    rows = tuple(
        Ranked(story, points, reason, story.rank, key)
        for (story, points, reason), key in zip(new_order, keys, strict=True)
    )
    return Reorder(method, rows, held)


Row = tuple[Story, float | None, str]


def _after_dependencies(order: list[Row]) -> tuple[list[Row], tuple[tuple[str, str], ...]]:
    """The score order, except that no story goes above a story it depends on (that would
    break the DoR's "dependencies in order"): the highest-scored story whose dependencies are
    already placed goes next. Stories in a dependency cycle keep their score order (check
    reports the cycle). Returns the order and the (story, dependency) pairs that held one back.
    """
    import heapq

    index = {row[0].id: position for position, row in enumerate(order)}
    waiting_on: list[set[int]] = [
        {index[dep] for dep in row[0].depends_on if dep in index and index[dep] != position}
        for position, row in enumerate(order)
    ]
    dependents: dict[int, list[int]] = {}
    for position, deps in enumerate(waiting_on):
        for dep in deps:
            dependents.setdefault(dep, []).append(position)
    ready = [position for position, deps in enumerate(waiting_on) if not deps]
    heapq.heapify(ready)
    placed: list[int] = []
    done: set[int] = set()
    while ready:
        position = heapq.heappop(ready)
        placed.append(position)
        done.add(position)
        for dependent in dependents.get(position, []):
            waiting_on[dependent].discard(position)
            if not waiting_on[dependent] and dependent not in done:
                heapq.heappush(ready, dependent)
    placed += [position for position in range(len(order)) if position not in done]  # cycles
    new_place = {position: place for place, position in enumerate(placed)}
    held = tuple(
        (order[position][0].id, dep)
        for position in placed
        for dep in order[position][0].depends_on
        if dep in index and index[dep] > position and new_place[index[dep]] < new_place[position]
    )
    return [order[position] for position in placed], held


def rebalance(order: Sequence[Placement], kind: str = "auto") -> list[Rewrite]:
    """Short, evenly spread keys for every ranked story, in the current order. A backlog whose
    ranks mix numbers and text gets the kind most of them have (or rank.kind's)."""
    ranked = [p for p in order if p.rank is not None]
    if kind == "auto":
        numbers = sum(1 for p in ranked if rank.NUMBERS.is_valid(p.rank))
        kind = "number" if numbers * 2 > len(ranked) else "text"
    keys = rank.space((), kind).n_between(None, None, len(ranked))
    return [Rewrite(p, p.rank, key) for p, key in zip(ranked, keys, strict=True) if p.rank != key]
