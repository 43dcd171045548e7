"""What a refinement changed: two versions of a backlog compared as the team reads them.

Pure: both sides arrive as plain data (each with its own config and Judge, so each is judged
by its own Definition of Ready), and everything is computed with the planning functions every
other command uses: the DoR judge, sprint selection, refine's ready work and runway.
``commands.diff`` reads the two sides (from git objects or the working tree).

Stories are matched by id. A story whose id went away is paired with a new id when exactly
one vanished and one new story share a title (a renumber: its file renamed with its id). A
file that cannot be read on one side hides what happened to the story in it: such a story is
neither added nor removed, and the file is listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from groom import rank, refine, sprint
from groom.config import Config
from groom.errors import ConfigError
from groom.facts import Question
from groom.model import Backlog, Placement, Story, Unreadable
from groom.ready import Gap, Judge

DEFAULT_TOP = 10
"""The top of the backlog whose entries and exits are reported, unless --top says otherwise."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One side of the comparison: the backlog as read, and the judge of its own schemas."""

    name: str
    """In words: "merge base with main (1a2b3c4)", "working tree"."""
    commit: str | None
    """The commit read, or None for the working tree."""
    backlog: Backlog
    judge: Judge

    @property
    def config(self) -> Config:
        return self.backlog.config


@dataclass(frozen=True, slots=True)
class Split:
    story: Story
    children: tuple[Story, ...]
    points: float | None
    """Points the parent counted as open work before, which no longer count."""


@dataclass(frozen=True, slots=True)
class Change:
    """A value of one story, before and after (``None``: the key was not there)."""

    story: Story
    old: Any
    new: Any
    final_status: str = ""
    """For an estimate that was final when it changed: the status that made it final."""

    @property
    def final(self) -> bool:
        return bool(self.final_status)


@dataclass(frozen=True, slots=True)
class Readiness:
    story: Story
    gaps: tuple[Gap, ...]
    """What it lacked before (it now meets the DoR) or lacks now (it no longer does)."""


@dataclass(frozen=True, slots=True)
class Move:
    story: Story
    old_position: int
    new_position: int
    """1-based places among the open stories."""

    @property
    def distance(self) -> int:
        return abs(self.new_position - self.old_position)


@dataclass(frozen=True, slots=True)
class Entry:
    """A story that entered or left the top N or the sprint candidates."""

    story: Story
    old_position: int | None
    new_position: int | None
    """1-based places among the open stories; None where it is not an open story."""
    reason: str = ""
    """Why it was not open before (new, was done…) or is not open now (now done, removed, its
    file cannot be read); for a story that left the sprint candidates, the reasons
    sprint-candidates gives; empty when it simply stands lower or higher now."""


@dataclass(frozen=True, slots=True)
class QuestionChange:
    story: Story
    question: Question
    removed: bool = False
    """Answered by taking the question out rather than ticking it."""


@dataclass(frozen=True, slots=True)
class Totals:
    open_stories: int
    open_points: float
    ready_stories: int
    ready_points: float
    capacity: float | None
    """The velocity the runway is counted in (this side's own), when known."""
    runway: float | None
    """Sprints of ready work at that capacity."""
    candidates: int
    candidate_points: float
    """The sprint-candidate set at the current capacity (the same for both sides)."""


@dataclass(frozen=True, slots=True)
class Changes:
    base: Snapshot
    head: Snapshot
    added: tuple[Story, ...]
    dropped: tuple[Story, ...]
    split: tuple[Split, ...]
    renumbered: tuple[tuple[Story, Story], ...]
    """(before, after) of a story that got a new id."""
    renamed: tuple[tuple[Story, Story], ...]
    """(before, after) of a story whose file was renamed, its id kept."""
    removed: tuple[Story, ...]
    estimates: tuple[Change, ...]
    values: tuple[Change, ...]
    status: tuple[Change, ...]
    """Status changes other than a split or a drop (listed above them)."""
    became_ready: tuple[Readiness, ...]
    lost_ready: tuple[Readiness, ...]
    moved: tuple[Move, ...]
    """Stories the team moved among the open stories, biggest moves first (not the ones that
    only shifted because others were added, moved or closed around them)."""
    top: int
    top_entered: tuple[Entry, ...]
    top_left: tuple[Entry, ...]
    capacity: sprint.Capacity | None
    """The current capacity (the head's) both candidate sets are selected at; None if unknown."""
    candidates_entered: tuple[Entry, ...]
    candidates_left: tuple[Entry, ...]
    opened: tuple[QuestionChange, ...]
    answered: tuple[QuestionChange, ...]
    before: Totals
    after: Totals
    finished: tuple[tuple[Story, Placement], ...] = ()
    """(before, where it is now) of a story moved into a folder of finished stories ([paths]
    inactive: Backlog.md's completed/ or archive/)."""

    @property
    def unreadable(self) -> tuple[tuple[str, Unreadable], ...]:
        """("base" or "head", file) for every story file that could not be read on either side."""
        return tuple(("base", u) for u in self.base.backlog.unreadable) + tuple(
            ("head", u) for u in self.head.backlog.unreadable
        )

    @property
    def empty(self) -> bool:
        """Nothing the report lists changed (the totals may still differ: velocity, say)."""
        return not any(
            (
                self.added,
                self.dropped,
                self.split,
                self.renumbered,
                self.renamed,
                self.removed,
                self.finished,
                self.estimates,
                self.values,
                self.status,
                self.became_ready,
                self.lost_ready,
                self.moved,
                self.top_entered,
                self.top_left,
                self.candidates_entered,
                self.candidates_left,
                self.opened,
                self.answered,
            )
        )


class _Remembering(Judge):
    """A judge that works out each story's gaps once: the report, the selection and the ready
    work all ask for them. Two sides judged by the same rules (``shared``) share what they
    found for a story both read from the same bytes, when its dependencies stand the same."""

    def __init__(self, judge: Judge, shared: dict[tuple[Any, ...], list[Gap]] | None = None) -> None:
        super().__init__(judge.backlog, judge.schemas)
        self._own: dict[int, list[Gap]] = {}
        self._shared = shared

    def gaps(self, story: Story, instance: dict[str, Any] | None = None) -> list[Gap]:
        found = self._own.get(id(story))
        if found is not None:
            return found
        key: tuple[Any, ...] = ()
        if self._shared is not None:
            # What else the verdict reads: where the dependencies stand, an open spike among them.
            key = (id(story), tuple(self.dependencies_out_of_order(story)), self._open_spike(story))
            found = self._shared.get(key)
        if found is None:
            found = super().gaps(story, instance)
            if self._shared is not None:
                self._shared[key] = found
        self._own[id(story)] = found
        return found


def _same_rules(base: Snapshot, head: Snapshot) -> bool:
    """Whether both sides judge by the same groom.toml and schemas."""
    old, new = base.judge.schemas, head.judge.schemas
    return (
        base.config == head.config
        and old.story.contents == new.story.contents
        and old.ready.contents == new.ready.contents
    )


def _first_by_id(stories: Iterable[Story]) -> dict[str, Story]:
    found: dict[str, Story] = {}
    for story in stories:
        if story.id:
            found.setdefault(story.id, story)
    return found


def _renumbered(gone: Sequence[Story], fresh: Sequence[Story]) -> list[tuple[Story, Story]]:
    """Pairs (old, new) of a vanished and a new story that share a title no other of them has."""

    def by_title(stories: Sequence[Story]) -> dict[str, list[Story]]:
        found: dict[str, list[Story]] = {}
        for story in stories:
            title = " ".join(story.title.split()).lower()
            if title:
                found.setdefault(title, []).append(story)
        return found

    old, new = by_title(gone), by_title(fresh)
    return [(old[t][0], new[t][0]) for t in old if len(old[t]) == 1 and len(new.get(t, [])) == 1]


def _moves(before: Sequence[str], after: Sequence[str], stories: dict[str, Story]) -> list[Move]:
    """Stories whose place among the open stories changed because they were moved: those off a
    longest run of stories that kept their order (a story that only shifted is on it)."""
    old_position = {story_id: index for index, story_id in enumerate(before, start=1)}
    common = [story_id for story_id in after if story_id in old_position]
    on_run = rank.keep_in_place([old_position[story_id] for story_id in common], valid=lambda _: True)
    kept = {index for index, kept_here in enumerate(on_run) if kept_here}
    new_position = {story_id: index for index, story_id in enumerate(after, start=1)}
    moves = [
        Move(stories[story_id], old_position[story_id], new_position[story_id])
        for index, story_id in enumerate(common)
        if index not in kept and old_position[story_id] != new_position[story_id]
    ]
    moves.sort(key=lambda move: (-move.distance, move.new_position))
    return moves


def _question_key(question: Question) -> str:
    return " ".join(question.text.split()).lower()


def _questions(old: Story | None, new: Story) -> tuple[list[QuestionChange], list[QuestionChange]]:
    """(opened, answered) between two versions of a story; a new story's open questions are opened."""
    before = {} if old is None else {_question_key(q): q for q in old.facts.open_questions}
    after_open = {_question_key(q) for q in new.facts.open_questions}
    after_all = {_question_key(q) for q in new.facts.questions}
    opened = [QuestionChange(new, q) for q in new.facts.open_questions if _question_key(q) not in before]
    answered = [
        QuestionChange(new, q, removed=key not in after_all) for key, q in before.items() if key not in after_open
    ]
    return opened, answered


def _selection(side: Snapshot, judge: Judge, cap: sprint.Capacity | None) -> sprint.Selection | None:
    if cap is None:
        return None
    config = side.config
    stories, unreadable = side.backlog.stories, side.backlog.unreadable
    return sprint.select(stories, judge, config, cap, config.fill, 0, sprint.DEFAULT_SEED, unreadable)


def _ids(selection: sprint.Selection | None) -> list[str]:
    return [candidate.story.id for candidate in selection.candidates] if selection is not None else []


def _totals(side: Snapshot, judge: Judge, candidates: Sequence[str]) -> Totals:
    config = side.config
    stories = side.backlog.stories
    open_stories = [story for story in stories if config.is_open(story.status)]
    work = refine.agenda(stories, judge, config, top=0)
    by_id = _first_by_id(stories)
    points = [sprint.story_points(by_id[story_id], config) or 0.0 for story_id in candidates]
    return Totals(
        open_stories=len(open_stories),
        open_points=sum(sprint.story_points(story, config) or 0.0 for story in open_stories),
        ready_stories=work.ready_stories,
        ready_points=work.ready_points,
        capacity=work.capacity.points if work.capacity is not None else None,
        runway=work.sprints_of_ready_work,
        candidates=len(candidates),
        candidate_points=sum(points),
    )


@dataclass(slots=True)
class _Found:
    """What the walk over the stories both sides hold finds, section by section."""

    split: list[Split] = field(default_factory=list)
    split_children: set[str] = field(default_factory=set)
    dropped: list[Story] = field(default_factory=list)
    status: list[Change] = field(default_factory=list)
    estimates: list[Change] = field(default_factory=list)
    values: list[Change] = field(default_factory=list)
    became: list[Readiness] = field(default_factory=list)
    lost: list[Readiness] = field(default_factory=list)
    opened: list[QuestionChange] = field(default_factory=list)
    answered: list[QuestionChange] = field(default_factory=list)


def _walk(pairs: Sequence[tuple[Story, Story]], base: Snapshot, head: Snapshot, judges: tuple[Judge, Judge]) -> _Found:
    """Splits, drops, status, estimates, values, readiness and questions of the stories both
    sides hold (``pairs`` of before and after)."""
    old_config, new_config = base.config, head.config
    old_roles, new_roles = dict(old_config.roles), dict(new_config.roles)
    found = _Found()
    for before, after in pairs:
        if _became(before, after, old_roles.get("split"), new_roles.get("split")):
            children = head.backlog.children(after.id)
            found.split_children.update(child.id for child in children)
            points = sprint.story_points(before, old_config) if old_config.is_open(before.status) else None
            found.split.append(Split(after, children, points))
        elif _became(before, after, old_roles.get("dropped"), new_roles.get("dropped")):
            found.dropped.append(after)
        elif after.status != before.status:
            found.status.append(Change(after, before.status, after.status))
        old_estimate, new_estimate = before.data.get("estimate"), after.data.get("estimate")
        if old_estimate != new_estimate:
            final = before.status if before.status in old_config.final_statuses else ""
            found.estimates.append(Change(after, old_estimate, new_estimate, final))
        if before.data.get("value") != after.data.get("value"):
            found.values.append(Change(after, before.data.get("value"), after.data.get("value")))
        if old_config.is_open(before.status) and new_config.is_open(after.status):
            old_gaps, new_gaps = judges[0].gaps(before), judges[1].gaps(after)
            if old_gaps and not new_gaps:
                found.became.append(Readiness(after, tuple(old_gaps)))
            elif new_gaps and not old_gaps:
                found.lost.append(Readiness(after, tuple(new_gaps)))
        opened, answered = _questions(before, after)
        found.opened += opened
        found.answered += answered
    return found


def _became(before: Story, after: Story, old_status: str | None, new_status: str | None) -> bool:
    """Whether the story took on a role's status (split, dropped) it did not have."""
    return new_status is not None and after.status == new_status and before.status != old_status


def compare(base: Snapshot, head: Snapshot, top: int = DEFAULT_TOP) -> Changes:
    """Everything the report lists, in the order it lists it."""
    old_config, new_config = base.config, head.config
    shared: dict[tuple[Any, ...], list[Gap]] | None = {} if _same_rules(base, head) else None
    old_judge, new_judge = _Remembering(base.judge, shared), _Remembering(head.judge, shared)
    old, new = _first_by_id(base.backlog.stories), _first_by_id(head.backlog.stories)

    gone = [s for i, s in old.items() if i not in new and head.backlog.holder(i) is None]
    finished = [(s, p) for s in gone if (p := head.backlog.finished(s.id)) is not None]
    gone = [s for s in gone if head.backlog.finished(s.id) is None]
    fresh = [s for i, s in new.items() if i not in old and base.backlog.holder(i) is None]
    renumbered = _renumbered(gone, fresh)
    renumbered_ids = {a.id for a, _ in renumbered} | {b.id for _, b in renumbered}
    pairs = [(old[i], story) for i, story in new.items() if i in old] + renumbered
    pairs.sort(key=lambda pair: pair[1].order_key)
    found = _walk(pairs, base, head, (old_judge, new_judge))

    added = [s for s in fresh if s.id not in renumbered_ids and s.id not in found.split_children]
    added.sort(key=lambda story: story.order_key)
    for story in added:
        found.opened += _questions(None, story)[0]
    removed = sorted((s for s in gone if s.id not in renumbered_ids), key=lambda story: story.order_key)

    # Order: the base's ids are said in the head's (a renumbered story keeps its place).
    new_id = {a.id: b.id for a, b in renumbered}
    # A story without an id cannot be followed from one side to the other: it has no place.
    old_open = [new_id.get(s.id, s.id) for s in base.backlog.stories if s.id and old_config.is_open(s.status)]
    new_open = [s.id for s in head.backlog.stories if s.id and new_config.is_open(s.status)]
    everyone = {**{new_id.get(i, i): s for i, s in old.items()}, **new}
    old_place = {story_id: index for index, story_id in enumerate(old_open, start=1)}
    new_place = {story_id: index for index, story_id in enumerate(new_open, start=1)}

    old_by_new_id = {new_id.get(i, i): s for i, s in old.items()}

    def entry(story_id: str, reason: str = "") -> Entry:
        """Where the story stands on each side; why, when it is not open on one of them."""
        if story_id not in new_place and not reason:
            now = new.get(story_id)
            unreadable = now is None and head.backlog.holder(story_id) is not None
            old_now = head.backlog.finished(story_id)
            reason = (
                f"now {now.status}"
                if now
                else "its file cannot be read"
                if unreadable
                else f"finished ({old_now.status})"
                if old_now
                else "removed"
            )
        elif story_id not in old_place and not reason:
            then = old_by_new_id.get(story_id)
            unreadable = then is None and base.backlog.holder(story_id) is not None
            reason = f"was {then.status}" if then else "its file could not be read" if unreadable else "new"
        return Entry(everyone[story_id], old_place.get(story_id), new_place.get(story_id), reason)

    try:
        cap: sprint.Capacity | None = sprint.capacity(head.backlog.stories, new_config, None)
    except ConfigError:
        cap = None
    old_selection, new_selection = _selection(base, old_judge, cap), _selection(head, new_judge, cap)
    old_candidates = [new_id.get(i, i) for i in _ids(old_selection)]
    new_candidates = _ids(new_selection)
    reasons = {e.story.id: "; ".join(e.reasons) for e in (new_selection.excluded if new_selection else ())}
    return Changes(
        base=base,
        head=head,
        added=tuple(added),
        dropped=tuple(found.dropped),
        split=tuple(found.split),
        renumbered=tuple(renumbered),
        renamed=tuple((a, b) for a, b in pairs if a.id == b.id and a.display != b.display),
        removed=tuple(removed),
        finished=tuple(finished),
        estimates=tuple(found.estimates),
        values=tuple(found.values),
        status=tuple(found.status),
        became_ready=tuple(found.became),
        lost_ready=tuple(found.lost),
        moved=tuple(_moves(old_open, new_open, new)),
        top=top,
        top_entered=tuple(entry(i) for i in new_open[:top] if i not in old_open[:top]),
        top_left=tuple(entry(i) for i in old_open[:top] if i not in new_open[:top]),
        capacity=cap,
        candidates_entered=tuple(entry(i) for i in new_candidates if i not in old_candidates),
        candidates_left=tuple(entry(i, reasons.get(i, "")) for i in old_candidates if i not in new_candidates),
        opened=tuple(found.opened),
        answered=tuple(found.answered),
        before=_totals(base, old_judge, _ids(old_selection)),
        after=_totals(head, new_judge, new_candidates),
    )
