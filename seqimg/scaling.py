"""Value scaling that codecs share: a known range onto [-1, 1] and back, each feature at mean 0
and deviation 1, and audio peaks."""

from __future__ import annotations

import numpy as np


def to_unit(values: np.ndarray, low: float | np.ndarray, span: float | np.ndarray) -> np.ndarray:
    """Map ``low..low+span`` linearly onto [-1, 1], clipping what lies outside."""
    return np.clip(2.0 * (values - low) / span - 1.0, -1.0, 1.0)


def from_unit(values: np.ndarray, low: float | np.ndarray,
              span: float | np.ndarray) -> np.ndarray:
    """Invert :func:`to_unit` (inside the range)."""
    return (values + 1.0) / 2.0 * span + low


def normalise_peak(audio: np.ndarray, level: float = 0.9, above: float = 0.0) -> np.ndarray:
    """Scale ``audio`` so that its peak is ``level``, when the peak exceeds ``above``."""
    peak = np.abs(audio).max(initial=0.0)
    return audio / peak * level if peak > above else audio


def standardised(values: np.ndarray) -> np.ndarray:
    """``values``, shape=(T, F), at mean 0 and deviation 1 per feature along time; a constant
    feature becomes 0."""
    centred = values - values.mean(0)
    deviation = centred.std(0)
    return centred / np.where(deviation > 0, deviation, 1.0)
