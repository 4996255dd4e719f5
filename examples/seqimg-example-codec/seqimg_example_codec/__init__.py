"""A minimal seqimg codec plugin: a text file with one number in 0..100 per line.

It shows the whole contract: a config dataclass, ``n_features``, the four hooks, and the
``example_file`` hook that lets seqimg's contract test run it. Statistics, content measures and
pictures come from the base class's time-series defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqimg import CodecConfig, SequenceCodec
from seqimg.errors import in_file
from seqimg.scaling import from_unit, to_unit


@dataclass(frozen=True)
class LinesConfig(CodecConfig):
    """Values are expected in ``low..high``; the fold is 8 x 8 by default."""

    low: float = 0.0
    high: float = 100.0
    height: int = 8
    width: int = 8


class LinesCodec(SequenceCodec):
    name = "lines"
    description = "Example plugin: one number per line of a text file"
    suffixes = (".txt",)
    config_class = LinesConfig

    @property
    def n_features(self) -> int:
        return 1

    def read(self, path: Path) -> np.ndarray:
        try:
            return np.loadtxt(path, ndmin=1)
        except ValueError as exc:
            raise in_file(path, f"expected one number per line ({exc})") from None

    def write(self, obj: np.ndarray, path: Path) -> None:
        np.savetxt(path, obj, fmt="%.6f")

    def to_frames(self, obj: np.ndarray) -> np.ndarray:
        low, high = self.config.low, self.config.high
        return to_unit(obj, low, high - low)[:, None].astype(np.float32)

    def from_frames(self, frames: np.ndarray) -> np.ndarray:
        low, high = self.config.low, self.config.high
        return from_unit(frames[:, 0], low, high - low)

    def example_file(self, directory: Path) -> Path:
        path = Path(directory) / "example.txt"
        path.write_text("\n".join(str(v) for v in range(0, 100, 3)))
        return path
