"""Which of the target codec's statistics tell a run's outputs from real target: for each
statistic, how well it alone separates the outputs' windows from every real target window (the
area under the ROC curve, folded so that 0.5 is no separation and 1 a perfect one), with both
means and the standardised difference. What the statistics critic's trees can read, one
statistic at a time: where a design fails that critic, this says what to change.

    .venv/bin/python benchmarks/telling_statistics.py runs/parts46/donor_lead_s2 [--window 64]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from seqimg.evaluate.classifier import frame_windows
from seqimg.evaluate.critics import StatisticsCritic
from seqimg.evaluate.pipeline import gather_pieces
from seqimg.pipeline import load_transfer
from seqimg.recipe import load_recipe
from seqimg.runfiles import RunFolder


def separations(outputs: list[dict], real: list[dict]) -> list[tuple[float, str, float, float,
                                                                    float]]:
    """(folded AUC, statistic, outputs' mean, real mean, standardised difference) of every
    statistic both sides have in five windows or more, the most telling first."""
    rows = []
    for key in sorted(set().union(*outputs, *real)):
        a = np.array([s[key] for s in outputs if key in s], dtype=np.float64)
        b = np.array([s[key] for s in real if key in s], dtype=np.float64)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        if min(len(a), len(b)) < 5:
            continue
        auc = roc_auc_score(np.r_[np.ones(len(a)), np.zeros(len(b))], np.r_[a, b])
        pooled = np.sqrt((a.var() + b.var()) / 2) or 1.0
        rows.append((max(auc, 1 - auc), key, a.mean(), b.mean(), (a.mean() - b.mean()) / pooled))
    return sorted(rows, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--window", type=int, default=64, help="steps a window (the critics')")
    args = parser.parse_args()
    folder = RunFolder(args.run)
    recipe, pair = load_recipe(folder.config, written=True), load_transfer(folder.checkpoint)
    pieces = gather_pieces(args.run, recipe, pair, {})
    critic = StatisticsCritic(pair.target, 0)
    outputs, real = (critic.table(frame_windows(side.values, args.window)[0])
                     for side in (pieces.outputs, pieces.all_target))
    print("| statistic | AUC alone | outputs | real target | difference (sd) |")
    print("| --- | --- | --- | --- | --- |")
    for auc, key, mine, theirs, d in separations(outputs, real):
        print(f"| {key} | {auc:.3f} | {mine:.3f} | {theirs:.3f} | {d:+.2f} |")


if __name__ == "__main__":
    main()
