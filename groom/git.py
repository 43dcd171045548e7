"""The one place groom runs git: branch listings for fresh ids, file history for stale stories.

Every call is read-only, bounded by a timeout, and answers None (or nothing) outside a git
repository or when git is missing, so commands work on a plain folder too.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def output(args: list[str], cwd: Path, timeout: float = 30) -> str | None:
    """What a git command prints, or None when git is missing, fails or is not in a repository."""
    try:
        completed = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout if completed.returncode == 0 else None


def top_level(folder: Path) -> Path | None:
    top = output(["rev-parse", "--show-toplevel"], folder)
    return Path(top.strip()) if top is not None else None


def branch_file_names(folder: Path) -> list[str]:
    """Names of the files under ``folder`` on every local and remote-tracking branch, read
    from git's tree listings (one ``git ls-tree`` per distinct branch tip, no file read);
    empty outside a git repository."""
    top = top_level(folder)
    if top is None:
        return []
    relative = os.path.relpath(folder.resolve(), top.resolve())
    tips = output(["for-each-ref", "--format=%(objectname)", "refs/heads", "refs/remotes"], folder)
    names: list[str] = []
    for tip in sorted(set((tips or "").split())):
        listing = output(["ls-tree", "-r", "--name-only", tip, "--", relative], top)
        if listing:
            names.extend(line.rsplit("/", 1)[-1] for line in listing.splitlines())
    return names


def last_changes(folder: Path) -> dict[str, tuple[float, str]] | None:
    """Last commit time and author per file under ``folder`` (absolute resolved paths), from
    one ``git log``; an uncommitted change counts as a change now. None outside a repository."""
    root = top_level(folder)
    if root is None:
        return None
    target = str(folder.resolve())
    log = output(["log", "--no-renames", "--format=%x00%ct%x09%an", "--name-only", "--", target], root, 300)
    seen: dict[str, tuple[float, str]] = {}
    when, author = 0.0, ""
    for line in (log or "").splitlines():  # no output: no commits yet
        if line.startswith("\0"):
            stamp, _, author = line[1:].partition("\t")
            when = float(stamp)
        elif line:
            # Newest commits come first: the first time a file appears is its last change.
            seen.setdefault(str((root / line).resolve()), (when, author))
    for line in (output(["status", "--porcelain", "--no-renames", "--", target], root, 60) or "").splitlines():
        # An uncommitted change is a change now; untracked files fall back to their mtime.
        if line[:2] != "??":
            seen[str((root / line[3:]).resolve())] = (time.time(), "(uncommitted)")
    return seen
