"""Finding, loading and indexing the stories of a backlog.

Loading never stops at a bad file: every file either becomes a Story or a Finding that
says why it could not be read, so ``groom check`` can report all of them in one run.
"""

from __future__ import annotations

import fnmatch
import gc
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groom import facts as facts_module
from groom import storyfile, yamlio
from groom.config import Config
from groom.errors import ConfigError, FrontMatterError, StoryNotFound
from groom.facts import Facts
from groom.findings import ERROR, Finding

RESERVED_KEY = "derived"
"""The key under which derived facts reach the schemas; a story may not set it itself."""


_DIGITS = re.compile(r"(\d+)")


def id_key(story_id: str) -> tuple[str | int, ...]:
    """Sort key that compares the numbers in an id as numbers: S-2 < S-10 < S-10.1."""
    parts = _DIGITS.split(story_id)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


@dataclass(frozen=True, slots=True)
class Story:
    """One parsed story file. ``data`` is its front matter, exactly as written."""

    path: str
    display: str
    data: dict[str, Any]
    front_matter: str
    facts: Facts

    @property
    def id(self) -> str:
        value = self.data.get("id")
        return value if isinstance(value, str) else ""

    @property
    def title(self) -> str:
        value = self.data.get("title")
        return value if isinstance(value, str) else ""

    @property
    def status(self) -> str:
        value = self.data.get("status")
        return value if isinstance(value, str) else ""

    @property
    def type(self) -> str:
        value = self.data.get("type", "story")
        return value if isinstance(value, str) else ""

    @property
    def rank(self) -> str | None:
        value = self.data.get("rank")
        return value if isinstance(value, str) and value else None

    @property
    def estimate(self) -> Any:
        return self.data.get("estimate")

    @property
    def value(self) -> Any:
        return self.data.get("value")

    @property
    def parent(self) -> str | None:
        value = self.data.get("parent")
        return value if isinstance(value, str) else None

    @property
    def depends_on(self) -> tuple[str, ...]:
        value = self.data.get("depends_on")
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            return tuple(item for item in value if isinstance(item, str))
        return ()

    @property
    def order_key(self) -> tuple[bool, str, tuple[str | int, ...]]:
        """Backlog order: by rank (byte order), ties by id (S-2 before S-10), no rank last."""
        rank = self.rank
        return (rank is None, rank or "", id_key(self.id))

    def __reduce__(self) -> tuple[Callable[..., Story], tuple[Any, ...]]:
        # Plain constructor arguments pickle several times faster than slot state, which
        # matters when worker processes hand back thousands of stories.
        return (Story, (self.path, self.display, self.data, self.front_matter, self.facts))

    def fm_position(self, path: tuple[yamlio.PathItem, ...]) -> tuple[int, int]:
        """1-based file (line, column) of the front matter value at ``path``."""
        line, column = yamlio.locate(self.front_matter, path)
        return storyfile.Layout.FM_LINE + line, column + 1


@dataclass(frozen=True, slots=True)
class Backlog:
    config: Config
    stories: tuple[Story, ...]
    """Every readable story, in backlog order."""
    problems: tuple[Finding, ...]
    """Files that are in the backlog but could not be read as stories."""
    excluded: tuple[str, ...]
    _index: dict[str, list[Story]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for story in self.stories:
            if story.id:
                self._index.setdefault(story.id, []).append(story)

    @property
    def by_id(self) -> dict[str, list[Story]]:
        """Stories per id; a list longer than one is a duplicate id."""
        return self._index

    def get(self, story_id: str) -> Story:
        found = self._index.get(story_id)
        if not found:
            alike = [known for known in self._index if known.lower() == story_id.lower()]
            hint = f"did you mean {alike[0]}?" if alike else "'groom list' shows the ids"
            raise StoryNotFound(f"no story with id {story_id!r} in {self.config.backlog}; {hint}")
        return found[0]


def display_path(path: Path | str, cwd: Path | str) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    text, base = str(path), str(cwd).rstrip("/") + "/"
    if text.startswith(base):
        return text[len(base) :]
    return "." if text == base[:-1] else text


def _excluded(relative: str, patterns: Iterable[str]) -> bool:
    name = relative.rsplit("/", 1)[-1]
    for pattern in patterns:
        target = relative if "/" in pattern else name
        if fnmatch.fnmatchcase(target, pattern):
            return True
    return False


Discovered = tuple[list[str], list[tuple[str, str]], list[str]]
"""What discover() returns: story files, refused entries with reasons, excluded files."""


def discover(config: Config) -> Discovered:
    """The story files of the backlog, the entries that cannot be stories, and the excluded.

    Walks without following symlinks. A ``*.md`` entry that is a link, FIFO or device is
    returned with the reason, so it is reported rather than read or skipped. Hidden files and
    folders (a leading dot) are not part of the backlog.
    """
    root = str(config.backlog)
    if not config.backlog.is_dir():
        raise ConfigError(
            f"backlog folder {config.backlog} not found; create it, run 'groom init', or pass --backlog DIR"
        )
    files: list[str] = []
    refused: list[tuple[str, str]] = []
    excluded: list[str] = []
    stack = [root]
    prefix_length = len(root.rstrip("/")) + 1
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            refused.append((folder, f"cannot list folder: {exc.strerror}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = entry.path[prefix_length:]
            if entry.is_dir(follow_symlinks=False):
                if not _excluded(relative, config.exclude):
                    stack.append(entry.path)
                continue
            if not entry.name.endswith(".md"):
                if entry.is_symlink() and entry.is_dir() and not _excluded(relative, config.exclude):
                    refused.append((entry.path, "is a symbolic link to a folder; groom does not follow links"))
                continue
            if _excluded(relative, config.exclude):
                excluded.append(relative)
                continue
            if entry.is_symlink():
                refused.append((entry.path, "is a symbolic link; groom reads regular files only"))
            elif not entry.is_file(follow_symlinks=False):
                refused.append((entry.path, "is not a regular file (a FIFO, device or socket?); remove it"))
            else:
                files.append(entry.path)
    files.sort()
    return files, refused, sorted(excluded)


def load_story(path: str, cwd: str) -> Story | Finding:
    """Read one story file into a Story, or a Finding that says why it cannot be read."""
    shown = display_path(path, cwd)
    try:
        snapshot = storyfile.read_regular(path)
        layout = storyfile.split(snapshot.raw)
    except FrontMatterError as exc:
        return Finding(shown, exc.line or 1, 1, None, "front-matter", ERROR, exc.message)
    try:
        data = yamlio.load_mapping(layout.front_matter)
    except yamlio.YamlError as exc:
        return Finding(shown, storyfile.Layout.FM_LINE + exc.line, exc.column + 1, None, "yaml", ERROR, exc.message)
    if RESERVED_KEY in data:
        line, column = yamlio.locate(layout.front_matter, (RESERVED_KEY,))
        return Finding(
            shown,
            storyfile.Layout.FM_LINE + line,
            column + 1,
            None,
            "front-matter",
            ERROR,
            f"'{RESERVED_KEY}' is reserved for the facts groom computes; rename the key",
        )
    story_facts = facts_module.derive(layout.body, layout.body_line, data)
    return Story(path, shown, data, layout.front_matter, story_facts)


PARALLEL_FROM = 1500
"""Backlogs with at least this many files are read by one process per core."""


def _load_chunk(paths: list[str], cwd: str) -> list[Story | Finding]:
    # Loading allocates many small containers and frees none: the cyclic garbage collector
    # would only rescan them over and over.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return [load_story(path, cwd) for path in paths]
    finally:
        if enabled:
            gc.enable()


def _load_many(paths: list[str], cwd: str) -> list[Story | Finding]:
    """Load files; on Linux a large backlog is shared with one forked process per extra core.

    YAML parsing is the floor of a run, so the work is split in even shares: the children
    take theirs and this process reads its own share meanwhile instead of waiting.
    """
    cores = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or cores < 2 or sys.platform != "linux":
        return _load_chunk(paths, cwd)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # This process reads an even share; the rest goes to the children in small chunks, so
    # they pickle finished chunks while reading the next and the hand-over overlaps the work.
    own = len(paths) // cores
    rest = paths[own:]
    size = max(200, len(rest) // ((cores - 1) * 8))
    shares = [paths[:own], *(rest[i : i + size] for i in range(0, len(rest), size))]
    try:
        pool = ProcessPoolExecutor(cores - 1, mp_context=multiprocessing.get_context("fork"))
    except OSError:  # no semaphores in this sandbox: the slow path still gives the answer
        return _load_chunk(paths, cwd)
    with pool:
        futures = [pool.submit(_load_chunk, chunk, cwd) for chunk in shares[1:]]
        results = _load_chunk(shares[0], cwd)
        for future in futures:
            results.extend(future.result())
    return results


def load(config: Config, cwd: Path) -> Backlog:
    """Every story of the backlog, in backlog order, plus a Finding per unreadable file."""
    paths, refused, excluded = discover(config)
    stories: list[Story] = []
    problems = [Finding(display_path(path, cwd), 1, 1, None, "file", ERROR, reason) for path, reason in refused]
    enabled = gc.isenabled()
    gc.disable()
    try:
        for result in _load_many(paths, str(cwd)):
            if isinstance(result, Story):
                stories.append(result)
            else:
                problems.append(result)
    finally:
        # The stories live until the command ends: keep the collector from rescanning them.
        gc.freeze()
        if enabled:
            gc.enable()
    stories.sort(key=lambda story: story.order_key)
    return Backlog(config, tuple(stories), tuple(problems), tuple(excluded))


def _named_for(path: str, story_id: str) -> bool:
    stem = os.path.basename(path).removesuffix(".md").lower()
    wanted = story_id.lower()
    return stem == wanted or (stem.startswith(wanted) and not stem[len(wanted)].isalnum())


def find_by_name(
    config: Config, cwd: Path, story_ids: Iterable[str], discovered: Discovered | None = None
) -> dict[str, Story]:
    """Stories by id, reading only the files named after them (``S-42.md``,
    ``S-42-slug.md``). An id found in no file, or in two, is left out: the caller reads the
    whole backlog for those."""
    wanted = set(story_ids)
    paths, _, _ = discovered or discover(config)
    found: dict[str, list[Story]] = {}
    for path in paths:
        for story_id in wanted:
            if _named_for(path, story_id):
                result = load_story(path, str(cwd))
                if isinstance(result, Story) and result.id in wanted:
                    found.setdefault(result.id, []).append(result)
    return {story_id: stories[0] for story_id, stories in found.items() if len(stories) == 1}


@dataclass(frozen=True, slots=True)
class Placement:
    """What ordering needs of a story: where it is and where it sorts."""

    path: str
    id: str
    status: str
    rank: str | None

    @property
    def order_key(self) -> tuple[bool, str, tuple[str | int, ...]]:
        return (self.rank is None, self.rank or "", id_key(self.id))


_SIMPLE_FIELD = re.compile(
    rb"(id|status|rank):[ \t]*(?:\"([\w .-]*)\"|'([\w .-]*)'|([\w.-][\w .-]*?))[ \t]*(?:#.*)?\r?"
)
_FIELD_STARTS = (b"id:", b"status:", b"rank:")


def _simple_fields(front: bytes) -> dict[str, str] | None:
    """id, status and rank when each is on one top-level line with a plain value; else None."""
    found: dict[str, str] = {}
    for line in front.split(b"\n"):
        if line.startswith(_FIELD_STARTS):
            match = _SIMPLE_FIELD.fullmatch(line)
            if match is None:
                return None
            key = match.group(1).decode()
            if key in found:
                return None
            found[key] = (match.group(2) or match.group(3) or match.group(4) or b"").decode()
    return found if "id" in found else None


def _quick_placement(path: str, cwd: str) -> Placement | Finding:
    """id, status and rank read with a pattern when each sits plainly on its own line at the
    top level of the front matter; any other shape is parsed properly."""
    try:
        fd = os.open(path, storyfile.READ_FLAGS)
    except OSError:
        fd = -1
    if fd >= 0:
        try:
            raw = os.read(fd, 8192)  # the front matter is at the start; the body is not needed
        finally:
            os.close(fd)
    else:
        raw = b""
    start = 4 if raw.startswith(b"---\n") else 5 if raw.startswith(b"---\r\n") else -1
    end = raw.find(b"\n---", start) if start > 0 else -1
    values = _simple_fields(raw[start : end + 1]) if end > 0 else None
    if values is not None:
        return Placement(path, values["id"], values.get("status", ""), values.get("rank") or None)
    result = load_story(path, cwd)
    if isinstance(result, Finding):
        return result
    return Placement(path, result.id, result.status, result.rank)


def placements(
    config: Config, cwd: Path, discovered: Discovered | None = None
) -> tuple[list[Placement], list[Finding]]:
    """Every story's place in the backlog, in backlog order, without parsing most files."""
    paths, refused, _ = discovered or discover(config)
    problems = [Finding(display_path(path, cwd), 1, 1, None, "file", ERROR, reason) for path, reason in refused]
    found: list[Placement] = []
    for path in paths:
        result = _quick_placement(path, str(cwd))
        if isinstance(result, Placement):
            found.append(result)
        else:
            problems.append(result)
    found.sort(key=lambda placement: placement.order_key)
    return found, problems
