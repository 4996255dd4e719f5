"""A MIDI file as the ``midi`` codec needs it, timed in quarter notes whatever the meter or the
tempo: pitched notes, drum onsets, the tempo map and the time signatures.

Quarter notes are the file's own clock (ticks over ticks per quarter), so a grid on them is
exact in every meter; seconds come from the tempo map only where a fixed-rate grid asks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_QPM = 120.0  # MIDI's tempo when a file sets none


@dataclass(frozen=True)
class MidiPiece:
    """Notes, shape=(n, 3) as (pitch, start, end), and drum onsets, shape=(m,), in quarter
    notes; ``tempos`` as (position, quarter notes per minute) rows, the first at 0, and
    ``meters`` as (position, numerator, denominator) rows; ``reader`` names the parser and
    ``end`` is the last event's position (a note, a controller, a tempo change)."""

    notes: np.ndarray
    drums: np.ndarray
    tempos: np.ndarray
    meters: np.ndarray
    reader: str
    end: float = 0.0
    # where each note came from, for the parts encoding: the index into ``tracks`` of each
    # pitched note, shape=(n,); each pitched track's (name, program); each drum onset's pitch
    note_tracks: np.ndarray | None = None
    tracks: tuple[tuple[str, int], ...] = ()
    drum_pitches: np.ndarray | None = None

    def seconds(self, quarters: np.ndarray) -> np.ndarray:
        """Positions in quarter notes to seconds, following the tempo map."""
        return seconds_at(self.tempos, quarters)

    def timing(self) -> dict:
        """The tempo map and meters as plain JSON-able lists (what decoding writes back)."""
        return {"tempos": self.tempos.tolist(), "meters": self.meters.tolist()}


def seconds_at(tempos: np.ndarray, quarters: np.ndarray) -> np.ndarray:
    """Positions in quarter notes to seconds under ``tempos`` rows (position, qpm)."""
    starts, qpm = tempos[:, 0], tempos[:, 1]
    elapsed = np.concatenate([[0.0], np.cumsum(np.diff(starts) * 60.0 / qpm[:-1])])
    segment = np.clip(np.searchsorted(starts, quarters, side="right") - 1, 0, len(starts) - 1)
    return elapsed[segment] + (quarters - starts[segment]) * 60.0 / qpm[segment]


def quarters_at(tempos: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """The inverse of :func:`seconds_at`."""
    starts = seconds_at(tempos, tempos[:, 0])
    segment = np.clip(np.searchsorted(starts, seconds, side="right") - 1, 0, len(starts) - 1)
    return tempos[segment, 0] + (seconds - starts[segment]) * tempos[segment, 1] / 60.0


def tempo_rows(positions: np.ndarray, qpm: np.ndarray) -> np.ndarray:
    """Tempo changes as (position, qpm) rows that start at 0, the last of several at one
    position winning (as a player applies them)."""
    rows = np.column_stack([positions, qpm]).astype(np.float64).reshape(-1, 2)
    if not len(rows) or rows[0, 0] > 0:
        rows = np.vstack([[0.0, rows[0, 1] if len(rows) and rows[0, 0] == 0 else DEFAULT_QPM],
                          rows])
    keep = np.append(rows[1:, 0] != rows[:-1, 0], True)
    return rows[keep]


def meter_rows(positions: np.ndarray, numerators: np.ndarray,
               denominators: np.ndarray) -> np.ndarray:
    """Time signatures as (position, numerator, denominator) rows, repeats dropped."""
    rows = np.column_stack([positions, numerators, denominators]).astype(np.float64)
    rows = rows.reshape(-1, 3)
    if len(rows) < 2:
        return rows
    changed = np.any(rows[1:, 1:] != rows[:-1, 1:], axis=1)
    return rows[np.concatenate([[True], changed])]


def from_score(score) -> MidiPiece:
    """A piece from symusic's score in ticks."""
    tpq = float(score.ticks_per_quarter)
    pitched, drums, drum_pitches, tracks = [], [], [], []
    for track in score.tracks:
        notes = track.notes.numpy()
        start = notes["time"].astype(np.float64) / tpq
        if track.is_drum:
            drums.append(start)
            drum_pitches.append(notes["pitch"].astype(np.int64))
        else:
            end = start + notes["duration"].astype(np.float64) / tpq
            pitched.append(np.column_stack([notes["pitch"].astype(np.float64), start, end]))
            tracks.append((track.name, int(track.program)))
    tempos = score.tempos.numpy()
    meters = score.time_signatures.numpy()
    return MidiPiece(
        np.concatenate(pitched) if pitched else np.zeros((0, 3)),
        np.concatenate(drums) if drums else np.zeros(0),
        tempo_rows(tempos["time"] / tpq, 6e7 / tempos["mspq"].astype(np.float64)),
        meter_rows(meters["time"] / tpq, meters["numerator"], meters["denominator"]),
        "symusic", score.end() / tpq,
        note_tracks=np.repeat(np.arange(len(pitched)), [len(p) for p in pitched]),
        tracks=tuple(tracks),
        drum_pitches=np.concatenate(drum_pitches) if drum_pitches else np.zeros(0, np.int64))


def from_pretty_midi(pm) -> MidiPiece:
    """A piece from pretty_midi's object in seconds, re-timed through its own tempo map."""
    change_times, qpm = pm.get_tempo_changes()
    tempos = tempo_rows(np.concatenate([[0.0], np.cumsum(np.diff(change_times) * qpm[:-1] / 60)]),
                        qpm)
    melodic = [i for i in pm.instruments if not i.is_drum]
    pitched = [(n.pitch, n.start, n.end) for i in melodic for n in i.notes]
    notes = np.array(pitched, dtype=np.float64).reshape(-1, 3)
    notes[:, 1:] = quarters_at(tempos, notes[:, 1:])
    drums = np.array([n.start for i in pm.instruments if i.is_drum for n in i.notes],
                     dtype=np.float64)
    changes = pm.time_signature_changes
    meters = meter_rows(quarters_at(tempos, np.array([c.time for c in changes], dtype=np.float64)),
                        np.array([c.numerator for c in changes]),
                        np.array([c.denominator for c in changes]))
    end = float(quarters_at(tempos, np.array([pm.get_end_time()]))[0])
    return MidiPiece(
        notes, quarters_at(tempos, drums), tempos, meters, "pretty_midi", end,
        note_tracks=np.repeat(np.arange(len(melodic)), [len(i.notes) for i in melodic]),
        tracks=tuple((i.name, i.program) for i in melodic),
        drum_pitches=np.array([n.pitch for i in pm.instruments if i.is_drum for n in i.notes],
                              dtype=np.int64))
