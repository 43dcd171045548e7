"""``groom report``: the backlog as a page. Calls the functions sprint-candidates, velocity,
refine and actions call, hands their results to ``reportmodel`` and writes the rendered page."""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

from groom import edits, reportmodel, sprint
from groom.backlog import display_path
from groom.commands import refine as refine_command
from groom.commands import sprint as sprint_command
from groom.errors import ConfigError, GroomError
from groom.workspace import Workspace

NO_CAPACITY = (
    "set [sprint] velocity = [...] or capacity = N in groom.toml, or give done stories their sprint "
    "(sprint: 2026-24) so groom can measure the velocity"
)


def build(ws: Workspace, sprints: int, seed: int) -> reportmodel.Report:
    """The report's model of this backlog, from the same functions the other commands run."""
    # The schemas are built first: one that cannot be used stops the run here.
    backlog = ws.judged("gaps", only=lambda story: ws.config.is_open(story.status))
    judge = ws.judge
    try:
        sprint.capacity(backlog.stories, ws.config, None)
    except ConfigError:  # no capacity and no history: the page says what to add
        selection, no_capacity = None, NO_CAPACITY
    else:
        selection, no_capacity = sprint_command.candidates(ws, None, None, sprints, seed), ""
    return reportmodel.build(
        backlog.stories,
        judge,
        ws.config,
        selection=selection,
        no_capacity=no_capacity,
        agenda=refine_command.agenda(ws),
        actions=refine_command.actions(ws, None),
        velocity=sprint_command.velocity(ws, None),
        unreadable=backlog.unreadable,
        backlog=display_path(ws.config.backlog, ws.cwd),
        generated=_today(),
        seed=seed,
        sprints=sprints,
    )


def _today() -> str:
    """Today's date (UTC); SOURCE_DATE_EPOCH fixes it for reproducible pages."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "")
    stamp = (
        datetime.datetime.fromtimestamp(int(fixed), datetime.UTC)
        if fixed.isdigit()
        else datetime.datetime.now(datetime.UTC)
    )
    return stamp.date().isoformat()


def target(ws: Workspace, out: str) -> Path | None:
    """Where the page goes (None: standard output), checked before anything is read: never a
    story file of the backlog."""
    if out == "-":
        return None
    path = Path(out)
    path = path if path.is_absolute() else ws.cwd / path
    backlog = ws.config.backlog.resolve()
    resolved = path.resolve()
    if resolved.suffix.lower() == ".md" and (resolved == backlog or backlog in resolved.parents):
        raise GroomError(f"--out {out}: that would be a story file in the backlog; write the report elsewhere")
    return path


def write(path: Path | None, text: str) -> None:
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    edits.write_output(path, text.encode("utf-8"))
