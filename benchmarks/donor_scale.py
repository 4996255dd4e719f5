"""The donor method at library sizes of thousands of pieces: index time, transfer time of a
three-minute piece and peak memory, each size in its own processes, the pruned choice (the
default) beside the exact pass over every state where that fits.

    .venv/bin/python benchmarks/donor_scale.py [--pieces 42 500 2000 5000] [--exact-up-to 2000]
        [--plot docs/figures/donor_scale.png]

The library is the default recipe's metal training pieces, repeated until there are N: each
copy transposed (its pitched parts, by -5..5 semitones) and delayed by 1-15 steps, so that its
bars differ from the original's. Indexing (one process) builds the library from the pieces'
notes and the index of phrase windows, and saves the library as a checkpoint holds it; the
transfer (another process) loads it, builds the index again as a loaded model does, and
transfers a three-minute four-voice random walk (benchmarks/transfer_speed.py) file to file
three times (median). Peak memory is the process's resident peak.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from transfer_speed import random_walk_piece

from seqimg.codecs.capabilities import DRUM_PART
from seqimg.data import prepare_side, read_each
from seqimg.methods import make_method
from seqimg.methods.donor.library import DonorLibrary
from seqimg.pipeline import PieceTransfer
from seqimg.recipe import load_recipe

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "recipes" / "midi_genre.yaml"


def peak_gb() -> float:
    """This process's resident memory at its peak (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def grown_pieces(count: int) -> tuple[list[np.ndarray], list[int]]:
    """The recipe's target training pieces as notes in parts, repeated to ``count`` pieces,
    each copy transposed and delayed so that its bars are new."""
    recipe = load_recipe(RECIPE)
    target = prepare_side(recipe.target, recipe.data, recipe.seed, "target", None)
    frames = read_each(target.train, target.codec.frames, target.skipped, "reading")
    base = [(target.codec.notes_in_parts(f).astype(np.int32), len(f)) for f in frames.values()]
    notes, lengths = [], []
    for index in range(count):
        piece, length = base[index % len(base)]
        copy = index // len(base)
        if copy:
            shift, delay = (copy % 11 - 5) or 6, copy % 15 + 1
            piece = piece + np.array([0, delay, delay, 0], np.int32)
            piece[piece[:, 3] != DRUM_PART, 0] += shift
            length += delay
        notes.append(piece)
        lengths.append(length)
    return notes, lengths


def method_for(candidates: int):
    """The default recipe's donor method at ``candidates``, with its codecs."""
    recipe = load_recipe(RECIPE, [f"method.candidates={candidates}"])
    side = prepare_side(recipe.source, recipe.data, recipe.seed, "source", None)
    target = prepare_side(recipe.target, recipe.data, recipe.seed, "target", None)
    return make_method(recipe, side.codec, target.codec), side.codec, target.codec


def index_stage(count: int, library_file: Path) -> dict:
    """Build and save the library of ``count`` pieces; time it and its index."""
    method, _, _ = method_for(256)
    notes, lengths = grown_pieces(count)
    start = time.perf_counter()
    method.library = DonorLibrary.of(notes, lengths, method.bar, method.beat)
    built = time.perf_counter() - start
    del notes
    method.library_index(method.library.views.shape[1])
    indexed = time.perf_counter() - start
    torch.save(method.library.state(), library_file)
    return {"pieces": count, "bars": len(method.library), "library_seconds": built,
            "index_seconds": indexed, "checkpoint_mb": library_file.stat().st_size / 1e6,
            "index_peak_gb": peak_gb()}


def transfer_stage(library_file: Path, candidates: int, repeats: int) -> dict:
    """Load the library, transfer a three-minute piece ``repeats`` times."""
    method, source, target = method_for(candidates)
    start = time.perf_counter()
    method.library = DonorLibrary.from_state(torch.load(library_file))
    method.library_index(method.library.views.shape[1])
    loaded = time.perf_counter() - start
    pair = PieceTransfer(method.eval(), source, target)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        piece = random_walk_piece(Path(tmp) / "piece.mid")
        for _ in range(repeats):
            start = time.perf_counter()
            skipped = pair.files([piece], Path(tmp) / "out")
            times.append(time.perf_counter() - start)
            assert not skipped, skipped
    return {"candidates": candidates, "load_seconds": loaded,
            "transfer_seconds": statistics.median(times), "peak_gb": peak_gb()}


def in_process(*args: str) -> dict:
    """One stage in a fresh process, its JSON line back."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode:
        return {"failed": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def plot(rows: list[dict], path: Path) -> None:
    """Transfer time and peak memory against the library's pieces, pruned and exact."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for mode, marker in (("pruned", "o-"), ("exact", "s--")):
        kept = [r for r in rows if r.get(mode) and "failed" not in r[mode]]
        x = [r["pieces"] for r in kept]
        axes[0].plot(x, [r[mode]["transfer_seconds"] for r in kept], marker, label=mode)
        axes[1].plot(x, [r[mode]["peak_gb"] for r in kept], marker, label=mode)
    for axis, label in zip(axes, ("transfer of a 3-minute piece (s)", "peak memory (GB)")):
        axis.set_xlabel("library pieces")
        axis.set_ylabel(label)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, nargs="+", default=[42, 500, 2000, 5000])
    parser.add_argument("--exact-up-to", type=int, default=2000,
                        help="the largest library the exact pass is run on")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--index-stage", nargs=2, metavar=("PIECES", "FILE"))
    parser.add_argument("--transfer-stage", nargs=2, metavar=("FILE", "CANDIDATES"))
    args = parser.parse_args()
    if args.index_stage:
        print(json.dumps(index_stage(int(args.index_stage[0]), Path(args.index_stage[1]))))
        return
    if args.transfer_stage:
        print(json.dumps(transfer_stage(Path(args.transfer_stage[0]),
                                        int(args.transfer_stage[1]), args.repeats)))
        return
    rows = []
    print("| pieces | bars | index (s) | index peak (GB) | checkpoint (MB) | load + index (s) | "
          "transfer, pruned (s) | peak, pruned (GB) | transfer, exact (s) | peak, exact (GB) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.pieces:
            library_file = Path(tmp) / f"library{count}.pt"
            row = in_process("--index-stage", str(count), str(library_file))
            row["pieces"] = count
            row["pruned"] = in_process("--transfer-stage", str(library_file), "256",
                                       "--repeats", str(args.repeats))
            if count <= args.exact_up_to:
                row["exact"] = in_process("--transfer-stage", str(library_file), "0",
                                          "--repeats", "1")
            rows.append(row)
            print(table_row(row), flush=True)
    if args.plot:
        plot(rows, args.plot)


def table_row(row: dict) -> str:
    """A size's markdown row; a stage that failed shows its last error line."""
    def cells(stage: dict | None) -> str:
        if not stage:
            return "- | -"
        if "failed" in stage:
            return f"failed: {' '.join(stage['failed'])} | -"
        return f"{stage['transfer_seconds']:.2f} | {stage['peak_gb']:.2f}"
    if "failed" in row:
        return f"| {row['pieces']} | index failed: {' '.join(row['failed'])} |"
    pruned = row["pruned"]
    load = f"{pruned['load_seconds']:.1f}" if "load_seconds" in pruned else "-"
    return (f"| {row['pieces']} | {row['bars']} | {row['index_seconds']:.1f} | "
            f"{row['index_peak_gb']:.2f} | {row['checkpoint_mb']:.1f} | {load} | "
            f"{cells(pruned)} | {cells(row.get('exact'))} |")


if __name__ == "__main__":
    main()
