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
from typing import Any

from groom import __version__, edits, storyfile
from groom.backlog import Loaded, display_path
from groom.config import Config
from groom.errors import GroomError
from groom.facts import Facts, Question
from groom.model import Placement, Story, Unreadable
from groom.naming import Reading

FORMAT = 1
"""The layout of a cache file; a file of another layout is ignored."""
FOLDER = ".groom_cache"
ENVIRONMENT = "GROOM_CACHE_DIR"
SETTLE_NS = 2_000_000_000
"""A file whose modification or change time is closer than this to the moment it was read is
checked by its bytes on the next run: 2 s covers file systems that keep whole or even seconds
(FAT, HFS+) and clocks that advance in ticks."""
MAX_BYTES = 1 << 31
"""A cache file larger than this is not read (2 GiB: far above 2 KB × 100,000 stories)."""

# One entry per story file, a JSON list: [path relative to the backlog folder, size, mtime_ns,
# ino, ctime_ns, settled, digest, kind, payload, verdicts]; kinds: "s" a story (payload: data,
# front matter text, facts), "p" a placement (payload: data), "u" an unreadable file read as a
# story, "up" one read for its placement (payload: line, column, rule, message, id).
_PATH, _SIZE, _MTIME, _INO, _CTIME, _SETTLED, _DIGEST, _KIND, _PAYLOAD, _VERDICTS = range(10)

Stat = tuple[int, int, int, int]


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
    for name in ("yaml", "_yaml", "jsonschema", "referencing", "jsonschema_specifications", "rpds"):
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
        self.name = f"backlog-{name}.json"
        self.key = run_key(config)
        self.reading: Reading = config.reading
        self._old: dict[str, tuple[list[Any], bytes]] = {}
        """Entries read from the file: path -> (entry, its JSON line)."""
        self._new: dict[str, tuple[list[Any], bytes | None]] = {}
        """Entries of this run's files: path -> (entry, its JSON line when unchanged)."""
        self._pending: dict[str, tuple[Stat, int]] = {}
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
        try:
            head, _, body = raw.partition(b"\n")
            header = json.loads(head)
            if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != self.key:
                return
            if header.get("crc") != zlib.crc32(body) or header.get("count") != body.count(b"\n"):
                return
            lines = body.split(b"\n")[:-1]
            entries = json.loads(b"[" + b",".join(lines) + b"]") if lines else []
        except (ValueError, RecursionError):
            return
        if not isinstance(entries, list) or len(entries) != len(lines):
            return
        old: dict[str, tuple[list[Any], bytes]] = {}
        for entry, line in zip(entries, lines, strict=True):
            if not isinstance(entry, list) or len(entry) != 10 or not isinstance(entry[_PATH], str):
                return
            old[entry[_PATH]] = (entry, line)
        self._old = old

    def save(self) -> bool:
        """Write the cache file when this run changed what it holds. False when it could not be
        written (a read-only checkout): the next run reads the files again, nothing worse."""
        if not self.changed and self._new.keys() == self._old.keys():
            return True
        lines = []
        for entry, line in self._new.values():
            lines.append(line if line is not None else _encode(entry))
        body = b"".join(line + b"\n" for line in lines)
        header = {"format": FORMAT, "groom": __version__, "key": self.key, "count": len(lines)}
        header["crc"] = zlib.crc32(body)
        return edits.write_cache(self.folder, self.name, json.dumps(header).encode() + b"\n" + body)

    # -- reading stories -----------------------------------------------------------------

    def recall(self, paths: list[str], cwd: str, placements: bool) -> tuple[list[Loaded], list[str]]:
        """(what the cache holds for ``paths``, the paths that must be read). A story is
        given back only while its file has the size and times it had before it was read; one
        that was changed around the moment it was read is compared by its bytes first."""
        known: list[Loaded] = []
        missing: list[str] = []
        now = time.time_ns()
        root, old, new, pending = self.root, self._old, self._new, self._pending
        for path in paths:
            info = _stat(path)
            relative = path[len(root) :] if path.startswith(root) else path
            found = old.get(relative)
            result: Loaded | None = None
            if info is not None and found is not None:
                entry, line = found
                if (entry[_SIZE], entry[_MTIME], entry[_INO], entry[_CTIME]) == info:
                    result = _decode(entry, path, cwd, placements, self.reading)
                    kept: bytes | None = line
                    if result is not None and entry[_SETTLED] is not True:
                        result, settled = _confirm(path, entry, result, info, now)
                        if settled:
                            entry = [*entry[:_SETTLED], True, *entry[_SETTLED + 1 :]]
                            self.changed = True
                            kept = None
                    if result is not None:
                        new[relative] = (entry, kept)
            if result is None:
                missing.append(path)
                if info is not None:
                    pending[path] = (info, now)
            else:
                known.append(result)
        self.hits += len(known)
        self.misses += len(missing)
        return known, missing

    def keep(self, paths: list[str], results: Iterable[Loaded], placements: bool) -> None:
        """Remember what reading ``paths`` (those recall() said to read) gave, in order."""
        root = self.root
        for path, result in zip(paths, results, strict=True):
            taken = self._pending.pop(path, None)
            if taken is None:
                continue
            info, read_at = taken
            relative = path[len(root) :] if path.startswith(root) else path
            digest = 0
            if isinstance(result, Story):
                digest, kind = result.digest, "s"
                payload: list[Any] = [result.data, result.front_matter, _facts_row(result.facts)]
            elif isinstance(result, Placement):
                digest, kind, payload = result.digest, "p", [result.data]
            else:
                kind = "up" if placements else "u"
                payload = [result.line, result.column, result.rule, result.message, result.id]
            entry = [relative, *info, _settled(info, read_at), digest, kind, payload, {}]
            self._new[relative] = (entry, None)
            self.changed = True

    # -- verdicts (ready.Memo) ------------------------------------------------------------

    def recall_verdict(self, kind: str, story: Story, context: list[Any]) -> list[Any] | None:
        entry = self._story_entry(story)
        if entry is None:
            return None
        kept = entry[_VERDICTS].get(kind) if isinstance(entry[_VERDICTS], dict) else None
        if not isinstance(kept, list) or len(kept) != 2 or kept[0] != context or not isinstance(kept[1], list):
            return None
        return kept[1]

    def keep_verdict(self, kind: str, story: Story, context: list[Any], rows: list[Any]) -> None:
        relative = story.path[len(self.root) :] if story.path.startswith(self.root) else story.path
        found = self._new.get(relative)
        if found is None or found[0][_KIND] != "s" or found[0][_DIGEST] != story.digest:
            return
        entry = found[0]
        verdicts = dict(entry[_VERDICTS]) if isinstance(entry[_VERDICTS], dict) else {}
        verdicts[kind] = [context, rows]
        self._new[relative] = ([*entry[:_VERDICTS], verdicts], None)
        self.changed = True

    def _story_entry(self, story: Story) -> list[Any] | None:
        relative = story.path[len(self.root) :] if story.path.startswith(self.root) else story.path
        found = self._new.get(relative)
        if found is None or found[0][_KIND] != "s" or found[0][_DIGEST] != story.digest:
            return None
        return found[0]

    @property
    def memo(self) -> _Memo:
        return _Memo(self)


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


def _confirm(path: str, entry: list[Any], result: Loaded, info: Stat, now: int) -> tuple[Loaded | None, bool]:
    """An entry read around the time its file last changed: trusted only when the bytes are
    still those it was read from (then, once its times are old enough, settled)."""
    if entry[_KIND] in ("u", "up"):
        return None, False  # no digest to compare: read it again
    try:
        raw = storyfile.read_bytes(path)
    except (GroomError, OSError):  # unreadable now: read it again the usual way, which says why
        return None, False
    if storyfile.digest(raw) != entry[_DIGEST]:
        return None, False
    return result, _settled(info, now)


def _encode(entry: list[Any]) -> bytes:
    # ensure_ascii: text that is not valid UTF-8 on its own (a lone surrogate) still encodes.
    return json.dumps(entry, separators=(",", ":")).encode()


def _facts_row(facts: Facts) -> list[Any]:
    questions = [[q.text, q.owner, q.answered, q.line] for q in facts.questions]
    return [
        facts.narrative,
        facts.description,
        list(facts.criteria),
        questions,
        facts.criteria_line,
        facts.body_line,
        facts.narrative_text,
    ]


def _facts(row: Any) -> Facts | None:
    if not isinstance(row, list) or len(row) != 7:
        return None
    narrative, description, criteria, questions, criteria_line, body_line, narrative_text = row
    if not (
        type(narrative) is bool
        and type(description) is bool
        and type(criteria_line) is int
        and type(body_line) is int
        and type(narrative_text) is str
        and isinstance(criteria, list)
        and all(type(item) is str for item in criteria)
        and isinstance(questions, list)
    ):
        return None
    asked = []
    for question in questions:
        if not isinstance(question, list) or len(question) != 4:
            return None
        text, owner, answered, line = question
        if type(text) is not str or not (owner is None or type(owner) is str):
            return None
        if type(answered) is not bool or type(line) is not int:
            return None
        asked.append(Question(text, owner, answered, line))
    return Facts(narrative, description, tuple(criteria), tuple(asked), criteria_line, body_line, narrative_text)


def _decode(entry: list[Any], path: str, cwd: str, placements: bool, reading: Reading) -> Loaded | None:
    """What an entry holds, as this run asks for it (a Story, a Placement or an Unreadable),
    or None when it cannot answer that (a placement when the story is wanted) or is not sound."""
    kind, payload, digest = entry[_KIND], entry[_PAYLOAD], entry[_DIGEST]
    if not isinstance(payload, list) or type(digest) is not int:
        return None
    shown = display_path(path, cwd)
    if kind == "s" and len(payload) == 3:
        data, front_matter, row = payload
        if not isinstance(data, dict) or type(front_matter) is not str:
            return None
        if placements:
            return Placement(path, shown, data, digest)
        facts = _facts(row)
        return None if facts is None else Story(path, shown, data, front_matter, facts, digest, reading.fields)
    if kind == "p" and len(payload) == 1 and placements and isinstance(payload[0], dict):
        return Placement(path, shown, payload[0], digest)
    if kind in ("u", "up") and len(payload) == 5 and (placements or kind == "u"):
        line, column, rule, message, story_id = payload
        if type(line) is int and type(column) is int and all(type(v) is str for v in (rule, message, story_id)):
            return Unreadable(path, shown, line, column, rule, message, story_id)
    return None


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
