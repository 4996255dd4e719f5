"""The piano-roll image layout of CycleGAN/MuseGAN-style work, for comparison with the fold:
pitch-channel frames laid out as (sounding, onset) x time x pitch. The pitch axis is padded with
silence to the image width, never resized."""

from __future__ import annotations

import numpy as np

from seqimg.fold import cut_windows, permute, stitch_windows


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
    return stitch_windows(rolls_batch_to_frames(rolls, n_pitches), hop, length)


def rolls_batch_to_frames(rolls, n_pitches: int):
    """Rolls, shape=(B, 2, steps, width), to each window's frames, shape=(B, steps, 2P): numpy
    arrays or torch tensors alike."""
    count, _, steps, _ = rolls.shape
    return permute(rolls[..., :n_pitches], (0, 2, 1, 3)).reshape(count, steps, 2 * n_pitches)


def frames_batch_to_rolls(frames, n_pitches: int, width: int, pad_value: float):
    """Invert :func:`rolls_batch_to_frames` for tensors: frames, shape=(B, steps, 2P), to rolls,
    shape=(B, 2, steps, width), the pitch axis padded with ``pad_value``."""
    count, steps, _ = frames.shape
    rolls = frames.new_full((count, 2, steps, width), pad_value)
    rolls[..., :n_pitches] = permute(frames.reshape(count, steps, 2, n_pitches), (0, 2, 1, 3))
    return rolls
