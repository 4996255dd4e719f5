"""Writing decoded notes as MIDI with symusic, in ticks: a grid step is a whole number of ticks,
so notes land exactly, and a tempo map or time signatures can be laid over them unchanged."""

from __future__ import annotations

import numpy as np
import symusic

from seqimg.codecs.midi_piece import DEFAULT_QPM

TICKS_PER_QUARTER = 480  # divisible by every usual grid (2, 3, 4, 6, 8, 12, 16 per quarter)
DRUM_PITCH = 38  # General MIDI acoustic snare, used to write decoded drum hits
ALL_NOTES_OFF = 123  # a controller at the last step keeps the file as long as the frames


def note_list(notes: np.ndarray, ticks_per_step: float, velocity: int):
    """symusic notes from (pitch, start, end) steps."""
    starts = np.rint(notes[:, 1] * ticks_per_step).astype(np.int32)
    ends = np.rint(notes[:, 2] * ticks_per_step).astype(np.int32)
    return symusic.Note.from_numpy(starts, ends - starts, notes[:, 0].astype(np.int8),
                                   np.full(len(notes), velocity, dtype=np.int8))


def instrument_name(program: int) -> str:
    """The General MIDI name of ``program``, as a DAW shows a track."""
    import pretty_midi

    return pretty_midi.program_to_instrument_name(int(program))


def hold_length(score: symusic.Score, track: symusic.Track, end: int) -> None:
    """Keep ``score`` as long as the frames, to tick ``end``: an "all notes off" on ``track``,
    and a marker where no note is left to hold the controller (a silent piece)."""
    track.controls.append(symusic.ControlChange(end, ALL_NOTES_OFF, 0))
    score.markers.append(symusic.TextMeta(end, "end"))


def write_score(notes: np.ndarray, drum_steps: np.ndarray, length: int, ticks_per_step: float,
                config) -> symusic.Score:
    """A score of pitched notes, shape=(n, 3) in steps, and drum hits, ``length`` steps long,
    with the codec ``config``'s program, bass split, velocity and tempo (120 when unset)."""
    score = symusic.Score(TICKS_PER_QUARTER)
    score.tempos.append(symusic.Tempo(0, qpm=float(config.tempo or DEFAULT_QPM)))
    bass = (notes[:, 0] < config.bass_split if config.bass_program is not None
            else np.zeros(len(notes), dtype=bool))
    main = symusic.Track(name=instrument_name(config.program), program=config.program)
    main.notes = note_list(notes[~bass], ticks_per_step, config.velocity)
    score.tracks.append(main)
    hold_length(score, main, int(round(length * ticks_per_step)))
    if bass.any():
        low = symusic.Track(name=instrument_name(config.bass_program),
                            program=config.bass_program)
        low.notes = note_list(notes[bass], ticks_per_step, config.velocity)
        score.tracks.append(low)
    if len(drum_steps):
        hits = np.column_stack([np.full(len(drum_steps), DRUM_PITCH), drum_steps, drum_steps + 1])
        kit = symusic.Track(name="Drums", program=0, is_drum=True)
        kit.notes = note_list(hits, ticks_per_step, config.velocity)
        score.tracks.append(kit)
    return score


def write_parts_score(part_notes: list[np.ndarray], drums: tuple[np.ndarray, np.ndarray],
                      length: int, ticks_per_step: float, programs: list[int],
                      config) -> symusic.Score:
    """A score with one named track per part (lead, rhythm, bass, in ``programs``) and a drum
    track of ``drums`` (steps, General MIDI pitches), ``length`` steps long."""
    from seqimg.codecs.midi_parts import PARTS

    score = symusic.Score(TICKS_PER_QUARTER)
    score.tempos.append(symusic.Tempo(0, qpm=float(config.tempo or DEFAULT_QPM)))
    for name, notes, program in zip(PARTS, part_notes, programs):
        track = symusic.Track(name=name.title(), program=int(program))
        track.notes = note_list(notes, ticks_per_step, config.velocity)
        score.tracks.append(track)
    steps, pitches = drums
    kit = symusic.Track(name="Drums", program=0, is_drum=True)
    kit.notes = note_list(np.column_stack([pitches, steps, steps + 1]), ticks_per_step,
                          config.velocity)
    score.tracks.append(kit)
    hold_length(score, kit, int(round(length * ticks_per_step)))
    return score


def set_part_programs(score: symusic.Score, programs) -> None:
    """Give each pitched part's track of a parts score the program recorded for it (a part
    the input did not have keeps its own)."""
    for track, program in zip(score.tracks, programs):
        if program is not None and not track.is_drum:
            track.program = int(program)


def retimed_score(score: symusic.Score, timing: dict, keep_tempo: bool) -> symusic.Score:
    """``score`` with ``timing``'s time signatures and (unless ``keep_tempo``) its tempo map,
    both given in quarter notes; notes stay on their ticks."""
    tpq = score.ticks_per_quarter
    if not keep_tempo and timing.get("tempos"):
        score.tempos.clear()
        for position, qpm in timing["tempos"]:
            score.tempos.append(symusic.Tempo(int(round(position * tpq)), qpm=float(qpm)))
    score.time_signatures.clear()
    for position, numerator, denominator in timing.get("meters", []):
        score.time_signatures.append(symusic.TimeSignature(int(round(position * tpq)),
                                                           int(numerator), int(denominator)))
    return score
