"""What groom reads from a story's body for the Definition of Ready."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groom.facts import derive, find_narrative

BODY = """As a cook
I want to plan a week so that I shop once.

## Acceptance criteria
- [ ] Given a plan, when I print, then it fits a page
- [x] Given no plan, when I print, then I am told
* a plain bullet counts too
  - a nested detail does not

```
## Questions
- [ ] inside a fence: not a question
```

## Questions
- [ ] @mira: which sheet?
- [x] @jonas, answered already
1. numbered and open

### Sub heading inside questions
- [ ] still a question
"""


def test_sections_are_read() -> None:
    facts = derive(BODY, 10, {})
    assert facts.narrative
    assert facts.description
    assert facts.criteria == (
        "Given a plan, when I print, then it fits a page",
        "Given no plan, when I print, then I am told",
        "a plain bullet counts too",
    )
    assert facts.criteria_line == 13
    assert [(q.owner, q.answered) for q in facts.questions] == [
        ("mira", False),
        ("jonas", True),
        (None, False),
        (None, False),
    ]
    assert facts.open_questions[0].line == 25
    assert facts.derived() == {"narrative": True, "description": True, "acceptance_criteria": 3, "open_questions": 3}


def test_front_matter_lists_count() -> None:
    facts = derive(
        "",
        5,
        {
            "acceptance_criteria": ["works", ""],
            "questions": ["@po: open?", {"question": "done?", "owner": "@ana", "answered": True}],
            "description": "Plain description.",
        },
    )
    assert facts.criteria == ("works",)
    assert [(q.text, q.owner, q.answered) for q in facts.questions] == [
        ("@po: open?", "po", False),
        ("done?", "ana", True),
    ]
    assert facts.description
    assert not facts.narrative


def test_empty_body() -> None:
    facts = derive("", 7, {})
    assert facts.derived() == {"narrative": False, "description": False, "acceptance_criteria": 0, "open_questions": 0}
    assert facts.line_of("acceptance_criteria") == 7


def test_headings_are_case_and_wording_tolerant() -> None:
    facts = derive("## ACCEPTANCE CRITERIA:\n- one\n## Open questions\n- two?\n", 1, {})
    assert facts.criteria == ("one",)
    assert [q.text for q in facts.questions] == ["two?"]


_ALL_IN_ONE = re.compile(
    r"\bas an?\b.{1,400}?\bi (?:want|need|would like|can)\b.{1,800}?\bso that\b[^.!?]{0,1000}", re.I | re.S
)


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(
    st.lists(
        st.sampled_from(["as a ", "As an ", "i want ", "I can ", "so that ", "x ", "lorem ipsum ", ". ", "!", "asa "]),
        max_size=40,
    ),
    st.integers(1, 60),
)
def test_the_narrative_is_the_one_the_single_pattern_finds(words: list[str], stretch: int) -> None:
    text = "".join(word * (stretch if word == "x " else 1) for word in words)
    found = _ALL_IN_ONE.search(text)
    assert find_narrative(text) == (found.group(0) if found else "")


@pytest.mark.parametrize(
    "body",
    [
        "as a i can " * 95_000,  # every "as a" a start, no "so that"
        "as a " * 50_000 + "i want " * 50_000,
        "# " + "# \t" * 100_000 + "x\n",  # a heading whose title the old pattern backtracked over
        "- [ ]" + " \t" * 100_000 + "x\n",
        "<!--" + "-->x" * 100_000 + "\n",
    ],
    ids=["as-a-i-can", "wants-without-so-that", "hashes", "checklist-spaces", "comments"],
)
def test_worst_bodies_are_read_in_well_under_a_second(body: str) -> None:
    start = time.perf_counter()
    derive(body, 1, {})
    assert time.perf_counter() - start < 1.0
