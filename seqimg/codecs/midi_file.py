"""Reading MIDI files: symusic's parser first (a C++ core, about 100 times faster), pretty_midi
for a file symusic refuses, both giving the same :class:`MidiPiece`.

pretty_midi refuses a file whose largest tick passes ``MAX_TICK`` (10^7) as "likely corrupt": a
guard against a tick-to-time table that would fill memory. Counted in ticks, it also refuses valid
high-resolution files (music21 writes 10,080 ticks per beat, so 992 beats, about 8 minutes at
120 bpm, cross it). Here the guard counts beats instead, the same limit at pretty_midi's default
resolution of 220, and a file that is long in ticks but not in beats is re-timed to a resolution
that fits before parsing. The same limit in beats applies to what symusic reads.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from pathlib import Path

import mido
import numpy as np
import pretty_midi

from seqimg.codecs.midi_piece import MidiPiece, from_pretty_midi, from_score
from seqimg.errors import SeqimgError, in_file, one_line

log = logging.getLogger(__name__)

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
            raise too_long(path, beats)
        limit = math.floor((MAX_TICK - 1) / (beats + 1))
        retime(midi, fitting_resolution(midi.ticks_per_beat, limit))
    return pretty_midi.PrettyMIDI(mido_object=midi)


def too_long(path: Path, beats: float) -> SeqimgError:
    """The error for a file whose length in beats marks it as corrupt."""
    return in_file(path, f"not a readable MIDI file (it lasts {beats:,.0f} beats, more than "
                   f"{MAX_BEATS:,.0f}: likely corrupt)")


def read_with_symusic(path: Path) -> MidiPiece:
    """The piece as symusic parses it; its errors propagate (the caller falls back)."""
    import symusic

    score = symusic.Score(str(path))
    if score.ticks_per_quarter <= 0:
        raise ValueError(f"resolution {score.ticks_per_quarter} ticks per beat")
    beats = score.end() / score.ticks_per_quarter
    if beats > MAX_BEATS:
        raise too_long(path, beats)
    return from_score(score)


def read_with_pretty_midi(path: Path) -> MidiPiece:
    """The piece as pretty_midi parses it; a one-line error naming the file for anything that
    is not valid MIDI."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            midi = mido.MidiFile(filename=str(path), charset="latin1")
            return from_pretty_midi(parse(midi, path))
    except SeqimgError:
        raise
    except EOFError:
        raise in_file(path, "not a readable MIDI file (it ends in the middle of a track: "
                      "truncated?)") from None
    except Exception as exc:  # pretty_midi/mido raise many types on bad bytes
        raise in_file(path, f"not a readable MIDI file ({one_line(exc)})") from None


def read_midi(path: Path) -> MidiPiece:
    """A MIDI file as a :class:`MidiPiece`: symusic's reading, or pretty_midi's when symusic
    refuses the file (its reason is logged)."""
    try:
        return read_with_symusic(path)
    except SeqimgError:
        raise
    except Exception as exc:  # symusic raises RuntimeError and others on bad bytes
        log.debug("%s: symusic refused it (%s); reading with pretty_midi", path, one_line(exc))
    return read_with_pretty_midi(path)


def as_pretty_midi(score) -> pretty_midi.PrettyMIDI:
    """A symusic score as pretty_midi's object (for its synthesiser)."""
    return pretty_midi.PrettyMIDI(io.BytesIO(score.dumps_midi()))
