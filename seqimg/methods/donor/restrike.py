"""Held chords re-struck with the drummer: each rhythm-guitar and bass note of the donors held
half a bar or longer is split on every beat where a kick drum of the same donors plays inside
it. Where a donor holds a chord under the tune (a pad), the band then strikes it with its own
kick drum, as a metal rhythm section does; shorter notes, and kicks between beats, are left as
they are."""

from __future__ import annotations

import numpy as np

from seqimg.codecs.capabilities import DRUM_PART
from seqimg.codecs.midi_parts import BASS, DRUM_GROUPS, RHYTHM
from seqimg.methods.donor.melody import strike_at


def on_the_kick(notes: np.ndarray, bar: int, beat: int) -> np.ndarray:
    """Notes in parts, shape=(n, 4) as (pitch, start, end, part), with every rhythm-guitar and
    bass note of ``bar // 2`` steps or more split at each kick-drum hit inside it that falls on
    a beat (a multiple of ``beat`` steps)."""
    kicks = notes[(notes[:, 3] == DRUM_PART) & np.isin(notes[:, 0], DRUM_GROUPS["kick"]), 1]
    held = np.isin(notes[:, 3], (RHYTHM, BASS)) & (notes[:, 2] - notes[:, 1] >= bar // 2)
    on_beats = np.unique(kicks[kicks % beat == 0])
    return np.concatenate([notes[~held], strike_at(notes[held], on_beats)])
