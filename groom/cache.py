"""The warm cache: what reading and judging each story file gave, kept between runs.

Between two runs in a working copy almost no file changes, yet every run would parse every
front matter again. The cache keeps, per story file, what reading it gave (the front matter,
the body's facts, the digest of its bytes, or why it cannot be read) and what the
judge found (schema and DoR verdicts, with the context they read), and gives it back while
the file is provably the same file: its size, modification time (ns), inode and change time
are those it had before it was read. Whole-backlog rules (duplicates, references, cycles,
ranks) are always computed again from the data.

Safe by construction:

- The key of a whole cache file is everything else that can change an answer: the format,
  groom's version and source files, the libraries that parse and judge, the config (every
  value, and its file's bytes) and the schema files' bytes. Another key: the file is ignored.
- A file changed within ``SETTLE_NS`` of the moment it was read could change again without its
  times moving (a coarse clock, a coarse file system): its entry is only trusted after its bytes
  are read again and match the digest kept (git's "racily clean" entries).
- JSON only: a cache file cannot run code. Every value taken from it is type-checked; a file
  that is not ours (another owner, a link, not a regular file), cut short or corrupt (its
  CRC-32 does not match), from another version or not parseable is ignored and rewritten.
- One rename replaces the file (edits.write_cache): concurrent runs never leave half a file.

Stored in ``.groom_cache/`` beside groom.toml (or the working folder without one), which holds
its own ``.gitignore``; ``GROOM_CACHE_DIR`` puts it elsewhere. ``--no-cache`` and
``[cache] enabled = false`` turn it off; ``groom cache clear`` empties it.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import stat
import sys
import time
import zlib
from collections.abc import Callable
from contextlib import suppress
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import msgspec

from groom import __version__, edits, records, storyfile
from groom.backlog import Loaded, display_path
from groom.config import Config
from groom.errors import GroomError
from groom.model import Story
from groom.naming import Reading
from groom.records import ENCODER, Record, digest_bytes, encode_all, parts_of, row

FORMAT = 3
"""The layout of a cache file; a file of another layout is ignored."""
FOLDER = ".groom_cache"
ENVIRONMENT = "GROOM_CACHE_DIR"
FOREGROUND = "GROOM_CACHE_FOREGROUND"
"""Set to 1: write the cache before the command returns, not in a detached process."""
MAX_FD = 1 << 16
SUFFIX = ".msgpack"
SETTLE_NS = 2_000_000_000
"""A file whose modification or change time is closer than this to the moment it was read is
checked by its bytes on the next run: 2 s covers file systems that keep whole or even seconds
(FAT, HFS+) and clocks that advance in ticks."""
MAX_BYTES = 1 << 31
"""A cache file larger than this is not read (2 GiB: far above 2 KB × 100,000 stories)."""

Stat = tuple[int, int, int, int]


class _Entry(msgspec.Struct, array_like=True, gc=False):
    """One story file: its identity when it was read, what reading it gave (a records.Record:
    the digest of its bytes, its front matter, its facts kept encoded), and the
    judge's verdicts, kept encoded until asked for."""

    path: str
    """Relative to the backlog folder."""
    size: int
    mtime: int
    ino: int
    ctime: int
    settled: bool
    partial: bool
    """Read for its placement only (the front matter's ordering keys): it cannot give a story."""
    record: Record
    verdicts: msgspec.Raw
    """{kind: [context, rows]}, as ready.Memo keeps them."""


_ENTRIES = msgspec.msgpack.Decoder(list[_Entry])
_ANY = msgspec.msgpack.Decoder()


def folder(config: Config) -> Path:
    """Where the cache files of this configuration live."""
    chosen = os.environ.get(ENVIRONMENT)
    return Path(chosen) if chosen else config.root / FOLDER


def _source_stamp() -> list[Any]:
    """What stands for groom's own code and the libraries that read and judge: a changed
    checkout or an upgrade makes another key (an editable install changes without a version)."""
    stamp: list[Any] = [__version__, sys.version]
    package = Path(__file__).parent
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.json")]):
        info = path.stat()
        stamp.append((str(path.relative_to(package)), info.st_size, info.st_mtime_ns))
    libraries = ("yaml", "_yaml", "jsonschema", "referencing", "jsonschema_specifications", "rpds", "msgspec")
    for name in (*libraries, "jsonschema_rs", "regex", "rfc3339_validator"):
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin and os.path.isfile(origin):
            info = os.stat(origin)
            stamp.append((name, origin, info.st_size, info.st_mtime_ns))
        else:
            stamp.append((name, None))
    return stamp


def run_key(config: Config) -> str:
    """Everything besides the story files that can change what reading and judging give."""
    digest = hashlib.blake2b(digest_size=20)
    parts: list[Any] = [FORMAT, repr(config), _source_stamp()]
    files = [config.source, config.story_schema, config.ready_schema]
    folders = {path.parent for path in (config.story_schema, config.ready_schema) if path is not None}
    for schema_folder in sorted(folders):
        files.extend(sorted(schema_folder.glob("*.json")))
    for path in files:
        if path is None:
            continue
        try:  # read as a story is (never a FIFO, which would block): what cannot be read, the run says
            raw = storyfile.read_bytes(str(path))
            parts.append((str(path), hashlib.blake2b(raw, digest_size=20).hexdigest()))
        except (GroomError, OSError) as exc:
            parts.append((str(path), f"unreadable: {exc}"))
    digest.update(json.dumps(parts, default=str).encode())
    return digest.hexdigest()


def _stat(path: str) -> Stat | None:
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def _settled(info: Stat, read_at: int) -> bool:
    return info[1] < read_at - SETTLE_NS and info[3] < read_at - SETTLE_NS


class Cache:
    """One backlog's cache file: read once when the run starts, written once when it ends
    (only when something changed)."""

    def __init__(self, config: Config, where: Path | None = None) -> None:
        self.folder = where or folder(config)
        self.own_folder = where is None and ENVIRONMENT not in os.environ
        """The folder beside groom.toml, which ignores itself in git (not one the user chose)."""
        self.root = str(config.backlog).rstrip("/") + "/"
        self.name = file_names(config)[0]
        self.key = run_key(config)
        self.reading: Reading = config.reading
        self._old: dict[str, _Entry] = {}
        """Entries read from the file, by path."""
        self._new: dict[str, _Entry | _Fresh] = {}
        """Entries of this run's files, by path: kept as read, or what this run read."""
        self._verdicts: dict[str, _Verdicts] = {}
        """Verdicts this run found, by path: written into the entries when the file is saved."""
        self._pending: dict[str, tuple[Stat | None, int]] = {}
        """Files to be read: their times before the read (None: not taken), when it began."""
        self._cold_at: int | None = None
        """When a cold run began to read every file (then none is in _pending: 5 MB on 100,000)."""
        self._batches: list[tuple[list[str], list[Loaded], bool]] = []
        """What keep() was given, made into entries only when they are looked up or written."""
        self._kept_texts: dict[bytes, Any] = {}
        """Kept verdicts decoded, by their encoded text: most stories' are alike byte for byte
        (no findings, no gaps), so each text is decoded once a run."""
        self._checked = False
        self.detached = False
        """Whether a writer process was left to write the cache (then this process, sharing its
        memory pages with it, had better end without tearing its objects down: cli.run)."""
        self.changed = False
        self._load()

    # -- the file ------------------------------------------------------------------------

    def _load(self) -> None:
        """The entries of the cache file, when it is ours, whole and of this key; else none."""
        raw = _read_own(self.folder / self.name)
        if raw is None:
            return
        end = raw.find(b"\n")
        try:
            header = json.loads(raw[:end]) if end >= 0 else None
        except ValueError:
            return
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != self.key:
            return
        body = memoryview(raw)[end + 1 :]  # not a copy: the entries' encoded parts point into it
        if header.get("crc") != zlib.crc32(body):
            return
        # Decoding makes a container per story and frees none: the collector would only scan
        # them again and again (measured on 100,000 stories: 0.62 s decoding with it, 0.27 s without).
        enabled = gc.isenabled()
        gc.disable()
        try:
            entries = _ENTRIES.decode(body)
            if header.get("count") != len(entries):
                return
            self._old = {entry.path: entry for entry in entries}
        except msgspec.DecodeError:
            return
        finally:
            if enabled:
                gc.enable()
        self._checked = header.get("schemas") == self.key

    @property
    def schemas_checked(self) -> bool:
        """Whether a run with this key built the schemas without a ConfigError (the key holds
        their bytes, the config, groom and the libraries: building them again gives the same)."""
        return self._checked

    @schemas_checked.setter
    def schemas_checked(self, checked: bool) -> None:
        if checked != self._checked:
            self._checked = checked
            self.changed = True

    @property
    def foreground(self) -> bool:
        """Whether the cache is written before the command returns (not by a detached writer)."""
        return not _detachable()

    @property
    def warm(self) -> bool:
        """Whether the cache file held anything for this run (else every file is read)."""
        return bool(self._old)

    def save(self, complete: Callable[[], object] | None = None) -> bool:
        """Write the cache file when this run changed what it holds, after ``complete()`` (what
        the run left for the cache to do, such as judging every story for the next run).

        On Linux the writing is left to a forked process that nobody waits for (as git leaves
        ``gc --auto``): the command ends as soon as its answer is out, and a cold run costs what
        a run without the cache costs. ``GROOM_CACHE_FOREGROUND=1`` writes before returning.
        False when the file could not be written (a read-only checkout): the next run reads the
        files again, nothing worse."""
        if complete is None and not self._dirty:
            return True
        if _detachable():
            self.detached = _detached(lambda: self._write(complete))
            return True
        return self._write(complete)

    @property
    def _dirty(self) -> bool:
        return self.changed or self._entries.keys() != self._old.keys()

    def _write(self, complete: Callable[[], object] | None) -> bool:
        if complete is not None:
            with suppress(GroomError):  # what was judged before is kept; the next run says the rest
                complete()
        if not self._dirty:
            return True
        made = (self._entry(relative, found) for relative, found in self._entries.items())
        entries = [entry for entry in made if entry is not None]
        body, refused = encode_all(entries)
        if refused:  # front matter msgpack cannot hold (an integer beyond 64 bits): read every run
            left = set(refused)
            entries = [entry for index, entry in enumerate(entries) if index not in left]
            body, _ = encode_all(entries)
        count = len(entries)
        header = {"format": FORMAT, "groom": __version__, "key": self.key, "count": count}
        if self._checked:
            header["schemas"] = self.key
        header["crc"] = zlib.crc32(body)
        parts = [json.dumps(header).encode() + b"\n", body]
        return edits.write_cache(self.folder, self.name, parts, ignore=self.own_folder)

    def _entry(self, relative: str, found: _Entry | _Fresh) -> _Entry | tuple[Any, ...] | None:
        """An entry as it will be written: as read, with this run's verdicts for its bytes added."""
        mine = self._verdicts.get(relative)
        if isinstance(found, _Fresh):
            fresh = mine is not None and isinstance(found.result, Story) and found.result.digest == mine.digest
            return found.entry(relative, mine.kinds if mine is not None and fresh else {})
        verdicts = mine.kinds if mine is not None and digest_bytes(mine.digest) == found.record.digest else None
        if verdicts:
            kept = self._kept_verdicts(found.verdicts)
            kept = {**kept, **verdicts} if isinstance(kept, dict) else verdicts
            return msgspec.structs.replace(found, verdicts=msgspec.Raw(ENCODER.encode(kept)))
        return found

    # -- reading stories -----------------------------------------------------------------

    def recall(self, paths: list[str], cwd: str, placements: bool) -> tuple[list[Loaded], list[str]]:
        """(what the cache holds for ``paths``, the paths that must be read). A story is
        given back only while its file has the size and times it had before it was read; one
        that was changed around the moment it was read is compared by its bytes first."""
        known: list[Loaded] = []
        missing: list[str] = []
        now = time.time_ns()
        root, old, new, pending = self.root, self._old, self._new, self._pending
        if not old:  # cold: nothing to compare; the writer takes the files' times after the fact
            self._cold_at = self._cold_at or now
            return known, list(paths)
        skip = len(root)
        base = cwd.rstrip("/") + "/"  # display_path's usual case, worked out once
        for path in paths:
            info = _stat(path)
            relative = path[skip:] if path.startswith(root) else path
            entry = old.get(relative)
            result: Loaded | None = None
            if info is not None and entry is not None and (entry.size, entry.mtime, entry.ino, entry.ctime) == info:
                if placements or not entry.partial:
                    shown = path[len(base) :] if path.startswith(base) else display_path(path, cwd)
                    result = records.result(entry.record, path, shown, placements, self.reading)
                if result is not None and not entry.settled:
                    result, settled = _confirm(path, entry, result, info, now)
                    if settled:
                        entry = msgspec.structs.replace(entry, settled=True)
                        self.changed = True
                if result is not None:
                    new[relative] = entry
            if result is None:
                missing.append(path)
                if info is not None:
                    pending[path] = (info, now)
            else:
                known.append(result)
        return known, missing

    def keep(self, paths: list[str], results: list[Loaded], placements: bool) -> None:
        """Remember what reading ``paths`` (those recall() said to read) gave, in order."""
        if paths:
            self._batches.append((paths, results, placements))
            self.changed = True

    @property
    def _entries(self) -> dict[str, _Entry | _Fresh]:
        """This run's entries by path, what keep() was given included."""
        pending, new, cold = self._pending, self._new, self._cold_at
        for paths, results, placements in self._batches:
            for path, result in zip(paths, results, strict=True):
                relative = self._relative(path)
                taken = pending.pop(path, None) if cold is None else None if relative in new else (None, cold)
                if taken is not None:
                    new[relative] = _Fresh(path, *taken, result, placements)
        self._batches.clear()
        return new

    def _relative(self, path: str) -> str:
        """A story file's path as the cache keys it: relative to the backlog folder."""
        return path[len(self.root) :] if path.startswith(self.root) else path

    # -- verdicts (ready.Memo) ------------------------------------------------------------

    def recall_verdict(self, kind: str, story: Story, context: list[Any]) -> list[Any] | None:
        relative = self._relative(story.path)
        mine = self._verdicts.get(relative)
        if mine is not None and mine.digest == story.digest:  # what this run found for these bytes
            rows = mine.kinds.get(kind)
            if rows is not None and rows[0] == context:
                found_now: list[Any] = rows[1]
                return found_now
        found = self._new.get(relative)
        if (
            not isinstance(found, _Entry)
            or found.record.kind != "s"
            or found.record.digest != digest_bytes(story.digest)
        ):
            return None
        verdicts = self._kept_verdicts(found.verdicts)
        kept = verdicts.get(kind) if isinstance(verdicts, dict) else None
        if not isinstance(kept, list) or len(kept) != 2 or kept[0] != context or not isinstance(kept[1], list):
            return None
        return kept[1]

    def _kept_verdicts(self, encoded: msgspec.Raw) -> Any:
        """An entry's verdicts, decoded (None when they do not decode). Shared between the
        stories whose verdicts are the same text: nothing changes what recall_verdict gives."""
        text = bytes(encoded)
        try:
            return self._kept_texts[text]
        except KeyError:
            pass
        try:
            decoded = _ANY.decode(text)
        except msgspec.DecodeError:
            decoded = None
        self._kept_texts[text] = decoded
        return decoded

    def keep_verdict(self, kind: str, story: Story, context: list[Any], rows: list[Any]) -> None:
        """Keep what the judge found for a story this run knows: one the cache gave back, or one
        read this run (whose entry is made only when the file is written: an entry for every
        story read would be a tenth of a cold run's memory). The verdicts go into the entry
        only if it is of these very bytes."""
        relative = self._relative(story.path)
        found = self._new.get(relative)
        if found is None and self._cold_at is None and story.path not in self._pending:
            return
        if isinstance(found, _Entry) and (
            found.record.kind != "s" or found.record.digest != digest_bytes(story.digest)
        ):
            return
        mine = self._verdicts.get(relative)
        if mine is None or mine.digest != story.digest:
            mine = self._verdicts[relative] = _Verdicts(story.digest)
        mine.kinds[kind] = [context, rows]
        self.changed = True

    @property
    def memo(self) -> _Memo:
        return _Memo(self)


class _Verdicts:
    """What the judge found this run for the bytes of one story file, by kind: [context, rows]."""

    __slots__ = ("digest", "kinds")

    def __init__(self, digest: int) -> None:
        self.digest = digest
        self.kinds: dict[str, list[Any]] = {}


class _Fresh:
    """What this run read of a file, made into an entry only when the cache is written."""

    __slots__ = ("info", "partial", "path", "read_at", "result")

    def __init__(self, path: str, info: Stat | None, read_at: int, result: Loaded, partial: bool) -> None:
        self.path = path
        self.info = info
        self.read_at = read_at
        self.result = result
        self.partial = partial

    def entry(self, relative: str, verdicts: dict[str, list[Any]]) -> tuple[Any, ...] | None:
        """The entry laid out as _Entry is encoded (written in the one encode of the file), or
        None for a file that is gone. A file whose times were not taken before it was read has
        them taken now: any change since the read began moved its change time past that moment,
        so its entry is not settled and the next run compares its bytes before trusting it."""
        info = self.info if self.info is not None else _stat(self.path)
        if info is None:
            return None
        settled = _settled(info, self.read_at)
        # A story's parts as the process that read it encoded them, unless decoded (not encoded twice).
        parts = parts_of(self.result) if isinstance(self.result, Story) else None
        return (relative, *info, settled, self.partial, row(self.result, parts), verdicts)


def _detachable() -> bool:
    return sys.platform == "linux" and os.environ.get(FOREGROUND) != "1"


def _detached(work: Callable[[], object]) -> bool:
    """Run ``work`` in a forked process of its own session, its output going nowhere, and
    return at once (True: handed over). Where no process can be forked, run it here (False)."""
    for stream in (sys.stdout, sys.stderr):  # what is buffered is this process's to write
        with suppress(OSError, ValueError):
            stream.flush()
    try:
        pid = os.fork()
    except OSError:
        work()
        return False
    if pid:
        return True
    try:  # the writer: no terminal, no inherited files (no lock, no pipe a reader waits on)
        os.setsid()
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        os.closerange(3, MAX_FD)
        os.nice(10)
        work()
    finally:
        os._exit(0)


class _Memo:
    """The cache as the judge's memo (ready.Memo): the cache's own methods, bound once (a warm
    check asks 10,000 times; a method that only passes the call on costs a tenth of that)."""

    def __init__(self, cache: Cache) -> None:
        self.recall = cache.recall_verdict
        self.keep = cache.keep_verdict


def _read_own(path: Path) -> bytearray | None:
    """The cache file's bytes when it is a regular file of this user (not a link); else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            return None  # written by someone else: never trusted
        raw = bytearray(info.st_size + 1)  # one buffer, read into: no copy of 100 MB
        with memoryview(raw) as view:
            filled = 0
            while filled < len(raw):
                got = os.readv(fd, [view[filled:]])
                if not got:
                    break
                filled += got
        if filled > info.st_size:
            return None  # it grew while read: another run is replacing it (a new file, not this one)
        del raw[filled:]
        return raw
    except OSError:
        return None
    finally:
        os.close(fd)


def _confirm(path: str, entry: _Entry, result: Loaded, info: Stat, now: int) -> tuple[Loaded | None, bool]:
    """An entry read around the time its file last changed: trusted only when the bytes are
    still those it was read from (then, once its times are old enough, settled)."""
    if entry.record.kind == "u":
        return None, False  # no digest to compare: read it again
    try:
        raw = storyfile.read_bytes(path)
    except (GroomError, OSError):  # unreadable now: read it again the usual way, which says why
        return None, False
    if digest_bytes(storyfile.digest(raw)) != entry.record.digest:
        return None, False
    return result, _settled(info, now)


def open_cache(config: Config, enabled: bool | None = None) -> Cache | None:
    """The run's cache, or None when it is off: ``--cache``/``--no-cache`` decide for one run,
    else ``[cache] enabled`` in groom.toml, else on, except in CI (``CI`` set, as GitHub Actions,
    GitLab CI and most services set it): a fresh checkout would only pay for a cache nobody reads."""
    if enabled is None:
        enabled = config.cache if config.cache is not None else not in_ci()
    return Cache(config) if enabled else None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def file_names(config: Config) -> tuple[str, ...]:
    """The names this backlog's cache file has had: this format's first."""
    name = hashlib.blake2b(str(config.backlog).encode(), digest_size=8).hexdigest()
    return (f"backlog-{name}{SUFFIX}", f"backlog-{name}.json")


def clear(config: Config) -> tuple[Path, int]:
    """``groom cache clear``: (the cache folder, how many files were removed)."""
    where = folder(config)
    return where, edits.clear_cache(where, file_names(config))
