"""``italypower``: UCR ItalyPowerDemand (Italy's electricity demand over one day, 24 hourly
values, each day z-normalised; 1,096 days, October-March 'winter' and April-September
'summer'), shipped offline by aeon."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqimg.domains.timeseries_sets import pick, write_series

LABELS = {"winter": "1", "summer": "2"}


@dataclass(frozen=True)
class Options:
    season: str = "winter"  # ItalyPowerDemand's class: winter (Oct-Mar) or summer (Apr-Sep)


def files(options: Options, cache: Path) -> list[Path]:
    from aeon.datasets import load_italy_power_demand

    parts = [load_italy_power_demand(split=split) for split in ("train", "test")]
    x = np.concatenate([series for series, _ in parts])  # (N, 1, 24)
    labels = {code: name for name, code in LABELS.items()}
    names = np.array([labels[str(v)] for v in np.concatenate([y for _, y in parts])])
    return write_series(pick(x, names, options.season, list(LABELS)), cache, options.season,
                        columns=("demand",))
