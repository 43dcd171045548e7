"""facts, the rest of its rules: which headings open which section, where a section ends,
what counts as a criterion, a question, an answer, an owner and a description, and the line a
finding about each points at."""

from __future__ import annotations

from typing import Any

import pytest

from groom.facts import Question, derive, find_narrative


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("## Acceptance criteria", "criteria"),
        ("## Acceptance Tests:", "criteria"),
        ("# AC", "criteria"),
        ("### Criteria", "criteria"),
        ("## Questions", "questions"),
        ("## Open   questions:", "questions"),
        ("## Action items", "questions"),
        ("## Open points", "questions"),
        ("## Notes", "other"),
        ("## Criteria and more", "other"),
    ],
)
def test_a_heading_opens_the_section_its_words_name(heading: str, kind: str) -> None:
    found = derive(f"{heading}\n- [ ] item\n", 1, {})
    assert (len(found.criteria), len(found.questions)) == {"criteria": (1, 0), "questions": (0, 1), "other": (0, 0)}[
        kind
    ]


def test_a_section_ends_at_a_heading_of_its_level_or_higher_not_at_a_deeper_one() -> None:
    body = (
        "## Acceptance criteria\n- [ ] one\n### Details\n- [ ] two\n## Notes\n- [ ] not a criterion\n"
        "# Questions\n- [ ] q1\n## Sub\n- [ ] q2\n"
    )
    found = derive(body, 1, {})
    assert found.criteria == ("one", "two")
    assert [q.text for q in found.questions] == ["q1", "q2"]


@pytest.mark.parametrize(
    ("line", "criterion"),
    [
        ("- [ ] dash", "dash"),
        ("* [x] star, ticked", "star, ticked"),
        ("+ plus", "plus"),
        ("1. numbered", "numbered"),
        ("12) numbered too", "numbered too"),
        (" - one space in", "one space in"),
        ("-\t[ ]\ttabs", "tabs"),
    ],
)
def test_every_list_item_kind_is_a_criterion(line: str, criterion: str) -> None:
    assert derive(f"## Acceptance criteria\n{line}\n", 1, {}).criteria == (criterion,)


@pytest.mark.parametrize(
    "line",
    ["  - nested two spaces", "-no space", "1234567890. too many digits", "plain text", "<!-- - [ ] comment -->"],
)
def test_what_is_not_a_list_item_is_no_criterion(line: str) -> None:
    assert derive(f"## Acceptance criteria\n{line}\n", 1, {}).criteria == ()


def test_headings_inside_a_fence_of_either_kind_are_text() -> None:
    body = "## Notes\n~~~\n## Acceptance criteria\n- [ ] no\n~~~\n```md\n## Questions\n- [ ] no\n```\n"
    found = derive(body, 1, {})
    assert (found.criteria, found.questions) == ((), ())


def test_a_heading_needs_a_space_after_its_hashes() -> None:
    found = derive("##Acceptance criteria\n- [ ] one\n", 1, {})
    assert found.criteria == ()
    assert found.description  # it is prose


def test_prose_outside_the_sections_is_a_description_and_comments_are_not() -> None:
    assert not derive("<!-- As a <who> I want <what> so that <why>. -->\n\n## Acceptance criteria\n", 1, {}).description
    assert derive("Some words.\n", 1, {}).description
    assert not derive("## Questions\nprose under questions\n", 1, {}).description
    assert derive("", 1, {"description": "From the front matter."}).description
    assert not derive("", 1, {"description": "   "}).description
    assert not derive("", 1, {"description": 3}).description


@pytest.mark.parametrize(
    ("line", "question"),
    [
        ("- [ ] @mira: which one?", Question("@mira: which one?", "mira", False, 3)),
        ("- [x] @jonas, done", Question("@jonas, done", "jonas", True, 3)),
        ("- [X] capital X", Question("capital X", None, True, 3)),
        ("- plain", Question("plain", None, False, 3)),
        ("- [ ] @ana.b-c who?", Question("@ana.b-c who?", "ana.b-c", False, 3)),
        ("- [ ] email me@x.org", Question("email me@x.org", None, False, 3)),
    ],
)
def test_a_question_knows_its_owner_whether_it_is_answered_and_its_line(line: str, question: Question) -> None:
    assert derive(f"## Questions\n{line}\n", 2, {}).questions == (question,)


@pytest.mark.parametrize(
    ("item", "answered"),
    [
        ({"question": "q", "answered": True}, True),
        ({"question": "q", "answered": "yes"}, True),
        ({"question": "q", "answered": " Done "}, True),
        ({"question": "q", "answered": "x"}, True),
        ({"question": "q", "answered": "y"}, True),
        ({"question": "q", "answered": "true"}, True),
        ({"question": "q", "done": True}, True),
        ({"question": "q", "answered": "no"}, False),
        ({"question": "q", "answered": False}, False),
        ({"question": "q", "answered": 1}, False),
        ({"question": "q"}, False),
    ],
)
def test_a_front_matter_question_is_answered_when_it_says_so(item: dict[str, Any], answered: bool) -> None:
    [question] = derive("", 1, {"questions": [item]}).questions
    assert question.answered is answered


def test_front_matter_questions_take_their_text_and_owner() -> None:
    found = derive("", 1, {"questions": ["@po: open?", {"text": "by text", "owner": "@ana"}, {"owner": ""}, 7]})
    assert found.questions == (
        Question("@po: open?", "po", False, 0),
        Question("by text", "ana", False, 0),
        Question("", None, False, 0),
    )
    assert derive("", 1, {"questions": "not a list"}).questions == ()


def test_front_matter_criteria_count_when_they_say_something() -> None:
    found = derive("", 1, {"acceptance_criteria": ["works", 3, 2.5, "", "  ", None, ["x"]]})
    assert found.criteria == ("works", "3", "2.5")
    assert derive("", 1, {"acceptance_criteria": "one string"}).criteria == ()


def test_a_finding_points_at_the_first_open_question_or_the_criteria_heading_or_the_body() -> None:
    body = "Text.\n\n## Acceptance criteria\n- [ ] one\n\n## Questions\n- [x] answered\n- [ ] open\n"
    found = derive(body, 10, {})
    assert found.line_of("open_questions") == 17
    assert found.line_of("acceptance_criteria") == 12
    assert found.line_of("narrative") == 10
    only_front = derive("Text.\n", 10, {"questions": ["open?"]})
    assert only_front.line_of("open_questions") == 10
    assert only_front.line_of("acceptance_criteria") == 10
    second = derive("## Acceptance criteria\n- [ ] a\n## Acceptance criteria\n- [ ] b\n", 5, {})
    assert second.line_of("acceptance_criteria") == 5  # the first heading


def test_the_narrative_sentence_ends_at_its_full_stop() -> None:
    text = "Intro. As a cook I want a plan so that I shop once. Then more text follows."
    assert find_narrative(text) == "As a cook I want a plan so that I shop once"
    assert (
        find_narrative("As a cook I want a plan so that I shop once") == "As a cook I want a plan so that I shop once"
    )
    assert find_narrative("As a cook I need a plan") == ""
    assert find_narrative("I want a plan so that I shop") == ""
    assert find_narrative("As an admin I would like x so that y!") == "As an admin I would like x so that y"
    long_tail = "As a cook I want a plan so that " + "x" * 1200
    assert find_narrative(long_tail) == long_tail[: len("As a cook I want a plan so that") + 1000]


def test_the_parts_of_a_narrative_must_be_near_each_other() -> None:
    near = "As a cook " + "x" * 380 + " I want a plan " + "y" * 780 + " so that I shop."
    assert find_narrative(near).startswith("As a cook")
    far_want = "As a cook " + "x" * 420 + " I want a plan so that I shop."
    assert find_narrative(far_want) == ""
    far_so_that = "As a cook I want a plan " + "y" * 820 + " so that I shop."
    assert find_narrative(far_so_that) == ""
    later = "As a cook " + "x" * 420 + ". As a shopper I want a list so that I buy less."
    assert find_narrative(later) == "As a shopper I want a list so that I buy less"


def test_derived_values_are_what_the_schemas_see() -> None:
    found = derive("As a cook I want a plan so that I shop once.\n## Questions\n- [ ] a\n- [x] b\n", 1, {})
    assert found.derived() == {"narrative": True, "description": True, "acceptance_criteria": 0, "open_questions": 1}
    assert found.narrative_text == "As a cook I want a plan so that I shop once"


def test_closing_hashes_and_a_colon_do_not_change_what_a_heading_names() -> None:
    assert derive("## AC ##\n- [ ] one\n", 1, {}).criteria == ("one",)
    assert derive("## Criteria:\n- [ ] one\n", 1, {}).criteria == ("one",)
    assert derive("## Criteria: #\n- [ ] one\n", 1, {}).criteria == ("one",)


def test_a_line_that_starts_with_markup_but_is_no_comment_is_a_description() -> None:
    assert derive("<b>Bold</b> words.\n", 1, {}).description


def test_an_owner_keeps_every_letter_of_their_name() -> None:
    [question] = derive("", 1, {"questions": [{"question": "q", "owner": "@Xavier"}]}).questions
    assert question.owner == "Xavier"
