"""The records every command plans with: a story as read, its place in the backlog, a file that
could not be read, and the backlog that indexes them. Plain data: nothing here touches the disk.

Planning modules (estimate, reorder, split, sprint, refine) import these and nothing that
reads or writes files, so they can be tested on stories built in memory.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any, Protocol

from groom.config import Config
from groom.errors import StoryNotFound, UnreadableStory
from groom.facts import Facts
from groom.findings import ERROR, Finding
from groom.naming import FieldMap


class _Remove:
    """The value that takes a key out of the front matter (its lines go, nothing else)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Any = _Remove()
"""A change's value that removes the key (storyfile.set_fields)."""

UNKNOWN = "?"
"""The estimate that says "cannot estimate yet: a question or a spike first"."""
FM_LINE = 2
"""1-based file line of the first front matter line (the one after '---')."""

PLACEMENT_KEYS = ("id", "title", "status", "rank", "depends_on")
"""What a Placement reads of a story: enough to order it and to name it."""

RESERVED_KEY = "derived"
"""The key under which derived facts reach the schemas; a story may not set it itself."""

_DIGITS = re.compile(r"(\d+)")
_DIGIT = re.compile(r"\d")

OrderKey = tuple[int, float, str, tuple[str | int, ...]]


def id_key(story_id: str) -> tuple[str | int, ...]:
    """Sort key that compares the numbers in an id as numbers: S-2 < S-10 < S-10.1."""
    prefix, dash, number = story_id.rpartition("-")
    if dash and number.isdecimal() and number.isascii() and _DIGIT.search(prefix) is None:
        # The usual PREFIX-NUMBER, without the pattern; the prefix one string for every story.
        return (sys.intern(prefix + dash), int(number), "")
    parts = _DIGITS.split(story_id)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def order_key(rank: str | float | None, story_id: str) -> OrderKey:
    """Backlog order: by rank (numbers by value, text keys byte by byte; a backlog holds one
    kind, and a mix puts numbers first), ties by id (S-2 before S-10), no rank last."""
    if rank is None:
        return (2, 0.0, "", id_key(story_id))
    if isinstance(rank, str):
        return (1, 0.0, rank, id_key(story_id))
    return (0, rank, "", id_key(story_id))


def named_for(path: str, story_id: str) -> bool:
    """Whether a file's name says it holds ``story_id``: ``S-42.md``, ``S-42-slug.md``,
    ``s-42 - Title.md`` (case does not matter)."""
    stem = os.path.basename(path).removesuffix(".md").lower()
    wanted = story_id.lower()
    if stem == wanted:
        return True
    if not stem.startswith(wanted):
        return False
    after = stem[len(wanted) : len(wanted) + 2]
    # "S-1-slug" and "s-1 - Title" name S-1; "S-12" and "S-1.2-slug" (the id S-1.2) do not.
    return not after[0].isalnum() and not (after[0] == "." and after[1:].isdigit())


def as_points(value: object) -> float | None:
    """A numeric estimate as a number; None for no estimate, ``?``, NaN, an infinity or anything
    else (``check`` reports the non-finite ones)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _rank(value: object) -> str | int | float | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return None


def _references(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)  # even empty: check names it as a reference to nothing
    if isinstance(value, list) and value:
        return tuple([item for item in value if isinstance(item, str)])
    return ()


class Placed:
    """What ordering reads of a front matter (PLACEMENT_KEYS), with the types commands expect."""

    __slots__ = ()
    data: dict[str, Any]

    def raw(self, key: str, default: Any = None) -> Any:
        """The front matter's value for a contract key, as read (``default`` when absent)."""
        return self.data.get(key, default)

    @property
    def id(self) -> str:
        return _text(self.raw("id"))

    @property
    def title(self) -> str:
        return _text(self.raw("title"))

    @property
    def status(self) -> str:
        return _text(self.raw("status"))

    @property
    def rank(self) -> str | int | float | None:
        """A text key, or a finite number (a team whose rank field holds numbers); else None."""
        return _rank(self.raw("rank"))

    @property
    def depends_on(self) -> tuple[str, ...]:
        return _references(self.raw("depends_on"))

    @property
    def order_key(self) -> OrderKey:
        return order_key(self.rank, self.id)


class Fields(Placed):
    """Every contract key of a whole story's front matter."""

    __slots__ = ()

    @property
    def type(self) -> str:
        return _text(self.raw("type", "story"))

    @property
    def estimate(self) -> Any:
        return self.raw("estimate")

    @property
    def points(self) -> float | None:
        """The estimate when it is a number (not absent, not ``?``)."""
        return as_points(self.raw("estimate"))

    @property
    def value(self) -> Any:
        return self.raw("value")

    @property
    def owners(self) -> tuple[str, ...]:
        """Who owns the story: ``owner: ana``, or a list (Backlog.md's ``assignee: ['@ana']``)."""
        value = self.raw("owner")
        items = value if isinstance(value, list) else [value]
        return tuple(item for item in items if isinstance(item, str) and item)

    @property
    def parent(self) -> str | None:
        return _text_or_none(self.raw("parent"))


@dataclass(frozen=True, slots=True)
class Story(Fields):
    """One parsed story file. ``data`` is its front matter, exactly as written; ``digest``
    identifies the bytes it was read from, so a write can tell whether the file changed since."""

    path: str
    display: str
    data: dict[str, Any]
    front_matter: str
    facts: Facts
    digest: int = 0
    fields: FieldMap = ()
    """The team's names for contract keys ([fields]): where a key of ``data`` is written."""
    _order: OrderKey | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def order_key(self) -> OrderKey:
        """Placed.order_key, worked out once: sorting and every dependency check ask for it."""
        found = self._order
        if found is None:
            found = order_key(self.rank, self.id)
            object.__setattr__(self, "_order", found)
        return found

    def __reduce__(self) -> tuple[Callable[..., Story], tuple[Any, ...]]:
        # Plain constructor arguments pickle several times faster than slot state, which
        # matters when worker processes hand back thousands of stories.
        args = (self.path, self.display, self.data, self.front_matter, self.facts, self.digest, self.fields)
        return (Story, args)


HEAD_KEYS = frozenset((*PLACEMENT_KEYS, "type", "parent", "children", "estimate", "value", "sprint"))
"""What judging a whole backlog reads of every story (ids, order, references, families), what
ordering reads (PLACEMENT_KEYS), what a listing shows and what sprints are made of: a deferred
story holds these at once and decodes the rest of its front matter when asked (read them with
``raw``), and a placement is made of them alone."""


class Fill(Protocol):
    """Where a deferred story's parts come from when first asked for."""

    def data(self) -> dict[str, Any]:
        """The whole front matter."""

    def facts(self) -> Facts:
        """The body's facts."""

    def front_matter(self) -> str:
        """The front matter's text, handed over or read again from the file (only placing a
        finding or a gap in it needs it)."""


_TYPED = ("id", "status", "rank", "depends_on", "parent", "type")
"""What a deferred story holds typed in slots of its own: Fields' properties of HEAD_KEYS."""


class _DeferredStory(Story):
    """A story whose front matter, front matter text and body facts are filled in when first
    asked for (the warm cache and the reading processes decode them only for the stories a
    command looks at; the text comes with the record or from the file); until then it answers
    HEAD_KEYS from ``_head``. Empty slots fall through to ``__getattr__``."""

    __slots__ = ("_carried", "_fill", "_head", "_lent", *_TYPED)
    _fill: Fill | None
    _head: dict[str, Any]
    # The keys every whole-backlog rule reads (18 reads a story in a check), worked out once
    # from the head when the story is made and read as plain slots after that.
    id: str
    status: str
    rank: str | int | float | None
    depends_on: tuple[str, ...]
    parent: str | None
    type: str

    def __getattr__(self, name: str) -> Any:
        # A copy dataclasses.replace made sets every field and no slot of this class: its data
        # is whole, so it is its own head, and its typed keys are worked out from it when asked.
        if name == "_head":
            _SET_HEAD(self, self.data)
            return self.data
        if name in _TYPED:
            value = getattr(Fields, name).fget(self)
            _slot_setter(_DeferredStory, name)(self, value)
            return value
        # Only the three parts are filled, each by the Fill method of its name; anything else
        # missing is missing.
        setter = _SET_PART.get(name)
        fill = _FILL_OF(self) if setter is not None else None
        if fill is None or setter is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        part = getattr(fill, name)()
        setter(self, part)
        _SET_LENT(self, True)
        return part

    def raw(self, key: str, default: Any = None) -> Any:
        return (self._head if key in HEAD_KEYS else self.data).get(key, default)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Story):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _COMPARED)

    __hash__ = Story.__hash__


def deferred_story(path: str, display: str, head: dict[str, Any], digest: int, fields: FieldMap, fill: Fill) -> Story:
    """A Story whose front matter (beyond ``head``, its HEAD_KEYS), its text and the body's
    facts come from ``fill`` when first read. It is a Story in every other way: equal to, and
    pickled as, the Story it completes to."""
    story = object.__new__(_DeferredStory)
    # The slots' own setters: half the cost of object.__setattr__ by name, for every story a
    # warm run takes from the cache.
    _SET_PATH(story, path)
    _SET_DISPLAY(story, display)
    _SET_HEAD(story, head)
    _SET_DIGEST(story, digest)
    _SET_FIELDS(story, fields)
    _SET_ORDER(story, None)
    _SET_FILL(story, fill)
    _SET_CARRIED(story, None)
    _SET_LENT(story, False)
    # Typed by the functions Fields' properties use, once: a warm run makes every story this way.
    get = head.get
    _SET_ID(story, _text(get("id")))
    _SET_STATUS(story, _text(get("status")))
    _SET_RANK(story, _rank(get("rank")))
    _SET_DEPENDS_ON(story, _references(get("depends_on")))
    _SET_PARENT(story, _text_or_none(get("parent")))
    _SET_TYPE(story, _text(get("type", "story")))
    return story


def _slot_or_none(cls: type, name: str) -> Callable[[object], Any]:
    """A reader of a slot that gives None while the slot is empty (no __getattr__ involved)."""
    descriptor = cls.__dict__[name]

    def read(instance: object) -> Any:
        try:
            return descriptor.__get__(instance)
        except AttributeError:
            return None

    return read


def is_filled(story: Story, name: str) -> bool:
    """Whether a story's field ``name`` holds its value (a deferred story's parts may not yet)."""
    try:
        Story.__dict__[name].__get__(story)
    except AttributeError:
        return False
    return True


def _slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    setter: Callable[[object, object], None] = cls.__dict__[name].__set__
    return setter


_SET_PATH = _slot_setter(Story, "path")
_SET_DISPLAY = _slot_setter(Story, "display")
_SET_DATA = _slot_setter(Story, "data")
_SET_FRONT_MATTER = _slot_setter(Story, "front_matter")
_SET_FACTS = _slot_setter(Story, "facts")
_SET_DIGEST = _slot_setter(Story, "digest")
_SET_FIELDS = _slot_setter(Story, "fields")
_SET_ORDER = _slot_setter(Story, "_order")
_SET_PART = {"data": _SET_DATA, "facts": _SET_FACTS, "front_matter": _SET_FRONT_MATTER}
"""A deferred story's parts, filled by the Fill method of the same name."""
_SET_FILL = _slot_setter(_DeferredStory, "_fill")
_SET_HEAD = _slot_setter(_DeferredStory, "_head")
_FILL_OF = _slot_or_none(_DeferredStory, "_fill")
_SET_CARRIED = _slot_setter(_DeferredStory, "_carried")
_SET_LENT = _slot_setter(_DeferredStory, "_lent")
_LENT_OF = _slot_or_none(_DeferredStory, "_lent")
_CARRIED_OF = _slot_or_none(_DeferredStory, "_carried")
_SET_ID = _slot_setter(_DeferredStory, "id")
_SET_STATUS = _slot_setter(_DeferredStory, "status")
_SET_RANK = _slot_setter(_DeferredStory, "rank")
_SET_DEPENDS_ON = _slot_setter(_DeferredStory, "depends_on")
_SET_PARENT = _slot_setter(_DeferredStory, "parent")
_SET_TYPE = _slot_setter(_DeferredStory, "type")
_COMPARED = tuple(f.name for f in dataclass_fields(Story) if f.compare)


def release(story: Story) -> None:
    """Let a deferred story forget its front matter, facts and text (decoded, or read from the
    file, again if asked): a command that judges many stories one by one then holds one story's
    at a time, not the whole backlog's. A story built whole keeps them. A story that filled
    nothing since it was made or released costs one look (a warm check releases every story)."""
    if story.__class__ is not _DeferredStory or not _LENT_OF(story):  # lent: filled from its fill
        return
    for name in _SET_PART:
        if is_filled(story, name):
            Story.__dict__[name].__delete__(story)
    _SET_LENT(story, False)


def carry(story: Story, found: bytes) -> bool:
    """Let a deferred story carry ``found``, what the process that read its bytes judged of them
    (ready.Found), instead of an index beside the backlog keeping it (10 MB on 100,000 stories).
    False for a story built whole: it carries nothing."""
    if not isinstance(story, _DeferredStory):
        return False
    _SET_CARRIED(story, found)
    return True


def carried(story: Story) -> bytes | None:
    """What carry() gave the story; None if nothing."""
    found: bytes | None = _CARRIED_OF(story) if isinstance(story, _DeferredStory) else None
    return found


def fill_of(story: Story) -> Fill | None:
    """What a deferred story fills its parts from (kept while the story lives: release() lets
    go of decoded parts, which are filled again from it when asked); None for a story built
    whole."""
    fill: Fill | None = _FILL_OF(story) if isinstance(story, _DeferredStory) else None
    return fill


def placement_of(story: Story) -> Placement:
    """What ordering needs of a story that was read whole: made of a deferred story's head
    (HEAD_KEYS holds PLACEMENT_KEYS), so its front matter is not decoded for it."""
    data = story._head if isinstance(story, _DeferredStory) else story.data
    return Placement(story.path, story.display, data, story.digest)


@dataclass(frozen=True, slots=True)
class Placement(Placed):
    """What ordering needs of a story, read cheaply: its front matter, not its body. The keys
    ordering reads are typed once, when it is made (a move on 100,000 stories reads them
    900,000 times)."""

    path: str
    display: str
    data: dict[str, Any]
    digest: int = 0
    _typed: tuple[str, str | int | float | None, tuple[str, ...], str] = field(init=False, repr=False, compare=False)
    _order: OrderKey | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        get = self.data.get
        typed = (_text(get("id")), _rank(get("rank")), _references(get("depends_on")), _text(get("status")))
        object.__setattr__(self, "_typed", typed)

    @property
    def id(self) -> str:
        return self._typed[0]

    @property
    def rank(self) -> str | int | float | None:
        return self._typed[1]

    @property
    def depends_on(self) -> tuple[str, ...]:
        return self._typed[2]

    @property
    def status(self) -> str:
        return self._typed[3]

    @property
    def order_key(self) -> OrderKey:
        found = self._order
        if found is None:
            found = order_key(self._typed[1], self._typed[0])
            object.__setattr__(self, "_order", found)
        return found

    def __reduce__(self) -> tuple[Callable[..., Placement], tuple[Any, ...]]:
        return (Placement, (self.path, self.display, self.data, self.digest))


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A file of the backlog that cannot be read as a story, and why (1-based position)."""

    path: str
    display: str
    line: int
    column: int
    rule: str
    """``file`` (a link, FIFO or device), ``front-matter`` (no front matter, not UTF-8, too big)
    or ``yaml`` (the front matter does not parse)."""
    message: str
    id: str = ""
    """The id its ``id:`` line seems to give, when the front matter does not parse; for messages."""

    def __reduce__(self) -> tuple[Callable[..., Unreadable], tuple[Any, ...]]:
        return (Unreadable, (self.path, self.display, self.line, self.column, self.rule, self.message, self.id))

    def holds(self, story_id: str) -> bool:
        """Whether this file seems to hold ``story_id``: by its name, or by its id line."""
        return named_for(self.path, story_id) or (bool(self.id) and self.id.lower() == story_id.lower())

    @property
    def finding(self) -> Finding:
        return Finding(self.display, self.line, self.column, None, self.rule, ERROR, self.message)

    def error_for(self, story_id: str) -> UnreadableStory:
        """What to say when a command names ``story_id`` and this file holds it."""
        return UnreadableStory(
            f"{story_id} is in {self.display}, which cannot be read: line {self.line}, col {self.column}: "
            f"{self.message}; fix it, then run groom check"
        )


def holder(unreadable: Iterable[Unreadable], story_id: str) -> Unreadable | None:
    """The unreadable file that seems to hold ``story_id`` (by its name or its id line), if any."""
    return next((u for u in unreadable if u.holds(story_id)), None)


class Holders:
    """holder() for many ids: every id each file seems to hold is worked out once (a pass over
    the unreadable files per id made a backlog with many of both quadratic)."""

    def __init__(self, unreadable: Iterable[Unreadable]) -> None:
        self._by_id: dict[str, Unreadable] = {}
        for broken in unreadable:  # the first file that holds an id is its holder, as holder() says
            for held in _named(os.path.basename(broken.path).removesuffix(".md").lower()):
                self._by_id.setdefault(held, broken)
            if broken.id:
                self._by_id.setdefault(broken.id.lower(), broken)

    def __call__(self, story_id: str) -> Unreadable | None:
        return self._by_id.get(story_id.lower())


def _named(stem: str) -> Iterator[str]:
    """Every id (lower case) a file of this name is named for: named_for's rule, turned round."""
    yield stem
    for at, char in enumerate(stem):
        if not char.isalnum() and not (char == "." and stem[at + 1 : at + 2].isdigit()):
            yield stem[:at]


def refuse_unreadable(unreadable: Iterable[Unreadable], doing: str) -> None:
    """A write that depends on the whole backlog (its order, its ids, its references) cannot
    be planned around a file groom cannot read: it would guess. Raise UnreadableStory."""
    found = list(unreadable)
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise UnreadableStory(
            f"cannot {doing} while {first.display}{more} cannot be read (line {first.line}, col "
            f"{first.column}: {first.message}); groom would have to guess its place: fix it (groom check), "
            "then run the command again"
        )


@dataclass(frozen=True, slots=True)
class Backlog:
    config: Config
    stories: tuple[Story, ...]
    """Every readable story, in backlog order."""
    unreadable: tuple[Unreadable, ...] = ()
    """Files that are in the backlog but could not be read as stories."""
    retired: tuple[Placement, ...] = ()
    """Stories in the inactive folders ([paths] inactive): finished or set aside. Their ids are
    taken and may be referred to; they are not open work and are not judged."""
    _index: dict[str, tuple[Story, ...]] = field(default_factory=dict, compare=False, repr=False)
    _retired: dict[str, Placement] = field(default_factory=dict, compare=False, repr=False)
    _holders: Holders = field(init=False, compare=False, repr=False)
    _children: dict[str, tuple[Story, ...]] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        index = self._index  # tuples: a list of one story is twice its size
        shared: dict[str, list[Story]] = {}
        for story in self.stories:
            story_id = story.id
            if story_id in index:
                shared.setdefault(story_id, [*index[story_id]]).append(story)
            elif story_id:
                index[story_id] = (story,)
        for story_id, holders in shared.items():
            index[story_id] = tuple(holders)
        for placement in self.retired:
            if placement.id:
                self._retired.setdefault(placement.id, placement)
        object.__setattr__(self, "_holders", Holders(self.unreadable))

    def holder(self, story_id: str) -> Unreadable | None:
        """The file that cannot be read and seems to hold ``story_id`` (model.holder), if any."""
        return self._holders(story_id)

    def children(self, story_id: str) -> tuple[Story, ...]:
        """The stories whose parent is ``story_id``, in backlog order (indexed on first ask)."""
        index = self._children
        if index is None:
            lists: dict[str, list[Story]] = {}
            for story in self.stories:
                if story.parent:
                    lists.setdefault(story.parent, []).append(story)
            index = {parent: tuple(found) for parent, found in lists.items()}
            object.__setattr__(self, "_children", index)
        return index.get(story_id, ())

    def finished(self, story_id: str) -> Placement | None:
        """The story with that id in an inactive folder, if any."""
        return self._retired.get(story_id)

    @property
    def by_id(self) -> dict[str, tuple[Story, ...]]:
        """Stories per id; a list longer than one is a duplicate id."""
        return self._index

    @property
    def problems(self) -> tuple[Finding, ...]:
        return tuple(u.finding for u in self.unreadable)

    def get(self, story_id: str) -> Story:
        """The story with that id; says so when its file cannot be read."""
        canonical = self.config.reading.canonical(story_id)
        story_id = canonical if isinstance(canonical, str) else story_id
        found = self._index.get(story_id)
        if found and len(found) > 1:
            files = ", ".join(story.display for story in found)
            raise StoryNotFound(
                f"id {story_id} is used by {len(found)} files ({files}); give one a new id first: "
                f"groom renumber {found[-1].display}"
            )
        if found:
            return found[0]
        broken = self.holder(story_id)
        if broken is not None:
            raise broken.error_for(story_id)
        old = self.finished(story_id)
        if old is not None:
            raise StoryNotFound(
                f"{story_id} is in {old.display}, a folder of finished stories ([paths] inactive in groom.toml); "
                "move the file out of it to work on the story again"
            )
        alike = [known for known in self._index if known.lower() == story_id.lower()]
        if not alike and story_id.isdigit():  # "23" for S-23
            prefixed = (f"{prefix}{story_id}" for prefix in self.config.id_prefixes)
            alike = [known for known in prefixed if known in self._index]
        hint = f"did you mean {alike[0]}?" if alike else "'groom list' shows the ids"
        raise StoryNotFound(f"no story with id {story_id!r} in {self.config.backlog}; {hint}")
