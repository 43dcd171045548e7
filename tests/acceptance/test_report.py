"""groom report: the same numbers as the commands it summarises, a self-contained page, markdown
that a CommonMark parser reads with every section, table and mermaid chart, and the usual rules
for unreadable files, options and start-up cost."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tests import mermaid
from tests.conftest import REPO, Project, Runner

SECTIONS = ("headline", "backlog", "velocity", "forecast", "epics", "agenda", "actions")
HEADINGS = (
    "Headline figures",
    "The open backlog",
    "Velocity",
    "Forecast",
    "Epics",
    "Refinement agenda",
    "Open questions by owner",
)


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's example backlog, read in place (with its git history): nothing here writes."""
    monkeypatch.chdir(REPO)
    return REPO


# ---------------------------------------------------------------------------------------
# the same numbers


def test_the_model_has_the_numbers_of_the_commands_it_summarises(example: Path, groom: Runner) -> None:
    result = groom("report", "--format", "json", "--sprints", "5", "--seed", "7")
    assert result.code == 0, result
    model = result.json()
    candidates = groom("sprint-candidates", "--sprints", "5", "--seed", "7", "--format", "json").json()
    ours = model["sprint_candidates"]
    for key in ("capacity", "capacity_source", "fill", "total", "below"):
        assert ours[key] == candidates[key], key
    assert [[h[0], h[1]] for h in ours["history"]] == [[h["sprint"], h["velocity"]] for h in candidates["history"]]
    assert ours["candidates"] == [{**c} for c in candidates["candidates"]]
    assert ours["excluded"] == candidates["excluded"]
    assert [ours["confidence_sprints"], ours["confidence_share"]] == list(candidates["confidence"].values())
    assert ours["forecast"] == candidates["forecast"]
    assert len(ours["forecast"]) == 4  # the example's open backlog is used up after sprint +4

    agenda = groom("refine", "--format", "json").json()
    assert {**model["agenda"], "unreadable": []} == agenda
    assert model["actions"] == groom("actions", "--format", "json").json()
    velocity = groom("velocity", "--format", "json").json()
    assert [
        {key: row[key] for key in ("sprint", "done_points", "done_stories", "committed_points")}
        for row in model["velocity"]["sprints"]
    ] == velocity["sprints"]
    assert model["velocity"]["mean_last_3"] == velocity["mean_last_3"]
    assert model["velocity"]["committed_source"] == velocity["committed_source"]

    listing = groom("list", "--format", "json").json()
    open_rows = [row for row in listing if row["status"] not in ("done", "split", "dropped")]
    assert [(r["id"], r["ready"]) for r in model["table"]["rows"]] == [(r["id"], r["ready"]) for r in open_rows]
    head = model["headline"]
    assert head["open_points"] == sum(r["estimate"] for r in open_rows if isinstance(r["estimate"], int))
    assert (head["ready_points"], head["runway_sprints"]) == (agenda["ready_points"], agenda["sprints_of_ready_work"])


def test_the_forecast_burn_up_and_done_by_follow_the_forecast_lines(example: Path, groom: Runner) -> None:
    model = groom("report", "--format", "json", "--out", "-").json()
    forecast = model["forecast"]
    lines = model["sprint_candidates"]["forecast"]
    # sprint +1: 19 points (p50 1, p85 2); +2: 38 (2, 3); +3: 46 (3, 3); +4: 66 (4, 4)
    assert [(f["cumulative"], f["p50"], f["p85"]) for f in lines] == [(19, 1, 2), (38, 2, 3), (46, 3, 3), (66, 4, 4)]
    assert [(p["sprint"], p["planned"], p["p50"], p["p85"]) for p in forecast["burnup"]] == [
        (0, 0, 0, 0),
        (1, 19, 19, 0),
        (2, 38, 38, 19),
        (3, 46, 46, 46),
        (4, 66, 66, 66),
        (5, 66, 66, 66),
        (6, 66, 66, 66),
    ]
    assert forecast["scope"] == 66  # open points not in a sprint; S-18 (?) and three drafts have none
    done_by = {(d["kind"], d["name"]): d for d in forecast["done_by"]}
    assert done_by["story", "S-14"]["note"] == "in the current sprint (2026-24)"
    assert (done_by["story", "S-23"]["plan"], done_by["story", "S-23"]["p50"], done_by["story", "S-23"]["p85"]) == (
        2,
        2,
        3,
    )
    assert done_by["story", "S-23"]["note"] == "not ready yet: S-23"
    assert (done_by["epic", "shopping-list"]["p50"], done_by["epic", "shopping-list"]["p85"]) == (4, 4)
    assert done_by["epic", "pantry"]["p50"] is None
    assert done_by["epic", "pantry"]["note"] == "no estimate, not forecast: S-27"
    epics = {e["name"]: e for e in model["epics"]}
    assert (epics["recipes"]["done"], epics["recipes"]["ready"], epics["recipes"]["not_ready"]) == (26, 10, 3)
    assert epics["households"]["unestimated"] == 1
    assert next(iter(epics)) == "shopping-list"  # epics in the order of their highest-ranked open story


# ---------------------------------------------------------------------------------------
# the page


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name in ("src", "href", "xlink:href", "action", "poster", "srcset") and value:
                self.urls.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def test_the_page_is_self_contained_and_has_every_section(example: Path, groom: Runner, tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    result = groom("report", "--out", str(out))
    assert result.code == 0, result
    assert result.out == f"{out}: 18 open stories, {out.stat().st_size / 1024:.0f} KB\n"
    text = out.read_text(encoding="utf-8")
    page = parse(text)
    assert [s for s in SECTIONS if s in page.ids] == list(SECTIONS)
    assert {"chart-velocity", "chart-burnup", "chart-epics"} <= set(page.ids)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert all(url.startswith("#") for url in page.urls), page.urls
    assert not re.search(r"(?:https?:)?//[a-z]", re.sub(r'xmlns="http://www\.w3\.org/2000/svg"', "", text))
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert "@media print" in text
    words = " ".join(page.text)
    assert "sprint-candidate cut: 19 of 19.3 points above this line; 7 open stories below it" in words
    assert "in sprint 2026-24" in words
    # colour is never alone: every chart says what it shows in words, every bar has a title
    assert text.count('role="img"') == 3 and text.count("<desc id=") == 3
    assert "<title>sprint 2026-21: 19 points done</title>" in text
    assert "<title>shopping-list: 20 points not ready</title>" in text
    assert len(text) < 200_000


def test_story_text_cannot_break_out_of_the_page(project: Project, groom: Runner) -> None:
    project.story("S-1", title='<script>alert("x")</script> & <b>bold</b>', rank="a0", epic='</svg>\n"%%x')
    project.write("S-2.md", '---\nid: S-2\ntitle: "ESC\\e[31m red"\nstatus: refining\nrank: "a1"\n---\nbody\n')
    (project.root / "groom.toml").write_text("[sprint]\nvelocity = [5, 6, 7]\n")
    result = groom("report", "--out", "-")
    assert result.code == 0, result
    page = parse(result.out)
    assert "script" not in page.tags and "b" not in page.tags
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in result.out
    assert "&lt;/svg&gt;\n&quot;%%x" in result.out
    assert "\x1b" not in result.out and "ESC\\u001b[31m red" in result.out
    markdown = groom("report", "--format", "markdown", "--out", "-").out
    assert "\\<script\\>" in markdown and "<b>" not in markdown and "\x1b" not in markdown
    _, tables, blocks = markdown_parts(markdown)
    assert [row[0] for row in tables[-1]] == ["epic", '\\</svg\\> "%%x', "(no epic)"]
    assert mermaid.check(blocks[-1]).categories == ["</svg> '%x", "(no epic)"]


# ---------------------------------------------------------------------------------------
# markdown


def markdown_parts(text: str) -> tuple[list[str], list[Any], list[str]]:
    """(level-2 headings, tables as lists of rows, mermaid blocks) as a CommonMark parser (with
    GitHub's table extension) reads them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings, tables, blocks = [], [], []
    table: list[list[str]] | None = None
    row: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            headings.append(tokens[index + 1].content)
        elif token.type == "table_open":
            table = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and table is not None and tokens[index - 1].type in ("th_open", "td_open"):
            row.append(token.content)
        elif token.type == "tr_close" and table is not None:
            table.append(row)
        elif token.type == "table_close":
            tables.append(table)
            table = None
        elif token.type == "fence" and token.info.strip() == "mermaid":
            blocks.append(token.content)
    return headings, tables, blocks


def test_markdown_has_every_section_table_and_a_valid_mermaid_chart(example: Path, groom: Runner) -> None:
    result = groom("report", "--format", "markdown", "--out", "-")
    assert result.code == 0, result
    headings, tables, blocks = markdown_parts(result.out)
    assert headings == list(HEADINGS)
    headers = [table[0][:2] for table in tables]
    assert headers == [
        ["figure", "what"],
        ["#", "id"],
        ["sprint", "stories done"],
        ["sprint", "plan"],
        ["story / epic", "points"],
        ["epic", "done"],
        ["story", "place"],
        ["story", "place"],
        ["story", "place"],
    ]
    backlog = tables[1]
    assert [row[1] for row in backlog[1:4]] == ["**S-14**", "**S-15**", "**S-16**"]
    cut = [row for row in backlog if row[0] == "✂"]
    assert len(cut) == 1 and backlog.index(cut[0]) == 12  # after the 11 stories above the cut
    charts = [mermaid.check(block) for block in blocks]
    assert [c.title for c in charts] == [
        "Velocity: points per sprint",
        "Forecast burn-up: cumulative points",
        "Epics: points done, ready, not ready",
    ]
    velocity, burnup, epics = charts
    assert velocity.categories == ["2026-21", "2026-22", "2026-23"]
    assert velocity.series == [("bar", [19, 18, 21]), ("bar", [19, 18, 21]), ("line", [19.3] * 3)]
    assert burnup.categories == ["now", "+1", "+2", "+3", "+4", "+5", "+6"]
    assert burnup.series[2] == ("line", [0, 19, 38, 46, 66, 66, 66])
    assert epics.orientation == "horizontal" and epics.categories[0] == "shopping-list"


@pytest.mark.parametrize(
    "block",
    [
        "xychart\n  bar [1]",
        'xychart-beta\n  x-axis ["a", "b"]\n  bar [1]',
        "xychart-beta\n  x-axis [a]\n  bar [1,]",
        'xychart-beta\n  title "a "quoted" word"\n  bar [1]',
        "xychart-beta\n  title x\n",
        "xychart-beta\n  y-axis 0 -> 5\n  bar [1]",
        "xychart-beta\n  bar [1] %% comment",
        "xychart-beta\n  pie [1]",
    ],
)
def test_the_mermaid_checker_refuses_what_the_grammar_does_not_allow(block: str) -> None:
    with pytest.raises(mermaid.MermaidError):
        mermaid.check(block)


def test_the_mermaid_checker_takes_the_documented_example() -> None:
    chart = mermaid.check(
        'xychart-beta\n    title "Sales Revenue"\n    x-axis [jan, feb, mar]\n'
        '    y-axis "Revenue (in $)" 4000 --> 11000\n    bar [5000, 6000, 7500]\n    line [5000, 6000, 7500]\n'
    )
    assert chart.categories == ["jan", "feb", "mar"] and len(chart.series) == 2


# ---------------------------------------------------------------------------------------
# unreadable files, options, start-up


def test_unreadable_files_come_first_in_red_and_exit_1(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0")
    project.write("S-2.md", "---\nid: S-2\ntitle: [unclosed\n---\nbody\n")
    (project.root / "groom.toml").write_text("[sprint]\ncapacity = 5\n")
    result = groom("report", "--out", "-")
    assert result.code == 1, result
    assert result.err.startswith("backlog/S-2.md:3:")
    page = parse(result.out)
    assert page.ids.index("unreadable") < page.ids.index("headline")
    assert '<section id="unreadable" class="alert" role="alert"' in result.out
    assert "1 story file could not be read" in result.out
    markdown = groom("report", "--format", "markdown", "--out", "-")
    assert markdown.code == 1
    assert markdown.out.split("\n## ")[0].count("> [!CAUTION]") == 1
    assert groom("report", "--format", "json").json()["unreadable"][0]["path"] == "backlog/S-2.md"


def test_a_backlog_without_history_still_gets_a_report(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0", epic="one")
    project.story("S-2", status="draft", rank="a1")
    result = groom("report", "--format", "markdown", "--out", "-")
    assert result.code == 0, result
    assert "No capacity known: set \\[sprint\\] velocity = \\[...\\] or capacity = N in groom.toml" in result.out
    assert "No forecast without a capacity: set" in result.out and "--capacity" not in result.out
    headings, _, blocks = markdown_parts(result.out)
    assert headings == list(HEADINGS)
    assert [mermaid.check(b).title for b in blocks] == ["Epics: points done, ready, not ready"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "--format pdf is not available here; use html or markdown or json"),
        (("--sprints", "0"), "--sprints 0: forecast 1 to 26 sprints"),
        (("--out", "backlog/S-9.md"), "--out backlog/S-9.md: that would be a story file in the backlog"),
        (("--out", "nowhere/report.html"), "nowhere: no such folder"),
        (("--out", "backlog"), "is a folder; give --out a file name"),
    ],
)
def test_options_are_checked_in_one_line(project: Project, groom: Runner, args: tuple[str, ...], message: str) -> None:
    project.story("S-1", rank="a0")
    result = groom("report", *args)
    assert result.code == 2, result
    assert message in result.err and result.err.count("\n") == 1
    assert not (project.backlog / "S-9.md").exists()


def test_report_html_is_the_default_and_is_replaced(project: Project, groom: Runner) -> None:
    project.story("S-1", rank="a0")
    (project.root / "report.html").write_text("old")
    result = groom("report")
    assert result.code == 0, result
    assert (project.root / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert result.out.startswith("report.html: 1 open story")
    assert groom("report", "--format", "markdown").out.startswith("report.md: ")
    assert (project.root / "report.md").read_text().startswith("# Backlog report: backlog")


def test_other_commands_do_not_import_the_report() -> None:
    code = (
        "import sys\nfrom groom import cli\n"
        "sys.argv = ['groom', '--help']\n"
        "try:\n    cli.run()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('groom.page', 'groom.reportmodel', 'markdown_it'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert done.stdout.splitlines()[-1] == "[]"
