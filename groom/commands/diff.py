"""``groom diff``: two versions of the backlog, read, then compared by ``changes.compare``.

A commit's side is read from git objects only (one ``git ls-tree`` of the backlog folder, one
``git cat-file --batch`` for its files; no checkout, no temporary work tree), with the
groom.toml and schemas that commit holds, through the same reader as every command. The
working tree's side is read as every command reads it, less the untracked files git ignores.
A file both sides hold with the same bytes at the same path is parsed once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from groom import backlog as backlog_module
from groom import changes, git
from groom import config as config_module
from groom import schemas as schemas_module
from groom.config import Config
from groom.errors import ConfigError, GroomError
from groom.model import Story, Unreadable
from groom.ready import Judge
from groom.storyfile import MAX_FILE_BYTES
from groom.workspace import Workspace

Parsed = dict[tuple[str, str], Story | Unreadable]
"""(blob, path) -> what it reads as: both sides share what they have in common."""


def repository(cwd: Path) -> Path:
    """The top of the git repository the command runs in; GroomError outside one."""
    top = git.top_level(cwd)
    if top is None:
        raise GroomError("groom diff compares versions kept in git: run it inside a git repository")
    return top


def base_commit(top: Path, given: str | None) -> tuple[str, str]:
    """(commit, name in words) of BASE: the revision given, else the merge base of HEAD with the
    default branch (origin/HEAD, else main, else master)."""
    if given is not None:
        found = _commit(top, given, "BASE")
        return found, f"{given} ({found[:7]})"
    if git.commit(top, "HEAD") is None:
        raise GroomError("this repository has no commit yet: commit the backlog, then compare")
    branch = git.default_branch(top)
    if branch is None:
        raise GroomError(
            "no default branch to compare with (no origin/HEAD, main or master): give BASE, e.g. "
            "groom diff origin/develop"
        )
    merged = git.merge_base(top, "HEAD", branch)
    if merged is None:
        raise GroomError(f"HEAD and {branch} have no commit in common: give BASE (a branch, tag or commit)")
    return merged, f"merge base with {branch} ({merged[:7]})"


def _commit(top: Path, revision: str, what: str) -> str:
    found = git.commit(top, revision)
    if found is None:
        raise GroomError(
            f"{what} {revision!r} names no commit in this repository; give a branch, tag or commit "
            "(git log --oneline shows them)"
        )
    return found


def _inside(top: Path, path: Path, what: str) -> str:
    """``path`` relative to the top of the repository, with '/', or GroomError."""
    relative = os.path.relpath(path, top)
    if relative == ".." or relative.startswith("../"):
        raise ConfigError(f"{what} {path} is outside the git repository {top}; groom diff reads it from git")
    return relative.replace(os.sep, "/")


@contextmanager
def _in(name: str) -> Iterator[None]:
    """A configuration or schema error names the version it is in: the file may be fine now."""
    try:
        yield
    except ConfigError as exc:
        raise ConfigError(f"{exc.message} (in the version of {name})", path=exc.path, line=exc.line) from None


def _text(raw: bytes, path: Path, what: str) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"cannot read this {what}: it is over the {MAX_FILE_BYTES:,}-byte limit", path=str(path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what} is not UTF-8 (at byte {exc.start}); save it as UTF-8", path=str(path)) from None


def config_at(top: Path, cwd: Path, commit: str, name: str, config_file: Path | None, backlog: Path | None) -> Config:
    """The configuration the commit holds: the groom.toml nearest the working folder's place in
    it (or the one --config names), checked as on disk; the defaults when it has none."""
    if config_file is not None:
        candidates = [_inside(top, (cwd / config_file).resolve(), "--config")]
    else:
        folder = _inside(top, cwd, "the working folder")
        candidates = []
        while True:
            candidates.append(config_module.CONFIG_NAME if folder == "." else f"{folder}/{config_module.CONFIG_NAME}")
            if folder == ".":
                break
            folder = os.path.dirname(folder) or "."
    texts = git.blobs(top, [f"{commit}:{candidate}" for candidate in candidates])
    found = next(((c, raw) for c, raw in zip(candidates, texts, strict=True) if raw is not None), None)
    if found is None:
        if config_file is not None:
            raise ConfigError(
                f"{config_file} is not in {name}; compare from a commit that has it, or leave out --config"
            )
        config = Config(root=cwd, source=None, backlog=cwd / "backlog")
    else:
        path = top / found[0]
        with _in(name):
            config = config_module.from_text(_text(found[1], path, "groom.toml"), path)
    if backlog is not None:
        config = replace(config, backlog=(cwd / backlog).resolve() if not backlog.is_absolute() else backlog)
    return config


def _schema_texts(top: Path, commit: str, config: Config) -> dict[str, str]:
    """Every file of the schema folders the config names, as the commit holds them."""
    named = [path for path in (config.story_schema, config.ready_schema) if path is not None]
    entries: dict[str, str] = {}
    for folder in sorted({path.parent for path in named}):
        relative = _inside(top, folder, "schema folder")
        for entry in git.tree(top, commit, relative):
            path = top / entry.path
            if path.parent == folder or path in named:
                entries[str(path)] = entry.blob
    raws = git.blobs(top, list(entries.values()))
    return {path: _text(raw, Path(path), "schema") for path, raw in zip(entries, raws, strict=True) if raw is not None}


def from_commit(
    top: Path, cwd: Path, commit: str, name: str, config: Config, parsed: Parsed
) -> tuple[changes.Snapshot, dict[str, str]]:
    """One side read from git objects: the backlog folder's listing, then its files in one
    batch. Also gives the blob of every file listed (by path)."""
    with _in(name):
        schemas = schemas_module.load(config, _schema_texts(top, commit, config))
    listing = git.tree(top, commit, _inside(top, config.backlog, "the backlog folder"))
    prefix = str(top).rstrip("/") + "/"
    blob_of = {prefix + entry.path: entry.blob for entry in listing}
    discovered = backlog_module.discover_listing(config, [(prefix + e.path, e.mode) for e in listing])
    every = [*discovered.files, *discovered.retired]
    wanted = [path for path in every if (blob_of[path], path) not in parsed]
    unique = list(dict.fromkeys(blob_of[path] for path in wanted))
    raws = dict(zip(unique, git.blobs(top, unique), strict=True))
    items = [(raws[blob_of[path]] or b"", path) for path in wanted]
    stories = backlog_module.stories_from_bytes(items, str(cwd), config.reading)
    for (_, path), result in zip(items, stories, strict=True):
        parsed[(blob_of[path], path)] = result
    read = [parsed[(blob_of[path], path)] for path in every]
    backlog = backlog_module.assemble(config, cwd, discovered, read)
    return changes.Snapshot(name, commit, backlog, Judge(backlog, schemas)), blob_of


def from_working_tree(
    ws: Workspace, top: Path, base: str, base_blobs: dict[str, str], parsed: Parsed
) -> changes.Snapshot:
    """The working tree as every command reads it, without the untracked files git ignores.
    A file git says is as the base has it is not read again: the base's reading is it."""
    discovered = ws.discovered
    folder = _inside(top, ws.config.backlog, "the backlog folder")
    prefix = str(top).rstrip("/") + "/"
    # Paths as git names them; a path not spelled under the top as git spells it is read anew.
    relative = {path: path[len(prefix) :] for path in discovered.files if path.startswith(prefix)}
    skipped = git.ignored(top, folder) or set()
    files = [path for path in discovered.files if relative.get(path) not in skipped]
    changed = git.changed_since(top, base, folder)
    kept: list[Story | Unreadable] = []
    if changed is not None:
        same = [
            path
            for path in files
            if path in relative and relative[path] not in changed and (base_blobs.get(path), path) in parsed
        ]
        kept = [parsed[(base_blobs[path], path)] for path in same]
        files = sorted(set(files) - set(same))
    loaded = backlog_module.load(ws.config, ws.cwd, replace(discovered, files=files))
    read = [*loaded.stories, *loaded.unreadable, *kept]
    backlog = backlog_module.assemble(
        ws.config, ws.cwd, replace(discovered, refused=[], retired=[]), read, loaded.retired
    )
    return changes.Snapshot("working tree", None, backlog, Judge(backlog, ws.schemas))


def diff(
    cwd: Path,
    base: str | None,
    head: str | None,
    ws: Workspace | None,
    *,
    top: int = changes.DEFAULT_TOP,
    config_file: Path | None = None,
    backlog: Path | None = None,
) -> changes.Changes:
    """BASE (default: the merge base with the default branch) against HEAD (a revision, or the
    working tree through ``ws`` when None)."""
    root = repository(cwd)
    parsed: Parsed = {}
    base_sha, base_name = base_commit(root, base)
    base_config = config_at(root, cwd, base_sha, base_name, config_file, backlog)
    before, base_blobs = from_commit(root, cwd, base_sha, base_name, base_config, parsed)
    if head is None:
        if ws is None:
            raise GroomError("the working tree's side needs the workspace; this is a bug in groom")
        # A file reads the same on both sides only when both read files the same way ([fields], [ids]).
        shared = parsed if ws.config.reading == base_config.reading else {}
        after = from_working_tree(ws, root, base_sha, base_blobs, shared)
    else:
        head_sha = _commit(root, head, "HEAD")
        head_name = f"{head} ({head_sha[:7]})"
        head_config = config_at(root, cwd, head_sha, head_name, config_file, backlog)
        shared = parsed if head_config.reading == base_config.reading else {}
        after = from_commit(root, cwd, head_sha, head_name, head_config, shared)[0]
    return changes.compare(before, after, top)
