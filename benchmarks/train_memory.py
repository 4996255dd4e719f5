"""Peak resident memory of ``seqimg run`` on corpora of 1k, 5k and 20k MIDI files (2% corrupt):
encoding into the shard cache, training that streams its windows, transfer. The curve should be
flat: nothing grows with the corpus but the shard index.

    python benchmarks/train_memory.py --files 1000 5000 20000 --json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import make_corpus

RECIPE = """
name: memory
source: {{domain: folder, options: {{path: {corpus}}},
          codec: {{name: midi, pitch_low: 28, pitch_high: 99, transpose: 2}}}}
target: {{domain: folder, options: {{path: {corpus}}},
          codec: {{name: midi, pitch_low: 28, pitch_high: 99, transpose: 2}}}}
data: {{max_files: {files}, heldout_fraction: 0.001, offsets: 4}}
model: {{width: 16}}
train: {{steps: {steps}, batch_size: 32, checkpoint_every: 1000}}
evaluate: {{enabled: false}}
"""


def one_run(files: int, corpus_root: Path, steps: int) -> dict:
    """Run the recipe on ``files`` files in this process; its figures."""
    from seqimg.run import run

    corpus = make_corpus(corpus_root / str(files), files)[0].parent
    out = corpus_root / f"run-{files}"
    recipe = corpus_root / f"memory-{files}.yaml"
    recipe.write_text(RECIPE.format(corpus=corpus, files=files, steps=steps))
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    run(recipe, out, progress=False)
    split = json.loads((out / "split.json").read_text())
    return {"files": files, "windows_per_side": split["windows"]["source"],
            "seconds": time.perf_counter() - start,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "encoding_worker_peak_mb":
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--corpus", type=Path, default=Path("runs/bench-corpus"))
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.one:  # each size in a fresh process and cache, so that each peak is its own
        with tempfile.TemporaryDirectory() as cache:
            os.environ["SEQIMG_CACHE"] = cache
            print(json.dumps(one_run(args.files[0], args.corpus, args.steps)))
        return
    rows = []
    for files in args.files:
        done = subprocess.run([sys.executable, __file__, "--one", "--files", str(files),
                               "--steps", str(args.steps), "--corpus", str(args.corpus)],
                              capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps({"runs": rows}))
    else:
        for row in rows:
            print(row)


if __name__ == "__main__":
    main()
