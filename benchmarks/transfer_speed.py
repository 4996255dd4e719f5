"""Time the transfer of a three-minute piece with the diffusion recipe's method at its default
sampler settings (weights fresh or from a checkpoint: the cost does not depend on them).

    .venv/bin/python benchmarks/transfer_speed.py [--checkpoint CKPT] [--repeats 5] [--json]

The piece is a four-voice random walk on the 16th-note grid (120 bpm, 3 minutes), written as
MIDI and transferred file to file (read, encode, sample, decode, write), as `seqimg transfer`
does. Prints the median seconds and the speed as a multiple of real time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pretty_midi
import torch
from output import print_result

from seqimg.data import codec_for
from seqimg.methods import make_method
from seqimg.pipeline import PieceTransfer, load_transfer
from seqimg.recipe import load_recipe

ROOT = Path(__file__).resolve().parents[1]
SECONDS = 180.0


def random_walk_piece(path: Path, seconds: float = SECONDS, seed: int = 0) -> Path:
    """Four voices stepping by small intervals, one note per beat each, at 120 bpm."""
    rng = np.random.default_rng(seed)
    pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    piano = pretty_midi.Instrument(program=0)
    for start in (40, 52, 60, 67):
        pitch = start
        for beat in range(int(seconds * 2)):
            pitch = int(np.clip(pitch + rng.integers(-2, 3), 30, 95))
            piano.notes.append(pretty_midi.Note(80, pitch, beat * 0.5, beat * 0.5 + 0.5))
    pm.instruments.append(piano)
    pm.write(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    if args.checkpoint:
        pair = load_transfer(args.checkpoint)
    else:
        recipe = load_recipe(ROOT / "recipes" / "midi_genre_sampler.yaml")
        source, target = codec_for(recipe.source), codec_for(recipe.target)
        torch.manual_seed(0)
        pair = PieceTransfer(make_method(recipe, source, target).eval(), source, target)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        piece = random_walk_piece(Path(tmp) / "piece.mid")
        for _ in range(args.repeats):
            start = time.perf_counter()
            skipped = pair.files([piece], Path(tmp) / "out")
            times.append(time.perf_counter() - start)
            assert not skipped, skipped
    median = statistics.median(times)
    cfg = pair.method.cfg
    print_result({"piece_seconds": SECONDS, "median_seconds": median,
                  "times_real_time": SECONDS / median, "repeats": args.repeats,
                  "threads": torch.get_num_threads(),
                  "sampler_steps": getattr(cfg, "sampler_steps", None),
                  "guidance": getattr(cfg, "guidance", None)}, args.json)


if __name__ == "__main__":
    main()
