"""Estimates on the team's scale: one value, or a planning-poker round.

Pure functions: parsing the scale, settling a round, and deciding whether an estimate may be
written (final estimates, the DoR of a ready story). ``commands.estimate`` reads and writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from groom import ready
from groom.config import Config
from groom.errors import DorRefusal, GroomError
from groom.model import UNKNOWN, Story
from groom.numbers import points as show_points

Points = int | float | str


def scale_text(config: Config) -> str:
    return ", ".join(show_points(p) for p in config.scale) + f", or {UNKNOWN} (cannot estimate yet)"


def _order(points: Points) -> float:
    return -1.0 if isinstance(points, str) else float(points)


def parse_points(text: str, config: Config, who: str = "") -> Points:
    """A card of the team's scale (or ``?``), or a GroomError that lists the scale."""
    cleaned = text.strip()
    if cleaned == UNKNOWN:
        return UNKNOWN
    try:
        number: int | float = int(cleaned)
    except ValueError:
        try:
            number = float(cleaned)
        except ValueError:
            number = -1
    for card in config.scale:
        if number == card:
            return card
    whose = f"{who} voted " if who else ""
    raise GroomError(f"{whose}{cleaned!r} is not on the team's scale: {scale_text(config)}")


@dataclass(frozen=True, slots=True)
class Vote:
    voter: str
    """The name given (``ana=3``), or "#1", "#2"… for anonymous votes."""
    points: Points


def parse_votes(text: str, config: Config) -> list[Vote]:
    """``3,5,8`` or ``ana=3,bo=5``; every vote must be on the scale or ``?``."""
    votes: list[Vote] = []
    for index, item in enumerate(part for part in text.split(",") if part.strip()):
        name, sep, value = item.partition("=")
        voter = name.strip() if sep else f"#{index + 1}"
        if sep and not voter:
            raise GroomError(f"vote {item.strip()!r} has no name before '='; write name=points")
        if sep and any(vote.voter.lower() == voter.lower() for vote in votes):
            raise GroomError(f"{voter} voted twice; give one vote per person")
        votes.append(Vote(voter, parse_points(value if sep else name, config, voter)))
    if len(votes) < 2:
        raise GroomError("a planning-poker round needs at least two votes, e.g. --votes 3,5,5 or ana=3,bo=5")
    return votes


@dataclass(frozen=True, slots=True)
class Round:
    """The outcome of one planning-poker round."""

    votes: tuple[Vote, ...]
    consensus: Points | None
    """The card agreed on, or None when the team votes again."""
    highest: tuple[str, ...]
    lowest: tuple[str, ...]
    unknown: tuple[str, ...]
    """Voters who played ``?``."""

    @property
    def explanation(self) -> str:
        if self.consensus is not None:
            cards = sorted({v.points for v in self.votes}, key=_order)
            spread = " and ".join(show_points(c) for c in cards)
            return f"consensus at {show_points(self.consensus)} (votes on {spread})"
        if self.unknown:
            return (
                f"no estimate: {', '.join(self.unknown)} played {UNKNOWN}; the story needs a question "
                "answered or a spike first (groom split ID --spike TITLE)"
            )
        high = ", ".join(self.highest)
        low = ", ".join(self.lowest)
        cards = [v.points for v in self.votes]
        return (
            f"no consensus ({show_points(min(cards, key=_order))} to {show_points(max(cards, key=_order))}): "
            f"{high} (highest) and {low} (lowest) explain, then vote again"
        )


def play(votes: Sequence[Vote], config: Config) -> Round:
    """One card or two adjacent cards of the scale: consensus at the higher; else a re-vote."""
    unknown = tuple(v.voter for v in votes if v.points == UNKNOWN)
    if unknown:
        return Round(tuple(votes), None, (), (), unknown)
    cards: list[Points] = list(config.scale)
    positions = sorted({cards.index(v.points) for v in votes})
    high_card, low_card = config.scale[positions[-1]], config.scale[positions[0]]
    highest = tuple(v.voter for v in votes if v.points == high_card)
    lowest = tuple(v.voter for v in votes if v.points == low_card)
    if positions[-1] - positions[0] <= 1:
        return Round(tuple(votes), high_card, highest, lowest, ())
    return Round(tuple(votes), None, highest, lowest, ())


@dataclass(frozen=True, slots=True)
class Change:
    """One story's estimate: what it was and what it becomes."""

    story: Story
    old: object
    new: Points

    @property
    def needed(self) -> bool:
        """False when the story already has exactly this estimate: nothing to write."""
        return not (self.old == self.new and type(self.old) is type(self.new))


def _final_refusal(story: Story, config: Config) -> str | None:
    if story.status in config.inactive_statuses:
        return (
            f"{story.id} is {story.status}: its estimate is history and counts nowhere; "
            "estimate its children instead, or pass --force"
        )
    if story.status in config.final_statuses:
        return (
            f"{story.id} is {story.status}: its estimate became final when it entered the sprint; "
            "pass --force to change it anyway"
        )
    return None


def plan(
    story: Story, points: Points, config: Config, judge: Callable[[], ready.Judge], *, force: bool = False
) -> Change:
    """The estimate to write, or why not.

    Refused (GroomError, exit 2) for a final or historical estimate without ``force``; refused
    (DorRefusal, exit 1) when the story claims to be ready and the new value would break the
    Definition of Ready, unless ``force``. ``judge`` gives a Judge that sees at least the story
    and what it depends on; it is asked for only when the DoR must be checked (building one
    loads the schemas).
    """
    refusal = _final_refusal(story, config)
    if refusal and not force:
        raise GroomError(refusal)
    change = Change(story, story.data.get("estimate"), points)
    if change.needed and not force and story.status in config.ready_statuses:
        refuse_new_gaps(judge(), story, {"estimate": points})
    return change


def refuse_new_gaps(judge: ready.Judge, story: Story, changes: dict[str, object]) -> None:
    """Refuse an edit that would make a story that claims readiness fail a DoR item."""
    if not judge.claims_ready(story):
        return
    before = {gap.rule for gap in judge.gaps(story)}
    edited = replace(story, data={**story.data, **changes})
    new = [gap for gap in judge.gaps(edited) if gap.rule not in before]
    if new:
        reasons = "; ".join(f"[{gap.rule}] {gap.advice} ({gap.detail})" for gap in new)
        raise DorRefusal(
            f"{story.id} is {story.status} and would no longer meet the Definition of Ready: {reasons}. "
            "Nothing was written; pass --force to write it anyway"
        )


def missing(stories: Sequence[Story], config: Config) -> list[Story]:
    """Open stories without an estimate (or with ``?``), in backlog order."""
    return [
        story
        for story in stories
        if config.is_open(story.status) and (story.estimate is None or story.estimate == UNKNOWN)
    ]
