"""``make mutate``'s summary: mutants killed per module, from ``mutmut results --all true``."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

LINE = re.compile(r"^\s*(?P<module>[\w.]+?)\.x[\w]*__mutmut_\d+: (?P<status>[\w ]+)$")


def main() -> None:
    mutmut = Path(sys.executable).parent / "mutmut"
    listing = subprocess.run(
        [str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=False
    ).stdout
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for line in listing.splitlines():
        match = LINE.match(line)
        if match:
            counts[match.group("module")][match.group("status").strip()] += 1
    print(f"{'module':<22} {'mutants':>8} {'killed':>7} {'survived':>9} {'no test':>8} {'other':>6} {'score':>6}")
    total: Counter[str] = Counter()
    for module in sorted(counts):
        row = counts[module]
        total.update(row)
        _line(module, row)
    _line("all", total)


def _line(name: str, row: Counter[str]) -> None:
    killed, survived, untested = row["killed"], row["survived"], row["no tests"]
    other = sum(row.values()) - killed - survived - untested
    scored = killed + survived + untested
    score = f"{100 * killed / scored:.0f}%" if scored else "-"
    print(f"{name:<22} {sum(row.values()):>8} {killed:>7} {survived:>9} {untested:>8} {other:>6} {score:>6}")


if __name__ == "__main__":
    main()
