"""Reporters: turn results into text, JSON, GitHub annotations or tables. No decisions here.

Each kind of result has one registry of formats (``Formats``); the CLI offers exactly the
formats a registry has, and the first one is the default.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from groom.findings import ERROR, Finding
from groom.model import Story, Unreadable
from groom.naming import team_view
from groom.numbers import points as fmt

if TYPE_CHECKING:  # each command's module is imported by the command that runs
    from groom.commands.estimate import Estimated, Poker
    from groom.commands.read import CheckResult, Listing, StoryView
    from groom.commands.refine import Stale
    from groom.commands.reprioritize import Moved, Rebalanced, Reordered
    from groom.commands.setting import Set
    from groom.commands.split import Created, Renumbered, Split
    from groom.commands.sprint import Closed, Planned
    from groom.edits import Written
    from groom.init import Created as Initialised
    from groom.refine import Action, Agenda, AgendaItem
    from groom.split import Suggestion
    from groom.sprint import Selection
    from groom.sprintloop import Velocity

Result = TypeVar("Result")


class Formats(Generic[Result]):
    """The formats one kind of result can be printed in; the first one is the default."""

    def __init__(self, **renderers: Callable[[Result], str]) -> None:
        self._renderers = renderers

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._renderers)

    def __contains__(self, name: object) -> bool:
        return name in self._renderers

    def render(self, name: str, result: Result) -> str:
        return self._renderers[name](result)


def _finite(value: Any) -> Any:
    """NaN and infinities as the YAML text they came from: strict JSON has no such numbers."""
    if isinstance(value, float) and math.isnan(value):
        return ".nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _dump(document: object) -> str:
    """Strict JSON, always: a team key holding .nan or .inf is written as that text."""
    try:
        text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(document), indent=2, ensure_ascii=False, allow_nan=False)
    return text + "\n"


def unreadable_records(unreadable: Sequence[Unreadable]) -> list[dict[str, Any]]:
    return [{"path": u.display, "line": u.line, "column": u.column, "message": u.message} for u in unreadable]


def unreadable_note(unreadable: Sequence[Unreadable], what: str) -> str:
    """One line for reports that stand on the whole backlog: what they cannot account for."""
    count = len(unreadable)
    files = ", ".join(u.display for u in unreadable[:3]) + (", …" if count > 3 else "")
    noun = "story file" if count == 1 else "story files"
    verb = "is" if count == 1 else "are"
    return f"{count} {noun} could not be read and {verb} not in {what}: {files} (groom check says why)"


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
        names = ", ".join(result.outside[:3]) + (", …" if len(result.outside) > 3 else "")
        text += f"; not stories of this backlog, not checked: {names}"
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
    return _dump(document)


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
    return _dump(document)


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


CHECK: Formats[CheckResult] = Formats(
    text=check_text, json=check_json, github=check_github, sarif=check_sarif, junit=check_junit
)

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


def _width() -> int | None:
    """The terminal's width when the output goes to one; piped output is never shortened."""
    import sys

    try:
        return shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else None
    except (AttributeError, ValueError):
        return None


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], flexible: int = -1) -> str:
    """A plain aligned table; the ``flexible`` column is shortened to fit the terminal."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    width = _width()
    if flexible >= 0 and cells and width is not None:
        room = width - (sum(widths) - widths[flexible]) - 2 * (len(widths) - 1)
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


def list_record(story: Story, ready: bool | None) -> dict[str, Any]:
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
    # Split and dropped stories are not work: the DoR does not judge them.
    rows = [[r[k] if k != "ready" or r[k] is not None else "—" for k in LIST_KEYS] for r in records]
    text = table(LIST_KEYS, rows, flexible=1)
    stories = "story" if listing.open_stories == 1 else "stories"
    footer = f"open work: {_cell(listing.open_points)} points in {listing.open_stories} {stories}"
    if listing.unestimated:
        footer += f" ({listing.unestimated} not estimated)"
    if listing.history_points:
        footer += f"; {_cell(listing.history_points)} points of split or dropped stories are not counted"
    return text + footer + "\n"


def list_json(listing: Listing) -> str:
    return _dump([list_record(s, r) for s, r in listing.rows])


def list_csv(listing: Listing) -> str:
    import csv
    from io import StringIO

    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LIST_KEYS)
    for story, ready in listing.rows:
        record = list_record(story, ready)
        writer.writerow(["" if record[k] is None else _cell(record[k]) for k in LIST_KEYS])
    return buffer.getvalue()


LIST: Formats[Listing] = Formats(table=list_table, json=list_json, csv=list_csv)


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
        lines.append(
            "depends on: "
            + ", ".join(
                f"{dep} ({status or ('its file cannot be read' if dep in view.unreadable else 'unknown')})"
                for dep, status in view.dependencies
            )
        )
    if view.children:
        lines.append("children: " + ", ".join(view.children))
    if not view.judged:
        lines.append(f"ready: — ({story.status}: not open work, so the Definition of Ready does not judge it)")
    elif view.gaps:
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
    if view.body.strip():
        lines += ["", view.body.rstrip("\n")]
    return "\n".join(lines) + "\n"


def show_json(view: StoryView) -> str:
    story = view.story
    document = {
        "id": story.id,
        "path": story.display,
        "front_matter": team_view(story.data, story.fields),
        "ready": not view.gaps if view.judged else None,
        "gaps": [{"rule": g.rule, "advice": g.advice, "detail": g.detail} for g in view.gaps],
        "dependencies": [
            {"id": dep, "status": status, "readable": dep not in view.unreadable} for dep, status in view.dependencies
        ],
        "children": list(view.children),
        "body": view.body,
        "acceptance_criteria": list(story.facts.criteria),
        "questions": [{"text": q.text, "owner": q.owner, "answered": q.answered} for q in story.facts.questions],
    }
    return _dump(document)


SHOW: Formats[StoryView] = Formats(text=show_text, json=show_json)


# ---------------------------------------------------------------------------------------
# writes: what every writing command prints with --format json, and the shared text lines


def written_json(written: Written, /, **extra: Any) -> str:
    """``{"changed": [{"path", "id"}], "created": [...], "removed": [...]}`` plus what the
    command adds; paths are relative to the working folder."""

    def records(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"path": path, "id": story_id} for path, story_id in pairs]

    document = {
        "changed": records(written.changed),
        "created": records(written.created),
        "removed": records(written.removed),
        "dry_run": written.dry_run,
        **extra,
    }
    return _dump(document)


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def _would(written: Written) -> str:
    return f"would rewrite {_files(written.count)}" if written.dry_run else f"{_files(written.count)} written"


def _quoted(key: str | float | None) -> str:
    """A rank as the file writes it: a text key in quotes, a number as it is."""
    if key is None:
        return "(none)"
    return f'"{key}"' if isinstance(key, str) else str(key)


# ---------------------------------------------------------------------------------------
# estimate


def estimate_text(result: Estimated) -> str:
    change = result.change
    old = fmt(change.old) if change.old is not None else "(none)"
    if not change.needed:
        return f"{change.story.id}: estimate is already {old}; nothing written\n"
    suffix = " (dry run: nothing written)" if result.written.dry_run else ""
    return f"{change.story.id}: estimate {old} → {fmt(change.new)} ({change.story.display}){suffix}\n"


def _estimate_record(result: Estimated) -> dict[str, Any]:
    change = result.change
    return {"id": change.story.id, "old": change.old, "new": change.new}


def estimate_json(result: Estimated) -> str:
    return written_json(result.written, estimate=_estimate_record(result))


ESTIMATE: Formats[Estimated] = Formats(text=estimate_text, json=estimate_json)


def poker_text(result: Poker) -> str:
    text = f"{result.story_id}: {result.round.explanation}\n"
    return text + (estimate_text(result.estimated) if result.estimated else "")


def poker_json(result: Poker) -> str:
    from groom.edits import Written

    written = result.estimated.written if result.estimated else Written(dry_run=result.dry_run)
    round_ = result.round
    return written_json(
        written,
        votes=[{"voter": v.voter, "points": v.points} for v in round_.votes],
        consensus=round_.consensus,
        explain={"highest": list(round_.highest), "lowest": list(round_.lowest), "unknown": list(round_.unknown)},
        message=round_.explanation,
        estimate=_estimate_record(result.estimated) if result.estimated else None,
    )


POKER: Formats[Poker] = Formats(text=poker_text, json=poker_json)


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
    return _dump(records)


MISSING: Formats[Sequence[Story]] = Formats(table=missing_table, json=missing_json)


# ---------------------------------------------------------------------------------------
# reprioritize


def move_text(result: Moved) -> str:
    moved = result.move
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
            f"note: {moved.story_id} now sorts above {', '.join(moved.above_dependencies)}, which it depends on: "
            "move them up too, or it does not meet the DoR's dependencies-in-order"
        )
    if moved.below_dependents:
        names = ", ".join(moved.below_dependents)
        one = len(moved.below_dependents) == 1
        lines.append(
            f"note: {names} claim{'s' if one else ''} ready, depend{'s' if one else ''} on {moved.story_id} and now "
            f"sort{'s' if one else ''} above it: groom check will say so; move {names} down too"
        )
    lines.append(_would(result.written))
    return "\n".join(lines) + "\n"


def move_json(result: Moved) -> str:
    moved = result.move
    return written_json(
        result.written,
        ranks=[{"id": r.story_id, "old": r.old, "new": r.new} for r in moved.rewrites],
        after=moved.after,
        before=moved.before,
        above_dependencies=list(moved.above_dependencies),
        below_dependents=list(moved.below_dependents),
    )


MOVE: Formats[Moved] = Formats(text=move_text, json=move_json)


def rebalance_text(result: Rebalanced) -> str:
    lines = [f"{r.story_id}: {_quoted(r.old)} → {_quoted(r.new)}" for r in result.rewrites]
    lines.append(f"rebalanced the ranked stories: {_would(result.written)}")
    return "\n".join(lines) + "\n"


def rebalance_json(result: Rebalanced) -> str:
    return written_json(result.written, ranks=[{"id": r.story_id, "old": r.old, "new": r.new} for r in result.rewrites])


REBALANCE: Formats[Rebalanced] = Formats(text=rebalance_text, json=rebalance_json)


def reorder_table(outcome: Reordered) -> str:
    result = outcome.reorder
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
    text += f"ordered {len(result.rows)} open stories by {result.method}: {_would(outcome.written)}\n"
    return text


def reorder_json(outcome: Reordered) -> str:
    result = outcome.reorder
    return written_json(
        outcome.written,
        by=result.method,
        written=0 if outcome.written.dry_run else outcome.written.count,
        held=[{"id": story, "after": dep} for story, dep in result.held],
        order=[
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
    )


REORDER: Formats[Reordered] = Formats(table=reorder_table, json=reorder_json)


# ---------------------------------------------------------------------------------------
# split, new, renumber


def split_text(result: Split) -> str:
    plan = result.plan
    lines = []
    for new in plan.created:
        key = new.fields.get("rank")
        lines.append(f"{new.id}: {new.title}  ({new.display}{f', rank {_quoted(key)}' if key else ''})")
    story = plan.story
    changes = ", ".join(f"{key} {_value(story.data.get(key))} → {_value(value)}" for key, value in plan.changes.items())
    lines.append(f"{story.id}: {changes}")
    lines.append(_would(result.written))
    return "\n".join(lines) + "\n"


def split_json(result: Split) -> str:
    plan = result.plan
    return written_json(
        result.written,
        parent={"id": plan.story.id, "changes": plan.changes},
        children=[
            {"id": n.id, "title": n.title, "path": n.display, "rank": n.fields.get("rank")} for n in plan.created
        ],
    )


SPLIT: Formats[Split] = Formats(text=split_text, json=split_json)


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    return _cell(value)


def suggestions_text(result: tuple[Story, Sequence[Suggestion]]) -> str:
    story, found = result
    if not found:
        return f"{story.id}: no splitting pattern stands out; it looks small and clear enough\n"
    lines = [f"{story.id}: {story.title}"]
    for suggestion in found:
        lines += [f"- {suggestion.pattern}: {suggestion.why}", f"    {suggestion.how}"]
    return "\n".join(lines) + "\n"


def suggestions_json(result: tuple[Story, Sequence[Suggestion]]) -> str:
    story, found = result
    return _dump({"id": story.id, "suggestions": [{"pattern": s.pattern, "why": s.why, "how": s.how} for s in found]})


SUGGEST: Formats[tuple[Story, Sequence[Suggestion]]] = Formats(text=suggestions_text, json=suggestions_json)


def new_text(result: Created) -> str:
    story = result.story
    verb = "would create" if result.written.dry_run else "created"
    where = f"rank {_quoted(story.fields['rank'])}, status {story.fields['status']}"
    return f"{story.id}: {verb} {story.display} ({where})\n"


def new_json(result: Created) -> str:
    story = result.story
    return written_json(result.written, story={"id": story.id, "title": story.title, "rank": story.fields["rank"]})


NEW: Formats[Created] = Formats(text=new_text, json=new_json)


def renumber_text(result: Renumbered) -> str:
    plan = result.plan
    story = plan.story
    lines = [
        f"{story.id} → {plan.new_id}"
        + (f" ({story.display} → {plan.new_display})" if plan.new_display != story.display else "")
    ]
    for other, keys in plan.references:
        lines.append(f"{other.id}: " + ", ".join(f"{key} → {_value(value)}" for key, value in keys.items()))
    if plan.ambiguous:
        lines.append(
            f"not changed, check which {story.id} they mean: {', '.join(plan.ambiguous)} "
            f"(two files had the id {story.id})"
        )
    lines.append(_would(result.written))
    return "\n".join(lines) + "\n"


def renumber_json(result: Renumbered) -> str:
    plan = result.plan
    return written_json(result.written, old_id=plan.story.id, new_id=plan.new_id, not_changed=list(plan.ambiguous))


RENUMBER: Formats[Renumbered] = Formats(text=renumber_text, json=renumber_json)


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
        ids = ", ".join(s.id + (" (not ready)" if s.id in sprint.not_ready else "") for s in sprint.stories) or "-"
        reading = (
            f"; by past velocities done within {sprint.p50} sprint(s) at 50%, {sprint.p85} at 85%"
            if sprint.p50 is not None
            else ""
        )
        size = " — bigger than a sprint: split it" if sprint.oversized else ""
        lines.append(
            f"sprint +{sprint.number}: {ids} — "
            f"{fmt(sprint.points)} points{size}, {fmt(sprint.cumulative)} cumulative{reading}"
        )
        if sprint.unestimated and sprint.stopped:
            lines.append(f"  the forecast stops at {sprint.unestimated[-1]}: no estimate (strict fill)")
        elif sprint.unestimated:
            lines.append(f"  no estimate, not forecast: {', '.join(sprint.unestimated)}")
    asked = selection.forecast_asked
    if selection.forecast and len(selection.forecast) < asked and not selection.forecast[-1].stopped:
        lines.append(f"the open backlog is used up after sprint +{len(selection.forecast)} ({asked} asked)")
    return lines


def _below_line(selection: Selection) -> str:
    count = selection.below
    stories = "story" if count == 1 else "stories"
    return f"{count} more open {stories} below the cut; groom refine shows what they lack"


def sprint_table(selection: Selection) -> str:
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    width = _width() or 1 << 16
    rows = [
        [str(index), c.story.id, c.story.title, fmt(c.points), fmt(c.cumulative)]
        for index, c in enumerate(selection.candidates, start=1)
    ]
    headers = ("#", "id", "title", "estimate", "cumulative")
    # Only titles give way to a narrow terminal (shortened with …); ids and numbers never.
    others = sum(max(len(headers[i]), *(len(row[i]) for row in rows)) for i in (0, 1, 3, 4)) if rows else 0
    room = max(width - others - 3 * len(headers) - 1, 12)
    for row in rows:
        if len(row[2]) > room:
            row[2] = row[2][: room - 1] + "…"
    grid = Table(title="Sprint candidates", title_justify="left", expand=False)
    for name in headers:
        grid.add_column(name, justify="left" if name in ("id", "title") else "right", no_wrap=True)
    for row in rows:
        grid.add_row(*row)
    buffer = StringIO()
    Console(file=buffer, width=min(width, 1 << 12), color_system=None, highlight=False).print(grid)
    lines = [_capacity_line(selection)]
    if selection.unreadable:
        lines.append("warning: " + unreadable_note(selection.unreadable, "this plan"))
    if not selection.candidates:
        lines.append("no story fits the sprint: the stories at the top and why are below")
    else:
        lines.extend(line.rstrip() for line in buffer.getvalue().rstrip("\n").splitlines())
    lines.append(f"total {fmt(selection.total)} of {fmt(selection.capacity.points)} points")
    if selection.candidates:
        lines.append(_confidence_line(selection))
    lines.extend(_forecast_lines(selection))
    if selection.excluded:
        lines.append("left out above the cut:")
        lines.extend(f"  {e.story.id}  {e.story.title}: {'; '.join(e.reasons)}" for e in selection.excluded)
    if selection.below:
        lines.append(_below_line(selection))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def sprint_markdown(selection: Selection) -> str:
    lines = [f"**Capacity:** {_md(_capacity_line(selection).removeprefix('capacity '))}", ""]
    if selection.unreadable:
        lines += [f"**Warning:** {_md(unreadable_note(selection.unreadable, 'this plan'))}", ""]
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
        lines += ["", "**Forecast**", ""]
        lines += [f"    - {_md(line.strip())}" if line.startswith("  ") else f"- {_md(line)}" for line in forecast]
    if selection.excluded:
        lines += ["", "**Left out above the cut**", ""]
        lines += [f"- **{e.story.id}** {_md(e.story.title)}: {_md('; '.join(e.reasons))}" for e in selection.excluded]
    if selection.below:
        lines += ["", _md(_below_line(selection))]
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
                "not_ready": list(f.not_ready),
                "unestimated": list(f.unestimated),
                "oversized": f.oversized,
                "stopped": f.stopped,
            }
            for f in selection.forecast
        ],
        "below": selection.below,
        "unreadable": unreadable_records(selection.unreadable),
    }
    return _dump(document)


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
    for u in selection.unreadable:  # in no plan: the file cannot be read
        writer.writerow(["", u.display, "", "unreadable", "", "", f"line {u.line}, col {u.column}: {u.message}"])
    return buffer.getvalue()


SPRINT: Formats[Selection] = Formats(table=sprint_table, markdown=sprint_markdown, json=sprint_json, csv=sprint_csv)


# ---------------------------------------------------------------------------------------
# actions, refine, stale, init


def actions_table(groups: Sequence[tuple[str, Sequence[Action]]]) -> str:
    if not groups:
        return "no open questions\n"
    lines = []
    for owner, items in groups:
        lines.append(f"@{owner} ({len(items)})" if owner else f"no owner ({len(items)})")
        lines.extend(f"  {a.story.id:<8} #{a.position:<4} {a.question.text}   ({a.story.title})" for a in items)
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
                    "position": a.position,
                    "question": a.question.text,
                    "path": a.story.display,
                    "line": a.question.line or None,
                }
                for a in items
            ],
        }
        for owner, items in groups
    ]
    return _dump(document)


ACTIONS: Formats[Sequence[tuple[str, Sequence[Action]]]] = Formats(table=actions_table, json=actions_json)


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
        "unreadable": unreadable_records(result.unreadable),
    }
    return _dump(document)


AGENDA: Formats[Agenda] = Formats(
    text=agenda_table,
    markdown=agenda_markdown,
    json=agenda_json,
    table=agenda_table,  # table: the old name
)


def _date(stamp: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC).strftime("%Y-%m-%d")


def stale_table(result: Stale) -> str:
    report = result.report
    lines = [] if report.from_git else ["not a git repository: using the files' modification times"]
    if not report.stories:
        lines.append(f"no open story is older than {report.days} days")
        return "\n".join(lines) + "\n"
    rows = [[i.story.id, i.story.title, i.story.status, _date(i.changed), i.author or "-"] for i in report.stories]
    lines.append(table(("id", "title", "status", "last change", "by"), rows, flexible=1).rstrip("\n"))
    count = len(report.stories)
    summary = f"{count} open stor{'y' if count == 1 else 'ies'} unchanged for {report.days} days or more"
    if result.written is None:
        summary += "; drop them with --drop"
    elif result.written.dry_run:
        summary += f": would give them status {result.dropped} ({_would(result.written)})"
    else:
        summary += f": status {result.dropped} ({_would(result.written)})"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def stale_json(result: Stale) -> str:
    from groom.edits import Written

    report = result.report
    written = result.written or Written()
    return written_json(
        written,
        days=report.days,
        source="git" if report.from_git else "mtime",
        dropped=result.written is not None and not written.dry_run,
        written=0 if written.dry_run else written.count,
        stories=[
            {
                "id": i.story.id,
                "title": i.story.title,
                "status": i.story.status,
                "last_change": _date(i.changed),
                "author": i.author or None,
                "path": i.story.display,
            }
            for i in report.stories
        ],
    )


STALE: Formats[Stale] = Formats(table=stale_table, json=stale_json)


def init_text(created: Initialised) -> str:
    from groom.backlog import display_path
    from groom.init import CI_STEP, PRE_COMMIT

    lines = ["created:"] + [f"  {display_path(path, created.root)}" for path in created.files]
    lines += ["", "next: groom check, then add the hook and the CI step below.", "", PRE_COMMIT, CI_STEP]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# plan, close, velocity


def plan_text(result: Planned) -> str:
    selection = result.selection
    verb = "would plan" if result.written.dry_run else "planned"
    lines = [f"{c.story.id}  {c.story.title}  ({fmt(c.points)} points)" for c in selection.candidates]
    count = len(selection.candidates)
    lines.append(
        f"sprint {result.name}: {verb} {count} stor{'y' if count == 1 else 'ies'}, "
        f"{fmt(selection.total)} of {fmt(selection.capacity.points)} points ({_would(result.written)})"
    )
    if selection.excluded:
        lines.append("left out above the cut (groom sprint-candidates says more):")
        lines.extend(f"  {e.story.id}: {'; '.join(e.reasons)}" for e in selection.excluded)
    return "\n".join(lines) + "\n"


def plan_json(result: Planned) -> str:
    selection = result.selection
    return written_json(
        result.written,
        sprint=result.name,
        capacity=selection.capacity.points,
        committed_points=selection.total,
        stories=[{"id": c.story.id, "points": c.points} for c in selection.candidates],
    )


PLAN: Formats[Planned] = Formats(text=plan_text, json=plan_json)


def close_text(result: Closed) -> str:
    closing = result.closing
    where = f"sprint {closing.destination}" if closing.destination else "the backlog (top of the ready stories)"
    lines = [f"{story.id}  {story.title}: to {where}" for story in closing.unfinished]
    verb = "would close" if result.written.dry_run else "closed"
    lines.append(
        f"sprint {closing.name} {verb}: {fmt(closing.done_points)} of {fmt(closing.committed_points)} points done "
        f"({len(closing.done)} done, {len(closing.unfinished)} not finished); {_would(result.written)}"
    )
    return "\n".join(lines) + "\n"


def close_json(result: Closed) -> str:
    closing = result.closing
    return written_json(
        result.written,
        sprint=closing.name,
        committed_points=closing.committed_points,
        done_points=closing.done_points,
        done=[story.id for story in closing.done],
        unfinished=[story.id for story in closing.unfinished],
        to=closing.destination or None,
    )


CLOSE: Formats[Closed] = Formats(text=close_text, json=close_json)


def _velocity_rows(result: Velocity) -> list[list[str]]:
    return [
        [
            row.sprint,
            str(row.done_stories),
            fmt(row.done_points),
            "-" if row.committed_points is None else fmt(row.committed_points),
        ]
        for row in result.sprints
    ]


def _mean_line(result: Velocity) -> str:
    if result.mean_last_3 is None:
        return "no done story has a sprint yet: mark done stories with their sprint (sprint: 2026-24)"
    sprints = "sprint" if result.counted == 1 else f"{result.counted} sprints"
    return f"mean of the last {sprints}: {fmt(result.mean_last_3)} points; {result.committed_source}"


def velocity_table(result: Velocity) -> str:
    if not result.sprints:
        return _mean_line(result) + "\n"
    return (
        table(("sprint", "stories done", "points done", "committed"), _velocity_rows(result))
        + _mean_line(result)
        + "\n"
    )


def velocity_markdown(result: Velocity) -> str:
    lines = ["| sprint | stories done | points done | committed |", "|---|---:|---:|---:|"]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in _velocity_rows(result)]
    return "\n".join([*lines, "", _md(_mean_line(result))]) + "\n"


def velocity_json(result: Velocity) -> str:
    return _dump(
        {
            "sprints": [
                {
                    "sprint": row.sprint,
                    "done_points": row.done_points,
                    "done_stories": row.done_stories,
                    "committed_points": row.committed_points,
                }
                for row in result.sprints
            ],
            "mean_last_3": result.mean_last_3,
            "committed_source": result.committed_source,
        }
    )


def velocity_csv(result: Velocity) -> str:
    import csv
    from io import StringIO

    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["sprint", "done_stories", "done_points", "committed_points"])
    writer.writerows(
        [
            row.sprint,
            row.done_stories,
            fmt(row.done_points),
            "" if row.committed_points is None else fmt(row.committed_points),
        ]
        for row in result.sprints
    )
    return buffer.getvalue()


VELOCITY: Formats[Velocity] = Formats(
    table=velocity_table, markdown=velocity_markdown, json=velocity_json, csv=velocity_csv
)


# ---------------------------------------------------------------------------------------
# set


def set_text(result: Set) -> str:
    story = result.story
    if not result.changes:
        return f"{story.id}: nothing to change; nothing written\n"
    lines = [
        f"{story.id}: {key} {_value(story.data.get(key))} → {_value(value)}" for key, value in result.changes.items()
    ]
    lines.append(_would(result.written))
    return "\n".join(lines) + "\n"


def set_json(result: Set) -> str:
    return written_json(
        result.written,
        id=result.story.id,
        changes={key: {"old": result.story.data.get(key), "new": value} for key, value in result.changes.items()},
    )


SET: Formats[Set] = Formats(text=set_text, json=set_json)
