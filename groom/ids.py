"""New story ids that do not collide: above every id in the working tree and on every branch.

Two people creating stories on two branches would otherwise both take the next number. So the
next id is one above the highest number among the ids in the working tree and the file names
under the backlog folder on every local and remote-tracking branch. Branches are read through
git's tree listings (``git ls-tree``), one call per distinct branch tip, without reading any
file: story file names start with their id (``S-42-slug.md``). ``groom check`` still catches a
duplicate that slips through (an id created after the last fetch), and ``groom renumber`` fixes it.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from groom.config import Config


def git_output(args: list[str], cwd: Path, timeout: float = 30) -> str | None:
    """What a git command prints, or None when git is missing, fails or is not in a repository."""
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout if completed.returncode == 0 else None


def branch_file_names(config: Config) -> list[str]:
    """Names of the files under the backlog folder on every local and remote-tracking branch;
    empty outside a git repository."""
    folder = config.backlog
    top = git_output(["rev-parse", "--show-toplevel"], folder)
    if top is None:
        return []
    relative = os.path.relpath(folder.resolve(), Path(top.strip()).resolve())
    tips = git_output(["for-each-ref", "--format=%(objectname)", "refs/heads", "refs/remotes"], folder)
    names: list[str] = []
    for tip in sorted(set((tips or "").split())):
        listing = git_output(["ls-tree", "-r", "--name-only", tip, "--", relative], Path(top.strip()))
        if listing:
            names.extend(line.rsplit("/", 1)[-1] for line in listing.splitlines())
    return names


def _numbers(texts: Iterable[str], prefix: str) -> Iterable[int]:
    pattern = re.compile(re.escape(prefix) + r"(\d+)", re.IGNORECASE)
    for text in texts:
        match = pattern.match(text)
        if match:
            yield int(match.group(1))


def next_ids(config: Config, working_tree_ids: Iterable[str], count: int = 1) -> list[str]:
    """``count`` fresh ids with the team's prefix, above every id seen anywhere."""
    prefix = config.id_prefix
    seen = [*_numbers(working_tree_ids, prefix), *_numbers(branch_file_names(config), prefix)]
    start = max(seen, default=0) + 1
    return [f"{prefix}{number}" for number in range(start, start + count)]
