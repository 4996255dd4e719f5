"""The piano-roll image layout of CycleGAN/MuseGAN-style work, for comparison with the fold:
pitch-channel frames laid out as (sounding, onset) x time x pitch. The pitch axis is padded with
silence to the image width, never resized."""

from __future__ import annotations

import numpy as np

from seqimg.fold import cut_windows, stitch_windows


def frames_to_rolls(frames: np.ndarray, n_pitches: int, steps: int, width: int, hop: int,
                    pad_value: float) -> np.ndarray:
    """Pitch-channel frames, shape=(T, 2P), to rolls, shape=(N, 2, steps, width)."""
    windows = cut_windows(frames, steps, hop, pad_value)
    count = len(windows)
    rolls = windows.reshape(count, steps, 2, n_pitches).transpose(0, 2, 1, 3)
    pad = width - n_pitches
    return np.pad(rolls, ((0, 0), (0, 0), (0, 0), (0, pad)), constant_values=pad_value)


def rolls_to_frames(rolls: np.ndarray, n_pitches: int, hop: int, length: int) -> np.ndarray:
    """Invert :func:`frames_to_rolls`: rolls, shape=(N, 2, steps, width), to frames (length, 2P)."""
    count, _, steps, _ = rolls.shape
    windows = rolls[..., :n_pitches].transpose(0, 2, 1, 3).reshape(count, steps, -1)
    return stitch_windows(windows, hop, length)
