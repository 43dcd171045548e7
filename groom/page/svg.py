"""Charts as inline SVG, drawn from plain numbers: grouped bars with a reference line
(velocity), a burn-up with a band (forecast), and stacked horizontal bars (epics).

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that say what it
shows in words, a ``<title>`` on every bar and point (a tooltip, and what a screen reader
reads), and a legend whose swatches carry patterns as well as colours: colour is never the only
thing that tells two series apart. Text is escaped; no id repeats across charts (each chart
prefixes its own).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from groom.numbers import points as fmt

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
INK = "#1a1a1a"
GRID = "#d0d0d0"
BLUE = "#0072b2"
GREEN = "#009e73"
ORANGE = "#e69f00"
VERMILLION = "#d55e00"
GREY = "#6b6b6b"
"""Okabe–Ito colours: told apart with the common colour-vision deficiencies; patterns too."""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``top``: 0, 5, 10… or 0, 20, 40…"""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def patterns(prefix: str) -> str:
    """The fills the charts use, as SVG patterns whose ids start with ``prefix``."""
    return (
        "<defs>"
        f'<pattern id="{prefix}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="8" height="8" fill="{GREEN}"/><line x1="0" y1="0" x2="0" y2="8" '
        'stroke="#ffffff" stroke-width="3"/></pattern>'
        f'<pattern id="{prefix}-dots" width="7" height="7" patternUnits="userSpaceOnUse">'
        f'<rect width="7" height="7" fill="{ORANGE}"/><circle cx="3.5" cy="3.5" r="1.6" fill="{INK}"/></pattern>'
        f'<pattern id="{prefix}-outline" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(-45)">'
        f'<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="{GREY}" '
        'stroke-width="1.2"/></pattern>'
        f'<pattern id="{prefix}-band" width="10" height="10" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="10" height="10" fill="#cfe6f5"/><line x1="0" y1="0" x2="0" y2="10" '
        f'stroke="{BLUE}" stroke-opacity="0.35" stroke-width="2"/></pattern>'
        "</defs>"
    )


@dataclass(frozen=True, slots=True)
class Swatch:
    label: str
    fill: str
    """A colour, or ``url(#…)`` of a pattern."""
    stroke: str = INK
    line: str = ""
    """For a line series: its dash pattern (``solid`` or an SVG dasharray); the swatch is a line."""


def _legend(items: Sequence[Swatch], x: float, y: float) -> str:
    parts = [f'<g class="legend" font-size="14" transform="translate({x:.1f},{y:.1f})">']
    offset = 0.0
    for item in items:
        if item.line:
            dash = "" if item.line == "solid" else f' stroke-dasharray="{item.line}"'
            parts.append(
                f'<line x1="{offset:.1f}" y1="0" x2="{offset + 26:.1f}" y2="0" stroke="{item.stroke}" '
                f'stroke-width="3"{dash}/>'
            )
        else:
            parts.append(
                f'<rect x="{offset:.1f}" y="-8" width="26" height="16" fill="{item.fill}" stroke="{item.stroke}"/>'
            )
        parts.append(f'<text x="{offset + 32:.1f}" y="5" fill="{INK}">{_e(item.label)}</text>')
        offset += 32 + 8.2 * len(item.label) + 22
    parts.append("</g>")
    return "".join(parts)


def _frame(chart_id: str, width: int, height: int, title: str, description: str) -> str:
    return (
        f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{_e(FONT)}">'
        f'<title id="{chart_id}-title">{_e(title)}</title><desc id="{chart_id}-desc">{_e(description)}</desc>'
        f"{patterns(chart_id)}"
    )


def _y_axis(ticks: Sequence[float], left: float, right: float, y_of: Callable[[float], float], label: str) -> str:
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 8:.1f}" y="{y + 5:.1f}" text-anchor="end" font-size="14" fill="{INK}">'
            f"{_e(fmt(tick))}</text>"
        )
    top = y_of(ticks[-1])
    parts.append(
        f'<text x="{left - 8:.1f}" y="{top - 14:.1f}" text-anchor="end" font-size="14" fill="{INK}">{_e(label)}</text>'
    )
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# velocity: done (and committed) per sprint, the mean as a line


def velocity(
    chart_id: str,
    sprints: Sequence[str],
    done: Sequence[float],
    committed: Sequence[float | None],
    mean: float | None,
    mean_label: str,
) -> str:
    width, height = 960, 380
    left, right, top, bottom = 64, width - 150, 40, height - 80
    has_committed = any(c is not None for c in committed)
    ticks = nice_ticks(max([*done, *(c or 0 for c in committed), mean or 0, 1]))

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / ticks[-1]

    count = max(len(sprints), 1)
    slot = (right - left) / count
    bar = min(slot * (0.36 if has_committed else 0.6), 70)
    description = "; ".join(
        f"sprint {name}: {fmt(d)} points done" + (f" of {fmt(c)} committed" if c is not None else "")
        for name, d, c in zip(sprints, done, committed, strict=True)
    )
    if mean is not None:
        description += f"; {mean_label}"
    parts = [
        _frame(chart_id, width, height, "Velocity: points done per sprint", description or "no sprint done yet"),
        _y_axis(ticks, left, right, y_of, "points"),
    ]
    for index, (name, value, promised) in enumerate(zip(sprints, done, committed, strict=True)):
        centre = left + slot * (index + 0.5)
        if has_committed:
            x_done, x_committed = centre - bar - 2, centre + 2
        else:
            x_done, x_committed = centre - bar / 2, 0.0
        parts.append(
            f'<rect class="bar done" x="{x_done:.1f}" y="{y_of(value):.1f}" width="{bar:.1f}" '
            f'height="{bottom - y_of(value):.1f}" fill="{BLUE}" stroke="{INK}">'
            f"<title>sprint {_e(name)}: {_e(fmt(value))} points done</title></rect>"
        )
        parts.append(
            f'<text x="{x_done + bar / 2:.1f}" y="{y_of(value) - 6:.1f}" text-anchor="middle" font-size="15" '
            f'font-weight="bold" fill="{INK}">{_e(fmt(value))}</text>'
        )
        if promised is not None:
            parts.append(
                f'<rect class="bar committed" x="{x_committed:.1f}" y="{y_of(promised):.1f}" width="{bar:.1f}" '
                f'height="{bottom - y_of(promised):.1f}" fill="url(#{chart_id}-outline)" stroke="{INK}">'
                f"<title>sprint {_e(name)}: {_e(fmt(promised))} points committed</title></rect>"
            )
            parts.append(
                f'<text x="{x_committed + bar / 2:.1f}" y="{y_of(promised) - 6:.1f}" text-anchor="middle" '
                f'font-size="14" fill="{INK}">{_e(fmt(promised))}</text>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{bottom + 22:.1f}" text-anchor="middle" font-size="15" fill="{INK}">'
            f"{_e(name)}</text>"
        )
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}" stroke-width="1.5"/>')
    legend = [Swatch("done", BLUE)]
    if has_committed:
        legend.append(Swatch("committed", f"url(#{chart_id}-outline)"))
    if mean is not None:
        y = y_of(mean)
        parts.append(
            f'<line class="mean" x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{VERMILLION}" '
            f'stroke-width="3" stroke-dasharray="10 6"><title>{_e(mean_label)}</title></line>'
        )
        parts.append(
            f'<text x="{right + 8}" y="{y + 5:.1f}" font-size="15" font-weight="bold" fill="{VERMILLION}">'
            f"mean {_e(fmt(mean))}</text>"
        )
        legend.append(Swatch(mean_label, "", VERMILLION, "10 6"))
    parts.append(_legend(legend, left, height - 22))
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# forecast: a burn-up with the 50 %–85 % band


def burnup(
    chart_id: str,
    planned: Sequence[float],
    p50: Sequence[float],
    p85: Sequence[float],
    scope: float,
    readings: bool,
) -> str:
    """``planned``, ``p50`` and ``p85`` hold one value per sprint from now (index 0) on."""
    width, height = 960, 420
    left, right, top, bottom = 64, width - 170, 40, height - 84
    ticks = nice_ticks(max([*planned, *p50, *p85, scope, 1]))
    steps = max(len(planned) - 1, 1)

    def x_of(index: int) -> float:
        return left + (right - left) * index / steps

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / ticks[-1]

    def points(values: Sequence[float]) -> str:
        return " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))

    last = len(planned) - 1
    description = (
        f"scope {fmt(scope)} points not yet in a sprint; "
        + "; ".join(
            f"sprint +{i}: plan {fmt(planned[i])}"
            + (f", done at 50 % {fmt(p50[i])}, at 85 % {fmt(p85[i])}" if readings else "")
            for i in range(1, last + 1)
        )
        + " (cumulative points)"
    )
    parts = [
        _frame(chart_id, width, height, "Forecast burn-up: cumulative points done", description),
        _y_axis(ticks, left, right, y_of, "points"),
    ]
    for index in range(last + 1):
        label = "now" if index == 0 else f"+{index}"
        parts.append(
            f'<text x="{x_of(index):.1f}" y="{bottom + 22:.1f}" text-anchor="middle" font-size="15" fill="{INK}">'
            f"{label}</text>"
        )
    parts.append(
        f'<text x="{(left + right) / 2:.1f}" y="{bottom + 44:.1f}" text-anchor="middle" font-size="14" '
        f'fill="{INK}">sprints from now</text>'
    )
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}" stroke-width="1.5"/>')
    labels: list[tuple[float, str, str]] = []
    y_scope = y_of(scope)
    parts.append(
        f'<line class="scope" x1="{left}" y1="{y_scope:.1f}" x2="{right}" y2="{y_scope:.1f}" stroke="{INK}" '
        f'stroke-width="2" stroke-dasharray="3 4"><title>scope: {_e(fmt(scope))} points</title></line>'
    )
    labels.append((y_scope, f"scope {fmt(scope)}", INK))
    legend = []
    if readings:
        band = points(p50) + " " + " ".join(f"{x_of(i):.1f},{y_of(p85[i]):.1f}" for i in range(last, -1, -1))
        parts.append(
            f'<polygon class="band" points="{band}" fill="url(#{chart_id}-band)" stroke="none">'
            "<title>between 85 % and 50 % of the Monte Carlo trials</title></polygon>"
        )
        parts.append(
            f'<polyline class="p85" points="{points(p85)}" fill="none" stroke="{INK}" stroke-width="3" '
            'stroke-dasharray="9 5"/>'
        )
        parts.append(f'<polyline class="p50" points="{points(p50)}" fill="none" stroke="{BLUE}" stroke-width="3.5"/>')
        for index in range(1, last + 1):
            for values, name, shape in ((p50, "50 %", "circle"), (p85, "85 %", "square")):
                x, y = x_of(index), y_of(values[index])
                tip = f"<title>sprint +{index}: {fmt(values[index])} points done in {name} of the trials</title>"
                if shape == "circle":
                    parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{BLUE}">{tip}</circle>')
                else:
                    parts.append(
                        f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{INK}">{tip}</rect>'
                    )
        labels.append((y_of(p50[last]), f"50 %: {fmt(p50[last])}", BLUE))
        labels.append((y_of(p85[last]), f"85 %: {fmt(p85[last])}", INK))
        legend += [
            Swatch("done in 50 % of trials", "", BLUE, "solid"),
            Swatch("in 85 % of trials", "", INK, "9 5"),
            Swatch("band", f"url(#{chart_id}-band)", BLUE),
        ]
    parts.append(
        f'<polyline class="planned" points="{points(planned)}" fill="none" stroke="{GREEN}" stroke-width="2.5" '
        'stroke-dasharray="2 5" stroke-linecap="round"/>'
    )
    labels.append((y_of(planned[last]), f"plan: {fmt(planned[last])}", GREEN))
    legend += [Swatch("plan at capacity", "", GREEN, "2 5"), Swatch("scope", "", INK, "3 4")]
    for y, text, colour in _spread(labels, 18):
        parts.append(
            f'<text x="{right + 10}" y="{y + 5:.1f}" font-size="15" font-weight="bold" fill="{colour}">'
            f"{_e(text)}</text>"
        )
    parts.append(_legend(legend, left, height - 14))
    parts.append("</svg>")
    return "".join(parts)


def _spread(labels: Sequence[tuple[float, str, str]], gap: float) -> list[tuple[float, str, str]]:
    """End-of-line labels moved apart vertically so none overlaps another."""
    placed: list[tuple[float, str, str]] = []
    for wanted, text, colour in sorted(labels):
        y = max(wanted, placed[-1][0] + gap) if placed else wanted
        placed.append((y, text, colour))
    return placed


# ---------------------------------------------------------------------------------------
# epics: stacked horizontal bars


@dataclass(frozen=True, slots=True)
class Stack:
    name: str
    done: float
    ready: float
    not_ready: float
    unestimated: int


def epics(chart_id: str, stacks: Sequence[Stack]) -> str:
    row = 38
    label_width = 200
    width = 960
    left, right = label_width + 16, width - 170
    top = 16
    height = top + row * max(len(stacks), 1) + 70
    longest = max([s.done + s.ready + s.not_ready for s in stacks] + [1])
    ticks = nice_ticks(longest)

    def x_of(value: float) -> float:
        return left + (right - left) * value / ticks[-1]

    description = "; ".join(
        f"{s.name}: {fmt(s.done)} points done, {fmt(s.ready)} ready, {fmt(s.not_ready)} not ready"
        + (f", {s.unestimated} stories without an estimate" if s.unestimated else "")
        for s in stacks
    )
    parts = [_frame(chart_id, width, height, "Epics: points done, ready and not ready", description or "no epics")]
    bottom = top + row * len(stacks)
    for tick in ticks:
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 20}" text-anchor="middle" font-size="14" fill="{INK}">{fmt(tick)}</text>'
        )
    parts.append(f'<text x="{right:.1f}" y="{bottom + 38}" text-anchor="end" font-size="14" fill="{INK}">points</text>')
    segments = (
        ("done", BLUE, "done"),
        ("ready", f"url(#{chart_id}-hatch)", "ready"),
        ("not_ready", f"url(#{chart_id}-dots)", "not ready"),
    )
    for index, stack in enumerate(stacks):
        y = top + row * index + 6
        height_bar = row - 12
        name = stack.name if len(stack.name) <= 26 else stack.name[:25] + "…"
        parts.append(
            f'<text x="{label_width:.1f}" y="{y + height_bar / 2 + 5:.1f}" text-anchor="end" font-size="15" '
            f'fill="{INK}">{_e(name)}<title>{_e(stack.name)}</title></text>'
        )
        start = 0.0
        for key, fill, words in segments:
            value = float(getattr(stack, key))
            if value <= 0:
                continue
            x0, x1 = x_of(start), x_of(start + value)
            parts.append(
                f'<rect class="segment {key.replace("_", "-")}" x="{x0:.1f}" y="{y:.1f}" width="{x1 - x0:.1f}" '
                f'height="{height_bar}" fill="{fill}" stroke="{INK}">'
                f"<title>{_e(stack.name)}: {_e(fmt(value))} points {words}</title></rect>"
            )
            if x1 - x0 >= 10 + 9 * len(fmt(value)):
                parts.append(
                    f'<text x="{(x0 + x1) / 2:.1f}" y="{y + height_bar / 2 + 5:.1f}" text-anchor="middle" '
                    f'font-size="14" font-weight="bold" fill="{"#ffffff" if key == "done" else INK}" '
                    f'paint-order="stroke" stroke="{BLUE if key == "done" else "#ffffff"}" stroke-width="3">'
                    f"{_e(fmt(value))}</text>"
                )
            start += value
        if stack.unestimated:
            noun = "story" if stack.unestimated == 1 else "stories"
            parts.append(
                f'<text x="{x_of(start) + 8:.1f}" y="{y + height_bar / 2 + 5:.1f}" font-size="14" fill="{INK}">'
                f"+{stack.unestimated} {noun} without estimate</text>"
            )
    legend = [
        Swatch("done", BLUE),
        Swatch("ready", f"url(#{chart_id}-hatch)"),
        Swatch("not ready", f"url(#{chart_id}-dots)"),
    ]
    parts.append(_legend(legend, left, height - 14))
    parts.append("</svg>")
    return "".join(parts)
