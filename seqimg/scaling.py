"""Value scaling that codecs share: a known range onto [-1, 1] and back, and audio peaks."""

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
