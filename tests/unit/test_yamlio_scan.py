"""The fast front matter scan: wherever it answers, the full parse gives the same answer.

scan may decline (None) whenever it is unsure; it may never disagree with load_mapping. The
hand-written cases pin the tricky scalars, and the property tests throw generated front
matter of good and bad lines at both readers and compare them type by type.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groom.yamlio import load_mapping, scan


def same(a: object, b: object) -> bool:
    """Equal with equal types all the way down (True is not 1, 1 is not 1.0); NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    return a == b


KEY_SETS = (("id", "status", "rank", "depends_on"), ("a", "_x", "title", "no", "Null", "missing"))


def check(text: str) -> dict[str, object] | None:
    """scan's answer, after checking the contract against load_mapping; the same for a few
    keys only: it answers exactly when the whole scan does, with the same values."""
    fast = scan(text)
    if fast is not None:
        full = load_mapping(text)  # must not raise wherever scan answered
        assert same(fast, full), (text, fast, full)
    for keys in KEY_SETS:
        few = scan(text, keys)
        assert (few is None) == (fast is None), (text, keys, few, fast)
        if few is not None and fast is not None:
            assert same(few, {key: fast[key] for key in keys if key in fast}), (text, keys, few)
    return fast


STORY = """\
id: S-18
title: "Checkout: pay with a saved card"
status: ready
estimate: 5
value: 8
rank: "a0V"
depends_on: [S-17]
labels: [payments, 'web app', "2026"]
# the team's own fields
owner: ana
created: 2026-01-05
reviewed: 12:30
"""


def test_typical_story_front_matter() -> None:
    assert check(STORY) == {
        "id": "S-18",
        "title": "Checkout: pay with a saved card",
        "status": "ready",
        "estimate": 5,
        "value": 8,
        "rank": "a0V",
        "depends_on": ["S-17"],
        "labels": ["payments", "web app", "2026"],
        "owner": "ana",
        "created": "2026-01-05",
        "reviewed": "12:30",
    }


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("estimate:", None),
        ("estimate:   ", None),
        ("estimate:   # none yet", None),
        ("rank: null", None),
        ("rank: Null", None),
        ("rank: ~", None),
        ("rank: NULL # gone", None),
        ('rank: "null"', "null"),
        ("rank: '~'", "~"),
        ('estimate: "5"', "5"),
        ("estimate: '5'", "5"),
        ("estimate: 5", 5),
        ("estimate: -2", -2),
        ("estimate: +3", 3),
        ("estimate: 2.5", 2.5),
        ("estimate: .5", 0.5),
        ("estimate: 5.", 5.0),
        ("flag: true", True),
        ("flag: False", False),
        ("flag: no", "no"),
        ("flag: on", "on"),
        ("flag: yes", "yes"),
        ("flag: Off", "Off"),
        ("mode: 0755", 755),
        ("mode: 0o17", 15),
        ("mode: 0x1F", 31),
        ("mode: 0b101", "0b101"),
        ("size: 1e3", 1000.0),
        ("size: 1_000", "1_000"),
        ("size: .nan", math.nan),
        ("size: .NaN", math.nan),
        ("size: .inf", math.inf),
        ("size: -.inf", -math.inf),
        ("size: +.INF", math.inf),
        ("size: inf", "inf"),
        ("size: -foo", "-foo"),
        ("created: 2026-01-05", "2026-01-05"),
        ("created: 2026-01-05 14:30", "2026-01-05 14:30"),
        ("at: 12:30", "12:30"),
        ('title: "a: b"', "a: b"),
        ("title: 'it''s: done'", "it's: done"),
        ("title: it's", "it's"),
        ("title: a:b", "a:b"),
        ("title: value #comment", "value"),
        ("title: value   #comment   ", "value"),
        ("title: a#b", "a#b"),
        ("title: C#", "C#"),
        ('title: "a #b"', "a #b"),
        ("title: a, b [c] {d}", "a, b [c] {d}"),
        ("title: 50% done @ana `x` *y* &z !w", "50% done @ana `x` *y* &z !w"),
        ("title: café au lait", "café au lait"),
        ("title: 日本語のタイトル", "日本語のタイトル"),
        ('title: "日本"', "日本"),
        ("title: 'é'  # 日本", "é"),
        ('title: ""', ""),
        ("title: ''", ""),
        ("title:    spaced   out   ", "spaced   out"),
        ("depends_on: []", []),
        ("depends_on: [ ]", []),
        ("depends_on: [S-17]", ["S-17"]),
        ("depends_on: [ S-1 ,S-2,  S-3 ]  # three", ["S-1", "S-2", "S-3"]),
        (
            "depends_on: [1, 2.5, true, null, ~, .nan, no, 2026-01-05]",
            [1, 2.5, True, None, None, math.nan, "no", "2026-01-05"],
        ),
        ("labels: [\"a, b\", 'c]', \"#d\", '']", ["a, b", "c]", "#d", ""]),
        ("labels: [two words, -1, -x]", ["two words", -1, "-x"]),
        ('"quoted key": 1', 1),
        ("'single ''key''': 1", 1),
        ('"true": x', "x"),
        ('"1": x', "x"),
        ("n: " + "9" * 100, int("9" * 100)),
    ],
)
def test_one_line_values(line: str, expected: object) -> None:
    for newline in ("\n", "\r\n", ""):
        result = check(line + newline)
        assert result is not None, line
        assert len(result) == 1
        assert same(next(iter(result.values())), expected), (line, result)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "   \n\n",
        "# only a comment\n",
        "# a\n  # b\n\n",
        "a: 1\n\n# c\n   # d\nb: 2\n",
        "a: 1\nb: 2",
        "a: 1\r\nb: [x, 'y']\r\n# c\r\n\r\nc: \"z\"",
        "a: 1\r\nb: 2\n",
        "_private: 1\nx.y-z_1: 2\n",
        "key:\n# a comment line, not a value\nother: 1\n",
    ],
)
def test_blank_comment_and_line_end_variants(text: str) -> None:
    assert check(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "labels:\n- a\n- b\n",
        "labels:\n  - a\n",
        "meta:\n  owner: ana\n",
        "body: |\n  text\n",
        "body: >-\n  text\n",
        "meta: {owner: ana}\n",
        "a: &x 1\nb: *x\n",
        "a: *x\n",
        "a: !x 5\n",
        "a: !!str 5\n",
        "a: ! 5\n",
        "id: S-1\nid: S-2\n",
        'id: S-1\n"id": S-2\n',
        "a:\t1\n",
        "a: 1\t# c\n",
        "a: b\tc\n",
        "\ta: 1\n",
        "true: x\n",
        "True: x\n",
        "null: x\n",
        "~: x\n",
        "1: x\n",
        "a: [a, b\n",
        "a: [a, b]]\n",
        "a: [a,,b]\n",
        "a: [a,]\n",
        "a: [,]\n",
        "a: [[a]]\n",
        "a: [{a: 1}]\n",
        "a: [a: 1]\n",
        "a: [a #b]\n",
        "a: [a, ? b]\n",
        "a: [- b]\n",
        'key: "unclosed\n',
        "key: 'unclosed\n",
        'key: "a" b\n',
        'key: "a"#b\n',
        'key: "a\\"b"\n',
        'key: "a\\nb"\n',
        "- item\n",
        "a: 1\n- item\n",
        "title: first\n  continued\n",
        "title: a: b\n",
        "title: a:\n",
        "title: a: # c\n",
        "a:1\n",
        "a : 1\n",
        "a:#c\n",
        "---\na: 1\n",
        "a: 1\n...\n",
        "%YAML 1.2\n---\na: 1\n",
        "? a\n: 1\n",
        "a: -\n",
        "a: - b\n",
        "a: ? b\n",
        "a: :b\n",
        "a: @b\n",
        "a: `b`\n",
        "a: %b\n",
        "a: |b\n",
        "a: >b\n",
        "a: 1\rb: 2\n",
        "a: b\x85c\n",
        "a: b\u2028c\n",
        "a: 'b\u2029c'\n",
        "\ufeffa: 1\n",
        "a: \ufeffb\n",
        "a: b\u200bc\n",
        "a: b\xa0c\n",
        "a: b\x00c\n",
        "a: b\x07c\n",
        'a: "\ud800"\n',
        "a: 1 # \x0c\n",
        "just text\n",
        "k" * 101 + ": 1\n",
        "n: " + "1" * 101 + "\n",
        "n: -" + "1" * 5000 + "\n",
        "n: [" + "1" * 5000 + "]\n",
    ],
)
def test_declines_what_is_not_simple(text: str) -> None:
    assert scan(text) is None


def test_very_long_integers_are_left_to_the_full_parse() -> None:
    # Python will not convert a decimal string longer than sys.get_int_max_str_digits()
    # (4300 by default); scan declines long digit strings instead of raising.
    big = "1" * 4301
    assert scan(f"n: {big}\n") is None
    assert scan(f"n: [{big}]\n") is None
    assert check(f"n: '{big}'\n") == {"n": big}
    assert check(f"n: 0x{'f' * 5000}\n") == {"n": int("f" * 5000, 16)}


# Generated front matter. Keys and values are drawn from tricky pieces, and lines from kinds
# that scan understands and kinds it must decline, so that both answers are common. Drawing
# is what costs time here (scan and load_mapping take microseconds), so each example's
# lines are also checked in several arrangements: alone, in pairs, with other line ends.

TRICKY_SCALARS = (
    *("", "~", "null", "Null", "NULL", "nULL", "none", "None"),
    *("true", "True", "TRUE", "tRUE", "false", "yes", "no", "No", "on", "off", "y", "n", "Y"),
    *("0", "00", "-0", "+0", "1", "-1", "+1", "0755", "0o17", "0o8", "0O17", "0x1F", "0xG", "0b101", "1_000"),
    *("1.5", "-1.5", ".5", "5.", "1e3", "1E3", "1e+3", "-1.5e-3", "1.2.3", "1e", "e3", ".", "-.", "+"),
    *(".inf", "-.inf", "+.Inf", ".INF", "inf", "-inf", ".nan", ".NaN", "nan", "-.nan"),
    *("2026-01-05", "2026-1-5", "2026-01-05T10:00:00Z", "2026-01-05 10:00", "12:30", "1:30:00", "190:20:30"),
    *("a#b", "a #b", "a # b", "#a", "a:b", "a: b", "a:", "a :", "http://x.y/z?q=1#f", "C#", "-", "--", "-a", "- a"),
    *("a,b", "[a]", "a]", "{a}", "a}", "&a", "*a", "!a", "!!str", "|", ">", "%a", "@a", "`a`", "?a", "? a"),
    *("'a'", '"a"', "it's", 'say "hi"', "a''b", "\\", "a\\nb", "---", "...", "a ...", "=", "<<"),
    *("é", "日本", "ü ber", "a\u200bb", "\ufeffa", "a\xa0b", "a\u2028b", "a\x85b", "a\tb", "a\rb", "a\x00b", "a\x1bb"),
    *("  lead", "trail  ", "two  spaces", "9" * 100, "9" * 101, "1" * 4400),
)
TEXT_ALPHABET = st.sampled_from(
    (
        *"abxyzAZ0159 .-_+:#,[]{}'\"&*!|>%@`?~\\/=éü日",
        *("\t", "\r", "\x85", "\u2028", "\ufeff", "\xa0", "\x00", "\x1b", "\u200b", "😀"),
    )
)
# Every indicator and odd character as the first one of a scalar, before something harmless.
started = st.builds(
    "{}{}".format,
    st.sampled_from(("-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", '"', "%", "@", "`")),
    st.sampled_from(("a", "1", " a", "", ".5", "a:", "-")),
)
scalar = st.one_of(
    st.sampled_from(TRICKY_SCALARS), st.sampled_from(TRICKY_SCALARS), started, st.text(TEXT_ALPHABET, max_size=8)
)


QUOTE_BODIES = ("it's", "'", "''", "a'b'c", '"', 'say "hi"', "a\\b", "a \\", "a #b", "a: b", "  ", "[a, b]")


@st.composite
def quoted(draw: st.DrawFn) -> str:
    body = draw(st.one_of(scalar, st.sampled_from(QUOTE_BODIES)))
    if draw(st.booleans()):
        return f'"{body}"'
    return "'" + (body.replace("'", "''") if draw(st.booleans()) else body) + "'"


@st.composite
def flow_list(draw: st.DrawFn, item: st.SearchStrategy[str]) -> str:
    items = draw(st.lists(item, max_size=3))
    separator, tail = draw(st.sampled_from(((", ", ""), (",", ""), (" , ", " "), (", ", ","), (",", ", "))))
    return "[" + separator.join(items) + tail + "]"


KEYS = (
    *("id", "title", "status", "rank", "a", "_x", "a.b-c_1", "yes", "on", "inf", "nan", "Null", "no"),
    *("true", "True", "false", "null", "NULL", "~", "1", "-1", "0x1", ".5", ".inf", "2026-01-05", "12:30"),
    *('"id"', "'id'", '"true"', '"1"', '"a:b"', "'it''s'", '""', '"a\\"b"', '"é"', "é", "日本", "a b", "a#b"),
    *("-a", "? a", "&a", "*a", "!a", "[a]", "{a}", "'a", '"a', "k" * 100, "k" * 101, "k" * 1100, "a\tb", "a\u2028"),
)
key = st.one_of(
    st.sampled_from(KEYS[:13]),  # plain words scan accepts, few enough to collide
    st.sampled_from(KEYS[:13]),
    st.sampled_from(KEYS),
    quoted(),
    st.text(st.sampled_from("ab_.-1 é'\""), min_size=1, max_size=4),
)
FLOW_ITEMS = (
    *("a", "S-1", "1", "-2", "x y", "null", ".nan", "true", "0x1F", "2026-01-05"),
    *("a #b", "a#b", "a # b", "a b", "a:b", "a: b", "a:", "a?b", "? a", "a ?", "-1", "- a", "-", "a-", "'a'"),
    *('"a"', "a'b", 'a"b', "&a", "*a", "!a", "#a", "a]", "[a", "{a", "a}", "a ...", "", " ", "日本", "a\tb"),
)
flow_item = st.one_of(st.sampled_from(FLOW_ITEMS), st.sampled_from(FLOW_ITEMS), scalar, quoted())
value = st.one_of(scalar, quoted(), flow_list(flow_item))
comment = st.sampled_from(("", "", "", "", "", "", " # c", "   #", " #: [x] 'y", "#c", " # é\t"))
colon = st.sampled_from((*[": "] * 8, ":  ", ":", " : ", ":\t"))
entry_line = st.builds("{}{}{}{}".format, key, colon, value, comment)
other_line = st.sampled_from(
    (
        *("", " ", "   ", "# comment", "  # indented comment", "#", "\t# tab comment", " \u2028"),
        *("- item", "  - item", "  nested: 1", "  continued", "---", "...", "--- # doc", "%YAML 1.2"),
        *("? key", ": value", "[a, b]", "{a: 1}", "plain text", "&a x: 1", "!tag x: 1", "\ufeff"),
    )
)
line = st.one_of(entry_line, entry_line, entry_line, entry_line, other_line)
NEWLINES = ("\n", "\n", "\r\n", "\r")


def arrangements(lines: list[str], newline: str) -> list[str]:
    """Front matters made of the lines: all of them, each alone, neighbours, reversed."""
    texts = [newline.join(lines), newline.join(lines) + newline, "\n".join(lines) + "\r\n"]
    texts += [part + newline for part in lines]
    texts += [first + newline + second for first, second in itertools.pairwise(lines)]
    texts.append(newline.join(reversed(lines)) + newline)
    # Most whole texts hold some line that scan declines; together, the lines it accepts
    # alone test how lines interact (duplicates, a key then a continuation) where it answers.
    accepted = [part for part in lines if scan(part) is not None]
    texts += [newline.join(accepted), "\r\n".join(accepted) + "\r\n"]
    return texts


@settings(
    max_examples=1500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(line, max_size=6), st.sampled_from(NEWLINES))
def test_scan_never_disagrees_with_the_full_parse(lines: list[str], newline: str) -> None:
    for text in arrangements(lines, newline):
        check(text)


# Well-formed simple front matter: scan must answer every time, and agree.
SIMPLE_KEYS = (
    *("id", "title", "type", "status", "estimate", "value", "time_criticality", "risk_reduction", "rank"),
    *("depends_on", "labels", "epic", "sprint", "timebox", "owner", "created", "team_field", "priority"),
    *("_x", "a.b", "x-y", "n1", "yes", "no", "on", "off", "inf", "nan", '"true"', "'null'", '"1"', '"a: b"'),
)
SIMPLE_PLAIN = (
    *("ready", "S-17", "a0V", "2026-01-05", "12:30", "5", "-3", "2.5", "1e3", ".inf", "-.inf", ".nan", "-x"),
    *("true", "False", "null", "~", "no", "on", "0755", "0o17", "0x1F", "a#b", "a:b", "C#", "1_000", "0b1"),
    *("Story number 12 about the search feature", "café", "日本語", "it's", "a, b", "50% done", "a]", "😀"),
)
SIMPLE_QUOTED = (
    *('"ready"', '"5"', "'5'", '"null"', "'~'", '""', "''", '"a: b # c"', "'it''s'", "'say \"hi\"'"),
    *('"it\'s"', '"[a, b]"', "'{x}'", '"  padded  "', '"日本"', "'#'", "'a\\b'"),
)
SIMPLE_ITEMS = ("S-1", "backend", "two words", "1", "-2", "true", "null", ".nan", "2026-01-05", *SIMPLE_QUOTED[:8])
simple_text = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S"], exclude_characters="\\"), max_size=8
)
simple_value = st.one_of(
    st.sampled_from(SIMPLE_PLAIN),
    st.sampled_from(SIMPLE_QUOTED),
    simple_text.map(lambda s: "'" + s.replace("'", "''") + "'"),
    st.lists(st.sampled_from(SIMPLE_ITEMS), max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    st.just(""),
)
simple_rest = st.builds("{}{}".format, simple_value, st.sampled_from(("", "", "", " # why", "   # é: [x]", "  ")))
between = st.sampled_from(("", "# a comment", "  # indented", "   "))


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.integers(0, len(SIMPLE_KEYS) - 1),
    st.lists(simple_rest, min_size=1, max_size=18),
    st.lists(st.tuples(st.integers(0, 18), between), max_size=3),
    st.sampled_from(("\n", "\r\n")),
)
def test_scan_answers_simple_front_matter(
    start: int, rests: list[str], inserts: list[tuple[int, str]], newline: str
) -> None:
    keys = SIMPLE_KEYS[start:] + SIMPLE_KEYS[:start]  # distinct keys, in a drawn rotation
    lines = [f"{name}: {rest}" for name, rest in zip(keys, rests, strict=False)]
    for position, other in inserts:
        lines.insert(position, other)
    for text in (newline.join(lines), newline.join(lines) + newline):
        fast = check(text)
        assert fast is not None, text
