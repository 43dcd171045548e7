"""The one guarded writer: every file groom changes, creates or removes goes through here.

A command plans from stories it read; ``apply`` then re-reads each file it is about to change,
refuses when the file is no longer the bytes the plan was computed from (one rule for every
command: the whole file, by digest), splices the changed values in with
``storyfile.set_fields``, and commits everything with ``save_all``: all files or none.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from groom import storyfile
from groom.errors import WriteConflict


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
    """What a write changed (or, for a dry run, would change): (display path, id) pairs."""

    changed: tuple[tuple[str, str], ...] = ()
    created: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    dry_run: bool = False
    skipped: tuple[str, ...] = field(default=())
    """Display paths of planned changes whose bytes came out the same: nothing to write."""

    @property
    def count(self) -> int:
        return len(self.changed) + len(self.created) + len(self.removed)


def preview(changes: Sequence[Change] = (), created: Sequence[NewFile] = (), removed: Sequence[Source] = ()) -> Written:
    """What ``apply`` would report, without reading or writing anything."""
    return Written(
        changed=tuple((c.source.display, str(c.fields.get("id", c.source.id))) for c in changes if not c.rename_to),
        created=tuple((n.display or n.path, n.id) for n in created)
        + tuple(
            (c.new_display or str(c.rename_to), str(c.fields.get("id", c.source.id))) for c in changes if c.rename_to
        ),
        removed=tuple((s.display, s.id) for s in removed)
        + tuple((c.source.display, c.source.id) for c in changes if c.rename_to),
        dry_run=True,
    )


def _reread(source: Source) -> storyfile.Snapshot:
    snapshot = storyfile.read_regular(source.path)
    if storyfile.digest(snapshot.raw) != source.digest:
        raise WriteConflict(
            "changed on disk since groom read it; nothing was written: run the command again", path=source.display
        )
    return snapshot


def apply(changes: Sequence[Change] = (), created: Sequence[NewFile] = (), removed: Sequence[Source] = ()) -> Written:
    """Make the planned changes, all or nothing, refusing any file changed since it was read."""
    edits: list[tuple[storyfile.Snapshot, bytes]] = []
    new_files = list(created)
    gone: list[storyfile.Snapshot] = []
    changed: list[tuple[str, str]] = []
    skipped: list[str] = []
    for change in changes:
        snapshot = _reread(change.source)
        raw = storyfile.set_fields(snapshot.raw, change.fields) if change.fields else snapshot.raw
        story_id = str(change.fields.get("id", change.source.id))
        if change.rename_to is not None:
            new_files.append(NewFile(change.rename_to, raw, change.new_display, story_id))
            gone.append(snapshot)
        elif raw != snapshot.raw:
            edits.append((snapshot, raw))
            changed.append((change.source.display, story_id))
        else:
            skipped.append(change.source.display)
    for source in removed:
        gone.append(_reread(source))
    save_all(edits, new_files, gone)
    renamed = [(c.source.display, c.source.id) for c in changes if c.rename_to is not None]
    return Written(
        changed=tuple(changed),
        created=tuple((n.display or n.path, n.id) for n in new_files),
        removed=tuple((s.display, s.id) for s in removed) + tuple(renamed),
        skipped=tuple(skipped),
    )


def create_files(files: Mapping[str, bytes]) -> None:
    """Create new files (groom init), all or nothing; an existing name is refused."""
    save_all([], [NewFile(path, raw) for path, raw in files.items()])


# ---------------------------------------------------------------------------------------
# the atomic multi-file commit


def _unchanged(snapshot: storyfile.Snapshot) -> bool:
    try:
        info = os.lstat(snapshot.path)
    except FileNotFoundError:
        return False
    if (info.st_mtime_ns, info.st_size) != (snapshot.mtime_ns, snapshot.size):
        return False
    return Path(snapshot.path).read_bytes() == snapshot.raw


def _write_temp(path: str, raw: bytes, mode: int) -> str:
    fd, tmp_name = tempfile.mkstemp(prefix=".groom-", suffix=".tmp", dir=os.path.dirname(path) or ".")
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


def save_all(
    changes: Sequence[tuple[storyfile.Snapshot, bytes]],
    created: Sequence[NewFile] = (),
    removed: Sequence[storyfile.Snapshot] = (),
) -> int:
    """Change, create and remove several files all or nothing; returns how many changed.

    Files whose bytes would not change are not touched. Every file to change or remove must
    still be what was read, and no file to create may exist. Then every new version is written
    to a temporary file beside its target and flushed; only when all are on disk are new files
    linked into place (which fails rather than overwrite), changed files renamed over the
    originals, and removed files unlinked. If any step fails, what was done is undone: created
    files are removed and replaced or removed files get their original bytes back.
    """
    pending = [(snapshot, raw) for snapshot, raw in changes if raw != snapshot.raw]
    for snapshot in [s for s, _ in pending] + list(removed):
        if not _unchanged(snapshot):
            raise WriteConflict("changed on disk since groom read it; run the command again", path=snapshot.path)
    for new in created:
        if os.path.lexists(new.path):
            raise WriteConflict("already exists; nothing was changed", path=new.display or new.path)
    temps: list[str] = []
    try:
        for snapshot, raw in pending:
            temps.append(_write_temp(snapshot.path, raw, stat.S_IMODE(os.lstat(snapshot.path).st_mode)))
        mode = _new_file_mode()
        for new in created:
            temps.append(_write_temp(new.path, new.raw, mode))
    except OSError as exc:
        for name in temps:
            Path(name).unlink(missing_ok=True)
        raise WriteConflict(f"cannot write ({exc.strerror}); nothing was changed", path=exc.filename) from None
    linked: list[str] = []
    replaced: list[storyfile.Snapshot] = []
    unlinked: list[storyfile.Snapshot] = []
    try:
        for new, tmp_name in zip(created, temps[len(pending) :], strict=True):
            os.link(tmp_name, new.path)
            linked.append(new.path)
        for (snapshot, _), tmp_name in zip(pending, temps[: len(pending)], strict=True):
            os.replace(tmp_name, snapshot.path)
            replaced.append(snapshot)
        for snapshot in removed:
            os.unlink(snapshot.path)
            unlinked.append(snapshot)
    except BaseException as exc:
        for name in linked:
            Path(name).unlink(missing_ok=True)
        for snapshot in replaced + unlinked:
            restore = _write_temp(snapshot.path, snapshot.raw, _new_file_mode())
            os.replace(restore, snapshot.path)
        if not isinstance(exc, OSError):
            raise
        failed = exc.filename or ""
        raise WriteConflict(f"cannot write ({exc.strerror}); nothing was changed", path=str(failed)) from None
    finally:
        for name in temps:
            Path(name).unlink(missing_ok=True)
    return len(pending) + len(created) + len(removed)
