"""Our splitter agrees with python-frontmatter where that library is right, and says more
where it silently returns nothing."""

from __future__ import annotations

import frontmatter
import pytest

from groom import storyfile, yamlio
from groom.errors import FrontMatterError
from tests.conftest import EXAMPLES, REPO

WELL_FORMED = sorted((REPO / "backlog").glob("S-*.md")) + [
    p for p in sorted((EXAMPLES / "lossless").glob("*.md")) if p.name not in ("anchors.md",)
]


@pytest.mark.parametrize("path", WELL_FORMED, ids=[p.name for p in WELL_FORMED])
def test_same_metadata_and_body_as_python_frontmatter(path: object) -> None:
    raw = path.read_bytes()  # type: ignore[attr-defined]
    layout = storyfile.split(raw)
    post = frontmatter.loads(raw.decode("utf-8"))
    ours = yamlio.load_mapping(layout.front_matter)
    theirs = {k: (str(v) if k in ("created", "sprint") else v) for k, v in post.metadata.items()}
    assert {k: (str(v) if k in ("created", "sprint") else v) for k, v in ours.items()} == theirs
    assert layout.body.strip() == post.content.strip()


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf---\nid: S-1\n---\nbody\n",
    ],
)
def test_where_python_frontmatter_is_silent_we_are_not(raw: bytes) -> None:
    assert frontmatter.loads(raw.decode("utf-8")).metadata == {}
    assert yamlio.load_mapping(storyfile.split(raw).front_matter) == {"id": "S-1"}


def test_unclosed_front_matter_is_an_error_not_empty_metadata() -> None:
    raw = b"---\nid: S-1\ntitle: x\n"
    assert frontmatter.loads(raw.decode()).metadata == {}
    with pytest.raises(FrontMatterError, match="not closed"):
        storyfile.split(raw)
