"""New story ids that do not collide: above every id in the working tree and on every branch.

Two people creating stories on two branches would otherwise both take the next number. So the
next id is one above the highest number among the ids seen anywhere: the working tree's ids,
and the file names under the backlog folder on every branch (story file names start with their
id, ``S-42-slug.md``; the caller gathers them with ``git.branch_file_names``). ``groom check``
still catches a duplicate that slips through (an id created after the last fetch), and
``groom renumber`` fixes it. Pure: no files, no git.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _numbers(texts: Iterable[str], prefix: str) -> Iterable[int]:
    pattern = re.compile(re.escape(prefix) + r"(\d+)", re.IGNORECASE)
    for text in texts:
        match = pattern.match(text)
        if match:
            yield int(match.group(1))


def next_ids(prefix: str, seen: Iterable[str], count: int = 1, digits: int = 0) -> list[str]:
    """``count`` fresh ids with ``prefix``, above every id (or file name) in ``seen``; the number
    padded with zeros to ``digits`` (Backlog.md's zero_padded_ids: BACK-007)."""
    start = max(_numbers(seen, prefix), default=0) + 1
    return [f"{prefix}{number:0{digits}d}" for number in range(start, start + count)]
