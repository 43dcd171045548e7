"""One run's view of the repository: configuration, the loaded backlog and the schemas.

Commands open a Workspace and hand it to a core function; schemas are built on first use
so commands that do not judge readiness never import jsonschema.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from groom import backlog as backlog_module
from groom import config as config_module
from groom import ready as ready_module
from groom import schemas as schemas_module
from groom import storyfile, yamlio
from groom.backlog import Backlog, Story
from groom.config import Config
from groom.errors import ConfigError, WriteConflict
from groom.findings import Finding


class Workspace:
    """Configuration plus whatever a command reads, each read at most once."""

    def __init__(self, cwd: Path, config: Config) -> None:
        self.cwd = cwd
        self.config = config

    @classmethod
    def open(cls, cwd: Path, config_file: Path | None = None, backlog: Path | None = None) -> Workspace:
        return cls(cwd, config_module.load(cwd, config_file, backlog))

    @cached_property
    def backlog(self) -> Backlog:
        return backlog_module.load(self.config, self.cwd)

    @cached_property
    def schemas(self) -> schemas_module.Schemas:
        return schemas_module.load(self.config)

    @cached_property
    def judge(self) -> ready_module.Judge:
        return ready_module.Judge(self.backlog, self.schemas)

    @cached_property
    def discovered(self) -> backlog_module.Discovered:
        """The backlog's files, listed once per command."""
        return backlog_module.discover(self.config)

    @cached_property
    def placements(self) -> list[backlog_module.Placement]:
        """Every story's id, status and rank in backlog order, read cheaply (see placements())."""
        found, _ = backlog_module.placements(self.config, self.cwd, self.discovered)
        return found

    @property
    def _loaded(self) -> bool:
        """Whether the whole backlog has been read already (then it is the cheapest source)."""
        return "backlog" in self.__dict__

    def story(self, story_id: str) -> Story:
        """One story, reading as few files as the file names allow."""
        if not self._loaded:
            found = backlog_module.find_by_name(self.config, self.cwd, [story_id], self.discovered)
            if story_id in found:
                return found[story_id]
        return self.backlog.get(story_id)

    def neighbourhood(self, story: Story) -> Backlog:
        """The story and the stories it depends on: enough to judge its readiness. Falls back
        to the whole backlog when a dependency is not found by its file name."""
        if self._loaded:
            return self.backlog
        if not story.depends_on:
            return Backlog(self.config, (story,), (), ())
        found = backlog_module.find_by_name(self.config, self.cwd, story.depends_on, self.discovered)
        if set(story.depends_on) - set(found):
            return self.backlog
        return Backlog(self.config, (story, *found.values()), (), ())


@dataclass(frozen=True, slots=True)
class CheckResult:
    files: tuple[str, ...]
    """Every file checked (display paths, sorted)."""
    findings: tuple[Finding, ...]
    outside: tuple[str, ...]
    """Paths given on the command line that are not stories of this backlog."""

    @property
    def checked(self) -> int:
        return len(self.files)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def check(workspace: Workspace, paths: list[Path]) -> CheckResult:
    """``groom check``: judge the whole backlog, report on all of it or on ``paths``."""
    schemas = workspace.schemas  # configuration errors first, before any file is read
    backlog = workspace.backlog
    every = [story.display for story in backlog.stories] + [f.path for f in backlog.problems]
    if not paths:
        only = None
        files = sorted(set(every))
        outside: list[str] = []
    else:
        only, outside = _select(workspace, paths, every)
        files = only
    findings = ready_module.check(backlog, schemas, only)
    return CheckResult(tuple(files), tuple(findings), tuple(outside))


def _select(workspace: Workspace, paths: list[Path], every: list[str]) -> tuple[list[str], list[str]]:
    known = set(every)
    only: list[str] = []
    outside: list[str] = []
    for path in paths:
        absolute = path if path.is_absolute() else workspace.cwd / path
        if not absolute.exists() and not absolute.is_symlink():
            raise ConfigError(f"{path}: no such file or folder")
        shown = backlog_module.display_path(absolute, workspace.cwd)
        if absolute.is_dir() and not absolute.is_symlink():
            prefix = shown.rstrip("/") + "/" if shown != "." else ""
            only.extend(name for name in every if name.startswith(prefix))
        elif shown in known:
            only.append(shown)
        else:
            outside.append(shown)
    return sorted(set(only)), outside


@dataclass(frozen=True, slots=True)
class Listing:
    rows: tuple[tuple[Story, bool], ...]
    """Stories in backlog order with whether each meets the DoR."""
    open_points: float
    """Points of the listed open stories (not done, split or dropped): the work left."""
    open_stories: int
    unestimated: int
    """Listed open stories without a numeric estimate."""
    history_points: float
    """Points of listed split or dropped stories: history, counted nowhere (a split story's
    children carry its work)."""


def _points(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def list_stories(workspace: Workspace, status: str | None) -> Listing:
    """``groom list``: stories in backlog order, whether each meets the DoR, and the open work."""
    judge = workspace.judge
    config = workspace.config
    rows = tuple(
        (story, not judge.gaps(story))
        for story in workspace.backlog.stories
        if status is None or story.status == status
    )
    open_estimates = [_points(story.estimate) for story, _ in rows if config.is_open(story.status)]
    history = [_points(story.estimate) for story, _ in rows if story.status in config.inactive_statuses]
    return Listing(
        rows,
        open_points=sum(p for p in open_estimates if p is not None),
        open_stories=len(open_estimates),
        unestimated=sum(1 for p in open_estimates if p is None),
        history_points=sum(p for p in history if p is not None),
    )


@dataclass(frozen=True, slots=True)
class StoryView:
    """``groom show``: a story with its readiness and the state of what it depends on."""

    story: Story
    gaps: tuple[ready_module.Gap, ...]
    dependencies: tuple[tuple[str, str | None], ...]
    """(id, status) per dependency; status None when the id is unknown."""
    children: tuple[str, ...]


def show(workspace: Workspace, story_id: str) -> StoryView:
    backlog = workspace.backlog
    story = backlog.get(story_id)
    deps = tuple((dep, backlog.by_id[dep][0].status if dep in backlog.by_id else None) for dep in story.depends_on)
    children = tuple(s.id for s in backlog.stories if s.parent == story.id)
    return StoryView(story, tuple(workspace.judge.gaps(story)), deps, children)


def write_fields(
    changes: Sequence[tuple[Story, Mapping[str, object]]], created: Sequence[storyfile.NewFile] = ()
) -> int:
    """Set front matter keys in stories and create new files, all or nothing. Every story must
    still read as it did when it was loaded; returns how many files changed."""
    edits = []
    for story, fields in changes:
        snapshot = storyfile.read_regular(story.path)
        if yamlio.load_mapping(storyfile.split(snapshot.raw).front_matter) != story.data:
            raise WriteConflict("changed on disk since groom read it; run the command again", path=story.display)
        edits.append((snapshot, storyfile.set_fields(snapshot.raw, fields)))
    return storyfile.save_all(edits, created)
