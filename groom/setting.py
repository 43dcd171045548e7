"""``groom set``: everyday edits of a story's front matter from the command line. Pure: the
assignments are parsed and planned from the story; the edge writes them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from groom import estimate, ready, yamlio
from groom.config import Config
from groom.errors import GroomError, YamlError
from groom.model import RESERVED_KEY, Story

_ASSIGNMENT = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*?)\s*(?P<op>\+=|-=|=)(?P<value>.*)$", re.S)


@dataclass(frozen=True, slots=True)
class Assignment:
    key: str
    op: str
    """``=`` sets, ``+=`` adds an item to a list, ``-=`` removes one."""
    value: Any


def typed(text: str, kind: str | None) -> Any:
    """A value as YAML would read it after ``key: `` (5 is a number, [a, b] a list), unless the
    schema says the key is text, in which case the text as given."""
    if kind == "string":
        return text
    try:
        return yamlio.load_mapping(f"value: {text}\n").get("value") if text.strip() else None
    except YamlError:
        return text


def parse(items: Sequence[str], kinds: Callable[[str], str | None]) -> list[Assignment]:
    """``key=value``, ``key+=item``, ``key-=item``; ``kinds`` gives a key's schema type."""
    if not items:
        raise GroomError("give at least one KEY=VALUE (or KEY+=ITEM, KEY-=ITEM)")
    found: list[Assignment] = []
    for item in items:
        match = _ASSIGNMENT.match(item)
        if match is None:
            raise GroomError(f"{item!r} is not KEY=VALUE; write e.g. value=8, labels+=mobile or labels-=web")
        key, op, text = match.group("key"), match.group("op"), match.group("value").strip()
        if key == RESERVED_KEY:
            raise GroomError(f"'{RESERVED_KEY}' is reserved for the facts groom computes")
        if key in (a.key for a in found):
            raise GroomError(f"{key} is given twice; give each key once")
        found.append(Assignment(key, op, typed(text, None if op != "=" else kinds(key))))
    return found


def plan(
    story: Story, assignments: Sequence[Assignment], config: Config, judge: Callable[[], ready.Judge], *, force: bool
) -> dict[str, Any]:
    """The new values, or why not: final estimates and the DoR of a story that claims ready (or
    is being set to a ready status) are guarded like ``groom estimate``'s."""
    changes: dict[str, Any] = {}
    for assignment in assignments:
        current = story.data.get(assignment.key)
        if assignment.op == "=":
            changes[assignment.key] = assignment.value
            continue
        items = [] if current is None else current if isinstance(current, list) else None
        if items is None:
            raise GroomError(f"{assignment.key} is not a list; use {assignment.key}=VALUE")
        if assignment.op == "+=":
            changes[assignment.key] = items if assignment.value in items else [*items, assignment.value]
        elif assignment.value not in items:
            raise GroomError(f"{assignment.key} has no {assignment.value!r}; it holds {', '.join(map(str, items))}")
        else:
            changes[assignment.key] = [item for item in items if item != assignment.value]
    changes = {key: value for key, value in changes.items() if story.data.get(key, object()) != value}
    if "estimate" in changes and not force:
        estimate.plan(story, changes["estimate"], config, judge, force=False)  # final estimates need --force
    if changes and not force:
        status = changes.get("status", story.status)
        if status in config.ready_statuses:
            _refuse_gaps(story, changes, judge())
    return changes


def _refuse_gaps(story: Story, changes: dict[str, Any], judge: ready.Judge) -> None:
    """A story that claims ready after the edit must meet the DoR, whatever it met before when
    the edit makes the claim; a story already ready must not lose a DoR item."""
    from dataclasses import replace

    from groom.errors import DorRefusal

    edited = replace(story, data={**story.data, **changes})
    before = set() if "status" in changes else {gap.rule for gap in judge.gaps(story)}
    new = [gap for gap in judge.gaps(edited) if gap.rule not in before]
    if new:
        reasons = "; ".join(
            f"[{gap.rule}] {gap.advice} ({gap.detail})" if gap.detail else f"[{gap.rule}] {gap.advice}" for gap in new
        )
        raise DorRefusal(
            f"{story.id} would be {edited.status} without meeting the Definition of Ready: {reasons}. "
            "Nothing was written; pass --force to write it anyway"
        )
