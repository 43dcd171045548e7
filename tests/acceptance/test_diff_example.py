"""groom diff on the README's example backlog after a refinement scripted with groom's own commands."""

# ruff: noqa: E501  # the pinned report lines are as long as the report prints them

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.acceptance.test_diff import commit, git
from tests.conftest import REPO, Runner

REFINEMENT = [
    ["split", "S-26", "--into", "Offline ticks", "--into", "Sync ticks when back online"],
    ["estimate", "S-19", "5"],
    ["reprioritize", "S-19", "--top"],
    ["set", "S-30", "value=5"],
    ["renumber", "S-9"],
    ["new", "Weekly digest email"],
    ["set", "S-23", "status=ready"],
]


@pytest.fixture
def refined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, groom: Runner) -> Path:
    for name in ("backlog", "schemas"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "groom.toml", tmp_path / "groom.toml")
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "the example backlog")
    git(tmp_path, "checkout", "-qb", "refinement")
    # The team's answer to S-23's question, ticked by hand: then it may claim ready.
    story = next((tmp_path / "backlog").glob("S-23-*.md"))
    story.write_text(story.read_text().replace("- [ ] @jonas", "- [x] @jonas"))
    for args in REFINEMENT:
        result = groom(*args)
        assert result.code == 0, result
    commit(tmp_path, "refinement")
    return tmp_path


TEXT = """\
groom diff: merge base with main (BASE) → working tree

Added
  S-37  Weekly digest email

Split
  S-26  Offline mode for the shopping list  split into S-34 Offline ticks, S-35 Sync ticks when back online (20 points no longer counted)

Renumbered
  S-9 → S-36  Delete a recipe

Estimates
  S-19  Import a recipe from a web page  8 → 5

Values
  S-30  Export the meal plan to a calendar  none → 5

Status
  S-23  Share the shopping list within a household  refining → ready

Now meet the Definition of Ready
  S-23  Share the shopping list within a household  lacked: no-open-questions (1 open question, first: @jonas: do we need offline sync for this, or is online-only fine for a first version?)
  S-30  Export the meal plan to a calendar          lacked: value (missing key value)

Moved (place among the open stories)
  S-19  Import a recipe from a web page  10th → 1st

Sprint candidates at 19.3 points
  S-19  Import a recipe from a web page  entered (was 10th)
  S-17  Share a meal plan by link        left (now 9th; 5 points > 2.3 left: split it or raise the capacity)

Questions answered
  S-23  Share the shopping list within a household  @jonas: do we need offline sync for this, or is online-only fine for a first version?

Totals (before → after)
  open stories        18 → 20
  open points         79 → 56
  ready stories        8 → 9
  ready points        30 → 35
  ready runway       1.6 → 1.8 sprints (at 19.3 points a sprint)
  sprint candidates   19 → 19 points (6 → 6 stories)
"""

MARKDOWN = """\
### Backlog changes

merge base with main (BASE) → working tree

**Added**

- **S-37** Weekly digest email

**Split**

- **S-26** Offline mode for the shopping list: split into S-34 Offline ticks, S-35 Sync ticks when back online (20 points no longer counted)

**Renumbered**

- **S-9 → S-36** Delete a recipe

**Estimates**

- **S-19** Import a recipe from a web page: 8 → 5

**Values**

- **S-30** Export the meal plan to a calendar: none → 5

**Status**

- **S-23** Share the shopping list within a household: refining → ready

**Now meet the Definition of Ready**

- **S-23** Share the shopping list within a household: lacked: no-open-questions (1 open question, first: @jonas: do we need offline sync for this, or is online-only fine for a first version?)
- **S-30** Export the meal plan to a calendar: lacked: value (missing key value)

**Moved (place among the open stories)**

- **S-19** Import a recipe from a web page: 10th → 1st

**Sprint candidates at 19.3 points**

- **S-19** Import a recipe from a web page: entered (was 10th)
- **S-17** Share a meal plan by link: left (now 9th; 5 points > 2.3 left: split it or raise the capacity)

**Questions answered**

- **S-23** Share the shopping list within a household: @jonas: do we need offline sync for this, or is online-only fine for a first version?

| totals | before | after | |
|---|---:|---:|---|
| open stories | 18 | 20 |  |
| open points | 79 | 56 |  |
| ready stories | 8 | 9 |  |
| ready points | 30 | 35 |  |
| ready runway | 1.6 | 1.8 | sprints (at 19.3 points a sprint) |
| sprint candidates | 19 | 19 | points (6 → 6 stories) |
"""

JSON = {
    "base": {"name": "merge base with main (BASE)", "commit": "BASE-COMMIT"},
    "head": {"name": "working tree", "commit": None},
    "added": ["S-37"],
    "dropped": [],
    "split": [{"id": "S-26", "children": ["S-34", "S-35"], "points": 20.0}],
    "renumbered": [{"old": "S-9", "new": "S-36"}],
    "renamed": [],
    "removed": [],
    "finished": [],
    "estimates": [{"id": "S-19", "old": 8, "new": 5, "final": False}],
    "values": [{"id": "S-30", "old": None, "new": 5}],
    "status": [{"id": "S-23", "old": "refining", "new": "ready"}],
    "ready": {
        "became": ["S-23", "S-30"],
        "lost": [],
        "gaps": {
            "S-23": [
                {
                    "rule": "no-open-questions",
                    "detail": "1 open question, first: @jonas: do we need offline sync for this, or is online-only fine for a first version?",
                }
            ],
            "S-30": [{"rule": "value", "detail": "missing key value"}],
        },
    },
    "moved": [{"id": "S-19", "old_position": 10, "new_position": 1}],
    "top": {"n": 10, "entered": [], "left": [], "positions": {}, "reasons": {}},
    "candidates": {
        "capacity": 19.333333333333332,
        "capacity_source": "mean velocity of the last 3 sprint(s) (2026-21: 19, 2026-22: 18, 2026-23: 21; from done stories)",
        "entered": ["S-19"],
        "left": ["S-17"],
        "positions": {"S-19": {"old": 10, "new": 1}, "S-17": {"old": 8, "new": 9}},
        "reasons": {"S-17": "5 points > 2.3 left: split it or raise the capacity"},
    },
    "questions": {
        "opened": [],
        "answered": [
            {
                "id": "S-23",
                "question": "@jonas: do we need offline sync for this, or is online-only fine for a first version?",
                "owner": "jonas",
                "removed": False,
            }
        ],
    },
    "totals": {
        "before": {
            "open_stories": 18,
            "open_points": 79.0,
            "ready_stories": 8,
            "ready_points": 30.0,
            "capacity": 19.333333333333332,
            "runway_sprints": 1.5517241379310345,
            "candidates": 6,
            "candidate_points": 19.0,
        },
        "after": {
            "open_stories": 20,
            "open_points": 56.0,
            "ready_stories": 9,
            "ready_points": 35.0,
            "capacity": 19.333333333333332,
            "runway_sprints": 1.810344827586207,
            "candidates": 6,
            "candidate_points": 19.0,
        },
    },
    "unreadable": [],
    "titles": {
        "S-9": "Delete a recipe",
        "S-17": "Share a meal plan by link",
        "S-19": "Import a recipe from a web page",
        "S-23": "Share the shopping list within a household",
        "S-26": "Offline mode for the shopping list",
        "S-30": "Export the meal plan to a calendar",
        "S-34": "Offline ticks",
        "S-35": "Sync ticks when back online",
        "S-36": "Delete a recipe",
        "S-37": "Weekly digest email",
    },
}


def pinned(text: str, root: Path) -> str:
    return text.replace("BASE", git(root, "rev-parse", "--short=7", "main").strip())


def test_the_refinement_in_text_markdown_and_json(refined: Path, groom: Runner) -> None:
    text = groom("diff")
    assert text.code == 0, text
    assert text.out == pinned(TEXT, refined), text
    markdown = groom("diff", "--format", "markdown")
    assert markdown.code == 0, markdown
    assert markdown.out == pinned(MARKDOWN, refined), markdown
    document = groom("diff", "--format", "json")
    assert document.code == 0, document
    expected = json.loads(pinned(json.dumps(JSON), refined))
    expected["base"]["commit"] = git(refined, "rev-parse", "main").strip()
    assert document.json() == expected, document


def test_the_readme_shows_this_output() -> None:
    readme = (REPO / "README.md").read_text()
    shown = readme.split("$ groom diff\n", 1)[1].split("```", 1)[0]
    assert re.sub(r"main \([0-9a-f]{7}\)", "main (BASE)", shown) == TEXT
