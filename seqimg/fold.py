"""Exact fold of frames ``(T, F)`` into images ``(C, H, W)`` and back.

A fold with height ``H``, width ``W`` and ``k`` steps per pixel lays a window of ``L = H*W*k``
time steps row by row: ``t -> (p = t // k, j = t % k, y = p // W, x = p % W)`` and
``image[f*k + j, y, x] = X[t, f]``. With ``k = 1`` a 3x3 kernel at one pixel reads the time
offsets ``dy*W + dx``: a dilated 1-D convolution over time. No resampling anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FoldSpec:
    """Shape of one folded window: ``height`` rows of ``width`` pixels, ``steps_per_pixel`` each."""

    height: int = 16
    width: int = 16
    steps_per_pixel: int = 1

    def __post_init__(self) -> None:
        for name in ("height", "width", "steps_per_pixel"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"fold {name}: expected a positive int, got {value!r}")

    @property
    def window_length(self) -> int:
        """Time steps held by one image, ``L = H * W * k``."""
        return self.height * self.width * self.steps_per_pixel

    def channels(self, n_features: int) -> int:
        """Image channels for ``n_features`` features per step, ``C = F * k``."""
        return n_features * self.steps_per_pixel


def fold(frames: np.ndarray, spec: FoldSpec) -> np.ndarray:
    """Fold one window of frames, shape=(L, F), into an image, shape=(F*k, H, W)."""
    length, n_features = frames.shape
    if length != spec.window_length:
        raise ValueError(f"fold expects {spec.window_length} steps, got {length}")
    grid = frames.reshape(spec.height, spec.width, spec.steps_per_pixel, n_features)
    return grid.transpose(3, 2, 0, 1).reshape(-1, spec.height, spec.width)


def unfold(image: np.ndarray, spec: FoldSpec) -> np.ndarray:
    """Invert :func:`fold`: image, shape=(F*k, H, W), to frames, shape=(L, F)."""
    channels, height, width = image.shape
    k = spec.steps_per_pixel
    if (height, width) != (spec.height, spec.width) or channels % k:
        raise ValueError(f"image of shape {image.shape} does not match fold {spec}")
    grid = image.reshape(channels // k, k, height, width)
    return grid.transpose(2, 3, 1, 0).reshape(spec.window_length, channels // k)


def permute(x, axes: tuple[int, ...]):
    """Reorder the axes of a numpy array or a torch tensor, without importing torch."""
    return x.permute(*axes) if hasattr(x, "permute") else x.transpose(axes)


def unfold_batch(images, spec: FoldSpec):
    """Unfold a batch of images, shape=(B, F*k, H, W), to frames, shape=(B, L, F): numpy arrays
    or torch tensors alike (reshapes and one permutation), so that losses can read a model's
    folded output as a sequence."""
    count, channels, height, width = images.shape
    k = spec.steps_per_pixel
    grid = permute(images.reshape(count, channels // k, k, height, width), (0, 3, 4, 2, 1))
    return grid.reshape(count, spec.window_length, channels // k)


def fold_batch(frames, spec: FoldSpec):
    """Invert :func:`unfold_batch`: frames, shape=(B, L, F), to images, shape=(B, F*k, H, W)."""
    count, _, n_features = frames.shape
    grid = frames.reshape(count, spec.height, spec.width, spec.steps_per_pixel, n_features)
    return permute(grid, (0, 4, 3, 1, 2)).reshape(count, -1, spec.height, spec.width)


def window_starts(length: int, window: int, hop: int) -> np.ndarray:
    """Start steps of windows of ``window`` steps every ``hop`` steps covering ``length`` steps."""
    if hop < 1 or hop > window:
        raise ValueError(f"hop must be in 1..{window}, got {hop}")
    last = max(length - window, 0)
    starts = list(range(0, last + 1, hop))
    if starts[-1] < last:
        starts.append(last)
    return np.asarray(starts, dtype=np.int64)


def cut_windows(frames: np.ndarray, window: int, hop: int, pad_value: float) -> np.ndarray:
    """Cut frames, shape=(T, F), into windows, shape=(N, window, F); a short tail is padded."""
    length, n_features = frames.shape
    if length < window:
        pad = np.full((window - length, n_features), pad_value, dtype=frames.dtype)
        frames = np.concatenate([frames, pad])
    starts = window_starts(length, window, hop)
    return np.stack([frames[s : s + window] for s in starts])


def stitch_windows(windows: np.ndarray, hop: int, length: int) -> np.ndarray:
    """Invert :func:`cut_windows`: average overlapping windows, shape=(N, L, F), to (length, F).

    ``length`` is the original number of steps; the windows' starts are recomputed from it, so
    stitching the windows of an unchanged sequence returns it exactly.
    """
    count, window, n_features = windows.shape
    starts = window_starts(length, window, hop)
    if len(starts) != count:
        raise ValueError(f"{count} windows cannot cover {length} steps with hop {hop}")
    total = np.zeros((max(length, window), n_features), dtype=np.float64)
    weight = np.zeros((max(length, window), 1), dtype=np.float64)
    for start, win in zip(starts, windows):
        total[start : start + window] += win
        weight[start : start + window] += 1
    return (total / weight)[:length].astype(windows.dtype)


def fold_sequence(frames: np.ndarray, spec: FoldSpec, hop: int, pad_value: float) -> np.ndarray:
    """Frames, shape=(T, F), to folded windows, shape=(N, F*k, H, W)."""
    windows = cut_windows(frames, spec.window_length, hop, pad_value)
    return np.stack([fold(w, spec) for w in windows])


def unfold_sequence(images: np.ndarray, spec: FoldSpec, hop: int, length: int) -> np.ndarray:
    """Folded windows, shape=(N, F*k, H, W), back to frames, shape=(length, F)."""
    return stitch_windows(np.stack([unfold(im, spec) for im in images]), hop, length)


def kernel_offsets(width: int, kernel: int = 3) -> list[int]:
    """Time offsets ``dy*W + dx`` that a ``kernel x kernel`` window reads at ``k = 1``, sorted."""
    half = kernel // 2
    return sorted(dy * width + dx for dy in range(-half, half + 1) for dx in range(-half, half + 1))
