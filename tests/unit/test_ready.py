"""ready: what check says about a story and a backlog, in words and at the place a reader's
editor should jump to. Stories are parsed from text in memory; nothing touches the disk."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import pytest
from jsonschema import Draft202012Validator

from groom import facts, ready, schemas, storyfile, yamlio
from groom.config import Config
from groom.findings import Finding
from groom.model import Backlog, Story, Unreadable
from tests.stories import CONFIG, READY_BODY, no_disk

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]
SCHEMAS = schemas.load(CONFIG)  # read once, before the tests forbid the disk
QUESTIONS = READY_BODY + "\n## Questions\n- [ ] @mira: which one?\n- [x] an answered one\n- [ ] and this?\n"


def parsed(front: str, body: str = READY_BODY, name: str = "") -> Story:
    """A story file made of ``front`` (its front matter lines) and ``body``, as a load reads it."""
    layout = storyfile.split(f"---\n{front}---\n{body}".encode())
    data = yamlio.load_mapping(layout.front_matter)
    name = name or f"{data['id']}.md"
    found = facts.derive(layout.body, layout.body_line, data)
    return Story(f"/nowhere/backlog/{name}", f"backlog/{name}", data, layout.front_matter, found, 1)


def backlog(*stories: Story, unreadable: tuple[Unreadable, ...] = (), config: Config = CONFIG) -> Backlog:
    return Backlog(config, tuple(sorted(stories, key=lambda s: s.order_key)), unreadable)


def said(found: list[Finding]) -> list[tuple[str, int, int, str, str, str]]:
    return [(f.path, f.line, f.column, f.rule, f.severity, f.message) for f in found]


def findings(front: str, body: str = READY_BODY) -> list[tuple[int, int, str, str]]:
    story = parsed(front, body)
    return [(f.line, f.column, f.rule, f.message) for f in ready.Judge(backlog(story), SCHEMAS).findings(story)]


# ---------------------------------------------------------------------------------------
# the story schema, in words


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        (
            "id: S-1\ntitle: x\nstatus: Ready\n",
            (
                4,
                1,
                'status is "Ready"; did you mean "ready"?; expected one of "draft", "refining", "ready", '
                '"planned", "in-progress", "done", "split", "dropped"',
            ),
        ),
        (
            "id: S-1\ntitle: x\nstatus: wip\n",
            (
                4,
                1,
                'status is "wip"; expected one of "draft", "refining", "ready", "planned", "in-progress", '
                '"done", "split", "dropped"',
            ),
        ),
        ("id: S-1\nstatus: draft\n", (3, 1, "missing key title")),
        ("id: S-1\ntitle: x\nstatus: draft\nvalue: high\n", (5, 1, 'value is text ("high"); expected number')),
        ("id: S-1\ntitle: x\nstatus: draft\nvalue: true\n", (5, 1, "value is a boolean (true); expected number")),
        ("id: S-1\ntitle: x\nstatus: draft\nepic: 7\n", (5, 1, "epic is an integer (7); expected string")),
        ("id: S-1\ntitle: x\nstatus: draft\nepic: 7.5\n", (5, 1, "epic is a number (7.5); expected string")),
        ("id: S-1\ntitle: x\nstatus: draft\nepic:\n", (5, 1, "epic is empty (null); expected string")),
        ("id: S-1\ntitle: x\nstatus: draft\nepic: [a]\n", (5, 1, "epic is a list (a list); expected string")),
        (
            "id: S-1\ntitle: x\nstatus: draft\nsprint: [a]\n",
            (5, 1, "sprint is a list (a list); expected string or integer"),
        ),
        (
            "id: S-1\ntitle: x\nstatus: draft\nrank: a-1\n",
            (5, 1, 'rank "a-1" does not match the pattern ^[0-9A-Za-z]+$'),
        ),
        ("id: S-1\ntitle: x\nstatus: draft\nvalue: -1\n", (5, 1, "value is -1; expected at least 0")),
        ("id: S-1\ntitle: ''\nstatus: draft\n", (3, 1, "title is empty")),
        (f"id: S-1\ntitle: {'x' * 201}\nstatus: draft\n", (3, 1, "title is longer than 200 characters")),
        ("id: S-1\ntitle: x\nstatus: draft\nlabels: [a, a]\n", (5, 1, "labels lists an item twice")),
        ("id: S-1\ntitle: x\nstatus: draft\nlabels: [a, '']\n", (5, 13, "labels.1 is empty")),
        (
            "id: S-1\ntitle: x\nstatus: draft\nestimate: 4\n",
            (5, 1, 'estimate is 4; expected one of 0, 1, 2, 3, 5, 8, 13, 20, 40, 100, "?"'),
        ),
        (
            "id: X-1\ntitle: x\nstatus: draft\n",
            (2, 1, 'id "X-1" is not an id of this backlog; ids look like S-12 (or S-12.1)'),
        ),
    ],
)
def test_a_story_schema_error_is_said_in_words_at_its_value(front: str, expected: tuple[int, int, str]) -> None:
    line, column, message = expected
    assert findings(front) == [(line, column, "schema", message)]


def test_a_missing_key_points_at_the_first_line_when_there_is_no_status() -> None:
    assert findings("id: S-1\ntitle: x\n") == [(1, 1, "schema", "missing key status")]


def test_ids_are_said_with_every_prefix_the_backlog_uses() -> None:
    config = replace(CONFIG, id_prefixes=("PAN-", "OPS-"))
    story = parsed("id: S-1\ntitle: x\nstatus: draft\n")
    loaded = schemas.Schemas(SCHEMAS.story, SCHEMAS.ready)
    found = ready.Judge(backlog(story, config=config), loaded)._id_words
    error = next(Draft202012Validator({"properties": {"id": {"pattern": "^P"}}}).iter_errors({"id": "S-1"}))
    assert found(error) == 'id "S-1" is not an id of this backlog; ids look like PAN-12 or OPS-12 (or PAN-12.1)'
    other = next(Draft202012Validator({"properties": {"rank": {"pattern": "^P"}}}).iter_errors({"rank": "S"}))
    assert found(other) == ""


@pytest.mark.parametrize("key", ["estimate", "value", "time_criticality", "risk_reduction"])
@pytest.mark.parametrize(("text", "shown"), [(".nan", ".nan"), (".inf", ".inf"), ("-.inf", "-.inf")])
def test_a_number_that_is_not_finite_is_a_finding_on_every_numeric_key(key: str, text: str, shown: str) -> None:
    found = findings(f"id: S-1\ntitle: x\nstatus: draft\n{key}: {text}\n")
    assert (
        5,
        1,
        "schema",
        f"{key} is {shown}, which is not a number groom can count with; write a finite number",
    ) in found


# ---------------------------------------------------------------------------------------
# describe, show: jsonschema errors and values in words


def error_for(schema: dict[str, Any], instance: Any) -> Any:
    return next(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(instance))


@pytest.mark.parametrize(
    ("schema", "instance", "words"),
    [
        ({"properties": {"k": {"const": "ok"}}}, {"k": "no"}, 'k is "no"; expected "ok"'),
        (
            {"properties": {"k": {"enum": ["Ok", 2]}}},
            {"k": "ok"},
            'k is "ok"; did you mean "Ok"?; expected one of "Ok", 2',
        ),
        ({"properties": {"k": {"enum": ["a"]}}}, {"k": 1}, 'k is 1; expected one of "a"'),
        ({"properties": {"k": {"exclusiveMinimum": 0}}}, {"k": 0}, "k is 0; expected at least 0"),
        ({"properties": {"k": {"maximum": 13}}}, {"k": 20}, "k is 20; expected at most 13"),
        ({"properties": {"k": {"exclusiveMaximum": 13}}}, {"k": 13}, "k is 13; expected at most 13"),
        ({"properties": {"k": {"minLength": 3}}}, {"k": "ab"}, "k is shorter than 3 characters"),
        ({"properties": {"k": {"minLength": 3}}}, {"k": ""}, "k is empty"),
        ({"properties": {"k": {"maxLength": 2}}}, {"k": "abc"}, "k is longer than 2 characters"),
        ({"properties": {"k": {"maxItems": 0}}}, {"k": ["S-1", 2]}, 'k: "S-1", 2'),
        ({"properties": {"k": {"minItems": 2}}}, {"k": [1]}, "k needs at least 2 item(s)"),
        ({"properties": {"k": {"format": "date"}}}, {"k": "someday"}, 'k "someday" is not a valid date'),
        ({"required": ["a", "b", "c"]}, {"b": 1}, "missing key a, c"),
        ({"type": "object"}, [1], "front matter is a list (a list); expected object"),
        (
            {"properties": {"k": {"items": {"type": "string"}}}},
            {"k": ["a", 3]},
            "k.1 is an integer (3); expected string",
        ),
        (
            {"properties": {"k": {"oneOf": [{"type": "string"}, {"type": "integer", "minimum": 5}]}}},
            {"k": 2},
            "k is an integer (2); expected string",  # the error jsonschema finds most relevant
        ),
        (
            {"properties": {"k": {"not": {"type": "string"}}}},
            {"k": "a"},
            "'a' should not be valid under {'type': 'string'}",
        ),
    ],
)
def test_a_schema_error_is_described_by_what_the_value_is_and_what_was_expected(
    schema: dict[str, Any], instance: Any, words: str
) -> None:
    assert ready.describe(error_for(schema, instance)) == words


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (float("nan"), ".nan"),
        (float("inf"), ".inf"),
        (float("-inf"), "-.inf"),
        ("ünï", '"ünï"'),
        (True, "true"),
        (None, "null"),
        (3, "3"),
        (2.5, "2.5"),
        ([1], "a list"),
        ({"a": 1}, "a mapping"),
    ],
)
def test_a_value_is_shown_as_yaml_would_write_it(value: Any, shown: str) -> None:
    assert ready.show(value) == shown


# ---------------------------------------------------------------------------------------
# the Definition of Ready


BARE = "id: S-1\ntitle: x\nstatus: ready\n"


def test_a_story_that_claims_ready_gets_each_gap_in_the_order_of_the_dor_at_its_place() -> None:
    assert findings(BARE, body="") == [
        (
            6,
            1,
            "dor/narrative",
            "not ready: tell the story: write 'As a … I want … so that …' in the body, or add a description "
            "(no narrative or description found)",
        ),
        (
            6,
            1,
            "dor/acceptance-criteria",
            "not ready: add at least one checklist item under an '## Acceptance criteria' heading "
            "(no acceptance criteria found)",
        ),
        (4, 1, "dor/estimated", "not ready: estimate the story on the team's scale (missing key estimate)"),
        (
            4,
            1,
            "dor/value",
            "not ready: give the story a business value (value: N) so it can be ordered (missing key value)",
        ),
    ]


@pytest.mark.parametrize("status", ["draft", "refining", "split", "dropped"])
def test_a_story_that_does_not_claim_ready_gets_no_dor_findings(status: str) -> None:
    assert findings(f"id: S-1\ntitle: x\nstatus: {status}\n", body="") == []


@pytest.mark.parametrize("status", ["ready", "planned", "in-progress", "done"])
def test_every_status_from_ready_on_claims_ready(status: str) -> None:
    assert [rule for _, _, rule, _ in findings(f"id: S-1\ntitle: x\nstatus: {status}\nestimate: 3\n")] == ["dor/value"]


def test_a_value_the_story_schema_rejects_is_not_reported_again_as_a_dor_gap() -> None:
    assert findings(BARE + "estimate: 4\nvalue: 3\n") == [
        (5, 1, "schema", 'estimate is 4; expected one of 0, 1, 2, 3, 5, 8, 13, 20, 40, 100, "?"')
    ]


def test_a_story_too_big_for_a_sprint_and_a_spike_without_timebox_are_gaps() -> None:
    assert findings(BARE + "estimate: 20\nvalue: 3\ntype: spike\n") == [
        (
            5,
            1,
            "dor/small-enough",
            "not ready: split the story: it is larger than the biggest story the team takes into a sprint "
            "(estimate is 20; expected at most 13)",
        ),
        (4, 1, "dor/spike-timebox", "not ready: give the spike a timebox (timebox: 2d) (missing key timebox)"),
    ]
    assert findings(BARE + "estimate: 13\nvalue: 3\ntype: spike\ntimebox: 2d\n") == []


def test_open_questions_are_counted_and_the_first_one_is_quoted_at_its_line() -> None:
    assert findings(BARE + "estimate: 3\nvalue: 1\n", QUESTIONS) == [
        (
            14,
            1,
            "dor/no-open-questions",
            "not ready: answer the open questions (tick them) or turn them into a spike "
            "(2 open questions, first: @mira: which one?)",
        )
    ]
    one = QUESTIONS.replace("- [ ] and this?\n", "")
    assert findings(BARE + "estimate: 3\nvalue: 1\n", one)[0][3].endswith("(1 open question, first: @mira: which one?)")


def test_open_questions_written_in_the_front_matter_point_at_the_body() -> None:
    found = findings(BARE + "estimate: 3\nvalue: 1\nquestions: [Who pays?]\n")
    assert found == [
        (
            9,
            1,
            "dor/no-open-questions",
            "not ready: answer the open questions (tick them) or turn them into a spike "
            "(1 open question, first: Who pays?)",
        )
    ]


def test_the_questions_of_a_story_that_waits_for_an_open_spike_are_answered_by_the_spike() -> None:
    waiting = parsed("id: S-4\ntitle: q\nstatus: ready\nestimate: 3\nvalue: 1\ndepends_on: [S-5]\nrank: b\n", QUESTIONS)
    spike = parsed("id: S-5\ntitle: spike\ntype: spike\ntimebox: 2d\nstatus: refining\nrank: a\n")
    [gap] = ready.Judge(backlog(waiting, spike), SCHEMAS).gaps(waiting)
    assert gap.message == (
        "not ready: answer them when S-5 is done (the spike this story depends on) "
        "(2 open questions, first: @mira: which one?)"
    )
    done = parsed("id: S-5\ntitle: spike\ntype: spike\ntimebox: 2d\nstatus: done\nrank: a\n")
    story = parsed("id: S-5\ntitle: a story\nstatus: refining\nrank: a\n")
    for other in (done, story):
        [gap] = ready.Judge(backlog(waiting, other), SCHEMAS).gaps(waiting)
        assert gap.advice == "answer the open questions (tick them) or turn them into a spike", other.data


def test_a_dependency_must_be_done_or_ranked_above_the_story() -> None:
    story = parsed(
        "id: S-1\ntitle: a\nstatus: ready\nestimate: 3\nvalue: 1\nrank: a5\ndepends_on: [S-2, S-3, S-4, S-9]\n"
    )
    below = parsed("id: S-2\ntitle: b\nstatus: refining\nrank: a9\n")
    done_below = parsed("id: S-3\ntitle: c\nstatus: done\nrank: z\n")
    above = parsed("id: S-4\ntitle: d\nstatus: refining\nrank: a1\n")
    judge = ready.Judge(backlog(story, below, done_below, above), SCHEMAS)
    assert judge.dependencies_out_of_order(story) == ["S-2", "S-9"]  # S-9 is unknown
    assert said(judge.findings(story)) == [
        (
            "backlog/S-1.md",
            10,
            1,
            "dor/dependencies-in-order",
            "error",
            "not ready: rank every dependency that is not done above this story, so planning can take it first "
            "(not done and not ranked above it: S-2, S-9)",
        )
    ]


def test_a_dependency_with_the_same_rank_is_above_only_when_its_id_sorts_first() -> None:
    first = parsed("id: S-2\ntitle: a\nstatus: ready\nestimate: 3\nvalue: 1\nrank: a5\ndepends_on: [S-10]\n")
    second = parsed("id: S-10\ntitle: b\nstatus: ready\nestimate: 3\nvalue: 1\nrank: a5\ndepends_on: [S-2]\n")
    judge = ready.Judge(backlog(first, second), SCHEMAS)
    assert judge.dependencies_out_of_order(first) == ["S-10"]
    assert judge.dependencies_out_of_order(second) == []


def test_a_gap_found_twice_is_said_once() -> None:
    # Both halves of the narrative item fail on the same fact: one gap.
    gaps = ready.Judge(backlog(parsed(BARE, "")), SCHEMAS).gaps(parsed(BARE, ""))
    assert [gap.rule for gap in gaps] == ["narrative", "acceptance-criteria", "estimated", "value"]
    assert [gap.order for gap in gaps] == [0, 1, 2, 4]


def test_gaps_are_judged_whatever_the_status() -> None:
    draft = parsed("id: S-1\ntitle: x\nstatus: draft\n", "")
    assert [gap.rule for gap in ready.Judge(backlog(draft), SCHEMAS).gaps(draft)] == [
        "narrative",
        "acceptance-criteria",
        "estimated",
        "value",
    ]


def test_a_gap_without_detail_is_only_its_advice() -> None:
    assert ready.Gap("value", "give it a value", "", 1, 1).message == "not ready: give it a value"
    assert ready.Gap("value", "give it a value", "none", 1, 1).message == "not ready: give it a value (none)"


# ---------------------------------------------------------------------------------------
# the fast validator and the reference validator


def test_when_the_fast_validator_says_invalid_the_reference_validator_decides() -> None:
    # Fault injection: jsonschema-rs disagreeing with jsonschema. Only its "valid" is trusted,
    # so a story it wrongly rejects gets the reference validator's verdict: no finding.
    story = parsed("id: S-1\ntitle: x\nstatus: ready\nestimate: 3\nvalue: 5\n")
    wrong = schemas.Schemas(
        replace(SCHEMAS.story, is_valid=lambda _: False), replace(SCHEMAS.ready, is_valid=lambda _: False)
    )
    assert ready.Judge(backlog(story), wrong).findings(story) == []
    broken = parsed("id: S-1\ntitle: x\nstatus: Ready\n")
    assert [f.rule for f in ready.Judge(backlog(broken), wrong).findings(broken)] == ["schema"]


def test_a_valid_answer_of_the_fast_validator_skips_the_reference_validator() -> None:
    story = parsed("id: S-1\ntitle: x\nstatus: Ready\n")

    class Refuses:
        def iter_errors(self, _: Any) -> Any:
            raise AssertionError("the reference validator ran although the fast one said valid")

    fast = schemas.Schemas(
        replace(SCHEMAS.story, is_valid=lambda _: True, validator=cast(Any, Refuses())),
        replace(SCHEMAS.ready, is_valid=lambda _: True, validator=cast(Any, Refuses())),
    )
    assert ready.Judge(backlog(story), fast).findings(story) == []


# ---------------------------------------------------------------------------------------
# integrity: rules over the whole backlog


def integrity(*stories: Story, unreadable: tuple[Unreadable, ...] = ()) -> list[tuple[str, int, int, str, str, str]]:
    return said(ready.integrity(backlog(*stories, unreadable=unreadable)))


def plain(story_id: str, extra: str = "", name: str = "") -> Story:
    return parsed(f"id: {story_id}\ntitle: t\nstatus: refining\n{extra}", name=name)


BROKEN = Unreadable("/nowhere/backlog/S-8-broken.md", "backlog/S-8-broken.md", 3, 9, "yaml", "bad")


def test_an_id_used_twice_is_an_error_in_both_files() -> None:
    found = integrity(plain("S-1", name="S-1-a.md"), plain("S-1", name="S-1-b.md"), plain("S-2"))
    assert found == [
        (
            "backlog/S-1-a.md",
            2,
            1,
            "duplicate-id",
            "error",
            "id S-1 is also used by backlog/S-1-b.md; give one of them a new id",
        ),
        (
            "backlog/S-1-b.md",
            2,
            1,
            "duplicate-id",
            "error",
            "id S-1 is also used by backlog/S-1-a.md; give one of them a new id",
        ),
    ]


def test_a_dependency_must_name_a_story_of_the_backlog() -> None:
    found = integrity(plain("S-1", "depends_on: [S-2, S-8, S-9]\n"), plain("S-2"), unreadable=(BROKEN,))
    assert found == [
        (
            "backlog/S-1.md",
            5,
            19,
            "unknown-dependency",
            "error",
            "depends_on names S-8, whose file backlog/S-8-broken.md cannot be read; fix that file",
        ),
        (
            "backlog/S-1.md",
            5,
            24,
            "unknown-dependency",
            "error",
            "depends_on names S-9, which is not in the backlog; fix the id or remove it",
        ),
    ]


def test_a_dependency_written_as_one_id_is_checked_too() -> None:
    found = integrity(plain("S-1", "depends_on: S-9\n"))
    assert found == [
        (
            "backlog/S-1.md",
            5,
            1,
            "unknown-dependency",
            "error",
            "depends_on names S-9, which is not in the backlog; fix the id or remove it",
        )
    ]


def test_a_dependency_on_a_split_or_dropped_story_is_a_warning_with_advice() -> None:
    split = parsed("id: S-2\ntitle: t\nstatus: split\nchildren: [S-2.1, S-2.2]\n")
    kids = [plain(f"S-2.{n}", "parent: S-2\n") for n in (1, 2)]
    dropped = parsed("id: S-3\ntitle: t\nstatus: dropped\n")
    waiting = plain("S-1", "depends_on: [S-2, S-3]\n")
    also_dropped = parsed("id: S-4\ntitle: t\nstatus: dropped\ndepends_on: [S-3]\n")
    assert integrity(waiting, split, *kids, dropped, also_dropped) == [
        (
            "backlog/S-1.md",
            5,
            14,
            "inactive-dependency",
            "warning",
            "depends_on names S-2, which is split; depend on S-2.1, S-2.2 instead",
        ),
        (
            "backlog/S-1.md",
            5,
            19,
            "inactive-dependency",
            "warning",
            "depends_on names S-3, which is dropped; remove it",
        ),
    ]


def test_a_parent_must_name_a_story_of_the_backlog() -> None:
    found = integrity(plain("S-1", "parent: S-8\n"), plain("S-2", "parent: S-9\n"), unreadable=(BROKEN,))
    assert found == [
        (
            "backlog/S-1.md",
            5,
            1,
            "unknown-parent",
            "error",
            "parent S-8 is in backlog/S-8-broken.md, which cannot be read; fix that file",
        ),
        (
            "backlog/S-2.md",
            5,
            1,
            "unknown-parent",
            "error",
            "parent S-9 is not in the backlog; fix the id or remove the key",
        ),
    ]


def test_a_parent_and_its_children_must_agree() -> None:
    parent = plain("S-1", "children: [S-2, S-3, S-4, S-8]\n")
    agrees = plain("S-2", "parent: S-1\n")
    other = plain("S-3", "parent: S-9\n")
    orphan = plain("S-4")
    unlisted = plain("S-5", "parent: S-1\n")
    found = [
        f for f in integrity(parent, agrees, other, orphan, unlisted, unreadable=(BROKEN,)) if f[3] == "parent-children"
    ]
    assert found == [
        (
            "backlog/S-1.md",
            5,
            17,
            "parent-children",
            "error",
            "children lists S-3, whose parent is S-9; make them agree",
        ),
        (
            "backlog/S-1.md",
            5,
            22,
            "parent-children",
            "error",
            "children lists S-4, whose parent is not set; make them agree",
        ),
        (
            "backlog/S-5.md",
            5,
            1,
            "parent-children",
            "error",
            "parent S-1 does not list S-5 in its children; add it there or fix the parent",
        ),
    ]
    missing = plain("S-1", "children: [S-7]\n")
    assert integrity(missing) == [
        (
            "backlog/S-1.md",
            5,
            12,
            "parent-children",
            "error",
            "children lists S-7, which is not in the backlog; fix the id or remove it",
        )
    ]


def test_a_dependency_cycle_is_an_error_on_every_story_in_it() -> None:
    stories = (
        plain("S-1", "depends_on: [S-2]\n"),
        plain("S-2", "depends_on: [S-9, S-3]\n"),
        plain("S-3", "depends_on: [S-1]\n"),
        plain("S-4", "depends_on: [S-4]\n"),
        plain("S-5", "depends_on: [S-1]\n"),
    )
    found = [f for f in integrity(*stories) if f[3] == "dependency-cycle"]
    cycle = "dependency cycle S-1 → S-2 → S-3 → S-1; remove one of these depends_on entries"
    assert found == [
        ("backlog/S-1.md", 5, 1, "dependency-cycle", "error", cycle),
        ("backlog/S-2.md", 5, 1, "dependency-cycle", "error", cycle),
        ("backlog/S-3.md", 5, 1, "dependency-cycle", "error", cycle),
        (
            "backlog/S-4.md",
            5,
            1,
            "dependency-cycle",
            "error",
            "dependency cycle S-4 → S-4; remove one of these depends_on entries",
        ),
    ]


def test_a_long_chain_of_dependencies_is_no_cycle() -> None:
    chain = [plain(f"S-{n}", f"depends_on: [S-{n + 1}]\n") for n in range(1, 3000)] + [plain("S-3000")]
    assert integrity(*chain) == []


def test_two_cycles_sharing_no_story_are_both_found() -> None:
    stories = [plain(f"S-{a}", f"depends_on: [S-{b}]\n") for a, b in ((1, 2), (2, 1), (3, 4), (4, 5), (5, 3))]
    found = {f[5] for f in integrity(*stories)}
    assert found == {
        "dependency cycle S-1 → S-2 → S-1; remove one of these depends_on entries",
        "dependency cycle S-3 → S-4 → S-5 → S-3; remove one of these depends_on entries",
    }


def test_a_rank_longer_than_the_limit_is_a_warning() -> None:
    fits = plain("S-1", f"rank: a{'V' * 23}\n")
    over = plain("S-2", f"rank: a{'V' * 24}\n")
    assert integrity(fits, over) == [
        (
            "backlog/S-2.md",
            5,
            1,
            "long-rank",
            "warning",
            "rank is 25 characters (limit 24); run 'groom reprioritize --rebalance'",
        )
    ]


def test_a_rank_shared_by_two_stories_is_a_warning_that_says_how_to_move_one() -> None:
    assert integrity(plain("S-1", "rank: a1\n"), plain("S-2", "rank: a1\n"), plain("S-3", "rank: a2\n")) == [
        (
            "backlog/S-1.md",
            5,
            1,
            "duplicate-rank",
            "warning",
            "rank \"a1\" is shared with S-2 (ordered by id); move one with 'groom reprioritize S-1 --after S-2'",
        ),
        (
            "backlog/S-2.md",
            5,
            1,
            "duplicate-rank",
            "warning",
            "rank \"a1\" is shared with S-1 (ordered by id); move one with 'groom reprioritize S-2 --after S-1'",
        ),
    ]


def test_a_rank_shared_by_two_files_with_one_id_asks_for_the_id_first() -> None:
    found = integrity(plain("S-1", "rank: a1\n", "S-1-a.md"), plain("S-1", "rank: a1\n", "S-1-b.md"))
    ranks = [f[5] for f in found if f[3] == "duplicate-rank"]
    assert ranks == ['rank "a1" is shared with S-1 (ordered by id); fix the duplicate id first, then move one'] * 2


@pytest.mark.parametrize(
    ("name", "warned"),
    [
        ("S-1.md", False),
        ("s-1.md", False),
        ("S-1-slug.md", False),
        ("S-1 - Title.md", False),
        ("S-12.md", True),
        ("S-1x.md", True),
        ("story.md", True),
    ],
)
def test_a_file_name_must_start_with_the_id(name: str, warned: bool) -> None:
    expected = [
        (
            f"backlog/{name}",
            2,
            1,
            "id-filename",
            "warning",
            "file name does not start with the id S-1; rename it to S-1.md or S-1-<slug>.md",
        )
    ]
    assert integrity(plain("S-1", name=name)) == (expected if warned else [])


def test_a_file_name_is_not_judged_when_the_id_itself_is_wrong() -> None:
    assert integrity(plain("X-1", name="story.md")) == []
    assert integrity(plain("s-1", name="story.md"))[0][3] == "id-filename"  # the prefix in any case


# ---------------------------------------------------------------------------------------
# check: everything, or the files asked for, sorted


def test_check_gives_every_finding_sorted_or_only_those_of_the_files_asked_for() -> None:
    problem = Unreadable("/nowhere/backlog/S-0.md", "backlog/S-0.md", 1, 1, "yaml", "broken")
    one = plain("S-1", "depends_on: [S-9]\n")
    two = parsed("id: S-2\ntitle: t\nstatus: Ready\n")
    whole = backlog(one, two, unreadable=(problem,))
    everything = said(ready.check(whole, SCHEMAS))
    assert [(path, rule) for path, _, _, rule, _, _ in everything] == [
        ("backlog/S-0.md", "yaml"),
        ("backlog/S-1.md", "unknown-dependency"),
        ("backlog/S-2.md", "schema"),
    ]
    assert said(ready.check(whole, SCHEMAS, ["backlog/S-2.md"])) == everything[2:]
    assert said(ready.check(whole, SCHEMAS, ["backlog/S-0.md", "backlog/S-1.md"])) == everything[:2]
    assert ready.check(whole, SCHEMAS, []) == []


def test_checking_some_files_finds_of_them_what_checking_every_file_does() -> None:
    """Every whole-backlog rule, and each file asked for alone: its findings are those it has
    in the whole check (some rules then look at the files asked for only: same answers)."""
    stories = (
        plain("S-1", "depends_on: [S-9, S-8, S-5]\nrank: a1\n"),  # unknown, unreadable, inactive
        plain("S-1", "rank: a1\n", name="S-1-again.md"),  # duplicate id, duplicate rank
        plain("S-3", "depends_on: [S-4]\nparent: S-7\n", name="wrong-name.md"),  # cycle, bad name
        plain("S-4", "depends_on: [S-3]\nparent: S-6\nrank: a4\n"),  # cycle, unknown parent
        parsed("id: S-5\ntitle: t\nstatus: dropped\n"),
        plain("S-7", "children: [S-2, S-4]\n"),  # lists a child whose parent differs, one not there
    )
    whole = backlog(*stories, unreadable=(BROKEN,))
    everything = said(ready.check(whole, SCHEMAS))
    rules = {rule for _, _, _, rule, _, _ in everything}
    assert rules >= {
        "unknown-dependency",
        "inactive-dependency",
        "duplicate-id",
        "duplicate-rank",
        "dependency-cycle",
        "id-filename",
        "unknown-parent",
        "parent-children",
        "yaml",
    }, rules
    for display in sorted({story.display for story in stories} | {BROKEN.display}):
        alone = said(ready.check(whole, SCHEMAS, [display]))
        assert alone == [finding for finding in everything if finding[0] == display], display


# ---------------------------------------------------------------------------------------
# what a finding carries, and rules that must look at every story, not only the first


def test_a_finding_carries_the_file_the_id_and_the_severity() -> None:
    story = parsed("id: S-1\ntitle: x\nstatus: ready\nestimate: 3\nvalue: .nan\n", "")
    found = ready.Judge(backlog(story), SCHEMAS).findings(story)
    assert {(f.path, f.id, f.severity) for f in found} == {("backlog/S-1.md", "S-1", "error")}
    assert {f.rule for f in found} == {"schema", "dor/narrative", "dor/acceptance-criteria"}
    nameless = parsed("title: x\nstatus: ready\nvalue: .nan\n", "", name="S-1.md")
    assert {f.id for f in ready.Judge(backlog(nameless), SCHEMAS).findings(nameless)} == {None}
    assert {f.id for f in ready.integrity(backlog(plain("S-1", "depends_on: [S-9]\n")))} == {"S-1"}


def test_schema_findings_come_in_the_order_of_their_place() -> None:
    assert findings("id: S-1\ntitle: x\nstatus: draft\nlabels: [a, a, '']\n") == [
        (5, 1, "schema", "labels lists an item twice"),
        (5, 16, "schema", "labels.2 is empty"),
    ]


def test_every_story_is_checked_not_only_the_first() -> None:
    stories = [
        plain("S-0", "depends_on: [3, S-9]\nchildren: [7, S-8]\n", name="X-0.md"),
        parsed("id: X-1\ntitle: t\nstatus: refining\n", name="X-1.md"),
        plain("S-1", "rank: a1\n"),
        plain("S-2", "rank: a2\n", name="S-2-a.md"),
        plain("S-2", "rank: a2\n", name="S-2-b.md"),
        plain("S-3", "depends_on: [S-4]\n", name="misnamed.md"),
        plain("S-4", "depends_on: [S-3]\n"),
    ]
    rules = sorted({(f[0], f[3]) for f in integrity(*stories)})
    assert rules == [
        ("backlog/S-2-a.md", "duplicate-id"),
        ("backlog/S-2-a.md", "duplicate-rank"),
        ("backlog/S-2-b.md", "duplicate-id"),
        ("backlog/S-2-b.md", "duplicate-rank"),
        ("backlog/S-4.md", "dependency-cycle"),
        ("backlog/X-0.md", "id-filename"),
        ("backlog/X-0.md", "parent-children"),
        ("backlog/X-0.md", "unknown-dependency"),
        ("backlog/misnamed.md", "dependency-cycle"),
        ("backlog/misnamed.md", "id-filename"),
    ]


def test_a_story_that_depends_on_itself_is_out_of_order_and_a_later_dependency_still_counts() -> None:
    me = parsed("id: S-1\ntitle: a\nstatus: ready\nestimate: 3\nvalue: 1\nrank: a5\ndepends_on: [S-1]\n")
    assert ready.Judge(backlog(me), SCHEMAS).dependencies_out_of_order(me) == ["S-1"]
    story = parsed("id: S-1\ntitle: a\nstatus: ready\nestimate: 3\nvalue: 1\nrank: a5\ndepends_on: [S-3, S-2]\n")
    done = parsed("id: S-3\ntitle: c\nstatus: done\nrank: z\n")
    below = parsed("id: S-2\ntitle: b\nstatus: refining\nrank: a9\n")
    assert ready.Judge(backlog(story, done, below), SCHEMAS).dependencies_out_of_order(story) == ["S-2"]


def test_only_open_questions_wait_for_a_spike_and_an_unknown_dependency_is_no_spike() -> None:
    waiting = parsed("id: S-4\ntitle: q\nstatus: ready\nestimate: 3\nrank: b\ndepends_on: [S-9, S-5]\n", QUESTIONS)
    spike = parsed("id: S-5\ntitle: spike\ntype: spike\ntimebox: 2d\nstatus: refining\nrank: a\n")
    gaps = {gap.rule: gap.advice for gap in ready.Judge(backlog(waiting, spike), SCHEMAS).gaps(waiting)}
    assert gaps["value"] == "give the story a business value (value: N) so it can be ordered"
    assert gaps["no-open-questions"] == "answer them when S-5 is done (the spike this story depends on)"


@pytest.mark.parametrize(
    ("schema", "instance", "words"),
    [
        ({"properties": {"k": {"type": "string"}}}, {"k": {"a": 1}}, "k is a mapping (a mapping); expected string"),
        (
            {"properties": {"k": {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 5}]}}},
            {"k": 2.5},
            "k is a number (2.5); expected string",
        ),
    ],
)
def test_more_schema_errors_in_words(schema: dict[str, Any], instance: Any, words: str) -> None:
    assert ready.describe(error_for(schema, instance)) == words


def team_dor(contents: dict[str, Any]) -> schemas.Schemas:
    """The default story schema with a team's own ready schema (built in memory)."""
    validator = Draft202012Validator(contents)
    return schemas.Schemas(SCHEMAS.story, schemas.Schema("ready.schema.json", contents, validator, validator.is_valid))


def test_a_dor_item_without_a_title_or_description_is_named_by_its_place_and_said_by_its_error() -> None:
    dor = team_dor(
        {
            "required": ["owner"],
            "allOf": [
                {"title": "sized", "required": ["estimate"]},
                {"required": ["value"]},
                {"properties": {"derived": {"properties": {"narrative": {"const": True}}}}},
                {
                    "title": "two-criteria",
                    "description": "write two criteria",
                    "properties": {"derived": {"properties": {"acceptance_criteria": {"minimum": 2, "multipleOf": 2}}}},
                },
            ],
        }
    )
    story = parsed("id: S-1\ntitle: x\nstatus: ready\n", "## Acceptance criteria\n- [ ] one\n")
    gaps = ready.Judge(backlog(story), dor).gaps(story)
    assert [(g.rule, g.advice, g.detail, g.order) for g in gaps] == [
        ("ready-schema", "missing key owner", "missing key owner", -1),
        ("sized", "missing key estimate", "missing key estimate", 0),
        ("item-2", "missing key value", "missing key value", 1),
        ("item-3", "derived.narrative is false; expected true", "no narrative or description found", 2),
        ("two-criteria", "write two criteria", "no acceptance criteria found", 3),  # two errors, said once
    ]
