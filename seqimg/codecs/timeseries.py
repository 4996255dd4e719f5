"""``timeseries`` codec: multivariate series from CSV (header optional) or ``.npy``, shape (T, F),
scaled per feature to [-1, 1] by a min/max scaler fitted on a domain and stored with models."""

from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqimg.codecs.base import CodecConfig, SequenceCodec
from seqimg.codecs.capabilities import Augmented, Drawn, Fitted, Viewed
from seqimg.errors import SeqimgError, in_file, one_line
from seqimg.io import load_array
from seqimg.scaling import from_unit, standardised, to_unit


@dataclass(frozen=True)
class TimeseriesConfig(CodecConfig):
    """``channels`` is the number of features F; the fold defaults suit short series."""

    channels: int = 1  # columns of each file (features F)
    height: int = 8
    width: int = 8
    scales: tuple[float, ...] = ()  # training copies scaled about the middle of the range
    # each written series given the mean and standard deviation per column that the domain's
    # training series have (their medians): for archives whose every series is z-normalised
    # (UCR/UEA), so that outputs keep that invariant as real series do
    series_moments: bool = False

    def __post_init__(self) -> None:
        if any(not 0 < s <= 1 for s in self.scales):
            raise ValueError(f"scales: expected factors in (0, 1], got {list(self.scales)}")


def column_names(path: Path) -> list[str] | None:
    """A CSV's header names (a first row that is not all numbers), or None (no header, or a
    file that does not read as text: :func:`read_table` says why)."""
    if Path(path).suffix == ".npy":
        return None
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            first = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    try:
        [float(v) for v in first]
    except ValueError:
        return [name.strip() for name in first]
    return None


def first_bad_cell(path: Path, header: int) -> str | None:
    """Where a CSV stops being a numeric table, in words: the line and column of the first
    cell that is not a number, or the first line of another width; None when none is found."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, OSError, csv.Error):
        return None
    names = rows[0] if header else []
    width = None
    for line, row in enumerate(rows[header:], start=header + 1):
        if not row:
            continue
        width = width or (line, len(row))
        if len(row) != width[1]:
            return (f"line {line} has {len(row)} values where line {width[0]} has {width[1]}")
        for column, cell in enumerate(row, start=1):
            where = f"line {line}, column {column}" + (f" ({names[column - 1].strip()})"
                                                       if column <= len(names) else "")
            if not cell.strip():
                return f"{where}: a missing value"
            try:
                float(cell)
            except ValueError:
                return f"{where}: {cell.strip()!r} is not a number"
    return None


def non_finite_cell(data: np.ndarray, header: int) -> str:
    """The line and column of the first NaN or infinite value of a table read from CSV."""
    row, column = np.argwhere(~np.isfinite(data))[0]
    return f"line {row + 1 + header}, column {column + 1}: {data[row, column]}"


def read_table(path: Path) -> np.ndarray:
    """A CSV (optional header row) or ``.npy`` file as float64, shape=(T, F)."""
    header = 0
    if path.suffix == ".npy":
        data = load_array(path)
    else:
        header = 1 if column_names(path) else 0
        try:
            with warnings.catch_warnings():  # an empty table is reported below, once
                warnings.simplefilter("ignore")
                data = np.loadtxt(path, delimiter=",", skiprows=header, ndmin=2)
        except ValueError as exc:
            where = first_bad_cell(path, header)
            raise in_file(path, f"not a numeric table ({where or one_line(exc)})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise in_file(path, f"not a numeric table ({one_line(exc)})") from None
    try:
        data = np.asarray(data, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise in_file(path, f"not a numeric table ({one_line(exc)})") from None
    if data.ndim == 1:
        data = data[:, None]
    if data.size == 0:
        raise in_file(path, "holds no values (an empty table)")
    if data.ndim != 2:
        raise in_file(path, f"expected a non-empty (T, F) table, got shape {data.shape}")
    if not np.isfinite(data).all():
        where = "" if path.suffix == ".npy" else f" ({non_finite_cell(data, header)})"
        raise in_file(path, f"holds NaN or infinite values{where}")
    return data


class TimeseriesCodec(SequenceCodec, Fitted, Viewed, Drawn, Augmented):
    name = "timeseries"
    description = "Multivariate time series (CSV or .npy) scaled per feature to [-1, 1]"
    suffixes = (".csv", ".npy")
    config_class = TimeseriesConfig

    def __init__(self, config=None, **overrides) -> None:
        super().__init__(config, **overrides)
        self.low: np.ndarray | None = None
        self.high: np.ndarray | None = None
        self.columns: list[str] | None = None  # the header's names, when the files have one
        self.moments: np.ndarray | None = None  # (2, F): a training series' mean and std

    @property
    def n_features(self) -> int:
        return self.config.channels

    def read(self, path: Path) -> np.ndarray:
        data = read_table(path)
        if data.shape[1] != self.n_features:
            raise in_file(path, f"has {data.shape[1]} columns, codec expects {self.n_features} "
                          f"(set the codec's channels to {data.shape[1]})")
        return data

    @classmethod
    def file_settings(cls, path: Path) -> dict:
        """``channels``: the file's column count (nothing when it does not read; the encode
        that follows says why)."""
        try:
            return {"channels": read_table(Path(path)).shape[1]}
        except SeqimgError:
            return {}

    def write(self, obj: np.ndarray, path: Path) -> None:
        if path.suffix == ".npy":
            with open(path, "wb") as handle:
                np.save(handle, obj)
        else:
            names = self.columns if self.columns and len(self.columns) == obj.shape[1] else \
                [f"x{i}" for i in range(obj.shape[1])]
            header = ",".join(names)
            np.savetxt(path, obj, delimiter=",", header=header, comments="", fmt="%.10g")

    def fit(self, paths: list[Path]) -> None:
        tables = [self.read(Path(p)) for p in paths]
        self.fit_arrays(tables)
        self.columns = next((names for names in map(column_names, paths)
                             if names and len(names) == self.n_features), None)

    def fit_arrays(self, tables: list[np.ndarray]) -> None:
        """Fit the per-feature scaler on arrays, each shape=(T, F)."""
        if not tables:
            raise SeqimgError("timeseries: cannot fit a scaler on no data")
        stacked = np.concatenate(tables)
        self.low, self.high = stacked.min(axis=0), stacked.max(axis=0)
        self.moments = np.median([[t.mean(0), t.std(0)] for t in tables], axis=0)

    def state(self) -> dict:
        if self.low is None:
            return {}
        named = {"columns": self.columns} if self.columns else {}
        if self.config.series_moments:
            named["moments"] = self.moments.tolist()
        return {"low": self.low.tolist(), "high": self.high.tolist(), **named}

    def load_state(self, state: dict) -> None:
        if state:
            self.low, self.high = np.asarray(state["low"]), np.asarray(state["high"])
            self.columns = state.get("columns")
            self.moments = np.asarray(state["moments"]) if "moments" in state else None

    def draw_piece(self, before: np.ndarray | None, after: np.ndarray, title: str,
                   path: Path) -> Path:
        """Line plots in the files' own units, each panel named by its column."""
        from seqimg.plots import save_series_png

        names = self.columns or [f"column {i + 1}" for i in range(self.n_features)]
        return save_series_png(None if before is None else self.from_frames(before),
                               self.from_frames(after), f"{title} (the files' units)", path,
                               names)

    def _span(self) -> np.ndarray:
        if self.low is None:
            raise SeqimgError("timeseries: the scaler is not fitted (fit it on a domain first)")
        return np.where(self.high > self.low, self.high - self.low, 1.0)

    def to_frames(self, obj: np.ndarray) -> np.ndarray:
        return to_unit(obj, self.low, self._span()).astype(np.float32)

    def from_frames(self, frames: np.ndarray) -> np.ndarray:
        series = from_unit(frames.astype(np.float64), self.low, self._span())
        if not self.config.series_moments:
            return series
        if self.moments is None:
            raise SeqimgError("timeseries: series_moments needs a scaler fitted with them "
                              "(fit the codec again)")
        mean, std = self.moments
        return standardised(series) * std + mean

    def augment(self, frames: np.ndarray) -> list[np.ndarray]:
        """Copies with every value scaled by each of ``scales`` about the range's middle."""
        return [(frames * factor).astype(np.float32) for factor in self.config.scales]

    def content_views(self) -> dict:
        """``shape`` (each window z-normalised and low-passed) and ``trend`` (the mean of each
        eighth of a window)."""
        from seqimg.codecs import series_views

        return {"shape": series_views.shape, "trend": series_views.trend}

    def batch_statistics(self) -> dict:
        """``level`` (mean value) and ``spread`` (standard deviation along time)."""
        from seqimg.codecs import series_views

        return {"level": series_views.level, "spread": series_views.spread}

    def example_file(self, directory: Path) -> Path:
        """A random-walk series of 150 steps in odd units, one column per channel, as CSV."""
        rng = np.random.default_rng(0)
        data = np.cumsum(rng.normal(size=(150, self.n_features)), axis=0) * 37.5 + 1000.0
        path = Path(directory) / "example.csv"
        self.write(data, path)
        return path
