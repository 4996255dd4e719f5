"""A throwaway plugin package that claims common codec names and suffixes, installed onto
``sys.path`` (and ``PYTHONPATH`` for subprocesses) for the whole test run, so that a test which
reads the live registry instead of a controlled one fails here rather than on a user's machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DISTRIBUTION = "seqimg-throwaway-plugin"
MODULE = "seqimg_throwaway_plugin"

# Names a user's plugins could plausibly take: a built-in's exact name (reported as a duplicate),
# names like a built-in's suffix, and the example plugins' names.
CODEC_NAMES = ("dna", "midi", "mid", "wav", "csv", "lines")
SUFFIXES = (".fa", ".fasta", ".txt", ".json", ".csv", ".mid", ".wav")
SOURCE = f'''"""A codec that claims every common suffix; it reads nothing useful."""

from seqimg import SequenceCodec


class GreedyCodec(SequenceCodec):
    name = "greedy"
    description = "claims common suffixes"
    suffixes = {SUFFIXES!r}

    @property
    def n_features(self):
        return 1
'''


def install(folder: Path) -> Path:
    """Write the package and its ``.dist-info`` (entry points in every codec, method and loss
    group) under ``folder`` and put ``folder`` on the import path of this and child processes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{MODULE}.py").write_text(SOURCE)
    info = folder / f"{MODULE}-0.0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\n"
                                   "Version: 0.0.1\n")
    reference = f"{MODULE}:GreedyCodec"
    groups = {"seqimg.codecs": CODEC_NAMES,
              "seqimg.methods": ("dtn", "affine", "sampler"),
              "seqimg.losses": ("const", "l1"),
              "seqimg.controls": ("sixteenths", "identity")}
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {reference}\n" for name in names) + "\n"
        for group, names in groups.items()))
    sys.path.insert(0, str(folder))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    return folder
