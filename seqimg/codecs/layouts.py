"""Layouts: how a codec's frames, shape=(T, F), become images, shape=(N, C, H, W), and back.

A codec holds one (:attr:`~seqimg.codecs.base.SequenceCodec.layout`); everything that cuts,
folds or unfolds windows asks it, so that a new image arrangement is one class here and no
codec or method branches on it. The fold is the default; the piano roll is the
CycleGAN/MuseGAN-style image kept for comparison.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from seqimg.codecs import pianoroll as pr
from seqimg.fold import FoldSpec, fold_batch, fold_sequence, unfold_batch, unfold_sequence


class Layout(ABC):
    """Frames <-> images for one codec: whole pieces (numpy) and batches of windows (numpy
    arrays or torch tensors, differentiably, so that losses can read a network's output as
    sequences)."""

    folds_time: ClassVar[bool]  # whether images are a fold of time (the receptive-field view)
    hop: int  # steps between window starts

    @property
    @abstractmethod
    def window_length(self) -> int:
        """Time steps per image."""

    @property
    @abstractmethod
    def image_shape(self) -> tuple[int, int, int]:
        """Shape ``(C, H, W)`` of one image."""

    @abstractmethod
    def frames_to_images(self, frames: np.ndarray) -> np.ndarray:
        """Frames, shape=(T, F), to windows, shape=(N, C, H, W), cut every ``hop`` steps."""

    @abstractmethod
    def images_to_frames(self, images: np.ndarray, length: int) -> np.ndarray:
        """Windows, shape=(N, C, H, W), to frames, shape=(length, F)."""

    @abstractmethod
    def window_frames(self, images):
        """Each window's frames, shape=(B, L, F), from images, shape=(B, C, H, W)."""

    @abstractmethod
    def window_images(self, frames):
        """Invert :meth:`window_frames`: frames, shape=(B, L, F), to images (B, C, H, W)."""


@dataclass(frozen=True)
class FoldLayout(Layout):
    """The exact fold of :mod:`seqimg.fold`: ``k`` steps per pixel as channels, rows in time."""

    spec: FoldSpec
    n_features: int
    hop: int
    pad_value: float = -1.0
    folds_time: ClassVar[bool] = True

    @property
    def window_length(self) -> int:
        return self.spec.window_length

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return self.spec.channels(self.n_features), self.spec.height, self.spec.width

    def frames_to_images(self, frames: np.ndarray) -> np.ndarray:
        return fold_sequence(frames, self.spec, self.hop, self.pad_value)

    def images_to_frames(self, images: np.ndarray, length: int) -> np.ndarray:
        return unfold_sequence(images, self.spec, self.hop, length)

    def window_frames(self, images):
        return unfold_batch(images, self.spec)

    def window_images(self, frames):
        return fold_batch(frames, self.spec)


@dataclass(frozen=True)
class PianoRollLayout(Layout):
    """Pitch-channel frames as (sounding, onset) x ``steps`` x pitch images, the pitch axis
    padded with silence to ``width``: not a fold of time."""

    n_pitches: int
    steps: int
    width: int
    hop: int
    pad_value: float = -1.0
    folds_time: ClassVar[bool] = False

    @property
    def window_length(self) -> int:
        return self.steps

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return 2, self.steps, self.width

    def frames_to_images(self, frames: np.ndarray) -> np.ndarray:
        return pr.frames_to_rolls(frames, self.n_pitches, self.steps, self.width, self.hop,
                                  self.pad_value)

    def images_to_frames(self, images: np.ndarray, length: int) -> np.ndarray:
        return pr.rolls_to_frames(images, self.n_pitches, self.hop, length)

    def window_frames(self, images):
        return pr.rolls_batch_to_frames(images, self.n_pitches)

    def window_images(self, frames):
        return pr.frames_batch_to_rolls(frames, self.n_pitches, self.width, self.pad_value)
