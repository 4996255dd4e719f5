"""Windows -> G -> stitched file: transfer whole pieces with a trained model."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from seqimg.codecs.base import SequenceCodec
from seqimg.errors import SeqimgError
from seqimg.model import DTN, ModelConfig
from seqimg.registry import make_codec
from seqimg.train import load_checkpoint

log = logging.getLogger(__name__)


@dataclass
class TrainedPair:
    """A trained model with the codecs of its source and target domains."""

    model: DTN
    source: SequenceCodec
    target: SequenceCodec
    history: list = field(default_factory=list)  # training log, when loaded from a checkpoint


def codec_from_checkpoint(entry: dict) -> SequenceCodec:
    codec = make_codec(entry["name"], entry["config"])
    codec.load_state(entry["state"])
    return codec


def load_pair(path: Path) -> TrainedPair:
    """Rebuild model and codecs from a self-describing checkpoint."""
    state = load_checkpoint(path)
    model = DTN(tuple(state["shape"]), ModelConfig(**state["model_config"]))
    model.load_state_dict(state["model"])
    model.eval()
    return TrainedPair(model, codec_from_checkpoint(state["codecs"]["source"]),
                       codec_from_checkpoint(state["codecs"]["target"]), state["history"])


@torch.no_grad()
def generate(model: DTN, images: np.ndarray, batch: int = 64) -> np.ndarray:
    """G over windows, shape=(N, C, H, W), in eval mode and batches."""
    model.eval()
    device = next(model.parameters()).device
    out = [model(torch.from_numpy(images[i : i + batch]).to(device)).float().cpu().numpy()
           for i in range(0, len(images), batch)]
    return np.concatenate(out)


def transfer_frames(pair: TrainedPair, frames: np.ndarray) -> np.ndarray:
    """Source frames, shape=(T, F), to transferred target frames, shape=(T, F')."""
    images = pair.source.frames_to_images(frames)
    return pair.target.decode_frames(generate(pair.model, images), len(frames))


def output_path(path: Path, codec: SequenceCodec, out_dir: Path) -> Path:
    """Same name as the input, with the target codec's suffix."""
    return out_dir / f"{Path(path).stem}{codec.suffixes[0]}"


def transfer_files(pair: TrainedPair, files: list[Path], out_dir: Path) -> dict:
    """Transfer each file at full length into ``out_dir``; bad files are skipped and returned."""
    skipped = {}
    for path in tqdm(files, desc="transferring", unit="file", leave=False):
        try:
            frames = pair.source.frames(path)
            images = generate(pair.model, pair.source.frames_to_images(frames))
            pair.target.decode(images, len(frames), output_path(path, pair.target, out_dir))
        except SeqimgError as exc:
            skipped[str(path)] = str(exc)
            log.warning("skipped %s", exc)
    return skipped
