"""Pure functions between notes on a time grid and frame arrays in [-1, 1].

Notes are int arrays, shape=(n, 3): ``(pitch, start_step, end_step)`` with ``end > start``.
"""

from __future__ import annotations

import numpy as np

VOICES = 3
REST_LEVEL = -1.0
PITCH_LOW_LEVEL = -0.8  # lowest pitch of the range; rests sit clearly below it


def notes_in(notes: np.ndarray, start: int, end: int) -> np.ndarray:
    """The notes, shape=(n, 3 or more) as (pitch, start, end, ...), sounding in steps
    ``start..end``, cut to that span."""
    inside = notes[(notes[:, 1] < end) & (notes[:, 2] > start)].copy()
    inside[:, 1:3] = np.clip(inside[:, 1:3], start, end)
    return inside


def sounding_and_onsets(notes: np.ndarray, length: int, low: int, high: int) -> tuple:
    """Boolean rolls, shape=(T, P) each, of sounding pitches and note onsets in ``low..high``."""
    n_pitches = high - low + 1
    sounding = np.zeros((length, n_pitches), dtype=bool)
    onsets = np.zeros((length, n_pitches), dtype=bool)
    for pitch, start, end in notes:
        sounding[start:end, pitch - low] = True
        onsets[start, pitch - low] = True
    return sounding, onsets


def resolved(notes: np.ndarray, length: int) -> np.ndarray:
    """Notes, shape=(n, 3), as a roll of ``length`` steps holds them, made without the roll:
    what :func:`rolls_to_notes` gives of :func:`sounding_and_onsets` (with or without
    :func:`onset_rule`). Same-pitch notes that overlap become one note per onset, each lasting
    to the next onset of its pitch or the end of the sounding run; sorted by start, then pitch.
    A note that starts at or after ``length`` is dropped, one that outlasts it is cut, and a
    note shorter than a step lasts one."""
    notes = notes[(notes[:, 1] >= 0) & (notes[:, 1] < length)]
    if not len(notes):
        return np.zeros((0, 3), dtype=np.int64)
    pitch, start = notes[:, 0].astype(np.int64), notes[:, 1].astype(np.int64)
    end = np.clip(np.maximum(notes[:, 2], start + 1), None, length).astype(np.int64)
    order = np.lexsort((-end, start, pitch))  # by pitch, then onset; the longest note first
    pitch, start, end = pitch[order], start[order], end[order]
    span = int(length) + 1
    # the furthest end of the pitch's notes begun so far: where its sounding run stops
    group = (pitch - pitch.min()) * span
    reach = np.maximum.accumulate(group + end) - group
    onset = np.r_[True, (pitch[1:] != pitch[:-1]) | (start[1:] != start[:-1])]
    pitch, start, reach = pitch[onset], start[onset], reach[onset]
    following = np.r_[np.where(pitch[1:] == pitch[:-1], start[1:], span), span]
    out = np.column_stack([pitch, start, np.minimum(following, reach)])
    return out[np.lexsort((out[:, 0], out[:, 1]))]


def rolls_to_notes(sounding: np.ndarray, onsets: np.ndarray, low: int) -> np.ndarray:
    """Notes from boolean rolls, shape=(T, P): a note starts only at an onset and lasts while
    its pitch keeps sounding without a new onset, so a wavering pitch never becomes a stream."""
    notes = []
    length = len(sounding)
    for column in range(sounding.shape[1]):
        starts = np.flatnonzero(onsets[:, column])
        for i, start in enumerate(starts):
            stop = starts[i + 1] if i + 1 < len(starts) else length
            silent = np.flatnonzero(~sounding[start + 1 : stop, column])
            end = start + 1 + (silent[0] if len(silent) else stop - start - 1)
            notes.append((low + column, start, end))
    notes.sort(key=lambda n: (n[1], n[0]))
    return np.asarray(notes, dtype=np.int64).reshape(-1, 3)


def onset_rule(sounding: np.ndarray, onsets: np.ndarray) -> np.ndarray:
    """Onsets a decoder can trust, boolean rolls shape=(T, P): onset = sounding AND (onset OR
    start of a sounding run), so a stray onset makes no note and no sounding run goes unplayed."""
    starts = sounding.copy()
    starts[1:] &= ~sounding[:-1]
    return sounding & (onsets | starts)


def to_levels(mask: np.ndarray) -> np.ndarray:
    """Booleans to +1 / -1 levels, float32."""
    return np.where(mask, 1.0, -1.0).astype(np.float32)


def notes_to_pitch_channels(notes: np.ndarray, length: int, low: int, high: int) -> np.ndarray:
    """Notes to frames, shape=(T, 2P): P sounding levels then P onset levels."""
    sounding, onsets = sounding_and_onsets(notes, length, low, high)
    return np.concatenate([to_levels(sounding), to_levels(onsets)], axis=1)


def pitch_channel_rolls(frames: np.ndarray, n_pitches: int) -> tuple[np.ndarray, np.ndarray]:
    """Boolean sounding and onset rolls, shape=(T, P) each, of pitch-channel frames; levels
    above 0 count as on."""
    return frames[:, :n_pitches] > 0, frames[:, n_pitches : 2 * n_pitches] > 0


def pitch_channels_to_notes(frames: np.ndarray, low: int, high: int) -> np.ndarray:
    """Invert :func:`notes_to_pitch_channels`."""
    return rolls_to_notes(*pitch_channel_rolls(frames, high - low + 1), low)


def notes_to_pitch_levels(notes: np.ndarray, length: int, low: int, high: int) -> np.ndarray:
    """Notes to frames, shape=(T, P), one channel per pitch: +1 at an onset, 0 while the note
    is held, -1 silent; onset and sustain cannot drift apart as two channels can."""
    sounding, onsets = sounding_and_onsets(notes, length, low, high)
    return np.where(onsets, 1.0, np.where(sounding, 0.0, -1.0)).astype(np.float32)


def pitch_level_rolls(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean sounding and onset rolls of pitch-level frames, shape=(T, P): above -0.5
    sounds, above 0.5 is an onset."""
    return frames > -0.5, frames > 0.5


def pitch_levels_to_notes(frames: np.ndarray, low: int) -> np.ndarray:
    """Invert :func:`notes_to_pitch_levels`."""
    return rolls_to_notes(*pitch_level_rolls(frames), low)


def pitch_level(pitch: np.ndarray, low: int, high: int) -> np.ndarray:
    """Pitches in ``low..high`` to scalar levels in [-0.8, 1]."""
    return PITCH_LOW_LEVEL + (1 - PITCH_LOW_LEVEL) * (pitch - low) / (high - low)


def level_pitch(level: np.ndarray, low: int, high: int) -> np.ndarray:
    """Invert :func:`pitch_level`, rounding to the nearest pitch; rests give -1."""
    pitch = np.rint((level - PITCH_LOW_LEVEL) / (1 - PITCH_LOW_LEVEL) * (high - low) + low)
    pitch = np.clip(pitch, low, high).astype(np.int64)
    return np.where(level < (REST_LEVEL + PITCH_LOW_LEVEL) / 2, -1, pitch)


def notes_to_voices(notes: np.ndarray, length: int, low: int, high: int) -> np.ndarray:
    """Notes to the seed paper's scalar layout, shape=(T, 6): the highest, middle and lowest
    sounding pitch (rest = -1), then an onset level per voice. Beyond 3 voices, inner ones drop."""
    sounding, onsets = sounding_and_onsets(notes, length, low, high)
    levels = np.full((length, VOICES), REST_LEVEL, dtype=np.float32)
    voice_onsets = np.zeros((length, VOICES), dtype=bool)
    for t in range(length):
        pitches = np.flatnonzero(sounding[t])[::-1]  # highest first
        if len(pitches) > VOICES:
            pitches = np.concatenate([pitches[:2], pitches[-1:]])
        slots = {1: [0], 2: [0, 2], 3: [0, 1, 2]}.get(len(pitches), [])
        for slot, column in zip(slots, pitches):
            levels[t, slot] = pitch_level(low + column, low, high)
            voice_onsets[t, slot] = onsets[t, column]
    return np.concatenate([levels, to_levels(voice_onsets)], axis=1)


def voices_to_notes(frames: np.ndarray, low: int, high: int) -> np.ndarray:
    """Invert :func:`notes_to_voices`: per pitch, notes start at a voice onset only."""
    length = len(frames)
    n_pitches = high - low + 1
    sounding = np.zeros((length, n_pitches), dtype=bool)
    onsets = np.zeros((length, n_pitches), dtype=bool)
    pitches = level_pitch(frames[:, :VOICES], low, high)
    steps, voices = np.nonzero(pitches >= 0)
    columns = pitches[steps, voices] - low
    sounding[steps, columns] = True
    onsets[steps, columns] |= frames[steps, VOICES + voices] > 0
    return rolls_to_notes(sounding, onsets, low)


def transpose_pitch_blocks(frames: np.ndarray, semitones: int, n_pitches: int,
                           blocks: int) -> np.ndarray:
    """Shift the first ``blocks`` blocks of ``n_pitches`` features (sounding, onset) by
    ``semitones``; notes pushed out of the range are dropped, extra features (drums) kept.
    Frames, shape=(..., F), as a numpy array or a torch tensor."""
    out = frames * 1  # a copy of either kind
    for start in range(0, blocks * n_pitches, n_pitches):
        block = frames[..., start : start + n_pitches]
        out[..., start : start + n_pitches] = -1.0
        if semitones >= 0:
            out[..., start + semitones : start + n_pitches] = block[..., : n_pitches - semitones]
        else:
            out[..., start : start + n_pitches + semitones] = block[..., -semitones:]
    return out
