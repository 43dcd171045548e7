"""storyfile, the rest of its rules: the words and lines of a refused file, git conflict
markers, where an added key goes, removing a key, the guards of set_fields and render_new made
to fire, value comparison, and safe reads (links, FIFOs, missing, growing files)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from groom import storyfile, yamlio
from groom.errors import FrontMatterError, WriteConflict
from groom.model import REMOVE


@pytest.mark.parametrize(
    ("raw", "words", "line"),
    [
        (b"", "empty file; a story starts with a '---' line, its front matter, and '---'", 1),
        (
            b"# Title\n",
            "no front matter: the first line must be '---', followed by 'key: value' lines and a closing '---'",
            1,
        ),
        (b"---", "front matter is not closed; add a '---' line after it", 1),
        (b"---\nid: S-1\n", "front matter is not closed; add a '---' line after the last key", 1),
        (b"---\nid: S-1\ntitle: caf\xe9\n---\n", "not UTF-8 (byte 0xe9 at offset 22); save the file as UTF-8", 3),
    ],
)
def test_a_file_that_is_no_story_is_refused_with_what_to_do_and_where(raw: bytes, words: str, line: int) -> None:
    with pytest.raises(FrontMatterError) as refused:
        storyfile.split(raw)
    assert (refused.value.message, refused.value.line) == (words, line)


def test_the_parts_of_a_story_file_are_found_whatever_its_delimiters() -> None:
    layout = storyfile.split(b"\xef\xbb\xbf---  \r\nid: S-1\r\n---\t\r\nbody\r\n")
    assert (layout.bom, layout.newline, layout.front_matter, layout.body, layout.body_line) == (
        True,
        "\r\n",
        "id: S-1\r\n",
        "body\r\n",
        4,
    )
    bare = storyfile.split(b"---\n---")
    assert (bare.front_matter, bare.body, bare.body_line) == ("", "", 2)
    dashes = storyfile.split(b"---\nid: S-1\n----\n---x\n---\nbody")
    assert (dashes.front_matter, dashes.body) == ("id: S-1\n----\n---x\n", "body")
    assert storyfile.encode(layout, "x") == b"\xef\xbb\xbfx"
    assert storyfile.encode(bare, "x") == b"x"


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (b"<<<<<<< HEAD\nid: S-1\n=======\nid: S-2\n>>>>>>> theirs\n", 1),
        (b"---\nid: S-1\n<<<<<<< HEAD\nrank: a1\n=======\nrank: a2\n>>>>>>> theirs\n---\n", 3),
        (b"---\nid: S-1\n<<<<<<< HEAD\nrank: a1\n---\n", 0),
        (b"---\nid: S-1\n<<<<<<<HEAD\n>>>>>>> theirs\n", 0),
        (b"---\nid: S-1\n---\n", 0),
        (b">>>>>>> theirs\n<<<<<<< HEAD\n", 0),
        (b"\n<<<<<<< HEAD\n>>>>>>> theirs\n", 2),
        (b"id: S-1\n<<<<<<< a\n>>>>>>> b\n<<<<<<< c\n>>>>>>> d\n", 2),
    ],
)
def test_a_git_conflict_marker_is_found_with_its_line(raw: bytes, line: int) -> None:
    assert storyfile.conflict_line(raw) == line


# ---------------------------------------------------------------------------------------
# set_fields: where keys go and how they leave


FULL = (
    b"---\nid: S-1\ntitle: x\ntype: bug\nstatus: draft\nestimate: 3\nvalue: 5\nrank: a1\ndepends_on: [S-2]\n"
    b"parent: S-9\n---\nbody\n"
)


@pytest.mark.parametrize(
    ("key", "after"),
    [
        ("estimate", "status"),
        ("value", "estimate"),
        ("rank", "value"),
        ("parent", "depends_on"),
        ("children", "parent"),
    ],
)
def test_an_added_key_goes_after_the_key_it_belongs_with(key: str, after: str) -> None:
    lines = FULL.decode().split("\n")
    without = "\n".join(line for line in lines if not line.startswith(f"{key}:")).encode()
    added = storyfile.set_fields(without, {key: ["S-3"] if key == "children" else 1})
    new_lines = added.decode().split("\n")
    index = next(i for i, line in enumerate(new_lines) if line.startswith(f"{key}:"))
    assert new_lines[index - 1].startswith(f"{after}:"), added


def test_an_added_key_falls_back_to_an_earlier_anchor_or_the_end() -> None:
    assert storyfile.set_fields(b"---\nid: S-1\ntitle: x\nowner: ana\n---\n", {"estimate": 3}) == (
        b"---\nid: S-1\ntitle: x\nestimate: 3\nowner: ana\n---\n"
    )
    assert storyfile.set_fields(b"---\nowner: ana\n---\n", {"estimate": 3}) == b"---\nowner: ana\nestimate: 3\n---\n"
    assert storyfile.set_fields(b"---\n---\n", {"estimate": 3}) == b"---\nestimate: 3\n---\n"
    assert (
        storyfile.set_fields(b"---\r\nid: S-1\r\n---\r\n", {"owner": "ana"})
        == b"---\r\nid: S-1\r\nowner: ana\r\n---\r\n"
    )


def test_an_added_key_goes_after_the_whole_value_of_its_anchor() -> None:
    raw = b"---\nid: S-1\ndepends_on:\n  - S-2\n  - S-3\nlabels: [a]\n---\n"
    assert storyfile.set_fields(raw, {"parent": "S-9"}) == (
        b"---\nid: S-1\ndepends_on:\n  - S-2\n  - S-3\nparent: S-9\nlabels: [a]\n---\n"
    )


def test_a_removed_key_loses_all_its_lines_and_an_absent_one_changes_nothing() -> None:
    raw = b"---\nid: S-1\nsprint: 2026-24  # planned\ndepends_on:\n  - S-2\n  - S-3\ntitle: x\n---\nbody\n"
    assert storyfile.set_fields(raw, {"sprint": REMOVE}) == (
        b"---\nid: S-1\ndepends_on:\n  - S-2\n  - S-3\ntitle: x\n---\nbody\n"
    )
    assert (
        storyfile.set_fields(raw, {"depends_on": REMOVE})
        == b"---\nid: S-1\nsprint: 2026-24  # planned\ntitle: x\n---\nbody\n"
    )
    assert storyfile.set_fields(raw, {"owner": REMOVE}) == raw


def test_a_block_list_set_to_nothing_or_to_a_scalar_moves_onto_the_key_line() -> None:
    raw = b"---\nid: S-1\ndepends_on:\n  - S-2\ntitle: x\n---\n"
    assert storyfile.set_fields(raw, {"depends_on": []}) == b"---\nid: S-1\ndepends_on: []\ntitle: x\n---\n"
    assert storyfile.set_fields(raw, {"depends_on": "S-3"}) == b"---\nid: S-1\ndepends_on: S-3\ntitle: x\n---\n"


def test_a_value_set_into_a_quoted_value_keeps_its_quotes() -> None:
    raw = b"---\nid: S-1\nrank: \"a1\"\ntitle: 'x'\n---\n"
    assert storyfile.set_fields(raw, {"rank": "a2", "title": "y"}) == b"---\nid: S-1\nrank: \"a2\"\ntitle: 'y'\n---\n"


def test_a_nested_mapping_is_not_written() -> None:
    with pytest.raises(WriteConflict) as refused:
        storyfile.set_fields(b"---\nid: S-1\n---\n", {"meta": {"a": 1}})
    assert refused.value.message == "groom does not write nested mappings; edit the file by hand"


def test_a_broken_front_matter_is_refused_at_its_file_line() -> None:
    with pytest.raises(FrontMatterError) as refused:
        storyfile.set_fields(b"---\nid: S-1\ntitle: x\nrank: [a\n---\n", {"estimate": 3})
    assert refused.value.line == 4  # the rank line
    assert refused.value.message.startswith("did not find expected ',' or ']'")


def test_the_guard_refuses_an_edit_that_would_not_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault injection: a renderer that writes text YAML cannot read; the re-parse catches it.
    monkeypatch.setattr(yamlio, "render_scalar", lambda *_, **__: "[unclosed")
    with pytest.raises(WriteConflict) as refused:
        storyfile.set_fields(b"---\nid: S-1\nestimate: 1\n---\n", {"estimate": 3})
    assert refused.value.message.startswith("the edit would not parse (")
    assert refused.value.message.endswith("); edit the file by hand")


def test_the_guard_compares_the_whole_result_not_only_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fast scan declining must not skip the comparison: the full parse is compared too.
    monkeypatch.setattr(yamlio, "scan", lambda *_, **__: None)
    monkeypatch.setattr(yamlio, "render_scalar", lambda *_, **__: "3\nowner: someone")
    with pytest.raises(WriteConflict) as refused:
        storyfile.set_fields(b"---\nid: S-1\nestimate: 1\ntitle: x\n---\n", {"estimate": 3})
    assert refused.value.message == "the edit would change other values; edit the file by hand"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (yamlio.Quoted("a1"), "a1", True),
        ("a1", "a2", False),
        (1, 1.0, False),
        (True, 1, False),
        (float("nan"), float("nan"), True),
        (1.5, 1.5, True),
        (1.5, float("nan"), False),
        ([1, "a"], [1, "a"], True),
        ([1], [1, 2], False),
        ([1], [1.0], False),
        ({"a": [1]}, {"a": [1]}, True),
        ({"a": 1}, {"b": 1}, False),
        ({"a": 1}, {"a": 2}, False),
        (None, None, True),
        (1, "1", False),
        ("1", 1, False),
    ],
)
def test_values_are_the_same_only_with_equal_types(a: Any, b: Any, same: bool) -> None:
    assert storyfile.same(a, b) is same


def test_a_new_story_is_rendered_in_the_given_key_order() -> None:
    raw = storyfile.render_new({"id": "S-4", "title": "Pay: by card", "labels": ["a", "b"], "value": 3}, "Body\n")
    assert raw == b'---\nid: S-4\ntitle: "Pay: by card"\nlabels: [a, b]\nvalue: 3\n---\nBody\n'


def test_a_new_story_that_would_not_read_back_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "render_scalar", lambda *_, **__: "other")
    with pytest.raises(WriteConflict) as refused:
        storyfile.render_new({"id": "S-4"}, "")
    assert refused.value.message == "the new story would not read back as written; this is a bug in groom"


def test_the_digest_tells_bytes_apart() -> None:
    assert storyfile.digest(b"a") == storyfile.digest(b"a")
    assert storyfile.digest(b"a") != storyfile.digest(b"b")


# ---------------------------------------------------------------------------------------
# safe reads


def test_a_read_refusal_names_the_file_and_why(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_bytes(b"x")
    (tmp_path / "link.md").symlink_to(tmp_path / "real.md")
    os.mkfifo(tmp_path / "pipe.md")
    cases = {
        "link.md": "is a symbolic link; groom reads regular files only",
        "missing.md": "cannot read: No such file or directory",
        "pipe.md": "is not a regular file (a FIFO, device or socket?); remove it",
    }
    for name, words in cases.items():
        with pytest.raises(FrontMatterError) as refused:
            storyfile.read_regular(tmp_path / name)
        assert (refused.value.message, refused.value.path) == (words, str(tmp_path / name))


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "S-1.md"
    path.write_bytes(b"x" * 100)
    snapshot = storyfile.read_regular(path, limit=100)
    assert (snapshot.raw, snapshot.size, snapshot.path) == (b"x" * 100, 100, str(path))
    assert snapshot.mtime_ns == path.stat().st_mtime_ns
    assert storyfile.read_bytes(str(path), limit=100) == b"x" * 100
    path.write_bytes(b"x" * 101)
    with pytest.raises(FrontMatterError) as refused:
        storyfile.read_regular(path, limit=100)
    assert refused.value.message == "is 101 bytes, over the 100-byte limit for a story; shorten it"
    assert refused.value.path == str(path)


@pytest.mark.parametrize(("size", "grew"), [(150_000, False), (300_000, True)])
def test_a_file_that_grows_while_it_is_read_is_read_to_its_end_or_refused_over_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, grew: bool
) -> None:
    # Fault injection: fstat reports the size from before another program appended.
    path = tmp_path / "S-1.md"
    path.write_bytes(b"y" * size)
    real = os.fstat

    def stale(fd: int) -> os.stat_result:
        info = real(fd)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))

    monkeypatch.setattr(os, "fstat", stale)
    if grew:
        with pytest.raises(FrontMatterError) as refused:
            storyfile.read_regular(path, limit=200_000)
        assert refused.value.message == "grew over the 200,000-byte limit while being read"
        assert refused.value.path == str(path)
    else:
        assert storyfile.read_bytes(str(path), limit=200_000) == b"y" * size
