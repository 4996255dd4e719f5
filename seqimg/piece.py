"""One piece on its way through a transfer: its length, its timing, and its frames or (for a
note codec) its notes in parts, each made once and only when asked for. A method that reads
notes gets them straight from the file and its notes go straight to the output file, with no
frames made or decoded between (:class:`seqimg.pipeline.PieceTransfer`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import NoteCodec, able

Reads = Literal["frames", "notes"]


def is_silent(frames: np.ndarray) -> bool:
    """Whether frames, shape=(T, F), hold nothing that happens: no step differs from the
    first (a MIDI piece without notes, a constant series)."""
    return not len(frames) or bool((frames == frames[:1]).all())


@dataclass
class Piece:
    """A piece in ``codec``'s terms, ``length`` steps long, with the ``timing`` of the file it
    came from (or goes to). It holds frames, notes in parts, or both once asked for; ``path``
    is the file it was read from, read again for frames only where they are asked of notes."""

    codec: SequenceCodec
    length: int
    timing: dict | None = None
    path: Path | None = None
    held_frames: np.ndarray | None = field(default=None, repr=False)  # frames, shape=(T, F)
    held_notes: np.ndarray | None = field(default=None, repr=False)  # shape=(n, 4)

    @classmethod
    def read(cls, codec: SequenceCodec, path: Path, reads: Reads = "frames") -> Piece:
        """The file ``path`` as ``reads`` asks: its frames, or its notes in parts (read from
        the file, not decoded from frames, where the codec can)."""
        if reads == "notes":
            notes, length, timing = able(codec, NoteCodec).read_notes(path)
            return cls(codec, length, timing, Path(path), held_notes=notes)
        frames, timing = codec.frames_and_timing(path)
        return cls(codec, len(frames), timing, Path(path), held_frames=frames)

    @classmethod
    def of_frames(cls, codec: SequenceCodec, frames: np.ndarray,
                  timing: dict | None = None) -> Piece:
        return cls(codec, len(frames), timing, held_frames=frames)

    @classmethod
    def of_notes(cls, codec: SequenceCodec, notes: np.ndarray, length: int,
                 timing: dict | None = None) -> Piece:
        return cls(codec, length, timing, held_notes=notes)

    @property
    def frames(self) -> np.ndarray:
        """The piece's frames, shape=(length, F): as read, or encoded from its notes (a read
        file's are read from it again, so that what the notes leave out stays)."""
        if self.held_frames is None:
            self.held_frames = (self.codec.frames(self.path) if self.path is not None else
                         able(self.codec, NoteCodec).frames_from_notes_in_parts(
                             self.held_notes, self.length))
        return self.held_frames

    @property
    def notes(self) -> np.ndarray:
        """The piece's notes in parts, shape=(n, 4) (:meth:`NoteCodec.notes_in_parts`)."""
        if self.held_notes is None:
            self.held_notes = able(self.codec, NoteCodec).notes_in_parts(self.held_frames)
        return self.held_notes

    @property
    def silent(self) -> bool:
        """Whether nothing happens in the piece (no note; frames that never change)."""
        if self.held_frames is None:
            return not len(self.held_notes)
        return is_silent(self.held_frames)

    def write(self, path: Path) -> Path:
        """The piece written to ``path`` in its timing: notes as notes where it was made of
        them, else its frames."""
        if self.held_frames is None:
            return able(self.codec, NoteCodec).write_notes(self.held_notes, self.length, path,
                                                           self.timing)
        return self.codec.save_frames(self.held_frames, path, self.timing)
