"""Design-table rows from run folders' report.json: one row per run folder (or sweep point), or
with ``--seeds`` one row per sweep point with each seed's value side by side (``a / b``), the
controls of the first report beneath. The rows of the design tables in docs/results.md.

    .venv/bin/python benchmarks/report_rows.py runs/donor_sweep_s0/*
    .venv/bin/python benchmarks/report_rows.py --seeds runs/donor_sweep2_s0 runs/donor_sweep2_s1

Columns: strength, content kept (normalised), each critic's two-sample accuracy, the
re-synthesis ceiling, bar repetition, how many statistics lie in the target's 10-90% range,
and how much is copied from the target's training pieces (bars, longest run, notes; for
series the closest ratio).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seqimg.evaluate.result import ControlScore, Report  # noqa: E402
from seqimg.evaluate.subjects import OUTPUTS, RESYNTHESISED, control_subject  # noqa: E402

COPYING = ("copied_share", "longest_copied_run", "copied_note_share", "closest_ratio")


def fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def transfer_cells(r: Report) -> list[str]:
    stats = r.realism.statistics
    inside = sum(s.inside_target_range for s in stats.values() if s.informative)
    repetition = stats.get("bar_repetition")
    return [fmt(r.transfer_strength),
            *(fmt(c.normalised) for c in r.content_similarity.values()),
            *(fmt(v) for v in r.critics.values()), fmt(r.first_critic(RESYNTHESISED)),
            fmt(repetition.mean_out if repetition else None),
            f"{inside} of {len(r.realism.informative)}",
            *(fmt(r.copying.get(OUTPUTS, {}).get(k)) for k in COPYING)]


def control_cells(r: Report, name: str, c: ControlScore) -> list[str]:
    critics, copied = r.accuracies(control_subject(name)), r.copying.get(control_subject(name), {})
    return [fmt(c.strength), *(fmt(v) for v in c.content.values()),
            *(fmt(critics.get(k)) for k in r.critics), "-",
            fmt(c.statistics.get("bar_repetition")), "-",
            *(fmt(copied.get(k)) for k in COPYING)]


def header(r: Report) -> list[str]:
    return ["design", "strength", *(f"{m} kept" for m in r.content_similarity),
            *(f"two-sample ({c})" for c in r.critics), "ceiling", "bar repetition",
            "statistics inside", "copied bars", "longest copied run", "copied notes",
            "closest ratio"]


def table(rows: list[list[str]], names: list[str]) -> str:
    lines = ["| " + " | ".join(names) + " |", "|" + " --- |" * len(names)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def joined(cells: list[list[str]]) -> list[str]:
    """Cells of several seeds, each ``a / b``."""
    return [" / ".join(column) for column in zip(*cells)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--seeds", action="store_true",
                        help="the folders are sweeps at different seeds: pair their points")
    args = parser.parse_args()
    if args.seeds:
        points = sorted(p.name for p in args.runs[0].iterdir() if (p / "report.json").is_file())
        reports = {p: [Report.load(sweep / p / "report.json") for sweep in args.runs
                       if (sweep / p / "report.json").is_file()] for p in points}
        whole = next(p for p in points if len(reports[p]) == len(args.runs))  # every seed
        first = reports[whole]
        rows = [[p, *joined([transfer_cells(r) for r in rs])] for p, rs in reports.items()]
        rows += [[f"control: {name}", *joined([control_cells(r, name, r.controls[name])
                                                for r in first])]
                 for name in first[0].controls]
        print(table(rows, header(first[0])))
        return
    reports = [(run, Report.load(run / "report.json")) for run in args.runs
               if (run / "report.json").is_file()]
    if not reports:
        raise SystemExit("no report.json in the folders given")
    first = reports[0][1]
    rows = [[f"{run.parent.name}/{run.name}", *transfer_cells(r)] for run, r in reports]
    rows += [[f"control: {name}", *control_cells(first, name, c)]
             for name, c in first.controls.items()]
    print(table(rows, header(first)))


if __name__ == "__main__":
    main()
