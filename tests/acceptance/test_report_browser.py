"""groom report in a real browser: headless Chromium with the network closed renders the
example's page; no console message, no request to any host, every section and chart laid out
with a size, and a screenshot that is not blank.

Needs Debian's chromium (apt-get install -y chromium); without it the test is skipped, unless
GROOM_REQUIRE_BROWSER is set (.ci/run sets it after installing chromium), when it fails."""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests import browser, png
from tests.acceptance.test_report import SECTIONS
from tests.conftest import REPO, Runner

CHARTS = ("chart-velocity", "chart-burnup", "chart-epics")
MISSING = "chromium not found: apt-get install -y chromium to run the browser test"

if browser.chromium() is None and not os.environ.get("GROOM_REQUIRE_BROWSER"):
    pytest.skip(MISSING, allow_module_level=True)  # one line for the whole file


@pytest.fixture(scope="module")
def chromium() -> str:
    found = browser.chromium()
    if found is None:
        pytest.fail(MISSING + " (GROOM_REQUIRE_BROWSER is set, so it is required)")
    return found


@pytest.fixture
def page(chromium: str, groom: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    out = tmp_path / "report.html"
    result = groom("report", "--out", str(out))
    assert result.code == 0, result
    return out


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.found[value] = tag


def test_the_page_renders_offline_without_an_error_or_a_request(page: Path) -> None:
    loaded = browser.load(page)
    assert loaded.console == []
    assert loaded.hosts == set()
    elements = Elements()
    elements.feed(loaded.dom)
    assert {name: elements.found.get(name) for name in (*SECTIONS, *CHARTS)} == {
        **dict.fromkeys(SECTIONS, "section"),
        **dict.fromkeys(CHARTS, "svg"),
    }


def test_the_browser_check_sees_a_request_and_a_console_message(chromium: str, tmp_path: Path) -> None:
    """The check above can fail: a page that asks a host for an image and writes to the console."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><img src="http://cdn.example.org/x.png"><script>console.error("x")</script>')
    loaded = browser.load(bad)
    assert "cdn.example.org" in loaded.hosts
    assert any('"x"' in line for line in loaded.console)
    guarded = tmp_path / "guarded.html"
    guarded.write_text(
        '<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        '<img src="http://cdn.example.org/x.png">'
    )
    assert any("Content Security Policy" in line for line in browser.load(guarded).console)


def test_every_section_and_chart_has_a_size(page: Path) -> None:
    sizes = browser.probe(page)
    assert sizes["resources"] == 0
    sections = sizes["sections"]
    charts = sizes["charts"]
    assert isinstance(sections, dict) and isinstance(charts, dict)
    assert sorted(sections) == sorted(SECTIONS)
    assert sorted(charts) == sorted(CHARTS)
    for name, box in {**sections, **charts}.items():
        assert box["width"] > 300 and box["height"] > 100, (name, box)
    # the charts use the width of the page on a 1280-pixel projector
    assert all(box["width"] >= 1000 for box in charts.values()), charts


def test_the_screenshot_is_not_blank(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    browser.screenshot(page, shot, 720)
    image = png.decode(shot.read_bytes())
    assert (image.width, image.height) == (browser.WIDTH, 720)
    pixels = [image.pixel(x, y) for y in range(0, image.height, 4) for x in range(0, image.width, 4)]
    inked = sum(1 for p in pixels if min(p) < 200) / len(pixels)
    assert inked > 0.04, inked
    assert len(set(pixels)) > 30
    blue = sum(1 for r, g, b in pixels if b > 150 and r < 60)  # the headline cards' blue edge
    assert blue > 50
