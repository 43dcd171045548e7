"""The one place groom runs git: branch listings for fresh ids, file history for stale stories,
and a backlog as a commit holds it (groom diff).

Every call is read-only, bounded by a timeout, and answers None (or nothing) outside a git
repository or when git is missing, so commands work on a plain folder too.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
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


def _patches(root: Path, target: str, options: list[str]) -> str | None:
    """``git log -p -U0`` over ``target``, in a form no user setting changes (prefixes, colour,
    external diff tools, renames)."""
    fixed = ["--no-renames", "--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/", "-p", "-U0"]
    return output(["log", *fixed, *options, "--", target], root, 300)


def _from_diffs(root: Path, target: str, ignore: tuple[str, ...], seen: dict[str, tuple[float, str]]) -> None:
    """last_changes from ``git log -p -U0``: a file's commit counts unless every line it adds or
    removes is one of the ``ignore`` keys."""
    log = _patches(root, target, ["--format=%x00%ct%x09%an"])
    skip = tuple(f"{sign}{key}:" for key in ignore for sign in "+-")
    when, author = 0.0, ""
    current: str | None = None
    counts = in_hunk = False

    def settle() -> None:
        if current is not None and counts:
            seen.setdefault(current, (when, author))

    for line in (log or "").splitlines():
        if line.startswith("\0"):
            settle()
            current, counts, in_hunk = None, False, False
            stamp, _, author = line[1:].partition("\t")
            when = float(stamp)
        elif line.startswith("diff --git "):
            settle()
            current, counts, in_hunk = None, False, False
        elif line.startswith("@@"):
            in_hunk = True
        elif in_hunk:
            if line[:1] in "+-" and not line.startswith(skip):
                counts = True  # a line other than the ignored keys changed
        elif line.startswith(("+++ ", "--- ")):
            name = line[4:]
            if name != "/dev/null":  # for a removed file, "--- a/…" names it
                current = str((root / name[2:]).resolve())
        elif line.startswith(("Binary files", "new file", "deleted file")):
            counts = True
    settle()


def values_ever(folder: Path, key: str) -> dict[str, set[str]] | None:
    """Every value a top-level ``key:`` line of each file under ``folder`` ever had in a commit
    (absolute resolved paths; values as text), from one ``git log -p``. None outside a
    repository. Each added line is read by yamlio, like any front matter."""
    from groom import yamlio
    from groom.errors import YamlError

    root = top_level(folder)
    if root is None:
        return None
    log = _patches(root, str(folder.resolve()), ["--format=%x00", "-G", f"^{key}:"])
    found: dict[str, set[str]] = {}
    current: str | None = None
    for line in (log or "").splitlines():
        if line.startswith("+++ "):
            current = None if line[4:] == "/dev/null" else str((root / line[6:]).resolve())
        elif current is not None and line.startswith(f"+{key}:"):
            try:
                value = yamlio.load_mapping(line[1:]).get(key)
            except YamlError:
                continue
            if value is not None:
                found.setdefault(current, set()).add(str(value))
    return found


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


def last_changes(folder: Path, ignore: tuple[str, ...] = ()) -> dict[str, tuple[float, str]] | None:
    """Last commit time and author per file under ``folder`` (absolute resolved paths), from
    one ``git log``; an uncommitted change counts as a change now. None outside a repository.

    A commit whose only change to a file is to the front matter keys in ``ignore`` (a reorder
    rewrites ``rank``) is not a change of that file: that needs the diffs, read with -U0 in the
    same single pass.
    """
    root = top_level(folder)
    if root is None:
        return None
    target = str(folder.resolve())
    seen: dict[str, tuple[float, str]] = {}
    if ignore:
        _from_diffs(root, target, ignore, seen)
    else:
        log = output(["log", "--no-renames", "--format=%x00%ct%x09%an", "--name-only", "--", target], root, 300)
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


# ---------------------------------------------------------------------------------------
# groom diff: a backlog as it is in a commit, read from git objects (no checkout)


def _run(
    args: list[str], cwd: Path, stdin: bytes | None = None, timeout: float = 300, *, literal: bool = True
) -> tuple[int, bytes] | None:
    """Exit code and output of a git command fed ``stdin``, as bytes; None when git is missing.
    Paths are taken literally (no glob in a folder name), unless the command refuses that."""
    try:
        completed = subprocess.run(
            ["git", *(["--literal-pathspecs"] if literal else []), *args],
            cwd=cwd,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            check=False,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.returncode, completed.stdout


def commit(root: Path, revision: str) -> str | None:
    """The commit a revision names (full hash), or None when it names none."""
    if not revision or revision.startswith("-") or "\n" in revision:
        return None
    found = _run(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root, timeout=30)
    if found is None or found[0] != 0:
        return None
    return found[1].decode("ascii", "replace").strip() or None


def default_branch(root: Path) -> str | None:
    """The branch a pull request merges into: what ``origin/HEAD`` points at, else ``main``, else
    ``master`` (a local branch, else origin's); None when there is none."""
    remote = _run(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], root, timeout=30)
    if remote is not None and remote[0] == 0 and remote[1].strip():
        return remote[1].decode("utf-8", "replace").strip()
    for name in ("main", "master"):
        for ref, shown in ((f"refs/heads/{name}", name), (f"refs/remotes/origin/{name}", f"origin/{name}")):
            if commit(root, ref) is not None:
                return shown
    return None


def merge_base(root: Path, one: str, other: str) -> str | None:
    found = _run(["merge-base", one, other], root, timeout=60)
    if found is None or found[0] != 0:
        return None
    return found[1].decode("ascii", "replace").strip() or None


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a commit's tree."""

    path: str
    """Relative to the top of the repository, with '/'."""
    mode: str
    """Git's file mode: 100644 or 100755 a file, 120000 a symbolic link, 160000 a submodule."""
    blob: str
    """The object holding its bytes."""


def tree(root: Path, revision: str, folder: str, *, recursive: bool = True) -> list[Entry]:
    """The files of ``revision`` under ``folder`` (relative to the top; '.' for all), from one
    ``git ls-tree``; nothing when the folder is not in that commit."""
    args = ["ls-tree", "-z", "--full-tree", *(["-r"] if recursive else []), revision, "--", folder]
    found = _run(args, root)
    if found is None or found[0] != 0:
        return []
    entries = []
    for record in found[1].split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, blob = meta.decode("ascii").split(" ")
        if kind != "tree":
            entries.append(Entry(name.decode("utf-8", "surrogateescape"), mode, blob))
    return entries


def blobs(root: Path, names: list[str]) -> list[bytes | None]:
    """The bytes of many objects (hashes, or ``revision:path``) in one ``git cat-file --batch``;
    None for a name that is not in the repository."""
    if not names:
        return []
    stdin = "".join(f"{name}\n" for name in names).encode("utf-8", "surrogateescape")
    found = _run(["cat-file", "--batch"], root, stdin)
    if found is None or found[0] != 0:
        from groom.errors import GroomError

        raise GroomError("git cat-file --batch failed; check that git works in this repository (git status)")
    output = found[1]
    result: list[bytes | None] = []
    position = 0
    for _ in names:
        end = output.index(b"\n", position)
        header = output[position:end].split(b" ")
        position = end + 1
        if header[-1] in (b"missing", b"ambiguous"):  # "<name as asked> missing": the name may hold spaces
            result.append(None)
            continue
        size = int(header[2])
        result.append(output[position : position + size] if header[1] == b"blob" else None)
        position += size + 1
    return result


def ignored(root: Path, folder: str) -> set[str] | None:
    """The untracked files under ``folder`` (relative to the top) that .gitignore & co. ignore
    (a tracked file is never ignored), from one ``git ls-files``; None when git cannot say."""
    found = _run(["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--", folder], root, timeout=60)
    if found is None or found[0] != 0:
        return None
    return {name.decode("utf-8", "surrogateescape") for name in found[1].split(b"\0") if name}


def changed_since(root: Path, revision: str, folder: str) -> set[str] | None:
    """Files under ``folder`` whose working-tree content differs from ``revision`` (paths
    relative to the top; untracked files are not among them), from one ``git diff``; None
    when git cannot say."""
    args = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", revision, "--", folder]
    found = _run(args, root)
    if found is None or found[0] != 0:
        return None
    return {name.decode("utf-8", "surrogateescape") for name in found[1].split(b"\0") if name}
