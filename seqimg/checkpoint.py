"""Self-describing checkpoints: the training state plus what rebuilds the run without anything
else (the resolved recipe, the codecs' learned state, the image shape, the seqimg version).

One format, written and read here only; files load with ``weights_only=True``.
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass
from pathlib import Path

import torch

import seqimg
from seqimg.errors import SeqimgError, one_line
from seqimg.io import atomic_path

FORMAT = 3  # 1: seqimg 0.1.0; 2: seqimg 0.2.0 (a DTN's weights and optimisers by name)
INFO_KEYS = ("recipe", "codec_states", "shape", "version")


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint needs besides weights: ``recipe`` is the resolved recipe as plain data
    (what ``config.yaml`` holds), ``codec_states`` the learned codec settings by side, and
    ``codec_classes`` each side's codec class as ``module:Class`` (to say what to install when a
    plugin codec is missing later)."""

    recipe: dict
    codec_states: dict
    shape: tuple[int, int, int]
    version: str = seqimg.__version__
    codec_classes: dict = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint: its description (None for a bare training state) and the state."""

    path: Path
    info: CheckpointInfo | None
    state: dict

    def described(self) -> CheckpointInfo:
        """The description; a clear error when the file holds a bare training state."""
        if self.info is None:
            raise SeqimgError(f"{self.path}: holds weights only, without the recipe and codecs "
                              "that 'seqimg run' stores; it cannot be used for transfer")
        return self.info


def save(path: Path, info: CheckpointInfo | None, state: dict) -> None:
    """Write ``state`` (weights, optimisers, step, ...) and ``info`` atomically."""
    described = {} if info is None else {**dataclasses.asdict(info), "shape": list(info.shape)}
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:  # OS errors arise as OSError
        torch.save({"format": FORMAT, **described, **state}, handle)


def load(path: Path) -> Checkpoint:
    """Read a checkpoint written by :func:`save`; a clear one-line error for anything else."""
    path = Path(path)
    if not path.is_file():
        raise SeqimgError(f"{path}: no such checkpoint")
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise SeqimgError(f"{path}: not a seqimg checkpoint (it holds Python objects besides "
                          "tensors and plain data; seqimg never loads those, since loading them "
                          "can run code)") from None
    except Exception as exc:  # torch raises several types for foreign or damaged files
        with open(path, "rb") as handle:
            zipped = handle.read(4) == b"PK\x03\x04"  # torch.save writes a zip archive
        why = f"a damaged one: {one_line(exc)[:120]}" if zipped else "not a file torch.save wrote"
        raise SeqimgError(f"{path}: not a seqimg checkpoint ({why})") from None
    if not isinstance(raw, dict) or not ({"weights", "model"} & set(raw)):
        raise SeqimgError(f"{path}: not a seqimg checkpoint")
    written = raw.get("format", 1)
    if written != FORMAT:
        raise SeqimgError(f"{path}: written by seqimg {raw.get('version', 'unknown')} in "
                          f"checkpoint format {written}; seqimg {seqimg.__version__} reads format "
                          f"{FORMAT}: train it again, or use the version that wrote it")
    info = None
    if all(key in raw for key in INFO_KEYS):
        from seqimg.recipe import written_recipe

        info = CheckpointInfo(written_recipe(raw["recipe"]), raw["codec_states"],
                              tuple(raw["shape"]), raw["version"], raw.get("codec_classes", {}))
    state = {k: v for k, v in raw.items()
             if k not in (*INFO_KEYS, "codec_classes", "format")}
    return Checkpoint(path, info, state)
