"""``SequenceCodec``: file <-> frames ``(T, F)`` in [-1, 1] <-> folded windows ``(N, C, H, W)``.

Subclasses implement the hooks ``read``, ``write``, ``to_frames`` and ``from_frames``. The public
``encode``/``decode`` live here only: they validate, call the hooks, cut windows and fold. What a
codec may say beyond that (statistics and content measures, views, pictures and renders,
augmentation, feature groups, frame levels, timing, settings learned from data) are capabilities
it declares (:mod:`seqimg.codecs.capabilities`), each with defaults that suit any time series.
How frames become images is the codec's :attr:`~SequenceCodec.layout`, an object of its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np

from seqimg.codecs.capabilities import Timed, able
from seqimg.codecs.layouts import FoldLayout, Layout
from seqimg.config import build_config
from seqimg.errors import EmptyPiece, SeqimgError, in_file
from seqimg.fold import FoldSpec
from seqimg.io import atomic_path


@dataclass(frozen=True)
class CodecConfig:
    """Fold settings every codec shares; ``hop`` defaults to the window length (no overlap)."""

    height: int = 16  # rows of an image
    width: int = 16  # columns of an image
    steps_per_pixel: int = 1  # time steps in one pixel (as channels): k in the fold
    hop: int | None = None  # steps between window starts (none: the window length, no overlap)


@dataclass(frozen=True)
class Encoded:
    """Folded windows of one sequence, shape=(N, C, H, W), its length in steps, and its
    timing (:class:`~seqimg.codecs.capabilities.Timed`)."""

    images: np.ndarray
    length: int
    timing: dict | None = None


class SequenceCodec(ABC):
    """Base of every codec: owns validation, windowing and folding."""

    name: ClassVar[str]
    description: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    config_class: ClassVar[type] = CodecConfig
    pad_value: ClassVar[float] = -1.0
    exact_round_trip: ClassVar[bool] = True  # False for lossy file formats (audio)
    # what a file -> frames -> file round trip keeps and drops, in a sentence for users
    round_trip: ClassVar[str] = ""
    # how frames that are not on a Quantised codec's ``frame_levels`` are kept in the encoding
    # cache ("float16" halves the cache and rounds the values)
    cache_dtype: ClassVar[Literal["float16", "float32"]] = "float32"

    def __init__(self, config: Any = None, **overrides: Any) -> None:
        if isinstance(config, dict) or config is None:
            config = build_config(self.config_class, {**(config or {}), **overrides}, self.name)
        elif overrides:
            config = dataclasses.replace(config, **overrides)
        self.config = config

    # -- hooks -------------------------------------------------------------------------------
    @property
    @abstractmethod
    def n_features(self) -> int:
        """Features per time step, ``F``."""

    @abstractmethod
    def read(self, path: Path) -> Any:
        """Load a file into the codec's native object; raise ``SeqimgError`` naming the file."""

    @abstractmethod
    def write(self, obj: Any, path: Path) -> None:
        """Write a native object to ``path``."""

    @abstractmethod
    def to_frames(self, obj: Any) -> np.ndarray:
        """Native object to frames, shape=(T, F), float32 in [-1, 1]."""

    @abstractmethod
    def from_frames(self, frames: np.ndarray) -> Any:
        """Frames, shape=(T, F), in [-1, 1] to a native object."""

    def fingerprint(self, path: Path) -> str:
        """What identifies a file's content, so that twins (one piece under two names) stay on
        one side of the held-out split; default: a hash of its bytes."""
        return hashlib.sha1(Path(path).read_bytes()).hexdigest()

    def frames_and_print(self, path: Path) -> tuple[np.ndarray, str]:
        """:meth:`frames` of ``path`` and its :meth:`fingerprint`, for the shard cache; a codec
        that can make both of one reading of the file overrides this."""
        return self.frames(path), self.fingerprint(path)

    @classmethod
    def file_settings(cls, path: Path) -> dict[str, Any]:
        """Settings that one file implies when the user gives none (e.g. a table's column
        count), read cheaply; ``seqimg encode`` applies them under the user's. Default: none."""
        return {}

    def example_file(self, directory: Path) -> Path | None:
        """Write a small valid input file into ``directory`` for the contract test and return
        it; codecs without one return None and the test suite skips them."""
        return None

    # -- how frames become images ----------------------------------------------------------
    @property
    def layout(self) -> Layout:
        """Frames <-> images (:mod:`seqimg.codecs.layouts`): by default the fold of the
        config's ``height``, ``width`` and ``steps_per_pixel``, cut every ``hop`` steps."""
        c = self.config
        spec = FoldSpec(c.height, c.width, c.steps_per_pixel)
        return FoldLayout(spec, self.n_features, c.hop or spec.window_length, self.pad_value)

    # -- public API --------------------------------------------------------------------------
    def frames(self, path: str | Path, allow_empty: bool = False) -> np.ndarray:
        """Read ``path`` and return validated frames, shape=(T, F), float32 in [-1, 1]; with
        ``allow_empty`` a file that holds nothing the codec keeps reads as silence of its
        length (for reading back what a method wrote), else it is an error."""
        return self.frames_and_timing(path, allow_empty)[0]

    def frames_and_timing(self, path: str | Path,
                          allow_empty: bool = False) -> tuple[np.ndarray, dict | None]:
        """:meth:`frames` of ``path`` and its timing (a ``Timed`` codec's, else None)."""
        return self._frames_of(self._read_file(path), path, allow_empty)

    def _read_file(self, path: str | Path) -> Any:
        """The native object of the file ``path``, which must exist."""
        path = Path(path)
        if not path.is_file():
            raise in_file(path, "no such file")
        return self.read(path)

    def _frames_of(self, native: Any, path: str | Path,
                  allow_empty: bool = False) -> tuple[np.ndarray, dict | None]:
        """:meth:`frames_and_timing` of a file ``path`` already read as ``native``."""
        path = Path(path)
        try:
            frames = np.asarray(self.to_frames(native), dtype=np.float32)
        except EmptyPiece as exc:
            if not (allow_empty and exc.length > 0):
                raise in_file(path, str(exc)) from None
            frames = np.full((exc.length, self.n_features), self.pad_value, dtype=np.float32)
        except ValueError as exc:  # hooks report content problems as ValueError
            raise in_file(path, str(exc)) from None
        self._check_frames(frames, path)
        return frames, able(self, Timed).timing(native)

    def encode(self, path: str | Path) -> Encoded:
        """Read a file and fold it into windows, shape=(N, C, H, W)."""
        frames, timing = self.frames_and_timing(path)
        return Encoded(self.layout.frames_to_images(frames), len(frames), timing)

    def decode_frames(self, images: np.ndarray, length: int | None = None) -> np.ndarray:
        """Windows, shape=(N, C, H, W), to frames, shape=(length, F), clipped to [-1, 1]."""
        images = np.asarray(images, dtype=np.float32)
        layout = self.layout
        if images.ndim != 4 or images.shape[1:] != layout.image_shape:
            expected = ", ".join(map(str, layout.image_shape))
            raise SeqimgError(f"{self.name}: expected images of shape (N, {expected}), "
                              f"got {images.shape}")
        if length is None:
            length = layout.hop * (len(images) - 1) + layout.window_length
        return np.clip(layout.images_to_frames(images, length), -1.0, 1.0)

    def decode(self, images: np.ndarray, length: int | None, path: str | Path,
               timing: dict | None = None) -> Path:
        """Invert :meth:`encode`: windows to a file at ``path`` (written whole or not at all),
        timed by ``timing`` when given."""
        return self.save_frames(self.decode_frames(images, length), path, timing)

    def save_frames(self, frames: np.ndarray, path: str | Path,
                    timing: dict | None = None) -> Path:
        """Frames, shape=(T, F), to a file at ``path`` (written whole or not at all), timed by
        an input's ``timing`` when given."""
        return self._write_object(self.from_frames(frames), path, timing)

    def _write_object(self, obj: Any, path: str | Path, timing: dict | None = None) -> Path:
        """The codec's native object written to ``path`` whole or not at all, timed by an
        input's ``timing`` when given."""
        path = Path(path)
        if timing:
            obj = able(self, Timed).apply_timing(obj, timing)
        with atomic_path(path) as partial:
            self.write(obj, partial)
        return path

    def _check_frames(self, frames: np.ndarray, path: Path) -> None:
        if frames.ndim != 2 or frames.shape[1] != self.n_features:
            raise in_file(path, f"{self.name} made frames of shape {frames.shape}, "
                          f"expected (T, {self.n_features})")
        if len(frames) == 0:
            raise in_file(path, "holds no time steps")
        if not np.isfinite(frames).all() or frames.min() < -1 or frames.max() > 1:
            raise in_file(path, f"{self.name} made frames outside [-1, 1]")
