"""``midi`` codec: polyphonic MIDI on a beat-relative (or fixed-rate) grid, via pretty_midi.

Layouts: ``pitch-channels`` (one sounding and one onset feature per pitch; every pixel is one
time step), ``pitch-levels`` (one feature per pitch: onset +1, held 0, silent -1) and ``voices``
(the seed paper's highest/middle/lowest pitch plus onset flags).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pretty_midi

from seqimg.codecs import notes as nt
from seqimg.codecs.base import CodecConfig, SequenceCodec
from seqimg.errors import in_file, one_line

log = logging.getLogger(__name__)

LAYOUTS = ("pitch-channels", "pitch-levels", "voices")
DRUM_MODES = ("drop", "feature")
DRUM_PITCH = 38  # General MIDI acoustic snare, used to write decoded drum hits


@dataclass(frozen=True)
class MidiConfig(CodecConfig):
    """Grid, layout and writing options of the ``midi`` codec."""

    layout: str = "pitch-channels"
    steps_per_beat: int = 4
    seconds_per_step: float | None = None  # a fixed rate instead of the beat grid
    pitch_low: int = 24
    pitch_high: int = 107
    drums: str = "drop"  # "drop" or "feature" (one drum-onset feature)
    tempo: float = 120.0  # of written files
    program: int = 0  # General MIDI program of written notes
    bass_program: int | None = None  # if set, notes below bass_split get this program
    bass_split: int = 48
    velocity: int = 100
    max_steps: int = 100_000  # longer pieces are refused rather than exhausting memory

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout: expected one of {LAYOUTS}, got {self.layout!r}")
        if self.drums not in DRUM_MODES:
            raise ValueError(f"drums: expected one of {DRUM_MODES}, got {self.drums!r}")
        if not 0 <= self.pitch_low < self.pitch_high <= 127:
            raise ValueError("pitch range must satisfy 0 <= pitch_low < pitch_high <= 127")


def beat_positions(pm: pretty_midi.PrettyMIDI, times: np.ndarray) -> np.ndarray:
    """Positions in beats of ``times`` (seconds), following the file's tempo changes."""
    beats = pm.get_beats()
    if len(beats) < 2:
        beats = np.array([0.0, 0.5])  # no beat grid: assume 120 bpm
    step = beats[-1] - beats[-2]
    inside = np.interp(times, beats, np.arange(len(beats), dtype=np.float64))
    after = len(beats) - 1 + (times - beats[-1]) / step
    return np.where(times > beats[-1], after, inside)


class MidiCodec(SequenceCodec):
    name = "midi"
    description = "Polyphonic MIDI as pitch channels (or 3 voices) on a beat grid, folded in time"
    suffixes = (".mid", ".midi")
    config_class = MidiConfig

    @property
    def n_pitches(self) -> int:
        return self.config.pitch_high - self.config.pitch_low + 1

    @property
    def n_features(self) -> int:
        layout = {"pitch-channels": 2 * self.n_pitches, "pitch-levels": self.n_pitches,
                  "voices": 2 * nt.VOICES}[self.config.layout]
        return layout + (self.config.drums == "feature")

    def read(self, path: Path) -> pretty_midi.PrettyMIDI:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return pretty_midi.PrettyMIDI(str(path))
        except Exception as exc:  # pretty_midi/mido raise many types on bad bytes
            raise in_file(path, f"not a readable MIDI file ({one_line(exc)})") from None

    def write(self, obj: pretty_midi.PrettyMIDI, path: Path) -> None:
        obj.write(str(path))

    def to_steps(self, pm: pretty_midi.PrettyMIDI, times: np.ndarray) -> np.ndarray:
        """Seconds to grid steps (rounded to the nearest step)."""
        c = self.config
        if c.seconds_per_step:
            return np.rint(times / c.seconds_per_step).astype(np.int64)
        return np.rint(beat_positions(pm, times) * c.steps_per_beat).astype(np.int64)

    def grid_notes(self, pm: pretty_midi.PrettyMIDI) -> tuple[np.ndarray, np.ndarray]:
        """Pitched notes, shape=(n, 3), and drum onset steps on the grid; zero-length notes get
        one step, pitches outside the range are dropped (and logged)."""
        c = self.config
        pitched = [n for i in pm.instruments if not i.is_drum for n in i.notes]
        drums = [n for i in pm.instruments if i.is_drum for n in i.notes]
        keep = [n for n in pitched if c.pitch_low <= n.pitch <= c.pitch_high]
        if not keep:
            outside = f" ({len(pitched)} outside the range)" if pitched else ""
            raise ValueError(f"no pitched notes in {c.pitch_low}-{c.pitch_high}{outside}")
        if len(keep) < len(pitched):
            log.debug("dropped %d notes outside pitches %d-%d", len(pitched) - len(keep),
                      c.pitch_low, c.pitch_high)
        times = np.array([[n.start, n.end] for n in keep], dtype=np.float64).reshape(-1, 2)
        steps = self.to_steps(pm, times.ravel()).reshape(-1, 2)
        steps[:, 1] = np.maximum(steps[:, 1], steps[:, 0] + 1)
        notes = np.column_stack([[n.pitch for n in keep], steps]).astype(np.int64).reshape(-1, 3)
        drum_steps = self.to_steps(pm, np.array([n.start for n in drums], dtype=np.float64))
        return notes, drum_steps

    def to_frames(self, obj: pretty_midi.PrettyMIDI) -> np.ndarray:
        c = self.config
        notes, drum_steps = self.grid_notes(obj)
        length = int(max(notes[:, 2].max(), drum_steps.max(initial=0) + 1))
        if length > c.max_steps:
            raise ValueError(f"{length} grid steps exceed max_steps={c.max_steps}")
        encode = {"pitch-channels": nt.notes_to_pitch_channels,
                  "pitch-levels": nt.notes_to_pitch_levels,
                  "voices": nt.notes_to_voices}[c.layout]
        frames = encode(notes, length, c.pitch_low, c.pitch_high)
        if c.drums == "feature":
            hits = np.zeros(length, dtype=bool)
            hits[drum_steps] = True
            frames = np.column_stack([frames, nt.to_levels(hits)])
        return frames

    def augment(self, frames: np.ndarray, transpose: int) -> list[np.ndarray]:
        """Transpositions by -transpose..transpose semitones (pitch layouts only)."""
        if self.config.layout == "voices":
            return []
        blocks = 2 if self.config.layout == "pitch-channels" else 1
        return [nt.transpose_pitch_blocks(frames, shift, self.n_pitches, blocks)
                for shift in range(-transpose, transpose + 1) if shift]

    def notes(self, frames: np.ndarray) -> np.ndarray:
        """Pitched notes, shape=(n, 3) as (pitch, start, end) steps, decoded from frames."""
        c = self.config
        if c.layout == "pitch-channels":
            return nt.pitch_channels_to_notes(frames, c.pitch_low, c.pitch_high)
        if c.layout == "pitch-levels":
            return nt.pitch_levels_to_notes(frames[:, : self.n_pitches], c.pitch_low)
        return nt.voices_to_notes(frames, c.pitch_low, c.pitch_high)

    def from_frames(self, frames: np.ndarray) -> pretty_midi.PrettyMIDI:
        c = self.config
        notes = self.notes(frames)
        seconds = c.seconds_per_step or 60.0 / c.tempo / c.steps_per_beat
        pm = pretty_midi.PrettyMIDI(initial_tempo=c.tempo)
        instrument = pretty_midi.Instrument(program=c.program)
        bass = pretty_midi.Instrument(program=c.bass_program or 0)
        for pitch, start, end in notes:
            part = bass if c.bass_program is not None and pitch < c.bass_split else instrument
            part.notes.append(
                pretty_midi.Note(c.velocity, int(pitch), start * seconds, end * seconds)
            )
        # "all notes off" at the last step keeps the file as long as the frames
        instrument.control_changes.append(pretty_midi.ControlChange(123, 0, len(frames) * seconds))
        pm.instruments.append(instrument)
        if bass.notes:
            pm.instruments.append(bass)
        if c.drums == "feature":
            kit = pretty_midi.Instrument(program=0, is_drum=True)
            for step in np.flatnonzero(frames[:, -1] > 0):
                kit.notes.append(
                    pretty_midi.Note(c.velocity, DRUM_PITCH, step * seconds, (step + 1) * seconds)
                )
            pm.instruments.append(kit)
        return pm
