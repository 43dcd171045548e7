"""First contact: when most of a backlog's ids or statuses miss the config, which keys would fit
what groom sees. Plain data in, one line per hint out."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from groom.config import Config
from groom.model import Story

_PREFIX = re.compile(r"([A-Za-z][A-Za-z0-9_]*[-_])\d")
MOST = 0.5
"""A hint when more than this share of the stories misses the config."""


def config_hints(stories: Sequence[Story], config: Config, *, backlog_md: bool = False) -> list[str]:
    """Hints for groom.toml, or none when the config fits most stories."""
    if not stories:
        return []
    hints = []
    exact, prefixes = tuple(config.id_prefixes), tuple(p.lower() for p in config.id_prefixes)
    ids = (story.id for story in stories)
    foreign = [i for i in ids if i and not i.startswith(exact) and not i.lower().startswith(prefixes)]
    if len(foreign) > MOST * len(stories):
        seen = Counter(m.group(1).upper() for m in map(_PREFIX.match, foreign) if m)
        if seen:
            [(prefix, count)] = seen.most_common(1)
            example = next(i for i in foreign if i.upper().startswith(prefix))
            hints.append(f'{count} ids look like {example}: set id_prefix = "{prefix}" in groom.toml')
    unknown = Counter(s.status for s in stories if s.status and s.status not in config.statuses)
    if sum(unknown.values()) > MOST * len(stories):
        names = ", ".join(f"'{status}'" for status, _ in unknown.most_common(4))
        hints.append(f"{sum(unknown.values())} statuses are not in status.all ({names}): list the team's in [status]")
    if hints and backlog_md:
        hints.append("this is a Backlog.md repository: groom init --from backlog-md writes a groom.toml that fits it")
    return hints
