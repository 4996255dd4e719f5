"""Controls for MIDI transfers: cheap, rule-made versions of the source that a learned transfer
must beat. Each maps a codec and a piece's frames, shape=(T, F), to new frames of that codec.

- ``sixteenths``: every note split into one-step notes. It keeps all content and fooled a genre
  classifier in trials (89% "metal"), so strength alone cannot tell it from a transfer.
- ``power_chords``: a short arranger: on every beat a power chord (root, fifth, octave) on the
  beat's lowest note, struck on every step, with the top voice kept an octave lower.
- ``retrieval``: each bar replaced by the nearest real target bar (by harmony and bass, relative
  to the root), transposed to the source bar's root. A control that takes ``target`` is given
  the real target training pieces.
"""

from __future__ import annotations

import numpy as np

from seqimg.codecs.capabilities import NoteCodec, needs
from seqimg.codecs.note_geometry import (
    bar_shape,
    nearest_shift,
    rooted_bars,
    top_voice_notes,
)
from seqimg.memo import KeptForLast

POWER_CHORD = (0, 7, 12)
ROOT_LOW = 40  # power-chord roots are moved into E2..D#3, a guitar's low register


@needs(NoteCodec)
def sixteenths(codec, frames: np.ndarray) -> np.ndarray:
    """Every note of the piece split into notes one step long."""
    notes = codec.notes(frames)
    split = [(pitch, step, step + 1) for pitch, start, end in notes for step in range(start, end)]
    return codec.frames_from_notes(np.asarray(split, dtype=np.int64).reshape(-1, 3), len(frames))


@needs(NoteCodec)
def power_chords(codec, frames: np.ndarray) -> np.ndarray:
    """Power chords in steps on each beat's lowest note, and the melody an octave down."""
    notes, sounding = codec.roll(frames)
    beat, length = codec.steps_per_beat, len(frames)
    arranged = []
    for start in range(0, length, beat):
        pitches = np.flatnonzero(sounding[start : start + beat].any(0))
        if not len(pitches):
            continue
        root = ROOT_LOW + (pitches[0] - ROOT_LOW) % 12
        arranged += [(root + interval, step, step + 1) for step in
                     range(start, min(start + beat, length)) for interval in POWER_CHORD]
    melody = top_voice_notes(notes, sounding) - np.array([12, 0, 0])
    arranged += [tuple(n) for n in melody]
    return codec.frames_from_notes(np.asarray(arranged, dtype=np.int64).reshape(-1, 3), length)


LIBRARIES = KeptForLast()  # the library of the list of target pieces given last


def retrieval_library(codec, target: list[np.ndarray]) -> tuple[list, np.ndarray | None]:
    """Every sounding bar of the target pieces as (notes, start, root, view), and the views
    stacked, shape=(bars, D); built once for one list of target pieces (evaluation makes the
    control from every held-out piece with the same list)."""
    def build() -> tuple[list, np.ndarray | None]:
        library = [(notes, start, root, view) for piece in target
                   for notes in [codec.notes(piece)]
                   for start, root, view in rooted_bars(notes, len(piece), codec.bar_steps,
                                                    codec.steps_per_beat)]
        return library, np.stack([entry[3] for entry in library]) if library else None

    return LIBRARIES.get((codec, target), None, build)


@needs(NoteCodec, takes_target=True)
def retrieval(codec, frames: np.ndarray, target: list[np.ndarray]) -> np.ndarray:
    """Each sounding bar replaced by the real target bar whose harmony and bass per beat,
    relative to its root, are nearest the source bar's, transposed to the source bar's root
    (by at most a tritone each way): real target texture on the source's harmony, the
    strongest rule-made realism baseline."""
    beat, length = codec.steps_per_beat, len(frames)
    bar = codec.bar_steps
    library, views = retrieval_library(codec, target)
    if not library:
        return codec.frames_from_notes(np.zeros((0, 3), dtype=np.int64), length)
    placed = [np.zeros((0, 3), dtype=np.int64)]
    for start, root, view in rooted_bars(codec.notes(frames), length, bar, beat):
        notes, source_start, source_root, _ = library[int(((views - view) ** 2).sum(1).argmin())]
        shift = nearest_shift(root, source_root)
        placed.append(bar_shape(notes, source_start, bar) + [shift, start, start])
    return codec.frames_from_notes(np.concatenate(placed).astype(np.int64), length)
