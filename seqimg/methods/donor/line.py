"""A line written over the donors instead of the tune pasted into their rhythm: the melody's
pitch is kept where each of its notes begins (the anchors), and every other onset the donor's
rhythm gives it takes a pitch from a variable-order Markov model of real target lines (the
intervals between successive onsets of each part's top voice), restricted to the pitch classes
the band plays in that bar and to a reach around the melody's pitch. A continuation that would
make a run of more than ``longest`` intervals found in the training lines is refused, which
bounds how much of any real line is copied (Papadopoulos, Roy & Pachet, AAAI 2014)."""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from seqimg.codecs.capabilities import DRUM_PART
from seqimg.codecs.note_geometry import bar_classes

LARGEST_LEAP = 12  # intervals beyond an octave are left out of the model
REACH = 7  # semitones a written line may move from the melody's pitch


def part_lines(notes: np.ndarray, gap: int) -> list[np.ndarray]:
    """Every pitched part's top voice as pitch sequences, one per phrase: the highest pitch at
    each onset of the part in notes, shape=(n, 4) as (pitch, start, end, part), a phrase ending
    where the part rests for ``gap`` steps or more."""
    lines = []
    for part in np.unique(notes[:, 3]):
        if part == DRUM_PART:
            continue
        own = notes[notes[:, 3] == part]
        own = own[np.argsort(own[:, 1], kind="stable")]
        onsets, first = np.unique(own[:, 1], return_index=True)
        tops = np.maximum.reduceat(own[:, 0], first)
        breaks = np.flatnonzero(np.diff(onsets) >= gap) + 1
        lines += [line for line in np.split(tops, breaks) if len(line) > 1]
    return lines


@dataclass(frozen=True)
class LineModel:
    """Counts of the next interval after every context of up to ``order`` intervals, and every
    run of ``longest + 1`` intervals of the training lines (what a written line may not make)."""

    order: int
    longest: int
    counts: dict[tuple[int, ...], Counter]
    runs: frozenset[tuple[int, ...]]

    @classmethod
    def of(cls, lines: list[np.ndarray], order: int = 3, longest: int = 6) -> LineModel:
        counts: dict[tuple[int, ...], Counter] = defaultdict(Counter)
        runs = set()
        for line in lines:
            steps = np.diff(line.astype(np.int64)).tolist()
            for i, step in enumerate(steps):
                if abs(step) > LARGEST_LEAP:
                    continue
                for k in range(min(order, i) + 1):
                    counts[tuple(steps[i - k : i])][step] += 1
            runs.update(tuple(steps[i : i + longest + 1])
                        for i in range(len(steps) - longest))
        return cls(order, longest, dict(counts), frozenset(runs))

    def next_steps(self, history: list[int]) -> Counter:
        """The counts of the next interval after the longest context of ``history`` the
        training lines have (backing off to shorter ones, down to none)."""
        for k in range(min(self.order, len(history)), -1, -1):
            found = self.counts.get(tuple(history[len(history) - k :]))
            if found:
                return found
        return Counter({0: 1})

    def copies(self, history: list[int], step: int) -> bool:
        """Whether ``step`` after ``history`` would repeat a run of more than ``longest``
        intervals of the training lines."""
        run = tuple(history[len(history) - self.longest :]) + (step,)
        return len(run) > self.longest and run in self.runs


def anchor_steps(tune: np.ndarray, bar: int, which: str) -> frozenset[int]:
    """The steps where a written line keeps the tune's pitch: where each of the tune's notes,
    shape=(n, k) as (pitch, start, ...), begins ('notes'), or only those that begin on a bar's
    first or middle beat ('strong_beats')."""
    starts = tune[:, 1]
    if which == "strong_beats":
        starts = starts[starts % (bar // 2) == 0]
    return frozenset(starts.tolist())


def band_classes(accompaniment: np.ndarray, bar: int, bars: int) -> np.ndarray:
    """The pitch classes each bar's pitched accompaniment, shape=(n, 4), starts, shape=(bars,
    12), bool."""
    return bar_classes(accompaniment[accompaniment[:, 3] != DRUM_PART], bars, bar, held=False)


def to_band_classes(melody: np.ndarray, accompaniment: np.ndarray, bar: int) -> np.ndarray:
    """The melody, shape=(n, 4), each pitch whose class the band does not play in its bar
    moved to the nearest pitch whose class it does (down on a tie); bars where the band plays
    no pitch keep the melody as it is."""
    if not len(melody):
        return melody
    bars = int(max(melody[:, 1].max(), accompaniment[:, 1].max(initial=0))) // bar + 1
    classes = band_classes(accompaniment, bar, bars)[melody[:, 1] // bar]  # (n, 12)
    moves = np.array([0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6])
    allowed = classes[np.arange(len(melody))[:, None], (melody[:, :1] + moves) % 12]
    first = allowed.argmax(1)
    moved = melody.copy()
    moved[:, 0] += np.where(allowed.any(1), moves[first], 0)
    return moved


def write_line(melody: np.ndarray, anchors: np.ndarray, accompaniment: np.ndarray,
               model: LineModel, bar: int, reach: int = REACH) -> np.ndarray:
    """The melody, shape=(n, 4) as (pitch, start, end, part) with one note per onset, with a
    pitch written at every note that is not an anchor (``anchors``: the steps where the
    melody's own notes begin): drawn from ``model`` after the line so far, among the pitches
    within ``reach`` semitones of the melody's pitch there whose class the bar's
    ``accompaniment`` plays (any class in a bar without one), never completing a copied run; the
    melody's pitch where nothing is left. Seeded by the melody, so a piece is written the same
    way every time."""
    order = np.argsort(melody[:, 1], kind="stable")
    written = melody[order].copy()
    bars = int(written[:, 1].max()) // bar + 1 if len(written) else 0
    classes = band_classes(accompaniment, bar, bars)
    rng = np.random.default_rng(zlib.crc32(np.ascontiguousarray(melody).tobytes()))
    history: list[int] = []
    for i, (pitch, start, *_) in enumerate(written.tolist()):
        if i and start not in anchors:
            allowed = classes[start // bar] if classes[start // bar].any() else np.ones(12, bool)
            counts = model.next_steps(history)
            steps = [s for s in counts
                     if abs(written[i - 1, 0] + s - pitch) <= reach
                     and allowed[(written[i - 1, 0] + s) % 12] and not model.copies(history, s)]
            if steps:
                weights = np.array([counts[s] for s in steps], dtype=np.float64)
                step = rng.choice(steps, p=weights / weights.sum())
                written[i, 0] = written[i - 1, 0] + step
        if i:
            history.append(int(written[i, 0] - written[i - 1, 0]))
    out = np.empty_like(written)
    out[order] = written
    return out
