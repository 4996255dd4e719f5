"""Bars of a note piece and their harmonic views, as numpy arrays: what the donor method matches.

A bar's view is its pitch-class histogram (time each pitch class sounds, shares summing to 1)
beside the lowest sounding pitch class of each beat (one-hot, zero for a silent beat): the
absolute harmony of the bar, so that transposing the bar rolls the view's pitch classes.
"""

from __future__ import annotations

import numpy as np

from seqimg.codecs.notes import notes_in, sounding_and_onsets

CLASSES = 12


def bar_views(notes: np.ndarray, length: int, bar: int, beat: int) -> np.ndarray:
    """Views of the ``length // bar`` whole bars of a piece, shape=(bars, 12 + 12 * beats):
    the histogram, then each beat's lowest pitch class; all zero for a silent bar."""
    bars, beats = length // bar, bar // beat
    sounding = sounding_and_onsets(notes_in(notes, 0, bars * bar), bars * bar, 0, 127)[0]
    sounding = sounding.reshape(bars, beats, beat, 128)
    classes = np.arange(128) % CLASSES
    time = sounding.sum((1, 2)).astype(np.float32)  # (bars, 128)
    histogram = np.zeros((bars, CLASSES), np.float32)
    np.add.at(histogram.T, classes, time.T)
    histogram /= np.maximum(histogram.sum(1, keepdims=True), 1.0)
    on = sounding.any(2)  # (bars, beats, 128)
    lowest = classes[on.argmax(-1)]
    bass = np.zeros((bars, beats, CLASSES), np.float32)
    np.put_along_axis(bass, lowest[..., None], 1.0, -1)
    bass *= on.any(-1, keepdims=True)
    return np.concatenate([histogram, bass.reshape(bars, beats * CLASSES)], 1)


def transposed_views(views: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Views, shape=(N, D), of bars moved by each of ``shifts`` semitones, shape=(K, N, D):
    every block of 12 pitch classes rolled."""
    blocks = views.reshape(len(views), -1, CLASSES)
    return np.stack([np.roll(blocks, int(k), -1).reshape(views.shape) for k in shifts])


def first_equal_bars(notes: np.ndarray, bars: int, bar: int) -> np.ndarray:
    """For each bar of a piece, the first bar with exactly its notes (itself when none came
    before), shape=(bars,): where the piece repeats itself."""
    seen: dict[bytes, int] = {}
    first = np.arange(bars)
    for index in range(bars):
        key = (notes_in(notes, index * bar, (index + 1) * bar) - [0, index * bar, index * bar])
        key = key[np.lexsort(key.T[::-1])].tobytes()
        first[index] = seen.setdefault(key, index)
    return first
