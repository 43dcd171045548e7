"""The warm cache: what reading and judging each story file gave, kept between runs.

Between two runs in a working copy almost no file changes, yet every run would parse every
front matter again. The cache keeps, per story file, what reading it gave (the front matter,
its text, the body's facts, the digest of its bytes, or why it cannot be read) and what the
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

import hashlib
import json
import os
import stat
import sys
import time
import zlib
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

import msgspec

from groom import __version__, edits, storyfile
from groom.backlog import Loaded, display_path
from groom.config import Config
from groom.errors import GroomError
from groom.facts import Facts, Question
from groom.model import Placement, Story, Unreadable, deferred_story
from groom.naming import Reading

FORMAT = 2
"""The layout of a cache file; a file of another layout is ignored."""
FOLDER = ".groom_cache"
ENVIRONMENT = "GROOM_CACHE_DIR"
SUFFIX = ".msgpack"
SETTLE_NS = 2_000_000_000
"""A file whose modification or change time is closer than this to the moment it was read is
checked by its bytes on the next run: 2 s covers file systems that keep whole or even seconds
(FAT, HFS+) and clocks that advance in ticks."""
MAX_BYTES = 1 << 31
"""A cache file larger than this is not read (2 GiB: far above 2 KB × 100,000 stories)."""

Stat = tuple[int, int, int, int]


class _Question(msgspec.Struct, array_like=True, frozen=True, gc=False):
    text: str
    owner: str | None
    answered: bool
    line: int


class _Facts(msgspec.Struct, array_like=True, frozen=True, gc=False):
    narrative: bool
    description: bool
    criteria: list[str]
    questions: list[_Question]
    criteria_line: int
    body_line: int
    narrative_text: str


class _Text(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """What a story entry keeps until a command asks for it: the front matter text, the facts."""

    front_matter: str
    facts: _Facts


class _Broken(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """Why a file cannot be read (model.Unreadable without its paths)."""

    line: int
    column: int
    rule: str
    message: str
    id: str


class _Entry(msgspec.Struct, array_like=True, gc=False):
    """One story file: its identity when read, the digest of its bytes, and what it gave.

    ``kind``: "s" a story (``data`` its front matter, ``detail`` a _Text), "p" a placement (the
    front matter only), "u" a file that cannot be read as a story, "up" one read for its
    placement (``detail`` a _Broken). ``detail`` and ``verdicts`` stay encoded until asked for:
    most runs need neither for most stories."""

    path: str
    """Relative to the backlog folder."""
    size: int
    mtime: int
    ino: int
    ctime: int
    settled: bool
    digest: bytes
    kind: Literal["s", "p", "u", "up"]
    data: dict[str, Any] | None
    detail: msgspec.Raw
    verdicts: msgspec.Raw
    """{kind: [context, rows]}, as ready.Memo keeps them."""


_ENTRIES = msgspec.msgpack.Decoder(list[_Entry])
_TEXT = msgspec.msgpack.Decoder(_Text)
_BROKEN = msgspec.msgpack.Decoder(_Broken)
_ANY = msgspec.msgpack.Decoder()
_ENCODER = msgspec.msgpack.Encoder()
_NOTHING = msgspec.Raw(_ENCODER.encode(None))
_NO_VERDICTS = msgspec.Raw(_ENCODER.encode({}))


def folder(config: Config) -> Path:
    """Where the cache files of this configuration live."""
    chosen = os.environ.get(ENVIRONMENT)
    return Path(chosen) if chosen else config.root / FOLDER


def _source_stamp() -> list[Any]:
    """What stands for groom's own code and the libraries that read and judge: a changed
    checkout or an upgrade makes another key (an editable install changes without a version)."""
    stamp: list[Any] = [__version__, sys.version]
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        info = path.stat()
        stamp.append((str(path.relative_to(package)), info.st_size, info.st_mtime_ns))
    for name in ("yaml", "_yaml", "jsonschema", "referencing", "jsonschema_specifications", "rpds", "msgspec"):
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin and os.path.isfile(origin):
            info = os.stat(origin)
            stamp.append((name, origin, info.st_size, info.st_mtime_ns))
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
        try:
            parts.append((str(path), hashlib.blake2b(path.read_bytes(), digest_size=20).hexdigest()))
        except OSError as exc:
            parts.append((str(path), f"unreadable: {exc.errno}"))
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
        self.root = str(config.backlog).rstrip("/") + "/"
        name = hashlib.blake2b(str(config.backlog).encode(), digest_size=8).hexdigest()
        self.name = f"backlog-{name}{SUFFIX}"
        self.key = run_key(config)
        self.reading: Reading = config.reading
        self._old: dict[str, _Entry] = {}
        """Entries read from the file, by path."""
        self._new: dict[str, _Entry | _Fresh] = {}
        """Entries of this run's files, by path: kept as read, or what this run read."""
        self._verdicts: dict[str, dict[str, list[Any]]] = {}
        """Verdicts this run found, by path: written into the entries when the file is saved."""
        self._pending: dict[str, tuple[Stat, int]] = {}
        self._checked = False
        self.changed = False
        self.hits = 0
        self.misses = 0
        self._load()

    # -- the file ------------------------------------------------------------------------

    def _load(self) -> None:
        """The entries of the cache file, when it is ours, whole and of this key; else none."""
        raw = _read_own(self.folder / self.name)
        if raw is None:
            return
        head, _, body = raw.partition(b"\n")
        try:
            header = json.loads(head)
        except ValueError:
            return
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != self.key:
            return
        if header.get("crc") != zlib.crc32(body):
            return
        try:
            entries = _ENTRIES.decode(body)
        except msgspec.DecodeError:
            return
        if header.get("count") != len(entries):
            return
        self._old = {entry.path: entry for entry in entries}
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

    def save(self) -> bool:
        """Write the cache file when this run changed what it holds. False when it could not be
        written (a read-only checkout): the next run reads the files again, nothing worse."""
        if not self.changed and self._new.keys() == self._old.keys():
            return True
        entries = [self._entry(relative, found) for relative, found in self._new.items()]
        try:
            body, count = _ENCODER.encode(entries), len(entries)
        except (TypeError, ValueError, OverflowError, UnicodeEncodeError):
            body, count = _encode_each(entries)
        header = {"format": FORMAT, "groom": __version__, "key": self.key, "count": count}
        if self._checked:
            header["schemas"] = self.key
        header["crc"] = zlib.crc32(body)
        return edits.write_cache(self.folder, self.name, json.dumps(header).encode() + b"\n" + body)

    def _entry(self, relative: str, found: _Entry | _Fresh) -> _Entry:
        entry = found if isinstance(found, _Entry) else found.entry(relative)
        verdicts = self._verdicts.get(relative)
        if verdicts:
            kept = _ANY.decode(entry.verdicts) if isinstance(found, _Entry) else {}
            kept = {**kept, **verdicts} if isinstance(kept, dict) else verdicts
            entry = msgspec.structs.replace(entry, verdicts=msgspec.Raw(_ENCODER.encode(kept)))
        return entry

    # -- reading stories -----------------------------------------------------------------

    def recall(self, paths: list[str], cwd: str, placements: bool) -> tuple[list[Loaded], list[str]]:
        """(what the cache holds for ``paths``, the paths that must be read). A story is
        given back only while its file has the size and times it had before it was read; one
        that was changed around the moment it was read is compared by its bytes first."""
        known: list[Loaded] = []
        missing: list[str] = []
        now = time.time_ns()
        root, old, new, pending = self.root, self._old, self._new, self._pending
        skip = len(root)
        for path in paths:
            info = _stat(path)
            relative = path[skip:] if path.startswith(root) else path
            entry = old.get(relative)
            result: Loaded | None = None
            if info is not None and entry is not None and (entry.size, entry.mtime, entry.ino, entry.ctime) == info:
                result = self._decode(entry, path, cwd, placements)
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
        self.hits += len(known)
        self.misses += len(missing)
        return known, missing

    def _decode(self, entry: _Entry, path: str, cwd: str, placements: bool) -> Loaded | None:
        """What an entry holds, as this run asks for it (a Story, a Placement or an Unreadable),
        or None when it cannot answer that (a placement when the story is wanted) or is not sound."""
        kind = entry.kind
        shown = display_path(path, cwd)
        if kind in ("s", "p") and entry.data is not None and len(entry.digest) == DIGEST_BYTES:
            digest = int.from_bytes(entry.digest, "big")
            if placements:
                return Placement(path, shown, entry.data, digest)
            if kind == "s":
                fields = self.reading.fields
                fill = _Filler(entry.detail, path, digest, self.reading)
                return deferred_story(path, shown, entry.data, digest, fields, fill)
            return None
        if kind == "u" or (kind == "up" and placements):
            try:
                broken = _BROKEN.decode(entry.detail)
            except msgspec.DecodeError:
                return None
            return Unreadable(path, shown, broken.line, broken.column, broken.rule, broken.message, broken.id)
        return None

    def keep(self, paths: list[str], results: Iterable[Loaded], placements: bool) -> None:
        """Remember what reading ``paths`` (those recall() said to read) gave, in order."""
        root = self.root
        for path, result in zip(paths, results, strict=True):
            taken = self._pending.pop(path, None)
            if taken is None:
                continue
            info, read_at = taken
            relative = path[len(root) :] if path.startswith(root) else path
            self._new[relative] = _Fresh(info, _settled(info, read_at), result, placements)
            self.changed = True

    # -- verdicts (ready.Memo) ------------------------------------------------------------

    def recall_verdict(self, kind: str, story: Story, context: list[Any]) -> list[Any] | None:
        relative = story.path[len(self.root) :] if story.path.startswith(self.root) else story.path
        found = self._new.get(relative)
        if not isinstance(found, _Entry) or found.kind != "s" or found.digest != _digest_bytes(story.digest):
            return None
        try:
            verdicts = _ANY.decode(found.verdicts)
        except msgspec.DecodeError:
            return None
        kept = verdicts.get(kind) if isinstance(verdicts, dict) else None
        if not isinstance(kept, list) or len(kept) != 2 or kept[0] != context or not isinstance(kept[1], list):
            return None
        return kept[1]

    def keep_verdict(self, kind: str, story: Story, context: list[Any], rows: list[Any]) -> None:
        relative = story.path[len(self.root) :] if story.path.startswith(self.root) else story.path
        found = self._new.get(relative)
        if found is None or found.digest != _digest_bytes(story.digest):
            return
        if found.kind != "s":
            return
        self._verdicts.setdefault(relative, {})[kind] = [context, rows]
        self.changed = True

    @property
    def memo(self) -> _Memo:
        return _Memo(self)


DIGEST_BYTES = 16
"""storyfile.digest is BLAKE2b-128."""


def _digest_bytes(digest: int) -> bytes:
    return digest.to_bytes(DIGEST_BYTES, "big")


def _encode_each(entries: list[_Entry]) -> tuple[bytes, int]:
    """(a msgpack array of the entries that can be written, how many): front matter msgpack
    cannot hold (an integer beyond 64 bits, text that is not valid UTF-8) is read every run."""
    kept = []
    for entry in entries:
        try:
            kept.append(_ENCODER.encode(entry))
        except (TypeError, ValueError, OverflowError, UnicodeEncodeError):
            continue
    return b"\xdd" + len(kept).to_bytes(4, "big") + b"".join(kept), len(kept)


class _Fresh:
    """What this run read of a file, made into an entry only when the cache is written."""

    __slots__ = ("digest", "info", "placements", "result", "settled")

    def __init__(self, info: Stat, settled: bool, result: Loaded, placements: bool) -> None:
        self.info = info
        self.settled = settled
        self.result = result
        self.placements = placements
        self.digest = _digest_bytes(result.digest) if not isinstance(result, Unreadable) else b""

    @property
    def kind(self) -> str:
        if isinstance(self.result, Story):
            return "s"
        if isinstance(self.result, Placement):
            return "p"
        return "up" if self.placements else "u"

    def entry(self, relative: str) -> _Entry:
        result = self.result
        data: dict[str, Any] | None = None
        detail = _NOTHING
        if isinstance(result, Story):
            data = result.data
            facts = result.facts
            questions = [(q.text, q.owner, q.answered, q.line) for q in facts.questions]
            text = (
                result.front_matter,
                (
                    facts.narrative,
                    facts.description,
                    facts.criteria,
                    questions,
                    facts.criteria_line,
                    facts.body_line,
                    facts.narrative_text,
                ),
            )
            detail = msgspec.Raw(_ENCODER.encode(text))
        elif isinstance(result, Placement):
            data = result.data
        else:
            broken = (result.line, result.column, result.rule, result.message, result.id)
            detail = msgspec.Raw(_ENCODER.encode(broken))
        kind: Any = self.kind
        return _Entry(relative, *self.info, self.settled, self.digest, kind, data, detail, _NO_VERDICTS)


class _Filler:
    """Decodes a cached story's front matter text and facts when a command first asks. An
    entry that does not decode (a cache that lies under a valid checksum) is not believed: the
    file is read again, and must still be the bytes the entry was made from."""

    __slots__ = ("digest", "path", "raw", "reading")

    def __init__(self, raw: msgspec.Raw, path: str, digest: int, reading: Reading) -> None:
        self.raw = raw
        self.path = path
        self.digest = digest
        self.reading = reading

    def __call__(self) -> tuple[str, Facts]:
        try:
            text = _TEXT.decode(self.raw)
        except msgspec.DecodeError:
            return self._read_again()
        facts = text.facts
        questions = tuple(Question(q.text, q.owner, q.answered, q.line) for q in facts.questions)
        return text.front_matter, Facts(
            facts.narrative,
            facts.description,
            tuple(facts.criteria),
            questions,
            facts.criteria_line,
            facts.body_line,
            facts.narrative_text,
        )

    def _read_again(self) -> tuple[str, Facts]:
        from groom.backlog import load_story

        story = load_story(self.path, os.getcwd(), self.reading)
        if isinstance(story, Story) and story.digest == self.digest:
            return story.front_matter, story.facts
        raise GroomError(f"{self.path} changed while groom was reading it; run the command again")


class _Memo:
    """The cache as the judge's memo (ready.Memo)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def recall(self, kind: str, story: Story, context: list[Any]) -> list[Any] | None:
        return self.cache.recall_verdict(kind, story, context)

    def keep(self, kind: str, story: Story, context: list[Any], rows: list[Any]) -> None:
        self.cache.keep_verdict(kind, story, context, rows)


def _read_own(path: Path) -> bytes | None:
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
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 24)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _confirm(path: str, entry: _Entry, result: Loaded, info: Stat, now: int) -> tuple[Loaded | None, bool]:
    """An entry read around the time its file last changed: trusted only when the bytes are
    still those it was read from (then, once its times are old enough, settled)."""
    if entry.kind in ("u", "up"):
        return None, False  # no digest to compare: read it again
    try:
        raw = storyfile.read_bytes(path)
    except (GroomError, OSError):  # unreadable now: read it again the usual way, which says why
        return None, False
    if _digest_bytes(storyfile.digest(raw)) != entry.digest:
        return None, False
    return result, _settled(info, now)


def open_cache(config: Config, enabled: bool | None = None) -> Cache | None:
    """The run's cache, or None when it is off: ``--cache``/``--no-cache`` decide for one run,
    else ``[cache] enabled`` in groom.toml (off by default: a cold run pays for writing it)."""
    if not (config.cache if enabled is None else enabled):
        return None
    return Cache(config)


def clear(config: Config) -> tuple[Path, int]:
    """``groom cache clear``: (the cache folder, how many files were removed)."""
    where = folder(config)
    return where, edits.clear_cache(where)
