"""``groom report``'s renderers: the report model as a self-contained HTML page (inline CSS and
SVG, no request to any host) or as GitHub-flavoured markdown with mermaid charts.

Imported only by ``groom report``: no other command pays for it."""

from __future__ import annotations

import json

from groom import reportmodel
from groom.report import Formats


def _json(report: reportmodel.Report) -> str:
    return json.dumps(reportmodel.as_json(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _html(report: reportmodel.Report) -> str:
    from groom.page.html import render

    return render(report)


def _markdown(report: reportmodel.Report) -> str:
    from groom.page.markdown import render

    return render(report)


PAGE: Formats[reportmodel.Report] = Formats(html=_html, markdown=_markdown, json=_json)
"""The report's formats; the first is the default."""

DEFAULT_OUT = {"html": "report.html", "markdown": "report.md", "json": "-"}
"""Where each format goes unless --out says otherwise (JSON to standard output, for programs)."""
