"""groom diff: a base commit and a branch that does every kind of change, read from git."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, Project, Runner, story_text

QUESTION_BODY = """As a cook I want a thing so that I get value.

## Acceptance criteria
- [ ] Given a thing, when I do it, then it works

## Questions
- [{tick}] @po: which columns?
"""


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ana",
        "GIT_AUTHOR_EMAIL": "ana@example.com",
        "GIT_COMMITTER_NAME": "Ana",
        "GIT_COMMITTER_EMAIL": "ana@example.com",
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


RANKS = "0123456789ABCDEF"
BROKEN = "did not find expected ',' or ']': this [ list ] is not closed on its line; add the ']' (or quote an item)"


def base_backlog(project: Project) -> None:
    """Twelve open stories S-1..S-12 in order (ranks a0..aB), a split candidate, a planned
    story, and two done stories that give a velocity of 6.5."""
    for number in range(1, 13):
        project.story(f"S-{number}", rank=f"a{RANKS[number - 1]}", estimate=3, value=5)
    project.write(
        "S-2.md",
        story_text("S-2", status="refining", rank="a1", estimate=3, value=5, body=QUESTION_BODY.format(tick=" ")),
    )
    project.story("S-13", status="planned", rank="aC", estimate=3, value=5, sprint=3)
    project.story("S-20", status="refining", rank="aD", estimate=20, value=8, title="Households share a list")
    project.story("S-14", status="done", rank="Z0", estimate=5, sprint=1)
    project.story("S-15", status="done", rank="Z1", estimate=8, sprint=2)


def refine_on_branch(project: Project) -> None:
    """The branch: one change of every kind, committed; then an untracked story."""
    root, backlog = project.root, project.backlog
    # split S-20 into S-24 and S-25
    project.story("S-20", status="split", rank="aD", estimate=20, value=8, title="Households share a list")
    project.story("S-24", status="draft", rank="aD1", parent="S-20", title="Invite")
    project.story("S-25", status="draft", rank="aD2", parent="S-20", title="Same list")
    # renumber S-5 to S-30 (file renamed with its id), rename S-3's file
    (backlog / "S-5.md").unlink()
    project.write("S-30-renumbered.md", story_text("S-30", title="Story S-5", rank="a4", estimate=3, value=5))
    git(root, "mv", "backlog/S-3.md", "backlog/S-3-better-name.md")
    # move S-12 from 12th to 1st, across ten stories (S-7 is removed, S-5 renumbered)
    project.story("S-12", rank="Zz", estimate=3, value=5)
    # S-2 answers its question and is ready; S-4 re-estimated; S-13's final estimate changed
    project.write(
        "S-2.md", story_text("S-2", status="ready", rank="a1", estimate=3, value=5, body=QUESTION_BODY.format(tick="x"))
    )
    project.story("S-4", rank="a3", estimate=5, value=5)
    project.story("S-13", status="planned", rank="aC", estimate=5, value=5, sprint=3)
    # S-6's value; S-7 removed; S-8 dropped; S-9 unreadable; S-10 opens a question; S-11 loses its value
    project.story("S-6", rank="a5", estimate=3, value=8)
    (backlog / "S-7.md").unlink()
    project.story("S-8", status="dropped", rank="a7", estimate=3, value=5)
    project.write("S-9.md", "---\nid: S-9\ntitle: [unclosed\n---\n")
    project.write(
        "S-10.md",
        story_text("S-10", rank="a9", estimate=3, value=5, body=QUESTION_BODY.format(tick=" ").replace("@po", "@ana")),
    )
    project.story("S-11", rank="aA", estimate=3, value=None)
    project.story("S-21", status="draft", rank="aE", title="A new idea")
    commit(project.root, "refinement")
    # not committed: a new story counts, an ignored one does not
    project.story("S-22", status="draft", rank="aF", title="Not yet added to git")
    (root / ".gitignore").write_text("backlog/scratch-*.md\n")
    project.story("S-23", name="scratch-S-23.md", status="draft", rank="aG", title="Ignored")


@pytest.fixture
def repository(project: Project) -> Project:
    git(project.root, "init", "-q", "-b", "main")
    base_backlog(project)
    commit(project.root, "base")
    git(project.root, "checkout", "-qb", "refine")
    refine_on_branch(project)
    return project


TEXT = """\
groom diff: merge base with main (BASE) → working tree

Added
  S-21  A new idea
  S-22  Not yet added to git

Dropped
  S-8  Story S-8

Split
  S-20  Households share a list  split into S-24 Invite, S-25 Same list (20 points no longer counted)

Renumbered
  S-5 → S-30  Story S-5

Renamed
  S-3  Story S-3  backlog/S-3.md → backlog/S-3-better-name.md

Removed
  S-7  Story S-7  backlog/S-7.md is gone

Estimates
  S-4   Story S-4   3 → 5
  S-13  Story S-13  3 → 5 (a final estimate: the story was planned)

Values
  S-6   Story S-6   5 → 8
  S-11  Story S-11  5 → none

Status
  S-2  Story S-2  refining → ready

Now meet the Definition of Ready
  S-2  Story S-2  lacked: no-open-questions (1 open question, first: @po: which columns?)

No longer meet the Definition of Ready
  S-10  Story S-10  lacks: no-open-questions (1 open question, first: @ana: which columns?)
  S-11  Story S-11  lacks: value (missing key value)

Moved (place among the open stories)
  S-12  Story S-12  12th → 1st

Top 10
  S-12  Story S-12  entered the top 10 (was 12th)
  S-11  Story S-11  entered the top 10 (was 11th)
  S-13  Story S-13  entered the top 10 (was 13th)
  S-7   Story S-7   left the top 10 (removed)
  S-8   Story S-8   left the top 10 (now dropped)
  S-9   Story S-9   left the top 10 (its file cannot be read)

Sprint candidates at 6.5 points
  S-12  Story S-12  entered (was 12th)
  S-3   Story S-3   left (now 4th)

Questions opened
  S-10  Story S-10  @ana: which columns?

Questions answered
  S-2  Story S-2  @po: which columns?

Totals (before → after)
  open stories        14 → 14
  open points         59 → 34
  ready stories       11 → 7
  ready points        33 → 23
  ready runway       5.1 → 3.5 sprints (at 6.5 points a sprint)
  sprint candidates    6 → 6 points (2 → 2 stories)

Could not be read (what changed in them is not in this report)
  head: backlog/S-9.md:3:8: cannot be read: {broken}
"""

MARKDOWN = """\
### Backlog changes

merge base with main (BASE) → working tree

**Added**

- **S-21** A new idea
- **S-22** Not yet added to git

**Dropped**

- **S-8** Story S-8

**Split**

- **S-20** Households share a list: split into S-24 Invite, S-25 Same list (20 points no longer counted)

**Renumbered**

- **S-5 → S-30** Story S-5

**Renamed**

- **S-3** Story S-3: backlog/S-3.md → backlog/S-3-better-name.md

**Removed**

- **S-7** Story S-7: backlog/S-7.md is gone

**Estimates**

- **S-4** Story S-4: 3 → 5
- **S-13** Story S-13: 3 → 5 (a final estimate: the story was planned)

**Values**

- **S-6** Story S-6: 5 → 8
- **S-11** Story S-11: 5 → none

**Status**

- **S-2** Story S-2: refining → ready

**Now meet the Definition of Ready**

- **S-2** Story S-2: lacked: no-open-questions (1 open question, first: @po: which columns?)

**No longer meet the Definition of Ready**

- **S-10** Story S-10: lacks: no-open-questions (1 open question, first: @ana: which columns?)
- **S-11** Story S-11: lacks: value (missing key value)

**Moved (place among the open stories)**

- **S-12** Story S-12: 12th → 1st

**Top 10**

- **S-12** Story S-12: entered the top 10 (was 12th)
- **S-11** Story S-11: entered the top 10 (was 11th)
- **S-13** Story S-13: entered the top 10 (was 13th)
- **S-7** Story S-7: left the top 10 (removed)
- **S-8** Story S-8: left the top 10 (now dropped)
- **S-9** Story S-9: left the top 10 (its file cannot be read)

**Sprint candidates at 6.5 points**

- **S-12** Story S-12: entered (was 12th)
- **S-3** Story S-3: left (now 4th)

**Questions opened**

- **S-10** Story S-10: @ana: which columns?

**Questions answered**

- **S-2** Story S-2: @po: which columns?

| totals | before | after | |
|---|---:|---:|---|
| open stories | 14 | 14 |  |
| open points | 59 | 34 |  |
| ready stories | 11 | 7 |  |
| ready points | 33 | 23 |  |
| ready runway | 5.1 | 3.5 | sprints (at 6.5 points a sprint) |
| sprint candidates | 6 | 6 | points (2 → 2 stories) |

**Could not be read** (what changed in them is not in this report)

- head: backlog/S-9.md:3:8: cannot be read: {broken}
"""

JSON = {
    "base": {"name": "merge base with main (BASE)", "commit": "BASE-COMMIT"},
    "head": {"name": "working tree", "commit": None},
    "added": ["S-21", "S-22"],
    "dropped": ["S-8"],
    "split": [{"id": "S-20", "children": ["S-24", "S-25"], "points": 20.0}],
    "renumbered": [{"old": "S-5", "new": "S-30"}],
    "renamed": [{"id": "S-3", "old": "backlog/S-3.md", "new": "backlog/S-3-better-name.md"}],
    "removed": ["S-7"],
    "finished": [],
    "estimates": [{"id": "S-4", "old": 3, "new": 5, "final": False}, {"id": "S-13", "old": 3, "new": 5, "final": True}],
    "values": [{"id": "S-6", "old": 5, "new": 8}, {"id": "S-11", "old": 5, "new": None}],
    "status": [{"id": "S-2", "old": "refining", "new": "ready"}],
    "ready": {
        "became": ["S-2"],
        "lost": ["S-10", "S-11"],
        "gaps": {
            "S-2": [{"rule": "no-open-questions", "detail": "1 open question, first: @po: which columns?"}],
            "S-10": [{"rule": "no-open-questions", "detail": "1 open question, first: @ana: which columns?"}],
            "S-11": [{"rule": "value", "detail": "missing key value"}],
        },
    },
    "moved": [{"id": "S-12", "old_position": 12, "new_position": 1}],
    "top": {
        "n": 10,
        "entered": ["S-12", "S-11", "S-13"],
        "left": ["S-7", "S-8", "S-9"],
        "positions": {
            "S-12": {"old": 12, "new": 1},
            "S-11": {"old": 11, "new": 9},
            "S-13": {"old": 13, "new": 10},
            "S-7": {"old": 7, "new": None},
            "S-8": {"old": 8, "new": None},
            "S-9": {"old": 9, "new": None},
        },
        "reasons": {"S-7": "removed", "S-8": "now dropped", "S-9": "its file cannot be read"},
    },
    "candidates": {
        "capacity": 6.5,
        "capacity_source": "mean velocity of the last 2 sprint(s) (1: 5, 2: 8; from done stories)",
        "entered": ["S-12"],
        "left": ["S-3"],
        "positions": {"S-12": {"old": 12, "new": 1}, "S-3": {"old": 3, "new": 4}},
        "reasons": {},
    },
    "questions": {
        "opened": [{"id": "S-10", "question": "@ana: which columns?", "owner": "ana"}],
        "answered": [{"id": "S-2", "question": "@po: which columns?", "owner": "po", "removed": False}],
    },
    "totals": {
        "before": {
            "open_stories": 14,
            "open_points": 59.0,
            "ready_stories": 11,
            "ready_points": 33.0,
            "capacity": 6.5,
            "runway_sprints": 5.076923076923077,
            "candidates": 2,
            "candidate_points": 6.0,
        },
        "after": {
            "open_stories": 14,
            "open_points": 34.0,
            "ready_stories": 7,
            "ready_points": 23.0,
            "capacity": 6.5,
            "runway_sprints": 3.5384615384615383,
            "candidates": 2,
            "candidate_points": 6.0,
        },
    },
    "unreadable": [{"side": "head", "path": "backlog/S-9.md", "line": 3, "column": 8, "message": BROKEN}],
    "titles": {
        "S-2": "Story S-2",
        "S-3": "Story S-3",
        "S-4": "Story S-4",
        "S-5": "Story S-5",
        "S-6": "Story S-6",
        "S-7": "Story S-7",
        "S-8": "Story S-8",
        "S-9": "Story S-9",
        "S-10": "Story S-10",
        "S-11": "Story S-11",
        "S-12": "Story S-12",
        "S-13": "Story S-13",
        "S-20": "Households share a list",
        "S-21": "A new idea",
        "S-22": "Not yet added to git",
        "S-24": "Invite",
        "S-25": "Same list",
        "S-30": "Story S-5",
    },
}


def pinned(text: str, root: Path, broken: str = BROKEN) -> str:
    """The pinned output with this run's base commit."""
    base = git(root, "rev-parse", "--short=7", "main").strip()
    return text.replace("BASE", base).replace("{broken}", broken)


def test_every_kind_of_change_in_text(repository: Project, groom: Runner) -> None:
    result = groom("diff")
    assert result.code == 1, result  # a story file cannot be read
    assert result.out == pinned(TEXT, repository.root), result
    assert result.err.splitlines() == [f"backlog/S-9.md:3:8: cannot be read (head): {BROKEN}"], result


def test_every_kind_of_change_in_markdown(repository: Project, groom: Runner) -> None:
    result = groom("diff", "--format", "markdown")
    assert result.code == 1, result
    escaped = BROKEN.replace("[", "\\[").replace("]", "\\]")
    assert result.out == pinned(MARKDOWN, repository.root, escaped), result


def test_every_kind_of_change_in_json(repository: Project, groom: Runner) -> None:
    result = groom("diff", "--format", "json")
    assert result.code == 1, result
    expected = json.loads(pinned(json.dumps(JSON), repository.root))
    expected["base"]["commit"] = git(repository.root, "rev-parse", "main").strip()
    assert result.json() == expected, result


def test_two_commits_leave_the_working_tree_out(repository: Project, groom: Runner) -> None:
    (repository.backlog / "S-1.md").write_text(story_text("S-1", rank="a0", estimate=8, value=5))  # not committed
    result = groom("diff", "main", "refine", "--format", "json")
    assert result.code == 1, result
    document = result.json()
    head = git(repository.root, "rev-parse", "refine").strip()
    assert document["head"] == {"name": f"refine ({head[:7]})", "commit": head}
    assert document["added"] == ["S-21"]  # S-22 is not committed
    assert [e["id"] for e in document["estimates"]] == ["S-4", "S-13"]  # S-1's edit is not committed
    assert [u["path"] for u in document["unreadable"]] == ["backlog/S-9.md"]


def test_a_story_without_an_id_that_moves_is_no_crash(project: Project, groom: Runner) -> None:
    """A story whose id is null cannot be followed between two commits: it is left out of the
    moves instead of ending the diff with an internal error (exit 3, as it once did)."""
    git(project.root, "init", "-q", "-b", "main")
    project.story("S-2", status="draft", rank="a2")
    project.write("nameless.md", '---\nid: ~\ntitle: Nameless\nstatus: draft\nrank: "a3"\n---\nbody\n')
    commit(project.root, "base")
    project.write("nameless.md", '---\nid: ~\ntitle: Nameless\nstatus: draft\nrank: "a1"\n---\nbody\n')
    result = groom("diff", "main")
    assert result.code in (0, 1) and "internal error" not in result.err, result
    assert "No story changed." in result.out


def test_uncommitted_edits_count_and_the_default_base_is_the_merge_base(repository: Project, groom: Runner) -> None:
    root = repository.root
    git(root, "checkout", "-q", "main")
    repository.story("S-40", status="draft", rank="b0", title="Only on main, after the branch")
    commit(root, "main moves on")
    git(root, "checkout", "-q", "refine")
    (repository.backlog / "S-1.md").write_text(story_text("S-1", rank="a0", estimate=8, value=5))
    document = groom("diff", "--format", "json").json()
    merge_base = git(root, "merge-base", "main", "refine").strip()
    assert document["base"] == {"name": f"merge base with main ({merge_base[:7]})", "commit": merge_base}
    assert "S-40" not in document["removed"]
    assert document["estimates"][0] == {"id": "S-1", "old": 3, "new": 8, "final": False}


def test_each_side_is_judged_by_its_own_groom_toml_and_schemas(project: Project, groom: Runner) -> None:
    root = project.root
    schemas = root / "schemas"
    schemas.mkdir()
    ready = json.loads((REPO / "schemas" / "ready.schema.json").read_text())
    (schemas / "ready.schema.json").write_text(json.dumps(ready))
    (root / "groom.toml").write_text(
        'backlog = "backlog"\n[schemas]\nready = "schemas/ready.schema.json"\n'
        "[estimate]\nmax_story_points = 8\n[sprint]\ncapacity = 20\n"
    )
    project.story("S-1", rank="a0", estimate=13, value=5)  # too big under the base's groom.toml
    project.story("S-2", rank="a1", estimate=3, value=None)  # no value: the base's DoR asks for one
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    (root / "groom.toml").write_text((root / "groom.toml").read_text().replace("= 8", "= 13"))
    ready["allOf"] = [item for item in ready["allOf"] if item.get("title") != "value"]
    (schemas / "ready.schema.json").write_text(json.dumps(ready))
    commit(root, "the team relaxes its DoR")
    result = groom("diff", "HEAD~1", "HEAD")
    assert result.code == 0, result
    section = result.out.split("Now meet the Definition of Ready\n")[1].split("\n\n")[0]
    assert section.splitlines() == [
        "  S-1  Story S-1  lacked: small-enough (estimate is 13; expected at most 8)",
        "  S-2  Story S-2  lacked: value (missing key value)",
    ], result
    # With no change at all, nothing is listed; the working tree is read with today's rules.
    same = groom("diff", "HEAD")
    assert same.code == 0, same
    assert same.out.split("\n\n")[1] == "No story changed.", same


def test_a_story_file_that_cannot_be_read_at_base_is_listed(repository: Project, groom: Runner) -> None:
    result = groom("diff", "refine", "main", "--format", "json")
    assert result.code == 1, result
    document = result.json()
    assert [(u["side"], u["path"]) for u in document["unreadable"]] == [("base", "backlog/S-9.md")]
    assert "S-9" not in document["added"], result  # what its file holds cannot be told
    assert result.err.startswith("backlog/S-9.md:3:8: cannot be read (base): "), result


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "groom: error: BASE 'nope' names no commit in this repository; give a branch, tag or commit"),
        (["main", "--", "-x"], "groom: error: HEAD '-x' names no commit in this repository"),
        (["--format", "csv"], "groom: error: --format csv is not available here; use text or markdown or json"),
        (["--top", "0"], "groom: error: Invalid value for '--top'"),
    ],
)
def test_usage_errors_are_one_line(repository: Project, groom: Runner, args: list[str], message: str) -> None:
    result = groom("diff", *args)
    assert result.code == 2, result
    assert result.out == "", result
    assert len(result.err.splitlines()) == 1 and result.err.startswith(message), result


def test_outside_git_and_without_a_default_branch(project: Project, groom: Runner) -> None:
    project.story("S-1")
    outside = groom("diff")
    assert outside.code == 2, outside
    assert outside.err == "groom: error: groom diff compares versions kept in git: run it inside a git repository\n"
    git(project.root, "init", "-q", "-b", "trunk")
    commit(project.root, "start")
    nobase = groom("diff")
    assert nobase.code == 2, nobase
    assert nobase.err == (
        "groom: error: no default branch to compare with (no origin/HEAD, main or master): give BASE, e.g. "
        "groom diff origin/develop\n"
    )
    assert groom("diff", "trunk").code == 0


def test_a_commit_holds_the_same_stories_as_the_folder_it_was_made_from(project: Project) -> None:
    from groom import backlog, config
    from groom import git as git_module

    root = project.root
    (root / "groom.toml").write_text('exclude = ["README.md", "archive", "docs/*.md"]\n')
    for name in ("S-1.md", "sub/S-2.md", "README.md", "archive/S-3.md", "docs/S-4.md", "sub/docs/S-5.md"):
        project.story(name.rsplit("/", 1)[-1].removesuffix(".md"), name=name)
    for name in (".drafts/S-6.md", ".S-7.md", "notes.txt"):
        project.write(name, "not a story")
    (project.backlog / "S-8.md").symlink_to("S-1.md")
    git(root, "init", "-q", "-b", "main")
    commit(root, "all")
    settings = config.load(root)
    on_disk = backlog.discover(settings)
    entries = git_module.tree(root, "HEAD", "backlog")
    listed = backlog.discover_listing(settings, [(f"{root}/{e.path}", e.mode) for e in entries])
    assert (listed.files, listed.refused, listed.excluded) == (on_disk.files, on_disk.refused, on_disk.excluded)
    assert [Path(f).name for f in listed.files] == ["S-1.md", "S-2.md", "S-5.md"]
    assert [Path(f).name for f, _ in listed.refused] == ["S-8.md"]


def test_a_broken_groom_toml_in_base_is_named_with_its_version(project: Project, groom: Runner) -> None:
    root = project.root
    (root / "groom.toml").write_text("scale = [1, 2]\n")  # not a key (it is estimate.scale)
    project.story("S-1")
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    (root / "groom.toml").write_text("")
    commit(root, "fixed")
    result = groom("diff", "HEAD~1")
    assert result.code == 2, result
    short = git(root, "rev-parse", "--short=7", "HEAD~1").strip()
    assert result.err == (
        f"groom: error: {root}/groom.toml: unknown key 'scale'; see the groom.toml that 'groom init' writes for the "
        f"keys (in the version of HEAD~1 ({short}))\n"
    ), result
