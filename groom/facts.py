"""Facts derived from a story's body (and a few front matter lists) for the DoR to judge.

The schemas cannot read markdown, so groom reads it once and hands the schema small,
read-only values under the ``derived`` key: whether the story has a narrative or a
description, how many acceptance criteria it has, how many questions are open. A team
writes rules on them like on any other key (see the README).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+")
"""An ATX heading's opening; its title is the rest without trailing spaces and '#'s (a pattern
for the title with a lazy group backtracked quadratically on a long line of '# # #')."""
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_ITEM = re.compile(r"^ ?(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[([ xX])\][ \t]*)?(.*)$")
# The narrative "As a … I want … so that …", found without one pattern spanning it all: that
# pattern (as a, up to 400 characters, i want, up to 800, so that) backtracks over every "as a"
# of a long body, about a millisecond each. The three parts are found on their own (linear),
# then put together with the same distances and the same leftmost, nearest choices.
_AS_A = re.compile(r"\bas an?\b", re.I)
_I_WANT = re.compile(r"\bi (?:want|need|would like|can)\b", re.I)
_SO_THAT = re.compile(r"\bso that\b", re.I)
_SENTENCE_END = re.compile(r"[.!?]")
AS_TO_WANT = 400
WANT_TO_SO_THAT = 800
NARRATIVE_TAIL = 1000
"""The narrative ends at the end of the sentence after "so that", at most this far on."""


def find_narrative(text: str) -> str:
    """The first "As a … I want … so that …" sentence of ``text``, or ""."""
    first = _AS_A.search(text)
    if first is None:
        return ""
    # The usual story: the first "as a" starts the narrative; a few searches that only move
    # forward settle it. Anything else goes the way that is linear whatever the text.
    limit = first.end() + AS_TO_WANT
    so_that: re.Match[str] | None = None
    for want in _I_WANT.finditer(text, first.end() + 1):
        if want.start() > limit:
            break
        if so_that is None or so_that.start() < want.end() + 1:
            so_that = _SO_THAT.search(text, want.end() + 1)
            if so_that is None:
                return ""  # no "so that" after this "i want": none after any later one either
        if so_that.start() <= want.end() + WANT_TO_SO_THAT:
            return _sentence(text, first.start(), so_that.end())
    return _find_narrative_anywhere(text)


def _sentence(text: str, start: int, end: int) -> str:
    stop = _SENTENCE_END.search(text, end, end + NARRATIVE_TAIL)
    return text[start : stop.start() if stop else min(len(text), end + NARRATIVE_TAIL)]


def _find_narrative_anywhere(text: str) -> str:
    wants = [(m.start(), m.end()) for m in _I_WANT.finditer(text)]
    if not wants:
        return ""
    so_thats = [(m.start(), m.end()) for m in _SO_THAT.finditer(text)]
    starts = [start for start, _ in so_thats]
    # For each "i want", the nearest "so that" 1 to 800 characters after it, if any.
    usable: list[tuple[int, int]] = []  # (start of "i want", end of its "so that")
    for want_start, want_end in wants:
        index = bisect.bisect_left(starts, want_end + 1)
        if index < len(so_thats) and so_thats[index][0] <= want_end + WANT_TO_SO_THAT:
            usable.append((want_start, so_thats[index][1]))
    usable_starts = [start for start, _ in usable]
    for match in _AS_A.finditer(text):
        index = bisect.bisect_left(usable_starts, match.end() + 1)
        if index < len(usable) and usable[index][0] <= match.end() + AS_TO_WANT:
            return _sentence(text, match.start(), usable[index][1])
    return ""


_OWNER = re.compile(r"^@([\w.-]+)[:,]?\s*")
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")


@dataclass(frozen=True, slots=True)
class Question:
    """An open question or action item; ``line`` is 0 when it comes from front matter."""

    text: str
    owner: str | None
    answered: bool
    line: int

    def __reduce__(self) -> tuple[type[Question], tuple[Any, ...]]:
        return (Question, (self.text, self.owner, self.answered, self.line))


@dataclass(frozen=True, slots=True)
class Facts:
    narrative: bool
    description: bool
    criteria: tuple[str, ...]
    questions: tuple[Question, ...]
    criteria_line: int
    """File line of the acceptance criteria heading, or of the body start when there is none."""
    body_line: int
    narrative_text: str = ""
    """The "As a … I want … so that …" sentence, when there is one."""

    def __reduce__(self) -> tuple[type[Facts], tuple[Any, ...]]:
        fields = (
            self.narrative,
            self.description,
            self.criteria,
            self.questions,
            self.criteria_line,
            self.body_line,
            self.narrative_text,
        )
        return (Facts, fields)

    @property
    def open_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not q.answered)

    def derived(self) -> dict[str, Any]:
        """The read-only values the schemas see as ``derived``."""
        return {
            "narrative": self.narrative,
            "description": self.description,
            "acceptance_criteria": len(self.criteria),
            "open_questions": len(self.open_questions),
        }

    def line_of(self, name: str) -> int:
        """The file line a finding about derived value ``name`` points at."""
        if name == "open_questions":
            lines = [q.line for q in self.open_questions if q.line]
            return lines[0] if lines else self.body_line
        if name == "acceptance_criteria":
            return self.criteria_line
        return self.body_line


def _section_kind(title: str) -> str:
    name = " ".join(title.lower().rstrip(":").split())
    if name.startswith("acceptance") or name in ("ac", "criteria"):
        return "criteria"
    if "question" in name or name in ("action items", "open points"):
        return "questions"
    return "other"


def _question(text: str, answered: bool, line: int) -> Question:
    match = _OWNER.match(text)
    owner = match.group(1) if match else None
    return Question(text=text.strip(), owner=owner, answered=answered, line=line)


def derive(body: str, body_line: int, front_matter: Mapping[str, Any]) -> Facts:
    """Read the body's sections once; ``body_line`` is the file line the body starts on."""
    criteria: list[str] = []
    questions: list[Question] = []
    criteria_line = 0
    description = False
    section = "other"
    section_level = 0
    in_fence = False
    prose: list[str] = []
    for offset, line in enumerate(body.splitlines()):
        stripped = line.strip()
        if not stripped:
            continue
        first = stripped[0]
        if first in "`~" and _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if first == "#":
            heading = _HEADING.match(line)
            if heading:
                level = len(heading.group(1))
                if section == "other" or level <= section_level:
                    title = line[heading.end() :].rstrip(" \t#")
                    section, section_level = _section_kind(title), level
                    if section == "criteria" and not criteria_line:
                        criteria_line = body_line + offset
                continue
        if section == "other":
            if not (first == "<" and _COMMENT.match(line)):
                description = True
                prose.append(stripped)
            continue
        item = _ITEM.match(line) if first in "-*+0123456789" else None
        if item is None:
            continue
        if section == "criteria":
            criteria.append(item.group(2).strip())
        else:
            questions.append(_question(item.group(2), (item.group(1) or " ") in "xX", body_line + offset))
    criteria.extend(_criteria_from(front_matter.get("acceptance_criteria")))
    questions.extend(_questions_from(front_matter.get("questions")))
    fm_description = front_matter.get("description")
    if isinstance(fm_description, str) and fm_description.strip():
        description = True
    narrative = find_narrative(" ".join(prose))
    return Facts(
        narrative=bool(narrative),
        narrative_text=narrative,
        description=description,
        criteria=tuple(criteria),
        questions=tuple(questions),
        criteria_line=criteria_line or body_line,
        body_line=body_line,
    )


def _criteria_from(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if isinstance(item, str | int | float) and str(item).strip()]


def _yes(value: Any) -> bool:
    """``answered: true`` or ``yes`` (text under YAML 1.2); ``no``, ``false`` and nothing are not."""
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "y", "true", "done", "x")
    return value is True


def _questions_from(value: Any) -> list[Question]:
    """Front matter questions: strings are open; mappings say ``answered: true`` when done."""
    if not isinstance(value, list):
        return []
    result: list[Question] = []
    for item in value:
        if isinstance(item, str):
            result.append(_question(item, False, 0))
        elif isinstance(item, dict):
            text = item.get("question") or item.get("text") or ""
            answered = _yes(item.get("answered")) or _yes(item.get("done"))
            question = _question(str(text), answered, 0)
            owner = item.get("owner")
            if isinstance(owner, str) and owner:
                question = Question(question.text, owner.lstrip("@"), answered, 0)
            result.append(question)
    return result
