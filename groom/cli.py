"""The command line: parse options, call one core function, pick a reporter, exit.

Exit codes: 0 ok, 1 findings, 2 usage, configuration or I/O error, 3 a bug in groom. Errors
are one line on stderr, never a traceback. Each command imports its own module when it runs, so
`groom check` in a pre-commit hook does not pay for loading the planning commands.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from groom import __version__, report, workspace
from groom.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, GroomError

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


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"groom {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Backlog refinement for user stories kept as markdown files in git.

    Exit codes: 0 ok, 1 findings, 2 usage, configuration or I/O error, 3 a bug in groom.
    """


def _workspace(config: Path | None, backlog: Path | None) -> workspace.Workspace:
    return workspace.Workspace.open(Path.cwd(), config, backlog)


def _emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


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
        CheckFormat,
        typer.Option(
            "--format", help="text, json, github (annotations + text), sarif (code scanning) or junit (test reports)."
        ),
    ] = (CheckFormat.text),
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Check stories against the schemas, the Definition of Ready and each other.

    Every story is checked against the story schema; stories whose status claims ready or
    later against the Definition of Ready; the whole backlog for duplicate ids, unknown
    depends_on/parent, dependency cycles, duplicate ranks and file names.

    Prints `path:line:col: severity [rule] message` per finding. Exit 0 when there are
    no errors (warnings do not fail), 1 when there are, 2 when the configuration or a
    schema is unusable.
    """
    result = workspace.check(_workspace(config, backlog), list(paths or []))
    _emit(report.CHECK_FORMATS[output.value](result))
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@app.command("list", short_help="List stories in backlog order, with readiness.")
def list_(
    status: Annotated[
        str | None, typer.Option("--status", help="Only stories with this status.", show_default=False)
    ] = None,
    output: Annotated[ListFormat, typer.Option("--format", help="table or json.")] = ListFormat.table,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """List stories in backlog order with whether each meets the Definition of Ready.

    Order is by rank (byte order), ties by id; stories without a rank come last. Columns:
    id, title, status, estimate, value, rank, ready.
    """
    ws = _workspace(config, backlog)
    if status is not None and status not in ws.config.statuses:
        raise GroomError(f"unknown status {status!r}; use one of: {', '.join(ws.config.statuses)}")
    rows = workspace.list_stories(ws, status)
    _emit(report.LIST_FORMATS[output.value](rows))


@app.command(short_help="Show one story and what it lacks to be ready.")
def show(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="The story's id, e.g. S-42.")],
    output: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = ShowFormat.text,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Show one story: its fields, dependencies, children and what it lacks to be ready."""
    view = workspace.show(_workspace(config, backlog), story_id)
    _emit(report.SHOW_FORMATS[output.value](view))


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
    output: Annotated[ListFormat, typer.Option("--format", help="table or json (with --missing).")] = ListFormat.table,
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

    ws = _workspace(config, backlog)
    if show_missing:
        if story_id or points or votes:
            raise GroomError("--missing lists stories; give no ID, POINTS or --votes with it")
        _emit(report.MISSING_FORMATS[output.value](estimate_module.missing(ws)))
        return
    if story_id is None or (points is None) == (votes is None):
        raise GroomError("give an ID and POINTS (groom estimate S-4 5), an ID and --votes, or --missing")
    if votes is not None:
        poker = estimate_module.play(estimate_module.parse_votes(votes, ws.config), ws.config)
        _emit(f"{story_id}: {poker.explanation}\n")
        if poker.consensus is None:
            raise typer.Exit(EXIT_FINDINGS)
        change = estimate_module.set_estimate(ws, story_id, poker.consensus, force=force)
    else:
        assert points is not None
        change = estimate_module.set_estimate(
            ws, story_id, estimate_module.parse_points(points, ws.config), force=force
        )
    _emit(report.estimate_change(change))


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
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    output: Annotated[ListFormat, typer.Option("--format", help="table or json.")] = ListFormat.table,
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
    """
    from groom import reorder

    ws = _workspace(config, backlog)
    moves = sum(1 for flag in (top, bottom, before is not None, after is not None) if flag)
    modes = sum(1 for flag in (moves > 0, by is not None, rebalance) if flag)
    if modes != 1 or moves > 1 or (moves == 1) != (story_id is not None):
        raise GroomError(
            "give one of: ID --top, ID --bottom, ID --before OTHER, ID --after OTHER, --by value|wsjf, --rebalance"
        )
    if by is not None:
        result = reorder.by_score(ws, by.value)
        written = 0 if dry_run else reorder.write(result.rewrites)
        _emit(report.REORDER_FORMATS[output.value](result, dry_run, written))
    elif rebalance:
        rewrites = reorder.rebalance(ws)
        written = 0 if dry_run else reorder.write(rewrites)
        _emit(report.rebalance_text(rewrites, dry_run, written))
    else:
        assert story_id is not None
        moved = reorder.move(ws, story_id, top=top, bottom=bottom, before=before, after=after)
        written = 0 if dry_run else reorder.write(moved.rewrites)
        _emit(report.move_text(moved, dry_run, written))


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
    timebox: Annotated[str, typer.Option("--timebox", help="The spike's timebox (4h, 2d, 1w).")] = "2d",
    show_suggestions: Annotated[
        bool, typer.Option("--suggest", help="Name the splitting patterns that fit; write nothing.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the new stories; write nothing.")] = False,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Split a story into children, break out a spike, or get splitting advice.

    `groom split ID --into TITLE --into TITLE`: one draft child per title, with a new id,
    `parent: ID`, the parent's type, epic, labels, value, WSJF inputs and depends_on, the
    parent's persona in its narrative, no estimate, and ranks right where the parent stood.
    The parent becomes `split` and lists its `children`; its estimate stays as history.

    `--by-criteria`: one child per acceptance criterion (or per `--group 1,2 --group 3`),
    each carrying its criteria; `--into` may name them.

    `--spike TITLE [--timebox 2d]`: a spike the story now depends on, ranked just above it,
    with the story's open questions as its criteria.

    `--suggest`: the splitting patterns that fit, and why. All files are written or none.
    """
    from groom import split as split_module

    ws = _workspace(config, backlog)
    chosen = sum(
        1 for flag in (bool(into) and not by_criteria, by_criteria, spike is not None, show_suggestions) if flag
    )
    if chosen != 1 or (group and not by_criteria):
        raise GroomError(
            "give one of: --into TITLE (twice or more), --by-criteria [--group 1,2], --spike TITLE, --suggest"
        )
    if show_suggestions:
        _emit(report.suggestions_text(*split_module.suggest(ws, story_id)))
        return
    if spike is not None:
        plan = split_module.plan_spike(ws, story_id, spike, timebox)
    elif by_criteria:
        plan = split_module.plan_by_criteria(ws, story_id, group or [], into or [])
    else:
        plan = split_module.plan_into(ws, story_id, into or [])
    written = 0 if dry_run else split_module.write(plan)
    _emit(report.split_text(plan, dry_run, written))


@app.command(short_help="Create a draft story with the next free id.")
def new(
    title: Annotated[str, typer.Argument(help="The story's title.")],
    story_type: Annotated[str, typer.Option("--type", help="story, spike, bug or chore (groom.toml: types).")] = (
        "story"
    ),
    top: Annotated[bool, typer.Option("--top", help="Rank it above every ranked story.")] = False,
    after: Annotated[
        str | None, typer.Option("--after", metavar="ID", help="Rank it just below ID.", show_default=False)
    ] = None,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Create a draft story from the template with the next free id.

    The id is above every id in the working tree and on every local and remote-tracking
    branch, so stories created on two branches do not collide in the usual case. The file is
    the id plus a short slug of the title; the story goes to the bottom of the ranked stories
    unless --top or --after ID.
    """
    from groom import split as split_module

    if top and after is not None:
        raise GroomError("give --top or --after ID, not both")
    ws = _workspace(config, backlog)
    story = split_module.plan_new(ws, title, story_type, top=top, after=after)
    split_module.create(ws, story)
    _emit(f'{story.id}: created {story.path} (rank "{story.fields["rank"]}", status {story.fields["status"]})\n')


@app.command(short_help="Give a story a fresh id and update every reference.")
def renumber(
    target: Annotated[str, typer.Argument(metavar="ID|FILE", help="The story's id, or its file when two share it.")],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="NEW_ID", help="The new id (default: the next free one).", show_default=False),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Give a story a fresh id, rename its file, and update every reference to it.

    For the duplicate ids a merge can bring, name the file to renumber. References to an id
    that two files share cannot tell which story they mean: groom updates the parent of the
    renumbered story's own children and lists the other references for you to check. All files
    are written or none.
    """
    from groom import split as split_module

    ws = _workspace(config, backlog)
    plan = split_module.plan_renumber(ws, target, to)
    written = 0 if dry_run else split_module.write_renumber(ws, plan)
    _emit(report.renumber_text(plan, dry_run, written))


class SprintFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"


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
            min=0,
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
        int, typer.Option("--sprints", metavar="K", help="Also forecast the next K sprints (Monte Carlo).", min=0)
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the Monte Carlo readings.")] = 42,
    output: Annotated[SprintFormat, typer.Option("--format", help="table, markdown, json or csv.")] = (
        SprintFormat.table
    ),
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """What fits the next sprint, in backlog order, and why the rest above the cut does not.

    A story is a candidate when its status is ready, it meets the DoR, every dependency is done
    or selected above it, and it fits the capacity left. Every story left out above the cut is
    listed with all its reasons. With three or more past sprints, the share of past velocities
    that would have covered the total says how likely the set is to be finished. Split and
    dropped stories are never work.
    """
    from groom import sprint as sprint_module

    ws = _workspace(config, backlog)
    result = sprint_module.plan(ws, capacity, fill.value if fill else None, sprints, seed)
    _emit(report.SPRINT_FORMATS[output.value](result))


AGENDA_TOP = 10
STALE_DAYS = 180


class AgendaFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


@app.command(short_help="Open questions by owner.")
def actions(
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", metavar="NAME", help="Only this owner's questions (@name or name).", show_default=False
        ),
    ] = None,
    output: Annotated[ListFormat, typer.Option("--format", help="table or json.")] = ListFormat.table,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Open questions across the backlog, grouped by owner, highest-ranked story first.

    A question is an unticked list item under a heading with "Question" in it (an owner is
    `@name` at its start), or an item of a `questions:` list in front matter.
    """
    from groom import refine as refine_module

    groups = refine_module.actions(_workspace(config, backlog), owner)
    _emit(report.ACTIONS_FORMATS[output.value](groups))


@app.command(short_help="The agenda of the next refinement meeting.")
def refine(
    top: Annotated[int, typer.Option("--top", metavar="N", help="How many stories to put on the agenda.", min=1)] = (
        AGENDA_TOP
    ),
    output: Annotated[AgendaFormat, typer.Option("--format", help="table, markdown or json.")] = AgendaFormat.table,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """The agenda of the next refinement meeting.

    The N highest-ranked open stories that are not ready, each with what it lacks, its open
    questions, and split advice when it is too big or estimated `?`; then how much ready work
    there is, in points and in sprints of velocity.
    """
    from groom import refine as refine_module

    result = refine_module.agenda(_workspace(config, backlog), top)
    _emit(report.AGENDA_FORMATS[output.value](result))


@app.command(short_help="Open stories nobody has touched in N days.")
def stale(
    days: Annotated[int, typer.Option("--days", metavar="N", help="Not changed in this many days.", min=0)] = (
        STALE_DAYS
    ),
    drop: Annotated[bool, typer.Option("--drop", help="Mark them dropped, all files or none.")] = False,
    output: Annotated[ListFormat, typer.Option("--format", help="table or json.")] = ListFormat.table,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Open stories whose file has not changed in N days, oldest first, with who changed it last.

    Dates come from git history, read in one pass; outside a git repository groom says so and
    uses the files' modification times. --drop marks them `dropped` in one all-or-nothing write.
    """
    from groom import refine as refine_module

    ws = _workspace(config, backlog)
    result = refine_module.staleness(ws, days)
    written = workspace.write_fields(refine_module.drop_plan(ws, result.stories)) if drop else 0
    _emit(report.STALE_FORMATS[output.value](result, drop, written))


@app.command(short_help="Start a backlog: groom.toml, schemas, a first story.")
def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Where to start (default: here).")] = Path("."),
) -> None:
    """Start a groom backlog: groom.toml with the defaults written out, the default schemas to
    edit, a backlog/ with one example story; prints a pre-commit hook and a CI step.

    Writes nothing over an existing file. `groom check` passes right after.
    """
    from groom import init as init_module

    created = init_module.init(folder if folder.is_absolute() else Path.cwd() / folder)
    _emit(report.init_text(created))


def run() -> None:
    """Entry point: every GroomError becomes one line on stderr and its exit code; anything else
    is a bug (exit 3)."""
    try:
        app()
    except GroomError as exc:
        sys.stderr.write(f"groom: error: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("groom: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as exc:  # a bug: still one line, never a traceback for the user
        sys.stderr.write(
            f"groom: internal error: {type(exc).__name__}: {exc}; this is a bug in groom, "
            "please report it with the command you ran\n"
        )
        sys.exit(EXIT_INTERNAL)
