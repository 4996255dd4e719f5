"""One markdown table row per run folder (or sweep point) from its report.json, with the
controls of the first report beneath: the rows of a design table in docs/results.md.

    .venv/bin/python benchmarks/report_rows.py runs/donor_sweep_s0/* runs/donor_sweep_s1/*

Columns: strength, content kept (normalised), each critic's two-sample accuracy, the
re-synthesis ceiling, bar repetition, how many statistics lie in the target's 10-90% range,
and how much is copied from the target's training pieces.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seqimg.evaluate.result import Report  # noqa: E402


def fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def copied(values: dict) -> str:
    keys = ("copied_share", "longest_copied_run", "copied_note_share")
    return " / ".join(fmt(values.get(k)) for k in keys)


def transfer_row(label: str, r: Report) -> list[str]:
    content = " / ".join(fmt(c.normalised) for c in r.content_similarity.values())
    stats = r.realism.statistics
    inside = sum(s.inside_target_range for s in stats.values() if s.informative)
    repetition = stats.get("bar_repetition")
    return [label, fmt(r.transfer_strength), content,
            *(fmt(v) for v in r.critics.values()), fmt(r.two_sample_resynthesised_target),
            fmt(repetition.mean_out if repetition else None),
            f"{inside}/{len(r.realism.informative)}", copied(r.copying)]


def control_rows(r: Report) -> list[list[str]]:
    rows = []
    for name, c in r.controls.items():
        critics = r.rival_critics()[name]
        rows.append([f"control: {name}", fmt(c.strength),
                     " / ".join(fmt(v) for v in c.content.values()),
                     *(fmt(critics.get(k)) for k in r.critics), "-",
                     fmt(c.statistics.get("bar_repetition")), "-", copied(c.copying)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+")
    args = parser.parse_args()
    reports = [(run, Report.load(run / "report.json")) for run in args.runs
               if (run / "report.json").is_file()]
    if not reports:
        raise SystemExit("no report.json in the folders given")
    first = reports[0][1]
    content = " / ".join(first.content_similarity)
    header = ["design", "strength", f"kept ({content})", *first.critics, "ceiling",
              "bar repetition", "stats inside", "copied bars / longest run / notes"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    rows = [transfer_row(f"{run.parent.name}/{run.name}", r) for run, r in reports]
    rows += control_rows(first)
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
