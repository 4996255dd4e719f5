"""Differentiable content views of MIDI frames: what a transfer must keep of a piece.

Each view maps frames, a tensor of shape=(B, T, F) in a pitch layout, to a tensor of
shape=(B, T', V) with values in [0, 1] (``voicing``, which counts, in [0, voices]); they use
tensor methods only (no torch import), so the codec can offer them without importing torch
itself. A cell's level in [-1, 1] is read as the probability that it is on, so views of a
soft output are soft and views of a hard output are exact.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-6


def pitch_class_matrix(low: int, n_pitches: int) -> np.ndarray:
    """shape=(P, 12): row p is one-hot on the pitch class of MIDI pitch ``low + p``."""
    matrix = np.zeros((n_pitches, 12), dtype=np.float32)
    matrix[np.arange(n_pitches), (low + np.arange(n_pitches)) % 12] = 1.0
    return matrix


def on_probabilities(frames, n_pitches: int, levels_layout: bool):
    """Probabilities, shape=(B, T, P) each, that a pitch sounds and that it starts. Pitch
    channels hold sounding then onset levels (+1 on, -1 off); pitch levels hold +1 at an
    onset, 0 while held, -1 silent."""
    if levels_layout:
        x = frames[..., :n_pitches]
        return (x + 1).clamp(0, 1), x.clamp(0, 1)
    on = ((frames[..., : 2 * n_pitches] + 1) / 2).clamp(0, 1)
    return on[..., :n_pitches], on[..., n_pitches:]


def any_of(probabilities, matrix):
    """Soft OR of independent events grouped by ``matrix``, shape=(P, G): the probability that
    at least one pitch of each group is on, shape=(B, T, G). The product of the members' misses
    is taken directly, not through logarithms, so that a cell that is on (probability 1, as
    after snapping) still gets a gradient when it is the only one on in its group."""
    misses = 1 - probabilities.unsqueeze(-1) * matrix  # (B, T, P, G); 1 for non-members
    return 1 - misses.prod(-2)


def lowest(probabilities):
    """Weight of each pitch being the lowest one on: p_i * prod_{j<i} (1 - p_j)."""
    below = probabilities.new_ones(probabilities.shape)
    below[..., 1:] = (1 - probabilities[..., :-1]).cumprod(-1)
    return probabilities * below


def onset_rule(sounding, onsets):
    """Soft :func:`seqimg.codecs.notes.onset_rule` on probabilities, shape=(B, T, P): sounding
    AND (onset OR start of a sounding run); exact on 0/1 values."""
    previous = sounding.new_zeros(sounding.shape)
    previous[:, 1:] = sounding[:, :-1]
    starts = sounding * (1 - previous)
    return sounding * (onsets + starts - onsets * starts)


def tidy_onsets(frames, n_pitches: int, levels_layout: bool):
    """Frames, shape=(B, T, F), with the onset rule applied, in the same layout."""
    sounding, onsets = on_probabilities(frames, n_pitches, levels_layout)
    ruled = onset_rule(sounding, onsets)
    out = frames.clone()
    if levels_layout:
        out[..., :n_pitches] = sounding + ruled - 1  # silent -1, held 0, onset +1
    else:
        out[..., n_pitches : 2 * n_pitches] = 2 * ruled - 1
    return out


def per_beat(values, steps_per_beat: int):
    """Mean over the steps of each beat: shape=(B, T, V) -> (B, T // beat, V)."""
    count, steps, width = values.shape
    beats = steps // steps_per_beat
    cropped = values[:, : beats * steps_per_beat]
    return cropped.reshape(count, beats, steps_per_beat, width).mean(2)


class NoteViews:
    """The views of one MIDI codec's frames, each a method ``(B, T, F) -> (B, T', V)``."""

    def __init__(self, low: int, n_pitches: int, steps_per_beat: int, levels_layout: bool):
        self.n_pitches, self.beat, self.levels_layout = n_pitches, steps_per_beat, levels_layout
        self.classes = pitch_class_matrix(low, n_pitches)

    def _rolls(self, frames):
        sounding, onsets = on_probabilities(frames, self.n_pitches, self.levels_layout)
        return sounding, onsets, frames.new_tensor(self.classes)

    def harmony(self, frames):
        """Pitch classes sounding, per beat: shape=(B, beats, 12)."""
        sounding, _, classes = self._rolls(frames)
        return per_beat(any_of(sounding, classes), self.beat)

    def voicing(self, frames):
        """Pitches sounding in each pitch class, per beat, counted: shape=(B, beats, 12). Unlike
        ``harmony``'s soft OR, a doubled octave or an added drone changes it."""
        sounding, _, classes = self._rolls(frames)
        return per_beat(sounding @ classes, self.beat)

    def bass(self, frames):
        """Pitch class of the lowest sounding note, per beat: shape=(B, beats, 12)."""
        sounding, _, classes = self._rolls(frames)
        return per_beat(lowest(sounding) @ classes, self.beat)

    def melody(self, frames):
        """Pitch class of the highest sounding note, per step: shape=(B, T, 12)."""
        sounding, _, classes = self._rolls(frames)
        return lowest(sounding.flip(-1)).flip(-1) @ classes

    def chroma(self, frames):
        """Each pitch class's share of the pitches sounding, per step: shape=(B, T, 12), rows
        summing to 1 (0 in silence); what the audio codec's ``chroma`` measures of a sound."""
        sounding, _, classes = self._rolls(frames)
        counts = sounding @ classes
        return counts / (counts.sum(-1, keepdim=True) + 1e-6)

    def rhythm(self, frames):
        """Whether any note starts, per step: shape=(B, T, 1)."""
        _, onsets, _ = self._rolls(frames)
        return any_of(onsets, onsets.new_ones(self.n_pitches, 1))

    def content(self) -> dict:
        return {"harmony": self.harmony, "voicing": self.voicing, "bass": self.bass,
                "melody": self.melody, "chroma": self.chroma, "rhythm": self.rhythm}

    # -- statistics of a whole batch, each a scalar tensor ------------------------------------
    def register(self, frames):
        """Mean sounding pitch, as a fraction of the range (0 lowest, 1 highest)."""
        sounding, _, _ = self._rolls(frames)
        position = sounding.new_tensor(np.linspace(0.0, 1.0, self.n_pitches, dtype=np.float32))
        return (sounding * position).sum() / sounding.sum().clamp_min(EPS)

    def polyphony(self, frames):
        """Mean number of pitches sounding per step."""
        sounding, _, _ = self._rolls(frames)
        return sounding.sum(-1).mean()

    def density(self, frames):
        """Mean number of notes starting per beat."""
        _, onsets, _ = self._rolls(frames)
        return onsets.sum(-1).mean() * self.beat

    def pitches(self, frames):
        """Mean number of distinct pitches sounding in a window (a soft OR over its steps): a
        stray note on a pitch the window does not otherwise use counts a whole pitch."""
        sounding, _, _ = self._rolls(frames)
        return (1 - (1 - sounding).prod(1)).sum(-1).mean()

    def batch_statistics(self) -> dict:
        return {"register": self.register, "polyphony": self.polyphony, "density": self.density,
                "pitches": self.pitches}
