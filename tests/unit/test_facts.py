"""What groom reads from a story's body for the Definition of Ready."""

from __future__ import annotations

from groom.facts import derive

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
