"""The source's melody over donor bars: the melody takes the donors' upper voice. In each bar
the donor notes that start at or above the bar's lowest melody pitch (less a margin) are
removed and the melody is added: as it is ('upper'); re-struck wherever a removed note began,
so that it moves in the donor's rhythm ('struck'); the same, silent where the removed notes
rest ('gated'); or on the removed notes' own onsets and lengths, rests included, so that the
donor's top line keeps its rhythm and takes the melody's pitches ('rhythm')."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqimg.codecs.midi_parts import LEAD, RHYTHM
from seqimg.codecs.note_geometry import bars_covering, highest_sounding


def bar_floors(melody: np.ndarray, bars: int, bar: int, margin: int) -> np.ndarray:
    """Per bar, the lowest melody pitch sounding in it less ``margin``, shape=(bars,); 128 (no
    floor) in bars without melody."""
    floors = np.full(bars, 128)
    for pitch, start, end in melody:
        for index in range(start // bar, min(bars_covering(end, bar), bars)):
            floors[index] = min(floors[index], pitch - margin)
    return floors


def on_grid(melody: np.ndarray, step: int, length: int) -> np.ndarray:
    """The melody, shape=(n, 3), simplified to one pitch per ``step`` steps: the highest
    melody pitch sounding at each cell's start, held over the cell, equal neighbours merged;
    passing notes between the grid's points drop out."""
    sounding = highest_sounding(melody, length)
    out: list[list[int]] = []
    for start in range(0, length, step):
        pitch = int(sounding[start])
        if pitch < 0:
            continue
        if out and out[-1][0] == pitch and out[-1][2] == start:
            out[-1][2] = min(start + step, length)
        else:
            out.append([pitch, start, min(start + step, length)])
    return np.asarray(out, dtype=np.int64).reshape(-1, 3)


def tune_part(melody: np.ndarray, accompaniment: np.ndarray, bar: int, part: str) -> np.ndarray:
    """The part of each melody note, shape=(n,), by the bar it starts in: the lead ('lead'),
    the rhythm guitar, as its top voice ('rhythm'), or the lead in the bars where the donors
    play one and the rhythm guitar elsewhere ('donor_lead': real metal's lead is sparse, 1.6
    notes a bar at the median); ``accompaniment`` holds the donors' notes in parts,
    shape=(m, 4)."""
    if part == "lead":
        return np.full(len(melody), LEAD)
    if part == "rhythm":
        return np.full(len(melody), RHYTHM)
    lead_bars = np.unique(accompaniment[accompaniment[:, 3] == LEAD, 1] // bar)
    return np.where(np.isin(melody[:, 1] // bar, lead_bars), LEAD, RHYTHM)


def strike_at(melody: np.ndarray, onsets: np.ndarray) -> np.ndarray:
    """Melody notes, shape=(n, k) as (pitch, start, end, ...), each split at the ``onsets``
    that fall inside it."""
    out = []
    for pitch, start, end, *rest in melody.tolist():
        cuts = [start, *sorted(int(t) for t in set(onsets[(onsets > start) & (onsets < end)])),
                end]
        out += [(pitch, a, b, *rest) for a, b in zip(cuts[:-1], cuts[1:])]
    return np.asarray(out, dtype=np.int64).reshape(-1, melody.shape[1])


def at_bar_lines(melody: np.ndarray, bar: int, length: int) -> np.ndarray:
    """Melody notes, shape=(n, k), a note held over a bar line split there, so that each bar's
    notes can be kept or replaced alone."""
    return strike_at(melody, np.arange(bar, length, bar))


def on_rhythm(melody: np.ndarray, removed: np.ndarray, bar: int, length: int) -> np.ndarray:
    """Melody notes, shape=(n, k), moved onto the ``removed`` donor notes' rhythm: at each of
    their onsets the highest melody pitch sounding there, until the longest removed note
    starting there ends (or the next onset); bars where nothing was removed keep the melody as
    it is."""
    sounding = highest_sounding(melody, length)
    onsets = np.unique(removed[:, 1])
    ends = np.array([removed[removed[:, 1] == t, 2].max() for t in onsets], dtype=np.int64)
    ends = np.minimum(ends, np.append(onsets[1:], length))
    pitches = sounding[np.minimum(onsets, length - 1)]
    voiced = pitches >= 0
    moved = np.zeros((int(voiced.sum()), melody.shape[1]), dtype=np.int64)
    moved[:, :3] = np.column_stack([pitches[voiced], onsets[voiced], ends[voiced]])
    by_bar = at_bar_lines(melody, bar, length)
    kept = by_bar[~np.isin(by_bar[:, 1] // bar, onsets // bar)]
    return np.concatenate([kept, moved]).astype(np.int64)


def gated(melody: np.ndarray, removed: np.ndarray, bar: int, length: int) -> np.ndarray:
    """Melody notes, shape=(n, k), cut to the steps where a ``removed`` donor note sounds, in
    the bars that had removed notes (the donor's rests kept); other bars keep the melody."""
    sounding = np.zeros(length + 1, dtype=bool)
    for _, start, end, *_ in removed.tolist():
        sounding[start:end] = True
    gated_bars = np.zeros(bars_covering(length, bar) + 1, dtype=bool)
    gated_bars[removed[:, 1] // bar] = True
    out = []
    for note in at_bar_lines(melody, bar, length).tolist():
        pitch, start, end = note[:3]
        if not gated_bars[start // bar]:
            out.append(note)
            continue
        on = np.flatnonzero(np.diff(np.concatenate([[0], sounding[start:end], [0]]).astype(int)))
        out += [[pitch, start + a, start + b, *note[3:]] for a, b in zip(on[::2], on[1::2])]
    return np.asarray(out, dtype=np.int64).reshape(-1, melody.shape[1])


def in_tune_part(accompaniment: np.ndarray, melody: np.ndarray, bar: int,
                 bars: int) -> np.ndarray:
    """Whether each accompaniment note, shape=(n, 4) as (pitch, start, end, part), plays in the
    part the melody takes in its bar, shape=(n,); False in bars without melody."""
    part_of_bar = np.full(bars + 1, -1)
    part_of_bar[melody[:, 1] // bar] = melody[:, 3]
    return accompaniment[:, 3] == part_of_bar[accompaniment[:, 1] // bar]


def take_upper_voice(accompaniment: np.ndarray, melody: np.ndarray, bar: int, length: int,
                     placing: str, margin: int = 2, own_part: bool = False,
                     write: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
                     ) -> np.ndarray:
    """Notes, shape=(n, k) as (pitch, start, end, ...): the ``accompaniment`` without its notes
    at or above each bar's melody floor (:func:`bar_floors`), and the ``melody`` placed as
    ``placing`` says ('upper', 'struck', 'gated' or 'rhythm', the module docstring), both with
    the same columns. With ``own_part`` (notes in parts, k = 4) only the notes of the part the
    melody takes in that bar are removed: the tune replaces its own part's line and the other
    parts play on whole. ``write(melody, kept)``, where given, rewrites the placed melody over
    the kept accompaniment (:func:`seqimg.methods.donor.line.write_line`)."""
    bars = bars_covering(length, bar)
    floors = bar_floors(melody[:, :3], bars, bar, margin)
    removed = accompaniment[:, 0] >= floors[accompaniment[:, 1] // bar]
    if own_part:
        removed &= in_tune_part(accompaniment, melody, bar, bars)
    if placing in ("struck", "gated"):
        melody = strike_at(melody, accompaniment[removed, 1])
    if placing == "gated" and removed.any():
        melody = gated(melody, accompaniment[removed], bar, length)
    elif placing == "rhythm" and removed.any():
        melody = on_rhythm(melody, accompaniment[removed], bar, length)
    if write is not None:
        melody = write(melody, accompaniment[~removed])
    return np.concatenate([accompaniment[~removed], melody]).astype(np.int64)
