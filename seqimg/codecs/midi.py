"""``midi`` codec: polyphonic MIDI on a quarter-note (or fixed-rate) grid, read with symusic
(pretty_midi as the fallback) and written with symusic in ticks, so that a decoded file keeps the
input's tempo map and time signatures exactly.

What a frame holds is the ``encoding`` option, one class each in
:mod:`seqimg.codecs.midi_encodings` (pitch channels, pitch levels, voices, pianoroll, parts);
how frames become images is the codec's :attr:`layout` (the fold, or the pianoroll's image).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path

import numpy as np

from seqimg.codecs import note_measures as nm
from seqimg.codecs import notes as nt
from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import (
    Augmented,
    Drawn,
    Grouped,
    Measured,
    NoteCodec,
    Quantised,
    Timed,
    Viewed,
)
from seqimg.codecs.layouts import Layout
from seqimg.codecs.midi_config import MidiConfig
from seqimg.codecs.midi_encodings import ENCODINGS, NoteEncoding
from seqimg.codecs.midi_file import read_midi
from seqimg.codecs.midi_piece import DEFAULT_QPM, MidiPiece
from seqimg.codecs.midi_write import TICKS_PER_QUARTER, retimed_score, write_score
from seqimg.errors import EmptyPiece, SeqimgError, in_file

log = logging.getLogger(__name__)

EXAMPLE_NOTES = [(60, 0, 2), (62, 2, 4), (64, 4, 8), (67, 8, 16), (65, 16, 20), (64, 20, 24),
                 (62, 24, 32), (48, 0, 16), (43, 16, 32)]  # a melody over a bass, 16th steps


class MidiCodec(SequenceCodec, NoteCodec, Measured, Viewed, Drawn, Augmented, Grouped, Quantised,
                Timed):
    name = "midi"
    description = ("Polyphonic MIDI as pitch channels (or 3 voices) on a quarter-note grid, "
                   "folded in time")
    round_trip = ("keeps every note of pitch_low..pitch_high on the grid, the tempo map and the "
                  "time signatures; drops velocities (written at `velocity`), parts and programs "
                  "(one part in `program`, the bass in `bass_program` when set), controllers and "
                  "pitch bends; drums come back as snare hits with `drums: feature`, else not")
    suffixes = (".mid", ".midi")
    config_class = MidiConfig

    @functools.cached_property
    def encoding(self) -> NoteEncoding:
        """What a frame holds (:mod:`seqimg.codecs.midi_encodings`), by the ``encoding``
        option."""
        return ENCODINGS[self.config.encoding](self.config)

    @property
    def n_pitches(self) -> int:
        return self.encoding.n_pitches

    @property
    def n_features(self) -> int:
        return self.encoding.n_features

    @property
    def frame_levels(self) -> tuple[float, ...] | None:
        return self.encoding.levels

    @property
    def layout(self) -> Layout:
        """The fold, or the encoding's own image layout (``pianoroll``)."""
        return self.encoding.image_layout(self.pad_value) or super().layout

    def feature_groups(self) -> dict[str, slice]:
        """With encoding ``parts``: each part's features (lead, rhythm, bass, drums)."""
        return self.encoding.feature_groups()

    def tidy(self, frames):
        """With ``onset_rule``, onsets where decoding would put them (pitch encodings; each
        part's block with encoding ``parts``)."""
        return self.encoding.tidy(frames) if self.config.onset_rule else frames

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
        inside = self.encoding.inside(pitches)
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

    def grid_length(self, notes: np.ndarray, drum_steps: np.ndarray) -> int:
        """Steps of a piece of grid ``notes`` and ``drum_steps``: to its last note's end."""
        length = int(max(notes[:, 2].max(), drum_steps.max(initial=0) + 1))
        if length > self.config.max_steps:
            raise ValueError(f"{length} grid steps exceed max_steps={self.config.max_steps}")
        return length

    def to_frames(self, obj: MidiPiece) -> np.ndarray:
        notes, drum_steps, inside = self.grid_notes(obj)
        length = self.grid_length(notes, drum_steps)
        return self.encoding.encode_piece(obj, notes, drum_steps, inside, length)

    def read_notes(self, path: str | Path) -> tuple[np.ndarray, int, dict | None]:
        """The notes in parts of ``path`` as its frames hold them, its length in steps and its
        timing, read with no frames made (:meth:`NoteCodec.read_notes`)."""
        piece = self._read_file(path)
        try:
            notes, drum_steps, inside = self.grid_notes(piece)
            length = self.grid_length(notes, drum_steps)
        except ValueError as exc:  # an empty piece too
            raise in_file(path, str(exc)) from None
        if not inside.all():  # a file read for transfer: say what it loses
            c = self.config
            log.warning("%s: %d of its %d notes lie outside pitches %d-%d and are left out",
                        path, (~inside).sum(), len(inside), c.pitch_low, c.pitch_high)
        found = self.encoding.file_notes(piece, notes, drum_steps, inside)
        return self.encoding.resolved(found, length), length, self.timing(piece)

    def write_notes(self, notes: np.ndarray, length: int, path: str | Path,
                    timing: dict | None = None) -> Path:
        """Notes in parts, shape=(n, 4), written as a file of ``length`` steps with no frames
        made: the file :meth:`save_frames` writes of their frames
        (:meth:`NoteCodec.write_notes`)."""
        score = self.encoding.notes_score(self.encoding.resolved(notes, length), length,
                                          self.ticks_per_step)
        return self._write_object(score, path, timing)

    def fingerprint(self, path: Path) -> str:
        """A hash of the notes on the grid: the same piece written by two programs (or
        converted from two score formats) hashes alike."""
        return self.print_of(self.read(path))

    def print_of(self, piece: MidiPiece) -> str:
        """:meth:`fingerprint` of a piece already read."""
        notes, drums, _ = self.grid_notes(piece)
        notes = notes[np.lexsort((notes[:, 2], notes[:, 0], notes[:, 1]))]
        return hashlib.sha1(notes.tobytes() + np.sort(drums).tobytes()).hexdigest()

    def frames_and_print(self, path: Path) -> tuple[np.ndarray, str]:
        """Frames and fingerprint of one reading of the file."""
        piece = self._read_file(path)
        return self._frames_of(piece, path)[0], self.print_of(piece)

    def timing(self, obj: MidiPiece) -> dict | None:
        """The input's tempo map and time signatures, in quarter notes (none on a fixed-rate
        grid, whose steps are already seconds)."""
        timing = None if self.config.seconds_per_step else obj.timing()
        extra = self.encoding.piece_timing(obj)
        return {**(timing or {}), **extra} if extra else timing

    def augment(self, frames: np.ndarray) -> list[np.ndarray]:
        """Transpositions by -transpose..transpose semitones (transposable encodings only)."""
        if self.encoding.pitch_features is None:
            return []
        transpose = self.config.transpose
        return [self.transposed(frames, shift)
                for shift in range(-transpose, transpose + 1) if shift]

    def transposed(self, frames, semitones: int):
        """Every pitch of frames (numpy or torch) moved by ``semitones`` (transposable
        encodings)."""
        blocks = self.encoding.pitch_features
        if blocks is None:
            raise SeqimgError(f"encoding {self.config.encoding!r} cannot be transposed by "
                              "shifting features")
        return nt.transpose_pitch_blocks(frames, semitones, self.n_pitches, blocks)

    @property
    def steps_per_beat(self) -> int:
        return self.config.steps_per_beat

    def notes(self, frames: np.ndarray) -> np.ndarray:
        """Pitched notes, shape=(n, 3) as (pitch, start, end) steps, decoded from frames: a
        note starts at an onset and lasts while its pitch sounds (see ``onset_rule``)."""
        return self.encoding.notes(frames)

    def frames_from_notes(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Invert :meth:`notes`: notes, shape=(n, 3), to frames, shape=(length, F), in this
        codec's encoding (pitches outside the range moved into it by octaves, no drum hits)."""
        return self.encoding.encode(notes, length)

    def notes_in_parts(self, frames: np.ndarray) -> np.ndarray:
        """With encoding ``parts``: each part's notes tagged with its part (lead, rhythm,
        bass) and the drum hits as one-step notes of their General MIDI sound in
        ``DRUM_PART``; else every note in part 0."""
        return self.encoding.notes_in_parts(frames)

    def frames_from_notes_in_parts(self, notes: np.ndarray, length: int) -> np.ndarray:
        """Invert :meth:`notes_in_parts` (pitches outside the range moved into it by octaves,
        drum sounds of no group dropped; without parts the parts merged and the drums
        dropped)."""
        return self.encoding.frames_from_notes_in_parts(notes, length)

    def from_frames(self, frames: np.ndarray):
        """A symusic score of the decoded notes at ``velocity``, in ``program`` (the bass in
        ``bass_program``; each part a track of its own with encoding ``parts``), at ``tempo``
        (120 unless set) in 4/4."""
        return self.encoding.score(frames, self.ticks_per_step)

    @property
    def ticks_per_step(self) -> float:
        """Ticks of one grid step in written files (at 120 ticks per step on the beat grid)."""
        c = self.config
        if c.seconds_per_step:
            return c.seconds_per_step * (c.tempo or DEFAULT_QPM) / 60 * TICKS_PER_QUARTER
        return TICKS_PER_QUARTER / c.steps_per_beat

    def apply_timing(self, obj, timing: dict):
        """The score in the input's tempo map (unless ``tempo`` is set) and time signatures."""
        self.encoding.set_timing(obj, timing)
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
        (:class:`seqimg.codecs.note_views.NoteViews`); None for the ``voices`` encoding."""
        return self.encoding.note_views()

    def content_views(self) -> dict:
        """``harmony`` (pitch classes per beat), ``voicing`` (the same, counted over octaves),
        ``bass`` (lowest pitch class per beat), ``melody`` (top voice's pitch class per step),
        ``chroma`` (pitch-class shares per step, as the audio codec's), ``rhythm`` (onsets per
        step); with encoding ``parts`` each of the merged roll, and ``lead`` (the lead part's
        top voice's pitch class per step)."""
        views = self.note_views()
        if views is None:
            return {}
        read = self.encoding.read_by(views.content())
        lead = self.encoding.feature_groups().get("lead")
        return read if lead is None else {
            **read, "lead": lambda frames: views.melody(frames[..., lead])}

    def batch_statistics(self) -> dict:
        """``register`` (mean sounding pitch in the range), ``polyphony`` (pitches sounding per
        step), ``density`` (notes starting per beat), ``pitches`` (distinct pitches per
        window)."""
        views = self.note_views()
        if views is None:
            return {}
        return self.encoding.read_by(views.batch_statistics())

    def statistics(self, frames: np.ndarray) -> dict[str, float]:
        """Pitch range and classes, distinct pitches, polyphony, note density and length,
        one-step notes, empty beats, scale consistency, and per bar: distinct pitches, notes
        held past a bar, repetition of the previous bar; with parts, what each part does a
        bar too."""
        return {**nm.note_statistics(*self.roll(frames), self.config.steps_per_beat,
                                     self.bar_steps),
                **self.encoding.part_statistics(frames, self.bar_steps)}

    def content_similarity(self, a: np.ndarray, b: np.ndarray, window: int) -> dict[str, float]:
        """Pitch-class similarity per window and per bar, and top-voice contour correlation."""
        return nm.roll_similarity(self.roll(a)[1], self.roll(b)[1], window, self.bar_steps)

    def draw_piece(self, before: np.ndarray | None, after: np.ndarray, title: str,
                   path: Path) -> Path:
        """Piano rolls of the input and the transfer over the codec's pitch range (of
        ``after`` alone under ``title`` when ``before`` is None): the same 8 bars of each with
        note names and bar lines, and each whole piece small beside them; with encoding ``parts``
        the output's lead, rhythm and bass parts each below (the drums are not drawn)."""
        from seqimg.plots import piano_figure, save_figure

        c = self.config
        shown = ([(title, after)] if before is None else
                 [(f"{title}: input", before), (f"{title}: transferred", after)])
        rolls = [(label, self.roll(frames)[1]) for label, frames in shown]
        rolls += [(f"{title}: {name} part", roll)  # the output's parts each in a roll of its own
                  for name, roll in self.encoding.part_rolls(after)]
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
