"""The path the donor method's choice takes through one piece: its states' cost (the match, the
class cost and the pad cost), how many jumps it makes, how many donor pieces it takes bars from,
and how many bars leave fewer than two onsets under the tune, at each pad cost given. What tells
a pad the choice prefers (one long real phrase) from one it is pushed to (many short ones).

    .venv/bin/python benchmarks/donor_path.py runs/midi_genre/checkpoints/last.pt \
        ~/.cache/seqimg/classical/bwv313.mid [--pad-costs 0 0.1 1]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from seqimg.methods.donor.choice import path_cost
from seqimg.pipeline import load_transfer


def path_row(method, notes: np.ndarray, length: int) -> dict:
    """The chosen path's figures for a piece's notes, shape=(n, 3), lasting ``length`` steps."""
    library = method.library
    wanted, _, floors = method.bar_plan(notes, length)
    previous = library.previous(method.bar)
    chosen, shifts = method.choice(wanted, previous, floors)
    costs = method.state_costs(wanted, floors)
    states = np.searchsorted(method.shifts(), shifts) * len(library) + chosen
    runs_on = (previous[chosen[1:]] == chosen[:-1]) & (shifts[1:] == shifts[:-1])
    left = method.library_table("onsets_below")[chosen, np.clip(floors - shifts, 0, 128)]
    return {"bars": len(wanted), "cost": path_cost(states, costs.of, previous, jump=0.0),
            "jumps": int((~runs_on).sum()),
            "donor pieces": len(set(library.pieces[chosen].tolist())),
            "bars with < 2 onsets under the tune": int((left < 2).sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("pieces", type=Path, nargs="+", help="source MIDI files")
    parser.add_argument("--pad-costs", type=float, nargs="+", default=[0.0])
    args = parser.parse_args()
    pair = load_transfer(args.checkpoint)
    method, base = pair.method, pair.method.cfg
    print("| piece | pad cost | bars | cost | jumps | donor pieces | bars with < 2 onsets under "
          "the tune |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for piece in args.pieces:
        frames = pair.source.frames(piece)
        for pad in args.pad_costs:
            method.cfg = dataclasses.replace(base, pad_cost=pad)
            row = path_row(method, pair.source.notes(frames), len(frames))
            print(f"| {piece.stem} | {pad:g} | " + " | ".join(
                f"{v:.1f}" if isinstance(v, float) else str(v) for v in row.values()) + " |")


if __name__ == "__main__":
    main()
