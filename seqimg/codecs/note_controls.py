"""Controls for MIDI transfers: cheap, rule-made versions of the source that a learned transfer
must beat. Each maps a codec and a piece's frames, shape=(T, F), to new frames of that codec.

- ``sixteenths``: every note split into one-step notes. It keeps all content and fooled a genre
  classifier in trials (89% "metal"), so strength alone cannot tell it from a transfer.
- ``power_chords``: a short arranger: on every beat a power chord (root, fifth, octave) on the
  beat's lowest note, struck on every step, with the top voice kept an octave lower.
"""

from __future__ import annotations

import numpy as np

from seqimg.codecs.capabilities import NoteCodec, needs

POWER_CHORD = (0, 7, 12)
ROOT_LOW = 40  # power-chord roots are moved into E2..D#3, a guitar's low register


@needs(NoteCodec)
def sixteenths(codec, frames: np.ndarray) -> np.ndarray:
    """Every note of the piece split into notes one step long."""
    notes = codec.notes(frames)
    split = [(pitch, step, step + 1) for pitch, start, end in notes for step in range(start, end)]
    return codec.frames_from_notes(np.asarray(split, dtype=np.int64).reshape(-1, 3), len(frames))


def top_voice_notes(notes: np.ndarray, sounding: np.ndarray) -> np.ndarray:
    """The notes that are the highest sounding pitch when they start."""
    tops = [n for n in notes if sounding[n[1], n[0] + 1 :].sum() == 0]
    return np.asarray(tops, dtype=np.int64).reshape(-1, 3)


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
