"""Capabilities a codec may declare beyond the core of :class:`~seqimg.codecs.base.SequenceCodec`,
so that what needs them (rule-made controls, methods) can say so and be refused at recipe load
when paired with a codec that lacks them, instead of failing halfway through a run."""

from __future__ import annotations

import abc

import numpy as np

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

    @abc.abstractmethod
    def transposed(self, frames, semitones: int):
        """Frames, shape=(..., F) (numpy or torch), with every pitch moved by ``semitones``;
        notes pushed out of the range are dropped, unpitched features (drums) kept."""


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
