"""``make bench``: wall time and peak memory of groom commands on generated backlogs.

Generates backlogs of 1,000 and 10,000 stories (16 front matter keys, ~30 body lines each)
in a temporary folder, runs each command as a fresh process (best of three runs), and
prints a table next to the floor: reading and splitting the files alone, and parsing their
front matter alone, in one process.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from groom import storyfile, yamlio

STATUSES = ("draft", "refining", "ready", "ready", "ready", "planned", "done", "done")
SCALE = (1, 2, 3, 5, 8, 13)

BODY = """As a planner I want story {n} to work so that the team can ship feature {n}.

Some context about the story: it touches the {area} area and was raised in the review of
sprint {sprint}. The details below are what the team agreed during refinement.

## Acceptance criteria
- [ ] Given a backlog, when I open story {n}, then I see its details
- [ ] Given a filter, when I apply it, then only matching stories are listed
- [ ] Given an error, when it happens, then a clear message is shown
- [x] Given a plan, when I print it, then it fits one page

## Notes
Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt
ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco
laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in
voluptate velit esse cillum dolore eu fugiat nulla pariatur.

- a note about the data model
- a note about the API
- a note about the user interface

## Questions
- [x] @ana: is this the right scope?
- [x] @bo: do we need a migration?

Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit
anim id est laborum. Sed ut perspiciatis unde omnis iste natus error sit voluptatem
accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore
veritatis et quasi architecto beatae vitae dicta sunt explicabo.
"""


def rank_key(index: int) -> str:
    """Evenly spread, sortable base-62 keys (the bench does not need fractional inserts)."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    a, b = divmod(index, 62)
    c, b = divmod(a, 62)
    return "a" + digits[c] + digits[b] + digits[index % 62]


def generate(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for n in range(1, count + 1):
        status = STATUSES[n % len(STATUSES)]
        deps = f"[S-{n - 1}]" if n > 1 and n % 5 == 0 else "[]"
        front = (
            f"id: S-{n}\n"
            f"title: Story number {n} about the {('search', 'export', 'sync')[n % 3]} feature\n"
            f"type: {'spike' if n % 50 == 0 else 'story'}\n"
            f"status: {status}\n"
            f"estimate: {SCALE[n % len(SCALE)]}\n"
            f"value: {n % 13 + 1}\n"
            f"time_criticality: {SCALE[(n * 7) % len(SCALE)]}\n"
            f"risk_reduction: {SCALE[(n * 3) % len(SCALE)]}\n"
            f'rank: "{rank_key(n)}"\n'
            f"depends_on: {deps}\n"
            f"labels: [backend, {('search', 'export', 'sync')[n % 3]}]\n"
            f"epic: epic-{n % 20}\n"
            f"sprint: 2026-{n % 30 + 1:02d}\n"
            f"timebox: 2d\n"
            f"owner: person{n % 7}\n"
            f"created: 2026-01-{n % 28 + 1:02d}\n"
            f"# a comment the team keeps\n"
            f"team_field: keep me\n"
            f"priority: {('low', 'medium', 'high')[n % 3]}\n"
        )
        area = ("search", "export", "sync")[n % 3]
        body = BODY.format(n=n, area=area, sprint=n % 30)
        (folder / f"S-{n}-story-{n}.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")


def run_command(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one run of a command, as a fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise Failed(f"bench: {' '.join(args)} exited {code}", code)
    return wall, usage.ru_maxrss / 1024


class Failed(SystemExit):
    """A command that did not answer; a baseline without the command says so with exit 2."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code


Measurement = tuple[float, float, float]
"""Best wall seconds, median wall seconds, peak resident MB."""


def best_of(runs: int, func: Callable[[], tuple[float, float]]) -> Measurement:
    results = [func() for _ in range(runs)]
    return summary(results)


def summary(results: list[tuple[float, float]]) -> Measurement:
    walls = [r[0] for r in results]
    return min(walls), statistics.median(walls), max(r[1] for r in results)


def calibration() -> tuple[float, float]:
    """A fixed pure-Python loop: how fast this machine is right now (VMs vary by the hour)."""
    start = time.perf_counter()
    total = 0
    for number in range(5_000_000):
        total += number
    return time.perf_counter() - start, 0.0


def floor_read(folder: Path) -> tuple[float, float]:
    start = time.perf_counter()
    for path in sorted(folder.glob("*.md")):
        storyfile.split(storyfile.read_regular(path).raw)
    return time.perf_counter() - start, 0.0


def floor_parse(folder: Path) -> tuple[float, float]:
    texts = [storyfile.split(path.read_bytes()).front_matter for path in sorted(folder.glob("*.md"))]
    start = time.perf_counter()
    for text in texts:
        yamlio.load_mapping(text)
    return time.perf_counter() - start, 0.0


@dataclass(frozen=True)
class Version:
    """One groom to time: this checkout, or a baseline revision checked out beside it."""

    name: str
    command: list[str]
    env: dict[str, str]

    def run(self, args: list[str], cwd: Path) -> tuple[float, float]:
        return run_command([*self.command, *args], cwd, self.env)


def _environment(**extra: str) -> dict[str, str]:
    """The environment commands run in: as a user's, with bytecode cached (a sandbox that sets
    PYTHONDONTWRITEBYTECODE would otherwise make every run compile groom from source), and as
    in CI (CI=1: the warm cache off unless a row asks for it with --cache, so the rows without
    it time the whole read, as CI and the baseline revisions run it)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "CI": "1", **extra}


def _compile(folder: Path) -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "groom")], check=True)


def baseline(revision: str, tmp: Path) -> Version:
    """``revision`` checked out in a temporary worktree, run with this environment's libraries."""
    folder = tmp / "baseline"
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(folder), revision], check=True)
    _compile(folder)
    return Version(revision, [sys.executable, "-m", "groom"], _environment(PYTHONPATH=str(folder)))


ROWS = (
    ("groom check", ["check"]),
    ("groom velocity", ["velocity"]),
    ("groom plan 2099-1 --dry-run", ["plan", "2099-1", "--dry-run"]),
    ("groom check --format json", ["check", "--format", "json"]),
    ("groom list", ["list"]),
    ("groom reprioritize --by wsjf --dry-run", ["reprioritize", "--by", "wsjf", "--dry-run"]),
    ("groom sprint-candidates", ["sprint-candidates"]),
    ("groom sprint-candidates --sprints 3", ["sprint-candidates", "--sprints", "3"]),
    ("groom report (html, 6 sprints forecast)", ["report", "--out", "report.html"]),
    ("groom report --format markdown", ["report", "--format", "markdown", "--out", "report.md"]),
)


def measure(versions: list[Version], runs: int, variants: list[list[str]], root: Path) -> list[Measurement]:
    """Runs of every version interleaved (so the machine's mood is shared); the variants
    alternate across all runs, so a write really writes every time."""
    results: list[list[tuple[float, float]]] = [[] for _ in versions]
    lacking: set[int] = set()
    turn = 0
    for _ in range(runs):
        for index, version in enumerate(versions):
            if index in lacking:
                continue
            try:
                results[index].append(version.run(variants[turn % len(variants)], root))
            except Failed as failed:
                if index == 0 or failed.exit_code != 2:
                    raise
                lacking.add(index)  # the baseline has no such command (or option): no ratio
            turn += 1
    return [summary(r) for index, r in enumerate(results) if index not in lacking]


def _git_in(root: Path) -> Callable[..., None]:
    """git in ``root`` as the bench's author."""
    env = _environment(
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="b@example.org",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="b@example.org",
    )

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)

    return git


def history(root: Path, commits: int) -> None:
    """A git history over the backlog: ``commits`` commits of ten stories each, every other one
    a reorder (only ``rank`` lines change), the rest body edits."""
    git = _git_in(root)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "start")
    files = sorted((root / "backlog").glob("*.md"))
    for number in range(commits):
        for offset in range(10):
            path = files[(number * 10 + offset) % len(files)]
            text = path.read_text(encoding="utf-8")
            if number % 2:
                text = (
                    text.replace('rank: "a', 'rank: "b', 1)
                    if 'rank: "a' in text
                    else text.replace('rank: "b', 'rank: "a', 1)
                )
            else:
                text += f"\nA note from commit {number}.\n"
            path.write_text(text, encoding="utf-8")
        git("commit", "-qam", f"change {number}")


DIFF_CHANGED = 50
"""Stories the second commit of ``two_commits`` changes."""


def two_commits(root: Path) -> None:
    """The backlog committed, then DIFF_CHANGED stories changed in a second commit, one change
    each in turn: an estimate, a value, a move to the top, a question reopened, a status."""
    git = _git_in(root)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "start")
    files = sorted((root / "backlog").glob("*.md"))
    step = len(files) // DIFF_CHANGED
    for number, path in enumerate(files[::step][:DIFF_CHANGED]):
        text = path.read_text(encoding="utf-8")
        kind = number % 5
        if kind == 0:
            text = text.replace("\nestimate: ", "\nestimate: 1", 1)
        elif kind == 1:
            text = text.replace("\nvalue: ", "\nvalue: 2", 1)
        elif kind == 2:
            text = text.replace('rank: "a', 'rank: "Z', 1)
        elif kind == 3:
            text = text.replace("- [x] @ana", "- [ ] @ana", 1)
        else:
            text = text.replace("\nstatus: ", "\nstatus: refining\nformer_status: ", 1)
        path.write_text(text, encoding="utf-8")
    git("commit", "-qam", "refinement")


def diff_rows(version: Version, runs: int, root: Path) -> list[tuple[str, list[Measurement]]]:
    """groom diff between two commits that differ in DIFF_CHANGED stories (both sides read from
    git objects), and from the first commit to the working tree. This checkout only: a baseline
    may not have the command."""
    two_commits(root)
    return [
        (
            f"groom diff HEAD~1 HEAD ({DIFF_CHANGED} stories differ)",
            measure([version], runs, [["diff", "HEAD~1", "HEAD"]], root),
        ),
        ("groom diff HEAD~1 (to the working tree)", measure([version], runs, [["diff", "HEAD~1"]], root)),
    ]


def cache_rows(version: Version, runs: int, root: Path, size: int) -> list[tuple[str, list[Measurement]]]:
    """The warm cache (issue 14) next to the uncached run (what CI runs): ``groom check`` cold
    (the cache removed before each run) as the user waits for it (the cache is written after
    the answer, by a detached writer the bench waits for between runs) and with the cache
    written before returning; warm (nothing changed since the last run), on three named files
    as pre-commit passes them, ``list``, ``sprint-candidates``, and a move."""
    import shutil

    folder = root / ".groom_cache"
    three = [f"backlog/S-{n}-story-{n}.md" for n in (1, size // 2, size)]
    middle = f"S-{size // 2}"
    foreground = replace(version, env={**version.env, "GROOM_CACHE_FOREGROUND": "1"})

    def cold() -> tuple[float, float]:
        shutil.rmtree(folder, ignore_errors=True)
        measured = version.run(["--cache", "check"], root)
        _await_cache(folder)
        _await_writers(root)  # the next run must not share the machine with the writer
        return measured

    turns = iter(range(1 << 30))

    def move() -> tuple[float, float]:
        # A move changes a file: the next run reads it again and leaves a writer behind.
        flag = ("--top", "--bottom")[next(turns) % 2]
        measured = version.run(["--cache", "reprioritize", middle, flag], root)
        _await_writers(root)
        return measured

    def cold_written() -> tuple[float, float]:
        shutil.rmtree(folder, ignore_errors=True)
        return foreground.run(["--cache", "check"], root)

    rows: list[tuple[str, list[Measurement]]] = [
        ("groom --no-cache check (as in CI)", measure([version], runs, [["--no-cache", "check"]], root)),
        ("groom check, cold: until it answers", [best_of(runs, cold)]),
        ("groom check, cold: cache written before exit", [best_of(runs, cold_written)]),
        ("groom check, warm (nothing changed)", measure([version], runs, [["--cache", "check"]], root)),
        ("groom --no-cache check 3 files", measure([version], runs, [["--no-cache", "check", *three]], root)),
        ("groom check 3 files, warm", measure([version], runs, [["--cache", "check", *three]], root)),
        ("groom --no-cache list", measure([version], runs, [["--no-cache", "list"]], root)),
        ("groom list, warm", measure([version], runs, [["--cache", "list"]], root)),
        ("groom --no-cache sprint-candidates", measure([version], runs, [["--no-cache", "sprint-candidates"]], root)),
        ("groom sprint-candidates, warm", measure([version], runs, [["--cache", "sprint-candidates"]], root)),
    ]
    rows.append((f"groom reprioritize {middle} top|bottom, warm", [best_of(runs, move)]))
    return rows


def _await_writers(root: Path, seconds: float = 900) -> None:
    """Wait until no cache writer groom left behind is still working in ``root`` (a writer is
    detached from the bench: it is found as a process whose working folder is ``root``)."""
    deadline = time.monotonic() + seconds
    while _working_in(root):
        if time.monotonic() > deadline:
            raise Failed(f"bench: a cache writer still runs in {root} after {seconds:.0f} s", 1)
        time.sleep(0.02)


def _working_in(root: Path) -> bool:
    processes = Path("/proc")
    if not processes.is_dir():  # no /proc: no detached writer either (it writes before exit)
        return False
    mine = str(root.resolve())
    for entry in processes.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if os.readlink(entry / "cwd") == mine:
                return True
        except OSError:  # gone, or not ours to look at
            continue
    return False


def _await_cache(folder: Path, seconds: float = 900) -> None:
    """Wait until the detached writer has put the cache file in place (one rename: whole)."""
    deadline = time.monotonic() + seconds
    while not any(folder.glob("backlog-*")):
        if time.monotonic() > deadline:
            raise Failed(f"bench: no cache file in {folder} {seconds:.0f} s after a cold run", 1)
        time.sleep(0.02)


def print_cache_size(root: Path, size: int) -> None:
    """What the cache takes on disk: the issue's bound is 2 KB a story."""
    files = list((root / ".groom_cache").glob("backlog-*"))
    total = sum(path.stat().st_size for path in files)
    text = f"cache on disk: {total / 1e6:,.1f} MB, {total / size:,.0f} bytes a story"
    print(f"{size:>8}  {text:<44}")


def print_page_sizes(root: Path, size: int) -> None:
    """The report pages the rows above wrote: they must stay light enough to open."""
    pages = [root / name for name in ("report.html", "report.md") if (root / name).exists()]
    if pages:
        sizes = ", ".join(f"{page.name} {page.stat().st_size / 1024:,.0f} KB" for page in pages)
        print(f"{size:>8}  {'page size: ' + sizes:<44}")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated backlog sizes")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement")
    parser.add_argument(
        "--baseline", metavar="REV", help="also time this git revision, interleaved, and print the ratio"
    )
    parser.add_argument(
        "--history", type=int, default=0, metavar="N", help="also time groom stale over N commits (1,000 stories)"
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="100,000 stories, 3 runs, only the floor and the cache rows (make bench-large)",
    )
    options = parser.parse_args()
    if options.large:
        options.sizes, options.runs = "100000", 3
    return options


def main() -> None:
    options = _options()
    _compile(Path(__file__).resolve().parent.parent)
    current = Version("this checkout", [sys.executable, "-m", "groom"], _environment())
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(f"best and median wall time of {options.runs} runs; peak resident memory of the groom process")
    with tempfile.TemporaryDirectory(prefix="groom-bench-") as tmp:
        versions = [current]
        if options.baseline:
            versions.append(baseline(options.baseline, Path(tmp)))
        extra = f"  {'base med':>8}  {'ratio':>6}" if len(versions) > 1 else ""
        print(f"{'stories':>8}  {'what':<44}  {'best s':>7}  {'median s':>8}  {'peak MB':>8}{extra}")

        def show(size: str, label: str, found: list[Measurement]) -> None:
            best, median, peak = found[0]
            shown_peak = f"{peak:>8.1f}" if peak else f"{'-':>8}"
            tail = ""
            if len(found) > 1:
                base = found[1][1]
                tail = f"  {base:>8.3f}  {median / base:>6.2f}"
            print(f"{size:>8}  {label:<44}  {best:>7.3f}  {median:>8.3f}  {shown_peak}{tail}")

        try:
            show("-", "calibration: 5M-step Python loop", [best_of(options.runs, calibration)])
            show("-", "groom --help", measure(versions, options.runs, [["--help"]], Path(tmp)))
            for size in (int(s) for s in options.sizes.split(",")):
                root = Path(tmp) / f"b{size}"
                generate(root / "backlog", size)
                folder = root / "backlog"
                show(
                    str(size),
                    "floor: read + split files (in-process)",
                    [best_of(options.runs, partial(floor_read, folder))],
                )
                show(
                    str(size),
                    "floor: parse front matter (in-process)",
                    [best_of(options.runs, partial(floor_parse, folder))],
                )
                for label, found in cache_rows(current, options.runs, root, size):
                    show(str(size), label, found)
                print_cache_size(root, size)
                if options.large:
                    continue
                for label, args in ROWS:
                    show(str(size), label, measure(versions, options.runs, [args], root))
                print_page_sizes(root, size)
                # Writes: each run changes the story again, so every run really writes one file.
                number = size // 2 + (1 - size // 2) % len(STATUSES)  # a "refining" story near the middle
                middle = f"S-{number}"
                for label, variants in (
                    (f"groom estimate {middle} 5|8 (one write)", [["estimate", middle, p] for p in ("5", "8")]),
                    (
                        f"groom reprioritize {middle} --top|--bottom",
                        [["reprioritize", middle, f] for f in ("--top", "--bottom")],
                    ),
                ):
                    show(str(size), label, measure(versions, options.runs, variants, root))
                for label, found in diff_rows(current, options.runs, root):
                    show(str(size), label, found)
            if options.history:
                root = Path(tmp) / "history"
                generate(root / "backlog", 1000)
                history(root, options.history)
                label = f"groom stale ({options.history} commits of 10 files)"
                show("1000", label, measure(versions, options.runs, [["stale"]], root))
        finally:
            if len(versions) > 1:
                subprocess.run(["git", "worktree", "remove", "--force", str(Path(tmp) / "baseline")], check=False)


if __name__ == "__main__":
    main()
