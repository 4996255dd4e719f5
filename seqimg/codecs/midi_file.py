"""Reading MIDI files with pretty_midi at any resolution.

pretty_midi refuses a file whose largest tick passes ``MAX_TICK`` (10^7) as "likely corrupt": a
guard against a tick-to-time table that would fill memory. Counted in ticks, it also refuses valid
high-resolution files (music21 writes 10,080 ticks per beat, so 992 beats, about 8 minutes at
120 bpm, cross it). Here the guard counts beats instead, the same limit at pretty_midi's default
resolution of 220, and a file that is long in ticks but not in beats is re-timed to a resolution
that fits before parsing.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import mido
import numpy as np
import pretty_midi

from seqimg.errors import SeqimgError, in_file, one_line

MAX_TICK = pretty_midi.pretty_midi.MAX_TICK
MAX_BEATS = MAX_TICK / 220  # pretty_midi's limit at its default resolution: about 6 h at 120 bpm


def largest_tick(midi: mido.MidiFile) -> int:
    """The last event's tick over all tracks (event times in mido are deltas)."""
    return max((sum(message.time for message in track) for track in midi.tracks), default=0)


def retime(midi: mido.MidiFile, resolution: int) -> None:
    """Re-express every event time in ``resolution`` ticks per beat, in place; absolute times are
    rounded, so the error stays under half a new tick and never accumulates."""
    old = midi.ticks_per_beat
    for track in midi.tracks:
        absolute = np.cumsum([message.time for message in track], dtype=np.int64)
        rounded = np.rint(absolute * (resolution / old)).astype(np.int64)
        for message, delta in zip(track, np.diff(rounded, prepend=0)):
            message.time = int(delta)
    midi.ticks_per_beat = resolution


def fitting_resolution(ticks_per_beat: int, limit: int) -> int:
    """The largest divisor of ``ticks_per_beat`` no larger than ``limit`` and at least half of
    it, so that re-timing is exact; else ``limit``."""
    top = min(limit, ticks_per_beat)
    exact = (r for r in range(top, limit // 2, -1) if ticks_per_beat % r == 0)
    return next(exact, limit)


def parse(midi: mido.MidiFile, path: Path) -> pretty_midi.PrettyMIDI:
    """A parsed ``midi`` as pretty_midi's object, re-timed first when only its resolution makes
    it too long in ticks."""
    if midi.ticks_per_beat <= 0:
        raise in_file(path, f"not a readable MIDI file (resolution {midi.ticks_per_beat} ticks "
                      "per beat)")
    last = largest_tick(midi)
    if last + 1 > MAX_TICK:
        beats = last / midi.ticks_per_beat
        if beats > MAX_BEATS:
            raise in_file(path, f"not a readable MIDI file (it lasts {beats:,.0f} beats, more "
                          f"than {MAX_BEATS:,.0f}: likely corrupt)")
        limit = math.floor((MAX_TICK - 1) / (beats + 1))
        retime(midi, fitting_resolution(midi.ticks_per_beat, limit))
    return pretty_midi.PrettyMIDI(mido_object=midi)


def read_midi(path: Path) -> pretty_midi.PrettyMIDI:
    """A MIDI file as pretty_midi's object; a one-line error naming the file for anything that
    is not valid MIDI."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            midi = mido.MidiFile(filename=str(path), charset="latin1")
            return parse(midi, path)
    except SeqimgError:
        raise
    except Exception as exc:  # pretty_midi/mido raise many types on bad bytes
        raise in_file(path, f"not a readable MIDI file ({one_line(exc)})") from None
