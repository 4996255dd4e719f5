"""Adaptation beyond transposition: a donor chord whose root clashes with the source bar's
harmony is moved, as a block, to the nearest root that belongs to it, so that power-chord
shapes stay whole while the bar's pitch classes follow the source's."""

from __future__ import annotations

import numpy as np

from seqimg.codecs.note_geometry import bar_classes, bars_covering

MOVES = (-1, 1, -2, 2)  # semitones tried, the smallest first


def to_chord_tones(donor: np.ndarray, source: np.ndarray, bar: int, length: int) -> np.ndarray:
    """Donor notes, shape=(n, 3 or more) as (pitch, start, end, ...), each chord (the notes
    sharing a start and an end) moved by the smallest of :data:`MOVES` that puts its lowest
    pitch class among the classes sounding in the source's bar; chords already on one, or that
    no move puts on one, stay."""
    wanted = bar_classes(source, bars_covering(length, bar), bar)
    out = donor.copy()
    for start, end in set(map(tuple, donor[:, 1:3].tolist())):
        block = (donor[:, 1] == start) & (donor[:, 2] == end)
        allowed = wanted[min(start // bar, len(wanted) - 1)]
        root = int(donor[block, 0].min()) % 12
        if allowed[root] or not allowed.any():
            continue
        move = next((m for m in MOVES if allowed[(root + m) % 12]), 0)
        out[block, 0] += move
    return out
