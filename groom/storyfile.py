"""Bytes on disk <-> front matter + body, lossless edits of those bytes, safe reads.

A story file is ``[BOM] '---' NL front-matter '---' NL body``. ``split`` finds those parts
without changing a byte; ``set_fields`` edits front matter values by splicing new text over
the old value only, so comments, quoting, key order, indentation, CRLF and the body stay as
they were; ``read_regular`` reads a file safely. Writing files is ``edits``' job alone.
"""

from __future__ import annotations

import errno
import hashlib
import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groom import yamlio
from groom.errors import FrontMatterError, WriteConflict, YamlError
from groom.model import FM_LINE, REMOVE

BOM = "\ufeff"
MAX_FILE_BYTES = 1 << 20
"""Largest story file groom reads (1 MiB); a story is prose, not a data dump."""
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
"""Never follow a link, never block on a FIFO (the flags a platform lacks are left out)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the parts of a story file are, in the decoded text (BOM removed)."""

    text: str
    bom: bool
    newline: str
    fm_start: int  # index of the first character of the front matter
    fm_end: int  # index just past the front matter (start of the closing '---' line)
    body_start: int  # index of the first character of the body

    @property
    def front_matter(self) -> str:
        return self.text[self.fm_start : self.fm_end]

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    @property
    def body_line(self) -> int:
        """1-based file line on which the body starts."""
        return self.text.count("\n", 0, self.body_start) + 1

    FM_LINE = FM_LINE
    """1-based file line of the first front matter line (the one after '---')."""


def decode(raw: bytes) -> tuple[str, bool]:
    """The text of a story file and whether it had a UTF-8 BOM; refuses other encodings."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FrontMatterError(
            f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
            line=line,
        ) from None
    if text.startswith(BOM):
        return text[1:], True
    return text, False


def _is_delimiter(line: str) -> bool:
    return line.rstrip() == "---"


_CLOSING = re.compile(r"^---[^\S\n]*$", re.MULTILINE)
"""The closing delimiter: a line that is '---' once trailing white space (CR too) is removed."""


def _closing(text: str, start: int) -> int:
    """Where the closing delimiter line starts, or -1. The usual '---' line right after the
    front matter is found by a string search; anything less plain by the pattern."""
    found = text.find("\n---", start - 1)
    if found >= 0:
        end = text.find("\n", found + 4)
        if text[found + 4 : len(text) if end < 0 else end] in ("", "\r"):
            # The first line that starts with '---' is it; an earlier closing line would
            # have started with '---' too.
            return found + 1
    match = _CLOSING.search(text, start)
    return match.start() if match else -1


def split(raw: bytes) -> Layout:
    """Find the front matter and body of a story file, or raise FrontMatterError with a line."""
    text, bom = decode(raw)
    if not text.strip():
        raise FrontMatterError("empty file; a story starts with a '---' line, its front matter, and '---'", line=1)
    first_end = text.find("\n")
    first_line = text if first_end < 0 else text[:first_end]
    if not _is_delimiter(first_line):
        raise FrontMatterError(
            "no front matter: the first line must be '---', followed by 'key: value' lines and a closing '---'",
            line=1,
        )
    if first_end < 0:
        raise FrontMatterError("front matter is not closed; add a '---' line after it", line=1)
    newline = "\r\n" if first_line.endswith("\r") else "\n"
    fm_start = first_end + 1
    pos = _closing(text, fm_start)
    if pos < 0:
        raise FrontMatterError("front matter is not closed; add a '---' line after the last key", line=1)
    end = text.find("\n", pos)
    body_start = len(text) if end < 0 else end + 1
    return Layout(text, bom, newline, fm_start, pos, body_start)


def conflict_line(raw: bytes) -> int:
    """The 1-based line of a git conflict marker ('<<<<<<< ' with a '>>>>>>> ' after it), or 0."""
    start = 0 if raw.startswith(b"<<<<<<< ") else raw.find(b"\n<<<<<<< ") + 1
    if start == 0 and not raw.startswith(b"<<<<<<< "):
        return 0
    if raw.find(b"\n>>>>>>> ", start) < 0:
        return 0
    return raw.count(b"\n", 0, start) + 1


def encode(layout: Layout, text: str) -> bytes:
    return ((BOM if layout.bom else "") + text).encode("utf-8")


# Where a key that is not in the file yet goes: after the last of these that is present.
_PLACE_AFTER: dict[str, tuple[str, ...]] = {
    "estimate": ("status", "type", "title", "id"),
    "value": ("estimate", "status", "type", "title", "id"),
    "rank": ("value", "estimate", "status", "type", "title", "id"),
    "parent": ("depends_on", "rank", "value", "estimate", "status", "title", "id"),
    "children": ("parent", "depends_on", "rank", "value", "estimate", "status", "title", "id"),
}


def set_fields(raw: bytes, changes: Mapping[str, Any]) -> bytes:
    """The file's bytes with front matter keys set to new values, every other byte kept.

    Existing keys get their value text replaced in place (a trailing comment and the key's
    spelling stay); absent keys are added as one line in a sensible place; a key set to
    ``REMOVE`` loses its lines. The result is parsed again and must read back as the old data
    plus the changes, or WriteConflict is raised and nothing should be written.
    """
    layout = split(raw)
    fm = layout.front_matter
    try:
        before, found = yamlio.load_with_entries(fm)
    except YamlError as exc:
        raise FrontMatterError(exc.message, line=Layout.FM_LINE + exc.line) from None
    edits: list[tuple[int, int, str]] = []
    for key, value in changes.items():
        if value is REMOVE:
            if key in found:
                edits.append(_remove(fm, found[key]))
        elif key in found:
            edits.append(_replace(fm, found[key], value, layout.newline))
        else:
            edits.append(_insert(fm, found, key, value, layout.newline))
    new_fm = fm
    # From the end backwards so offsets stay valid; two keys added at one place keep the
    # order they were given in.
    ordered = sorted(enumerate(edits), key=lambda item: (item[1][0], item[0]), reverse=True)
    for _, (start, end, replacement) in ordered:
        new_fm = new_fm[:start] + replacement + new_fm[end:]
    expected = {key: value for key, value in {**before, **changes}.items() if value is not REMOVE}
    try:
        # The fast scan answers only where it is certain to agree with the full parse.
        scanned = yamlio.scan(new_fm)
        after = scanned if scanned is not None else yamlio.load_mapping(new_fm)
    except YamlError as exc:
        raise WriteConflict(f"the edit would not parse ({exc.message}); edit the file by hand") from None
    if not same(after, expected):
        raise WriteConflict("the edit would change other values; edit the file by hand")
    text = layout.text[: layout.fm_start] + new_fm + layout.text[layout.fm_end :]
    return encode(layout, text)


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, with NaN equal to NaN (``.nan`` in a story is still itself).
    A str subclass (yamlio.Quoted) is a str."""
    if isinstance(a, str) and isinstance(b, str):
        return str(a) == str(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    return bool(a == b)


def _render(value: Any, entry: yamlio.Entry | None, fm: str, newline: str) -> str:
    """Text for a value in the style of the value it replaces (block or flow, quote style)."""
    if isinstance(value, list):
        if entry is not None and entry.kind == "block" and value:
            line_start = fm.rfind("\n", 0, entry.value_start) + 1
            indent = " " * (entry.value_start - line_start)
            return yamlio.render_block(value, indent, newline)
        return yamlio.render_flow(value)
    if isinstance(value, dict):
        raise WriteConflict("groom does not write nested mappings; edit the file by hand")
    quote = entry.style if entry is not None and entry.style in ("'", '"') else ""
    return yamlio.render_scalar(value, quote)


def _replace(fm: str, entry: yamlio.Entry, value: Any, newline: str) -> tuple[int, int, str]:
    text = _render(value, entry, fm, newline)
    if entry.value_start == entry.value_end and fm[entry.value_start - 1 : entry.value_start] == ":":
        return entry.value_start, entry.value_end, " " + text  # "estimate:" had no value yet
    if entry.kind == "block" and not (isinstance(value, list) and value):
        # A block list becomes a flow value: it must sit on the key's line.
        key_colon = fm.find(":", entry.key_start)
        return key_colon + 1, entry.value_end, " " + text
    return entry.value_start, entry.value_end, text


def _remove(fm: str, entry: yamlio.Entry) -> tuple[int, int, str]:
    """From the start of the key's line to the end of its value's line."""
    start = fm.rfind("\n", 0, entry.key_start) + 1
    end = fm.find("\n", entry.value_end)
    return start, len(fm) if end < 0 else end + 1, ""


def _insert(fm: str, found: Mapping[str, yamlio.Entry], key: str, value: Any, newline: str) -> tuple[int, int, str]:
    text = _render(value, None, fm, newline)
    line = f"{key}: {text}{newline}"
    anchors = [found[name] for name in _PLACE_AFTER.get(key, ()) if name in found]
    if anchors:
        # After the whole entry of the anchor key: its value may span lines.
        anchor = max(anchors, key=lambda entry: entry.value_end)
        end = fm.find("\n", anchor.value_end)
        position = len(fm) if end < 0 else end + 1
    else:
        position = len(fm)
    if position == len(fm) and fm and not fm.endswith("\n"):
        line = newline + line
    return position, position, line


def digest(raw: bytes) -> int:
    """What identifies a file's bytes: a write refuses when it changed.

    BLAKE2b (128 bits) of the bytes: nobody can make two different files collide on purpose,
    and it means the same in every process, so the warm cache (groom/cache.py) can keep it
    beside what it read and a story taken from the cache still guards its file. About 4 µs a
    story (Python's own salted hash took 1 µs but meant nothing to another process).
    """
    return int.from_bytes(hashlib.blake2b(raw, digest_size=16).digest(), "big")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a file was when it was read, to detect a change before overwriting it."""

    path: str
    raw: bytes
    mtime_ns: int
    size: int


def read_regular(path: Path | str, limit: int = MAX_FILE_BYTES) -> Snapshot:
    """Read a regular file without following a symlink, refusing special and huge files.

    The file is opened with O_NOFOLLOW and O_NONBLOCK, then checked with fstat, so a FIFO
    cannot block the read and a file swapped for a link after the folder walk is refused.
    """
    raw, info = _read(path, limit)
    return Snapshot(str(path), raw, info.st_mtime_ns, info.st_size)


def read_bytes(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """``read_regular(path).raw``, for the loops that read a whole backlog."""
    return _read(path, limit)[0]


def _read(path: Path | str, limit: int) -> tuple[bytes, os.stat_result]:
    try:
        fd = os.open(path, READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FrontMatterError("is a symbolic link; groom reads regular files only", path=str(path)) from None
        raise FrontMatterError(f"cannot read: {exc.strerror}", path=str(path)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FrontMatterError("is not a regular file (a FIFO, device or socket?); remove it", path=str(path))
        if info.st_size > limit:
            raise FrontMatterError(
                f"is {info.st_size:,} bytes, over the {limit:,}-byte limit for a story; shorten it", path=str(path)
            )
        # Ask for the size fstat gave (plus one, to see growth), never a whole limit's worth:
        # a 1 MiB buffer per read costs more than the read of a 2 KB story. A short read of a
        # regular file is its end.
        want = min(info.st_size, limit) + 1
        raw = os.read(fd, want)
        if len(raw) == want:
            chunks = [raw]
            total = len(raw)
            while total <= limit:
                more = os.read(fd, min(1 << 16, limit + 1 - total))
                if not more:
                    break
                chunks.append(more)
                total += len(more)
            raw = b"".join(chunks)
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise FrontMatterError(f"grew over the {limit:,}-byte limit while being read", path=str(path))
    return raw, info


def render_new(fields: Mapping[str, Any], body: str) -> bytes:
    """A new story file: front matter in the given key order, then the body.

    The text is parsed again and must read back as ``fields``, like every edit.
    """
    lines = []
    for key, value in fields.items():
        text = yamlio.render_flow(value) if isinstance(value, list) else yamlio.render_scalar(value)
        lines.append(f"{key}: {text}")
    front = "\n".join(lines) + "\n"
    if yamlio.load_mapping(front) != dict(fields):
        raise WriteConflict("the new story would not read back as written; this is a bug in groom")
    return f"---\n{front}---\n{body}".encode()
