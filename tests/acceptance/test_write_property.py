"""A seeded property test of the write path: varied front matters × every kind of write, checking
that only the intended values change and every other byte stays (runs in a few seconds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groom import storyfile, yamlio
from tests.conftest import Project, Runner

TITLES = ("title: Plan the week", 'title: "Spike: compare sources"', "title: 'It''s done'", "title: Café # why")
RANKS = ('rank: "a5"', "rank: a5", "rank: 'a5'  # keep", 'rank:   "a5"')
ESTIMATES = ("", "estimate:", "estimate: 3", "estimate:   # none yet", "estimate: 5 # t-shirt M")
EXTRAS = {
    "labels": ("labels: [shopping, mobile]", "labels:\n  - shopping\n  - mobile", "labels:\n- shopping"),
    "#": ("# a comment the team keeps",),
    "": ("",),
    "team_field": ("team_field: keep me   # trailing",),
    "owner": ("owner: '@ana'",),
    "weird": ("weird:    spaced",),
    "note": ("note: >\n  folded\n  text",),
    "value": ("value: 8",),
    "flow": ("flow: {a: 1, b: [x, y]}",),
}
BODIES = ("", "As a cook I want a thing so that I get value.\n", "No final newline", "---\nnot front matter\n---\n")
COMMANDS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "estimate": (("estimate", "S-2", "8"), {"estimate": 8}),
    "top": (("reprioritize", "S-2", "--top"), {"rank": "Zz"}),
    "after": (("reprioritize", "S-2", "--after", "S-3"), {"rank": "a8"}),
    "split": (("split", "S-2", "--into", "One", "--into", "Two"), {"status": "split", "children": ["S-4", "S-5"]}),
    "renumber": (("renumber", "S-2", "--to", "S-9"), {"id": "S-9"}),
}


@st.composite
def front_matters(draw: st.DrawFn) -> tuple[bytes, str]:
    lines = ["id: S-2", draw(st.sampled_from(TITLES)), "status: refining"]
    lines.append(draw(st.sampled_from(RANKS)))
    estimate = draw(st.sampled_from(ESTIMATES))
    lines += [estimate] if estimate else []
    names = draw(st.lists(st.sampled_from(sorted(EXTRAS)), max_size=4, unique=True))
    for extra in (draw(st.sampled_from(EXTRAS[name])) for name in names):
        lines.insert(draw(st.integers(1, len(lines))), extra)
    newline = draw(st.sampled_from(("\n", "\r\n")))
    bom = draw(st.booleans())
    text = newline.join(["---", *"\n".join(lines).split("\n"), "---", draw(st.sampled_from(BODIES))])
    return ("\ufeff" if bom else "").encode() + text.encode(), draw(st.sampled_from(sorted(COMMANDS)))


def _without(front: str, keys: set[str]) -> list[str]:
    """The front matter's lines, less the entries of ``keys`` (from the key to the end of its value)."""
    kept = front
    for entry in sorted((e for e in yamlio.entries(front) if e.key in keys), key=lambda e: -e.key_start):
        line_start = kept.rfind("\n", 0, entry.key_start) + 1
        line_end = kept.find("\n", entry.value_end)
        kept = kept[:line_start] + kept[len(kept) if line_end < 0 else line_end + 1 :]
    return [line for line in kept.splitlines() if line.strip()]


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(front_matters())
def test_a_write_changes_only_what_it_means_to(
    tmp_path_factory: pytest.TempPathFactory, groom: Runner, monkeypatch: pytest.MonkeyPatch, case: tuple[bytes, str]
) -> None:
    raw, command = case
    root = tmp_path_factory.mktemp("write")
    project = Project(root)
    monkeypatch.chdir(root)
    project.story("S-1", status="refining", rank="a0")
    project.story("S-3", status="refining", rank="a7")
    path = project.write("S-2.md", raw)
    args, changes = COMMANDS[command]
    before = storyfile.split(raw)
    old = yamlio.load_mapping(before.front_matter)
    result = groom(*args)
    if result.code == 2 and "edit the file by hand" in result.err:
        assert path.read_bytes() == raw  # refused cleanly: nothing written
        return
    assert result.code == 0, (result, raw)
    after_path = path if path.exists() else next(Path(root, "backlog").glob("S-9*.md"))
    after_raw = after_path.read_bytes()
    after = storyfile.split(after_raw)
    assert storyfile.same(yamlio.load_mapping(after.front_matter), {**old, **changes}), (raw, after_raw)
    assert after.body == before.body and after.bom == before.bom and after.newline == before.newline
    assert _without(after.front_matter, set(changes)) == _without(before.front_matter, set(changes)), (raw, after_raw)
    framed = _frames(before.front_matter, set(changes))
    assert {k: v for k, v in _frames(after.front_matter, set(changes)).items() if k in framed} == framed, after_raw


def _frames(front: str, keys: set[str]) -> dict[str, tuple[str, str]]:
    """What surrounds each one-line scalar value of ``keys``: the text before it on its line (the
    key, its spacing) and after it (spacing, a comment). A write replaces the value, not these."""
    frames = {}
    for entry in yamlio.entries(front):
        if entry.key in keys and entry.kind == "scalar" and entry.value_start != entry.value_end:
            line_start = front.rfind("\n", 0, entry.value_start) + 1
            line_end = front.find("\n", entry.value_end)
            frames[entry.key] = (front[line_start : entry.value_start], front[entry.value_end : line_end])
    return frames
