"""What a band's parts do bar by bar, the idiom a listener hears as metal or not: how many drum
hits, rhythm-guitar onsets and lead notes a bar holds, how often the rhythm part strikes a power
chord (a root and its fifth, octaves allowed) and how often it strikes again what it just struck
(the repeated, palm-muted notes of a riff). Pure functions of one piece's part notes, so that
tests can give them hand-written arrays; the ``parts`` encoding reads them as statistics."""

from __future__ import annotations

import numpy as np

POWER_CHORD = frozenset({0, 7})  # pitch classes relative to the lowest: a root and its fifth


def onset_chords(notes: np.ndarray) -> list[frozenset[int]]:
    """The pitches struck together at each onset step of notes (pitch, start, end), in time
    order."""
    chords: dict[int, set[int]] = {}
    for pitch, start, _ in notes.tolist():
        chords.setdefault(start, set()).add(pitch)
    return [frozenset(chords[step]) for step in sorted(chords)]


def is_power_chord(chord: frozenset[int]) -> bool:
    """Whether the pitches are a root and its fifth, octaves allowed."""
    return {(p - min(chord)) % 12 for p in chord} == POWER_CHORD


def part_statistics(lead: np.ndarray, rhythm: np.ndarray, drum_steps: np.ndarray,
                    length: int, bar: int) -> dict[str, float]:
    """Drum hits, rhythm-part onsets and lead notes per bar of one piece of ``length`` steps
    (notes (pitch, start, end) per part; drum hit steps), and where the rhythm part gives them,
    ``power_chord_share`` (of its onsets that strike two or more pitches, the share that are a
    power chord) and ``repeated_onset_share`` (of its onsets after the first, the share that
    strike the same pitches as the one before)."""
    bars = max(length / bar, 1.0)
    chords = onset_chords(rhythm)
    out = {"drum_hits_per_bar": len(drum_steps) / bars,
           "rhythm_onsets_per_bar": len(chords) / bars,
           "lead_notes_per_bar": len(lead) / bars}
    struck = [c for c in chords if len(c) >= 2]
    if struck:
        out["power_chord_share"] = float(np.mean([is_power_chord(c) for c in struck]))
    if len(chords) >= 2:
        out["repeated_onset_share"] = float(np.mean([a == b for a, b in zip(chords, chords[1:])]))
    return out
