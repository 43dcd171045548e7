"""terminal: wrapping at word boundaries with a hanging indent, and colour only where asked."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from groom import terminal


def test_a_long_finding_wraps_under_itself() -> None:
    line = "backlog/S-23.md:12:1: error [dor/no-open-questions] not ready: answer the open questions " * 2
    wrapped = terminal.wrap(line.strip(), 60).split("\n")
    assert all(len(part) <= 60 for part in wrapped)
    assert all(part.startswith("    ") for part in wrapped[1:])
    assert " ".join(part.strip() for part in wrapped) == " ".join(line.split())


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.text(alphabet="abcdefg-:/", min_size=1, max_size=12), min_size=1, max_size=40), st.integers(40, 120))
def test_no_word_is_broken_and_no_line_is_longer_than_needed(words: list[str], width: int) -> None:
    line = "  " + " ".join(words)
    wrapped = terminal.wrap(line, width).split("\n")
    assert " ".join(part.strip() for part in wrapped).split() == words
    assert all(len(part) <= width or " " not in part.strip() for part in wrapped)


def test_colour_marks_severity_and_verdicts() -> None:
    text = "a.md:1:1: error [x] y\nb.md:2:3: warning [z] w\nS-1  Title  ready  3  5  a0  yes\n"
    coloured = terminal.colour(text)
    assert f"{terminal.RED}error{terminal.RESET}" in coloured
    assert f"{terminal.YELLOW}warning{terminal.RESET}" in coloured
    assert coloured.rstrip().endswith(f"{terminal.GREEN}yes{terminal.RESET}")
