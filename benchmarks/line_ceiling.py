"""The ceiling of a written line: held-out target pieces whose own line is taken away and
written again over their own band, judged by the run's critics against every real target piece.

Each held-out piece is split as the learned line trains (``learned_line.line_and_band``: the
lead's top voice where the lead plays, the rhythm guitar's elsewhere), its tune made as the
donor method makes a source's (the line on a one-beat grid, struck at the line's onsets), and
the line written back by each writer: ``real`` (the piece as it is), ``pasted`` (the tune's
pitch at every onset, as the default places a chorale's), ``markov`` and ``learned`` (the run's
checkpoint must hold a learned line for the last). If the learned line over real metal's own
band is told from real metal, no chorale's will pass.

    .venv/bin/python benchmarks/line_ceiling.py runs/dev46/learned_s0 [--writers real pasted ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from output import median_cell

from seqimg.codecs.capabilities import DRUM_PART
from seqimg.evaluate.critics import critic_fits
from seqimg.evaluate.pipeline import gather_pieces
from seqimg.evaluate.two_sample import two_sample_critics
from seqimg.methods.donor.learned_line import line_and_band, write_learned
from seqimg.methods.donor.line import REACH, anchor_steps, write_line
from seqimg.methods.donor.melody import on_grid, strike_at
from seqimg.pipeline import load_transfer
from seqimg.recipe import load_recipe
from seqimg.runfiles import RunFolder

WRITERS = ("real", "pasted", "markov", "learned")


def struck_tune(line: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The line's ``grid`` (the line on a one-beat grid) struck at the line's onsets, each note
    in the part of the line note it starts under, shape=(n, 4)."""
    tune = strike_at(grid, line[:, 1])
    owner = np.maximum(np.searchsorted(line[:, 1], tune[:, 1], side="right") - 1, 0)
    return np.column_stack([tune, line[owner, 3]]).astype(np.int64)


def rewritten(method, notes: np.ndarray, length: int, writer: str) -> np.ndarray:
    """A piece's notes in parts with its line written again by ``writer``."""
    if writer == "real":
        return notes
    line, band = line_and_band(notes, method.bar)
    if not len(line):
        return notes
    grid = on_grid(line[:, :3], method.beat, length)
    tune = struck_tune(line, grid)
    anchors = anchor_steps(grid, method.bar, method.cfg.line_anchors)
    if writer == "markov":
        tune = write_line(tune, anchors, band, method.line_model, method.bar)
    elif writer == "learned":
        tune = write_learned(method.line_net, tune, anchors, band, method.bar, REACH,
                             method.cfg.line_classes == "band_and_tune")
    return np.concatenate([band, tune, notes[notes[:, 3] == DRUM_PART]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--writers", nargs="+", choices=WRITERS, default=list(WRITERS))
    parser.add_argument("--critic-seeds", type=int, default=3)
    args = parser.parse_args()
    folder = RunFolder(args.run)
    recipe, pair = load_recipe(folder.config, written=True), load_transfer(folder.checkpoint)
    pieces = gather_pieces(args.run, recipe, pair, {})
    codec, method, window = pair.target, pair.method, recipe.evaluate.window
    fits = critic_fits(recipe.evaluate.critics, codec, recipe.seed, args.critic_seeds,
                       recipe.evaluate.classifier_steps)
    real = pieces.all_target.values
    print(f"| line ({len(pieces.target_heldout.values)} held-out pieces) | "
          + " | ".join(recipe.evaluate.critics) + " |")
    print("| --- |" + " --- |" * len(recipe.evaluate.critics))
    for writer in args.writers:
        made = [codec.frames_from_notes_in_parts(
                    rewritten(method, codec.notes_in_parts(f), len(f), writer), len(f))
                for f in pieces.target_heldout.values]
        tests = two_sample_critics(made, real, window, fits)
        print(f"| {writer} | " + " | ".join(median_cell(t) for t in tests.values()) + " |",
              flush=True)


if __name__ == "__main__":
    main()
