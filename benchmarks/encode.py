"""Encoding at scale: a corpus of N MIDI files (2% corrupt) parsed by plain pretty_midi in one
process, encoded by seqimg into a fresh shard cache with W workers, then encoded again from the
cache; shard bytes per file against a float32 ``.npy`` per file, and peak memory.

    python benchmarks/encode.py --files 2000 --workers 2 --json
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import tempfile
import time
import warnings
from pathlib import Path

import pretty_midi
from corpus import make_corpus
from output import print_result

from seqimg.codecs.midi import MidiCodec
from seqimg.prepare import prepare_files


def plain_parse(paths: list[Path]) -> float:
    """Seconds pretty_midi takes to parse every file in this process (bad ones fail fast)."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in paths:
            try:
                pretty_midi.PrettyMIDI(str(path))
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
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # not a line per corrupt file
    paths = make_corpus(args.corpus / str(args.files), args.files)

    with tempfile.TemporaryDirectory() as cache:
        os.environ["SEQIMG_CACHE"] = cache
        parse_s = plain_parse(paths)
        first_s, prepared, skipped = encode(paths, args.workers)
        cached_s, _, _ = encode(paths, args.workers)
        shards = sum(p.stat().st_size for p in prepared.folder.glob("shard-*"))
    npy = sum(128 + 4 * e.shape[0] * e.shape[1] for e in prepared.entries.values())
    n = len(paths)
    result = {
        "files": n, "workers": args.workers, "cpu_cores": os.cpu_count(),
        "skipped": len(skipped),
        "plain_parse_files_per_s": n / parse_s,
        "first_encode_files_per_s": n / first_s,
        "cached_files_per_s": n / cached_s,
        "first_over_plain_parse": parse_s / first_s,
        "cached_over_first": first_s / cached_s,
        "shard_bytes_per_file": shards / n,
        "npy_float32_bytes_per_file": npy / n,
        "shard_fraction_of_npy": shards / npy,
        "peak_memory_mb": peak_mb(),
    }
    print_result(result, args.json)


if __name__ == "__main__":
    main()
