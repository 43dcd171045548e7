"""Reporters for ``groom diff``: text for a terminal or the meeting minutes, markdown for a pull
request comment or a CI job summary, JSON for tools. The same content in each, in the same
order; no decisions here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from groom.model import Story, id_key
from groom.numbers import points as fmt
from groom.report import Formats, _dump, unreadable_records

if TYPE_CHECKING:  # the CLI imports this module for --help: the planning modules load on use
    from groom.changes import Change, Changes, Entry, QuestionChange, Readiness, Totals
    from groom.ready import Gap


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _value(value: Any) -> str:
    if value is None:
        return "none"
    return fmt(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _gaps(gaps: Sequence[Gap]) -> str:
    return ", ".join(f"{gap.rule} ({gap.detail})" if gap.detail else gap.rule for gap in gaps)


def _stories(stories: Iterable[Story]) -> str:
    return ", ".join(f"{story.id} {story.title}" for story in stories)


def _sprints(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _total_rows(before: Totals, after: Totals, changes: Changes) -> list[tuple[str, str, str, str]]:
    """(what, before, after, unit) per total."""
    rows = [
        ("open stories", str(before.open_stories), str(after.open_stories), ""),
        ("open points", fmt(before.open_points), fmt(after.open_points), ""),
        ("ready stories", str(before.ready_stories), str(after.ready_stories), ""),
        ("ready points", fmt(before.ready_points), fmt(after.ready_points), ""),
    ]
    if before.runway is not None or after.runway is not None:
        capacities = list(dict.fromkeys(fmt(c) if c is not None else "?" for c in (before.capacity, after.capacity)))
        at = f" (at {' → '.join(capacities)} points a sprint)"
        rows.append(("ready runway", _sprints(before.runway), _sprints(after.runway), f"sprints{at}"))
    if changes.capacity is not None:
        rows.append(
            (
                "sprint candidates",
                fmt(before.candidate_points),
                fmt(after.candidate_points),
                f"points ({before.candidates} → {after.candidates} stories)",
            )
        )
    return rows


Row = tuple[str, str, str]
"""(id, title, what changed) of one line of a section."""


def _sections(changes: Changes) -> list[tuple[str, list[Row]]]:
    """(heading, rows) for every section that has something, in the report's order."""

    def row(story: Story, rest: str = "") -> Row:
        return (story.id, story.title, rest)

    def values(items: Sequence[Change]) -> list[Row]:
        rows = []
        for item in items:
            note = f" (a final estimate: the story was {item.final_status})" if item.final else ""
            rows.append(row(item.story, f"{_value(item.old)} → {_value(item.new)}{note}"))
        return rows

    def readiness(items: Sequence[Readiness], word: str) -> list[Row]:
        return [row(item.story, f"{word}: {_gaps(item.gaps)}") for item in items]

    def questions(items: Sequence[QuestionChange], removed: str) -> list[Row]:
        return [row(q.story, q.question.text + (removed if q.removed else "")) for q in items]

    def entered(items: Sequence[Entry], what: str) -> list[Row]:
        return [
            row(e.story, f"{what} ({'was ' + ordinal(e.old_position) if e.old_position else e.reason})") for e in items
        ]

    def left(items: Sequence[Entry], what: str) -> list[Row]:
        rows = []
        for e in items:
            where = f"now {ordinal(e.new_position)}" if e.new_position else ""
            rows.append(row(e.story, f"{what} ({'; '.join(part for part in (where, e.reason) if part)})"))
        return rows

    splits = []
    for item in changes.split:
        children = _stories(item.children) or "no children"
        lost = f" ({fmt(item.points)} points no longer counted)" if item.points else ""
        splits.append(row(item.story, f"split into {children}{lost}"))
    top = changes.top
    capacity = changes.capacity
    candidates_heading = f"Sprint candidates at {fmt(capacity.points)} points" if capacity is not None else ""
    sections = [
        ("Added", [row(s) for s in changes.added]),
        ("Dropped", [row(s) for s in changes.dropped]),
        ("Split", splits),
        ("Renumbered", [(f"{a.id} → {b.id}", b.title, "") for a, b in changes.renumbered]),
        ("Renamed", [row(b, f"{a.display} → {b.display}") for a, b in changes.renamed]),
        ("Removed", [row(s, f"{s.display} is gone") for s in changes.removed]),
        ("Finished", [row(s, f"now in {p.display} ({p.status})") for s, p in changes.finished]),
        ("Estimates", values(changes.estimates)),
        ("Values", values(changes.values)),
        ("Status", [row(c.story, f"{c.old} → {c.new}") for c in changes.status]),
        ("Now meet the Definition of Ready", readiness(changes.became_ready, "lacked")),
        ("No longer meet the Definition of Ready", readiness(changes.lost_ready, "lacks")),
        (
            "Moved (place among the open stories)",
            [row(m.story, f"{ordinal(m.old_position)} → {ordinal(m.new_position)}") for m in changes.moved],
        ),
        (
            f"Top {top}",
            entered(changes.top_entered, f"entered the top {top}") + left(changes.top_left, f"left the top {top}"),
        ),
        (
            candidates_heading,
            entered(changes.candidates_entered, "entered") + left(changes.candidates_left, "left")
            if capacity is not None
            else [],
        ),
        ("Questions opened", questions(changes.opened, "")),
        ("Questions answered", questions(changes.answered, " (taken out, not ticked)")),
    ]
    return [(heading, rows) for heading, rows in sections if rows]


def _unreadable_lines(changes: Changes) -> list[str]:
    return [f"{side}: {u.display}:{u.line}:{u.column}: cannot be read: {u.message}" for side, u in changes.unreadable]


def diff_text(changes: Changes) -> str:
    lines = [f"groom diff: {changes.base.name} → {changes.head.name}", ""]
    sections = _sections(changes)
    if not sections:
        lines += ["No story changed.", ""]
    for heading, rows in sections:
        lines.append(heading)
        id_width = max(len(story_id) for story_id, _, _ in rows)
        title_width = max(len(title) for _, title, _ in rows)
        lines += [f"  {i:<{id_width}}  {title:<{title_width}}  {rest}".rstrip() for i, title, rest in rows]
        lines.append("")
    lines.append("Totals (before → after)")
    totals = _total_rows(changes.before, changes.after, changes)
    width = max(len(what) for what, *_ in totals)
    old_width = max(len(old) for _, old, _, _ in totals)
    lines += [f"  {what:<{width}}  {old:>{old_width}} → {new} {unit}".rstrip() for what, old, new, unit in totals]
    if changes.capacity is None:
        lines.append("  (no capacity known: the sprint-candidate sets are not compared)")
    if changes.unreadable:
        lines += ["", "Could not be read (what changed in them is not in this report)"]
        lines += [f"  {line}" for line in _unreadable_lines(changes)]
    return "\n".join(lines) + "\n"


_MARKDOWN = re.compile(r"([\\`*_\[\]<|])")


def _md(text: str) -> str:
    """Text that markdown shows as written: no emphasis, code, links, HTML or table breaks (every line
    the reporter writes starts with its own markup, so "#" and ">" cannot start one)."""
    return _MARKDOWN.sub(r"\\\1", text)


def diff_markdown(changes: Changes) -> str:
    lines = [
        "### Backlog changes",
        "",
        f"{_md(changes.base.name)} → {_md(changes.head.name)}",
        "",
    ]
    sections = _sections(changes)
    if not sections:
        lines += ["No story changed.", ""]
    for heading, rows in sections:
        lines += [f"**{_md(heading)}**", ""]
        for story_id, title, rest in rows:
            shown = f"**{_md(story_id)}** {_md(title)}".rstrip()
            lines.append(f"- {shown}: {_md(rest)}" if rest else f"- {shown}")
        lines.append("")
    lines += ["| totals | before | after | |", "|---|---:|---:|---|"]
    lines += [
        f"| {what} | {_md(old)} | {_md(new)} | {_md(unit)} |"
        for what, old, new, unit in _total_rows(changes.before, changes.after, changes)
    ]
    if changes.capacity is None:
        lines += ["", "No capacity known: the sprint-candidate sets are not compared."]
    if changes.unreadable:
        lines += ["", "**Could not be read** (what changed in them is not in this report)", ""]
        lines += [f"- {_md(line)}" for line in _unreadable_lines(changes)]
    return "\n".join(lines) + "\n"


def _totals_record(totals: Totals) -> dict[str, Any]:
    return {
        "open_stories": totals.open_stories,
        "open_points": totals.open_points,
        "ready_stories": totals.ready_stories,
        "ready_points": totals.ready_points,
        "capacity": totals.capacity,
        "runway_sprints": totals.runway,
        "candidates": totals.candidates,
        "candidate_points": totals.candidate_points,
    }


def _question_record(item: QuestionChange) -> dict[str, Any]:
    record: dict[str, Any] = {"id": item.story.id, "question": item.question.text, "owner": item.question.owner}
    return record


def _places(entries: Sequence[Entry]) -> dict[str, Any]:
    """Where each story that entered or left stood before and after (1-based among the open
    stories; null: not open there), and why, when the text says why."""
    return {
        "positions": {e.story.id: {"old": e.old_position, "new": e.new_position} for e in entries},
        "reasons": {e.story.id: e.reason for e in entries if e.reason},
    }


def diff_json(changes: Changes) -> str:
    named: dict[str, str] = {}

    def ids(stories: Iterable[Story]) -> list[str]:
        found = []
        for story in stories:
            named.setdefault(story.id, story.title)
            found.append(story.id)
        return found

    capacity = changes.capacity
    document = {
        "base": {"name": changes.base.name, "commit": changes.base.commit},
        "head": {"name": changes.head.name, "commit": changes.head.commit},
        "added": ids(changes.added),
        "dropped": ids(changes.dropped),
        "split": [{"id": ids([s.story])[0], "children": ids(s.children), "points": s.points} for s in changes.split],
        "renumbered": [{"old": ids([a])[0], "new": ids([b])[0]} for a, b in changes.renumbered],
        "renamed": [{"id": ids([b])[0], "old": a.display, "new": b.display} for a, b in changes.renamed],
        "removed": ids(changes.removed),
        "finished": [{"id": ids([a])[0], "path": p.display, "status": p.status} for a, p in changes.finished],
        "estimates": [
            {"id": ids([c.story])[0], "old": c.old, "new": c.new, "final": c.final} for c in changes.estimates
        ],
        "values": [{"id": ids([c.story])[0], "old": c.old, "new": c.new} for c in changes.values],
        "status": [{"id": ids([c.story])[0], "old": c.old, "new": c.new} for c in changes.status],
        "ready": {
            "became": ids(r.story for r in changes.became_ready),
            "lost": ids(r.story for r in changes.lost_ready),
            "gaps": {
                r.story.id: [{"rule": g.rule, "detail": g.detail} for g in r.gaps]
                for r in (*changes.became_ready, *changes.lost_ready)
            },
        },
        "moved": [
            {"id": ids([m.story])[0], "old_position": m.old_position, "new_position": m.new_position}
            for m in changes.moved
        ],
        "top": {
            "n": changes.top,
            "entered": ids(e.story for e in changes.top_entered),
            "left": ids(e.story for e in changes.top_left),
            **_places((*changes.top_entered, *changes.top_left)),
        },
        "candidates": {
            "capacity": capacity.points if capacity is not None else None,
            "capacity_source": capacity.source if capacity is not None else None,
            "entered": ids(e.story for e in changes.candidates_entered),
            "left": ids(e.story for e in changes.candidates_left),
            **_places((*changes.candidates_entered, *changes.candidates_left)),
        },
        "questions": {
            "opened": [_question_record(q) for q in changes.opened],
            "answered": [{**_question_record(q), "removed": q.removed} for q in changes.answered],
        },
        "totals": {"before": _totals_record(changes.before), "after": _totals_record(changes.after)},
        "unreadable": [
            {"side": side, **record}
            for (side, _), record in zip(
                changes.unreadable, unreadable_records([u for _, u in changes.unreadable]), strict=True
            )
        ],
    }
    ids(q.story for q in (*changes.opened, *changes.answered))
    document["titles"] = dict(sorted(named.items(), key=lambda item: id_key(item[0])))
    return _dump(document)


DIFF: Formats[Changes] = Formats(text=diff_text, markdown=diff_markdown, json=diff_json)
