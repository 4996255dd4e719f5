"""Differentiable content views of log-mel frames: ``chroma`` (the energy of each pitch class,
through a fixed mel-band -> pitch-class matrix) and ``loudness`` (mean level per step). Tensor
methods only, so the codec offers them without importing torch."""

from __future__ import annotations

import numpy as np

EPS = 1e-6


def mel_chroma_matrix(bands: int, sample_rate: int) -> np.ndarray:
    """shape=(bands, 12): each mel band's weight on the pitch class of its centre frequency,
    spread over neighbouring classes by how many semitones the band covers (Gaussian in
    semitones), so that wide high bands smear over many classes and narrow low ones do not."""
    import librosa

    edges = librosa.mel_frequencies(bands + 2, fmin=0.0, fmax=sample_rate / 2)
    centres = np.maximum(edges[1:-1], 1.0)
    semitones = 12 * np.log2(centres / 440.0) + 69  # MIDI pitch of each centre
    widths = np.maximum(12 * np.log2(np.maximum(edges[2:], 1.0) / np.maximum(edges[:-2], 1.0)),
                        1.0) / 2
    offsets = (np.arange(12)[None, :] - semitones[:, None] + 6) % 12 - 6  # nearest octave
    weights = np.exp(-0.5 * (offsets / widths[:, None]) ** 2)
    weights[centres < 27.5] = 0.0  # below the piano's lowest A there is no pitch to speak of
    return (weights / weights.sum(1, keepdims=True).clip(EPS)).astype(np.float32)


class MelViews:
    """Views of one audio codec's frames, whose first ``bands`` features are log-mel levels
    scaled from ``db_low..db_high`` to [-1, 1]."""

    def __init__(self, bands: int, sample_rate: int, db_low: float, db_high: float):
        self.bands, self.db_low, self.db_span = bands, db_low, db_high - db_low
        self.matrix = mel_chroma_matrix(bands, sample_rate)

    def power(self, frames):
        db = (frames[..., : self.bands] + 1) / 2 * self.db_span + self.db_low
        return (db * (np.log(10.0) / 10)).exp()

    def chroma(self, frames):
        """Share of each pitch class in the step's energy: shape=(B, T, 12), rows sum to 1."""
        energy = self.power(frames) @ frames.new_tensor(self.matrix)
        return energy / (energy.sum(-1, keepdim=True) + EPS)

    def loudness(self, frames):
        """Mean scaled log-mel level of each step: shape=(B, T, 1)."""
        return frames[..., : self.bands].mean(-1, keepdim=True)

    def content(self) -> dict:
        return {"chroma": self.chroma, "loudness": self.loudness}
