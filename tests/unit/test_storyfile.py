"""Story files: splitting without losing a byte, one-line edits, safe writes."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groom import edits, storyfile, yamlio
from groom.errors import FrontMatterError, WriteConflict
from tests.conftest import EXAMPLES

LOSSLESS = sorted((EXAMPLES / "lossless").glob("*.md"))


def as_crlf(raw: bytes) -> bytes:
    return raw.replace(b"\n", b"\r\n")


def with_bom(raw: bytes) -> bytes:
    return b"\xef\xbb\xbf" + raw


VARIANTS: dict[str, Callable[[bytes], bytes]] = {"lf": lambda raw: raw, "crlf": as_crlf, "bom": with_bom}


def line_changes(before: bytes, after: bytes) -> list[tuple[str, list[bytes], list[bytes]]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [(tag, old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def data_of(raw: bytes) -> dict[str, Any]:
    return yamlio.load_mapping(storyfile.split(raw).front_matter)


# ---------------------------------------------------------------------------------------
# split


def test_split_keeps_every_byte() -> None:
    for path in LOSSLESS:
        for variant in VARIANTS.values():
            raw = variant(path.read_bytes())
            layout = storyfile.split(raw)
            assert storyfile.encode(layout, layout.text) == raw, path.name


def test_split_finds_body_after_first_closing_delimiter() -> None:
    layout = storyfile.split((EXAMPLES / "lossless" / "body-dashes.md").read_bytes())
    assert layout.body.startswith("First part.")
    assert layout.body.count("---") == 2
    assert layout.body_line == 8


def test_crlf_and_bom_are_detected() -> None:
    raw = with_bom(as_crlf(b"---\nid: S-1\n---\nbody\n"))
    layout = storyfile.split(raw)
    assert layout.bom
    assert layout.newline == "\r\n"
    assert yamlio.load_mapping(layout.front_matter) == {"id": "S-1"}


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "empty file"),
        (b"\n  \n", "empty file"),
        (b"# Just a heading\n", "no front matter"),
        (b"id: S-1\n---\n", "no front matter"),
        (b"---\nid: S-1\ntitle: x\n", "not closed"),
        (b"---", "not closed"),
        (b"---\nid: S-1\ntitle: caf\xe9\n---\n", "not UTF-8 (byte 0xe9"),
    ],
)
def test_split_refuses_with_a_reason(raw: bytes, words: str) -> None:
    with pytest.raises(FrontMatterError, match=words.replace("(", r"\(")):
        storyfile.split(raw)


def test_non_utf8_error_names_the_line() -> None:
    with pytest.raises(FrontMatterError) as caught:
        storyfile.split(b"---\nid: S-1\ntitle: caf\xe9\n---\n")
    assert caught.value.line == 3


# ---------------------------------------------------------------------------------------
# lossless edits


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("path", LOSSLESS, ids=[p.name for p in LOSSLESS])
def test_setting_estimate_changes_exactly_one_line(path: Path, variant: str) -> None:
    raw = VARIANTS[variant](path.read_bytes())
    before = data_of(raw)
    points = 8 if before.get("estimate") == 13 else 13
    after_raw = storyfile.set_fields(raw, {"estimate": points})
    changes = line_changes(raw, after_raw)
    assert len(changes) == 1, changes
    tag, old, new = changes[0]
    if "estimate" in before:
        assert tag == "replace"
        assert len(old) == len(new) == 1
        assert old[0].replace(str(before["estimate"]).encode(), str(points).encode(), 1) == new[0]
    else:
        assert tag == "insert"
        assert new == [b"estimate: 13" + (b"\r\n" if variant == "crlf" else b"\n")]
    assert data_of(after_raw) == {**before, "estimate": points}
    assert after_raw.startswith(b"\xef\xbb\xbf") == (variant == "bom")


@pytest.mark.parametrize("path", LOSSLESS, ids=[p.name for p in LOSSLESS])
def test_setting_rank_writes_a_quoted_key_on_one_line(path: Path) -> None:
    raw = path.read_bytes()
    after_raw = storyfile.set_fields(raw, {"rank": yamlio.Quoted("a0V")})
    changes = line_changes(raw, after_raw)
    assert len(changes) == 1, changes
    assert b"a0V" in changes[0][2][0]
    assert b'"a0V"' in changes[0][2][0] or b"'a0V'" in changes[0][2][0]
    assert data_of(after_raw)["rank"] == "a0V"


def test_inline_comment_survives_a_value_change() -> None:
    raw = (EXAMPLES / "lossless" / "comments.md").read_bytes()
    after = storyfile.set_fields(raw, {"estimate": 8, "status": "ready"})
    assert b"estimate: 8 # provisional, see spike\n" in after
    assert b"status: ready  # moved from draft on 2026-03-02\n" in after
    assert sum(len(old) for _, old, _ in line_changes(raw, after)) == 2


def test_existing_quote_style_is_kept() -> None:
    raw = (EXAMPLES / "lossless" / "lists.md").read_bytes()
    after = storyfile.set_fields(raw, {"rank": "a2"})
    assert b"rank: 'a2'\n" in after


def test_block_list_is_rewritten_in_its_own_indentation() -> None:
    raw = (EXAMPLES / "lossless" / "lists.md").read_bytes()
    after = storyfile.set_fields(raw, {"depends_on": ["S-17", "S-18", "S-19"]})
    assert b"depends_on:\n  - S-17\n  - S-18\n  - S-19\nepic: orders\n" in after
    [(tag, _, new)] = line_changes(raw, after)
    assert tag == "insert"
    assert new == [b"  - S-19\n"]


def test_flow_list_stays_flow() -> None:
    raw = (EXAMPLES / "lossless" / "lists.md").read_bytes()
    after = storyfile.set_fields(raw, {"labels": ["orders"]})
    assert b"labels: [orders]\n" in after


def test_value_that_needs_quotes_is_quoted() -> None:
    raw = b"---\nid: S-1\ntitle: x\nstatus: draft\n---\n"
    after = storyfile.set_fields(raw, {"owner": "@ana", "flag": "no"})
    assert data_of(after) == {"id": "S-1", "title": "x", "status": "draft", "owner": "@ana", "flag": "no"}


def test_no_final_newline_is_kept() -> None:
    raw = (EXAMPLES / "lossless" / "no-final-newline.md").read_bytes()
    after = storyfile.set_fields(raw, {"estimate": 5})
    assert after.endswith(b"Body without a final newline")


def test_setting_the_same_value_changes_nothing() -> None:
    for path in LOSSLESS:
        raw = path.read_bytes()
        data = data_of(raw)
        if "estimate" in data:
            assert storyfile.set_fields(raw, {"estimate": data["estimate"]}) == raw, path.name


def test_edit_of_a_broken_file_is_refused() -> None:
    with pytest.raises(FrontMatterError):
        storyfile.set_fields(b"---\nid: [\n---\n", {"estimate": 3})


# ---------------------------------------------------------------------------------------
# safe writes


def test_save_replaces_atomically_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "S-1.md"
    path.write_bytes(b"---\nid: S-1\nestimate: 3\n---\n")
    path.chmod(0o640)
    snapshot = storyfile.read_regular(path)
    assert edits.save_all([(snapshot, storyfile.set_fields(snapshot.raw, {"estimate": 5}))]) == 1
    assert path.read_bytes() == b"---\nid: S-1\nestimate: 5\n---\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["S-1.md"]


def test_save_of_unchanged_bytes_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "S-1.md"
    path.write_bytes(b"---\nid: S-1\n---\n")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    snapshot = storyfile.read_regular(path)
    assert edits.save_all([(snapshot, snapshot.raw)]) == 0
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_save_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "S-1.md"
    path.write_bytes(b"---\nid: S-1\nestimate: 3\n---\n")
    snapshot = storyfile.read_regular(path)
    path.write_bytes(b"---\nid: S-1\nestimate: 8\n---\nsomeone else's edit\n")
    with pytest.raises(WriteConflict, match="changed on disk"):
        edits.save_all([(snapshot, b"---\nid: S-1\nestimate: 5\n---\n")])
    assert path.read_bytes().endswith(b"someone else's edit\n")


def test_read_refuses_links_fifos_and_huge_files(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_bytes(b"---\nid: S-1\n---\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.md"
    huge.write_bytes(b"---\nid: S-1\n---\n" + b"x" * storyfile.MAX_FILE_BYTES)
    with pytest.raises(FrontMatterError, match="symbolic link"):
        storyfile.read_regular(link)
    with pytest.raises(FrontMatterError, match="not a regular file"):
        storyfile.read_regular(fifo)
    with pytest.raises(FrontMatterError, match="over the 1,048,576-byte limit"):
        storyfile.read_regular(huge)


def test_keys_added_together_keep_the_given_order() -> None:
    raw = b"---\nid: S-1\ntitle: x\n---\n"
    after = storyfile.set_fields(raw, {"time_criticality": 3, "risk_reduction": 5})
    assert after == b"---\nid: S-1\ntitle: x\ntime_criticality: 3\nrisk_reduction: 5\n---\n"


def _three(tmp_path: Path) -> list[tuple[storyfile.Snapshot, bytes]]:
    changes = []
    for n in (1, 2, 3):
        path = tmp_path / f"S-{n}.md"
        path.write_bytes(f"---\nid: S-{n}\nrank: a{n}\n---\n".encode())
        snapshot = storyfile.read_regular(path)
        changes.append((snapshot, snapshot.raw.replace(b"rank: a", b"rank: b")))
    return changes


def test_save_all_writes_every_file(tmp_path: Path) -> None:
    assert edits.save_all(_three(tmp_path)) == 3
    assert all(b"rank: b" in p.read_bytes() for p in tmp_path.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["S-1.md", "S-2.md", "S-3.md"]


def test_save_all_writes_nothing_when_one_file_changed(tmp_path: Path) -> None:
    changes = _three(tmp_path)
    (tmp_path / "S-3.md").write_bytes(b"---\nid: S-3\nrank: z9\n---\n")
    with pytest.raises(WriteConflict, match="changed on disk"):
        edits.save_all(changes)
    assert [p.read_bytes().count(b"rank: a") for p in sorted(tmp_path.iterdir())] == [1, 1, 0]


def test_save_all_writes_nothing_when_a_temporary_file_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = _three(tmp_path)
    real: Callable[..., tuple[int, str]] = tempfile.mkstemp
    calls = []

    def failing(*args: Any, **kwargs: Any) -> tuple[int, str]:
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(tmp_path / "S-3.md"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", failing)
    with pytest.raises(WriteConflict, match="No space left on device"):
        edits.save_all(changes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["S-1.md", "S-2.md", "S-3.md"]
    assert all(b"rank: a" in p.read_bytes() for p in tmp_path.iterdir())


def test_save_all_restores_what_it_replaced_when_a_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changes = _three(tmp_path)
    real = os.replace
    calls = []

    def failing(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(WriteConflict, match="nothing was changed"):
        edits.save_all(changes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["S-1.md", "S-2.md", "S-3.md"]
    assert all(b"rank: a" in p.read_bytes() for p in tmp_path.iterdir())


def _split_line_by_line(text: str, start: int) -> int | None:
    """The closing delimiter as the first version of split() found it: line by line."""
    pos = start
    while pos < len(text):
        end = text.find("\n", pos)
        line_end = len(text) if end < 0 else end
        if text[pos:line_end].rstrip() == "---":
            return pos
        if end < 0:
            break
        pos = end + 1
    return None


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["---", "--- ", "---\r", "----", "-- -", " ---", "---\t", "---\x0b", "---\u2028", "a: b", ""]
            ),
            st.text(alphabet="-: \t\r\x0b\u2028\u00a0ab", max_size=6),
        ),
        max_size=8,
    )
)
def test_split_finds_the_closing_line_the_way_the_line_by_line_reader_did(lines: list[str]) -> None:
    text = "---\n" + "\n".join(lines)
    expected = _split_line_by_line(text, 4)
    try:
        layout = storyfile.split(text.encode())
    except FrontMatterError:
        assert expected is None
        return
    assert layout.fm_end == expected


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"---\nid: S-1\nestimate:\ntitle: x\n---\n", b"---\nid: S-1\nestimate: 3\ntitle: x\n---\n"),
        (b"---\nid: S-1\nestimate:   # none yet\n---\n", b"---\nid: S-1\nestimate: 3   # none yet\n---\n"),
        (b"---\r\nid: S-1\r\nestimate:\r\n---\r\n", b"---\r\nid: S-1\r\nestimate: 3\r\n---\r\n"),
        (b"---\nid: S-1\nx: .nan\n---\n", b"---\nid: S-1\nestimate: 3\nx: .nan\n---\n"),
    ],
)
def test_an_empty_value_or_a_nan_elsewhere_does_not_block_an_edit(before: bytes, after: bytes) -> None:
    assert storyfile.set_fields(before, {"estimate": 3}) == after


def test_the_splice_guard_refuses_an_edit_that_would_change_other_values(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault injection: a splice that lands one line too low would change "title"; the guard
    # compares the parsed result with the old data plus the change and writes nothing.
    real = storyfile._replace

    def off_by_a_line(fm: str, entry: yamlio.Entry, value: Any, newline: str) -> tuple[int, int, str]:
        _, end, text = real(fm, entry, value, newline)
        next_line = fm.index("\n", end) + 1
        return next_line, next_line, f"title: {text}\n"

    monkeypatch.setattr(storyfile, "_replace", off_by_a_line)
    with pytest.raises(WriteConflict, match="the edit would"):
        storyfile.set_fields(b"---\nid: S-1\nestimate: 1\ntitle: x\n---\n", {"estimate": 3})
