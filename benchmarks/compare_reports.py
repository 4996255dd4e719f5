"""Compare the report.json of runs value by value: has a change moved any measured number?

    .venv/bin/python benchmarks/compare_reports.py RUNS_A RUNS_B NAME [NAME ...] [--rtol R]

compares RUNS_A/NAME/report.json with RUNS_B/NAME/report.json for every NAME, prints how many
values each holds and every value that differs (NaN equals NaN), and exits 1 if any differs.
With ``--rtol R`` two numbers within R of each other, relatively, are counted apart as rounding
(float32 sums taken in another order) and do not fail the comparison.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path


def leaves(value, prefix: str = ""):
    """(dotted key, value) for every non-mapping value inside a report."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from leaves(inner, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, value


def same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a)
                      and math.isnan(b))


def rounding(a, b, rtol: float) -> bool:
    """Whether two numbers differ by no more than ``rtol`` of the larger."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
    return numbers and abs(a - b) <= rtol * max(abs(a), abs(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs_a", type=Path)
    parser.add_argument("runs_b", type=Path)
    parser.add_argument("names", nargs="+")
    parser.add_argument("--rtol", type=float, default=0.0)
    args = parser.parse_args()
    changed = False
    for name in args.names:
        a, b = (dict(leaves(json.loads((root / name / "report.json").read_text())))
                for root in (args.runs_a, args.runs_b))
        diffs = [key for key in sorted(a.keys() | b.keys()) if not same(a.get(key), b.get(key))]
        rounded = [key for key in diffs if rounding(a.get(key), b.get(key), args.rtol)]
        moved = [key for key in diffs if key not in rounded]
        print(f"{name}: {len(a)} values, {len(moved)} differ"
              + (f", {len(rounded)} more by rounding only" if rounded else ""))
        for key in moved:
            print(f"    {key}: {a.get(key)!r} -> {b.get(key)!r}")
        changed |= bool(moved)
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
