"""Finding and reading the story files of a backlog: the one way stories come off the disk.

Reading never stops at a bad file: every file either becomes a Story (or a Placement, when
only the front matter is needed) or an Unreadable that says why, so every command can say
what it could not read. Values are typed by yamlio alone.
"""

from __future__ import annotations

import fnmatch
import gc
import os
import re
import signal
import sys
from collections import deque
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO, TypeVar

from groom import facts as facts_module
from groom import records, storyfile, yamlio
from groom.config import Config
from groom.edits import TEMP_PREFIX, TEMP_SUFFIX
from groom.errors import ConfigError, FrontMatterError, YamlError
from groom.model import (
    PLACEMENT_KEYS,
    RESERVED_KEY,
    Backlog,
    Placement,
    Story,
    Unreadable,
    holder,
    named_for,
    placement_of,
)
from groom.naming import PLAIN, Reading

if TYPE_CHECKING:
    from groom.cache import Cache


def display_path(path: Path | str, cwd: Path | str) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    text, base = str(path), str(cwd).rstrip("/") + "/"
    if text.startswith(base):
        return text[len(base) :]
    return "." if text == base[:-1] else text


def _excluded(relative: str, patterns: Iterable[str]) -> bool:
    """Whether a path relative to the backlog folder matches one of the exclude patterns: a
    pattern with a slash matches the path, one without matches the name (fnmatch, case kept)."""
    by_path, by_name = _exclusion(tuple(patterns))
    if by_name is not None and by_name.match(relative.rpartition("/")[2]):
        return True
    return by_path is not None and by_path.match(relative) is not None


@lru_cache(maxsize=8)
def _exclusion(patterns: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The exclude patterns as two regular expressions, (by path, by name), built once a run:
    discovery asks for every file of the backlog."""

    def joined(chosen: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in chosen)) if chosen else None

    return joined([p for p in patterns if "/" in p]), joined([p for p in patterns if "/" not in p])


@dataclass(frozen=True, slots=True)
class Discovered:
    """What discover() finds in the backlog folder."""

    files: list[str]
    """Story files, sorted."""
    refused: list[tuple[str, str]]
    """Entries that look like stories but cannot be read as files, with the reason."""
    excluded: list[str]
    """Files the config excludes."""
    leftovers: list[str] = field(default_factory=list)
    """Temporary files an interrupted groom left behind (``.groom-*.tmp``)."""
    reading: Reading = PLAIN
    """How the stories found are read (the config's [fields] and [ids])."""
    retired: list[str] = field(default_factory=list)
    """Story files in the config's inactive folders ([paths] inactive), sorted."""


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
    leftovers: list[str] = []
    files: list[str] = []
    refused: list[tuple[str, str]] = []
    excluded: list[str] = []
    stack = [root]
    prefix_length = len(root.rstrip("/")) + 1
    by_path, by_name = _exclusion(tuple(config.exclude))  # _excluded's test, inlined for every story file
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            refused.append((folder, f"cannot list folder: {exc.strerror}"))
            continue
        for entry in entries:
            name, path = entry.name, entry.path
            if name.startswith("."):
                if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                    leftovers.append(path)
                continue
            if entry.is_dir(follow_symlinks=False):
                if not _excluded(path[prefix_length:], config.exclude):
                    stack.append(path)
                continue
            if not name.endswith(".md"):
                if entry.is_symlink() and entry.is_dir() and not _excluded(path[prefix_length:], config.exclude):
                    refused.append((path, "is a symbolic link to a folder; groom does not follow links"))
                continue
            if (by_name is not None and by_name.match(name)) or (
                by_path is not None and by_path.match(path, prefix_length)
            ):
                excluded.append(path[prefix_length:])
                continue
            if entry.is_symlink():
                refused.append((path, "is a symbolic link; groom reads regular files only"))
            elif not entry.is_file(follow_symlinks=False):
                refused.append((path, "is not a regular file (a FIFO, device or socket?); remove it"))
            else:
                files.append(path)
    files.sort()
    files, retired = _retire(config, files)
    return Discovered(files, refused, sorted(excluded), leftovers, config.reading, retired)


def _retire(config: Config, files: list[str]) -> tuple[list[str], list[str]]:
    """(story files, files in the inactive folders), each still sorted."""
    if not config.inactive_paths:
        return files, []
    root = str(config.backlog)
    inactive = tuple(os.path.join(root, folder) + os.sep for folder in config.inactive_paths)
    return [p for p in files if not p.startswith(inactive)], [p for p in files if p.startswith(inactive)]


def file_names(config: Config) -> list[str]:
    """The name of every ``*.md`` file under the backlog folder, excluded folders too (an
    archived story's id is still taken). Names only: nothing is read."""
    return [name for _, _, names in os.walk(config.backlog) for name in names if name.endswith(".md")]


def _read(path: str, shown: str) -> tuple[bytes, storyfile.Layout] | Unreadable:
    try:
        raw = storyfile.read_bytes(path)
    except FrontMatterError as exc:
        return Unreadable(path, shown, exc.line or 1, 1, "front-matter", exc.message)
    return _layout(raw, path, shown)


def _layout(raw: bytes, path: str, shown: str) -> tuple[bytes, storyfile.Layout] | Unreadable:
    """A story file's bytes split into front matter and body, or why they cannot be."""
    conflict = storyfile.conflict_line(raw)
    if conflict:
        message = (
            f"merge conflict at line {conflict}: resolve it (keep one side, remove the <<<<<<< ======= >>>>>>> lines)"
        )
        return Unreadable(path, shown, conflict, 1, "merge-conflict", message)
    try:
        layout = storyfile.split(raw)
    except FrontMatterError as exc:
        return Unreadable(path, shown, exc.line or 1, 1, "front-matter", exc.message)
    return raw, layout


def _front_matter(
    path: str, shown: str, layout: storyfile.Layout, keys: Collection[str] | None
) -> dict[str, object] | Unreadable:
    """The front matter (only ``keys`` where the fast scan is certain), or why not. The fast
    scan reads the usual flat front matter three times faster than libyaml and the converter,
    and gives what they give (yamlio.scan's promise); anything else is parsed in full."""
    text = layout.front_matter
    try:
        # The reserved key is asked for too: a story that sets it cannot be read either way.
        scanned = yamlio.scan(text, (*keys, RESERVED_KEY)) if keys is not None else yamlio.scan(text)
        data = yamlio.load_mapping(text) if scanned is None else scanned
    except YamlError as exc:
        line = storyfile.Layout.FM_LINE + exc.line
        return Unreadable(path, shown, line, exc.column + 1, "yaml", exc.message, yamlio.guess_id(text))
    if RESERVED_KEY in data:
        line, column = yamlio.locate(text, (RESERVED_KEY,))
        return Unreadable(
            path,
            shown,
            storyfile.Layout.FM_LINE + line,
            column + 1,
            "front-matter",
            f"'{RESERVED_KEY}' is reserved for the facts groom computes; rename the key",
        )
    return data


def _parsed(
    path: str, cwd: str, keys: Collection[str] | None, reading: Reading = PLAIN
) -> tuple[str, bytes, storyfile.Layout, dict[str, object]] | Unreadable:
    """(display path, bytes, layout, front matter) of a story file, or why it cannot be read."""
    shown = display_path(path, cwd)
    read = _read(path, shown)
    if isinstance(read, Unreadable):
        return read
    raw, layout = read
    if keys is not None and reading.fields:
        keys = [*keys, *(key for role, key in reading.fields if role in keys)]
    data = _front_matter(path, shown, layout, keys)
    if isinstance(data, Unreadable):
        return data
    return shown, raw, layout, reading.apply(data)


def load_story(path: str, cwd: str, reading: Reading = PLAIN) -> Story | Unreadable:
    """Read one story file into a Story, or an Unreadable that says why it cannot be read."""
    parsed = _parsed(path, cwd, None, reading)
    if isinstance(parsed, Unreadable):
        return parsed
    shown, raw, layout, data = parsed
    story_facts = facts_module.derive(layout.body, layout.body_line, data)
    return Story(path, shown, data, layout.front_matter, story_facts, storyfile.digest(raw), reading.fields)


def load_placement(path: str, cwd: str, reading: Reading = PLAIN) -> Placement | Unreadable:
    """Read one story file's front matter only (yamlio's fast scan where it is certain)."""
    parsed = _parsed(path, cwd, PLACEMENT_KEYS, reading)
    if isinstance(parsed, Unreadable):
        return parsed
    shown, raw, _, data = parsed
    return Placement(path, shown, data, storyfile.digest(raw))


T = TypeVar("T")

PARALLEL_FROM = 1500
"""Backlogs with at least this many files are read by one process per core."""
TASK_ITEMS = 2500
"""About how many files a reading child hands back at a time (_shared)."""


Loaded = Story | Placement | Unreadable


class Judging(Protocol):
    """What judges stories as they are read (ready.Found): each process judges its share."""

    def judge(self, story: Story) -> None: ...

    def export(self, stories: Sequence[Loaded]) -> bytes: ...

    def adopt(self, stories: Sequence[Loaded], exported: bytes) -> None: ...


def _load_chunk(
    paths: list[str], cwd: str, placements: bool = False, reading: Reading = PLAIN, judging: Judging | None = None
) -> list[Loaded]:
    # Loading allocates many small containers and frees none: the cyclic garbage collector
    # would only rescan them over and over.
    enabled = gc.isenabled()
    gc.disable()
    load = load_placement if placements else load_story
    try:
        results = [load(path, cwd, reading) for path in paths]
        if judging is not None:
            for found in results:
                if isinstance(found, Story):
                    judging.judge(found)
        return results
    finally:
        if enabled:
            gc.enable()


_inherited: Judging | None = None
"""What judges the share of a forked reading process: set by _inherit as the process starts
(the pool pickles each task's arguments, and a judge's validators cannot be pickled)."""


def _inherit(judging: Judging) -> None:
    global _inherited  # noqa: PLW0603  # a pool's initializer: set once in each child
    _inherited = judging


def _load_packed(paths: list[str], cwd: str, placements: bool, reading: Reading) -> tuple[records.Packed, bytes | None]:
    judging = _inherited
    results = _load_chunk(paths, cwd, placements, reading, judging)
    return records.pack(results), judging.export(results) if judging is not None else None


def _load_many(
    paths: list[str], cwd: str, placements: bool = False, reading: Reading = PLAIN, judging: Judging | None = None
) -> list[Loaded]:
    """Load files; on Linux a large backlog is shared with one forked process per extra core,
    which hands its stories back as msgpack records (records.py): five times cheaper than
    pickling them, and their front matter and facts are decoded only when a command asks. With
    ``judging``, each process also judges the stories of its share (only when shared: alone,
    the command's own judge would do the same work)."""

    def unpack(chunk: list[str], handed: tuple[records.Packed, bytes | None]) -> list[Loaded]:
        packed, verdicts = handed
        results = records.unpack(packed, chunk, [display_path(path, cwd) for path in chunk], placements, reading)
        if judging is not None and verdicts is not None:
            judging.adopt(results, verdicts)
        return results

    inherit = partial(_inherit, judging) if judging is not None else None
    return _shared(_load_chunk, paths, cwd, placements, reading, hand_over=(_load_packed, unpack), inherit=inherit)


HandOver = tuple[Callable[..., Any], Callable[[list[Any], Any], list[T]]]
"""(what a child runs instead of the work, how this process turns its answer into results)."""


def _cores(count: int) -> int:
    """How many processes share reading ``count`` files: one per core (up to 8) on Linux
    from PARALLEL_FROM files, else this one alone."""
    if count < PARALLEL_FROM or sys.platform != "linux":
        return 1
    return min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)


def _shared(
    work: Callable[..., list[T]],
    items: list[Any],
    *args: Any,
    hand_over: HandOver[T] | None = None,
    inherit: Callable[[], object] | None = None,
) -> list[T]:
    """``work(items, *args)``, the items shared with forked processes when there are many (on
    Linux). YAML parsing is the floor of a run, so the work is split in even shares, one a core.
    Without ``hand_over`` this process does a share too, and the children's come back pickled.
    With ``hand_over``, every share is a child's, handed back in the form the child chooses
    (records, say: a compact form this process keeps instead of whole results, so a share read
    here would be the larger part of its memory); ``inherit`` runs in each child as it starts
    (what a task cannot carry: it is pickled)."""
    cores = _cores(len(items))
    if cores < 2:
        return work(items, *args)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # While this process does a share, each child takes its own in one task and hands it back
    # once: smaller tasks would hand over while this process works, and each read of their
    # answers waits for its interpreter lock (a switch every 5 ms), which idled the children
    # between tasks (100,000 stories in eight tasks a child: 5.0 s to read; in one: 3.9 s).
    # When it only takes the children's answers, it takes them in tasks of TASK_ITEMS: each is
    # turned into results while the children read on, and no share is held twice at once
    # (as it is handed over, and as results) on 100,000 stories: 6.0 -> 5.7 s, 307 -> 299 MiB.
    own = 0 if hand_over is not None else len(items) // cores
    children = cores if hand_over is not None else cores - 1
    rest = items[own:]
    tasks = 1 if own else max(1, len(rest) // (children * TASK_ITEMS))
    size = -(-len(rest) // (children * tasks))
    try:
        pool = ProcessPoolExecutor(
            children,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_child,
            initargs=(os.getpid(), inherit),
        )
    except OSError:  # no semaphores in this sandbox: the slow path still gives the answer
        return work(items, *args)
    child = hand_over[0] if hand_over is not None else work
    others = set(multiprocessing.active_children())  # a caller's own children are not ours to end
    with pool:
        try:
            chunks = [rest[i : i + size] for i in range(0, len(rest), size)]
            pending = deque((chunk, pool.submit(child, chunk, *args)) for chunk in chunks)
            results: list[T] = work(items[:own], *args) if own else []
            while pending:  # each answer let go of once taken: a future holds its answer
                chunk, future = pending.popleft()
                found = future.result()
                del future
                results.extend(hand_over[1](chunk, found) if hand_over is not None else found)
                del found
        except BaseException:  # interrupted: the children's shares are not wanted, do not wait for them
            for process in set(multiprocessing.active_children()) - others:
                process.terminate()
            raise
    return results


def _child(parent: int, inherit: Callable[[], object] | None) -> None:
    """How a reading child starts. Its output goes nowhere: it answers through the pool, and it
    must not write again what this process had not written yet when it was forked (nor hold the
    caller's pipe open). It ends with the process that forked it: killed, that process would
    never take the child's share, and the child would wait for it for ever."""
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd, stream in enumerate((sys.stdin, sys.stdout, sys.stderr)):
        if _number(stream) == fd:  # not when groom started without it: another file has the number
            os.dup2(quiet, fd)
    os.close(quiet)
    with suppress(OSError, AttributeError):  # Linux's prctl(PR_SET_PDEATHSIG, SIGKILL)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the child could ask to end with it
        os._exit(0)
    if inherit is not None:
        inherit()


def _number(stream: TextIO | None) -> int | None:
    """The file descriptor under a standard stream (None: closed, or not a file, as in tests)."""
    try:
        return stream.fileno() if stream is not None else None
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None


def _refused(refused: list[tuple[str, str]], cwd: Path | str) -> list[Unreadable]:
    return [Unreadable(path, display_path(path, cwd), 1, 1, "file", reason) for path, reason in refused]


_PATH = attrgetter("path")
_ORDER = attrgetter("order_key")


def _read_all(
    cwd: Path, discovered: Discovered, placements: bool, cache: Cache | None = None, judging: Judging | None = None
) -> tuple[list[Story | Placement], list[Unreadable]]:
    """Every discovered file read (bodies too unless ``placements``), in backlog order, and
    the files that cannot be read, sorted by name. With a ``cache``, only the files it cannot
    vouch for are read (groom/cache.py), and what they gave is kept for the next run; with
    ``judging``, the processes that read judge what they read (_load_many)."""
    read: list[Story | Placement] = []
    unreadable = _refused(discovered.refused, cwd)
    enabled = gc.isenabled()
    gc.disable()
    try:
        known: list[Loaded] = []
        paths = discovered.files
        if cache is not None:
            known, paths = cache.recall(paths, str(cwd), placements)
        loaded = _load_many(paths, str(cwd), placements, discovered.reading, judging)
        if cache is not None:
            cache.keep(paths, loaded, placements)
        found = (*known, *loaded)
        if known and loaded:  # each in file order: merged back into it, so ties sort as uncached
            found = tuple(sorted(found, key=_PATH))
        for result in found:
            if isinstance(result, Unreadable):
                unreadable.append(result)
            else:
                read.append(result)
    finally:
        # What was read lives until the command ends: keep the collector from rescanning it.
        gc.freeze()
        if enabled:
            gc.enable()
    read.sort(key=_ORDER)
    unreadable.sort(key=lambda u: u.display)
    return read, unreadable


def load(
    config: Config,
    cwd: Path,
    discovered: Discovered | None = None,
    cache: Cache | None = None,
    judging: Judging | None = None,
) -> Backlog:
    """Every story of the backlog, in backlog order, plus an Unreadable per file it cannot read,
    and the front matter of the stories in inactive folders (their ids and statuses). With
    ``judging``, the stories are judged by the processes that read them (ready.Found)."""
    found = discovered or discover(config)
    read, unreadable = _read_all(cwd, found, False, cache, judging)
    stories = tuple(story for story in read if isinstance(story, Story))
    retired: tuple[Placement, ...] = ()
    if found.retired:
        history = Discovered(found.retired, [], [], [], found.reading)
        old, broken = _read_all(cwd, history, True, cache)
        retired = tuple(p for p in old if isinstance(p, Placement))
        unreadable = sorted([*unreadable, *broken], key=lambda u: u.display)
    return Backlog(config, stories, tuple(unreadable), retired)


def find_by_name(cwd: Path, story_ids: Iterable[str], discovered: Discovered) -> dict[str, Story]:
    """Stories by id, reading only the files named after them (``S-42.md``,
    ``S-42-slug.md``). An id found in no file, or in two, is left out: the caller reads the
    whole backlog for those. A file named after one of the ids that cannot be read raises
    UnreadableStory: groom cannot tell what it holds, so it does not guess."""
    wanted = set(story_ids)
    paths, refused = discovered.files, discovered.refused
    unreadable = _refused(refused, cwd)
    found: dict[str, list[Story]] = {}
    for path in paths:
        for story_id in wanted:
            if named_for(path, story_id):
                result = load_story(path, str(cwd), discovered.reading)
                if isinstance(result, Unreadable):
                    unreadable.append(result)
                elif result.id in wanted:
                    found.setdefault(result.id, []).append(result)
    for story_id in wanted - set(found):
        broken = holder(unreadable, story_id)
        if broken is not None:
            raise broken.error_for(story_id)
    return {story_id: stories[0] for story_id, stories in found.items() if len(stories) == 1}


def placements(
    cwd: Path, discovered: Discovered, cache: Cache | None = None
) -> tuple[list[Placement], list[Unreadable]]:
    """Every story's front matter in backlog order, without reading bodies, and the
    files that cannot be read."""
    read, unreadable = _read_all(cwd, discovered, True, cache)
    return [placement for placement in read if isinstance(placement, Placement)], unreadable


# ---------------------------------------------------------------------------------------
# a backlog as a git commit holds it (groom diff): the same rules, bytes from git objects


def discover_listing(config: Config, entries: Iterable[tuple[str, str]]) -> Discovered:
    """What discover() finds, from a listing instead of the folder: ``entries`` are (path, git
    file mode) of the files under the backlog folder, paths as discover() would give them. The
    same rules: hidden names and excluded folders are skipped, excluded files set aside, a link
    refused; submodules are not files."""
    root = str(config.backlog).rstrip("/") + "/"
    files: list[str] = []
    refused: list[tuple[str, str]] = []
    excluded: list[str] = []
    for path, mode in entries:
        if not path.startswith(root) or mode == "160000":
            continue
        relative = path[len(root) :]
        parts = relative.split("/")
        if any(part.startswith(".") for part in parts):
            continue
        folders = ("/".join(parts[: depth + 1]) for depth in range(len(parts) - 1))
        if any(_excluded(folder, config.exclude) for folder in folders) or not relative.endswith(".md"):
            continue
        if _excluded(relative, config.exclude):
            excluded.append(relative)
        elif mode == "120000":
            refused.append((path, "is a symbolic link; groom reads regular files only"))
        else:
            files.append(path)
    files.sort()
    files, retired = _retire(config, files)
    return Discovered(files, refused, sorted(excluded), [], config.reading, retired)


def story_from_bytes(raw: bytes, path: str, cwd: str, reading: Reading = PLAIN) -> Story | Unreadable:
    """A story from bytes that did not come off the disk (a git object), read as load_story
    reads a file: the same size limit, split, parse and facts."""
    shown = display_path(path, cwd)
    if len(raw) > storyfile.MAX_FILE_BYTES:
        message = f"is {len(raw):,} bytes, over the {storyfile.MAX_FILE_BYTES:,}-byte limit for a story; shorten it"
        return Unreadable(path, shown, 1, 1, "front-matter", message)
    read = _layout(raw, path, shown)
    if isinstance(read, Unreadable):
        return read
    layout = read[1]
    data = _front_matter(path, shown, layout, None)
    if isinstance(data, Unreadable):
        return data
    data = reading.apply(data)
    story_facts = facts_module.derive(layout.body, layout.body_line, data)
    return Story(path, shown, data, layout.front_matter, story_facts, storyfile.digest(raw), reading.fields)


def _stories_chunk(items: list[tuple[bytes, str]], cwd: str, reading: Reading = PLAIN) -> list[Story | Unreadable]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        return [story_from_bytes(raw, path, cwd, reading) for raw, path in items]
    finally:
        if enabled:
            gc.enable()


def stories_from_bytes(items: list[tuple[bytes, str]], cwd: str, reading: Reading = PLAIN) -> list[Story | Unreadable]:
    """story_from_bytes over many (bytes, path) pairs, shared among the cores as load() shares
    a large backlog."""
    return _shared(_stories_chunk, items, cwd, reading)


def assemble(
    config: Config,
    cwd: Path | str,
    discovered: Discovered,
    read: Iterable[Story | Unreadable],
    retired: Iterable[Placement] = (),
) -> Backlog:
    """A Backlog from stories read some other way than load() (from git objects, say): in
    backlog order, with the refused and unreadable files sorted by name, as load() gives them.
    A story read from one of ``discovered.retired`` joins ``retired``, as load() sets them apart."""
    unreadable = _refused(discovered.refused, cwd)
    stories: list[Story] = []
    old = list(retired)
    inactive = set(discovered.retired)
    for result in read:
        if isinstance(result, Unreadable):
            unreadable.append(result)
        elif result.path in inactive:
            old.append(placement_of(result))
        else:
            stories.append(result)
    stories.sort(key=lambda story: story.order_key)
    unreadable.sort(key=lambda u: u.display)
    return Backlog(config, tuple(stories), tuple(unreadable), tuple(old))
