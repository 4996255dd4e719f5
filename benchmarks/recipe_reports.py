"""Run every shipped recipe on a small budget (30 steps, 24 files a side, a short classifier),
one at a time, each into OUT/<recipe>: a batch of reports to compare with compare_reports.py.

    .venv/bin/python benchmarks/recipe_reports.py --out runs/reports_before
    ... change the code ...
    .venv/bin/python benchmarks/recipe_reports.py --out runs/reports_after
    .venv/bin/python benchmarks/compare_reports.py runs/reports_before runs/reports_after \
        audio_genre gunpoint_gun_to_point midi_genre midi_genre_dtn midi_genre_pianoroll \
        midi_genre_seed midi_to_audio_genre motion_walk_to_run

CPU runs are deterministic, so a change meant to keep behaviour must leave every report equal
to the digit. A recipe whose report exists is not run again.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

RECIPES = sorted(Path(__file__).resolve().parents[1].joinpath("recipes").glob("*.yaml"))
SMALL = ["train.steps=30", "train.checkpoint_every=15", "data.max_files=24",
         "evaluate.classifier_steps=40", "evaluate.render_audio=false"]


def run_all(out: Path, names: list[str] | None = None) -> None:
    """``seqimg run`` of every recipe (or those ``names``) with the small settings, one at a
    time."""
    for recipe in [r for r in RECIPES if not names or r.stem in names]:
        folder = out / recipe.stem
        if (folder / "report.json").is_file():
            continue
        command = [sys.executable, "-m", "seqimg", "run", str(recipe), "--out", str(folder)]
        for setting in SMALL:
            command += ["--set", setting]
        print(recipe.stem, flush=True)
        subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--recipes", nargs="*", help="recipe names (default: every one)")
    args = parser.parse_args()
    run_all(args.out, args.recipes)


if __name__ == "__main__":
    main()
