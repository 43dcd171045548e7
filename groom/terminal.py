"""Output for a person at a terminal: lines wrapped to its width with a hanging indent, and a
little colour (errors, warnings, ready or not). Nothing here when the output is piped or
NO_COLOR is set: files, CI logs and other programs get the plain text, byte for byte."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from dataclasses import dataclass
from typing import TextIO

RED = "\x1b[31m"
YELLOW = "\x1b[33m"
GREEN = "\x1b[32m"
RESET = "\x1b[0m"
HANG = 4
"""Continuation lines start this much further in than the line they continue."""


@dataclass(frozen=True, slots=True)
class Style:
    width: int | None
    """Wrap to this many columns; None: do not wrap."""
    colour: bool


def style_for(stream: TextIO) -> Style:
    """How to write to ``stream``: wrapped and coloured only for a terminal (NO_COLOR: no colour)."""
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if not terminal:
        return Style(None, colour=False)
    width = shutil.get_terminal_size((80, 24)).columns
    return Style(max(width, 40), colour=not os.environ.get("NO_COLOR"))


def wrap(text: str, width: int) -> str:
    """Every line longer than ``width`` broken between words, continuation lines indented
    under the line's own indent plus a hanging indent; a word longer than a line stays whole."""
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        hang = min(indent + HANG, width // 3)
        wrapper = textwrap.TextWrapper(
            width=width,
            initial_indent=" " * indent,
            subsequent_indent=" " * hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        out.extend(wrapper.wrap(line.lstrip(" ")) or [line])
    return "\n".join(out)


_SEVERITY = re.compile(r"^(\S+:\d+:\d+: )(error|warning)\b", re.MULTILINE)
_VERDICT = re.compile(r"(?<=  )(yes|no)$", re.MULTILINE)
_NOT_READY = re.compile(r"\bnot ready\b|\bcannot be read\b")


def colour(text: str) -> str:
    """Severity words of findings, the ready column, "not ready" and "cannot be read"."""
    text = _SEVERITY.sub(lambda m: m.group(1) + (RED if m.group(2) == "error" else YELLOW) + m.group(2) + RESET, text)
    text = _VERDICT.sub(lambda m: (GREEN if m.group(1) == "yes" else RED) + m.group(1) + RESET, text)
    return _NOT_READY.sub(lambda m: RED + m.group(0) + RESET, text)


def fit(text: str, style: Style) -> str:
    """The text as ``style`` says: wrapped, then coloured (colour never counts as width)."""
    if style.width is not None:
        text = wrap(text, style.width)
    return colour(text) if style.colour else text
