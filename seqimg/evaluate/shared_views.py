"""Content kept across codecs: the input read by the source codec's view and the output by the
target codec's view of the same name (e.g. MIDI pitch-class shares against audio chroma), the
two compared step by step, per view feature, as correlations."""

from __future__ import annotations

import numpy as np
import torch

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Viewed, able
from seqimg.measures import per_feature_correlation


@torch.no_grad()
def piece_views(codec: SequenceCodec, frames: np.ndarray, names: list[str]
                ) -> dict[str, np.ndarray]:
    """Each named view of a piece's windows, in time order: shape=(steps, V) per name."""
    batch = codec.layout.window_frames(torch.from_numpy(codec.layout.frames_to_images(frames)))
    views = able(codec, Viewed).content_views()
    out = {}
    for name in names:
        value = views[name](batch)
        out[name] = value.reshape(-1, value.shape[-1]).numpy()
    return out


def view_similarity(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, float]:
    """Per view, the mean over its features of the correlation of ``a`` and ``b`` in time."""
    return {name: per_feature_correlation(a[name], b[name]) for name in a}

