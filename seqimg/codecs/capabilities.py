"""Capabilities a codec may declare beyond the core of :class:`~seqimg.codecs.base.SequenceCodec`.

A codec declares one by subclassing it. ``NoteCodec`` is required by what reads notes (rule-made
controls, the donor method), which is refused at recipe load when paired with a codec that lacks
it. The others have defaults that suit any time series, so what uses them takes any codec
through :func:`able`: the codec's own where it declares the capability, else the default."""

from __future__ import annotations

import abc
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from seqimg.measures import per_feature_correlation, series_statistics

C = TypeVar("C")

BEATS_PER_BAR = 4  # a bar is taken as four beats by every note measure, control and method
DRUM_PART = -1  # the part of a drum hit in NoteCodec.notes_in_parts


class NoteCodec(abc.ABC):
    """A codec whose frames are notes on a beat grid: what note-level controls and measures
    read and write."""

    requirement = "reads notes on a beat grid (a NoteCodec, such as midi)"

    @property
    @abc.abstractmethod
    def steps_per_beat(self) -> int:
        """Grid steps per beat."""

    @property
    def bar_steps(self) -> int:
        """Steps of one bar (:data:`BEATS_PER_BAR` beats)."""
        return BEATS_PER_BAR * self.steps_per_beat

    @abc.abstractmethod
    def notes(self, frames: np.ndarray) -> np.ndarray:
        """Notes, shape=(n, 3) as (pitch, start step, end step), decoded from frames."""

    @abc.abstractmethod
    def frames_from_notes(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Frames, shape=(length, F), holding ``notes``."""

    @abc.abstractmethod
    def roll(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Decoded notes, shape=(n, 3), and their sounding roll, shape=(T, 128)."""

    def notes_in_parts(self, frames: np.ndarray) -> np.ndarray:
        """Notes with the part each is played in, shape=(n, 4) as (pitch, start, end, part);
        part :data:`DRUM_PART` marks a drum hit (its pitch a General MIDI drum sound), which
        transposition leaves alone. A codec without parts puts every note in part 0."""
        return in_one_part(self.notes(frames))

    def frames_from_notes_in_parts(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Invert :meth:`notes_in_parts`: frames, shape=(length, F); a codec without parts
        merges the pitched parts and drops the drum hits."""
        return self.frames_from_notes(notes[notes[:, 3] != DRUM_PART, :3], length)

    def read_notes(self, path) -> tuple[np.ndarray, int, dict | None]:
        """:meth:`notes_in_parts` of the file ``path``, its length in steps and its timing: by
        default through its frames; a codec that can read notes straight from a file overrides
        this (a method that reads notes then makes no frame of it)."""
        frames, timing = self.frames_and_timing(path)
        return self.notes_in_parts(frames), len(frames), timing

    def write_notes(self, notes: np.ndarray, length: int, path, timing: dict | None = None):
        """Notes in parts, shape=(n, 4), written as a file of ``length`` steps: by default
        through :meth:`frames_from_notes_in_parts`; a codec that can write notes directly
        overrides this, writing the same file."""
        return self.save_frames(self.frames_from_notes_in_parts(notes, length), path, timing)

    @abc.abstractmethod
    def transposed(self, frames, semitones: int):
        """Frames, shape=(..., F) (numpy or torch), with every pitch moved by ``semitones``;
        notes pushed out of the range are dropped, unpitched features (drums) kept."""


class Measured:
    """Per-piece statistics (whose distributions realism compares) and how much of a piece
    another keeps; default: generic series statistics and per-feature correlation."""

    def statistics(self, frames: np.ndarray) -> dict[str, float]:
        """Per-piece statistics of frames, shape=(T, F), by name."""
        return series_statistics(frames)

    def content_similarity(self, a: np.ndarray, b: np.ndarray, window: int) -> dict[str, float]:
        """How much of piece ``a`` piece ``b`` keeps (frames, shape=(T, F)), by measure name."""
        return {"correlation": per_feature_correlation(a, b)}


class Viewed:
    """Differentiable views of a batch of frames, for training's content losses and
    conditioning; default: none."""

    def content_views(self) -> dict[str, Any]:
        """Views that must survive a transfer, by name; each maps a tensor, shape=(B, T, F),
        to a tensor, shape=(B, T', V)."""
        return {}

    def batch_statistics(self) -> dict[str, Any]:
        """Statistics of a whole batch, shape=(B, T, F) -> a scalar tensor, by name, that
        training can match between outputs and real target (e.g. register and density)."""
        return {}


class Drawn:
    """A picture of a piece, and a render to listen to; default: line plots, no render."""

    def draw_piece(self, before: np.ndarray | None, after: np.ndarray, title: str,
                   path: Path) -> Path:
        """Picture of one piece's frames before and after a transfer; ``before`` None draws
        ``after`` alone under ``title`` (a cross-codec pair's input is drawn by its own
        codec)."""
        from seqimg.plots import save_series_png

        return save_series_png(before, after, title, path)

    def render_audio(self, frames: np.ndarray, path: Path) -> bool:
        """Write a WAV to listen to, when the codec can; returns whether it did."""
        return False


class Augmented:
    """Training variants of a piece that keep its domain; default: none."""

    def augment(self, frames: np.ndarray) -> list[np.ndarray]:
        """Extra variants of frames, shape=(T, F), as the codec's config asks. Each must act on
        every time step alone (transposition, scaling) and their number must not depend on the
        frames: training applies them to drawn windows only."""
        return []


class Grouped:
    """Named groups of frame features that a method may treat apart (the parts of an
    arrangement); default: none."""

    def feature_groups(self) -> dict[str, slice]:
        return {}


class Quantised:
    """Frames that take a few values; default: continuous frames."""

    @property
    def frame_levels(self) -> tuple[float, ...] | None:
        """The values real frames take (e.g. (-1, 1) for on/off), or None when continuous; a
        straight-through quantiser snaps outputs to them."""
        return None

    def tidy(self, frames):
        """A batch of frames, shape=(B, L, F), snapped to ``frame_levels``, made consistent
        the way decoding reads them (what a critic is shown of an output)."""
        return frames


class Timed:
    """Files whose steps sit in time beyond what frames hold (MIDI's tempo map); default:
    none."""

    def timing(self, obj: Any) -> dict | None:
        """A read file's timing, JSON-able, so that a decoded piece is written timed like its
        input."""
        return None

    def apply_timing(self, obj: Any, timing: dict) -> Any:
        """``obj`` from ``from_frames`` timed by an input's :meth:`timing`."""
        return obj


class Fitted:
    """Settings learned from a domain's files (a scaler) before anything is encoded, stored
    with models and encodings; default: nothing to learn."""

    def fit(self, paths: list[Path]) -> None:
        """Learn the settings from a domain's files."""

    def state(self) -> dict:
        """Learned settings as plain JSON-able values."""
        return {}

    def load_state(self, state: dict) -> None:
        """Restore what :meth:`state` returned."""


def able(codec: Any, capability: type[C]) -> C:
    """``codec`` where it declares ``capability``, else the capability's defaults."""
    return codec if isinstance(codec, capability) else capability()


def in_one_part(notes: np.ndarray) -> np.ndarray:
    """Notes, shape=(n, 3), as notes in parts, shape=(n, 4), all in part 0."""
    return np.column_stack([notes, np.zeros(len(notes), dtype=np.int64)])


def needs(*capabilities: type, takes_target: bool = False):
    """Mark a function (e.g. a rule-made control) as needing codecs with ``capabilities``;
    ``takes_target`` declares that it is also given the real target pieces (``target=``, a list
    of frames), as a retrieval control is."""
    def mark(func):
        func.needs, func.takes_target = capabilities, takes_target
        return func
    return mark


def lacking(codec_class: type, needs: tuple[type, ...]) -> str:
    """What of ``needs`` (capability classes) ``codec_class`` lacks, in words; '' when none."""
    return "; ".join(need.requirement for need in needs if not issubclass(codec_class, need))
