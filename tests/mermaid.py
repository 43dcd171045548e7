"""A checker for mermaid ``xychart-beta`` blocks in their documented form (mermaid.js.org,
"XY Chart"; the grammar is packages/mermaid/src/diagrams/xychart/parser/xychart.jison):

    xychart-beta [horizontal|vertical]
        title <text>
        x-axis [<text>] [<text>, <text>, ...]      categories
        x-axis [<text>] <number> --> <number>      or a range
        y-axis [<text>] [<number> --> <number>]
        bar [<text>] [<number>, <number>, ...]
        line [<text>] [<number>, <number>, ...]

<text> is one word of letters, digits and ``&+=*.#_-`` or a double-quoted string without a
double quote; numbers are ``[+-]?(\\d+(\\.\\d+)?|\\.\\d+)``. ``%%`` starts a comment anywhere.
On top of the grammar: every data series has one number per category, and at least one series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NUMBER = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)"
TEXT = r'(?:"[^"\n]*"|[A-Za-z0-9&+=*.#_-]+)'
_HEADER = re.compile(r"xychart-beta(?:\s+(horizontal|vertical))?")
_TITLE = re.compile(rf"title\s+{TEXT}")
_LIST = rf"\[\s*{TEXT}(?:\s*,\s*{TEXT})*\s*\]"
_X_AXIS = re.compile(rf"x-axis(?:\s+{TEXT})?(?:\s*({_LIST})|\s+{NUMBER}\s*-->\s*{NUMBER})?")
_Y_AXIS = re.compile(rf"y-axis(?:\s+{TEXT})?(?:\s+{NUMBER}\s*-->\s*{NUMBER})?")
_SERIES = re.compile(rf"(bar|line)(?:\s+{TEXT})?\s*\[\s*({NUMBER}(?:\s*,\s*{NUMBER})*)\s*\]")
_ITEM = re.compile(TEXT)


@dataclass
class Chart:
    orientation: str = "vertical"
    title: str = ""
    categories: list[str] = field(default_factory=list)
    series: list[tuple[str, list[float]]] = field(default_factory=list)


class MermaidError(ValueError):
    pass


def check(block: str) -> Chart:
    """The chart a block describes; MermaidError names the first line that is not in the documented form."""
    if "%%" in block:
        raise MermaidError("%% starts a comment: the rest of that line would be lost")
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    if not lines:
        raise MermaidError("empty block")
    header = _HEADER.fullmatch(lines[0])
    if header is None:
        raise MermaidError(f"first line is not xychart-beta: {lines[0]!r}")
    chart = Chart(orientation=header.group(1) or "vertical")
    for line in lines[1:]:
        if _TITLE.fullmatch(line):
            chart.title = line[len("title") :].strip().strip('"')
        elif match := _X_AXIS.fullmatch(line):
            if match.group(1):
                chart.categories = [item.strip('"') for item in _ITEM.findall(match.group(1))]
        elif _Y_AXIS.fullmatch(line):
            pass
        elif match := _SERIES.fullmatch(line):
            chart.series.append((match.group(1), [float(v) for v in re.findall(NUMBER, match.group(2))]))
        else:
            raise MermaidError(f"not in the documented xychart-beta form: {line!r}")
    if not chart.series:
        raise MermaidError("no bar or line")
    for kind, values in chart.series:
        if chart.categories and len(values) != len(chart.categories):
            raise MermaidError(f"a {kind} has {len(values)} values for {len(chart.categories)} categories")
    return chart
