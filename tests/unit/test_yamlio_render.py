"""yamlio, the rest of its rules: how a value is written back (null, booleans, quoting and
escapes, block lists), where each entry of a front matter sits, and the id a broken front
matter probably has (for messages)."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from groom import yamlio
from groom.errors import YamlError


@pytest.mark.parametrize(
    ("value", "quote", "text"),
    [
        (None, "", "null"),
        (True, "", "true"),
        (False, "", "false"),
        (3, "", "3"),
        (2.5, "", "2.5"),
        ("plain", "", "plain"),
        ("it's", "'", "'it''s'"),
        ("two\nlines", "'", '"two\\nlines"'),
        ("plain", '"', '"plain"'),
        (yamlio.Quoted("a1"), "", '"a1"'),
        ('say "hi"', '"', '"say \\"hi\\""'),
        ("back\\slash\ttab", '"', '"back\\\\slash\\ttab"'),
        ("yes", "", '"yes"'),
        ("3", "", '"3"'),
        ("a: b", "", '"a: b"'),
    ],
)
def test_a_scalar_is_written_so_it_reads_back_as_itself(value: Any, quote: str, text: str) -> None:
    assert yamlio.render_scalar(value, quote) == text
    assert yamlio.load_mapping(f"k: {text}\n") == {"k": value}


def test_a_list_is_written_in_flow_or_block_style() -> None:
    assert yamlio.render_flow(["S-1", 2, None]) == "[S-1, 2, null]"
    assert yamlio.render_flow([]) == "[]"
    assert yamlio.render_block(["S-1", "S-2"], "  ", "\n") == "- S-1\n  - S-2"
    assert yamlio.render_block(["a"], "    ", "\r\n") == "- a"
    assert yamlio.render_block([], "  ", "\n") == "[]"


@pytest.mark.parametrize("text", ["plain words", "a-b", "S-12"])
def test_ordinary_text_needs_no_quotes(text: str) -> None:
    assert not yamlio.needs_quotes(text)
    assert yamlio.render_plain_via_ruamel(text) == text


@pytest.mark.parametrize("text", ["true", "null", "12", "on", "- x", "a #b", "x: y", ""])
def test_text_that_would_read_as_something_else_needs_quotes(text: str) -> None:
    assert yamlio.needs_quotes(text)


def test_entries_say_where_each_key_and_value_sits_and_how_it_is_written() -> None:
    text = "id: S-1\nrank: 'a1'\nlabels: [a, b]\ndepends_on:\n  - S-2\n  - S-3\nnote: |\n  line\n\nlast: x\n"
    found = {e.key: e for e in yamlio.entries(text)}
    assert list(found) == ["id", "rank", "labels", "depends_on", "note", "last"]
    assert [(e.kind, e.style) for e in found.values()] == [
        ("scalar", ""),
        ("scalar", "'"),
        ("flow", ""),
        ("block", ""),
        ("scalar", "|"),
        ("scalar", ""),
    ]
    assert [e.key_line for e in found.values()] == [0, 1, 2, 3, 6, 9]
    assert text[found["rank"].value_start : found["rank"].value_end] == "'a1'"
    assert text[found["labels"].value_start : found["labels"].value_end] == "[a, b]"
    assert text[found["depends_on"].value_start : found["depends_on"].value_end] == "- S-2\n  - S-3"
    assert text[found["note"].value_start : found["note"].value_end] == "|\n  line"
    assert list(yamlio.entries("")) == []
    with pytest.raises(YamlError) as refused:
        list(yamlio.entries("- a\n- b\n"))
    assert (refused.value.message, refused.value.line, refused.value.column) == ("front matter is not a mapping", 0, 0)


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("title: [broken\nid: S-16\n", "S-16"),
        ('id: "S-16"\ntitle: [', "S-16"),
        ("id: 'S 16'\n", "S 16"),
        ("id: S-16   # the id\n", "S-16"),
        ("  id: S-16\n", ""),
        ("title: x\n", ""),
    ],
)
def test_the_id_of_a_front_matter_that_does_not_parse_is_guessed_for_messages(text: str, guess: str) -> None:
    assert yamlio.guess_id(text) == guess


def test_a_path_is_located_at_its_value_or_its_nearest_ancestor() -> None:
    text = "id: S-1\nlabels:\n  - a\n  - b\n"
    assert yamlio.locate(text, ("labels", 1)) == (3, 4)
    assert yamlio.locate(text, ("labels", 9)) == (1, 0)
    assert yamlio.locate(text, ("missing",)) == (0, 0)
    assert yamlio.locate("", ("id",)) == (0, 0)
    assert yamlio.locate("id: [\n", ("id",))[0] == 1  # where the parse failed


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        (
            "a: !!str x\n",
            0,
            3,
            "tag 'tag:yaml.org,2002:str' is not allowed in front matter; remove it (quote the value "
            "if it must be text)",
        ),
        (
            "a: &x [1]\nb: *x\n",
            0,
            3,
            "an alias to a list or mapping is not allowed (it can expand without bound); write the value out",
        ),
        ("a: " + "[" * 40 + "]" * 40 + "\n", 0, 34, "nesting deeper than 32 levels; flatten the front matter"),
        ("[a]: 1\n", 0, 0, "a key must be plain text; quote it"),
        ("a: 1\na: 2\n", 1, 0, "duplicate key 'a' (also 1 line above); keep one of them"),
        ("a: 1\nb: 2\na: 3\n", 2, 0, "duplicate key 'a' (also 2 lines above); keep one of them"),
        ("{a: 1, a: 2}\n", 0, 7, "duplicate key 'a' (also on the same line); keep one of them"),
        ("a:\n\t- x\n", 1, 0, "a tab character is not allowed here; indent with spaces"),
        (
            "a: [1, 2\n",
            0,
            3,
            "did not find expected ',' or ']': this [ list ] is not closed on its line; add the ']' (or quote an item)",
        ),
        (
            "a: {b: 1\n",
            0,
            3,
            "did not find expected ',' or '}': this { mapping } is not closed on its line; add the '}'",
        ),
        ("null: 1\n", 0, 0, "key 'null' is read as null, not text; quote it (\"null\":)"),
        ("1: x\n", 0, 0, "key '1' is read as int, not text; quote it (\"1\":)"),
    ],
)
def test_front_matter_that_cannot_be_read_is_explained_at_its_place(
    text: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(YamlError) as refused:
        yamlio.load_mapping(text)
    assert (refused.value.line, refused.value.column, refused.value.message) == (line, column, words)


def test_rendering_leaves_no_reference_cycles_behind() -> None:
    """groom runs with the collector off (cli.run): rendering a value for a write must leave
    nothing that only the collector frees (a dumper made per value left ~8 KB each)."""
    yamlio.render_plain_via_ruamel("warm up")
    collecting = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for n in range(200):
            yamlio.render_plain_via_ruamel(f"value {n}")
        assert gc.collect() < 100
    finally:
        if collecting:
            gc.enable()
