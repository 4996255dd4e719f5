"""Measures on frames of any time series (numpy only): what codecs report by default."""

from __future__ import annotations

import numpy as np


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation over positions where both are finite; 0 when undefined."""
    length = min(len(a), len(b))
    a, b = a[:length], b[:length]
    both = np.isfinite(a) & np.isfinite(b)
    if both.sum() < 3 or a[both].std() == 0 or b[both].std() == 0:
        return 0.0
    return float(np.corrcoef(a[both], b[both])[0, 1])


def per_feature_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over features of the correlation of two pieces' frames, shape=(T, F) each."""
    length = min(len(a), len(b))
    return float(np.mean([correlation(a[:length, i], b[:length, i]) for i in range(a.shape[1])]))


def series_statistics(frames: np.ndarray) -> dict[str, float]:
    """Per-series statistics of frames: level, spread, smoothness and spectral centroid."""
    centred = frames - frames.mean(0)
    power = np.abs(np.fft.rfft(centred, axis=0)) ** 2
    freqs = np.linspace(0, 0.5, len(power))[:, None]
    total = power.sum(0)
    centroid = np.where(total > 0, (freqs * power).sum(0) / np.maximum(total, 1e-12), 0)
    lag1 = [correlation(frames[:-1, i], frames[1:, i]) for i in range(frames.shape[1])]
    return {"level": float(frames.mean()), "spread": float(frames.std(0).mean()),
            "lag1_autocorrelation": float(np.mean(lag1)),
            "spectral_centroid": float(centroid.mean())}
