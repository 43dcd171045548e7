"""The report's model from plain data: the cut, the burn-up band, "done by sprint +n", epics."""

from __future__ import annotations

from typing import Any

import pytest

from groom import refine, reportmodel, schemas, sprint, sprintloop
from groom.model import Story
from groom.ready import Judge
from tests.stories import CONFIG, backlog, no_disk, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)


def history() -> list[Story]:
    """Three past sprints of 5 points each: every Monte Carlo trial draws 5."""
    return [story(f"S-9{n}", status="done", estimate=5, sprint=str(n), rank=f"Z{n}", epic="a") for n in (1, 2, 3)]


def build(*stories: Story, sprints: int = 6, **extra: Any) -> reportmodel.Report:
    whole = backlog(*stories)
    judge = Judge(whole, SCHEMAS)
    cap = sprint.capacity(whole.stories, CONFIG, extra.pop("capacity", None))
    selection = sprint.select(whole.stories, judge, CONFIG, cap, "skip", sprints, 42)
    return reportmodel.build(
        whole.stories,
        judge,
        CONFIG,
        selection=selection,
        no_capacity="",
        agenda=refine.agenda(whole.stories, judge, CONFIG),
        actions=refine.actions(whole.stories, CONFIG, None),
        velocity=sprintloop.velocity(whole.stories, CONFIG, None),
        unreadable=(),
        backlog="backlog",
        generated="2026-01-01",
        seed=42,
        sprints=sprints,
    )


def test_the_band_is_where_the_monte_carlo_readings_put_the_forecast_lines() -> None:
    report = build(
        *history(),
        story("S-1", rank="a0", epic="a"),
        story("S-2", rank="a1", epic="b"),
        story("S-3", rank="a2", epic="a"),
        story("S-4", rank="a3", epic="b"),
        story("S-5", status="draft", rank="a4", epic="b"),
    )
    assert report.forecast is not None
    # one 3-point story per 5-point sprint; the trials need ceil(cumulative / 5) sprints
    assert [(f.cumulative, f.p50, f.p85) for f in report.sprint_candidates.forecast] == [  # type: ignore[union-attr]
        (3, 1, 1),
        (6, 2, 2),
        (9, 2, 2),
        (12, 3, 3),
    ]
    assert [(p.sprint, p.planned, p.p50) for p in report.forecast.burnup][:5] == [
        (0, 0, 0),
        (1, 3, 3),
        (2, 6, 9),  # by sprint +2 the trials finish what the plan spreads over three sprints
        (3, 9, 12),
        (4, 12, 12),
    ]
    assert report.forecast.scope == 12
    done = {(d.kind, d.name): (d.plan, d.p50, d.p85, d.note) for d in report.forecast.done_by}
    assert done["story", "S-3"] == (3, 2, 2, "")
    assert done["epic", "a"] == (3, 2, 2, "")
    assert done["epic", "b"] == (4, 3, 3, "no estimate, not forecast: S-5")
    assert done["story", "S-5"] == (None, None, None, "no estimate, not forecast: S-5")


def test_a_story_beyond_the_forecast_has_no_reading() -> None:
    report = build(*history(), story("S-1", rank="a0"), story("S-2", rank="a1", epic="b"), sprints=1)
    assert report.forecast is not None
    done = {d.name: d for d in report.forecast.done_by}
    assert (done["S-2"].p50, done["S-2"].note) == (None, "1 story beyond sprint +1")
    assert (done["b"].p50, done["b"].note) == (None, "1 story beyond sprint +1")


def test_the_table_marks_the_cut_the_sprint_and_counts_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reportmodel, "BACKLOG_SHOWN", 3)
    report = build(
        *history(),
        story("S-1", status="in-progress", rank="a0", sprint="4"),
        story("S-2", rank="a1"),
        story("S-3", rank="a2", estimate=5),  # 5 > 2 left: left out above the cut
        story("S-4", status="refining", rank="a3", estimate=1, value=2),
        story("S-5", rank="a4", estimate=2),
        story("S-6", status="draft", rank="a5"),
    )
    table = report.table
    assert [(r.id, r.sprint, r.candidate, r.cumulative) for r in table.rows] == [
        ("S-1", "4", False, None),
        ("S-2", None, True, 3),
        ("S-3", None, False, None),
        ("S-4", None, False, None),
        ("S-5", None, True, 5),
    ]  # shown down to the cut, though only 3 were asked for
    assert table.cut == 5 and (table.open_stories, table.more) == (6, 1)
    assert table.rows[2].reasons == ("5 points > 2 left: split it or raise the capacity",)
    assert [g.rule for g in table.rows[3].gaps] == [] and table.rows[3].reasons == ("status is refining",)
    head = report.headline
    assert (head.top_considered, head.top_not_ready) == (5, 2)  # S-4 (refining) and S-6 (draft, no estimate)
    assert (head.open_points, head.unestimated) == (14, 1)


def test_epics_count_done_ready_not_ready_and_stories_without_estimate() -> None:
    report = build(
        *history(),
        story("S-1", rank="a0", epic="b", estimate=2),
        story("S-2", status="refining", rank="a1", epic="b", estimate=8),
        story("S-3", status="draft", rank="a2", epic="b"),
        story("S-4", status="split", rank="a3", epic="b", estimate=40),
        story("S-5", rank="a4"),
    )
    assert [(e.name, e.done, e.ready, e.not_ready, e.unestimated, e.open_stories, e.stories) for e in report.epics] == [
        ("b", 0, 2, 8, 1, 3, 3),
        ("a", 15, 0, 0, 0, 0, 3),  # finished epics after those with open work
        (reportmodel.NO_EPIC, 0, 3, 0, 0, 1, 1),
    ]


def test_the_model_is_json_data() -> None:
    import json

    report = build(*history(), story("S-1", rank="a0", estimate=float("nan")))
    document = reportmodel.as_json(report)
    assert json.loads(json.dumps(document, allow_nan=False))["table"]["rows"][0]["estimate"] == ".nan"
