"""The pairs beyond the MIDI roll measured: the DTN and the sampler side by side on each
time-series pair and on the audio-feature pair, every row at several training seeds on one
held-out split, the controls beneath each pair, both two-sample critics in their own columns.

    .venv/bin/python benchmarks/series_pairs.py --out runs/series [--only PAIR ...] [--seeds 0 1]

Every row is a normal `seqimg run` of a shipped recipe (its command is in the table), so any
row can be reproduced alone; rows whose report exists are not run again. Every seed keeps the
first seed's held-out split (data.split_seed=0). Writes OUT/table.md from every report found and
copies two example plots of each pair's sampler row to OUT/figures.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from output import row_folder, seeded_rows_arguments, spread

from seqimg.evaluate.result import Report
from seqimg.evaluate.subjects import RESYNTHESISED
from seqimg.run import run

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "recipes"
SEEDS = (0, 1)
# pair: the stem of its DTN recipe; the sampler's is the pair's stem with _diffusion
PAIRS = {
    "ItalyPowerDemand winter -> summer": "italypower_winter_to_summer_dtn",
    "GunPoint gun -> point": "gunpoint_gun_to_point",
    "BasicMotions walking -> running": "motion_walk_to_run_dtn",
    "Audio (log-mel) classical -> metal": "audio_genre",
}
# the pair's own classifier (ROCKET on series, the CNN on audio), then the statistics critic
CRITICS = ("classifier", "statistics")
COLUMNS = ["pair", "design", "seeds", "classifier acc.", "strength", "identity (round trip)",
           "correlation kept", "two-sample (the pair's classifier)", "two-sample (statistics)",
           "ceiling two-sample (classifier)", "minutes", "command"]


def critic(accuracies: dict[str, float], name: str) -> float | None:
    """One critic's two-sample accuracy; 'classifier' is the first, the pair's own."""
    if name == "classifier":
        return next(iter(accuracies.values()), None)
    return accuracies.get(name)


def designs(stem: str) -> list[tuple[str, Path]]:
    """A pair's rows: the DTN's recipe, then the sampler's."""
    return [("DTN", RECIPES / f"{stem}.yaml"),
            ("sampler (the recipe)", RECIPES / f"{stem.removesuffix('_dtn')}_diffusion.yaml")]


def design_row(pair: str, name: str, recipe: Path, reports: list[Report],
               minutes: list[float]) -> str:
    """One design over its seeds: each measure's mean and range."""
    command = (f"seqimg run {recipe.relative_to(ROOT)} --set seed=S "
               "--set data.split_seed=0")
    return "| " + " | ".join([
        pair, name, str(len(reports)), spread([r.classifier_accuracy for r in reports]),
        spread([r.transfer_strength for r in reports]),
        spread([r.roundtrip_identity_strength for r in reports]),
        spread([r.content_similarity["correlation"].normalised for r in reports], 2),
        *(spread([critic(r.critics, c) for r in reports]) for c in CRITICS),
        spread([r.first_critic(RESYNTHESISED) for r in reports]),
        spread(minutes, 1), f"`{command}`"]) + " |"


def control_rows(pair: str, report: Report) -> list[str]:
    """The controls of one report: the untransferred round trip and each rule-made control."""
    rivals = report.rival_critics()

    def critics(name: str) -> str:
        values = (critic(rivals[name], c) for c in CRITICS)
        return " | ".join("" if v is None else f"{v:.3f}" for v in values)

    rows = [f"| {pair} | control: untransferred | | | {report.roundtrip_identity_strength:.3f} "
            f"| | (identity) | {critics('the untransferred round trip')} | | | |"]
    for name, control in report.controls.items():
        rows.append(f"| {pair} | control: {name} | | | {control.strength:.3f} | | "
                    f"{control.content['correlation']:.2f} | {critics(name)} | | | |")
    return rows


def measured(folder: Path, recipe: Path, seed: int) -> float:
    """Run one row at ``seed`` into ``folder`` unless its report exists; its wall minutes."""
    if not (folder / "report.json").exists():
        start = time.perf_counter()
        run(recipe, folder, [f"seed={seed}", "data.split_seed=0"],
            resume=(folder / "checkpoints" / "last.pt").exists())
        (folder / "wall_seconds.txt").write_text(f"{time.perf_counter() - start:.1f}\n")
    return float((folder / "wall_seconds.txt").read_text()) / 60


def copy_examples(folder: Path, out: Path, pair: str) -> None:
    """Two of the run's before/after plots, named after the pair."""
    stem = "".join(c if c.isalnum() else "_" for c in pair.split(" ")[0]).lower()
    out.mkdir(parents=True, exist_ok=True)
    for plot in sorted((folder / "figures").glob("piece_*.png"))[:2]:
        shutil.copyfile(plot, out / f"{stem}_{plot.name}")


def main() -> None:
    args = seeded_rows_arguments(__doc__, ROOT / "runs" / "series", "pairs to run", SEEDS)
    rows = []
    for pair, stem in PAIRS.items():
        if args.only is not None and pair.split(" ")[0] not in args.only:
            continue
        first = None
        for name, recipe in designs(stem):
            folders = [row_folder(args.out, f"{pair} {name}", seed) for seed in args.seeds]
            minutes = [measured(f, recipe, s) for f, s in zip(folders, args.seeds)]
            reports = [Report.load(f / "report.json") for f in folders]
            if first is None or not first.controls:  # the controls of the first that has any
                first = reports[0]
            rows.append(design_row(pair, name, recipe, reports, minutes))
            print(rows[-1], flush=True)
        rows += control_rows(pair, first)
        copy_examples(folders[0], args.out / "figures", pair)
    header = "| " + " | ".join(COLUMNS) + " |\n|" + " --- |" * len(COLUMNS)
    (args.out / "table.md").write_text(header + "\n" + "\n".join(rows) + "\n")
    print(f"table: {args.out / 'table.md'}")


if __name__ == "__main__":
    main()
