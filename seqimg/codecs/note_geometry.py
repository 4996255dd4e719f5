"""Note geometry in one place: how a note piece divides into bars and what a bar, its harmony
and its top voice are. The donor, the MIDI controls, copying, riffs and the note measures all
read a piece through these functions, so each of them sees the same bar.

Notes are int arrays, shape=(n, 3 or more), of ``(pitch, start_step, end_step, ...)``; a bar
is ``bar`` steps, a beat ``beat`` steps.
"""

from __future__ import annotations

import numpy as np

from seqimg.codecs.capabilities import DRUM_PART
from seqimg.codecs.notes import notes_in, sounding_and_onsets

CLASSES = 12


def bars_covering(length: int, bar: int) -> int:
    """How many bars, the last one possibly partial, cover ``length`` steps."""
    return -(-length // bar)


def nearest_shift(to, start):
    """The smallest move in semitones from pitch class ``start`` to ``to`` (-6..5); works on
    ints, numpy arrays and torch tensors alike."""
    return (to - start + 6) % CLASSES - 6


def octaves_into(pitches: np.ndarray, low: int, high: int) -> np.ndarray:
    """Pitches moved by whole octaves into ``low..high`` (those inside stay): a note that a
    transposition pushed out of a codec's range is kept an octave away, not dropped. A pitch no
    octave of which lies in a range narrower than an octave takes the range's nearest end."""
    up = np.where(pitches < low, pitches + 12 * -(-(low - pitches) // 12), pitches)
    moved = np.where(up > high, up - 12 * -(-(up - high) // 12), up)
    return np.where((moved >= low) & (moved <= high), moved, np.clip(pitches, low, high))


def merged_parts(notes: np.ndarray) -> np.ndarray:
    """The pitched notes of notes in parts, shape=(n, 4), as one line-up, shape=(m, 3), sorted
    by onset then pitch (a pitch two parts double kept twice): what a codec's ``notes`` decodes
    of the same frames."""
    pitched = notes[notes[:, 3] != DRUM_PART, :3]
    return pitched[np.lexsort((pitched[:, 0], pitched[:, 1]))]


def bar_shape(notes: np.ndarray, start: int, bar: int) -> np.ndarray:
    """The notes, shape=(n, 3), sounding in the bar from ``start``, cut to it, timed from its
    first step and sorted (pitch, start, end): equal bars give equal arrays."""
    shape = notes_in(notes[:, :3], start, start + bar) - [0, start, start]
    return shape[np.lexsort(shape.T[::-1])]


def first_equal_bars(notes: np.ndarray, bars: int, bar: int) -> np.ndarray:
    """For each bar of a piece, the first bar with exactly its notes (itself when none came
    before), shape=(bars,): where the piece repeats itself."""
    seen: dict[bytes, int] = {}
    first = np.arange(bars)
    for index in range(bars):
        first[index] = seen.setdefault(bar_shape(notes, index * bar, bar).tobytes(), index)
    return first


def bar_views(notes: np.ndarray, length: int, bar: int, beat: int) -> np.ndarray:
    """Views of the ``length // bar`` whole bars of a piece, shape=(bars, 12 + 12 * beats):
    the time each pitch class sounds as shares summing to 1, then each beat's lowest sounding
    pitch class, one-hot (zero for a silent beat); all zero for a silent bar. The bar's
    absolute harmony: transposing the bar rolls the view's pitch classes."""
    bars, beats = length // bar, bar // beat
    sounding = sounding_and_onsets(notes_in(notes[:, :3], 0, bars * bar), bars * bar, 0, 127)[0]
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


def rooted_bars(notes: np.ndarray, length: int, bar: int, beat: int) -> list:
    """(start, root, view) of every sounding whole bar of a piece: its :func:`bar_views` view
    rolled to its root (the lowest pitch class of its first sounding beat), so that bars of
    one harmony in any key look alike."""
    views = bar_views(notes, length, bar, beat)
    out = []
    for index, view in enumerate(views):
        basses = view[CLASSES:].reshape(-1, CLASSES)
        sounding = np.flatnonzero(basses.any(1))
        if not len(sounding):
            continue
        root = int(basses[sounding[0]].argmax())
        out.append((index * bar, root, np.roll(view.reshape(-1, CLASSES), -root, 1).ravel()))
    return out


def bar_classes(notes: np.ndarray, bars: int, bar: int, held: bool = True) -> np.ndarray:
    """Which pitch classes each of ``bars`` bars has, shape=(bars, 12), bool: those sounding
    in it (``held``), or only those of the notes that start in it."""
    classes = np.zeros((bars, CLASSES), dtype=bool)
    if not held:
        started = notes[notes[:, 1] < bars * bar]
        classes[started[:, 1] // bar, started[:, 0] % CLASSES] = True
        return classes
    for pitch, start, end in notes[:, :3].tolist():
        classes[start // bar : min(bars_covering(end, bar), bars), pitch % CLASSES] = True
    return classes


def top_voice(sounding: np.ndarray) -> np.ndarray:
    """The highest sounding pitch at each step of a roll, shape=(T, 128) -> (T,); -1 where
    silent."""
    return np.where(sounding.any(1), 127 - np.argmax(sounding[:, ::-1], axis=1), -1)


def highest_sounding(notes: np.ndarray, length: int) -> np.ndarray:
    """The highest pitch of the notes sounding at each step, shape=(length,); -1 where none
    sounds. Unlike :func:`top_voice` it reads notes, so a pitch moved past 127 stays."""
    sounding = np.full(length, -1)
    for pitch, start, end, *_ in notes.tolist():
        sounding[start:end] = np.maximum(sounding[start:end], pitch)
    return sounding


def top_voice_notes(notes: np.ndarray, sounding: np.ndarray) -> np.ndarray:
    """The notes, shape=(n, 3), that are the highest sounding pitch of the roll ``sounding``,
    shape=(T, 128), when they start."""
    tops = [n for n in notes if sounding[n[1], n[0] + 1 :].sum() == 0]
    return np.asarray(tops, dtype=np.int64).reshape(-1, 3)


def highest_onsets(notes: np.ndarray) -> np.ndarray:
    """Indices of the highest note starting at each onset of the notes, in time order."""
    order = np.lexsort((-notes[:, 0], notes[:, 1]))
    return order[np.r_[True, np.diff(notes[order, 1]) != 0]] if len(order) else order
