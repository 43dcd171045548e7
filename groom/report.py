"""Reporters: turn results into text, JSON, GitHub annotations or tables. No decisions here."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from groom.backlog import Story, display_path
from groom.findings import ERROR, Finding
from groom.numbers import points as fmt

if TYPE_CHECKING:  # each command's module is imported by the command that runs
    from groom.estimate import Change
    from groom.init import Created
    from groom.refine import Action, Agenda, AgendaItem, StaleReport
    from groom.reorder import Move, Reorder, Rewrite
    from groom.split import Plan, Renumber, Suggestion
    from groom.sprint import Selection
    from groom.workspace import CheckResult, Listing, StoryView

# ---------------------------------------------------------------------------------------
# check


def _finding_line(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.column}: {finding.severity} [{finding.rule}] {finding.message}"


def _summary(result: CheckResult) -> str:
    errors = sum(1 for f in result.findings if f.severity == ERROR)
    warnings = len(result.findings) - errors
    noun = "story file" if result.checked == 1 else "story files"
    text = f"checked {result.checked} {noun}: {errors} error{'s' if errors != 1 else ''}, "
    text += f"{warnings} warning{'s' if warnings != 1 else ''}"
    if result.outside:
        text += f"; {len(result.outside)} path(s) given are not stories of this backlog and were not checked"
    return text


def check_text(result: CheckResult) -> str:
    lines = [_finding_line(f) for f in result.findings]
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def check_json(result: CheckResult) -> str:
    document = {
        "version": 1,
        "ok": result.ok,
        "checked": result.checked,
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "id": f.id,
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
            }
            for f in result.findings
        ],
    }
    if result.outside:
        document["not_checked"] = list(result.outside)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def check_github(result: CheckResult) -> str:
    """Workflow annotations (GitHub shows only the first few), then the full text report."""
    lines = []
    for f in result.findings:
        level = "error" if f.severity == ERROR else "warning"
        props = (
            f"file={_escape_property(f.path)},line={f.line},col={f.column},title={_escape_property('groom ' + f.rule)}"
        )
        lines.append(f"::{level} {props}::{_escape_data(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "") + check_text(result)


def check_sarif(result: CheckResult) -> str:
    """SARIF 2.1.0, the format GitHub code scanning and other CI systems read."""
    from groom import __version__

    rules = sorted({f.rule for f in result.findings})
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "groom",
                        "version": __version__,
                        "rules": [{"id": rule, "name": rule} for rule in rules],
                    }
                },
                "results": [
                    {
                        "ruleId": f.rule,
                        "level": "error" if f.severity == ERROR else "warning",
                        "message": {"text": f.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f.path},
                                    "region": {"startLine": f.line, "startColumn": f.column},
                                }
                            }
                        ],
                    }
                    for f in result.findings
                ],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def check_junit(result: CheckResult) -> str:
    """JUnit XML, the format GitLab and Jenkins show as test reports: one test case per story
    file, failed when the file has an error; warnings are the case's output."""
    from xml.etree import ElementTree

    by_file: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_file.setdefault(finding.path, []).append(finding)
    failed = sum(1 for path in result.files if any(f.severity == ERROR for f in by_file.get(path, [])))
    suite = ElementTree.Element(
        "testsuite", name="groom check", tests=str(len(result.files)), failures=str(failed), errors="0"
    )
    for path in result.files:
        case = ElementTree.SubElement(suite, "testcase", classname="groom.check", name=path)
        found = by_file.get(path, [])
        errors = [f for f in found if f.severity == ERROR]
        if errors:
            failure = ElementTree.SubElement(case, "failure", message=errors[0].message, type=errors[0].rule)
            failure.text = "\n".join(_finding_line(f) for f in errors)
        warnings = [f for f in found if f.severity != ERROR]
        if warnings:
            ElementTree.SubElement(case, "system-out").text = "\n".join(_finding_line(f) for f in warnings)
    suites = ElementTree.Element("testsuites")
    suites.append(suite)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


CHECK_FORMATS: dict[str, Callable[[CheckResult], str]] = {
    "text": check_text,
    "json": check_json,
    "github": check_github,
    "sarif": check_sarif,
    "junit": check_junit,
}

# ---------------------------------------------------------------------------------------
# list and show


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], flexible: int = -1) -> str:
    """A plain aligned table; the ``flexible`` column is shortened to fit the terminal."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    if flexible >= 0 and cells:
        room = shutil.get_terminal_size((120, 24)).columns - (sum(widths) - widths[flexible]) - 2 * (len(widths) - 1)
        if room < widths[flexible]:
            limit = max(room, 12)
            widths[flexible] = min(widths[flexible], limit)
            for row in cells:
                if len(row[flexible]) > limit:
                    row[flexible] = row[flexible][: limit - 1] + "…"

    def render(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [render(headers), render(["-" * w for w in widths])]
    lines.extend(render(row) for row in cells)
    return "\n".join(lines) + "\n"


LIST_KEYS = ("id", "title", "status", "estimate", "value", "rank", "ready")


def list_record(story: Story, ready: bool) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "status": story.status,
        "estimate": story.estimate,
        "value": story.value,
        "rank": story.rank,
        "ready": ready,
    }


def list_table(listing: Listing) -> str:
    if not listing.rows:
        return "no stories match\n"
    records = [list_record(story, ready) for story, ready in listing.rows]
    text = table(LIST_KEYS, [[r[k] for k in LIST_KEYS] for r in records], flexible=1)
    stories = "story" if listing.open_stories == 1 else "stories"
    footer = f"open work: {_cell(listing.open_points)} points in {listing.open_stories} {stories}"
    if listing.unestimated:
        footer += f" ({listing.unestimated} not estimated)"
    if listing.history_points:
        footer += f"; {_cell(listing.history_points)} points of split or dropped stories are not counted"
    return text + footer + "\n"


def list_json(listing: Listing) -> str:
    return json.dumps([list_record(s, r) for s, r in listing.rows], indent=2, ensure_ascii=False) + "\n"


LIST_FORMATS: dict[str, Callable[[Listing], str]] = {
    "table": list_table,
    "json": list_json,
}


def show_text(view: StoryView) -> str:
    story = view.story
    lines = [f"{story.id}  {story.title}", f"file:      {story.display}"]
    fields = [
        ("status", story.status),
        ("type", story.type),
        ("estimate", story.estimate),
        ("value", story.value),
        ("rank", story.rank),
    ]
    lines.append("   ".join(f"{name}: {_cell(value) or '-'}" for name, value in fields))
    for key in ("parent", "epic", "sprint", "timebox"):
        if story.data.get(key) is not None:
            lines.append(f"{key}: {_cell(story.data[key])}")
    if story.data.get("labels"):
        lines.append("labels: " + ", ".join(_cell(v) for v in story.data["labels"]))
    if view.dependencies:
        lines.append("depends on: " + ", ".join(f"{dep} ({status or 'unknown'})" for dep, status in view.dependencies))
    if view.children:
        lines.append("children: " + ", ".join(view.children))
    if view.gaps:
        lines.append("ready: no")
        lines.extend(
            f"  - [{gap.rule}] {gap.advice} ({gap.detail})" if gap.detail else f"  - [{gap.rule}] {gap.advice}"
            for gap in view.gaps
        )
    else:
        lines.append("ready: yes (meets the Definition of Ready)")
    if story.facts.criteria:
        lines.append("acceptance criteria:")
        lines.extend(f"  - {criterion}" for criterion in story.facts.criteria)
    if story.facts.open_questions:
        lines.append("open questions:")
        lines.extend(f"  - {question.text}" for question in story.facts.open_questions)
    return "\n".join(lines) + "\n"


def show_json(view: StoryView) -> str:
    story = view.story
    document = {
        "id": story.id,
        "path": story.display,
        "front_matter": story.data,
        "ready": not view.gaps,
        "gaps": [{"rule": g.rule, "advice": g.advice, "detail": g.detail} for g in view.gaps],
        "dependencies": [{"id": dep, "status": status} for dep, status in view.dependencies],
        "children": list(view.children),
        "acceptance_criteria": list(story.facts.criteria),
        "questions": [{"text": q.text, "owner": q.owner, "answered": q.answered} for q in story.facts.questions],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


SHOW_FORMATS: dict[str, Callable[[StoryView], str]] = {"text": show_text, "json": show_json}


# ---------------------------------------------------------------------------------------
# estimate and reprioritize


def _quoted(key: str | None) -> str:
    return "(none)" if key is None else f'"{key}"'


def estimate_change(change: Change) -> str:
    old = fmt(change.old) if change.old is not None else "(none)"
    if not change.written:
        return f"{change.story_id}: estimate is already {old}; nothing written\n"
    return f"{change.story_id}: estimate {old} → {fmt(change.new)} ({change.path})\n"


def missing_table(stories: Sequence[Story]) -> str:
    if not stories:
        return "every open story has an estimate\n"
    rows = [[s.id, s.title, s.status, fmt(s.estimate), s.rank] for s in stories]
    return table(("id", "title", "status", "estimate", "rank"), rows, flexible=1)


def missing_json(stories: Sequence[Story]) -> str:
    records = [
        {"id": s.id, "title": s.title, "status": s.status, "estimate": s.estimate, "rank": s.rank, "path": s.display}
        for s in stories
    ]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


MISSING_FORMATS: dict[str, Callable[[Sequence[Story]], str]] = {"table": missing_table, "json": missing_json}


def _would(dry_run: bool, count: int, written: int) -> str:
    noun = "file" if count == 1 else "files"
    return f"would rewrite {count} {noun}" if dry_run else f"{written} {'file' if written == 1 else 'files'} written"


def move_text(moved: Move, dry_run: bool, written: int) -> str:
    place = (
        ", ".join(
            part
            for part in (
                f"after {moved.after}" if moved.after else "",
                f"before {moved.before}" if moved.before else "",
            )
            if part
        )
        or "the only ranked story"
    )
    if not moved.rewrites:
        return f"{moved.story_id} is already there ({place}); nothing written\n"
    lines = [
        f"{r.story_id}: rank (none) → {_quoted(r.new)} (it had no rank: stories without one sort last, by id)"
        for r in moved.rewrites[:-1]
    ]
    lines.append(f"{moved.story_id}: rank {_quoted(moved.old)} → {_quoted(moved.new)} ({place})")
    if moved.above_dependencies:
        lines.append(
            f"note: {moved.story_id} now sorts above {', '.join(moved.above_dependencies)}, which it depends on; "
            "move them up too, or groom check will say its dependencies are out of order"
        )
    lines.append(_would(dry_run, len(moved.rewrites), written))
    return "\n".join(lines) + "\n"


def rebalance_text(rewrites: Sequence[Rewrite], dry_run: bool, written: int) -> str:
    lines = [f"{r.story_id}: {_quoted(r.old)} → {_quoted(r.new)}" for r in rewrites]
    lines.append(f"rebalanced the ranked stories: {_would(dry_run, len(rewrites), written)}")
    return "\n".join(lines) + "\n"


def reorder_table(result: Reorder, dry_run: bool, written: int) -> str:
    rows = [
        [
            index,
            row.story.id,
            row.story.title,
            "-" if row.score is None else _cell(row.score),
            _quoted(row.old),
            "kept" if not row.changed else _quoted(row.new),
        ]
        for index, row in enumerate(result.rows, start=1)
    ]
    text = table(("#", "id", "title", result.method, "old rank", "new rank"), rows, flexible=2)
    if result.held:
        pairs = ", ".join(f"{story} after {dep}" for story, dep in result.held)
        text += f"kept below what they depend on, whatever the score: {pairs}\n"
    unscored = [row for row in result.rows if row.score is None]
    if unscored:
        text += f"not scored, kept in their order after the scored stories ({len(unscored)}):\n"
        text += "".join(f"  {row.story.id}: {row.reason}\n" for row in unscored)
    count = len(result.rewrites)
    text += f"ordered {len(result.rows)} open stories by {result.method}: {_would(dry_run, count, written)}\n"
    return text


def reorder_json(result: Reorder, dry_run: bool, written: int) -> str:
    document = {
        "by": result.method,
        "dry_run": dry_run,
        "written": written,
        "held": [{"id": story, "after": dep} for story, dep in result.held],
        "order": [
            {
                "id": r.story.id,
                "score": r.score,
                "missing": r.reason or None,
                "old_rank": r.old,
                "new_rank": r.new,
                "changed": r.changed,
            }
            for r in result.rows
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


REORDER_FORMATS: dict[str, Callable[[Reorder, bool, int], str]] = {"table": reorder_table, "json": reorder_json}


# ---------------------------------------------------------------------------------------
# split, renumber


def split_text(plan: Plan, dry_run: bool, written: int) -> str:
    lines = []
    for new in plan.created:
        key = new.fields.get("rank")
        lines.append(f"{new.id}: {new.title}  ({new.path}{f', rank {_quoted(key)}' if key else ''})")
    story = plan.story
    changes = ", ".join(f"{key} {_value(story.data.get(key))} → {_value(value)}" for key, value in plan.changes.items())
    lines.append(f"{story.id}: {changes}")
    lines.append(_would(dry_run, len(plan.created) + 1, written))
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    return _cell(value)


def suggestions_text(story: Story, found: Sequence[Suggestion]) -> str:
    if not found:
        return f"{story.id}: no splitting pattern stands out; it looks small and clear enough\n"
    lines = [f"{story.id}: {story.title}"]
    for suggestion in found:
        lines += [f"- {suggestion.pattern}: {suggestion.why}", f"    {suggestion.how}"]
    return "\n".join(lines) + "\n"


def renumber_text(plan: Renumber, dry_run: bool, written: int) -> str:
    story = plan.story
    lines = [
        f"{story.id} → {plan.new_id}"
        + (f" ({story.display} → {plan.new_path})" if plan.new_path != story.display else "")
    ]
    for other, keys in plan.references:
        lines.append(f"{other.id}: " + ", ".join(f"{key} → {_value(value)}" for key, value in keys.items()))
    if plan.ambiguous:
        lines.append(
            f"not changed, check which {story.id} they mean: {', '.join(plan.ambiguous)} "
            f"(two files had the id {story.id})"
        )
    lines.append(_would(dry_run, 1 + len(plan.references), written))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# sprint-candidates


def _capacity_line(selection: Selection) -> str:
    return f"capacity {fmt(selection.capacity.points)} points: {selection.capacity.source}; fill: {selection.fill}"


def _confidence_line(selection: Selection) -> str:
    from groom.sprint import MIN_HISTORY

    confidence = selection.confidence
    if confidence.share is None:
        return (
            f"confidence: needs {MIN_HISTORY} past sprints of velocity, {confidence.sprints} known "
            "(mark done stories with their sprint, or set [sprint] velocity)"
        )
    velocities = ", ".join(fmt(v) for _, v in selection.capacity.history)
    return (
        f"confidence: {round(confidence.share * 100)}% — {round(confidence.share * confidence.sprints)} of the "
        f"{confidence.sprints} past sprints ({velocities}) reached {fmt(selection.total)} points"
    )


def _forecast_lines(selection: Selection) -> list[str]:
    lines = []
    for sprint in selection.forecast:
        ids = ", ".join(s.id for s in sprint.stories) or "(nothing more fits)"
        reading = f"; done within {sprint.p50} sprint(s) at 50%, {sprint.p85} at 85%" if sprint.p50 is not None else ""
        lines.append(
            f"sprint +{sprint.number}: {ids} "
            f"({fmt(sprint.points)} points, {fmt(sprint.cumulative)} cumulative{reading})"
        )
    return lines


def sprint_table(selection: Selection) -> str:
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    grid = Table(title="Sprint candidates", title_justify="left", expand=False)
    for name in ("#", "id", "title", "estimate", "cumulative"):
        grid.add_column(name, justify="left" if name in ("id", "title") else "right")
    for index, candidate in enumerate(selection.candidates, start=1):
        grid.add_row(
            str(index),
            candidate.story.id,
            candidate.story.title,
            fmt(candidate.points),
            fmt(candidate.cumulative),
        )
    buffer = StringIO()
    width = shutil.get_terminal_size((120, 24)).columns
    Console(file=buffer, width=width, color_system=None, highlight=False).print(grid)
    lines = [_capacity_line(selection)]
    if not selection.candidates:
        lines.append("no story fits: see what is left out below")
    lines.extend(line.rstrip() for line in buffer.getvalue().rstrip("\n").splitlines())
    lines.append(f"total {fmt(selection.total)} of {fmt(selection.capacity.points)} points")
    lines.append(_confidence_line(selection))
    lines.extend(_forecast_lines(selection))
    if selection.excluded:
        lines.append("left out above the cut:")
        lines.extend(f"  {e.story.id}  {e.story.title}: {'; '.join(e.reasons)}" for e in selection.excluded)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def sprint_markdown(selection: Selection) -> str:
    lines = [f"**Capacity:** {_md(_capacity_line(selection).removeprefix('capacity '))}", ""]
    lines += ["| # | id | title | estimate | cumulative |", "|---:|---|---|---:|---:|"]
    lines += [
        f"| {i} | {c.story.id} | {_md(c.story.title)} | {fmt(c.points)} | {fmt(c.cumulative)} |"
        for i, c in enumerate(selection.candidates, start=1)
    ]
    lines += [
        "",
        f"**Total:** {fmt(selection.total)} of {fmt(selection.capacity.points)} points. "
        f"**Confidence:** {_md(_confidence_line(selection).removeprefix('confidence: '))}",
    ]
    forecast = _forecast_lines(selection)
    if forecast:
        lines += ["", "**Forecast**", ""] + [f"- {_md(line)}" for line in forecast]
    if selection.excluded:
        lines += ["", "**Left out above the cut**", ""]
        lines += [f"- **{e.story.id}** {_md(e.story.title)}: {_md('; '.join(e.reasons))}" for e in selection.excluded]
    return "\n".join(lines) + "\n"


def sprint_json(selection: Selection) -> str:
    document = {
        "capacity": selection.capacity.points,
        "capacity_source": selection.capacity.source,
        "history": [{"sprint": name, "velocity": points} for name, points in selection.capacity.history],
        "fill": selection.fill,
        "total": selection.total,
        "candidates": [
            {"id": c.story.id, "title": c.story.title, "estimate": c.points, "cumulative": c.cumulative}
            for c in selection.candidates
        ],
        "excluded": [
            {"id": e.story.id, "title": e.story.title, "reasons": list(e.reasons)} for e in selection.excluded
        ],
        "confidence": {"sprints": selection.confidence.sprints, "share": selection.confidence.share},
        "forecast": [
            {
                "sprint": f.number,
                "ids": [s.id for s in f.stories],
                "points": f.points,
                "cumulative": f.cumulative,
                "p50": f.p50,
                "p85": f.p85,
            }
            for f in selection.forecast
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def sprint_csv(selection: Selection) -> str:
    import csv
    from io import StringIO

    rows: list[tuple[Story, list[str]]] = [
        (c.story, ["yes", fmt(c.points), fmt(c.cumulative), ""]) for c in selection.candidates
    ]
    rows += [(e.story, ["no", fmt(e.story.estimate), "", "; ".join(e.reasons)]) for e in selection.excluded]
    rows.sort(key=lambda row: row[0].order_key)
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "title", "status", "selected", "estimate", "cumulative", "reasons"])
    for story, values in rows:
        writer.writerow([story.id, story.title, story.status, *values])
    return buffer.getvalue()


SPRINT_FORMATS: dict[str, Callable[[Selection], str]] = {
    "table": sprint_table,
    "markdown": sprint_markdown,
    "json": sprint_json,
    "csv": sprint_csv,
}


# ---------------------------------------------------------------------------------------
# actions, refine, stale, init


def actions_table(groups: Sequence[tuple[str, Sequence[Action]]]) -> str:
    if not groups:
        return "no open questions\n"
    lines = []
    for owner, items in groups:
        lines.append(f"@{owner} ({len(items)})" if owner else f"no owner ({len(items)})")
        lines.extend(
            f"  {a.story.id:<8} {_quoted(a.story.rank):<8} {a.question.text}   ({a.story.title})" for a in items
        )
    return "\n".join(lines) + "\n"


def actions_json(groups: Sequence[tuple[str, Sequence[Action]]]) -> str:
    document = [
        {
            "owner": owner or None,
            "questions": [
                {
                    "id": a.story.id,
                    "title": a.story.title,
                    "rank": a.story.rank,
                    "question": a.question.text,
                    "path": a.story.display,
                    "line": a.question.line or None,
                }
                for a in items
            ],
        }
        for owner, items in groups
    ]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


ACTIONS_FORMATS: dict[str, Callable[[Sequence[tuple[str, Sequence[Action]]]], str]] = {
    "table": actions_table,
    "json": actions_json,
}


def _ready_work_line(result: Agenda) -> str:
    points = fmt(result.ready_points)
    text = f"{points} points of ready work in {result.ready_stories} stor{'y' if result.ready_stories == 1 else 'ies'}"
    sprints = result.sprints_of_ready_work
    if sprints is None:
        return text + " (no velocity known: set [sprint] velocity or mark done stories with their sprint)"
    advice = "teams aim for about two" if sprints < 2 else "enough for sprint planning"
    return f"{text}: {sprints:.1f} sprints at {fmt(result.capacity.points if result.capacity else 0)} points; {advice}"


def _agenda_lines(item: AgendaItem, bullet: str) -> list[str]:
    lines = [f"{bullet}lacks: [{gap.rule}] {gap.detail or gap.advice}" for gap in item.gaps]
    lines += [f"{bullet}question: {q.text}" for q in item.questions]
    if item.split_advice:
        lines.append(f"{bullet}split: {item.split_advice}")
    return lines


def agenda_table(result: Agenda) -> str:
    lines = ["Refinement agenda" if result.items else "Refinement agenda: every open story at the top is ready"]
    for index, item in enumerate(result.items, start=1):
        story = item.story
        estimate = fmt(story.estimate) or "-"
        lines.append(f"{index}. {story.id}  {story.title}  [{story.status}, estimate {estimate}]")
        lines.extend(_agenda_lines(item, "     "))
    lines.append(_ready_work_line(result))
    return "\n".join(lines) + "\n"


def agenda_markdown(result: Agenda) -> str:
    lines = ["## Refinement agenda", ""]
    for index, item in enumerate(result.items, start=1):
        story = item.story
        lines.append(
            f"{index}. **{story.id}** {_md(story.title)} ({story.status}, estimate {fmt(story.estimate) or '-'})"
        )
        lines.extend(_md(line) for line in _agenda_lines(item, "   - "))
    lines += ["", f"**Ready work:** {_md(_ready_work_line(result))}"]
    return "\n".join(lines) + "\n"


def agenda_json(result: Agenda) -> str:
    document = {
        "items": [
            {
                "id": item.story.id,
                "title": item.story.title,
                "status": item.story.status,
                "rank": item.story.rank,
                "estimate": item.story.estimate,
                "lacks": [{"rule": g.rule, "advice": g.advice, "detail": g.detail} for g in item.gaps],
                "questions": [{"text": q.text, "owner": q.owner} for q in item.questions],
                "split_advice": item.split_advice or None,
            }
            for item in result.items
        ],
        "ready_points": result.ready_points,
        "ready_stories": result.ready_stories,
        "capacity": result.capacity.points if result.capacity else None,
        "sprints_of_ready_work": result.sprints_of_ready_work,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


AGENDA_FORMATS: dict[str, Callable[[Agenda], str]] = {
    "table": agenda_table,
    "markdown": agenda_markdown,
    "json": agenda_json,
}


def _date(stamp: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC).strftime("%Y-%m-%d")


def stale_table(result: StaleReport, dropped: bool, written: int) -> str:
    lines = [] if result.from_git else ["not a git repository: using the files' modification times"]
    if not result.stories:
        lines.append(f"no open story is older than {result.days} days")
        return "\n".join(lines) + "\n"
    rows = [[i.story.id, i.story.title, i.story.status, _date(i.changed), i.author or "-"] for i in result.stories]
    lines.append(table(("id", "title", "status", "last change", "by"), rows, flexible=1).rstrip("\n"))
    count = len(result.stories)
    summary = f"{count} open stor{'y' if count == 1 else 'ies'} unchanged for {result.days} days or more"
    if dropped:
        summary += f": marked dropped ({written} file{'s' if written != 1 else ''} written)"
    else:
        summary += "; drop them with --drop"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def stale_json(result: StaleReport, dropped: bool, written: int) -> str:
    document = {
        "days": result.days,
        "source": "git" if result.from_git else "mtime",
        "dropped": dropped,
        "written": written,
        "stories": [
            {
                "id": i.story.id,
                "title": i.story.title,
                "status": i.story.status,
                "last_change": _date(i.changed),
                "author": i.author or None,
                "path": i.story.display,
            }
            for i in result.stories
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


STALE_FORMATS: dict[str, Callable[[StaleReport, bool, int], str]] = {"table": stale_table, "json": stale_json}


def init_text(created: Created) -> str:
    from groom.init import CI_STEP, PRE_COMMIT

    lines = ["created:"] + [f"  {display_path(path, created.root)}" for path in created.files]
    lines += ["", "next: groom check, then add the hook and the CI step below.", "", PRE_COMMIT, CI_STEP]
    return "\n".join(lines)
