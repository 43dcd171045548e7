"""The report as one self-contained HTML page: inline CSS and SVG, no script, no font, no image
to fetch; a Content-Security-Policy that forbids every request, so opening it offline (a CI
artifact, a mail attachment) looks exactly like opening it online. Readable on a projector
(large type, strong contrast) and printable (a print style sheet)."""

from __future__ import annotations

from html import escape

from groom.numbers import points as fmt
from groom.page import svg, words
from groom.reportmodel import Report, Row

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
"""Nothing may be loaded from anywhere: no script, font, image or frame; inline styles only."""

CSS = """
:root { --ink: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --alarm: #b00020; --blue: #0072b2;
  --green: #007a5a; --paper: #ffffff; --tint: #f2f5f8; }
* { box-sizing: border-box; }
html { font-size: 18px; }
body { margin: 0; color: var(--ink); background: var(--paper); line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 28px; }
header { padding-top: 22px; }
h1 { font-size: 2.1rem; margin: 0 0 4px; }
h2 { font-size: 1.55rem; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 3px solid var(--ink); }
h3 { font-size: 1.15rem; margin: 18px 0 6px; }
.sub { color: var(--muted); margin: 0 0 10px; }
nav { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 0.95rem; margin: 6px 0 0; }
nav a { color: var(--blue); }
section { margin-bottom: 10px; }
.alert { border: 3px solid var(--alarm); color: var(--alarm); background: #fff3f4; padding: 10px 16px;
  margin-top: 18px; }
.alert h2 { color: var(--alarm); border-color: var(--alarm); margin-top: 4px; }
.alert li { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.9rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 14px; }
.card { border: 2px solid var(--line); border-left: 8px solid var(--blue); padding: 10px 14px; }
.card .value { font-size: 2.4rem; font-weight: 700; line-height: 1.1; }
.card .label { font-weight: 700; }
.card .note { color: var(--muted); font-size: 0.85rem; }
.card.alarm { border-color: var(--alarm); border-left-width: 8px; }
.card.alarm .value::after { content: " ⚠"; font-size: 1.4rem; }
.card.alarm .value, .card.alarm .label { color: var(--alarm); }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--tint); border-bottom: 2px solid var(--ink); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { font-weight: 700; white-space: nowrap; }
table.backlog td.title { min-width: 14em; }
table.backlog td.status { white-space: nowrap; }
table.backlog td.ready { width: 30%; }
.yes { color: var(--green); font-weight: 700; }
.no { color: var(--alarm); font-weight: 700; }
.gaps { margin: 2px 0 0; padding-left: 1.1em; color: var(--muted); font-size: 0.85rem; }
tr.in-sprint td { background: #eef5fb; }
tr.in-sprint td:first-child { border-left: 6px solid var(--blue); }
tr.candidate td:first-child { border-left: 6px solid var(--green); }
.badge { display: inline-block; border: 1.5px solid currentColor; border-radius: 4px; padding: 0 5px;
  font-size: 0.8rem; font-weight: 700; white-space: nowrap; }
.badge.sprint { color: var(--blue); }
.badge.candidate { color: var(--green); }
.plan { font-size: 0.85rem; }
tr.cut td { border-top: 4px dashed var(--ink); border-bottom: 4px dashed var(--ink); background: #fff8e1;
  font-weight: 700; text-align: center; padding: 8px; }
.more { color: var(--muted); font-style: italic; }
figure { margin: 10px 0 4px; }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 4px; }
svg.chart { display: block; width: 100%; max-width: 1184px; height: auto; }
details { margin: 6px 0; }
summary { cursor: pointer; color: var(--blue); }
ol.agenda > li { margin-bottom: 10px; }
ol.agenda ul { margin: 2px 0; color: var(--muted); }
footer { color: var(--muted); font-size: 0.85rem; margin-top: 40px; padding-bottom: 30px; }
@media print {
  html { font-size: 11pt; }
  nav, summary { display: none; }
  details::details-content { content-visibility: visible; display: block; }
  header, main, footer { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  section, figure, tr, .card { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  tr.in-sprint td, th, tr.cut td, .alert { background: none; }
  .cards { grid-template-columns: repeat(3, 1fr); }
}
"""


def _e(text: object) -> str:
    return escape(words.visible(text), quote=True)


def render(report: Report) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="groom report">',
        f"<title>{_e(words.title(report))} ({_e(report.generated)})</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(words.title(report))}</h1>",
        f'<p class="sub">{_e(words.subtitle(report))}</p>',
        '<nav aria-label="sections">'
        + "".join(f'<a href="#{anchor}">{_e(heading)}</a>' for anchor, heading in words.SECTIONS)
        + "</nav>",
        "</header>",
        "<main>",
    ]
    if report.unreadable:
        parts.append(_unreadable(report))
    parts += [
        _headline(report),
        _backlog(report),
        _velocity(report),
        _forecast(report),
        _epics(report),
        _agenda(report),
        _actions(report),
        "</main>",
        "<footer>"
        f"<p>Made by groom report on {_e(report.generated)} from the story files in {_e(report.backlog)}. "
        "The numbers are those of groom sprint-candidates, velocity, refine and actions. "
        "This page loads nothing from anywhere: no script, no font, no image.</p>"
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _section(anchor: str, body: str) -> str:
    heading = dict(words.SECTIONS)[anchor]
    return f'<section id="{anchor}" aria-labelledby="{anchor}-h"><h2 id="{anchor}-h">{_e(heading)}</h2>{body}</section>'


def _unreadable(report: Report) -> str:
    items = "".join(
        f"<li>{_e(u.path)}:{u.line}:{u.column}: cannot be read: {_e(u.message)}</li>" for u in report.unreadable
    )
    return (
        '<section id="unreadable" class="alert" role="alert" aria-labelledby="unreadable-h">'
        '<h2 id="unreadable-h">Unreadable story files</h2>'
        f"<p>{_e(words.unreadable_line(report))}</p><ul>{items}</ul></section>"
    )


def _headline(report: Report) -> str:
    cards = "".join(
        f'<div class="card{" alarm" if alarm else ""}"><div class="value">{_e(value)}</div>'
        f'<div class="label">{_e(label)}</div><div class="note">{_e(note)}</div></div>'
        for value, label, note, alarm in words.figures(report)
    )
    return _section("headline", f'<div class="cards">{cards}</div>')


def _row(row: Row) -> str:
    classes = "in-sprint" if row.sprint is not None else "candidate" if row.candidate else ""
    if row.ready:
        ready = '<span class="yes">✓ yes</span>'
    else:
        gaps = "".join(f"<li>{_e(words.gap(g))}</li>" for g in row.gaps)
        ready = f'<span class="no">✗ no</span><ul class="gaps">{gaps}</ul>'
    plan = words.plan(row)
    if row.sprint is not None:
        plan_cell = f'<span class="badge sprint">{_e(plan)}</span>'
    elif row.candidate:
        plan_cell = f'<span class="badge candidate">✓ {_e(plan)}</span>'
    else:
        plan_cell = f'<span class="plan">{_e(plan)}</span>'
    return (f'<tr class="{classes}">' if classes else "<tr>") + (
        f'<td class="num">{row.position}</td><td class="id">{_e(row.id)}</td><td class="title">{_e(row.title)}</td>'
        f'<td class="status">{_e(row.status)}</td><td class="num">{_e(words.estimate(row.estimate))}</td>'
        f'<td class="num">{_e(words.estimate(row.value))}</td><td class="ready">{ready}</td>'
        f"<td>{_e(words.dependencies(row))}</td><td>{plan_cell}</td></tr>"
    )


def _backlog(report: Report) -> str:
    table = report.table
    head = (
        '<thead><tr><th class="num">#</th><th>id</th><th>title</th><th>status</th><th class="num">estimate</th>'
        '<th class="num">value</th><th>ready (Definition of Ready)</th><th>depends on</th><th>next sprint</th>'
        "</tr></thead>"
    )
    rows = []
    for index, row in enumerate(table.rows):
        if table.cut is not None and index == table.cut and report.sprint_candidates is not None:
            rows.append(f'<tr class="cut"><td colspan="9">✂ {_e(words.cut_line(report))}</td></tr>')
        rows.append(_row(row))
    if table.cut is not None and table.cut == len(table.rows) and report.sprint_candidates is not None:
        rows.append(f'<tr class="cut"><td colspan="9">✂ {_e(words.cut_line(report))}</td></tr>')
    intro = f"<p>{_e(words.capacity_line(report))}</p>"
    more = f'<p class="more">{_e(words.more_line(report))}</p>' if table.more else ""
    empty = "<p>No open story.</p>" if not table.rows else ""
    listing = f'<table class="backlog">{head}<tbody>{"".join(rows)}</tbody></table>'
    body = f"{intro}{listing}{more}" if table.rows else intro + empty
    return _section("backlog", body)


def _velocity(report: Report) -> str:
    velocity = report.velocity
    if not velocity.sprints:
        return _section("velocity", f"<p>{_e(words.velocity_line(report))}</p>")
    chart = svg.velocity(
        "chart-velocity",
        [s.sprint for s in velocity.sprints],
        [s.done_points for s in velocity.sprints],
        [s.committed_points for s in velocity.sprints],
        velocity.mean_last_3,
        words.mean_label(report),
    )
    rows = "".join(
        f'<tr><td>{_e(s.sprint)}</td><td class="num">{s.done_stories}</td><td class="num">{_e(fmt(s.done_points))}'
        f'</td><td class="num">{_e(fmt(s.committed_points) if s.committed_points is not None else "–")}</td></tr>'
        for s in velocity.sprints
    )
    table = (
        '<details><summary>the numbers</summary><table><thead><tr><th>sprint</th><th class="num">stories done</th>'
        f'<th class="num">points done</th><th class="num">committed</th></tr></thead><tbody>{rows}</tbody></table>'
        "</details>"
    )
    caption = f"<figcaption>{_e(words.velocity_line(report))}</figcaption>"
    return _section("velocity", f"<figure>{chart}{caption}</figure>{table}")


def _forecast(report: Report) -> str:
    forecast = report.forecast
    if forecast is None:
        return _section("forecast", f"<p>{_e(words.forecast_line(report))}</p>")
    chart = svg.burnup(
        "chart-burnup",
        [p.planned for p in forecast.burnup],
        [p.p50 for p in forecast.burnup],
        [p.p85 for p in forecast.burnup],
        forecast.scope,
        forecast.readings,
    )
    lines = "".join(f"<li>{_e(line)}</li>" for line in words.forecast_sprints(report))
    rows = []
    for item in forecast.done_by:
        plan, p50, p85, note = words.done_by(item)
        name = f"{item.name} {item.title}" if item.kind == "story" else f"epic {item.name}"
        rows.append(
            f'<tr><td>{_e(name)}</td><td class="num">{_e(fmt(item.points))}</td><td class="num">{_e(plan)}</td>'
            f'<td class="num">{_e(p50)}</td><td class="num">{_e(p85)}</td><td>{_e(note)}</td></tr>'
        )
    table = (
        "<h3>Done by sprint +n</h3>"
        '<table class="done-by"><thead><tr><th>story / epic</th><th class="num">points</th>'
        '<th class="num">by the plan</th><th class="num">at 50 %</th><th class="num">at 85 %</th><th>note</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    body = (
        f"<figure>{chart}<figcaption>{_e(words.forecast_line(report))}</figcaption></figure>"
        f"<details><summary>sprint by sprint</summary><ul>{lines}</ul></details>{table}"
    )
    return _section("forecast", body)


def _epics(report: Report) -> str:
    if not report.epics:
        return _section("epics", "<p>No story has an epic.</p>")
    chart = svg.epics(
        "chart-epics",
        [svg.Stack(e.name, e.done, e.ready, e.not_ready, e.unestimated) for e in report.epics],
    )
    rows = "".join(
        f'<tr><td>{_e(e.name)}</td><td class="num">{_e(fmt(e.done))}</td><td class="num">{_e(fmt(e.ready))}</td>'
        f'<td class="num">{_e(fmt(e.not_ready))}</td><td class="num">{e.unestimated}</td>'
        f'<td class="num">{e.open_stories} of {e.stories}</td></tr>'
        for e in report.epics
    )
    table = (
        '<details><summary>the numbers</summary><table><thead><tr><th>epic</th><th class="num">done</th>'
        '<th class="num">ready</th><th class="num">not ready</th><th class="num">no estimate (stories)</th>'
        f'<th class="num">open stories</th></tr></thead><tbody>{rows}</tbody></table></details>'
    )
    caption = (
        "Points per epic: done, ready (meets the Definition of Ready) and not ready; stories without an "
        "estimate are counted after the bar. Split and dropped stories are not work and are not counted."
    )
    return _section("epics", f"<figure>{chart}<figcaption>{_e(caption)}</figcaption></figure>{table}")


def _agenda(report: Report) -> str:
    agenda = report.agenda
    items = []
    for item in agenda.items:
        details = [f"<li>lacks: {_e(words.gap(g))}</li>" for g in item.lacks]
        details += [f"<li>question: {_e(q.text)}</li>" for q in item.questions]
        if item.split_advice:
            details.append(f"<li>split: {_e(item.split_advice)}</li>")
        items.append(
            f"<li><strong>{_e(item.id)}</strong> {_e(item.title)} "
            f'<span class="sub">({_e(item.status)}, estimate {_e(words.estimate(item.estimate))})</span>'
            f"<ul>{''.join(details)}</ul></li>"
        )
    lead = (
        "<p>Every open story at the top is ready.</p>"
        if not items
        else "<p>The highest-ranked open stories that are not ready and not yet in a sprint (groom refine).</p>"
    )
    listing = f'<ol class="agenda">{"".join(items)}</ol>' if items else ""
    return _section("agenda", f"{lead}{listing}<p><strong>{_e(words.ready_work_line(report))}</strong></p>")


def _actions(report: Report) -> str:
    if not report.actions:
        return _section("actions", "<p>No open questions.</p>")
    groups = []
    for group in report.actions:
        rows = "".join(
            f'<tr><td class="id">{_e(a.id)}</td><td class="num">#{a.position}</td><td>{_e(a.question)}</td>'
            f"<td>{_e(a.title)}</td></tr>"
            for a in group.questions
        )
        groups.append(
            f"<h3>{_e(words.owner(group.owner))} ({len(group.questions)})</h3>"
            '<table><thead><tr><th>story</th><th class="num">place</th><th>question</th><th>title</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    return _section("actions", "".join(groups))
