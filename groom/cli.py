"""The command line: parse options, call one core function, pick a reporter, exit.

Exit codes: 0 ok, 1 findings, 2 usage, configuration or I/O error, 3 a bug in groom. Errors
are one line on stderr, never a traceback. Each command imports its own module when it runs, so
`groom check` in a pre-commit hook does not pay for loading the planning commands.

No ``from __future__ import annotations`` here: typer reads every command's annotations on
every run, and annotations kept as text are evaluated twice over (13 ms a run, measured).
"""

import contextlib
import gc
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from groom import __version__, report, report_diff
from groom.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, GroomError
from groom.workspace import Workspace

app = typer.Typer(
    name="groom",
    help="Backlog refinement for user stories kept as markdown files in git.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

BacklogOption = Annotated[
    Path | None,
    typer.Option("--backlog", help="Backlog folder (default: from groom.toml, else ./backlog).", show_default=False),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", help="groom.toml to use instead of the nearest one above the working folder.", show_default=False
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"groom {__version__}")
        raise typer.Exit()


_GLOBAL: dict[str, Path | None] = {"config": None, "backlog": None}
"""--config and --backlog given before the command (groom --config x list)."""


@app.callback()
def main(
    version: Annotated[  # noqa: ARG001  # handled by its eager callback
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
    use_cache: Annotated[
        bool | None,
        typer.Option(
            "--cache/--no-cache",
            help="Use the warm cache in .groom_cache/ for this run, or read every story file and write "
            "no cache (default: [cache] enabled in groom.toml; unset: on, except in CI).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Backlog refinement for user stories kept as markdown files in git.

    Exit codes: 0 ok, 1 findings, 2 usage, configuration or I/O error, 3 a bug in groom.
    """
    _GLOBAL.update(config=config, backlog=backlog)
    _CACHE["enabled"] = use_cache


_CACHE: dict[str, bool | None] = {"enabled": None}
"""--cache or --no-cache given before the command (groom --cache check); None: the config says."""


_OPEN: list[Workspace] = []
"""Workspaces of this run: their locks are released when the command ends (cli.run)."""


def _workspace(config: Path | None, backlog: Path | None, *, writes: bool = False) -> Workspace:
    """The run's workspace; ``writes`` for a command that may write (the lock is exclusive)."""
    config = config or _GLOBAL["config"]
    backlog = backlog or _GLOBAL["backlog"]
    ws = Workspace.open(Path.cwd(), config, backlog, writes=writes, cache=_CACHE["enabled"])
    _OPEN.append(ws)
    return ws


Result = TypeVar("Result")

UNREADABLE_SHOWN = 10
"""Unreadable files named one per line on stderr before the rest are counted."""


def _format(registry: report.Formats[Any], name: str | None) -> str:
    """The format asked for (the registry's first by default), checked before anything is
    read or written."""
    chosen = name or registry.names[0]
    if chosen not in registry:
        raise GroomError(f"--format {chosen} is not available here; use {' or '.join(registry.names)}")
    return chosen


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    """Control characters from story files (ESC, BEL, CSI…) as visible escapes: a title can
    never drive the terminal. (In JSON output the escape is the same character.)"""
    return _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


READABLE = frozenset({"text", "table"})
"""Formats meant for a person: wrapped and coloured on a terminal (never when piped)."""


def _emit(registry: report.Formats[Result], name: str, result: Result) -> None:
    text = _visible(registry.render(name, result))
    if name in READABLE:
        from groom import terminal

        text = terminal.fit(text, terminal.style_for(sys.stdout))
    sys.stdout.write(text)
    sys.stdout.flush()


def _finish(ws: Workspace) -> None:
    """Name every story file the command could not read, on stderr, and exit 1 if there was one:
    what was printed leaves them out, and nothing that is left out goes unsaid."""
    unreadable = ws.unreadable
    from groom import terminal

    style = terminal.style_for(sys.stderr)
    for item in unreadable[:UNREADABLE_SHOWN]:
        line = _visible(f"{item.display}:{item.line}:{item.column}: cannot be read: {item.message}")
        sys.stderr.write(terminal.fit(line, style) + "\n")
    if len(unreadable) > UNREADABLE_SHOWN:
        sys.stderr.write(
            f"and {len(unreadable) - UNREADABLE_SHOWN} more story files cannot be read; groom check lists them\n"
        )
    raise typer.Exit(EXIT_FINDINGS if unreadable else EXIT_OK)


def _formats(*registries: report.Formats[Any]) -> str:
    names = dict.fromkeys(name for registry in registries for name in registry.names)
    return ", ".join(names) + "."


@app.command(short_help="Check stories: schema, Definition of Ready, integrity.")
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Story files or folders to report on (as pre-commit passes them); "
            "references are still resolved against the whole backlog.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="text, json, github (annotations + text), sarif (code scanning) or junit (test reports).",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Check stories against the schemas, the Definition of Ready and each other.

    Every story is checked against the story schema; stories whose status claims ready or
    later against the Definition of Ready; the whole backlog for duplicate ids, unknown
    depends_on/parent, dependency cycles, duplicate ranks and file names. A file that cannot
    be read is a finding.

    Prints `path:line:col: severity [rule] message` per finding. Exit 0 when there are
    no errors (warnings do not fail), 1 when there are, 2 when the configuration or a
    schema is unusable.
    """
    from groom.commands import read

    chosen = _format(report.CHECK, output)
    result = read.check(_workspace(config, backlog), list(paths or []))
    for hint in result.hints:
        sys.stderr.write(f"groom: hint: {hint}\n")
    _emit(report.CHECK, chosen, result)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@app.command("list", short_help="List stories in backlog order, with readiness.")
def list_(
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="Only stories with this status (give it again for more).", show_default=False),
    ] = None,
    label: Annotated[
        list[str] | None,
        typer.Option("--label", help="Only stories with this label (again for more).", show_default=False),
    ] = None,
    epic: Annotated[str | None, typer.Option("--epic", help="Only stories of this epic.", show_default=False)] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="NAME", help="Only stories this person owns.", show_default=False)
    ] = None,
    ready: Annotated[
        bool | None,
        typer.Option(
            "--ready/--not-ready", help="Only stories that meet (or do not meet) the DoR.", show_default=False
        ),
    ] = None,
    grep: Annotated[
        str | None,
        typer.Option(
            "--grep",
            metavar="TEXT",
            help="Only stories with TEXT in a value, criterion or question.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.LIST), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """List stories in backlog order with whether each meets the Definition of Ready.

    Order is by rank (byte order), ties by id; stories without a rank come last. Columns:
    id, title, status, estimate, value, rank, ready (— for split and dropped stories, which
    the DoR does not judge). Files that cannot be read are named on stderr (exit 1).
    """
    from groom.commands import read

    chosen = _format(report.LIST, output)
    ws = _workspace(config, backlog)
    only = read.Filter(labels=label or [], epic=epic, owner=owner, ready=ready, grep=grep)
    _emit(report.LIST, chosen, read.list_stories(ws, status or [], only))
    _finish(ws)


@app.command(short_help="Show one story and what it lacks to be ready.")
def show(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="The story's id, e.g. S-42.")],
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.SHOW), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Show one story: its fields, dependencies, children and what it lacks to be ready."""
    from groom.commands import read

    chosen = _format(report.SHOW, output)
    ws = _workspace(config, backlog)
    _emit(report.SHOW, chosen, read.show(ws, story_id))
    _finish(ws)


DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")]


@app.command(short_help="Estimate a story, or settle a planning-poker round.")
def estimate(
    story_id: Annotated[
        str | None, typer.Argument(metavar="ID", help="The story to estimate.", show_default=False)
    ] = None,
    points: Annotated[
        str | None, typer.Argument(metavar="POINTS", help="A card of the team's scale, or ?.", show_default=False)
    ] = None,
    votes: Annotated[
        str | None,
        typer.Option("--votes", help="A planning-poker round: 3,5,8 or ana=3,bo=5,cy=8.", show_default=False),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Change a final estimate, or break the DoR of a ready story, anyway.")
    ] = False,
    show_missing: Annotated[bool, typer.Option("--missing", help="List open stories without an estimate.")] = False,
    dry_run: DryRunOption = False,
    output: Annotated[
        str | None,
        typer.Option("--format", help="text or json; table or json with --missing.", show_default=False),
    ] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Record an estimate on the team's scale, settle a planning-poker round, or list what is
    not estimated yet.

    `groom estimate ID POINTS` writes the estimate (one line changes). Values off the scale are
    refused with the scale; stories already planned, in progress or done have final estimates
    and need --force; a ready story whose new estimate would break the DoR is refused (exit 1).

    `groom estimate ID --votes 3,5,5` settles a round: votes on one card or two adjacent cards
    are a consensus at the higher card and are written; a wider spread writes nothing, exits 1
    and names who explains (highest and lowest). A `?` vote means a question or a spike first.

    `groom estimate --missing` lists open stories without an estimate (or with ?) in backlog
    order. The estimate of a split story is history: it is shown, but counted nowhere.
    """
    from groom import estimate as estimate_module
    from groom.commands import estimate as command

    chosen = _format(report.MISSING if show_missing else report.POKER if votes else report.ESTIMATE, output)
    ws = _workspace(config, backlog, writes=not (show_missing or dry_run))
    if show_missing:
        if story_id or points or votes:
            raise GroomError("--missing lists stories; give no ID, POINTS or --votes with it")
        _emit(report.MISSING, chosen, command.missing(ws))
        _finish(ws)
    if story_id is None or (points is None) == (votes is None):
        raise GroomError("give an ID and POINTS (groom estimate S-4 5), an ID and --votes, or --missing")
    if votes is not None:
        poker = command.poker(ws, story_id, votes, force=force, dry_run=dry_run)
        _emit(report.POKER, chosen, poker)
        if poker.estimated is None:
            raise typer.Exit(EXIT_FINDINGS)
    else:
        assert points is not None
        value = estimate_module.parse_points(points, ws.config)
        _emit(report.ESTIMATE, chosen, command.set_estimate(ws, story_id, value, force=force, dry_run=dry_run))
    _finish(ws)  # judging the DoR may have read the whole backlog: name what it could not read


@app.command("set", short_help="Set front matter values of one story.")
def set_(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="The story to change.")],
    assignments: Annotated[
        list[str], typer.Argument(metavar="KEY=VALUE...", help='value=8, labels+=mobile, labels-=web, title="New".')
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Write even if the story would not meet the DoR, or its estimate is final.")
    ] = False,
    dry_run: DryRunOption = False,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.SET), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Set front matter values of one story, one line each, through the guarded writer.

    KEY=VALUE sets a key (typed as YAML reads it: 8 is a number, [a, b] a list; keys the story
    schema types as text stay text), KEY+=ITEM adds an item to a list, KEY-=ITEM removes one; any
    key is allowed. A story that would claim ready (say status=ready) must meet the Definition
    of Ready, and a final estimate is kept, unless --force (exit 1 and exit 2, nothing written).
    """
    from groom.commands import setting as command

    chosen = _format(report.SET, output)
    ws = _workspace(config, backlog, writes=not dry_run)
    _emit(report.SET, chosen, command.set_fields(ws, story_id, assignments, force=force, dry_run=dry_run))
    _finish(ws)


class Order(StrEnum):
    value = "value"
    wsjf = "wsjf"


@app.command(short_help="Move a story, or reorder by value or WSJF.")
def reprioritize(
    story_id: Annotated[str | None, typer.Argument(metavar="ID", help="The story to move.", show_default=False)] = None,
    top: Annotated[bool, typer.Option("--top", help="Move it above every ranked story.")] = False,
    bottom: Annotated[bool, typer.Option("--bottom", help="Move it below every ranked story.")] = False,
    before: Annotated[
        str | None, typer.Option("--before", metavar="OTHER", help="Move it just above OTHER.", show_default=False)
    ] = None,
    after: Annotated[
        str | None, typer.Option("--after", metavar="OTHER", help="Move it just below OTHER.", show_default=False)
    ] = None,
    by: Annotated[
        Order | None, typer.Option("--by", help="Reorder the open backlog by value or WSJF.", show_default=False)
    ] = None,
    rebalance: Annotated[
        bool,
        typer.Option("--rebalance", help="Give every ranked story a short, evenly spread key (rewrites many files)."),
    ] = False,
    dry_run: DryRunOption = False,
    output: Annotated[
        str | None, typer.Option("--format", help="text or json; table or json with --by.", show_default=False)
    ] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Move a story, or reorder the backlog by score, rewriting as few ranks as possible.

    `groom reprioritize ID --top|--bottom|--before OTHER|--after OTHER` rewrites only ID's
    rank. Stories without a rank sort last; to place a story next to one of them, that story
    (and the unranked ones shown before it) get a rank first, and the output says so.

    `groom reprioritize --by value|wsjf` orders the open backlog (not done, split or dropped)
    by score, highest first: value, or WSJF = (value + time_criticality + risk_reduction) /
    estimate. Stories whose inputs are missing are listed and keep their order after the
    scored ones. Only stories that must move get new keys.

    `groom reprioritize --rebalance` spreads short keys evenly over every ranked story.

    A story file that cannot be read stops every write here: its place is unknown.
    """
    from groom import reorder
    from groom.commands import reprioritize as command

    moves = [
        (name, other)
        for name, other, given in (
            ("top", None, top),
            ("bottom", None, bottom),
            ("before", before, before is not None),
            ("after", after, after is not None),
        )
        if given
    ]
    modes = sum(1 for flag in (bool(moves), by is not None, rebalance) if flag)
    if modes != 1 or len(moves) > 1 or bool(moves) != (story_id is not None):
        raise GroomError(
            "give one of: ID --top, ID --bottom, ID --before OTHER, ID --after OTHER, --by value|wsjf, --rebalance"
        )
    registry: report.Formats[Any] = report.REORDER if by else report.REBALANCE if rebalance else report.MOVE
    chosen = _format(registry, output)
    ws = _workspace(config, backlog, writes=not dry_run)
    if by is not None:
        _emit(report.REORDER, chosen, command.by_score(ws, by.value, dry_run=dry_run))
        _finish(ws)
    elif rebalance:
        _emit(report.REBALANCE, chosen, command.rebalance(ws, dry_run=dry_run))
    else:
        assert story_id is not None
        where, other = moves[0]
        _emit(report.MOVE, chosen, command.move(ws, story_id, reorder.Target(where, other), dry_run=dry_run))


@app.command(short_help="Split a story, break out a spike, or get split advice.")
def split(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="The story to split.")],
    into: Annotated[
        list[str] | None,
        typer.Option("--into", metavar="TITLE", help="A child's title; give it once per child.", show_default=False),
    ] = None,
    by_criteria: Annotated[
        bool, typer.Option("--by-criteria", help="One child per acceptance criterion (or per --group).")
    ] = False,
    group: Annotated[
        list[str] | None,
        typer.Option(
            "--group", metavar="1,2", help="With --by-criteria: criteria that go to one child.", show_default=False
        ),
    ] = None,
    spike: Annotated[
        str | None,
        typer.Option(
            "--spike",
            metavar="TITLE",
            help="Add a spike the story depends on, ranked just above it.",
            show_default=False,
        ),
    ] = None,
    timebox: Annotated[
        str | None, typer.Option("--timebox", help="The spike's timebox (4h, 2d, 1w; default 2d).", show_default=False)
    ] = None,
    show_suggestions: Annotated[
        bool, typer.Option("--suggest", help="Name the splitting patterns that fit; write nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Split a story that is in a sprint (it leaves the sprint).")
    ] = False,
    dry_run: DryRunOption = False,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.SPLIT), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Split a story into children, break out a spike, or get splitting advice.

    `groom split ID --into TITLE --into TITLE`: one child per title (status: the new-story
    role), with a new id, `parent: ID`, the parent's type, epic, labels, value, WSJF inputs and
    depends_on, the parent's persona in its narrative, no estimate, and ranks right where the
    parent stood. The parent gets the split role's status and lists its `children`; its
    estimate stays as history.

    `--by-criteria`: one child per acceptance criterion (or per `--group 1,2 --group 3`, which
    must place every criterion), each carrying its criteria; `--into` may name them.

    `--spike TITLE [--timebox 2d]`: a spike the story now depends on, ranked just above it,
    with the story's open questions as its criteria.

    `--suggest`: the splitting patterns that fit, and why. All files are written or none.
    """
    from groom import split as split_module
    from groom.commands import split as command

    modes = sum(
        1 for flag in (bool(into) and not by_criteria, by_criteria, spike is not None, show_suggestions) if flag
    )
    if modes != 1 or (group and not by_criteria) or (timebox is not None and spike is None):
        raise GroomError(
            "give one of: --into TITLE (twice or more), --by-criteria [--group 1,2], --spike TITLE [--timebox 2d], "
            "--suggest"
        )
    chosen = _format(report.SUGGEST if show_suggestions else report.SPLIT, output)
    ws = _workspace(config, backlog, writes=not (show_suggestions or dry_run))
    if show_suggestions:
        _emit(report.SUGGEST, chosen, command.suggest(ws, story_id))
        return
    result = command.split_story(
        ws,
        story_id,
        into=into or [],
        by_criteria=by_criteria,
        groups=group or [],
        spike=spike,
        timebox=timebox or split_module.DEFAULT_TIMEBOX,
        force=force,
        dry_run=dry_run,
    )
    _emit(report.SPLIT, chosen, result)


@app.command(short_help="Create a story with the next free id.")
def new(
    title: Annotated[str, typer.Argument(help="The story's title.")],
    story_type: Annotated[str, typer.Option("--type", help="story, spike, bug or chore (groom.toml: types).")] = (
        "story"
    ),
    top: Annotated[bool, typer.Option("--top", help="Rank it above every ranked story.")] = False,
    after: Annotated[
        str | None, typer.Option("--after", metavar="ID", help="Rank it just below ID.", show_default=False)
    ] = None,
    dry_run: DryRunOption = False,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.NEW), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Create a story from the template with the next free id and the new-story status.

    The id is above every id in the working tree and on every local and remote-tracking
    branch, so stories created on two branches do not collide in the usual case. The file is
    the id plus a short slug of the title; the story goes to the bottom of the ranked stories
    unless --top or --after ID.
    """
    from groom.commands import split as command

    chosen = _format(report.NEW, output)
    ws = _workspace(config, backlog, writes=not dry_run)
    _emit(report.NEW, chosen, command.new(ws, title, story_type, top=top, after=after, dry_run=dry_run))


@app.command(short_help="Give a story a fresh id and update every reference.")
def renumber(
    target: Annotated[str, typer.Argument(metavar="ID|FILE", help="The story's id, or its file when two share it.")],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="NEW_ID", help="The new id (default: the next free one).", show_default=False),
    ] = None,
    dry_run: DryRunOption = False,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.RENUMBER), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Give a story a fresh id, rename its file, and update every reference to it.

    For the duplicate ids a merge can bring, name the file to renumber. References to an id
    that two files share cannot tell which story they mean: groom updates the parent of the
    renumbered story's own children and lists the other references for you to check. All files
    are written or none.
    """
    from groom.commands import split as command

    chosen = _format(report.RENUMBER, output)
    ws = _workspace(config, backlog, writes=not dry_run)
    _emit(report.RENUMBER, chosen, command.renumber(ws, target, to, dry_run=dry_run))


class Fill(StrEnum):
    skip = "skip"
    strict = "strict"


@app.command("sprint-candidates", short_help="What fits the next sprint, and why the rest does not.")
def sprint_candidates(
    capacity: Annotated[
        float | None,
        typer.Option(
            "--capacity",
            metavar="N",
            help="Points the team can take (default: groom.toml, else the mean velocity of the last three sprints).",
            show_default=False,
        ),
    ] = None,
    fill: Annotated[
        Fill | None,
        typer.Option(
            "--fill",
            help="skip: look for smaller stories below one that does not fit; strict: stop "
            "there (default: groom.toml, else skip).",
            show_default=False,
        ),
    ] = None,
    sprints: Annotated[
        int | None,
        typer.Option(
            "--sprints",
            metavar="K",
            help="Also forecast the next K sprints, 1 to 26 (Monte Carlo).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Random seed of the Monte Carlo readings (default 42).", show_default=False),
    ] = None,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.SPRINT), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """What fits the next sprint, in backlog order, and why the rest above the cut does not.

    A story is a candidate when its status is ready, it meets the DoR, every dependency is done
    or selected above it, and it fits the capacity left. Every story left out above the cut is
    listed with all its reasons. With three or more past sprints, the share of past velocities
    that would have covered the total says how likely the set is to be finished. Split and
    dropped stories are never work. Story files that cannot be read are named in every format
    and on stderr (exit 1): the plan cannot account for them.
    """
    from groom import sprint
    from groom.commands import sprint as command

    chosen = _format(report.SPRINT, output)
    ws = _workspace(config, backlog)
    if sprints is not None and not 1 <= sprints <= sprint.MAX_SPRINTS:
        raise GroomError(f"--sprints {sprints}: forecast 1 to {sprint.MAX_SPRINTS} sprints")
    result = command.candidates(
        ws, capacity, fill.value if fill else None, sprints or 0, sprint.DEFAULT_SEED if seed is None else seed
    )
    _emit(report.SPRINT, chosen, result)
    _finish(ws)


CapacityOption = Annotated[
    float | None,
    typer.Option(
        "--capacity",
        metavar="N",
        help="Points the team can take (default: groom.toml, else the mean velocity of the last three sprints).",
        show_default=False,
    ),
]
FillOption = Annotated[
    Fill | None,
    typer.Option(
        "--fill",
        help="skip: look for smaller stories below one that does not fit; strict: stop there (default: groom.toml, "
        "else skip).",
        show_default=False,
    ),
]


@app.command(short_help="Commit the sprint candidates to a sprint.")
def plan(
    sprint_name: Annotated[str, typer.Argument(metavar="SPRINT", help="The sprint, e.g. 2026-24.")],
    capacity: CapacityOption = None,
    fill: FillOption = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude", metavar="ID", help="A story the team leaves out; the rest refill.", show_default=False
        ),
    ] = None,
    add: Annotated[bool, typer.Option("--add", help="Add to a sprint that already holds stories.")] = False,
    dry_run: DryRunOption = False,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.PLAN), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Commit this run's sprint candidates to SPRINT: each gets the planned role's status and
    `sprint: SPRINT` (one line each), all files or none; their estimates are final from then on.

    The candidates are exactly those `groom sprint-candidates` shows with the same options;
    --exclude ID leaves a story out and refills. A sprint that already holds stories needs --add.
    """
    from groom.commands import sprint as command

    chosen = _format(report.PLAN, output)
    ws = _workspace(config, backlog, writes=not dry_run)
    result = command.plan(
        ws, sprint_name, capacity, fill.value if fill else None, exclude or [], add=add, dry_run=dry_run
    )
    _emit(report.PLAN, chosen, result)


@app.command(short_help="End a sprint: unfinished stories move on.")
def close(
    sprint_name: Annotated[str, typer.Argument(metavar="SPRINT", help="The sprint to close.")],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="NEXT", help="Unfinished stories go to this sprint.", show_default=False),
    ] = None,
    to_backlog: Annotated[
        bool, typer.Option("--to-backlog", help="Unfinished stories go back to the top of the ready stories.")
    ] = False,
    dry_run: DryRunOption = False,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.CLOSE), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """End SPRINT: done stories keep `sprint: SPRINT` (that is the velocity history); every other
    story of the sprint goes to the next sprint (--to NEXT), or back to the backlog role's status
    (`status.backlog`, default ready) at the top of the ready stories (--to-backlog), its
    estimate kept. Prints the sprint's committed and done points. All files or none.
    """
    from groom.commands import sprint as command

    if (to is None) == (not to_backlog):
        raise GroomError("give --to NEXT or --to-backlog")
    chosen = _format(report.CLOSE, output)
    ws = _workspace(config, backlog, writes=not dry_run)
    _emit(report.CLOSE, chosen, command.close(ws, sprint_name, to, dry_run=dry_run))


@app.command(short_help="Points done per sprint, and what was committed.")
def velocity(
    last: Annotated[
        int | None, typer.Option("--last", metavar="K", help="Only the last K sprints.", min=1, show_default=False)
    ] = None,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.VELOCITY), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Per sprint, oldest first: stories and points done, and the points committed (every story
    that was ever in the sprint, from the files' git history; unknown outside git); then the
    mean of the last three sprints. A closed sprint that finished nothing is known from git
    history only, and counts here as 0.
    """
    from groom.commands import sprint as command

    chosen = _format(report.VELOCITY, output)
    ws = _workspace(config, backlog)
    _emit(report.VELOCITY, chosen, command.velocity(ws, last))
    _finish(ws)


@app.command(short_help="Open questions by owner.")
def actions(
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", metavar="NAME", help="Only this owner's questions (@name or name).", show_default=False
        ),
    ] = None,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.ACTIONS), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Open questions across the backlog, grouped by owner, highest-ranked story first.

    A question is an unticked list item under a heading with "Question" in it (an owner is
    `@name` at its start), or an item of a `questions:` list in front matter.
    """
    from groom.commands import refine as command

    chosen = _format(report.ACTIONS, output)
    ws = _workspace(config, backlog)
    _emit(report.ACTIONS, chosen, command.actions(ws, owner))
    _finish(ws)


@app.command(short_help="The agenda of the next refinement meeting.")
def refine(
    top: Annotated[
        int | None,
        typer.Option(
            "--top", metavar="N", help="How many stories to put on the agenda (default 10).", min=1, show_default=False
        ),
    ] = None,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.AGENDA), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """The agenda of the next refinement meeting.

    The N highest-ranked open stories that are not ready, each with what it lacks, its open
    questions, and split advice when it is too big or estimated `?`; then how much ready work
    there is, in points and in sprints of velocity.
    """
    from groom import refine as refine_module
    from groom.commands import refine as command

    chosen = _format(report.AGENDA, output)
    ws = _workspace(config, backlog)
    _emit(report.AGENDA, chosen, command.agenda(ws, refine_module.DEFAULT_TOP if top is None else top))
    _finish(ws)


@app.command(short_help="What changed in the backlog between two versions, read from git.")
def diff(
    base: Annotated[
        str | None,
        typer.Argument(
            metavar="BASE",
            help="The version to compare from: a branch, tag or commit (default: the merge base of HEAD with "
            "the default branch: origin/HEAD, else main, else master).",
            show_default=False,
        ),
    ] = None,
    head: Annotated[
        str | None,
        typer.Argument(
            metavar="HEAD",
            help="The version to compare to (default: the working tree: uncommitted edits and new files git does not "
            "ignore included).",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            metavar="N",
            help="Report what entered or left the top N open stories (default 10).",
            min=1,
            show_default=False,
        ),
    ] = None,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report_diff.DIFF), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """What a refinement changed, as the team reads it: stories added, dropped, split,
    renumbered, renamed and removed; estimates and values; status changes and stories that now
    meet or no longer meet the DoR (with the gaps); moves among the open stories ("9th → 1st"),
    the top N and the sprint candidates at the current capacity; questions opened and answered;
    open points, ready points and ready runway before → after.

    Each version is read from git objects with its own groom.toml and schemas (no checkout).
    --format markdown is for a pull request comment or a CI job summary. Story files that
    cannot be read on either side are listed, and on stderr (exit 1).
    """
    from groom import changes
    from groom.commands import diff as command

    formats = report_diff.DIFF
    chosen = _format(formats, output)
    config = config or _GLOBAL["config"]
    backlog = backlog or _GLOBAL["backlog"]
    ws = _workspace(config, backlog) if head is None else None
    result = command.diff(
        Path.cwd(),
        base,
        head,
        ws,
        top=changes.DEFAULT_TOP if top is None else top,
        config_file=config,
        backlog=backlog,
    )
    _emit(formats, chosen, result)
    from groom import terminal

    style = terminal.style_for(sys.stderr)
    for side, item in result.unreadable[:UNREADABLE_SHOWN]:
        line = _visible(f"{item.display}:{item.line}:{item.column}: cannot be read ({side}): {item.message}")
        sys.stderr.write(terminal.fit(line, style) + "\n")
    if len(result.unreadable) > UNREADABLE_SHOWN:
        sys.stderr.write(f"and {len(result.unreadable) - UNREADABLE_SHOWN} more story files cannot be read\n")
    raise typer.Exit(EXIT_FINDINGS if result.unreadable else EXIT_OK)


@app.command(short_help="Open stories nobody has touched in N days.")
def stale(
    days: Annotated[
        int | None,
        typer.Option(
            "--days", metavar="N", help="Not changed in this many days (default 180).", min=0, show_default=False
        ),
    ] = None,
    drop: Annotated[bool, typer.Option("--drop", help="Give them the dropped status, all files or none.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="With --drop: do not ask (needed off a terminal).")] = False,
    dry_run: DryRunOption = False,
    output: Annotated[str | None, typer.Option("--format", help=_formats(report.STALE), show_default=False)] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Open stories not yet in a sprint whose file has not changed in N days, oldest first,
    with who changed it last.

    Dates come from git history, read in one pass; a commit that only changed a story's rank
    (a reorder) does not count as a change. Outside a git repository groom says so and uses the
    files' modification times. --drop shows the stories and asks before giving them the dropped
    role's status in one all-or-nothing write; --yes skips the question (and is needed when
    standard input is not a terminal); --dry-run only shows them.
    """
    from groom import refine as refine_module
    from groom.commands import refine as command

    chosen = _format(report.STALE, output)
    ws = _workspace(config, backlog, writes=drop and not dry_run)
    limit = refine_module.DEFAULT_STALE_DAYS if days is None else days
    if drop and not dry_run and not yes:
        preview = command.stale(ws, limit, drop=True, dry_run=True)
        count = len(preview.report.stories)
        if count and not sys.stdin.isatty():
            raise GroomError(
                f"--drop would give {count} stor{'y' if count == 1 else 'ies'} the status {preview.dropped}; "
                "see them with --dry-run, then add --yes to drop them"
            )
        if count:
            sys.stdout.write(report.STALE.render("table", preview))
            if not typer.confirm(f"Drop {'it' if count == 1 else f'these {count}'}?", default=False):
                raise GroomError("nothing was dropped")
    _emit(report.STALE, chosen, command.stale(ws, limit, drop=drop, dry_run=dry_run))
    _finish(ws)


@app.command(short_help="Start a backlog: groom.toml, schemas, a first story.")
def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Where to start (default: here).")] = Path("."),
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="TOOL",
            help="Adopt an existing backlog as it is: backlog-md (reads backlog/config.yml; writes groom.toml "
            "and schemas only, no task is touched).",
        ),
    ] = None,
) -> None:
    """Start a groom backlog: groom.toml with the defaults written out, the default schemas to
    edit, a backlog/ with one example story; prints a pre-commit hook and a CI step.

    With --from backlog-md, groom reads a Backlog.md repository where it is: field names,
    statuses, id prefix and board order come from Backlog.md's conventions and config.yml.

    Writes nothing over an existing file. `groom check` passes right after a plain init.
    """
    from groom import init as init_module

    root = folder if folder.is_absolute() else Path.cwd() / folder
    created = init_module.init(root) if source is None else init_module.init_from(root, source)
    sys.stdout.write(report.init_text(created))


@app.command("report", short_help="The backlog as a page: readiness, velocity, forecast, epics.")
def report_(
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Where to write it; - for standard output (default: report.html, report.md for markdown, "
            "standard output for json).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="html (one self-contained page), markdown (GitHub-flavoured, mermaid charts) or json (the model).",
            show_default=False,
        ),
    ] = None,
    sprints: Annotated[
        int | None,
        typer.Option("--sprints", metavar="K", help="Sprints to forecast, 1 to 26 (default 6).", show_default=False),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Random seed of the Monte Carlo forecast (default 42).", show_default=False),
    ] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """The backlog as a page to look at before sprint planning or in the refinement meeting.

    Headline figures, the ordered open backlog with the sprint-candidate cut, a velocity chart,
    a Monte Carlo forecast (burn-up with the 50 %–85 % band; when the top stories and every open
    epic are done), points per epic, the refinement agenda and the open questions by owner: the
    numbers of sprint-candidates, velocity, refine and actions. HTML is one file that loads
    nothing from anywhere; markdown suits a pull request or $GITHUB_STEP_SUMMARY. Story files
    that cannot be read come first, in red, and on stderr (exit 1).
    """
    from groom import page, reportmodel, sprint
    from groom.commands import report as command

    chosen = _format(page.PAGE, output)
    count = reportmodel.DEFAULT_SPRINTS if sprints is None else sprints
    if not 1 <= count <= sprint.MAX_SPRINTS:
        raise GroomError(f"--sprints {count}: forecast 1 to {sprint.MAX_SPRINTS} sprints")
    ws = _workspace(config, backlog)
    where = command.target(ws, out or page.DEFAULT_OUT[chosen])
    result = command.build(ws, count, sprint.DEFAULT_SEED if seed is None else seed)
    text = page.PAGE.render(chosen, result)
    if chosen == "json":
        text = _visible(text)  # as every command's JSON: control characters as escapes
    command.write(where, text)
    if where is not None:
        shown = out or page.DEFAULT_OUT[chosen]
        count = result.headline.open_stories
        stories = "open story" if count == 1 else "open stories"
        sys.stdout.write(f"{shown}: {count:,} {stories}, {len(text.encode()) / 1024:,.0f} KB\n")
    _finish(ws)


cache_app = typer.Typer(
    name="cache",
    help="The warm cache of what groom read (.groom_cache/ beside groom.toml, or $GROOM_CACHE_DIR).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(cache_app, name="cache", short_help="The warm cache: groom cache clear.")


@cache_app.command("clear", short_help="Remove the warm cache files of this backlog's configuration.")
def cache_clear(
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Remove the warm cache (the .groom_cache folder beside groom.toml, or $GROOM_CACHE_DIR).

    The next run reads every story file again and writes a fresh cache. Nothing else is touched.
    """
    from groom import cache
    from groom import config as config_module
    from groom.backlog import display_path

    chosen = config_module.load(Path.cwd(), config or _GLOBAL["config"], backlog or _GLOBAL["backlog"])
    where, removed = cache.clear(chosen)
    shown = display_path(where, Path.cwd())
    sys.stdout.write(f"removed {removed} cache file{'s' if removed != 1 else ''} from {shown}\n")


def run() -> None:
    """Entry point: every GroomError becomes one line on stderr and its exit code; anything else
    is a bug (exit 3).

    The cyclic garbage collector is off for the run: groom runs one command and exits, what it
    drops holds no cycles worth collecting (the same peak memory with it on, at 10,000 and
    100,000 stories), and the collector would only rescan the backlog again and again (a
    seventh of a check of 100,000 stories without the cache)."""
    code: int | None = None
    collecting = gc.isenabled()
    gc.disable()
    try:
        _run()
        code = EXIT_OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_OK if exc.code is None else EXIT_USAGE
        raise
    finally:
        detached = False
        while _OPEN:
            ws = _OPEN.pop()
            for line in ws.recovered:  # an interrupted write this run finished or cleaned up
                sys.stderr.write(f"groom: {line}\n")
            detached = ws.close(code in (EXIT_OK, EXIT_FINDINGS)) or detached
        if detached and code is not None:
            # The cache's writer shares this process's memory pages until either writes them:
            # tearing down a backlog's objects would copy every page (measured: +0.05 s of
            # system time at 10,000 stories). Everything this run writes is written by now.
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):  # a reader that went away
                    stream.flush()
            os._exit(code)
        if collecting:
            gc.enable()


def _run() -> None:
    # typer (< 0.29, pinned) vendors click; its usage errors are caught here to say them in one
    # line instead of click's four.
    from typer._click.exceptions import NoArgsIsHelpError, UsageError

    try:
        code = app(standalone_mode=False)
        if code == EXIT_INTERRUPTED:  # typer turns an interrupt inside a command into this code
            sys.stderr.write("groom: interrupted\n")
        if isinstance(code, int) and code:
            sys.exit(code)
    except NoArgsIsHelpError as exc:
        if exc.ctx is not None:
            sys.stdout.write(exc.ctx.get_help() + "\n")
    except UsageError as exc:
        command = exc.ctx.command_path if exc.ctx is not None else "groom"
        sys.stderr.write(_visible(f"groom: error: {exc.format_message()} (see {command} --help)") + "\n")
        sys.exit(EXIT_USAGE)
    except typer.Abort:
        sys.stderr.write("groom: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except GroomError as exc:
        sys.stderr.write(_visible(f"groom: error: {exc}") + "\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("groom: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as exc:  # a bug: still one line, never a traceback for the user
        sys.stderr.write(
            f"groom: internal error: {type(exc).__name__}: {exc}; this is a bug in groom, "
            "please report it with the command you ran\n"
        )
        sys.exit(EXIT_INTERNAL)
