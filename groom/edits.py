"""The one guarded writer: every file groom changes, creates or removes goes through here.

A command plans from stories it read; ``apply`` then re-reads each file it is about to change,
refuses when the file is no longer the bytes the plan was computed from (one rule for every
command: the whole file, by digest), splices the changed values in with
``storyfile.set_fields``, and commits everything with ``save_all``: all files or none.

Three things make "all or none" hold against other programs and crashes, not only against
errors: a lock on the backlog folder (writers exclusive, readers shared) so two groom runs never
interleave; a last comparison of each file just before it is replaced; and a journal for
multi-file writes, written once every new version is safely on disk, so that the next groom run
(any command) finishes a write that a crash interrupted and removes what it left behind.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from groom import storyfile
from groom.errors import GroomError, WriteConflict
from groom.naming import FieldMap, team_key

JOURNAL = ".groom-journal.json"
"""In the backlog folder while a multi-file write commits; gone when it is done."""
TEMP_PREFIX = ".groom-"
TEMP_SUFFIX = ".tmp"
LOCK_WAIT = 10.0
"""Seconds a command waits for another groom to finish writing (GROOM_LOCK_WAIT overrides)."""


class Source(Protocol):
    """What a plan was computed from: a Story or a Placement."""

    @property
    def path(self) -> str: ...
    @property
    def display(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def digest(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Change:
    """New values for front matter keys of one story file, optionally with a new file name."""

    source: Source
    fields: Mapping[str, Any]
    rename_to: str | None = None
    """Absolute path of the file's new name; None keeps the name."""
    new_display: str = ""


@dataclass(frozen=True, slots=True)
class NewFile:
    """A file to create; creating it fails if the name is taken."""

    path: str
    raw: bytes
    display: str = ""
    id: str = ""


@dataclass(frozen=True, slots=True)
class Written:
    """What a write changed (or, for a dry run, would change): (display path, id) pairs.
    A renamed file is removed under its old name and created under its new one."""

    changed: tuple[tuple[str, str], ...] = ()
    created: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    dry_run: bool = False
    renamed: int = 0

    @property
    def count(self) -> int:
        """Files touched (a renamed file counts once)."""
        return len(self.changed) + len(self.created) + len(self.removed) - self.renamed


def _reread(source: Source) -> storyfile.Snapshot:
    snapshot = storyfile.read_regular(source.path)
    if storyfile.digest(snapshot.raw) != source.digest:
        raise WriteConflict(
            "changed on disk since groom read it; nothing was written: run the command again", path=source.display
        )
    return snapshot


def _inside(root: Path, paths: Sequence[tuple[str, str]]) -> None:
    """Refuse a target outside the backlog folder, whatever the names in between say (links
    included: each target's folder is resolved, once per folder)."""
    real_root = os.path.realpath(root)
    folders: dict[str, str] = {}
    for path, shown in paths:
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in folders:
            folders[folder] = os.path.realpath(folder)
        real = os.path.join(folders[folder], os.path.basename(path))
        if os.path.commonpath([real_root, real]) != real_root or real == real_root or os.path.islink(real):
            raise WriteConflict(f"is outside the backlog folder {root}; groom writes only inside it", path=shown)


def _fits(raw: bytes, shown: str) -> None:
    if len(raw) > storyfile.MAX_FILE_BYTES:
        raise WriteConflict(
            f"would grow to {len(raw):,} bytes, over the {storyfile.MAX_FILE_BYTES:,}-byte limit for a story "
            "(groom could not read it back); shorten the story first. Nothing was written",
            path=shown,
        )


def apply(
    root: Path,
    changes: Sequence[Change] = (),
    created: Sequence[NewFile] = (),
    removed: Sequence[Source] = (),
    *,
    dry_run: bool = False,
    fields: FieldMap = (),
) -> Written:
    """Make the planned changes inside ``root``, all or nothing, refusing any file changed
    since it was read. With ``dry_run`` every check and every splice runs, and nothing is
    written: what a dry run promises, the real run does. ``fields`` (groom.toml's [fields])
    turns the contract keys of a change into the keys the team's files use."""
    edits: list[tuple[storyfile.Snapshot, bytes]] = []
    new_files = list(created)
    gone: list[storyfile.Snapshot] = []
    changed: list[tuple[str, str]] = []
    for change in changes:
        snapshot = _reread(change.source)
        values = {team_key(key, fields): value for key, value in change.fields.items()}
        try:
            raw = storyfile.set_fields(snapshot.raw, values) if values else snapshot.raw
        except GroomError as exc:
            raise type(exc)(exc.message, path=change.source.display, line=exc.line) from None
        _fits(raw, change.source.display)
        story_id = str(change.fields.get("id", change.source.id))
        if change.rename_to is not None:
            new_files.append(NewFile(change.rename_to, raw, change.new_display, story_id))
            gone.append(snapshot)
        elif raw != snapshot.raw:
            edits.append((snapshot, raw))
            changed.append((change.source.display, story_id))
    for source in removed:
        gone.append(_reread(source))
    _inside(
        root,
        [(s.path, s.path) for s, _ in edits]
        + [(n.path, n.display or n.path) for n in new_files]
        + [(s.path, s.path) for s in gone],
    )
    for new in new_files:
        if os.path.lexists(new.path):
            raise WriteConflict("already exists; nothing was changed", path=new.display or new.path)
    if not dry_run:
        save_all(edits, new_files, gone, journal=root)
    renamed = [(c.source.display, c.source.id) for c in changes if c.rename_to is not None]
    return Written(
        changed=tuple(changed),
        created=tuple((n.display or n.path, n.id) for n in new_files),
        removed=tuple((s.display, s.id) for s in removed) + tuple(renamed),
        dry_run=dry_run,
        renamed=len(renamed),
    )


def create_files(files: Mapping[str, bytes]) -> None:
    """Create new files and their folders (groom init), all or nothing; an existing name is
    refused. (A folder made before a refusal stays: it holds nothing.)"""
    for path in files:
        if os.path.lexists(path):
            raise WriteConflict("already exists; nothing was changed", path=path)
    for folder in {os.path.dirname(path) for path in files}:
        os.makedirs(folder, exist_ok=True)
    save_all([], [NewFile(path, raw) for path, raw in files.items()])


def write_output(path: Path, raw: bytes) -> None:
    """Write a file groom produces that is not a story (``groom report --out``), replacing what
    was there in one rename: a reader never sees half a page. Never a story of the backlog."""
    if path.is_dir():
        raise GroomError(f"{path} is a folder; give --out a file name (or - for standard output)")
    folder = path.parent
    if not folder.is_dir():
        raise GroomError(f"{folder}: no such folder; create it first or give --out another file")
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode) if path.exists() else _new_file_mode()
        temporary = _write_temp(str(path), raw, mode)
        try:
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise GroomError(f"{path}: cannot write it: {exc.strerror or exc}") from None


CACHE_IGNORE = "# groom's warm cache (groom cache clear empties it); written by groom, ignored by git\n*\n"


def write_cache(folder: Path, name: str, raw: bytes | list[bytes], *, ignore: bool = True) -> bool:
    """Replace the warm cache file ``folder/name`` in one rename (a reader sees the old file or
    the new one, never half). A folder it creates (or, with ``ignore``, its own folder) gets a
    ``.gitignore`` that ignores it, as ruff's cache does; a folder that is a link is refused (a
    cloned repository could point it anywhere). Not flushed to disk: a file cut short by a crash
    fails its checksum and is rebuilt. Temporary files a killed writer left are removed. False
    when it cannot be written (a read-only checkout): the cache is only a cache."""
    try:
        if folder.is_symlink():
            return False
        created = not folder.exists()
        if created:
            folder.mkdir(mode=0o755, parents=True)
        ignore_file = folder / ".gitignore"
        if (created or ignore) and not ignore_file.exists():
            os.replace(_write_temp_fast(str(ignore_file), CACHE_IGNORE.encode(), 0o644), ignore_file)
        temporary = _write_temp_fast(str(folder / name), raw, 0o600)
        try:
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _remove_stale_temporaries(folder)
    except OSError:
        return False
    return True


STALE_SECONDS = 600
"""A temporary cache file older than this was left by a writer that was killed."""


def _remove_stale_temporaries(folder: Path) -> None:
    now = time.time()
    for entry in os.scandir(folder):
        if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and now - entry.stat().st_mtime > STALE_SECONDS:
                    os.unlink(entry.path)


def clear_cache(folder: Path, names: Iterable[str]) -> int:
    """``groom cache clear``: remove the cache files ``names`` from ``folder`` and the temporary
    files of writers, then the ``.gitignore`` groom wrote (its own text only) and the folder when
    nothing else is left. Another backlog's cache in a shared folder stays; a folder that is a
    link is not touched. The number of files removed."""
    if folder.is_symlink() or not folder.is_dir():
        return 0
    wanted = set(names)
    removed = 0
    try:
        for path in sorted(folder.iterdir()):
            ours = path.name in wanted or (path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX))
            if ours and path.is_file() and not path.is_symlink():
                path.unlink()
                removed += 1
        left = list(folder.iterdir())
        ignore_file = folder / ".gitignore"
        if left == [ignore_file] and not ignore_file.is_symlink() and ignore_file.read_text() == CACHE_IGNORE:
            ignore_file.unlink()
            removed += 1
            folder.rmdir()
        elif not left:
            folder.rmdir()
    except (OSError, UnicodeDecodeError) as exc:
        raise GroomError(f"{folder}: cannot clear the cache: {getattr(exc, 'strerror', None) or exc}") from None
    return removed


def _write_temp_fast(path: str, raw: bytes | list[bytes], mode: int) -> str:
    """A temporary file beside ``path`` holding ``raw`` (or its parts, one after the other),
    not flushed to disk (for the cache)."""
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.writelines([raw] if isinstance(raw, bytes) else raw)
        os.chmod(tmp_name, mode)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return tmp_name


# ---------------------------------------------------------------------------------------
# the lock


class Lock:
    """An advisory lock on the backlog folder (flock on the folder itself: no lock file to
    commit by mistake). Writers hold it exclusively for their whole run, readers shared, so a
    reader never sees half of a multi-file write and two writers never interleave."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None
        self.exclusive = False

    def acquire(self, exclusive: bool) -> None:
        if self._fd is None:
            try:
                self._fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError:
                return  # no folder: nothing to protect yet (the command says what is missing)
        wait = float(os.environ.get("GROOM_LOCK_WAIT", LOCK_WAIT))
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
                self.exclusive = exclusive
                return
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    return  # a file system without locks: go on unprotected rather than stop
                if time.monotonic() >= deadline:
                    raise GroomError(
                        f"another groom is writing to {self.folder} (waited {wait:g} s); nothing was read or "
                        "written: run the command again in a moment"
                    ) from None
                time.sleep(0.05)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


# ---------------------------------------------------------------------------------------
# the atomic multi-file commit


def fingerprint(raw: bytes) -> str:
    """A stable digest of a file's bytes, for the journal (read by another process)."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _checkpoint(step: str) -> None:
    """A test hook: GROOM_TEST_CRASH_AT=N ends the process at the N-th step of a commit, as a
    power cut or a kill -9 would, so tests can prove that recovery works at every step."""
    wanted = os.environ.get("GROOM_TEST_CRASH_AT")
    if wanted is None:
        return
    _checkpoint.count = getattr(_checkpoint, "count", 0) + 1  # type: ignore[attr-defined]
    if _checkpoint.count == int(wanted):  # type: ignore[attr-defined]
        sys.stderr.write(f"groom: test crash at step {wanted} ({step})\n")
        os._exit(137)


def _unchanged(snapshot: storyfile.Snapshot) -> bool:
    try:
        info = os.lstat(snapshot.path)
    except FileNotFoundError:
        return False
    if (info.st_mtime_ns, info.st_size) != (snapshot.mtime_ns, snapshot.size):
        return False
    return Path(snapshot.path).read_bytes() == snapshot.raw


def _write_temp(path: str, raw: bytes, mode: int) -> str:
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return tmp_name


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _sync_folders(paths: Sequence[str]) -> None:
    """Make renames durable: fsync each folder whose entries changed."""
    for folder in sorted({os.path.dirname(path) or "." for path in paths}):
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


@dataclass(frozen=True, slots=True)
class _Step:
    """One file of a commit, as the journal records it."""

    kind: str  # "create", "replace" or "remove"
    target: str
    temp: str | None
    old: str | None
    new: str | None


def _write_journal(folder: Path, steps: Sequence[_Step]) -> str:
    document = {
        "version": 1,
        "command": " ".join(sys.argv[1:]),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "steps": [{"kind": s.kind, "target": s.target, "temp": s.temp, "old": s.old, "new": s.new} for s in steps],
    }
    path = str(folder / JOURNAL)
    temp = _write_temp(path, json.dumps(document, indent=1).encode(), 0o600)
    os.replace(temp, path)
    _sync_folders([path])
    return path


def save_all(
    changes: Sequence[tuple[storyfile.Snapshot, bytes]],
    created: Sequence[NewFile] = (),
    removed: Sequence[storyfile.Snapshot] = (),
    journal: Path | None = None,
) -> int:
    """Change, create and remove several files all or nothing; returns how many changed.

    Files whose bytes would not change are not touched. Every file to change or remove must
    still be what was read, and no file to create may exist. Then every new version is written
    to a temporary file beside its target and flushed; when a commit touches more than one file
    and ``journal`` names the backlog folder, a journal of the steps is written there; only then
    are new files linked into place (which fails rather than overwrite), changed files compared
    once more and renamed over the originals, and removed files unlinked. If a step fails, what
    was done is undone; if the process dies, the next run finishes the commit from the journal.
    """
    pending = [(snapshot, raw) for snapshot, raw in changes if raw != snapshot.raw]
    for snapshot in [s for s, _ in pending] + list(removed):
        if not _unchanged(snapshot):
            raise WriteConflict("changed on disk since groom read it; run the command again", path=snapshot.path)
    for new in created:
        if os.path.lexists(new.path):
            raise WriteConflict("already exists; nothing was changed", path=new.display or new.path)
    temps = _write_temps(pending, created)
    steps = [
        _Step("replace", s.path, temp, fingerprint(s.raw), fingerprint(raw))
        for (s, raw), temp in zip(pending, temps[: len(pending)], strict=True)
    ]
    steps += [
        _Step("create", n.path, temp, None, fingerprint(n.raw))
        for n, temp in zip(created, temps[len(pending) :], strict=True)
    ]
    steps += [_Step("remove", s.path, None, fingerprint(s.raw), None) for s in removed]
    try:
        journal_path = _write_journal(journal, steps) if journal is not None and len(steps) > 1 else None
    except OSError as exc:
        for name in temps:
            Path(name).unlink(missing_ok=True)
        raise WriteConflict(f"cannot write ({exc.strerror}); nothing was changed", path=exc.filename) from None
    _checkpoint("journal written")
    try:
        _commit(pending, created, removed, temps)
    finally:
        for name in temps:
            Path(name).unlink(missing_ok=True)
        _sync_folders([s.target for s in steps])
        if journal_path is not None:
            Path(journal_path).unlink(missing_ok=True)
    _checkpoint("journal removed")
    return len(steps)


def _write_temps(pending: Sequence[tuple[storyfile.Snapshot, bytes]], created: Sequence[NewFile]) -> list[str]:
    temps: list[str] = []
    try:
        for snapshot, raw in pending:
            temps.append(_write_temp(snapshot.path, raw, stat.S_IMODE(os.lstat(snapshot.path).st_mode)))
            _checkpoint("temporary file written")
        mode = _new_file_mode()
        for new in created:
            temps.append(_write_temp(new.path, new.raw, mode))
            _checkpoint("temporary file written")
    except OSError as exc:
        for name in temps:
            Path(name).unlink(missing_ok=True)
        raise WriteConflict(f"cannot write ({exc.strerror}); nothing was changed", path=exc.filename) from None
    return temps


def _commit(
    pending: Sequence[tuple[storyfile.Snapshot, bytes]],
    created: Sequence[NewFile],
    removed: Sequence[storyfile.Snapshot],
    temps: Sequence[str],
) -> None:
    linked: list[str] = []
    replaced: list[storyfile.Snapshot] = []
    unlinked: list[storyfile.Snapshot] = []
    modes: dict[str, int] = {}  # a file put back after a failure keeps its permissions
    try:
        for new, tmp_name in zip(created, temps[len(pending) :], strict=True):
            os.link(tmp_name, new.path)
            linked.append(new.path)
            _checkpoint("file created")
        for (snapshot, _), tmp_name in zip(pending, temps[: len(pending)], strict=True):
            # The last look before the rename: another program's save since groom read the
            # file is never overwritten.
            if not _unchanged(snapshot):
                raise WriteConflict("changed on disk while groom was writing; nothing was changed", path=snapshot.path)
            modes[snapshot.path] = stat.S_IMODE(os.lstat(snapshot.path).st_mode)
            os.replace(tmp_name, snapshot.path)
            replaced.append(snapshot)
            _checkpoint("file replaced")
        for snapshot in removed:
            modes[snapshot.path] = stat.S_IMODE(os.lstat(snapshot.path).st_mode)
            os.unlink(snapshot.path)
            unlinked.append(snapshot)
            _checkpoint("file removed")
    except BaseException as exc:
        for name in linked:
            Path(name).unlink(missing_ok=True)
        for snapshot in replaced + unlinked:
            restore = _write_temp(snapshot.path, snapshot.raw, modes[snapshot.path])
            os.replace(restore, snapshot.path)
        if not isinstance(exc, OSError):
            raise
        failed = exc.filename or ""
        raise WriteConflict(f"cannot write ({exc.strerror}); nothing was changed", path=str(failed)) from None


# ---------------------------------------------------------------------------------------
# recovery


def _current(path: str) -> str | None:
    try:
        return fingerprint(storyfile.read_regular(path).raw)
    except GroomError:
        return None


def _finish(step: dict[str, Any]) -> str | None:
    """Carry one journal step to its end; a note when it cannot be (someone changed the file)."""
    target, temp, old, new = step["target"], step.get("temp"), step.get("old"), step.get("new")
    now = _current(target) if os.path.lexists(target) else None
    if now == new:
        return None  # done before the interruption
    if step["kind"] == "remove":
        if now == old:
            os.unlink(target)
            return None
        return f"{target}: changed after the interrupted write; left as it is"
    if temp is None or not os.path.exists(temp) or _current(temp) != new:
        return f"{target}: the new version was lost; left as it is"
    if step["kind"] == "create" and now is None:
        os.replace(temp, target)
        return None
    if step["kind"] == "replace" and now == old:
        os.replace(temp, target)
        return None
    return f"{target}: changed after the interrupted write; left as it is"


def _stray_temps(folder: Path) -> Iterator[str]:
    for current, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".") or name.startswith(TEMP_PREFIX)]
        for name in files:
            if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                yield os.path.join(current, name)


def recover(folder: Path) -> list[str]:
    """Finish a commit a crash interrupted (from the journal) and remove stray temporary files;
    call with the lock held exclusively. Returns what it did, one line each, for stderr."""
    said: list[str] = []
    journal = folder / JOURNAL
    if journal.exists():
        try:
            document = json.loads(journal.read_text(encoding="utf-8"))
            steps = list(document["steps"])
        except (OSError, ValueError, KeyError, TypeError):
            said.append(f"{journal}: an unreadable journal of an interrupted write; removed it")
            steps = []
            document = {}
        notes = [note for note in (_finish(step) for step in steps) if note]
        command = document.get("command") or "a write"
        done = len(steps) - len(notes)
        said.append(f"finished the interrupted 'groom {command}' ({done} of {len(steps)} files)")
        said.extend(notes)
        _sync_folders([str(step["target"]) for step in steps] + [str(journal)])
        journal.unlink(missing_ok=True)
    strays = list(_stray_temps(folder))
    for path in strays:
        Path(path).unlink(missing_ok=True)
    if strays:
        said.append(f"removed {len(strays)} temporary file(s) an interrupted groom left behind")
    return said
