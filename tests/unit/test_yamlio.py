"""The strict front matter reader: one meaning for every value, hostile input refused."""

from __future__ import annotations

import re
import time

import pytest

from groom import yamlio
from groom.errors import YamlError
from groom.yamlio import load_mapping


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no", "no"),
        ("NO", "NO"),
        ("yes", "yes"),
        ("on", "on"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("", None),
        ("null", None),
        ("0755", 755),
        ("0o17", 15),
        ("0x1F", 31),
        ("1e3", 1000.0),
        ("3", 3),
        ("-2", -2),
        ("2.5", 2.5),
        ("1:30", "1:30"),
        ("2026-05-01", "2026-05-01"),
        ("2026-05-01 14:30", "2026-05-01 14:30"),
        ("a1V", "a1V"),
        ("S-42", "S-42"),
        (".inf", float("inf")),
    ],
)
def test_plain_scalars_use_yaml_1_2_core_typing(text: str, expected: object) -> None:
    assert load_mapping(f"key: {text}\n") == {"key": expected}


def test_quoted_values_are_always_text() -> None:
    assert load_mapping("a: '3'\nb: \"true\"\nc: 'null'\n") == {"a": "3", "b": "true", "c": "null"}


def test_nested_lists_and_mappings() -> None:
    text = "labels: [a, b]\ndeps:\n  - S-1\n  - S-2\nmeta:\n  owner: ana\n  tags: {x: 1}\n"
    assert load_mapping(text) == {
        "labels": ["a", "b"],
        "deps": ["S-1", "S-2"],
        "meta": {"owner": "ana", "tags": {"x": 1}},
    }


def test_duplicate_key_is_refused_with_both_lines() -> None:
    with pytest.raises(YamlError) as caught:
        load_mapping("id: S-1\nstatus: draft\ntitle: x\nstatus: ready\n")
    assert caught.value.line == 3
    assert "duplicate key 'status' (also 2 lines above)" in caught.value.message


@pytest.mark.parametrize("key", ["1", "2024-01-01x", "true", "null", "1.5"])
def test_keys_that_are_not_text_are_refused(key: str) -> None:
    if key == "2024-01-01x":
        assert load_mapping(f"{key}: v\n") == {key: "v"}
        return
    with pytest.raises(YamlError, match="quote it"):
        load_mapping(f"{key}: v\n")


def test_quoted_numeric_key_is_accepted() -> None:
    assert load_mapping('"1": v\n') == {"1": "v"}


@pytest.mark.parametrize(
    "text",
    ["a: !!python/object:os.system x\n", "a: !custom 3\n", "a: !!str 3\n", "!!map {a: 1}\n", "a: !!seq [1]\n"],
)
def test_tags_are_refused(text: str) -> None:
    with pytest.raises(YamlError, match="tag"):
        load_mapping(text)


def test_alias_to_a_scalar_is_fine_but_not_to_a_container() -> None:
    assert load_mapping("a: &x hello\nb: *x\n") == {"a": "hello", "b": "hello"}
    with pytest.raises(YamlError, match="alias to a list or mapping"):
        load_mapping("a: &x [1, 2]\nb: *x\n")


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    start = time.perf_counter()
    with pytest.raises(YamlError, match="alias"):
        load_mapping("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_ten_thousand_deep_nesting_is_refused(shape: str) -> None:
    depth = 10_000
    if shape == "flow":
        text = "a: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + f"{'  ' * depth}v\n"
    with pytest.raises(YamlError) as caught:
        load_mapping(text)
    assert "nesting" in caught.value.message or "depth" in caught.value.message


def test_front_matter_that_is_a_list_is_refused() -> None:
    with pytest.raises(YamlError, match="a list, not a mapping"):
        load_mapping("- a\n- b\n")


def test_front_matter_that_is_a_scalar_is_refused() -> None:
    with pytest.raises(YamlError, match="not a mapping"):
        load_mapping("just text\n")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("id: S-1\ntitle: Fix: the bug\n", 1, "quote the value"),
        ("id: S-1\nassignee: @ana\n", 1, "cannot start with '@'; quote it: \"@ana\""),
        ("id: S-1\n\tstatus: draft\n", 1, "tab"),
        ("id: S-1\ntitle: 'unclosed\n", 1, "quote"),
        ("id: S-1\nlabels: [a, b\n", 1, "this [ list ] is not closed on its line; add the ']'"),
    ],
)
def test_syntax_errors_say_where_and_what_to_do(text: str, line: int, words: str) -> None:
    with pytest.raises(YamlError) as caught:
        load_mapping(text)
    assert caught.value.line == line, caught.value
    assert words in caught.value.message


def test_locate_finds_keys_and_list_items() -> None:
    text = "id: S-1\ndepends_on:\n  - S-2\n  - S-3\nmeta: {a: 1}\n"
    assert yamlio.locate(text, ("id",)) == (0, 0)
    assert yamlio.locate(text, ("depends_on", 1)) == (3, 4)
    assert yamlio.locate(text, ("meta", "a")) == (4, 7)
    assert yamlio.locate(text, ("missing",)) == (0, 0)


@pytest.mark.parametrize(
    "text", ["yes", "no", "On", "3", "0755", "1:30", "2026-01-01", "@ana", "a: b", "", " x", "null"]
)
def test_render_scalar_quotes_what_would_read_as_something_else(text: str) -> None:
    rendered = yamlio.render_scalar(text)
    assert rendered.startswith('"')
    assert load_mapping(f"k: {rendered}\n") == {"k": text}


@pytest.mark.parametrize("text", ["draft", "S-42", "a1V", "Export as CSV"])
def test_render_scalar_leaves_plain_words_plain(text: str) -> None:
    assert yamlio.render_scalar(text) == text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x: ! 5\n", "tag '!' is not allowed"),
        ("x: ! [a]\n", "tag '!' is not allowed"),
        ("! {a: 1}\n", "tag '!' is not allowed"),
        ("a: " + "9" * 5000 + "\n", "a number of 5,000 digits is too long to read; quote it if it is text"),
        ("k: v\nj: 1\n\nk: w\n", "duplicate key 'k' (also 3 lines above); keep one of them"),
    ],
)
def test_hostile_shapes_are_refused_with_a_reason(text: str, words: str) -> None:
    with pytest.raises(YamlError, match=re.escape(words)):
        load_mapping(text)


def test_aliases_that_blow_the_data_up_are_refused_quickly() -> None:
    import time

    text = "a: &x " + "y" * 5000 + "\nb: [" + ", ".join(["*x"] * 2000) + "]\n"
    start = time.perf_counter()
    with pytest.raises(YamlError, match="aliases repeat values far beyond the size of the front matter"):
        load_mapping(text)
    assert time.perf_counter() - start < 1.0
    assert load_mapping("a: &x yy\nb: [*x, *x]\n") == {"a": "yy", "b": ["yy", "yy"]}
    assert load_mapping("x: a!b\ny: '!'\n") == {"x": "a!b", "y": "!"}
