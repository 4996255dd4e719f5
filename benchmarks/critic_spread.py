"""How much a critic's verdict moves with its own seed, on fixed outputs: each critic of a run's
recipe trained again at several seeds on the same transferred pieces and on each control, so
that "below a control" can be told from the critics' own spread.

    .venv/bin/python benchmarks/critic_spread.py RUN_FOLDER --seeds 0 1 2 3 4

Prints, per critic, the two-sample accuracy of the outputs and of each control at every seed,
their median and range, and at how many seeds the outputs are below each control. The run's
report is left as it is.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from seqimg.evaluate.critics import critic_fits
from seqimg.evaluate.pipeline import control_pieces, gather_pieces
from seqimg.evaluate.two_sample import two_sample_critics
from seqimg.pipeline import load_transfer
from seqimg.recipe import load_recipe


def accuracies(run: Path, seeds: list[int]) -> dict[str, dict[str, list[float]]]:
    """``{critic: {'outputs' or control name: [accuracy at each seed]}}``."""
    recipe = load_recipe(run / "config.yaml", written=True)
    cfg, window = recipe.evaluate, recipe.evaluate.window
    pair = load_transfer(run / "checkpoints" / "last.pt")
    pieces = gather_pieces(run, recipe, pair, {})
    samples = {"outputs": pieces.outputs.values,
               **{name: control_pieces(name, pair.target, pieces).values
                  for name in cfg.controls}}
    out: dict[str, dict[str, list[float]]] = {}
    for seed in seeds:
        fits = critic_fits(cfg.critics, pair.target, seed, 1, cfg.classifier_steps)
        for name, values in samples.items():
            tests = two_sample_critics(values, pieces.all_target.values, window, fits)
            for critic, test in tests.items():
                out.setdefault(critic, {}).setdefault(name, []).append(test.accuracy)
    return out


def table(found: dict[str, dict[str, list[float]]], seeds: list[int]) -> str:
    """One row per critic and sample: each seed's accuracy, median and range, and for
    controls the seeds at which the outputs are below them."""
    lines = ["| critic | sample | " + " | ".join(f"seed {s}" for s in seeds)
             + " | median | range | outputs below it |",
             "| --- | --- | " + " | ".join("---" for _ in seeds) + " | --- | --- | --- |"]
    for critic, samples in found.items():
        outputs = np.array(samples["outputs"])
        for name, values in samples.items():
            below = ("-" if name == "outputs"
                     else f"{int((outputs < np.array(values)).sum())} of {len(seeds)}")
            lines.append(f"| {critic} | {name} | " + " | ".join(f"{v:.3f}" for v in values)
                         + f" | {np.median(values):.3f} | {min(values):.3f}-{max(values):.3f}"
                         + f" | {below} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    print(table(accuracies(args.run, args.seeds), args.seeds))


if __name__ == "__main__":
    main()
