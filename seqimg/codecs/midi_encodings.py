"""The ``midi`` codec's frame encodings: how notes on the grid become frame features and back,
one class per value of the codec's ``encoding`` option. The codec reads and writes files, keeps
the grid and the drum feature; its encoding says what a frame holds.

``pitch-channels`` (one sounding and one onset feature per pitch; every pixel is one time step),
``pitch-levels`` (one feature per pitch: onset +1, held 0, silent -1), ``voices`` (the seed
paper's highest/middle/lowest pitch plus onset flags), ``pianoroll`` (the pitch-channel frames as
a (sounding, onset) x time x pitch image instead of a fold) and ``parts`` (lead, rhythm and bass
as pitch channels each, then drum onsets per sound group: :mod:`seqimg.codecs.midi_parts`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from seqimg.codecs import notes as nt
from seqimg.codecs.capabilities import DRUM_PART, in_one_part
from seqimg.codecs.layouts import Layout, PianoRollLayout
from seqimg.codecs.midi_config import MidiConfig
from seqimg.codecs.midi_parts import (
    BASS,
    DROPPED,
    DRUM_GROUP_OF,
    DRUM_SOUNDS,
    PARTS,
    RHYTHM,
    PartFrames,
    note_parts,
    part_programs,
)
from seqimg.codecs.midi_write import set_part_programs, write_parts_score, write_score
from seqimg.codecs.note_geometry import octaves_into
from seqimg.codecs.part_measures import part_statistics

if TYPE_CHECKING:
    from seqimg.codecs.midi_piece import MidiPiece
    from seqimg.codecs.note_views import NoteViews


class NoteEncoding:
    """Pitch channels: one sounding and one onset level per pitch of the range. The other
    encodings change what differs from it."""

    name: ClassVar[str] = "pitch-channels"
    levels: ClassVar[tuple[float, ...] | None] = (-1.0, 1.0)  # the values a feature takes
    pitch_features: ClassVar[int | None] = 2  # features per pitch; None: not transposable

    def __init__(self, config: MidiConfig) -> None:
        self.config = config
        self.n_pitches = config.pitch_high - config.pitch_low + 1

    @property
    def n_features(self) -> int:
        """Features of one frame: the notes', then one drum feature with ``drums: feature``."""
        return self.note_features + (self.config.drums == "feature")

    @property
    def note_features(self) -> int:
        return 2 * self.n_pitches

    @property
    def on_levels(self) -> bool:
        """Whether a pitch's one feature holds silent, held and onset as three levels."""
        return self.levels == (-1.0, 0.0, 1.0)

    def inside(self, pitches: np.ndarray) -> np.ndarray:
        """Which of ``pitches`` lie in the codec's range (a file's others are dropped)."""
        return (pitches >= self.config.pitch_low) & (pitches <= self.config.pitch_high)

    def into_range(self, notes: np.ndarray) -> np.ndarray:
        """Notes written by a method or a control, shape=(n, k), each pitch outside the range
        moved by octaves into it (:func:`~seqimg.codecs.note_geometry.octaves_into`): a donor
        bar transposed below the bass's lowest pitch plays an octave up instead of falling
        silent. A file's notes outside the range never get here (``grid_notes`` drops them)."""
        moved = notes.copy()
        moved[:, 0] = octaves_into(notes[:, 0], self.config.pitch_low, self.config.pitch_high)
        return moved

    def image_layout(self, pad_value: float) -> Layout | None:
        """How frames become images when not the codec's fold (None: the fold)."""
        return None

    def encode(self, notes: np.ndarray, length: int, drum_steps: np.ndarray | None = None
               ) -> np.ndarray:
        """Notes, shape=(n, 3), to frames, shape=(length, n_features): pitches outside the
        range moved into it by octaves, the drum feature (with ``drums: feature``) hit at
        ``drum_steps``."""
        c = self.config
        frames = self.note_frames(self.into_range(notes), length)
        if c.drums == "feature":
            hits = np.zeros(length, dtype=bool)
            if drum_steps is not None:  # (an index of () would strike every step)
                hits[drum_steps] = True
            frames = np.column_stack([frames, nt.to_levels(hits)]).astype(np.float32)
        return frames

    def note_frames(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Notes in the range to the note features, shape=(length, note_features)."""
        c = self.config
        return nt.notes_to_pitch_channels(notes, length, c.pitch_low, c.pitch_high)

    def encode_piece(self, piece: MidiPiece, notes: np.ndarray, drum_steps: np.ndarray,
                     inside: np.ndarray, length: int) -> np.ndarray:
        """A read piece's grid notes (``inside``: which of its notes they are) and drum hits to
        frames."""
        return self.encode(notes, length, drum_steps)

    def rolls(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sounding and onset rolls, shape=(T, P) each."""
        return nt.pitch_channel_rolls(frames, self.n_pitches)

    def notes(self, frames: np.ndarray) -> np.ndarray:
        """Notes, shape=(n, 3): a note starts at an onset and lasts while its pitch sounds
        (with ``onset_rule``, a sounding run with no onset starts one too)."""
        sounding, onsets = self.rolls(frames)
        if self.config.onset_rule:
            onsets = nt.onset_rule(sounding, onsets)
        return nt.rolls_to_notes(sounding, onsets, self.config.pitch_low)

    def tidy(self, frames):
        """Onsets where decoding would put them (with ``onset_rule``)."""
        from seqimg.codecs.note_views import tidy_onsets

        return tidy_onsets(frames, self.n_pitches, self.on_levels)

    def note_views(self) -> NoteViews | None:
        """The differentiable views of these frames (None where the encoding has none)."""
        from seqimg.codecs.note_views import NoteViews

        c = self.config
        return NoteViews(c.pitch_low, self.n_pitches, c.steps_per_beat, self.on_levels)

    def read_by(self, views: dict) -> dict:
        """``views`` of a pitch roll as views of these frames."""
        return views

    def feature_groups(self) -> dict[str, slice]:
        return {}

    def piece_timing(self, piece: MidiPiece) -> dict:
        """What of a read piece besides its tempo map the written file takes back."""
        return {}

    def score(self, frames: np.ndarray, ticks_per_step: float):
        """A symusic score of the frames' notes (and the drum feature's hits)."""
        c = self.config
        drums = (np.flatnonzero(frames[:, -1] > 0) if c.drums == "feature"
                 else np.zeros(0, dtype=np.int64))
        return write_score(self.notes(frames), drums, len(frames), ticks_per_step, c)

    def set_timing(self, score, timing: dict) -> None:
        """What :meth:`piece_timing` kept, put back into a written score."""

    # -- notes without frames: what a file holds, what a method writes ----------------------
    def file_notes(self, piece: MidiPiece, notes: np.ndarray, drum_steps: np.ndarray,
                   inside: np.ndarray) -> np.ndarray:
        """A read piece's grid notes (``inside``: which of its notes they are) as notes in
        parts, shape=(n, 4), before :meth:`resolved`: all in part 0, no drum hit (none is a
        note of these frames)."""
        return in_one_part(notes)

    def resolved(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Notes in parts, shape=(n, 4), as these frames hold them, made without frames:
        :meth:`notes_in_parts` of :meth:`frames_from_notes_in_parts` (the parts merged, the
        drum hits dropped, pitches moved into the range by octaves)."""
        pitched = self.into_range(notes[notes[:, 3] != DRUM_PART, :3])
        return in_one_part(nt.resolved(pitched, length))

    def notes_score(self, notes: np.ndarray, length: int, ticks_per_step: float):
        """A symusic score of :meth:`resolved` notes, as :meth:`score` writes their frames."""
        return write_score(notes[:, :3], np.zeros(0, dtype=np.int64), length, ticks_per_step,
                           self.config)

    def part_rolls(self, frames: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Each part's sounding roll, shape=(T, 128), to draw (none without parts)."""
        return []

    def notes_in_parts(self, frames: np.ndarray) -> np.ndarray:
        """Notes, shape=(n, 4), every one in part 0 (no parts in these frames)."""
        return in_one_part(self.notes(frames))

    def part_statistics(self, frames: np.ndarray, bar: int) -> dict[str, float]:
        """Statistics of the band's parts, beside the merged roll's (none without parts)."""
        return {}

    def frames_from_notes_in_parts(self, notes: np.ndarray, length: int) -> np.ndarray:
        """The pitched parts merged, the drum hits dropped."""
        return self.encode(notes[notes[:, 3] != DRUM_PART, :3], length)


class PitchLevels(NoteEncoding):
    """One level per pitch: onset +1, held 0, silent -1."""

    name = "pitch-levels"
    levels = (-1.0, 0.0, 1.0)
    pitch_features = 1

    @property
    def note_features(self) -> int:
        return self.n_pitches

    def note_frames(self, notes: np.ndarray, length: int) -> np.ndarray:
        c = self.config
        return nt.notes_to_pitch_levels(notes, length, c.pitch_low, c.pitch_high)

    def rolls(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return nt.pitch_level_rolls(frames[:, : self.n_pitches])


class Voices(NoteEncoding):
    """The seed paper's highest, middle and lowest pitch plus onset flags: not transposable
    by shifting features, and without note views."""

    name = "voices"
    levels = None
    pitch_features = None

    @property
    def note_features(self) -> int:
        return 2 * nt.VOICES

    def note_frames(self, notes: np.ndarray, length: int) -> np.ndarray:
        c = self.config
        return nt.notes_to_voices(notes, length, c.pitch_low, c.pitch_high)

    def notes(self, frames: np.ndarray) -> np.ndarray:
        return nt.voices_to_notes(frames, self.config.pitch_low, self.config.pitch_high)

    def resolved(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Through the frames: three voices keep only some of the notes."""
        return self.notes_in_parts(self.frames_from_notes_in_parts(notes, length))

    def tidy(self, frames):
        return frames

    def note_views(self) -> None:
        return None


class PianoRoll(NoteEncoding):
    """Pitch channels laid out as a (sounding, onset) x time x pitch image, ``height`` steps by
    ``width`` pitches (the range padded with silence), not a fold."""

    name = "pianoroll"

    def image_layout(self, pad_value: float) -> Layout:
        c = self.config
        return PianoRollLayout(self.n_pitches, c.height, c.width, c.hop or c.height, pad_value)


def drum_hits(notes: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """The drum hits among notes in parts that frames of ``length`` steps can hold: their
    steps and sound groups (a sound of no group, or a hit outside the steps, left out)."""
    drums = notes[(notes[:, 3] == DRUM_PART) & np.isin(notes[:, 0], list(DRUM_GROUP_OF))
                  & (notes[:, 1] >= 0) & (notes[:, 1] < length)]
    groups = np.array([DRUM_GROUP_OF[int(p)] for p in drums[:, 0]], dtype=np.int64)
    return drums[:, 1], groups


class Parts(NoteEncoding):
    """Lead, rhythm and bass as pitch channels each, then drum onsets per sound group; read
    from the file's tracks and written back one named track per part."""

    name = "parts"
    pitch_features = 2 * len(PARTS)

    def __init__(self, config: MidiConfig) -> None:
        super().__init__(config)
        self.parts = PartFrames(config.pitch_low, config.pitch_high)

    @property
    def note_features(self) -> int:
        return self.parts.n_features

    def encode(self, notes: np.ndarray, length: int, drum_steps: np.ndarray | None = None
               ) -> np.ndarray:
        """Notes without parts: the bass below ``bass_split``, the rest the rhythm part (no
        drum hits: those need their sounds, :meth:`frames_from_notes_in_parts`)."""
        keep = self.into_range(notes)
        parts = np.where(keep[:, 0] < self.config.bass_split, BASS, RHYTHM)
        return self.parts.encode(keep, parts, np.zeros(0, np.int64), np.zeros(0, np.int64),
                                 length)

    def encode_piece(self, piece: MidiPiece, notes: np.ndarray, drum_steps: np.ndarray,
                     inside: np.ndarray, length: int) -> np.ndarray:
        parts = note_parts(piece.note_tracks, piece.notes[:, 0], piece.tracks)[inside]
        groups = np.array([DRUM_GROUP_OF.get(int(p), -1) for p in piece.drum_pitches],
                          dtype=np.int64)
        known = groups >= 0
        return self.parts.encode(notes, parts, drum_steps[known], groups[known], length)

    def notes(self, frames: np.ndarray) -> np.ndarray:
        notes = np.concatenate(self.parts.part_notes(frames, self.config.onset_rule))
        return notes[np.lexsort((notes[:, 0], notes[:, 1]))]

    def tidy(self, frames):
        """Each part's block tidied as pitch channels."""
        from seqimg.codecs.note_views import tidy_onsets

        out = frames.clone()
        for part in range(len(PARTS)):
            block = self.parts.block(part)
            out[..., block] = tidy_onsets(frames[..., block], self.n_pitches, False)
        return out

    def read_by(self, views: dict) -> dict:
        """Each view read from the merged roll of the parts."""
        merged = self.parts.merged
        return {name: (lambda frames, view=view: view(merged(frames)))
                for name, view in views.items()}

    def feature_groups(self) -> dict[str, slice]:
        """Each part's features (lead, rhythm, bass, drums)."""
        return {**{name: self.parts.block(i) for i, name in enumerate(PARTS)},
                "drums": self.parts.drums}

    def piece_timing(self, piece: MidiPiece) -> dict:
        """The program each part was played in."""
        parts = note_parts(piece.note_tracks, piece.notes[:, 0], piece.tracks)
        return {"programs": part_programs(parts, piece.note_tracks, piece.tracks)}

    @property
    def programs(self) -> list[int]:
        """Each part's program: ``part_programs``, else ``program`` (the bass in
        ``bass_program``)."""
        c = self.config
        return list(c.part_programs) or [c.program, c.program,
                                         c.program if c.bass_program is None
                                         else c.bass_program]

    def score(self, frames: np.ndarray, ticks_per_step: float):
        """One named track per part, in :attr:`programs`."""
        return write_parts_score(self.parts.part_notes(frames, self.config.onset_rule),
                                 self.parts.drum_hits(frames), len(frames), ticks_per_step,
                                 self.programs, self.config)

    def file_notes(self, piece: MidiPiece, notes: np.ndarray, drum_steps: np.ndarray,
                   inside: np.ndarray) -> np.ndarray:
        """Each pitched note in its part (sound effects dropped), then the drum hits in
        ``DRUM_PART``."""
        parts = note_parts(piece.note_tracks, piece.notes[:, 0], piece.tracks)[inside]
        kept = parts != DROPPED
        drums = np.column_stack([piece.drum_pitches, drum_steps, drum_steps + 1,
                                 np.full(len(drum_steps), DRUM_PART)])
        return np.concatenate([np.column_stack([notes[kept], parts[kept]]),
                               drums]).astype(np.int64).reshape(-1, 4)

    def resolved(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Each part's notes as its pitch channels hold them, then one hit a step for each drum
        group struck there, in the group's first sound (a sound of no group dropped)."""
        pitched = self.into_range(notes[notes[:, 3] != DRUM_PART])
        parts = [in_one_part(nt.resolved(pitched[pitched[:, 3] == part, :3], length))
                 + [0, 0, 0, part] for part in range(len(PARTS))]
        steps, groups = np.unique(np.column_stack(drum_hits(notes, length)), axis=0).T
        hits = np.column_stack([DRUM_SOUNDS[groups], steps, steps + 1,
                                np.full(len(steps), DRUM_PART)])
        return np.concatenate([*parts, hits]).astype(np.int64).reshape(-1, 4)

    def notes_score(self, notes: np.ndarray, length: int, ticks_per_step: float):
        """One named track per part, in :attr:`programs`, and the drum track."""
        drums = notes[notes[:, 3] == DRUM_PART]
        return write_parts_score([notes[notes[:, 3] == part, :3] for part in range(len(PARTS))],
                                 (drums[:, 1], drums[:, 0]), length, ticks_per_step,
                                 self.programs, self.config)

    def set_timing(self, score, timing: dict) -> None:
        """Each part in the program it was read in, unless ``part_programs`` says otherwise."""
        if not self.config.part_programs:
            set_part_programs(score, timing.get("programs", ()))

    def part_rolls(self, frames: np.ndarray) -> list[tuple[str, np.ndarray]]:
        return [(name, nt.sounding_and_onsets(notes, len(frames), 0, 127)[0]) for name, notes
                in zip(PARTS, self.parts.part_notes(frames, self.config.onset_rule))]

    def part_statistics(self, frames: np.ndarray, bar: int) -> dict[str, float]:
        """Drum hits, rhythm onsets and lead notes a bar, power chords and repeated onsets
        (:func:`seqimg.codecs.part_measures.part_statistics`)."""
        lead, rhythm, _ = self.parts.part_notes(frames, self.config.onset_rule)
        return part_statistics(lead, rhythm, self.parts.drum_hits(frames)[0], len(frames), bar)

    def notes_in_parts(self, frames: np.ndarray) -> np.ndarray:
        """Each part's notes tagged with its part, and the drum hits as one-step notes of
        their General MIDI sound in ``DRUM_PART``."""
        pitched = [np.column_stack([notes, np.full(len(notes), part)]) for part, notes
                   in enumerate(self.parts.part_notes(frames, self.config.onset_rule))]
        steps, sounds = self.parts.drum_hits(frames)
        drums = np.column_stack([sounds, steps, steps + 1, np.full(len(steps), DRUM_PART)])
        return np.concatenate([*pitched, drums]).astype(np.int64).reshape(-1, 4)

    def frames_from_notes_in_parts(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Invert :meth:`notes_in_parts` (pitches outside the range moved into it by octaves,
        drum sounds of no group dropped)."""
        pitched = self.into_range(notes[notes[:, 3] != DRUM_PART])
        return self.parts.encode(pitched[:, :3], pitched[:, 3], *drum_hits(notes, length),
                                 length)


ENCODINGS: dict[str, type[NoteEncoding]] = {
    e.name: e for e in (NoteEncoding, PitchLevels, Voices, PianoRoll, Parts)}
