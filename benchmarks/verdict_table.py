"""One table of a batch of run folders (``benchmarks/recipe_reports.py --out DIR``): per recipe and
critic, the outputs' median two-sample accuracy over critic seeds with its range, the floor, the
test's size and p-value, the verdict's level, the outputs' copying beside real held-out target's,
and for series the bridges to the literature.

    .venv/bin/python benchmarks/verdict_table.py runs/reports_after
"""

from __future__ import annotations

import argparse
from pathlib import Path

from output import median_cell

from seqimg.evaluate.result import Report
from seqimg.evaluate.subjects import BASELINE, FLOOR, OUTPUTS
from seqimg.evaluate.verdict import verdict

COPYING = ("copied_note_share", "closest_ratio", "copied_share")  # the first each report has


def copying_cell(r: Report) -> str:
    """The outputs' first copying measure beside the baseline's."""
    mine, base = r.copying.get(OUTPUTS, {}), r.copying.get(BASELINE, {})
    key = next((k for k in COPYING if k in mine), None)
    if key is None:
        return "-"
    return f"{key.replace('_', ' ')} {mine[key]:.2f} (real {base.get(key, float('nan')):.2f})"


def rows(report: Report, name: str) -> list[str]:
    """One row per critic of the outputs' tests."""
    level = verdict(report).level
    floor = report.tests.get(FLOOR, {})
    bridges = ", ".join(f"{k} {v:.3g}" for k, v in report.bridges.items()) or "-"
    return [f"| {name} | {critic} | {median_cell(test)} | "
            f"{median_cell(floor[critic]) if critic in floor else '-'} | {test.n} | "
            f"{test.p:.2g} | {level} | {copying_cell(report)} | {bridges} |"
            for critic, test in report.tests.get(OUTPUTS, {}).items()]


def table(batch: Path) -> str:
    lines = ["| recipe | critic | outputs: median (range) | floor | n | p | level | copying "
             "(real held-out) | bridges |", "|" + " --- |" * 9]
    for folder in sorted(p for p in batch.iterdir() if (p / "report.json").is_file()):
        lines += rows(Report.load(folder / "report.json"), folder.name)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("batch", type=Path)
    print(table(parser.parse_args().batch))


if __name__ == "__main__":
    main()
