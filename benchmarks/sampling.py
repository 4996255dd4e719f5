"""The transfer by sampling, measured: the diffusion method beside the DTN on the same
held-out chorales, each row at several training seeds, the rule-made controls beneath, every
two-sample critic in its own column.

    .venv/bin/python benchmarks/sampling.py --out runs/sampling [--only NAME ...] [--seeds 0 1 2]

Every row is a normal `seqimg run` with `--set` overrides (its command is in the table), so any
row can be reproduced alone; a row that changes only transfer-time settings transfers again with
the weights of the row it names (`seqimg sweep` does the same), and rows whose report exists are
not run again. Every seed keeps the first seed's held-out split (data.split_seed=0). Writes
OUT/table.md from every report found.
"""

from __future__ import annotations

import time
from pathlib import Path

from output import row_folder, seeded_rows_arguments, spread, target_range_cells

from seqimg.evaluate.result import Report
from seqimg.evaluate.subjects import RESYNTHESISED
from seqimg.recipe import load_recipe
from seqimg.run import retransfer, run

ROOT = Path(__file__).resolve().parents[1]
DTN = ROOT / "recipes" / "midi_genre_dtn.yaml"
DIFFUSION = ROOT / "recipes" / "midi_genre_sampler.yaml"
PARTS = ROOT / "recipes" / "midi_genre_parts.yaml"
SEEDS = (0, 1)

BASS_HARMONY = "method.views=[bass,harmony]"  # the first design; the recipe adds the melody
RECIPE = "diffusion 1-D, melody view too (the recipe)"
PARTS_ROW = "parts layout"
SPANS = "method.train_view_spans=[1,2,4]"  # conditioning augmentation by pooling
POOLED = "the recipe, views pooled over 1, 2 or 4 beats in training"
# name: (recipe, overrides, the row whose weights a transfer-time row reuses)
ROWS = {
    "dtn: editing G, views, match (the DTN default)": (DTN, [], None),
    "diffusion 1-D, last step drawn": (DIFFUSION, [BASS_HARMONY, "method.final_step=draw"],
                                       None),
    "diffusion 1-D": (DIFFUSION, [BASS_HARMONY], None),
    "diffusion fold": (DIFFUSION, [BASS_HARMONY, "method.network=fold"], None),
    "diffusion 1-D, views per bar": (DIFFUSION, [BASS_HARMONY, "method.view_span=4"], None),
    "diffusion 1-D, bass view only": (DIFFUSION, ["method.views=[bass]"], None),
    RECIPE: (DIFFUSION, [], None),
    "the recipe, trained 3x longer": (DIFFUSION, ["train.steps=4500"], None),
    "the recipe, riffs of 2 bars": (DIFFUSION, ["method.riff_bars=2"], RECIPE),
    POOLED: (DIFFUSION, [SPANS], None),
    "views pooled in training, per half bar at transfer": (DIFFUSION,
                                                           [SPANS, "method.view_span=2"], POOLED),
    "views pooled in training, per bar at transfer": (DIFFUSION, [SPANS, "method.view_span=4"],
                                                      POOLED),
    PARTS_ROW: (PARTS, [], None),
    "parts, lead kept": (PARTS, ["method.keep=[lead]"], PARTS_ROW),
    "parts, riffs of 2 bars": (PARTS, ["method.riff_bars=2"], PARTS_ROW),
    "parts, lead kept, riffs of 2 bars": (PARTS, ["method.keep=[lead]", "method.riff_bars=2"],
                                          PARTS_ROW),
}
CRITICS = ("cnn", "statistics")
STATISTICS = ("one_step_share", "distinct_pitches", "pitches_per_bar", "long_note_share",
              "bar_repetition", "note_density", "polyphony")
COLUMNS = ["design", "seeds", "strength", "round-trip id.", "chroma kept", "bar chroma kept",
           "contour kept", *(f"two-sample ({c})" for c in CRITICS), "ceiling two-sample (cnn)",
           *STATISTICS, "stats inside", "minutes", "command"]


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
        *(spread([r.critics.get(c) for r in reports]) for c in CRITICS),
        spread([r.first_critic(RESYNTHESISED) for r in reports]),
        *(stat(k) for k in STATISTICS),
        " / ".join(f"{i}/{len(reports[0].realism.statistics)}" for i in inside),
        spread(minutes, 1), f"`{command}`"]) + " |"


def reference_rows(report: Report) -> list[str]:
    """The controls of one report, and real target's means with their 10-90% ranges."""
    stats = report.realism.statistics
    blank = " |" * 3
    rivals = report.rival_critics()

    def critics(name: str) -> str:
        return " | ".join(f"{rivals[name][c]:.3f}" if c in rivals[name] else "" for c in CRITICS)

    rows = [f"| control: untransferred round trip | | {report.roundtrip_identity_strength:.3f} | "
            f"| (identity) | | | {critics('the untransferred round trip')} | | "
            + " | ".join(f"{stats[k].mean_source:.2f}" for k in STATISTICS) + f" |{blank}"]
    for name, control in report.controls.items():
        rows.append(f"| control: {name} | | {control.strength:.3f} | | "
                    f"{control.content['chroma']:.2f} | {control.content['bar_chroma']:.2f} | "
                    f"{control.content['contour']:.2f} | {critics(name)} | | "
                    + " | ".join(f"{control.statistics.get(k, float('nan')):.2f}"
                                 for k in STATISTICS) + f" |{blank}")
    rows.append("| real target: mean (10-90% of pieces) | | | | | | | " + "| " * (len(CRITICS) + 1)
                + target_range_cells(report, STATISTICS) + f" |{blank}")
    return rows


def main() -> None:
    args = seeded_rows_arguments(__doc__, ROOT / "runs" / "sampling", "design names to run", SEEDS)
    rows, first = [], None
    for name, (recipe, overrides, base) in ROWS.items():
        reports, minutes = [], []
        for seed in args.seeds:
            sets = [*overrides, f"seed={seed}", "data.split_seed=0"]
            folder = row_folder(args.out, name, seed)
            if not (folder / "report.json").exists():
                if args.only is not None and name not in args.only:
                    continue
                start = time.perf_counter()
                if base is not None:  # the base row's weights, transferred again
                    retransfer(recipe, folder, sets, row_folder(args.out, base, seed))
                else:
                    run(recipe, folder, sets,
                        resume=(folder / "checkpoints" / "last.pt").exists())
                (folder / "wall_seconds.txt").write_text(f"{time.perf_counter() - start:.1f}\n")
            reports.append(Report.load(folder / "report.json"))
            minutes.append(float((folder / "wall_seconds.txt").read_text()) / 60)
            load_recipe(folder / "config.yaml", written=True)  # the folder's recipe still loads
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
