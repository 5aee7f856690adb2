"""How the test suite's time splits between end-to-end tests (tests/e2e/) and the rest.

Reads pytest's `--durations=0` report (setup, call and teardown of every test, summed per test), and prints
the sums beside the target: end-to-end tests under 60% of the suite's time. The sum is the time the tests
took, whatever the number of workers; divide by the workers for a rough wall time.

    python -m pytest -q -p no:cacheprovider --durations=0 > durations.txt
    python benchmarks/suite_split.py durations.txt [--top 15]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

LINE = re.compile(r"^\s*(?P<seconds>[\d.]+)s (?P<phase>setup|call|teardown)\s+(?P<node>\S+)")
TARGET_SHARE = 0.60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="pytest output with --durations=0")
    parser.add_argument("--top", type=int, default=15, help="how many of the slowest files to list")
    args = parser.parse_args()

    by_kind: Counter[str] = Counter()
    by_phase: Counter[tuple[str, str]] = Counter()
    by_file: Counter[str] = Counter()
    for line in args.report.read_text(encoding="utf-8", errors="replace").splitlines():
        found = LINE.match(line)
        if not found:
            continue
        seconds, path = float(found["seconds"]), found["node"].split("::")[0]
        kind = "e2e" if path.startswith("tests/e2e/") else "other"
        by_kind[kind] += seconds
        by_phase[(kind, found["phase"])] += seconds
        by_file[path] += seconds

    total = sum(by_kind.values())
    if not total:
        raise SystemExit(f"no --durations=0 lines in {args.report}")
    share = by_kind["e2e"] / total
    verdict = "met" if share < TARGET_SHARE else "NOT met"
    print(f"tests' time: {total:.1f} s; end-to-end {by_kind['e2e']:.1f} s, other {by_kind['other']:.1f} s")
    print(f"end-to-end share: {share:.0%} (target: under {TARGET_SHARE:.0%}: {verdict})")
    for kind in ("e2e", "other"):
        phases = ", ".join(f"{phase} {by_phase[(kind, phase)]:.1f} s" for phase in ("setup", "call", "teardown"))
        print(f"  {kind}: {phases}")
    print(f"slowest {args.top} files:")
    for path, seconds in by_file.most_common(args.top):
        print(f"  {seconds:7.1f} s  {path}")


if __name__ == "__main__":
    main()
