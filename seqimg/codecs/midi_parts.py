"""The ``parts`` encoding of the ``midi`` codec: an arrangement as channel groups, so that a method
can write a lead, a rhythm part, a bass and drums instead of one merged roll.

Frames: for each pitched part (lead, rhythm, bass) a block of P sounding then P onset levels,
as the ``pitch-channels`` encoding has, then one onset level per drum sound group. Parts are read
from a file's tracks: drums from the drum channel (10), the bass from a bass program (32-39) or a
track named bass, the lead from a track named lead, melody, soprano or vocal (else the highest of
two or more other tracks), the rhythm part from the rest; sound effects (programs 112-127) are
dropped. A written file has one named track per part, in each part's program.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqimg.codecs import notes as nt

PARTS = ("lead", "rhythm", "bass")  # the pitched parts, in frame order; drums come last
LEAD, RHYTHM, BASS, DROPPED = 0, 1, 2, -1
LEAD_NAMES = ("lead", "melody", "soprano", "vocal", "voice", "solo")
EFFECTS = 112  # General MIDI programs from here on are sound effects
# General MIDI drum sounds by group; each group is written back as its first sound
DRUM_GROUPS = {"kick": (36, 35), "snare": (38, 37, 39, 40), "hihat": (42, 44, 46),
               "tom": (45, 41, 43, 47, 48, 50), "cymbal": (49, 51, 52, 53, 55, 57, 59)}
DRUM_GROUP_OF = {pitch: g for g, pitches in enumerate(DRUM_GROUPS.values()) for pitch in pitches}
DRUM_SOUNDS = np.array([pitches[0] for pitches in DRUM_GROUPS.values()], dtype=np.int64)


def track_parts(tracks: tuple[tuple[str, int], ...], mean_pitch: np.ndarray,
                counts: np.ndarray) -> np.ndarray:
    """The part of each pitched track, shape=(tracks,): by its name and program, the lead by
    name or else as the highest-sounding of two or more other tracks that hold notes."""
    parts = np.full(len(tracks), RHYTHM)
    for i, (name, program) in enumerate(tracks):
        lowered = name.lower()
        if program >= EFFECTS or not counts[i]:
            parts[i] = DROPPED
        elif "bass" in lowered or 32 <= program <= 39:
            parts[i] = BASS
        elif any(word in lowered for word in LEAD_NAMES):
            parts[i] = LEAD
    others = np.flatnonzero(parts == RHYTHM)
    if not (parts == LEAD).any() and len(others) >= 2:
        parts[others[np.argmax(mean_pitch[others])]] = LEAD
    return parts


def note_parts(note_tracks: np.ndarray, pitches: np.ndarray,
               tracks: tuple[tuple[str, int], ...]) -> np.ndarray:
    """The part of each pitched note (``DROPPED`` for sound effects)."""
    counts = np.bincount(note_tracks, minlength=len(tracks))
    sums = np.bincount(note_tracks, weights=pitches, minlength=len(tracks))
    mean_pitch = sums / np.maximum(counts, 1)
    return track_parts(tracks, mean_pitch, counts)[note_tracks] if len(tracks) else note_tracks


def part_programs(parts: np.ndarray, note_tracks: np.ndarray,
                  tracks: tuple[tuple[str, int], ...]) -> list[int | None]:
    """Each pitched part's program: the one most of its notes are played in (None if empty)."""
    programs = np.array([program for _, program in tracks], dtype=np.int64)
    out: list[int | None] = []
    for part in range(len(PARTS)):
        played = programs[note_tracks[parts == part]]
        out.append(int(np.bincount(played).argmax()) if len(played) else None)
    return out


@dataclass(frozen=True)
class PartFrames:
    """Frames of the ``parts`` encoding for pitches ``low..high``."""

    low: int
    high: int

    @property
    def n_pitches(self) -> int:
        return self.high - self.low + 1

    @property
    def n_features(self) -> int:
        return 2 * self.n_pitches * len(PARTS) + len(DRUM_GROUPS)

    def block(self, part: int) -> slice:
        """The features of pitched ``part``."""
        return slice(2 * self.n_pitches * part, 2 * self.n_pitches * (part + 1))

    @property
    def drums(self) -> slice:
        return slice(2 * self.n_pitches * len(PARTS), self.n_features)

    def encode(self, notes: np.ndarray, parts: np.ndarray, drum_steps: np.ndarray,
               drum_groups: np.ndarray, length: int) -> np.ndarray:
        """Frames, shape=(length, F), of notes (pitch, start, end) in ``parts`` and drum hits
        of ``drum_groups`` (index into ``DRUM_GROUPS``) at ``drum_steps``."""
        frames = np.full((length, self.n_features), -1.0, dtype=np.float32)
        for part in range(len(PARTS)):
            frames[:, self.block(part)] = nt.notes_to_pitch_channels(
                notes[parts == part], length, self.low, self.high)
        hits = np.zeros((length, len(DRUM_GROUPS)), dtype=bool)
        hits[drum_steps, drum_groups] = True
        frames[:, self.drums] = nt.to_levels(hits)
        return frames

    def part_notes(self, frames: np.ndarray, onset_rule: bool) -> list[np.ndarray]:
        """Each pitched part's notes, shape=(n, 3), decoded from frames."""
        out = []
        for part in range(len(PARTS)):
            sounding, onsets = nt.pitch_channel_rolls(frames[:, self.block(part)],
                                                      self.n_pitches)
            if onset_rule:
                onsets = nt.onset_rule(sounding, onsets)
            out.append(nt.rolls_to_notes(sounding, onsets, self.low))
        return out

    def drum_hits(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Drum hits decoded from frames: their steps and their General MIDI pitches."""
        steps, groups = np.nonzero(frames[:, self.drums] > 0)
        return steps, DRUM_SOUNDS[groups]

    def merged(self, frames):
        """The parts as one pitch-channels roll (a soft OR per cell), for torch or numpy
        frames, shape=(..., T, F) -> (..., T, 2P): what the views and measures of a merged
        roll read."""
        on = [(frames[..., self.block(part)] + 1) / 2 for part in range(len(PARTS))]
        off = (1 - on[0].clip(0, 1)) * (1 - on[1].clip(0, 1)) * (1 - on[2].clip(0, 1))
        return 1 - 2 * off
