"""Encoding at scale: a corpus of N MIDI files (2% corrupt) parsed by plain pretty_midi and by
symusic in one process, encoded by seqimg into a fresh shard cache with 1 and W workers, then
encoded again from the cache; each measured ``--repeats`` times side by side (medians reported),
shard bytes per file against a float32 ``.npy`` per file, and peak memory.

    python benchmarks/encode.py --files 2000 --workers 2 --json
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import pretty_midi
import symusic
from corpus import make_corpus
from output import print_result

from seqimg.codecs.midi import MidiCodec
from seqimg.prepare import prepare_files


def plain_parse(paths: list[Path], parser) -> float:
    """Seconds ``parser`` takes to parse every file in this process (bad ones fail fast)."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in paths:
            try:
                parser(str(path))
            except Exception:  # the corrupt 2%
                pass
    return time.perf_counter() - start


def encode(paths: list[Path], workers: int) -> tuple[float, object, dict]:
    """Seconds seqimg takes to prepare every file, what it prepared, and what it skipped."""
    skipped: dict = {}
    start = time.perf_counter()
    prepared = prepare_files(MidiCodec(), paths, skipped, workers)
    return time.perf_counter() - start, prepared, skipped


def peak_mb() -> float:
    """Peak resident memory of this process and of its largest finished child, MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=Path("runs/bench-corpus"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # not a line per corrupt file
    paths = make_corpus(args.corpus / str(args.files), args.files)

    runs = []
    for _ in range(args.repeats):
        run = {"pretty_midi": plain_parse(paths, pretty_midi.PrettyMIDI),
               "symusic": plain_parse(paths, symusic.Score)}
        for workers in sorted({1, args.workers}):
            with tempfile.TemporaryDirectory() as cache:
                os.environ["SEQIMG_CACHE"] = cache
                run[f"first{workers}"], prepared, skipped = encode(paths, workers)
                run[f"cached{workers}"], _, _ = encode(paths, workers)
                shards = sum(p.stat().st_size for p in prepared.folder.glob("shard-*"))
        runs.append(run)
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    npy = sum(128 + 4 * e.shape[0] * e.shape[1] for e in prepared.entries.values())
    n, w = len(paths), args.workers
    result = {
        "files": n, "workers": w, "repeats": args.repeats, "cpu_cores": os.cpu_count(),
        "skipped": len(skipped),
        "pretty_midi_parse_files_per_s": n / median["pretty_midi"],
        "symusic_parse_files_per_s": n / median["symusic"],
        "first_encode_1_worker_files_per_s": n / median["first1"],
        "first_encode_files_per_s": n / median[f"first{w}"],
        "cached_files_per_s": n / median[f"cached{w}"],
        "first_1_worker_over_plain_parse": median["pretty_midi"] / median["first1"],
        "first_over_plain_parse": median["pretty_midi"] / median[f"first{w}"],
        "first_over_plain_parse_each_run": [run["pretty_midi"] / run[f"first{w}"]
                                            for run in runs],
        "cached_over_first": median[f"first{w}"] / median[f"cached{w}"],
        "shard_bytes_per_file": shards / n,
        "npy_float32_bytes_per_file": npy / n,
        "shard_fraction_of_npy": shards / npy,
        "peak_memory_mb": peak_mb(),
    }
    print_result(result, args.json)


if __name__ == "__main__":
    main()
