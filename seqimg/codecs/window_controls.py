"""A control for any codec: ``nearest_windows``, each window of the source replaced by the real
target window whose content views are nearest, so that series and audio recipes have the
retrieval baseline MIDI has (real target material on the source's content). Windows are the
codec's own (``layout.window_length`` steps, without overlap); the last one is cut to the piece.
"""

from __future__ import annotations

import numpy as np

from seqimg.codecs.capabilities import Viewed, able, needs


def view_vectors(codec, windows: np.ndarray) -> np.ndarray:
    """Each window's content views, flattened and side by side, shape=(N, D)."""
    import torch

    frames = torch.from_numpy(np.ascontiguousarray(windows, dtype=np.float32))
    with torch.no_grad():
        views = [view(frames).reshape(len(windows), -1).float()
                 for view in able(codec, Viewed).content_views().values()]
    return torch.cat(views, 1).numpy() if views else windows.reshape(len(windows), -1)


def cut(frames: np.ndarray, length: int) -> np.ndarray:
    """Non-overlapping windows of ``length`` steps, the last padded by repeating its last step,
    shape=(N, length, F)."""
    count = -(-len(frames) // length)
    padded = np.concatenate([frames, np.repeat(frames[-1:], count * length - len(frames), 0)])
    return padded.reshape(count, length, frames.shape[1])


@needs(takes_target=True)
def nearest_windows(codec, frames: np.ndarray, target: list[np.ndarray]) -> np.ndarray:
    """Each window of ``frames`` replaced by the nearest real target window by the codec's
    content views (all the frames' features when it has none)."""
    length = codec.layout.window_length
    library = np.concatenate([cut(piece, length) for piece in target if len(piece)])
    if not len(frames) or not len(library):
        return frames
    windows = cut(frames, length)
    wanted, offered = view_vectors(codec, windows), view_vectors(codec, library)
    distances = (wanted**2).sum(1)[:, None] - 2 * wanted @ offered.T + (offered**2).sum(1)[None]
    chosen = library[distances.argmin(1)]
    return chosen.reshape(-1, frames.shape[1])[: len(frames)].astype(frames.dtype)
