"""Measures on notes and boolean piano rolls (numpy only): what the MIDI codec reports.

Rolls are shape=(T, 128), True where a pitch sounds; notes are int arrays, shape=(n, 3), of
``(pitch, start_step, end_step)``.
"""

from __future__ import annotations

import numpy as np

from seqimg.codecs.note_geometry import top_voice
from seqimg.measures import correlation

MAJOR = np.array([0, 2, 4, 5, 7, 9, 11])


def cosine(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cosine similarity; None when both are zero, 0 when only one is."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 and nb == 0:
        return None
    return 0.0 if na == 0 or nb == 0 else float(a @ b / (na * nb))


def chroma_similarity(a: np.ndarray, b: np.ndarray, window: int) -> float:
    """Mean cosine of pitch-class histograms of aligned windows of two rolls (T, 128)."""
    length = min(len(a), len(b))
    scores = []
    for start in range(0, length, window):
        ca = a[start : start + window].sum(0).reshape(-1)
        cb = b[start : start + window].sum(0).reshape(-1)
        score = cosine(np.bincount(np.arange(128) % 12, ca, 12),
                       np.bincount(np.arange(128) % 12, cb, 12))
        if score is not None:
            scores.append(score)
    return float(np.mean(scores)) if scores else 0.0


def top_pitch(sounding: np.ndarray) -> np.ndarray:
    """The top voice of a roll (T, 128) as floats, NaN where silent, for a correlation."""
    top = top_voice(sounding)
    return np.where(top >= 0, top, np.nan)


def roll_similarity(a: np.ndarray, b: np.ndarray, window: int,
                    bar: int) -> dict[str, float]:
    """Pitch-class similarity per window and per bar of ``bar`` steps (harmony kept bar by
    bar, which a drone under the right key cannot fake) and top-voice contour correlation of
    two rolls (T, 128)."""
    return {"chroma": chroma_similarity(a, b, window),
            "bar_chroma": chroma_similarity(a, b, bar),
            "contour": correlation(top_pitch(a), top_pitch(b))}


def bar_measures(notes: np.ndarray, sounding: np.ndarray, bar: int) -> dict[str, float]:
    """What tells texture from a drone or from scattered fragments, bar by bar: distinct
    pitches per sounding bar, the share of notes held longer than a bar, and how much each
    bar's onsets (pitch, position in the bar) repeat the previous bar's (Jaccard; riffs
    repeat, chorales rarely do; bars without onsets on either side are left out)."""
    bars = max(len(sounding) // bar, 1)
    per_bar = [np.flatnonzero(sounding[i * bar : (i + 1) * bar].any(0)) for i in range(bars)]
    heard = [len(p) for p in per_bar if len(p)]
    onsets = [set() for _ in range(bars)]
    for pitch, start, _ in notes:
        if start // bar < bars:
            onsets[start // bar].add((int(pitch), int(start % bar)))
    overlaps = [len(x & y) / len(x | y) for x, y in zip(onsets, onsets[1:]) if x or y]
    return {"pitches_per_bar": float(np.mean(heard)) if heard else 0.0,
            "long_note_share": float(((notes[:, 2] - notes[:, 1]) > bar).mean()),
            "bar_repetition": float(np.mean(overlaps)) if overlaps else 0.0}


def note_statistics(notes: np.ndarray, sounding: np.ndarray,
                    steps_per_beat: int, bar: int) -> dict[str, float]:
    """Per-piece statistics of notes and their roll (bars of ``bar`` steps): what a piece of a
    genre tends to look like; empty for a piece without notes."""
    if not len(notes):
        return {}
    pitches, lengths = notes[:, 0], notes[:, 2] - notes[:, 1]
    counts = sounding.sum(1)
    beat = steps_per_beat
    beats = counts[: len(counts) // beat * beat].reshape(-1, beat).sum(1) if len(counts) >= beat \
        else counts[None].sum(1)
    in_scale = max(np.isin(pitches % 12, (MAJOR + k) % 12).mean() for k in range(12))
    return {
        "pitch_range": float(pitches.max() - pitches.min()),
        "pitch_classes": float(len(np.unique(pitches % 12))),
        "distinct_pitches": float(len(np.unique(pitches))),
        "polyphony": float(counts[counts > 0].mean()) if (counts > 0).any() else 0.0,
        "note_density": float(len(notes) / len(sounding)),
        "note_length": float(lengths.mean()),
        "one_step_share": float((lengths == 1).mean()),
        "empty_beat_rate": float((beats == 0).mean()),
        "scale_consistency": float(in_scale),
        **bar_measures(notes, sounding, bar),
    }
