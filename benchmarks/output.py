"""How a benchmark prints its result: one JSON line, or one aligned line per figure; and the
cells its markdown tables share."""

from __future__ import annotations

import json


def print_result(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28s} {value}")


def target_range_cells(report, keys) -> str:
    """The real target's mean and 10-90% range of each statistic in ``keys``, as table cells."""
    stats = report.realism.statistics
    return " | ".join(f"{stats[k].mean_target:.2f} ({stats[k].target_p10:.2f}-"
                      f"{stats[k].target_p90:.2f})" for k in keys)
