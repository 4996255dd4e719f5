"""Held chords re-struck with the drummer: each rhythm-guitar and bass note of the donors held
across a kick-drum hit of the same donors is split there. Where a donor holds a chord under the
tune (a pad), the band then chugs with its own kick drum, as a metal rhythm section does; what
is already struck on the kick is left as it is."""

from __future__ import annotations

import numpy as np

from seqimg.codecs.capabilities import DRUM_PART
from seqimg.codecs.midi_parts import BASS, DRUM_GROUPS, RHYTHM
from seqimg.methods.donor.melody import strike_at


def on_the_kick(notes: np.ndarray) -> np.ndarray:
    """Notes in parts, shape=(n, 4) as (pitch, start, end, part), with every rhythm-guitar and
    bass note split at each kick-drum hit that falls inside it."""
    kicks = notes[(notes[:, 3] == DRUM_PART) & np.isin(notes[:, 0], DRUM_GROUPS["kick"]), 1]
    held = np.isin(notes[:, 3], (RHYTHM, BASS))
    return np.concatenate([notes[~held], strike_at(notes[held], np.unique(kicks))])
