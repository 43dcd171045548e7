"""One run's view of the repository: configuration, and whatever a command reads, read once.

The edge where reading happens: the backlog (every story, or only the front matter of each for
ordering), single stories by their file names, the schemas, git. Commands open a Workspace,
take plain data from it and hand that to the planning modules. The Workspace also remembers
every file it could not read, so a command can report them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

from groom import backlog as backlog_module
from groom import cache as cache_module
from groom import config as config_module
from groom import edits, git, storyfile
from groom import ready as ready_module
from groom import schemas as schemas_module
from groom.config import Config
from groom.errors import StoryChanged
from groom.model import Backlog, Placement, Story, Unreadable, placement_of, release


class Workspace:
    """Configuration plus whatever a command reads, each read at most once."""

    def __init__(self, cwd: Path, config: Config, *, writes: bool = False, cache: bool | None = None) -> None:
        self.cwd = cwd
        self.config = config
        self.writes = writes
        self.use_cache = cache
        """True/False: --cache/--no-cache for this run; None: the config's [cache] enabled says."""
        self.recovered: list[str] = []
        """What was done to finish or clean up an interrupted write, one line each."""
        self._found: ready_module.Found | None = None
        """What the processes that read the backlog judged (judged()), if they were asked to."""
        self._lock = edits.Lock(config.backlog)
        self._lock.acquire(exclusive=writes or (config.backlog / edits.JOURNAL).exists())
        if (config.backlog / edits.JOURNAL).exists():
            self._recover()

    @classmethod
    def open(
        cls,
        cwd: Path,
        config_file: Path | None = None,
        backlog: Path | None = None,
        *,
        writes: bool = False,
        cache: bool | None = None,
    ) -> Workspace:
        """The workspace of a run; ``writes`` takes the backlog's lock exclusively (a command that
        may write), else shared, so readers never see half of a multi-file write."""
        return cls(cwd, config_module.load(cwd, config_file, backlog), writes=writes, cache=cache)

    def close(self, answered: bool = True) -> bool:
        """End the run: release the lock, then keep what it read in the warm cache (the cache
        needs no lock: it is written whole in one rename, from what this run already holds).
        A run that did not answer (a config error, say) leaves no judging to the cache. True
        when a detached process was left to write it."""
        self._lock.release()
        cache: cache_module.Cache | None = self.__dict__.get("cache")
        if cache is None:
            return False
        cold = answered and "backlog" in self.__dict__ and "schemas" in self.__dict__ and not cache.warm
        cache.save(self._judge_all if cold else None)
        return cache.detached

    def _judge_all(self) -> None:
        """After a cold run (judged without the cache), judge every story for the cache, so the
        next run finds every verdict: done by the cache's writer, after the command has ended."""
        assert self.cache is not None
        judge = ready_module.Judge(self.backlog, self.schemas, self._after_found(self.cache.memo))
        for story in self.backlog.stories:
            try:
                judge.findings(story)
                judge.gaps(story)
            except StoryChanged:  # written by this very command, say: judged by the next run
                continue
            finally:
                release(story)  # the writer encodes its parts as they came: not decoded ones

    @cached_property
    def cache(self) -> cache_module.Cache | None:
        """The warm cache of this backlog, or None when it is off."""
        return cache_module.open_cache(self.config, self.use_cache)

    @property
    def memo(self) -> ready_module.Memo | None:
        """The judge's memory: what the reading processes judged (judged()), then the warm
        cache; None when neither holds anything. On a cold run the cache is left out (the
        answer first, at the uncached speed: its detached writer judges every story after the
        command), except where it is written before the command returns: then the command's
        verdicts are kept for that writer, which would otherwise judge every story again."""
        cache = self.cache
        kept = cache.memo if cache is not None and (cache.warm or cache.foreground) else None
        return self._after_found(kept)

    def _after_found(self, memo: ready_module.Memo | None) -> ready_module.Memo | None:
        """``memo`` behind what the reading processes judged (judged()), if they judged any."""
        return self._found.memo(memo) if self._found is not None else memo

    def _recover(self) -> None:
        """Finish an interrupted write (with the lock held exclusively), then go on as asked."""
        if not self._lock.exclusive:
            self._lock.acquire(exclusive=True)
        self.recovered += edits.recover(self.config.backlog)
        if not self.writes:
            self._lock.acquire(exclusive=False)

    @cached_property
    def discovered(self) -> backlog_module.Discovered:
        """The backlog's files, listed once per command; temporary files an interrupted write
        left behind are removed on the way."""
        found = backlog_module.discover(self.config)
        if found.leftovers:
            self._recover()
        return found

    @cached_property
    def backlog(self) -> Backlog:
        """Every story, with its body's facts."""
        return backlog_module.load(self.config, self.cwd, self.discovered, self.cache, self._found)

    def judged(self, *kinds: str, only: Callable[[Story], bool] | None = None) -> Backlog:
        """The backlog, read by processes that also judge what they read, as the command will
        ask the judge (``kinds``: "findings", "gaps"; ``only``: of the stories it keeps): a large
        backlog's judging is then shared between the cores as its reading is. The schemas are
        built first (a broken one is a ConfigError before any file is read)."""
        if not self._loaded:
            self._found = ready_module.Found(self.schemas, self.config, kinds, only)
        return self.backlog

    @cached_property
    def _placements(self) -> tuple[list[Placement], list[Unreadable]]:
        if self._loaded:
            stories = self.backlog.stories
            return [placement_of(story) for story in stories], list(self.backlog.unreadable)
        return backlog_module.placements(self.cwd, self.discovered, self.cache)

    @property
    def placements(self) -> list[Placement]:
        """Every readable story's front matter in backlog order (bodies not read)."""
        return self._placements[0]

    @property
    def unreadable(self) -> tuple[Unreadable, ...]:
        """Every story file this run found it could not read, whichever way it read them."""
        if self._loaded:
            return self.backlog.unreadable
        if "_placements" in self.__dict__:
            return tuple(self._placements[1])
        return ()

    @cached_property
    def schemas(self) -> schemas_module.Schemas:
        """Both validators, built now (a broken schema is a ConfigError before any file is
        read), or when first needed if the warm cache says these schemas were built before."""
        cache = self.cache
        if cache is not None and cache.schemas_checked:
            return schemas_module.deferred(self.config)
        built = schemas_module.load(self.config)
        if cache is not None:
            cache.schemas_checked = True
        return built

    @cached_property
    def judge(self) -> ready_module.Judge:
        return ready_module.Judge(self.backlog, self.schemas, self.memo)

    @property
    def _loaded(self) -> bool:
        """Whether the whole backlog has been read already (then it is the cheapest source)."""
        return "backlog" in self.__dict__

    def id(self, typed: str) -> str:
        """An id as the user typed it, read as the backlog's files are ([ids]: back-12 is BACK-12)."""
        value = self.config.reading.canonical(typed)
        return value if isinstance(value, str) else typed

    def story(self, story_id: str) -> Story:
        """One story, reading as few files as the file names allow."""
        story_id = self.id(story_id)
        if not self._loaded:
            found = backlog_module.find_by_name(self.cwd, [story_id], self.discovered)
            if story_id in found:
                return found[story_id]
        return self.backlog.get(story_id)

    def neighbourhood(self, story: Story) -> Backlog:
        """The story and the stories it depends on: enough to judge its readiness. Falls back
        to the whole backlog when a dependency is not found by its file name."""
        if self._loaded:
            return self.backlog
        if not story.depends_on:
            return Backlog(self.config, (story,))
        found = backlog_module.find_by_name(self.cwd, story.depends_on, self.discovered)
        if set(story.depends_on) - set(found):
            return self.backlog
        return Backlog(self.config, (story, *found.values()))

    def body(self, story: Story) -> str:
        """The story's markdown body, read again from its file."""
        return storyfile.split(storyfile.read_regular(story.path).raw).body

    def taken_ids(self) -> list[str]:
        """Every id a new story must stay above: the working tree's ids, the names of files
        that cannot be read or are excluded (an archived story's; a name starts with its id), and
        file names on every git branch."""
        ids = [p.id for p in self.placements]
        ids += backlog_module.file_names(self.config)
        return ids + git.branch_file_names(self.config.backlog)

    def apply(
        self,
        changes: Sequence[edits.Change] = (),
        created: Sequence[edits.NewFile] = (),
        removed: Sequence[edits.Source] = (),
        *,
        dry_run: bool = False,
    ) -> edits.Written:
        """Write a plan through the one writer, in the team's field names."""
        return edits.apply(self.config.backlog, changes, created, removed, dry_run=dry_run, fields=self.config.fields)

    def absolute(self, display: str) -> str:
        """The path of a file named as the user sees it (relative to the working folder)."""
        path = Path(display)
        return str(path if path.is_absolute() else self.cwd / path)
