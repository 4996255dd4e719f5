"""How a benchmark prints its result: one JSON line, or one aligned line per figure; and the
cells its markdown tables share."""

from __future__ import annotations

import argparse
import json
import logging
import statistics
from pathlib import Path


def print_result(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28s} {value}")


def median_cell(test) -> str:
    """A two-sample test's median over critic seeds with their range, e.g. ``0.652
    (0.645-0.660)``; the accuracy alone for one seed."""
    low, high = test.range
    return f"{test.accuracy:.3f} ({low:.3f}-{high:.3f})" if len(test.seeds) > 1 else \
        f"{test.accuracy:.3f}"


def target_range_cells(report, keys) -> str:
    """The real target's mean and 10-90% range of each statistic in ``keys``, as table cells."""
    stats = report.realism.statistics
    return " | ".join(f"{stats[k].mean_target:.2f} ({stats[k].target_p10:.2f}-"
                      f"{stats[k].target_p90:.2f})" for k in keys)


def spread(values: list[float], digits: int = 3) -> str:
    """Mean and the range over seeds, e.g. ``0.912 (0.90-0.93)``."""
    values = [v for v in values if v is not None]
    if not values:
        return ""
    mean = statistics.fmean(values)
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def row_folder(out: Path, name: str, seed: int) -> Path:
    """Where a row's run at ``seed`` lives."""
    return out / ("".join(c if c.isalnum() else "_" for c in name) + f"_s{seed}")


def seeded_rows_arguments(doc: str, out: Path, only: str, seeds: tuple[int, ...]):
    """The command line of a benchmark of rows at several seeds (--out, --only, --seeds),
    parsed, with logging to the console."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--only", nargs="*", default=None, help=only)
    parser.add_argument("--seeds", nargs="*", type=int, default=list(seeds))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return args
