"""The command line: parse options, call one core function, pick a reporter, exit.

Exit codes: 0 ok, 1 findings, 2 usage, configuration, I/O or internal error. Errors are one
line on stderr; a traceback is a bug.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from groom import __version__, report, workspace
from groom.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, GroomError

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

    Exit codes: 0 ok, 1 findings, 2 usage, configuration or I/O error.
    """


def _workspace(config: Path | None, backlog: Path | None) -> workspace.Workspace:
    return workspace.Workspace.open(Path.cwd(), config, backlog)


def _emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


@app.command()
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Story files or folders to report on (as pre-commit passes them); "
            "references are still resolved against the whole backlog.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[CheckFormat, typer.Option("--format", help="text, json, or github (annotations + text).")] = (
        CheckFormat.text
    ),
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


@app.command("list")
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


@app.command()
def show(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="The story's id, e.g. S-42.")],
    output: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = ShowFormat.text,
    config: ConfigOption = None,
    backlog: BacklogOption = None,
) -> None:
    """Show one story: its fields, dependencies, children and what it lacks to be ready."""
    view = workspace.show(_workspace(config, backlog), story_id)
    _emit(report.SHOW_FORMATS[output.value](view))


def run() -> None:
    """Entry point: turns every GroomError into one line on stderr and exit code 2."""
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
        sys.stderr.write(f"groom: internal error: {type(exc).__name__}: {exc}; please report it\n")
        sys.exit(EXIT_USAGE)
