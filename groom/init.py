"""``groom init``: a groom.toml, the default schemas and a first story, ready to check."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from groom import config as config_module
from groom import edits
from groom.errors import GroomError

CONFIG_TEXT = """\
# groom configuration (the README of groom describes every key).
# Paths are relative to this file.

backlog = "backlog"              # the folder of story files (*.md, subfolders included)
exclude = ["README.md", "readme.md"]   # a pattern without "/" matches file names anywhere
id_prefix = "S-"                 # new ids are S-1, S-2, …; a list allows several prefixes
types = ["story", "spike", "bug", "chore"]

[schemas]                        # the team's own copies; edit them to change the rules
story = "schemas/story.schema.json"   # structure every story meets
ready = "schemas/ready.schema.json"   # the Definition of Ready

[estimate]
scale = [{scale}]
max_story_points = {max_points}            # the largest story the team takes into a sprint

[status]
all = [{statuses}]
ready = [{ready}]   # claim to meet the DoR
final = [{final}]          # accepted into a sprint: the estimate is final
done = [{done}]
inactive = [{inactive}]                # never counted as work
# Which status each command gives (each one of status.all; split and dropped must be inactive):
new = "draft"                    # groom new and split children
planned = "planned"              # accepted into a sprint (groom plan, to come)
split = "split"                  # a split parent
dropped = "dropped"              # groom stale --drop
backlog = "ready"                # where unfinished stories return when a sprint closes (to come)

[rank]
max_length = 24                  # longer keys get a warning; groom reprioritize --rebalance

[sprint]
# velocity = [21, 18, 24]        # past sprints, oldest first (default: points of done stories per sprint)
# capacity = 20                  # fixes the capacity (default: mean of the last three velocities)
fill = "skip"                    # skip: look below a story that does not fit; strict: stop there
# spike_points_per_day = 2       # spikes take timebox × this instead of their estimate
"""

EXAMPLE_STORY = """\
---
id: S-1
title: Try groom on our backlog
type: story
status: draft
rank: "a0"
---
As a team I want our stories checked on every pull request so that sprint planning starts
from stories that are ready.

## Acceptance criteria
- [ ] Given a pull request that changes a story, when CI runs, then groom check reports on it

## Questions
- [ ] @po: which stories do we move here first?
"""

PRE_COMMIT = """\
# .pre-commit-config.yaml
repos:
  - repo: local
    hooks:
      - id: groom-check
        name: groom check
        entry: groom check
        language: system
        types: [markdown]
        require_serial: true
"""

CI_STEP = """\
# .github/workflows/backlog.yml, as a step after checkout and Python 3.11 setup. groom is
# installed from its repository until groom-backlog is on PyPI ("groom" there is another project).
      - run: pip install "groom-backlog @ git+https://github.com/YOUR-ORG/groom" && groom check --format github
"""


def _quoted(values: tuple[object, ...]) -> str:
    return ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in values)


@dataclass(frozen=True, slots=True)
class Created:
    root: Path
    files: tuple[Path, ...]


SOURCES = ("backlog-md",)
"""What ``groom init --from`` knows how to read."""


def init_from(root: Path, source: str) -> Created:
    """groom.toml and schemas that read an existing backlog as it is (see adopt.py). ``root``
    is the repository (with ``backlog/config.yml``) or the Backlog.md folder itself."""
    from groom import adopt

    if source not in SOURCES:
        raise GroomError(f"--from {source!r}: groom can start from {', '.join(SOURCES)}")
    for folder in (root / "backlog", root):
        if (folder / "config.yml").is_file():
            break
    else:
        raise GroomError(
            f"no Backlog.md config.yml in {root}/backlog or {root}; run groom init --from backlog-md in the "
            "repository that holds the backlog folder"
        )
    settings = adopt.read_config(
        config_module.read_safely(folder / "config.yml", "config.yml"), str(folder / "config.yml")
    )
    backlog = "." if folder == root else "backlog"
    files = {
        root / config_module.CONFIG_NAME: adopt.config_text(settings, backlog).encode(),
        root / "schemas" / "story.schema.json": adopt.schema_bytes(adopt.story_schema()),
        root / "schemas" / "ready.schema.json": adopt.schema_bytes(adopt.ready_schema()),
    }
    return _create(root, files)


def _create(root: Path, files: dict[Path, bytes]) -> Created:
    taken = [path for path in files if path.exists() or path.is_symlink()]
    if taken:
        names = ", ".join(str(path) for path in taken)
        raise GroomError(f"{names} already exist(s); groom init writes nothing over existing files")
    edits.create_files({str(path): raw for path, raw in files.items()})
    return Created(root, tuple(files))


def init(root: Path) -> Created:
    """Write the starter files into ``root``; refuses when any of them exists already."""
    defaults = config_module.Config(root=root, source=None, backlog=root / "backlog")
    text = CONFIG_TEXT.format(
        scale=_quoted(defaults.scale),
        max_points=defaults.max_story_points,
        statuses=_quoted(defaults.statuses),
        ready=_quoted(defaults.ready_statuses),
        final=_quoted(defaults.final_statuses),
        done=_quoted(defaults.done_statuses),
        inactive=_quoted(defaults.inactive_statuses),
    )
    packaged = resources.files("groom").joinpath("schemas")
    files = {
        root / config_module.CONFIG_NAME: text.encode(),
        root / "schemas" / "story.schema.json": packaged.joinpath("story.schema.json").read_bytes(),
        root / "schemas" / "ready.schema.json": packaged.joinpath("ready.schema.json").read_bytes(),
        root / "backlog" / "S-1-try-groom-on-our-backlog.md": EXAMPLE_STORY.encode(),
    }
    return _create(root, files)
