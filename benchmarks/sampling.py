"""The transfer by sampling, measured: the diffusion method beside the DTN default on the same
held-out chorales, each row at several training seeds, the rule-made controls beneath.

    .venv/bin/python benchmarks/sampling.py --out runs/sampling [--only NAME ...] [--seeds 0 1 2]

Every row is a normal `seqimg run` with `--set` overrides (its command is in the table), so any
row can be reproduced alone; rows whose report exists are not run again. Every seed keeps the
first seed's held-out split (data.split_seed=0). Writes OUT/table.md from every report found.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from pathlib import Path

from output import target_range_cells

from seqimg.evaluate.result import Report
from seqimg.recipe import load_recipe
from seqimg.run import run

ROOT = Path(__file__).resolve().parents[1]
DTN = ROOT / "recipes" / "midi_genre.yaml"
DIFFUSION = ROOT / "recipes" / "midi_genre_diffusion.yaml"
SEEDS = (0, 1)

BASS_HARMONY = "method.views=[bass,harmony]"  # the first design; the recipe adds the melody
ROWS = {
    "dtn: editing G, views, match (the DTN default)": (DTN, []),
    "diffusion 1-D, last step drawn": (DIFFUSION, [BASS_HARMONY, "method.final_step=draw"]),
    "diffusion 1-D": (DIFFUSION, [BASS_HARMONY]),
    "diffusion fold": (DIFFUSION, [BASS_HARMONY, "method.network=fold"]),
    "diffusion 1-D, views per bar": (DIFFUSION, [BASS_HARMONY, "method.view_span=4"]),
    "diffusion 1-D, bass view only": (DIFFUSION, ["method.views=[bass]"]),
    "diffusion 1-D, melody view too (the recipe)": (DIFFUSION, []),
    "the recipe, trained 3x longer": (DIFFUSION, ["train.steps=4500"]),
}
STATISTICS = ("one_step_share", "distinct_pitches", "pitches_per_bar", "long_note_share",
              "bar_repetition", "note_density", "polyphony")
COLUMNS = ["design", "seeds", "strength", "round-trip id.", "chroma kept", "bar chroma kept",
           "contour kept", "two-sample", "ceiling two-sample", *STATISTICS, "stats inside",
           "minutes", "command"]


def spread(values: list[float], digits: int = 3) -> str:
    """Mean and the range over seeds, e.g. ``0.912 (0.90-0.93)``."""
    values = [v for v in values if v is not None]
    if not values:
        return ""
    mean = statistics.fmean(values)
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def design_row(name: str, recipe: Path, overrides: list[str], reports: list[Report],
               minutes: list[float]) -> str:
    """One design over its seeds: each measure's mean and range."""
    def content(key):
        return spread([r.content_similarity[key].normalised for r in reports], 2)

    def stat(key):
        return spread([r.realism.statistics[key].mean_out for r in reports], 2)

    inside = [len(r.realism.statistics) - len(r.realism.outside_target_range) for r in reports]
    sets = " ".join(f"--set {o}" for o in overrides)
    command = (f"seqimg run {recipe.relative_to(ROOT)} {sets} --set seed=S "
               "--set data.split_seed=0").replace("  ", " ")
    return "| " + " | ".join([
        name, str(len(reports)), spread([r.transfer_strength for r in reports]),
        spread([r.roundtrip_identity_strength for r in reports]), content("chroma"),
        content("bar_chroma"), content("contour"),
        spread([r.two_sample_accuracy for r in reports]),
        spread([r.two_sample_resynthesised_target for r in reports]),
        *(stat(k) for k in STATISTICS),
        " / ".join(f"{i}/{len(reports[0].realism.statistics)}" for i in inside),
        spread(minutes, 1), f"`{command}`"]) + " |"


def reference_rows(report: Report) -> list[str]:
    """The controls of one report, and real target's means with their 10-90% ranges."""
    stats = report.realism.statistics
    blank = " |" * 3
    rows = [f"| control: untransferred round trip | | {report.roundtrip_identity_strength:.3f} | "
            f"| (identity) | | | {report.two_sample_roundtrip_source:.3f} | | "
            + " | ".join(f"{stats[k].mean_source:.2f}" for k in STATISTICS) + f" |{blank}"]
    for name, control in report.controls.items():
        rows.append(f"| control: {name} | | {control.strength:.3f} | | "
                    f"{control.content['chroma']:.2f} | {control.content['bar_chroma']:.2f} | "
                    f"{control.content['contour']:.2f} | {control.two_sample:.3f} | | "
                    + " | ".join(f"{control.statistics.get(k, float('nan')):.2f}"
                                 for k in STATISTICS) + f" |{blank}")
    rows.append("| real target: mean (10-90% of pieces) | | | | | | | | | "
                + target_range_cells(report, STATISTICS) + f" |{blank}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "sampling")
    parser.add_argument("--only", nargs="*", default=None, help="design names to run")
    parser.add_argument("--seeds", nargs="*", type=int, default=list(SEEDS))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows, first = [], None
    for name, (recipe, overrides) in ROWS.items():
        reports, minutes = [], []
        for seed in args.seeds:
            sets = [*overrides, f"seed={seed}", "data.split_seed=0"]
            folder = args.out / ("".join(c if c.isalnum() else "_" for c in name) + f"_s{seed}")
            if not (folder / "report.json").exists():
                if args.only is not None and name not in args.only:
                    continue
                start = time.perf_counter()
                run(recipe, folder, sets, resume=(folder / "checkpoints" / "last.pt").exists())
                (folder / "wall_seconds.txt").write_text(f"{time.perf_counter() - start:.1f}\n")
            reports.append(Report.load(folder / "report.json"))
            minutes.append(float((folder / "wall_seconds.txt").read_text()) / 60)
            load_recipe(folder / "config.yaml")  # the folder's recipe still loads
        if reports:
            first = first or reports[0]
            rows.append(design_row(name, recipe, overrides, reports, minutes))
            print(rows[-1], flush=True)
    if first is not None:
        rows += reference_rows(first)
    header = "| " + " | ".join(COLUMNS) + " |\n|" + " --- |" * len(COLUMNS)
    (args.out / "table.md").write_text(header + "\n" + "\n".join(rows) + "\n")
    print(f"table: {args.out / 'table.md'}")


if __name__ == "__main__":
    main()
