"""Do the MIDI readers make the same frames? Over the chorale and metal corpora: symusic's
reading against pretty_midi's (both on the quarter-note grid), and the quarter-note grid against
the grid of pretty_midi's beats that the codec used before (a dotted quarter in 6/8, a half
note in 2/2). Every differing file is listed with what differs.

    python benchmarks/readers.py --json
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections import Counter

import numpy as np
import pretty_midi

from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.midi_file import read_with_pretty_midi, read_with_symusic
from seqimg.domains import domain_files


def pretty_midi_beat_frames(codec: MidiCodec, path) -> np.ndarray:
    """Frames on the grid of pretty_midi's beats (which follow the time signature), as the
    codec made them before the quarter-note grid."""
    pm = pretty_midi.PrettyMIDI(str(path))
    beats = pm.get_beats()
    if len(beats) < 2:
        beats = np.array([0.0, 0.5])

    def steps(times):
        inside = np.interp(times, beats, np.arange(len(beats), dtype=np.float64))
        after = len(beats) - 1 + (times - beats[-1]) / (beats[-1] - beats[-2])
        positions = np.where(times > beats[-1], after, inside)
        return np.rint(positions * codec.config.steps_per_beat).astype(np.int64)

    notes = np.array([(n.pitch, n.start, n.end) for i in pm.instruments if not i.is_drum
                      for n in i.notes]).reshape(-1, 3)
    low, high = codec.config.pitch_low, codec.config.pitch_high
    notes = notes[(notes[:, 0] >= low) & (notes[:, 0] <= high)]
    grid = np.column_stack([notes[:, 0], steps(notes[:, 1]), steps(notes[:, 2])]).astype(np.int64)
    grid[:, 2] = np.maximum(grid[:, 2], grid[:, 1] + 1)
    return codec.frames_from_notes(grid, int(grid[:, 2].max()))


def same_pitch_overlaps(piece) -> int:
    """Notes that start while another note of the same pitch still sounds."""
    count = 0
    for pitch in np.unique(piece.notes[:, 0]):
        notes = piece.notes[piece.notes[:, 0] == pitch]
        notes = notes[np.argsort(notes[:, 1], kind="stable")]
        count += int((notes[1:, 1] < np.maximum.accumulate(notes[:-1, 2])).sum())
    return count


def meter_label(piece) -> str:
    """The piece's time signatures, e.g. '4/4' or '4/4,12/8'."""
    return ",".join(sorted({f"{int(n)}/{int(d)}" for _, n, d in piece.meters})) or "none"


def compare(name: str, paths) -> dict:
    codec = MidiCodec()
    readers_differ, grid_differ = [], []
    meters_of_grid_differ: Counter = Counter()
    for path in paths:
        fast, slow = read_with_symusic(path), read_with_pretty_midi(path)
        a, b = codec.to_frames(fast), codec.to_frames(slow)
        if a.shape != b.shape or not np.array_equal(a, b):
            differ = int((a[: len(b)] != b[: len(a)]).sum())
            readers_differ.append({"file": path.name, "steps": [len(a), len(b)],
                                   "cells_differing": differ,
                                   "same_pitch_overlaps": same_pitch_overlaps(slow),
                                   "notes": [len(fast.notes), len(slow.notes)]})
        old = pretty_midi_beat_frames(codec, path)
        if old.shape != a.shape or not np.array_equal(old, a):
            grid_differ.append(path.name)
            meters_of_grid_differ[meter_label(fast)] += 1
    return {"corpus": name, "files": len(paths),
            "readers_differ": len(readers_differ), "reader_differences": readers_differ,
            "quarter_grid_differs": len(grid_differ),
            "quarter_grid_differs_by_meter": dict(meters_of_grid_differ)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line per corpus")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for name in ("classical", "metal"):
        result = compare(name, domain_files(name, {}))
        print(json.dumps(result) if args.json else json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
