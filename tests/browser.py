"""Headless Chromium (Debian's ``chromium``) for the report's browser test and ``make report``.

Every run starts a fresh profile with the network closed: a proxy that is nowhere, every host
name resolving to nothing, no background networking. ``load`` returns the rendered DOM, what the
page wrote to the console and the hosts it asked for (from Chromium's own network log);
``probe`` loads a copy of the page with a small script added that writes the laid-out size of
every section and chart into the DOM (the page itself has no script: its Content-Security-Policy
forbids them); ``screenshot`` writes a PNG.

``python -m tests.browser PAGE.html PNG`` screenshots the whole page (``make report``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

WIDTH = 1280
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
CHROMIUM_OWN = re.compile(r"(^|\.)(google\.com|gstatic\.com|googleapis\.com)$|^~notfound$")
"""Hosts Chromium asks for by itself, whatever the page (time, accounts): not the page's."""

PROBE = """<script>
(function () {
  function box(element) {
    var r = element.getBoundingClientRect();
    return {width: Math.round(r.width), height: Math.round(r.height)};
  }
  var found = {sections: {}, charts: {}};
  document.querySelectorAll("section[id]").forEach(function (s) { found.sections[s.id] = box(s); });
  document.querySelectorAll("svg.chart").forEach(function (s) { found.charts[s.id] = box(s); });
  found.height = document.documentElement.scrollHeight;
  found.resources = performance.getEntriesByType("resource").length;
  var out = document.createElement("pre");
  out.id = "groom-probe";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
})();
</script>"""


def chromium() -> str | None:
    return shutil.which("chromium")


@dataclass(frozen=True)
class Loaded:
    dom: str
    console: list[str]
    """Every console line the page caused (a CSP violation, an error): a script-less page has none."""
    hosts: set[str]
    """Hosts the browser asked for, less Chromium's own."""


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    binary = chromium()
    if binary is None:
        raise RuntimeError("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="groom-chromium-") as profile:
        return subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def load(page: Path) -> Loaded:
    with tempfile.TemporaryDirectory(prefix="groom-netlog-") as folder:
        netlog = Path(folder) / "net.json"
        done = _run(["--enable-logging=stderr", "--v=0", f"--log-net-log={netlog}", "--dump-dom", page.as_uri()])
        log = netlog.read_text(encoding="utf-8", errors="replace") if netlog.exists() else ""
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    hosts = {host for host in re.findall(r"\bhttps?://([A-Za-z0-9.~-]+)", log) if not CHROMIUM_OWN.search(host)}
    return Loaded(done.stdout, console, hosts)


def probe(page: Path) -> dict[str, object]:
    """Sizes as laid out at WIDTH pixels: {"sections": {id: {width, height}}, "charts": {...},
    "height": page height, "resources": resources loaded}."""
    text = page.read_text(encoding="utf-8")
    # The probe's copy only: allow this one inline script.
    text = text.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';", 1)
    text = text.replace("</body>", PROBE + "</body>", 1)
    with tempfile.TemporaryDirectory(prefix="groom-probe-") as folder:
        copy = Path(folder) / page.name
        copy.write_text(text, encoding="utf-8")
        done = _run([f"--window-size={WIDTH},1000", "--dump-dom", copy.as_uri()])
    match = re.search(r'<pre id="groom-probe">(.*?)</pre>', done.stdout, re.S)
    if match is None:
        raise RuntimeError(f"the probe did not run: {done.stderr[-500:]}")
    found: dict[str, object] = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    return found


def screenshot(page: Path, png: Path, height: int) -> None:
    done = _run([f"--window-size={WIDTH},{height}", f"--screenshot={png}", page.as_uri()])
    if not png.exists():
        raise RuntimeError(f"no screenshot: {done.stderr[-500:]}")


def main() -> None:
    page, png = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    height = probe(page)["height"]
    assert isinstance(height, int)
    screenshot(page, png, height)
    print(f"{png}: {WIDTH} x {height} pixels")


if __name__ == "__main__":
    main()
