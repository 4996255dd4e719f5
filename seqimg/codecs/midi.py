"""``midi`` codec: polyphonic MIDI on a quarter-note (or fixed-rate) grid, read with symusic
(pretty_midi as the fallback) and written with symusic in ticks, so that a decoded file keeps the
input's tempo map and time signatures exactly.

Layouts: ``pitch-channels`` (one sounding and one onset feature per pitch; every pixel is one
time step), ``pitch-levels`` (one feature per pitch: onset +1, held 0, silent -1), ``voices``
(the seed paper's highest/middle/lowest pitch plus onset flags), ``pianoroll`` (the
pitch-channel frames as a (sounding, onset) x time x pitch image instead of a fold), and
``parts`` (lead, rhythm and bass as pitch channels each, then drum onsets per sound group; read
from the file's tracks and written back one track per part: :mod:`seqimg.codecs.midi_parts`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from seqimg.codecs import note_measures as nm
from seqimg.codecs import notes as nt
from seqimg.codecs.base import CodecConfig, SequenceCodec
from seqimg.codecs.capabilities import DRUM_PART, NoteCodec
from seqimg.codecs.layouts import Layout, PianoRollLayout
from seqimg.codecs.midi_file import read_midi
from seqimg.codecs.midi_parts import (
    BASS,
    DRUM_GROUP_OF,
    PARTS,
    RHYTHM,
    PartFrames,
    note_parts,
    part_programs,
)
from seqimg.codecs.midi_piece import DEFAULT_QPM, MidiPiece
from seqimg.codecs.midi_write import (
    TICKS_PER_QUARTER,
    retimed_score,
    set_part_programs,
    write_parts_score,
    write_score,
)
from seqimg.errors import EmptyPiece, SeqimgError

log = logging.getLogger(__name__)

EXAMPLE_NOTES = [(60, 0, 2), (62, 2, 4), (64, 4, 8), (67, 8, 16), (65, 16, 20), (64, 20, 24),
                 (62, 24, 32), (48, 0, 16), (43, 16, 32)]  # a melody over a bass, 16th steps


@dataclass(frozen=True)
class MidiConfig(CodecConfig):
    """Grid, layout, augmentation and writing options of the ``midi`` codec. With layout
    ``pianoroll`` an image is ``height`` steps by ``width`` pitches (the range padded with
    silence), not a fold."""

    # how notes become features (the module docstring of seqimg.codecs.midi says more)
    layout: Literal["pitch-channels", "pitch-levels", "voices", "pianoroll",
                    "parts"] = "pitch-channels"
    steps_per_beat: int = 4  # grid steps per quarter note, whatever the meter (4: sixteenths)
    seconds_per_step: float | None = None  # a fixed rate instead of the quarter-note grid
    pitch_low: int = 24  # lowest MIDI pitch kept (notes outside the range are dropped)
    pitch_high: int = 107  # highest MIDI pitch kept
    drums: Literal["drop", "feature"] = "drop"  # or one drum-onset feature
    transpose: int = 0  # training copies transposed by up to this many semitones each way
    onset_rule: bool = False  # onset = sounding AND (onset OR run start), decoding and for D
    tempo: float | None = None  # of written files (none: the input's tempo map, else 120)
    program: int = 0  # General MIDI program of written notes
    bass_program: int | None = None  # if set, notes below bass_split get this program
    bass_split: int = 48  # with bass_program: the pitch below which notes go to the bass
    velocity: int = 100  # velocity of written notes
    # with layout parts: the programs of the written lead, rhythm and bass parts (empty: each
    # part in the program the input file played it in, else program / bass_program)
    part_programs: tuple[int, ...] = ()
    max_steps: int = 100_000  # longer pieces are refused rather than exhausting memory

    def __post_init__(self) -> None:
        if not 0 <= self.pitch_low < self.pitch_high <= 127:
            raise ValueError("pitch_high: the range must satisfy 0 <= pitch_low < pitch_high "
                             "<= 127")
        if self.part_programs and (len(self.part_programs) != 3
                                   or not all(0 <= p <= 127 for p in self.part_programs)):
            raise ValueError("part_programs: expected three General MIDI programs (0-127) for "
                             "the lead, rhythm and bass parts, or none")
        if self.layout == "parts" and self.drums != "drop":
            raise ValueError("drums: layout 'parts' holds the drums itself; leave drums 'drop'")
        if self.transpose < 0:
            raise ValueError(f"transpose: expected 0 or more semitones, got {self.transpose}")
        if self.layout == "pianoroll":
            pitches = self.pitch_high - self.pitch_low + 1
            if self.width < pitches:
                raise ValueError(f"width: {self.width} is narrower than the {pitches} pitches "
                                 "of layout 'pianoroll'")
            if self.drums != "drop" or self.steps_per_pixel != 1:
                raise ValueError("layout: 'pianoroll' takes drums 'drop' and steps_per_pixel 1")


class MidiCodec(SequenceCodec, NoteCodec):
    name = "midi"
    description = ("Polyphonic MIDI as pitch channels (or 3 voices) on a quarter-note grid, "
                   "folded in time")
    round_trip = ("keeps every note of pitch_low..pitch_high on the grid, the tempo map and the "
                  "time signatures; drops velocities (written at `velocity`), parts and programs "
                  "(one part in `program`, the bass in `bass_program` when set), controllers and "
                  "pitch bends; drums come back as snare hits with `drums: feature`, else not")
    suffixes = (".mid", ".midi")
    config_class = MidiConfig

    @property
    def n_pitches(self) -> int:
        return self.config.pitch_high - self.config.pitch_low + 1

    @property
    def n_features(self) -> int:
        layout = {"pitch-channels": 2 * self.n_pitches, "pianoroll": 2 * self.n_pitches,
                  "pitch-levels": self.n_pitches, "voices": 2 * nt.VOICES,
                  "parts": self.parts.n_features}[self.config.layout]
        return layout + (self.config.drums == "feature")

    @property
    def frame_levels(self) -> tuple[float, ...] | None:
        return {"pitch-levels": (-1.0, 0.0, 1.0), "voices": None}.get(self.config.layout,
                                                                        (-1.0, 1.0))

    @property
    def layout(self) -> Layout:
        """The piano roll with layout ``pianoroll`` (``height`` steps by ``width`` pitches),
        else the fold."""
        c = self.config
        if c.layout != "pianoroll":
            return super().layout
        return PianoRollLayout(self.n_pitches, c.height, c.width, c.hop or c.height,
                               self.pad_value)

    @property
    def parts(self) -> PartFrames:
        """The frames of the ``parts`` layout over this codec's pitch range."""
        return PartFrames(self.config.pitch_low, self.config.pitch_high)

    def feature_groups(self) -> dict[str, slice]:
        """With layout ``parts``: each part's features (lead, rhythm, bass, drums)."""
        if self.config.layout != "parts":
            return {}
        return {**{name: self.parts.block(i) for i, name in enumerate(PARTS)},
                "drums": self.parts.drums}

    def tidy(self, frames):
        """With ``onset_rule``, onsets where decoding would put them (pitch layouts; each
        part's block with layout ``parts``)."""
        if not self.config.onset_rule or self.config.layout == "voices":
            return frames
        from seqimg.codecs.note_views import tidy_onsets

        if self.config.layout == "parts":
            out = frames.clone()
            for part in range(len(PARTS)):
                block = self.parts.block(part)
                out[..., block] = tidy_onsets(frames[..., block], self.n_pitches, False)
            return out
        return tidy_onsets(frames, self.n_pitches, self.config.layout == "pitch-levels")

    def read(self, path: Path) -> MidiPiece:
        return read_midi(path)

    def write(self, obj, path: Path) -> None:
        obj.dump_midi(str(path))

    def to_steps(self, piece: MidiPiece, quarters: np.ndarray) -> np.ndarray:
        """Quarter-note positions to grid steps (rounded to the nearest step)."""
        c = self.config
        if c.seconds_per_step:
            return np.rint(piece.seconds(quarters) / c.seconds_per_step).astype(np.int64)
        return np.rint(quarters * c.steps_per_beat).astype(np.int64)

    def grid_notes(self, piece: MidiPiece) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pitched notes, shape=(n, 3), drum onset steps on the grid, and which of the piece's
        notes were kept, shape=(n,); zero-length notes get one step, pitches outside the range
        are dropped (and logged)."""
        c = self.config
        pitches = piece.notes[:, 0]
        inside = (pitches >= c.pitch_low) & (pitches <= c.pitch_high)
        if not inside.any():
            outside = f" ({len(pitches)} outside the range)" if len(pitches) else ""
            length = int(self.to_steps(piece, np.array([piece.end]))[0])
            raise EmptyPiece(f"no pitched notes in {c.pitch_low}-{c.pitch_high}{outside}",
                             length)
        if not inside.all():
            log.debug("dropped %d notes outside pitches %d-%d", (~inside).sum(), c.pitch_low,
                      c.pitch_high)
        keep = piece.notes[inside]
        steps = self.to_steps(piece, keep[:, 1:].ravel()).reshape(-1, 2)
        steps[:, 1] = np.maximum(steps[:, 1], steps[:, 0] + 1)
        notes = np.column_stack([keep[:, 0].astype(np.int64), steps])
        return notes, self.to_steps(piece, piece.drums), inside

    def to_frames(self, obj: MidiPiece) -> np.ndarray:
        c = self.config
        notes, drum_steps, inside = self.grid_notes(obj)
        length = int(max(notes[:, 2].max(), drum_steps.max(initial=0) + 1))
        if length > c.max_steps:
            raise ValueError(f"{length} grid steps exceed max_steps={c.max_steps}")
        if c.layout == "parts":
            parts = note_parts(obj.note_tracks, obj.notes[:, 0], obj.tracks)[inside]
            groups = np.array([DRUM_GROUP_OF.get(int(p), -1) for p in obj.drum_pitches],
                              dtype=np.int64)
            known = groups >= 0
            return self.parts.encode(notes, parts, drum_steps[known], groups[known], length)
        frames = self.frames_from_notes(notes, length)
        if c.drums == "feature":
            hits = np.zeros(length, dtype=bool)
            hits[drum_steps] = True
            frames[:, -1] = nt.to_levels(hits)
        return frames

    def fingerprint(self, path: Path) -> str:
        """A hash of the notes on the grid: the same piece written by two programs (or
        converted from two score formats) hashes alike."""
        notes, drums, _ = self.grid_notes(self.read(path))
        notes = notes[np.lexsort((notes[:, 2], notes[:, 0], notes[:, 1]))]
        return hashlib.sha1(notes.tobytes() + np.sort(drums).tobytes()).hexdigest()

    def timing(self, obj: MidiPiece) -> dict | None:
        """The input's tempo map and time signatures, in quarter notes (none on a fixed-rate
        grid, whose steps are already seconds)."""
        timing = None if self.config.seconds_per_step else obj.timing()
        if self.config.layout == "parts":
            parts = note_parts(obj.note_tracks, obj.notes[:, 0], obj.tracks)
            timing = {**(timing or {}),
                      "programs": part_programs(parts, obj.note_tracks, obj.tracks)}
        return timing

    def augment(self, frames: np.ndarray) -> list[np.ndarray]:
        """Transpositions by -transpose..transpose semitones (pitch layouts only)."""
        if self.config.layout == "voices":
            return []
        transpose = self.config.transpose
        return [self.transposed(frames, shift)
                for shift in range(-transpose, transpose + 1) if shift]

    def transposed(self, frames, semitones: int):
        """Every pitch of frames (numpy or torch) moved by ``semitones`` (pitch layouts)."""
        if self.config.layout == "voices":
            raise SeqimgError("layout 'voices' cannot be transposed by shifting features")
        blocks = {"pitch-levels": 1, "parts": 2 * len(PARTS)}.get(self.config.layout, 2)
        return nt.transpose_pitch_blocks(frames, semitones, self.n_pitches, blocks)

    @property
    def steps_per_beat(self) -> int:
        return self.config.steps_per_beat

    def notes(self, frames: np.ndarray) -> np.ndarray:
        """Pitched notes, shape=(n, 3) as (pitch, start, end) steps, decoded from frames: a
        note starts at an onset and lasts while its pitch sounds (see ``onset_rule``)."""
        c, pitches = self.config, self.n_pitches
        if c.layout == "voices":
            return nt.voices_to_notes(frames, c.pitch_low, c.pitch_high)
        if c.layout == "parts":
            notes = np.concatenate(self.parts.part_notes(frames, c.onset_rule))
            return notes[np.lexsort((notes[:, 0], notes[:, 1]))]
        if c.layout == "pitch-levels":
            sounding, onsets = nt.pitch_level_rolls(frames[:, :pitches])
        else:
            sounding, onsets = nt.pitch_channel_rolls(frames, pitches)
        if c.onset_rule:
            onsets = nt.onset_rule(sounding, onsets)
        return nt.rolls_to_notes(sounding, onsets, c.pitch_low)

    def frames_from_notes(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Invert :meth:`notes`: notes, shape=(n, 3), to frames, shape=(length, F), in this
        codec's layout (pitches outside the range dropped, no drum hits)."""
        c = self.config
        keep = notes[(notes[:, 0] >= c.pitch_low) & (notes[:, 0] <= c.pitch_high)]
        if c.layout == "parts":  # notes without parts: the bass below bass_split, else rhythm
            parts = np.where(keep[:, 0] < c.bass_split, BASS, RHYTHM)
            return self.parts.encode(keep, parts, np.zeros(0, np.int64), np.zeros(0, np.int64),
                                     length)
        encode = {"pitch-channels": nt.notes_to_pitch_channels,
                  "pianoroll": nt.notes_to_pitch_channels,
                  "pitch-levels": nt.notes_to_pitch_levels,
                  "voices": nt.notes_to_voices}[c.layout]
        frames = encode(keep, length, c.pitch_low, c.pitch_high)
        if c.drums == "feature":
            frames = np.column_stack([frames, np.full(length, -1.0, dtype=np.float32)])
        return frames

    def notes_in_parts(self, frames: np.ndarray) -> np.ndarray:
        """With layout ``parts``: each part's notes tagged with its part (lead, rhythm, bass)
        and the drum hits as one-step notes of their General MIDI sound in ``DRUM_PART``."""
        if self.config.layout != "parts":
            return super().notes_in_parts(frames)
        pitched = [np.column_stack([notes, np.full(len(notes), part)]) for part, notes
                   in enumerate(self.parts.part_notes(frames, self.config.onset_rule))]
        steps, sounds = self.parts.drum_hits(frames)
        drums = np.column_stack([sounds, steps, steps + 1, np.full(len(steps), DRUM_PART)])
        return np.concatenate([*pitched, drums]).astype(np.int64).reshape(-1, 4)

    def frames_from_notes_in_parts(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Invert :meth:`notes_in_parts` (pitches outside the range and drum sounds of no
        group dropped)."""
        if self.config.layout != "parts":
            return super().frames_from_notes_in_parts(notes, length)
        c = self.config
        pitched = notes[(notes[:, 3] != DRUM_PART) & (notes[:, 0] >= c.pitch_low)
                        & (notes[:, 0] <= c.pitch_high)]
        drums = notes[(notes[:, 3] == DRUM_PART) & np.isin(notes[:, 0], list(DRUM_GROUP_OF))
                      & (notes[:, 1] < length)]
        groups = np.array([DRUM_GROUP_OF[int(p)] for p in drums[:, 0]], dtype=np.int64)
        return self.parts.encode(pitched[:, :3], pitched[:, 3], drums[:, 1], groups, length)

    def from_frames(self, frames: np.ndarray):
        """A symusic score of the decoded notes at ``velocity``, in ``program`` (the bass in
        ``bass_program``), at ``tempo`` (120 unless set) in 4/4."""
        c = self.config
        if c.layout == "parts":
            programs = list(c.part_programs) or [c.program, c.program,
                                                 c.program if c.bass_program is None
                                                 else c.bass_program]
            return write_parts_score(self.parts.part_notes(frames, c.onset_rule),
                                     self.parts.drum_hits(frames), len(frames),
                                     self.ticks_per_step, programs, c)
        notes = self.notes(frames)
        return write_score(notes, np.flatnonzero(frames[:, -1] > 0)
                           if c.drums == "feature" else np.zeros(0, dtype=np.int64),
                           len(frames), self.ticks_per_step, c)

    @property
    def ticks_per_step(self) -> float:
        """Ticks of one grid step in written files (at 120 ticks per step on the beat grid)."""
        c = self.config
        if c.seconds_per_step:
            return c.seconds_per_step * (c.tempo or DEFAULT_QPM) / 60 * TICKS_PER_QUARTER
        return TICKS_PER_QUARTER / c.steps_per_beat

    def apply_timing(self, obj, timing: dict):
        """The score in the input's tempo map (unless ``tempo`` is set) and time signatures."""
        if self.config.layout == "parts" and not self.config.part_programs:
            set_part_programs(obj, timing.get("programs", ()))
        if self.config.seconds_per_step:
            return obj
        try:
            return retimed_score(obj, timing, keep_tempo=self.config.tempo is not None)
        except (TypeError, ValueError) as exc:
            raise SeqimgError(f"timing: expected tempo rows (position, qpm) and meter rows "
                              f"(position, numerator, denominator) ({exc})") from None

    # -- what the frames mean --------------------------------------------------------------
    def roll(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Decoded notes, shape=(n, 3), and their sounding roll, shape=(T, 128)."""
        notes = self.notes(frames)
        sounding, _ = nt.sounding_and_onsets(notes, len(frames), 0, 127)
        return notes, sounding

    def note_views(self):
        """The differentiable views and batch statistics of this codec's frames
        (:class:`seqimg.codecs.note_views.NoteViews`); None for the ``voices`` layout."""
        if self.config.layout == "voices":
            return None
        from seqimg.codecs.note_views import NoteViews

        c = self.config
        return NoteViews(c.pitch_low, self.n_pitches, c.steps_per_beat,
                         c.layout == "pitch-levels")

    def content_views(self) -> dict:
        """``harmony`` (pitch classes per beat), ``voicing`` (the same, counted over octaves),
        ``bass`` (lowest pitch class per beat), ``melody`` (top voice's pitch class per step),
        ``chroma`` (pitch-class shares per step, as the audio codec's), ``rhythm`` (onsets per
        step); with layout ``parts`` each of the merged roll, and ``lead`` (the lead part's top
        voice's pitch class per step)."""
        views = self.note_views()
        if views is None:
            return {}
        if self.config.layout != "parts":
            return views.content()
        lead = self.parts.block(0)
        return {**self.on_merged(views.content()),
                "lead": lambda frames: views.melody(frames[..., lead])}

    def on_merged(self, views: dict) -> dict:
        """``views`` of a pitch-channels roll read from the parts layout's merged roll."""
        merged = self.parts.merged
        return {name: (lambda frames, view=view: view(merged(frames)))
                for name, view in views.items()}

    def batch_statistics(self) -> dict:
        """``register`` (mean sounding pitch in the range), ``polyphony`` (pitches sounding per
        step), ``density`` (notes starting per beat), ``pitches`` (distinct pitches per
        window)."""
        views = self.note_views()
        if views is None:
            return {}
        stats = views.batch_statistics()
        return self.on_merged(stats) if self.config.layout == "parts" else stats

    def statistics(self, frames: np.ndarray) -> dict[str, float]:
        """Pitch range and classes, distinct pitches, polyphony, note density and length,
        one-step notes, empty beats, scale consistency, and per bar: distinct pitches, notes
        held past a bar, repetition of the previous bar."""
        return nm.note_statistics(*self.roll(frames), self.config.steps_per_beat,
                                  self.bar_steps)

    def content_similarity(self, a: np.ndarray, b: np.ndarray, window: int) -> dict[str, float]:
        """Pitch-class similarity per window and per bar, and top-voice contour correlation."""
        return nm.roll_similarity(self.roll(a)[1], self.roll(b)[1], window, self.bar_steps)

    def draw_piece(self, before: np.ndarray | None, after: np.ndarray, title: str,
                   path: Path) -> Path:
        """Piano rolls of the input and the transfer over the codec's pitch range (of
        ``after`` alone under ``title`` when ``before`` is None): the same 8 bars of each with
        note names and bar lines, and each whole piece small beside them; with layout ``parts``
        the output's lead, rhythm and bass parts each below (the drums are not drawn)."""
        from seqimg.plots import piano_figure, save_figure

        c = self.config
        shown = ([(title, after)] if before is None else
                 [(f"{title}: input", before), (f"{title}: transferred", after)])
        rolls = [(label, self.roll(frames)[1]) for label, frames in shown]
        if c.layout == "parts":  # the output's pitched parts each in a roll of its own
            rolls += [(f"{title}: {name} part", nt.sounding_and_onsets(notes, len(after), 0,
                                                                      127)[0])
                      for name, notes in zip(PARTS, self.parts.part_notes(after, c.onset_rule))]
        return save_figure(piano_figure([(label, roll[:, c.pitch_low : c.pitch_high + 1])
                                         for label, roll in rolls],
                                        c.pitch_low, self.bar_steps), path)

    def render_audio(self, frames: np.ndarray, path: Path) -> bool:
        """Render with fluidsynth and a General MIDI soundfont, when both are installed."""
        from seqimg.codecs.midi_file import as_pretty_midi
        from seqimg.render import SOUNDFONT, render_midi

        if not Path(SOUNDFONT).is_file():
            return False
        try:
            render_midi(as_pretty_midi(self.from_frames(frames)), path)
        except (ImportError, OSError, AttributeError) as exc:
            log.info("no audio renders: %s", exc)
            return False
        return True

    def example_file(self, directory: Path) -> Path:
        """A two-voice phrase of 32 sixteenth notes at 120 bpm."""
        notes = np.array(EXAMPLE_NOTES, dtype=np.int64)
        score = write_score(notes, np.zeros(0, dtype=np.int64), int(notes[:, 2].max()),
                            TICKS_PER_QUARTER / 4, MidiConfig(velocity=90))
        path = Path(directory) / "example.mid"
        score.dump_midi(str(path))
        return path
