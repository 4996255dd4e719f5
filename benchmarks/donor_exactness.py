"""How close the donor method's pruned choice comes to the exact pass over every state, on the
held-out source pieces of runs: how many pieces get the same donors, and what the pruned path
costs beside the exact one under the exact pass's own objective (its use penalty included).

    .venv/bin/python benchmarks/donor_exactness.py RUN [RUN ...] [--candidates 64 256]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from seqimg.methods.donor.choice import path_cost, penalised
from seqimg.pipeline import load_transfer


def piece_paths(method, notes: np.ndarray, length: int, k: int) -> tuple[np.ndarray, ...]:
    """The state costs of a piece, the predecessors the choice moves by, and its first and
    chosen paths with ``k`` candidates."""
    wanted, _, floors = method.bar_plan(notes, length)
    return method.passes(wanted, method.library.previous(method.bar), floors, k)


def exact_objective(costs, first: np.ndarray, pieces: np.ndarray, use_penalty: float):
    """The state costs the exact pass's second pass weighs, given its ``first`` path."""
    dearer = penalised(costs, first, pieces, use_penalty)
    return lambda bar, states: costs.of(bar, states) + dearer(bar, states)


def run_rows(run: Path, ks: list[int]) -> list[dict]:
    """One row per candidate count: pieces with the exact donors, the cost ratios."""
    pair = load_transfer(run / "checkpoints" / "last.pt")
    method, c = pair.method, pair.method.cfg
    split = json.loads((run / "split.json").read_text())
    pieces = [Path(split["data_root"]) / name for name in split["source"]["heldout"]]
    ratios: dict[int, list[float]] = {k: [] for k in ks}
    for piece in pieces:
        frames = pair.source.frames(piece)
        notes = pair.source.notes(frames)
        costs, previous, first, exact = piece_paths(method, notes, len(frames), 0)
        objective = exact_objective(costs, first, method.library.pieces, c.use_penalty)
        best = path_cost(exact, objective, previous, c.jump, c.key_change)
        for k in ks:
            chosen = piece_paths(method, notes, len(frames), k)[3]
            ratios[k].append(1.0 if np.array_equal(chosen, exact) else
                             path_cost(chosen, objective, previous, c.jump, c.key_change) / best)
    return [{"run": run.name, "candidates": k, "pieces": len(pieces),
             "same donors": sum(r == 1.0 for r in ratios[k]),
             "within 1%": sum(r <= 1.01 for r in ratios[k]),
             "cost ratio, largest": max(ratios[k])} for k in ks]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--candidates", type=int, nargs="+", default=[256])
    args = parser.parse_args()
    print("| run | candidates | pieces | same donors | within 1% | cost ratio, largest |")
    print("| --- | --- | --- | --- | --- | --- |")
    for run in args.runs:
        for row in run_rows(run, args.candidates):
            print("| " + " | ".join(f"{v:.4f}" if isinstance(v, float) else str(v)
                                    for v in row.values()) + " |")


if __name__ == "__main__":
    main()
