"""Differentiable content views and batch statistics of multivariate series frames, shape=(B, T,
F): what a transfer between kinds of series should keep (the shape of each window, its slow
trend) and the target values it may be held to (level, spread). Tensor methods only, so the
codec offers them without importing torch."""

from __future__ import annotations

EPS = 1e-6
TREND_SEGMENTS = 8  # the trend is the mean of each eighth of a window
SMOOTHING = 16  # the shape is low-passed over a sixteenth of a window


def moving_average(frames, length: int):
    """Means of every run of ``length`` steps: shape=(B, T, F) -> (B, T - length + 1, F)."""
    sums = frames.cumsum(1)
    ends = sums[:, length - 1 :]
    before = ends.new_zeros(ends.shape)
    before[:, 1:] = sums[:, : sums.shape[1] - length]
    return (ends - before) / length


def shape(frames):
    """Each window z-normalised per feature, then low-passed: how it rises and falls, whatever
    its level and scale. shape=(B, T - T // 16 + 1, F)."""
    centred = frames - frames.mean(1, keepdim=True)
    scaled = centred / (centred.pow(2).mean(1, keepdim=True) + EPS).sqrt()
    return moving_average(scaled, max(1, frames.shape[1] // SMOOTHING))


def trend(frames):
    """The mean of each eighth of a window, per feature: shape=(B, 8, F)."""
    count, steps, width = frames.shape
    size = steps // TREND_SEGMENTS
    cropped = frames[:, : size * TREND_SEGMENTS]
    return cropped.reshape(count, TREND_SEGMENTS, size, width).mean(2)


def level(frames):
    """Mean value of the batch."""
    return frames.mean()


def spread(frames):
    """Mean over windows and features of the standard deviation along time."""
    return (frames.var(1, unbiased=False) + EPS).sqrt().mean()
