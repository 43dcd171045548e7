"""ready's dependency graph against a plain search: which stories are on a cycle (property
tests; hypothesis imports as it goes, so this module is not under test_ready's no_disk)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_ready import integrity, plain


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(1, 8), st.lists(st.integers(1, 10), max_size=3), min_size=1))
def test_the_stories_found_on_cycles_are_those_that_can_reach_themselves(edges: dict[int, list[int]]) -> None:
    """Against a plain search: a story is on a cycle exactly when following depends_on from it
    (to stories of the backlog; 9 and 10 are not) leads back to it."""
    stories = [plain(f"S-{a}", f"depends_on: [{', '.join(f'S-{b}' for b in deps)}]\n") for a, deps in edges.items()]

    def reaches_itself(start: int) -> bool:
        seen: set[int] = set()
        todo = [b for b in edges[start] if b in edges]
        while todo:
            node = todo.pop()
            if node == start:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(b for b in edges[node] if b in edges)
        return False

    on_cycles = {f[0] for f in integrity(*stories) if f[3] == "dependency-cycle"}
    assert on_cycles == {f"backlog/S-{a}.md" for a in edges if reaches_itself(a)}
