"""The report as GitHub-flavoured markdown for a pull request, a wiki or a CI job summary: the
same sections as the page, tables, and mermaid ``xychart-beta`` charts (velocity, burn-up,
epics), which GitHub and GitLab draw. Below every chart, its numbers as a table or a list: a
reader without mermaid (or without colour) loses nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence

from groom.numbers import points as fmt
from groom.page import words
from groom.reportmodel import Report

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!&])")


def _md(text: object) -> str:
    """Text from story files as literal text: markdown's special characters escaped (no link,
    no HTML, no table cell break)."""
    return _SPECIAL.sub(r"\\\1", words.visible(text).replace("\n", " "))


def _label(text: object) -> str:
    """A mermaid string: in double quotes, so no double quote (nor a %% comment) inside."""
    return '"' + words.visible(text).replace("\n", " ").replace('"', "'").replace("%%", "%") + '"'


def _number(value: float) -> str:
    return fmt(round(value, 2))


Series = Sequence[tuple[str, Sequence[float]]]


def _mermaid(title: str, names: Sequence[str], axis: str, series: Series, *, horizontal: bool = False) -> list[str]:
    """An ``xychart-beta`` block in its documented form: title, x-axis with categories, y-axis
    with a title and a range, then one ``bar [...]`` or ``line [...]`` per series."""
    top = max([value for _, values in series for value in values] + [1])
    lines = [
        "```mermaid",
        "xychart-beta" + (" horizontal" if horizontal else ""),
        f"    title {_label(title)}",
        "    x-axis [" + ", ".join(_label(c) for c in names) + "]",
        f"    y-axis {_label(axis)} 0 --> {_number(top * 1.1)}",
    ]
    lines += [f"    {kind} [" + ", ".join(_number(v) for v in values) + "]" for kind, values in series]
    lines.append("```")
    return lines


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|")
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines


def render(report: Report) -> str:
    lines = [f"# {_md(words.title(report))}", "", f"_{_md(words.subtitle(report))}_", ""]
    if report.unreadable:
        lines += ["> [!CAUTION]", f"> **Unreadable story files.** {_md(words.unreadable_line(report))}", ">"]
        lines += [f"> - `{u.path}:{u.line}:{u.column}`: {_md(u.message)}" for u in report.unreadable]
        lines.append("")
    for anchor, heading in words.SECTIONS:
        lines += [f"## {heading}", ""]
        lines += SECTION[anchor](report)
        lines.append("")
    lines.append(
        f"_Made by groom report on {_md(report.generated)}; the numbers are those of groom sprint-candidates, "
        "velocity, refine and actions._"
    )
    return "\n".join(lines) + "\n"


def _headline(report: Report) -> list[str]:
    rows = [
        [f"**{_md(value)}**" + (" ⚠" if alarm else ""), _md(label), _md(note)]
        for value, label, note, alarm in words.figures(report)
    ]
    return _table(["figure", "what", "note"], rows, right=(0,))


def _backlog(report: Report) -> list[str]:
    table = report.table
    lines = [_md(words.capacity_line(report)), ""]
    if not table.rows:
        return [*lines, "No open story."]
    rows = []
    cut = ["✂", "", f"**{_md(words.cut_line(report))}**", "", "", "", "", "", ""] if report.sprint_candidates else []
    for index, row in enumerate(table.rows):
        if cut and index == table.cut:
            rows.append(cut)
        ready = "yes" if row.ready else "**no**: " + _md(words.joined([words.gap(g) for g in row.gaps]))
        rows.append(
            [
                str(row.position),
                f"**{_md(row.id)}**",
                _md(row.title),
                _md(row.status),
                _md(words.estimate(row.estimate)),
                _md(words.estimate(row.value)),
                ready,
                _md(words.dependencies(row)),
                _md(words.plan(row)),
            ]
        )
    if cut and table.cut == len(table.rows):
        rows.append(cut)
    headers = ["#", "id", "title", "status", "estimate", "value", "ready", "depends on", "next sprint"]
    lines += _table(headers, rows, right=(0, 4, 5))
    if table.more:
        lines += ["", f"_{_md(words.more_line(report))}_"]
    return lines


def _velocity(report: Report) -> list[str]:
    velocity = report.velocity
    if not velocity.sprints:
        return [_md(words.velocity_line(report))]
    names = [s.sprint for s in velocity.sprints]
    series: list[tuple[str, Sequence[float]]] = []
    known = all(s.committed_points is not None for s in velocity.sprints)
    if known:
        series.append(("bar", [s.committed_points or 0.0 for s in velocity.sprints]))
    series.append(("bar", [s.done_points for s in velocity.sprints]))
    if velocity.mean_last_3 is not None:
        series.append(("line", [velocity.mean_last_3] * len(names)))
    what = "Bars: points committed (behind) and done (in front); " if known else "Bars: points done; "
    lines = [
        _md(what + "the line: the mean of the last three sprints."),
        "",
        *_mermaid("Velocity: points per sprint", names, "points", series),
        "",
    ]
    rows = [
        [
            _md(s.sprint),
            str(s.done_stories),
            fmt(s.done_points),
            fmt(s.committed_points) if s.committed_points is not None else "–",
        ]
        for s in velocity.sprints
    ]
    lines += _table(["sprint", "stories done", "points done", "committed"], rows, right=(1, 2, 3))
    return [*lines, "", _md(words.velocity_line(report))]


def _forecast(report: Report) -> list[str]:
    forecast = report.forecast
    if forecast is None:
        return [_md(words.forecast_line(report))]
    names = ["now" if p.sprint == 0 else f"+{p.sprint}" for p in forecast.burnup]
    series: list[tuple[str, Sequence[float]]] = [
        ("line", [forecast.scope] * len(names)),
        ("line", [p.planned for p in forecast.burnup]),
    ]
    what = "Lines, in the order of the chart's block: the scope (open points not yet in a sprint), the plan at capacity"
    if forecast.readings:
        series += [("line", [p.p50 for p in forecast.burnup]), ("line", [p.p85 for p in forecast.burnup])]
        what += ", the points done in 50 % of the Monte Carlo trials, and in 85 %"
    lines = [_md(what + "."), "", *_mermaid("Forecast burn-up: cumulative points", names, "points", series), ""]
    rows = [
        [
            names[i],
            fmt(p.planned),
            fmt(p.p50) if forecast.readings else "–",
            fmt(p.p85) if forecast.readings else "–",
        ]
        for i, p in enumerate(forecast.burnup)
    ]
    lines += _table(["sprint", "plan", "done at 50 %", "done at 85 %"], rows, right=(1, 2, 3))
    lines += ["", _md(words.forecast_line(report)), ""]
    lines += [f"- {_md(line)}" for line in words.forecast_sprints(report)]
    lines += ["", "### Done by sprint +n", ""]
    done = []
    for item in forecast.done_by:
        plan, p50, p85, note = words.done_by(item)
        name = f"**{_md(item.name)}** {_md(item.title)}" if item.kind == "story" else f"epic **{_md(item.name)}**"
        done.append([name, fmt(item.points), plan, p50, p85, _md(note)])
    lines += _table(["story / epic", "points", "by the plan", "at 50 %", "at 85 %", "note"], done, right=(1, 2, 3, 4))
    return lines


def _epics(report: Report) -> list[str]:
    if not report.epics:
        return ["No story has an epic."]
    names = [e.name for e in report.epics]
    series: list[tuple[str, Sequence[float]]] = [
        ("bar", [e.done + e.ready + e.not_ready for e in report.epics]),
        ("bar", [e.done + e.ready for e in report.epics]),
        ("bar", [e.done for e in report.epics]),
    ]
    lines = [
        _md(
            "Stacked bars per epic: points done (innermost), then ready, then not ready (the whole bar); "
            "stories without an estimate are in the table."
        ),
        "",
        *_mermaid("Epics: points done, ready, not ready", names, "points", series, horizontal=True),
        "",
    ]
    rows = [
        [_md(e.name), fmt(e.done), fmt(e.ready), fmt(e.not_ready), str(e.unestimated), _of(e.open_stories, e.stories)]
        for e in report.epics
    ]
    return lines + _table(
        ["epic", "done", "ready", "not ready", "no estimate (stories)", "open stories"], rows, right=(1, 2, 3, 4, 5)
    )


def _of(part: int, whole: int) -> str:
    return f"{part} of {whole}"


def _agenda(report: Report) -> list[str]:
    agenda = report.agenda
    lines = []
    if not agenda.items:
        lines += ["Every open story at the top is ready.", ""]
    for index, item in enumerate(agenda.items, start=1):
        lines.append(
            f"{index}. **{_md(item.id)}** {_md(item.title)} ({_md(item.status)}, estimate "
            f"{_md(words.estimate(item.estimate))})"
        )
        lines += [f"   - lacks: {_md(words.gap(g))}" for g in item.lacks]
        lines += [f"   - question: {_md(q.text)}" for q in item.questions]
        if item.split_advice:
            lines.append(f"   - split: {_md(item.split_advice)}")
    return [*lines, "", f"**{_md(words.ready_work_line(report))}**"]


def _actions(report: Report) -> list[str]:
    if not report.actions:
        return ["No open questions."]
    lines: list[str] = []
    for group in report.actions:
        lines += [f"### {_md(words.owner(group.owner))} ({len(group.questions)})", ""]
        rows = [[f"**{_md(a.id)}**", f"#{a.position}", _md(a.question), _md(a.title)] for a in group.questions]
        lines += [*_table(["story", "place", "question", "title"], rows, right=(1,)), ""]
    return lines[:-1]


SECTION = {
    "headline": _headline,
    "backlog": _backlog,
    "velocity": _velocity,
    "forecast": _forecast,
    "epics": _epics,
    "agenda": _agenda,
    "actions": _actions,
}
