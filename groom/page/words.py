"""What the HTML page and the markdown say in words, written once so the two never differ."""

from __future__ import annotations

import re
from collections.abc import Sequence

from groom.numbers import points as fmt
from groom.reportmodel import DoneBy, GapRecord, Report, Row

SECTIONS = (
    ("headline", "Headline figures"),
    ("backlog", "The open backlog"),
    ("velocity", "Velocity"),
    ("forecast", "Forecast"),
    ("epics", "Epics"),
    ("agenda", "Refinement agenda"),
    ("actions", "Open questions by owner"),
)
"""Every section of the report, in order: (anchor, heading). Unreadable files come first, when any."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: object) -> str:
    """Control characters from story files as visible escapes (as the terminal output shows them)."""
    return _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", str(text))


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def title(report: Report) -> str:
    return f"Backlog report: {report.backlog}"


def subtitle(report: Report) -> str:
    return f"{report.generated} · {plural(report.headline.open_stories, 'open story', 'open stories')}"


def unreadable_line(report: Report) -> str:
    count = len(report.unreadable)
    return (
        f"{plural(count, 'story file')} could not be read and {'is' if count == 1 else 'are'} in none of the "
        "figures below; fix them (groom check says why):"
    )


def figures(report: Report) -> list[tuple[str, str, str, bool]]:
    """The headline figures: (value, label, note, alarming)."""
    head = report.headline
    found = []
    if head.unreadable:
        found.append((f"{head.unreadable:,}", "unreadable story files", "not counted anywhere: fix them first", True))
    note = f"in {plural(head.open_stories, 'open story', 'open stories')}"
    if head.unestimated:
        note += f"; {head.unestimated:,} without an estimate"
    found.append((fmt(head.open_points), "open points", note, False))
    found.append(
        (
            fmt(head.ready_points),
            "ready points",
            f"in {plural(head.ready_stories, 'ready story', 'ready stories')} not yet in a sprint",
            False,
        )
    )
    if head.runway_sprints is None:
        found.append(("–", "sprints of ready work", "no velocity known yet", False))
    else:
        advice = "teams aim for about two" if head.runway_sprints < 2 else "enough for sprint planning"
        found.append(
            (
                f"{head.runway_sprints:.1f}",
                "sprints of ready work",
                f"at {fmt(head.capacity or 0)} points a sprint; {advice}",
                head.runway_sprints < 1,
            )
        )
    found.append(
        (
            f"{head.top_not_ready:,}",
            f"not ready in the top {head.top_considered:,}" if head.top_considered else "not ready at the top",
            "open stories not yet in a sprint; the agenda below says what they lack",
            head.top_not_ready > 0,
        )
    )
    if head.capacity is not None:
        found.append(
            (
                fmt(head.candidates_points),
                "points of sprint candidates",
                f"{plural(head.candidates, 'story', 'stories')} for the next sprint, capacity {fmt(head.capacity)}",
                False,
            )
        )
    return found


def estimate(value: object) -> str:
    return fmt(value) if value is not None else "–"


def gap(item: GapRecord) -> str:
    return f"{item.rule}: {item.detail or item.advice}"


def dependencies(row: Row) -> str:
    parts = []
    for dep in row.depends_on:
        if dep.status is not None:
            parts.append(f"{dep.id} ({dep.status})")
        elif not dep.readable:
            parts.append(f"{dep.id} (its file cannot be read)")
        else:
            parts.append(f"{dep.id} (unknown)")
    return ", ".join(parts)


def plan(row: Row) -> str:
    """The row's place in the next sprint's plan, in words."""
    if row.sprint is not None:
        return f"in sprint {row.sprint}"
    if row.candidate:
        return f"candidate ({fmt(row.cumulative)} cumulative)"
    # What the DoR misses is in the readiness column already.
    reasons = [reason for reason in row.reasons if not reason.startswith("not ready: ")]
    if reasons:
        return "left out: " + "; ".join(reasons)
    if row.reasons:
        return "left out: not ready"
    return ""


def cut_line(report: Report) -> str:
    sprint = report.sprint_candidates
    assert sprint is not None
    below = report.table.open_stories - (report.table.cut or 0)
    return (
        f"sprint-candidate cut: {fmt(sprint.total)} of {fmt(sprint.capacity)} points above this line; "
        f"{plural(below, 'open story', 'open stories')} below it"
    )


def more_line(report: Report) -> str:
    return f"and {plural(report.table.more, 'more open story', 'more open stories')} (groom list shows every story)"


def capacity_line(report: Report) -> str:
    sprint = report.sprint_candidates
    if sprint is None:
        return f"No capacity known: {report.no_capacity}."
    confidence = ""
    if sprint.confidence_share is not None:
        reached = round(sprint.confidence_share * sprint.confidence_sprints)
        confidence = (
            f" Confidence {round(sprint.confidence_share * 100)} %: {reached} of the {sprint.confidence_sprints} "
            f"past sprints reached {fmt(sprint.total)} points."
        )
    return f"Capacity {fmt(sprint.capacity)} points: {sprint.capacity_source}; fill: {sprint.fill}.{confidence}"


def velocity_line(report: Report) -> str:
    velocity = report.velocity
    if velocity.mean_last_3 is None:
        return "No done story has a sprint yet: mark done stories with their sprint (sprint: 2026-24)."
    sprints = "sprint" if velocity.counted == 1 else f"{velocity.counted} sprints"
    return f"Mean of the last {sprints}: {fmt(velocity.mean_last_3)} points; {velocity.committed_source}."


def mean_label(report: Report) -> str:
    velocity = report.velocity
    return f"mean of the last {velocity.counted}" if velocity.mean_last_3 is not None else ""


def forecast_line(report: Report) -> str:
    forecast = report.forecast
    if forecast is None:
        return f"No forecast without a capacity: {report.no_capacity}."
    text = (
        f"Each later sprint takes the open stories left in backlog order under the capacity (as groom "
        f"sprint-candidates --sprints {forecast.asked} --seed {forecast.seed} prints them). "
    )
    if forecast.readings:
        return text + (
            f"The band: {forecast.trials:,} Monte Carlo trials drawing past velocities; by sprint +n, the points "
            "done in half of the trials (50 %) and in 85 % of them."
        )
    return text + "No Monte Carlo band: it needs three past sprints of velocity."


def forecast_sprints(report: Report) -> list[str]:
    """One line per forecast sprint, as sprint-candidates --sprints says it."""
    sprint = report.sprint_candidates
    if sprint is None:
        return []
    lines = []
    for line in sprint.forecast:
        ids = ", ".join(i + (" (not ready)" if i in line.not_ready else "") for i in line.ids) or "-"
        reading = f"; done within {line.p50} sprint(s) at 50 %, {line.p85} at 85 %" if line.p50 is not None else ""
        size = " (bigger than a sprint: split it)" if line.oversized else ""
        text = f"sprint +{line.sprint}: {ids}: {fmt(line.points)} points{size}, {fmt(line.cumulative)} cumulative"
        text += reading
        if line.unestimated:
            verb = "the forecast stops at" if line.stopped else "no estimate, not forecast:"
            text += f"; {verb} {', '.join(line.unestimated)}"
        lines.append(text)
    if sprint.forecast and len(sprint.forecast) < sprint.forecast_asked and not sprint.forecast[-1].stopped:
        used = len(sprint.forecast)
        lines.append(f"the open backlog is used up after sprint +{used} ({sprint.forecast_asked} asked)")
    return lines


def done_by(item: DoneBy) -> tuple[str, str, str, str]:
    """(sprint +n by the plan, at 50 %, at 85 %, note) of one story or epic."""
    plan = f"+{item.plan}" if item.plan is not None else "–"
    p50 = f"+{item.p50}" if item.p50 is not None else "–"
    p85 = f"+{item.p85}" if item.p85 is not None else "–"
    note = item.note
    if item.plan is not None and item.p50 is None and not note:
        note = "no Monte Carlo reading: it needs three past sprints of velocity"
    return plan, p50, p85, note


def ready_work_line(report: Report) -> str:
    agenda = report.agenda
    text = f"{fmt(agenda.ready_points)} points of ready work in {plural(agenda.ready_stories, 'story', 'stories')}"
    if agenda.sprints_of_ready_work is None:
        return text + " (no velocity known: set [sprint] velocity or mark done stories with their sprint)"
    advice = "teams aim for about two" if agenda.sprints_of_ready_work < 2 else "enough for sprint planning"
    return f"{text}: {agenda.sprints_of_ready_work:.1f} sprints at {fmt(agenda.capacity or 0)} points; {advice}"


def owner(name: str | None) -> str:
    return f"@{name}" if name else "no owner"


def joined(items: Sequence[str]) -> str:
    return "; ".join(items)
