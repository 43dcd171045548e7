"""What reading a story file gave, as msgpack records: the hand-over from the processes that
share a large backlog's reading, and the payload the warm cache keeps (groom/cache.py).

A record is the digest of the file's bytes, its front matter (decoded at once: every command
orders and indexes by it) and the rest, kept encoded (``detail``): the body's facts, or why the
file cannot be read. ``detail`` is decoded only when a command first asks for a story's facts
(model.deferred_story), so a command that needs none for most stories does not pay for them.
The front matter's text is not kept (it was a third of a cached story's bytes): only placing a
finding or a gap in it needs it, the judge's verdicts keep those places, so it is read again from
the file for the few stories judged anew; a reading process hands it over (not into the cache)
for the stories the process that takes them judges after the read. msgspec encodes and decodes
records into typed structs at C speed: a value of the wrong type is a DecodeError, never a story
built from it. Five times cheaper than pickling the Story objects (measured on 5,000 stories:
36 ms against 162 ms).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from groom import storyfile
from groom.errors import GroomError, StoryChanged
from groom.facts import Facts, Question
from groom.model import HEAD_KEYS, Placement, Story, Unreadable, deferred_story, fill_of, is_filled
from groom.naming import PLAIN, Reading

DIGEST_BYTES = 16
"""storyfile.digest is BLAKE2b-128."""


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


class _Broken(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """An unreadable file's detail: model.Unreadable without its paths."""

    line: int
    column: int
    rule: str
    message: str
    id: str


Kind = Literal["s", "p", "u"]
"""A story, a placement (front matter only), a file that cannot be read."""


class Record(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """What reading one file gave (its path is kept by whoever holds the record): the digest
    of its bytes; its front matter's HEAD_KEYS (model.py), decoded at once; the whole front
    matter and the detail (the body's facts, or why the file cannot be read), kept encoded."""

    digest: bytes
    kind: Kind
    head: dict[str, Any] | None
    data: msgspec.Raw
    detail: msgspec.Raw


_FACTS = msgspec.msgpack.Decoder(_Facts)
_DATA = msgspec.msgpack.Decoder(dict[str, Any])
_BROKEN = msgspec.msgpack.Decoder(_Broken)
ENCODER = msgspec.msgpack.Encoder()
NIL = ENCODER.encode(None)
UNENCODABLE = (TypeError, ValueError, OverflowError, UnicodeEncodeError)
"""What msgpack refuses: an integer beyond 64 bits, text that is not valid UTF-8."""


def digest_bytes(digest: int) -> bytes:
    return digest.to_bytes(DIGEST_BYTES, "big")


def row(result: Story | Placement | Unreadable, parts: Parts | None = None) -> tuple[Any, ...]:
    """A result laid out as a Record is encoded (plain tuples: one encode writes many); a
    story's ``parts`` when they are at hand already encoded. Encoding it raises one of
    UNENCODABLE when msgpack cannot hold a value."""
    if isinstance(result, Unreadable):
        return (b"", "u", None, None, (result.line, result.column, result.rule, result.message, result.id))
    if isinstance(result, Placement):
        return (digest_bytes(result.digest), "p", _head(result.data), result.data, None)
    data_raw, detail_raw = parts or parts_of(result) or (None, None)
    data: Any = result.data if data_raw is None else data_raw
    detail: Any = detail_raw
    if detail is None:
        facts = result.facts
        questions = [(q.text, q.owner, q.answered, q.line) for q in facts.questions]
        detail = (
            facts.narrative,
            facts.description,
            facts.criteria,
            questions,
            facts.criteria_line,
            facts.body_line,
            facts.narrative_text,
        )
    head = {key: value for key in HEAD_KEYS if (value := result.raw(key, _ABSENT)) is not _ABSENT}
    return (digest_bytes(result.digest), "s", head, data, detail)


_ABSENT: Any = object()


def _head(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key in HEAD_KEYS}


def encode_all(items: Sequence[Any]) -> tuple[bytes, list[int]]:
    """(a msgpack array of ``items``, the indexes of those msgpack cannot hold, written as nil)."""
    try:
        return ENCODER.encode(items), []
    except UNENCODABLE:
        pass
    parts, refused = [], []
    for index, item in enumerate(items):
        try:
            parts.append(ENCODER.encode(item))
        except UNENCODABLE:
            parts.append(NIL)
            refused.append(index)
    return b"\xdd" + len(parts).to_bytes(4, "big") + b"".join(parts), refused


Encoded = bytes | msgspec.Raw
"""A story's encoded part: a view into a cache file's buffer, or a copy of its own."""

Parts = tuple[msgspec.Raw | None, msgspec.Raw | None]
"""A story's front matter and detail, encoded, as the process that read it encoded them."""


def parts_of(story: Story) -> Parts | None:
    """What a story read from a record still holds encoded: (front matter, detail), each None
    once decoded; None for a story built whole."""
    fill = fill_of(story)
    if not isinstance(fill, Filler):
        return None
    data = None if is_filled(story, "data") else _raw(fill.data_raw)
    detail = None if is_filled(story, "facts") else _raw(fill.raw)
    return data, detail


def _raw(part: Encoded) -> msgspec.Raw:
    """A part as msgpack writes it back as it is (bytes alone would be written as binary)."""
    return part if isinstance(part, msgspec.Raw) else msgspec.Raw(part)


def result(
    found: Record,
    path: str,
    display: str,
    placements: bool,
    reading: Reading = PLAIN,
    copy: bool = False,
    text: str | None = None,
) -> Story | Placement | Unreadable | None:
    """What a record holds, as a run asks for it (a Story, a Placement or an Unreadable), or
    None when it cannot answer that (a placement when the story is wanted) or is not sound.
    With ``copy``, a story keeps copies of its encoded parts rather than views into the buffer
    the record was decoded from, so the rest of that buffer can go, and the head's values most
    stories share are one object each. ``text``: its front matter's text, when at hand."""
    kind = found.kind
    if kind == "u":
        try:
            broken = _BROKEN.decode(found.detail)
        except msgspec.DecodeError:
            return None
        return Unreadable(path, display, broken.line, broken.column, broken.rule, broken.message, broken.id)
    if found.head is None or len(found.digest) != DIGEST_BYTES:
        return None
    digest = int.from_bytes(found.digest, "big")
    if placements:  # what ordering reads is in the head: the rest stays encoded
        return Placement(path, display, found.head, digest)
    if kind != "s":
        return None
    head = found.head
    if copy:
        data, detail = bytes(found.data), bytes(found.detail)
        for key in _SHARED:
            value = head.get(key)
            if value.__class__ is str:
                head[key] = sys.intern(value)
    else:
        data, detail = found.data, found.detail
    fill = Filler(data, detail, path, digest, reading, text)
    return deferred_story(path, display, head, digest, reading.fields, fill)


_SHARED = ("status", "type", "sprint")
"""Head keys whose values most stories share: a status, a type, a sprint's name (a short string
is about 55 bytes: one each instead of one a story, about 16 MB on 100,000 stories)."""


class Filler:
    """Decodes a story's front matter, or its facts, when a command first asks; gives its front
    matter's text, handed over with the record or read again from the file. A part that does not
    decode (a cache that lies under a valid checksum) is not believed: the file is read again.
    The file must still be the bytes the record was made from."""

    __slots__ = ("data_raw", "digest", "path", "raw", "reading", "text")

    def __init__(
        self, data: Encoded, detail: Encoded, path: str, digest: int, reading: Reading, text: str | None = None
    ) -> None:
        self.data_raw = data
        self.raw = detail
        self.path = path
        self.digest = digest
        self.reading = reading
        self.text = text
        """The front matter's text, when the record came with it (else read from the file)."""

    def data(self) -> dict[str, Any]:
        try:
            return _DATA.decode(self.data_raw)
        except msgspec.DecodeError:
            return self._read_again().data

    def facts(self) -> Facts:
        try:
            facts = _FACTS.decode(self.raw)
        except msgspec.DecodeError:
            return self._read_again().facts
        questions = tuple(Question(q.text, q.owner, q.answered, q.line) for q in facts.questions)
        return Facts(
            facts.narrative,
            facts.description,
            tuple(facts.criteria),
            questions,
            facts.criteria_line,
            facts.body_line,
            facts.narrative_text,
        )

    def front_matter(self) -> str:
        text, self.text = self.text, None  # given once: the story keeps it until released
        if text is not None:
            return text
        try:
            raw = storyfile.read_bytes(self.path)
            if storyfile.digest(raw) == self.digest:
                return storyfile.split(raw).front_matter
        except GroomError:  # gone, or no longer a story: changed all the same
            pass
        raise self._changed()

    def _read_again(self) -> Story:
        from groom.backlog import load_story

        story = load_story(self.path, os.getcwd(), self.reading)
        if isinstance(story, Story) and story.digest == self.digest:
            return story
        raise self._changed()

    def _changed(self) -> StoryChanged:
        from groom.backlog import display_path

        what = "changed" if os.path.lexists(self.path) else "was removed"
        return StoryChanged(
            f"{display_path(self.path, os.getcwd())} {what} while groom was reading it; run the command again"
        )


Packed = tuple[bytes, dict[int, Story | Placement | Unreadable], dict[int, str]]
"""Encoded records of a list of results; those msgpack cannot hold, by index; the front matter
text of each story with dependencies, by index."""


def pack(results: Sequence[Story | Placement | Unreadable]) -> Packed:
    """Results as one msgpack array of records (what a reading process hands back). The text of
    a story with dependencies comes along (not into the cache): the process that takes it judges
    it after the read, in context, and places its findings and gaps in that text (reading each
    file again cost 15 % of a list where most stories depend on another)."""
    blob, refused = encode_all([row(found) for found in results])
    leftovers = {index: results[index] for index in refused}
    texts = {
        index: found.front_matter
        for index, found in enumerate(results)
        if isinstance(found, Story) and found.depends_on and index not in leftovers
    }
    return blob, leftovers, texts


_PACKED = msgspec.msgpack.Decoder(list[Record | None])


def unpack(
    packed: Packed, paths: Sequence[str], displays: Sequence[str], placements: bool, reading: Reading = PLAIN
) -> list[Story | Placement | Unreadable]:
    """The results pack() encoded, for ``paths`` in order."""
    blob, leftovers, texts = packed
    found = _PACKED.decode(blob)
    results: list[Story | Placement | Unreadable] = []
    for index, (item, path, display) in enumerate(zip(found, paths, displays, strict=True)):
        # Copies of the parts: the rest of the buffer (heads and digests, a fifth of it) is
        # decoded already and can go.
        made = None
        if item is not None:
            made = result(item, path, display, placements, reading, copy=True, text=texts.get(index))
        if made is None:
            made = leftovers[index]
        results.append(made)
    return results
