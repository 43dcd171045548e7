"""records: stories handed between processes and kept in the warm cache as msgpack records,
their text and facts decoded only when asked for; and the deferred story that holds them."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groom import ready, records, storyfile
from groom.backlog import load_story
from groom.errors import GroomError, StoryChanged
from groom.facts import Facts
from groom.model import (
    HEAD_KEYS,
    PLACEMENT_KEYS,
    Backlog,
    Placement,
    Story,
    Unreadable,
    deferred_story,
    fill_of,
    is_filled,
    release,
)
from groom.naming import PLAIN
from groom.schemas import load as load_schemas
from tests.stories import CONFIG, story

BODY = """As a planner I want a story so that the team knows.

## Acceptance criteria
- [ ] Given a story, when it is read, then it is the same

## Questions
- [ ] @ana: is this the one?
"""


def _round_trip(results: list[Story | Placement | Unreadable], placements: bool = False) -> list[object]:
    packed = records.pack(results)
    paths = [r.path for r in results]
    return list(records.unpack(packed, paths, [r.display for r in results], placements, PLAIN))


def _read(folder: Path, front_matter: str) -> Story:
    """A story read from a file of its own (a deferred story reads its text from it again)."""
    path = folder / "S-1.md"
    path.write_text(f"---\n{front_matter}---\n{BODY}")
    read = load_story(str(path), str(folder))
    assert isinstance(read, Story)
    return read


def test_a_story_comes_back_equal_its_facts_decoded_and_its_text_read_only_when_asked(tmp_path: Path) -> None:
    written = _read(tmp_path, "id: S-1\ntitle: Plan\nestimate: 3\nlabels: [a, b]\nrank: a0\n")
    (back,) = _round_trip([written])
    assert isinstance(back, Story)
    assert back.id == "S-1" and back.data == written.data and back.digest == written.digest
    assert not is_filled(back, "facts"), "the facts were decoded before anyone asked"
    assert back.facts == written.facts
    blob, _, texts = records.pack([written])
    assert b"labels: [a, b]" not in blob and not texts, "the text of a story without dependencies is handed over"
    assert back.front_matter == written.front_matter  # read again from the file
    release(back)  # what was decoded goes; what it was decoded from stays
    assert not is_filled(back, "data") and fill_of(back) is not None
    assert back == written and written == back
    _ = written.order_key  # worked out on one side only: not part of what makes them equal
    assert back == written and written == back


def test_a_deferred_story_pickles_and_replaces_as_a_whole_story(tmp_path: Path) -> None:
    (back,) = _round_trip([_read(tmp_path, "id: S-1\nstatus: ready\nestimate: 3\n")])
    assert isinstance(back, Story)
    copied = pickle.loads(pickle.dumps(back))
    assert type(copied) is Story and copied == back
    changed = dataclasses.replace(back, data={**back.data, "estimate": 8, "status": "done"})
    assert changed.points == 8 and changed.facts == back.facts
    assert (changed.id, changed.status, changed.order_key) == ("S-1", "done", back.order_key)
    assert fill_of(changed) is None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        getattr(back, "nothing")  # noqa: B009 - the attribute lookup is what is tested


def test_placements_come_back_with_what_ordering_reads_and_unreadable_files_as_they_were() -> None:
    whole = story("S-2", rank="a2", depends_on=["S-1"], labels=["x"])
    placement = Placement(whole.path, whole.display, whole.data, whole.digest)
    broken = Unreadable("/b/S-3.md", "S-3.md", 4, 2, "yaml", "bad indentation", "S-3")
    back, again = _round_trip([placement, broken], placements=True)
    assert again == broken
    assert isinstance(back, Placement) and (back.path, back.display, back.digest) == (whole.path, whole.display, 1)
    assert (back.id, back.title, back.status, back.rank, back.depends_on) == (
        "S-2",
        "Story S-2",
        "ready",
        "a2",
        ("S-1",),
    )
    assert set(PLACEMENT_KEYS) <= set(back.data) == HEAD_KEYS & set(whole.data), "a placement is the head"
    assert "labels" not in back.data
    (from_story,) = _round_trip([whole], placements=True)  # a whole story's record answers a placement too
    assert from_story == back


def test_values_msgpack_cannot_hold_still_come_back() -> None:
    """An integer beyond 64 bits (a rank, say) cannot be a record: it travels whole."""
    huge = story("S-4", rank=10**30)
    text = story("S-5", title="lone \udc80 surrogate")
    plain = story("S-3")
    results: list[Story | Placement | Unreadable] = [plain, huge, text]
    _, leftovers, _ = records.pack(results)
    assert set(leftovers) == {1, 2}
    recorded, *whole = _round_trip(results)
    assert whole == [huge, text]
    assert isinstance(recorded, Story) and (recorded.data, recorded.facts) == (plain.data, plain.facts)


def test_parts_that_do_not_decode_are_read_again_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "S-1.md"
    path.write_text(f"---\nid: S-1\ntitle: T\n---\n{BODY}")
    read = load_story(str(path), str(tmp_path))
    assert isinstance(read, Story)
    broken = msgspec.Raw(b"\x93")
    head = {"id": "S-1"}
    found = records.Record(records.digest_bytes(read.digest), "s", head, broken, broken)
    back = records.result(found, str(path), "S-1.md", False)
    assert isinstance(back, Story)
    assert back.id == "S-1" and fill_of(back) is not None  # the head answers without decoding
    assert back.data == read.data
    assert back.facts == read.facts and back.front_matter == read.front_matter
    # The file changed since: what the record said can no longer be checked, so the run stops.
    path.write_text(path.read_text().replace("title: T", "title: U"))
    again = records.result(found, str(path), "S-1.md", False)
    assert isinstance(again, Story)
    with pytest.raises(GroomError, match="changed while groom was reading it; run the command again"):
        _ = again.facts
    with pytest.raises(GroomError, match="changed while groom was reading it"):
        _ = again.data


def test_a_front_matter_text_is_read_again_only_from_the_bytes_the_record_was_made_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finding is placed in the text judged: a file changed since (or gone) stops the run."""
    read = _read(tmp_path, "id: S-1\ntitle: T\n")
    path = tmp_path / "S-1.md"
    packed = records.pack([read])
    (back,) = records.unpack(packed, [str(path)], ["S-1.md"], False)
    assert isinstance(back, Story) and back.front_matter == "id: S-1\ntitle: T\n"
    monkeypatch.chdir(tmp_path)  # named as the user sees it
    edits: list[tuple[Callable[[], object], str]] = [
        (lambda: path.write_text(path.read_text().replace("T", "U")), "changed"),
        (path.unlink, "was removed"),
    ]
    for change, said in edits:
        (again,) = records.unpack(packed, [str(path)], ["S-1.md"], False)
        change()
        assert isinstance(again, Story) and again.facts == read.facts  # kept: no need to read
        with pytest.raises(StoryChanged) as raised:
            _ = again.front_matter
        assert str(raised.value) == f"S-1.md {said} while groom was reading it; run the command again"


def test_the_text_of_a_story_with_dependencies_comes_along_not_into_the_cache(tmp_path: Path) -> None:
    """The process that takes a share judges its stories with dependencies after the read and
    places their findings in their text: handed over, it is not read again."""
    read = _read(tmp_path, "id: S-1\ntitle: T\nstatus: draft\ndepends_on: [S-0]\n")
    (back,) = _round_trip([read])
    (tmp_path / "S-1.md").unlink()
    assert isinstance(back, Story) and back.front_matter == read.front_matter
    kept = records.ENCODER.encode(records.row(back, records.parts_of(back)))
    assert read.front_matter.encode() not in kept, "the cache would keep the text"


def test_a_deferred_story_answers_the_whole_backlog_rules_from_its_head() -> None:
    """ids, order, references and families are read from the head: the rest of the front
    matter stays encoded until someone asks for a key outside it."""
    written = story("S-1", body=BODY, rank="a0", depends_on=["S-0"], parent="S-9", labels=["x"])
    (back,) = _round_trip([written])
    assert isinstance(back, Story)
    assert (back.id, back.status, back.rank, back.depends_on, back.parent, back.type) == (
        "S-1",
        "ready",
        "a0",
        ("S-0",),
        "S-9",
        "story",
    )
    assert back.order_key == written.order_key
    parts = records.parts_of(back)
    assert parts is not None and parts[0] is not None, "the front matter was decoded for a head key"
    assert back.raw("labels") == ["x"]
    parts = records.parts_of(back)
    assert parts is not None and parts[0] is None


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
)
_VALUES = st.one_of(_SCALARS, st.lists(_SCALARS, max_size=3))


class _NoFill:
    def data(self) -> dict[str, object]:
        raise AssertionError("a head key was read from the whole front matter")

    def facts(self) -> Facts:
        raise AssertionError("the facts were decoded")

    def front_matter(self) -> str:
        raise AssertionError("the text was read")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(HEAD_KEYS)), _VALUES))
def test_a_deferred_story_and_a_placement_type_their_keys_as_a_whole_story_does(head: dict[str, object]) -> None:
    """The deferred story and the placement work out their keys' typed values once, written out
    for speed: they must be what a whole story's properties give for any value a file may hold."""
    whole = Story("/b/S-1.md", "S-1.md", dict(head), "", story("S-1").facts, 7)
    deferred = deferred_story("/b/S-1.md", "S-1.md", dict(head), 7, (), _NoFill())
    names = ("id", "status", "rank", "depends_on", "parent", "type", "order_key")
    assert [getattr(deferred, name) for name in names] == [getattr(whole, name) for name in names]
    placed = Placement("/b/S-1.md", "S-1.md", dict(head), 7)  # types its ordering keys once too
    ordering = ("id", "status", "rank", "depends_on", "order_key")
    assert [getattr(placed, name) for name in ordering] == [getattr(whole, name) for name in ordering]


def test_a_record_of_the_wrong_kind_for_the_question_gives_nothing() -> None:
    whole = story("S-6")
    row = records.row(Placement(whole.path, whole.display, whole.data, whole.digest))
    packed = msgspec.msgpack.decode(records.ENCODER.encode(row), type=records.Record)
    assert records.result(packed, whole.path, whole.display, placements=False) is None
    assert records.result(packed, whole.path, whole.display, placements=True) is not None


def test_a_check_lets_go_of_what_it_decoded_to_judge_a_story_handed_over(tmp_path: Path) -> None:
    """The stories a check judges after the read (those with dependencies) are decoded one by
    one; holding them all decoded took 56 MB more of a cold check at 100,000 stories."""
    written = [
        story("S-1", body=BODY),
        story("S-2", body=BODY, depends_on=["S-1"]),
        story("S-3", body=BODY, depends_on=["S-9"], status="draft"),  # a finding: S-9 is not there
    ]
    for item in written:
        (tmp_path / f"{item.id}.md").write_bytes(storyfile.render_new(item.data, BODY))
    read: list[Story | Placement | Unreadable] = [
        load_story(str(tmp_path / f"{item.id}.md"), str(tmp_path)) for item in written
    ]
    handed = [item for item in _round_trip(read) if isinstance(item, Story)]
    whole = [item for item in read if isinstance(item, Story)]
    schemas = load_schemas(CONFIG)
    found = ready.check(Backlog(CONFIG, tuple(handed)), schemas)
    assert found == ready.check(Backlog(CONFIG, tuple(whole)), schemas)
    assert "unknown-dependency" in {f.rule for f in found}
    # S-3's finding is the whole backlog's, placed after every story was judged: decoded again.
    assert not any(is_filled(item, "data") or is_filled(item, "facts") for item in handed[:2])
    assert [item.data for item in handed] == [item.data for item in whole]  # decoded again when asked
    release(whole[0])  # a story built whole keeps what it holds
    assert is_filled(whole[0], "data")


def test_the_values_most_stories_share_are_one_object_once_handed_over() -> None:
    """A status, a type, a sprint: one string for every story, not one each (16 MB at 100,000)."""
    first, second = _round_trip([story("S-1", sprint="2026-07"), story("S-2", sprint="2026-07")])
    assert isinstance(first, Story) and isinstance(second, Story)
    for key in ("status", "type", "sprint"):
        assert first.raw(key) is second.raw(key), key
    assert first.status is second.status
