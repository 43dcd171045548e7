"""``groom check``, ``groom list`` and ``groom show``: the commands that only read and judge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from groom import ready as ready_module
from groom.backlog import display_path
from groom.errors import ConfigError, GroomError
from groom.findings import Finding
from groom.hints import config_hints
from groom.model import Story, as_points, release
from groom.workspace import Workspace


@dataclass(frozen=True, slots=True)
class CheckResult:
    files: tuple[str, ...]
    """Every file checked (display paths, sorted)."""
    findings: tuple[Finding, ...]
    outside: tuple[str, ...]
    """Paths given on the command line that are not stories of this backlog."""
    hints: tuple[str, ...] = ()
    """Config keys that would fit what groom sees, when most stories miss the config."""

    @property
    def checked(self) -> int:
        return len(self.files)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def check(ws: Workspace, paths: list[Path]) -> CheckResult:
    """``groom check``: judge the whole backlog, report on all of it or on ``paths``."""
    schemas = ws.schemas  # configuration errors first, before any file is read
    backlog = ws.backlog if paths else ws.judged("findings")  # named files: judged after the read
    every = [story.display for story in backlog.stories] + [u.display for u in backlog.unreadable]
    if not paths:
        only = None
        files = sorted(set(every))
        outside: list[str] = []
    else:
        only, outside = _select(ws, paths, every)
        files = only
    findings = ready_module.check(backlog, schemas, only, ws.memo)
    folder = ws.config.backlog
    backlog_md = (folder / "config.yml").is_file() or (folder / "backlog" / "config.yml").is_file()
    hints = config_hints(backlog.stories, ws.config, backlog_md=backlog_md)
    return CheckResult(tuple(files), tuple(findings), tuple(outside), tuple(hints))


def _select(ws: Workspace, paths: list[Path], every: list[str]) -> tuple[list[str], list[str]]:
    known = set(every)
    only: list[str] = []
    outside: list[str] = []
    for path in paths:
        absolute = path if path.is_absolute() else ws.cwd / path
        if not absolute.exists() and not absolute.is_symlink():
            raise ConfigError(f"{path}: no such file or folder")
        shown = display_path(absolute, ws.cwd)
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
    rows: tuple[tuple[Story, bool | None], ...]
    """Stories in backlog order with whether each meets the DoR (None: split or dropped
    stories, which are not work and are not judged)."""
    open_points: float
    """Points of the listed open stories (not done, split or dropped): the work left."""
    open_stories: int
    unestimated: int
    """Listed open stories without a numeric estimate."""
    history_points: float
    """Points of listed split or dropped stories: history, counted nowhere (a split story's
    children carry its work)."""


@dataclass(frozen=True, slots=True)
class Filter:
    """Which stories ``groom list`` shows: all given conditions hold (a repeated one: any value)."""

    statuses: Sequence[str] = ()
    labels: Sequence[str] = ()
    epic: str | None = None
    owner: str | None = None
    ready: bool | None = None
    grep: str | None = None

    def keeps(self, story: Story, ready: bool | None) -> bool:
        # A condition not given reads nothing of the story (the cache then decodes nothing).
        if self.labels:
            labels = story.data.get("labels")
            have = {str(v).lower() for v in labels} if isinstance(labels, list) else set()
            if not have & {label.lower() for label in self.labels}:
                return False
        if self.epic is not None and str(story.data.get("epic", "")).lower() != self.epic.lower():
            return False
        wanted = self.owner.lstrip("@").lower() if self.owner is not None else None
        if wanted is not None and wanted not in {owner.lstrip("@").lower() for owner in story.owners}:
            return False
        if self.ready is not None and ready is not self.ready:
            return False
        return self.grep is None or self.grep.lower() in _searchable(story)


def _searchable(story: Story) -> str:
    """What --grep looks in: the id, every text value of the front matter, criteria, questions."""
    texts = [story.id, *(str(v) for v in story.data.values() if isinstance(v, str))]
    texts += [*story.facts.criteria, *(q.text for q in story.facts.questions), story.facts.narrative_text]
    return "\n".join(texts).lower()


def list_stories(ws: Workspace, statuses: Sequence[str] = (), only: Filter | None = None) -> Listing:
    """``groom list``: stories in backlog order, whether each meets the DoR, and the open work.
    ``statuses`` filter (any of them, whatever the case); ``only`` the other conditions."""
    config = ws.config
    wanted = set()
    for status in statuses:
        known = [name for name in config.statuses if name.lower() == status.lower()]
        if not known:
            raise GroomError(f"unknown status {status!r}; use one of: {', '.join(config.statuses)}")
        wanted.add(known[0])
    stories = ws.judged("gaps", only=(lambda story: story.status in wanted) if wanted else None).stories
    judge = ws.judge
    kept: list[tuple[Story, bool | None]] = []
    for story in stories:
        if wanted and story.status not in wanted:
            continue
        ready = None if story.status in config.inactive_statuses else not judge.gaps(story)
        if only is None or only.keeps(story, ready):
            kept.append((story, ready))
        release(story)  # what judging and filtering decoded of it: a listing shows its head
    rows = tuple(kept)
    open_estimates = [story.points for story, _ in rows if config.is_open(story.status)]
    history = [as_points(story.estimate) for story, _ in rows if story.status in config.inactive_statuses]
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
    """(id, status) per dependency; status None when the id is unknown or its file unreadable."""
    children: tuple[str, ...]
    unreadable: tuple[str, ...] = ()
    """Dependencies whose files cannot be read."""
    judged: bool = True
    body: str = ""
    """The story's text below the front matter."""
    """False for split and dropped stories: they are not work, so the DoR does not judge them."""


def show(ws: Workspace, story_id: str) -> StoryView:
    backlog = ws.backlog
    story = backlog.get(story_id)

    def status(dep: str) -> str | None:
        if dep in backlog.by_id:
            return backlog.by_id[dep][0].status
        old = backlog.finished(dep)
        return old.status if old is not None else None

    deps = tuple((dep, status(dep)) for dep in story.depends_on)
    children = tuple(child.id for child in backlog.children(story.id))
    broken = tuple(dep for dep, status in deps if status is None and backlog.holder(dep))
    body = ws.body(story)
    if story.status in ws.config.inactive_statuses:
        return StoryView(story, (), deps, children, broken, judged=False, body=body)
    return StoryView(story, tuple(ws.judge.gaps(story)), deps, children, broken, body=body)
