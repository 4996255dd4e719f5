"""The donor library: every sounding bar of the target's training pieces, with its view, kept
as a few integer and float arrays so that it travels inside a checkpoint (a few MB for the metal
corpus) and a transfer needs no corpus."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from seqimg.codecs.capabilities import DRUM_PART
from seqimg.codecs.note_geometry import bar_views, bars_covering
from seqimg.codecs.notes import notes_in
from seqimg.methods.donor.base import ArrayRecord


@dataclass(frozen=True)
class DonorLibrary(ArrayRecord):
    """Notes of the donor pieces laid end to end, shape=(n, 4) as (pitch, start, end, part)
    on one time line (parts as :meth:`~seqimg.codecs.capabilities.NoteCodec.notes_in_parts`
    gives them); each library bar's first step there, shape=(N,), the piece it comes from,
    shape=(N,), and its view (of the pitched parts), shape=(N, D)."""

    notes: np.ndarray
    starts: np.ndarray
    pieces: np.ndarray
    views: np.ndarray

    @classmethod
    def of(cls, pieces: list[np.ndarray], lengths: list[int], bar: int, beat: int) -> DonorLibrary:
        """The library of pieces given as notes in parts, each shape=(n, 4), lasting
        ``lengths`` steps."""
        notes, starts, owners, views, offset = [], [], [], [], 0
        for index, (piece, length) in enumerate(zip(pieces, lengths)):
            piece_views = bar_views(piece[piece[:, 3] != DRUM_PART, :3], length, bar, beat)
            sounding = np.flatnonzero(piece_views.any(1))
            notes.append(piece + np.array([0, offset, offset, 0]))
            starts.append(offset + sounding * bar)
            owners.append(np.full(len(sounding), index))
            views.append(piece_views[sounding])
            # pieces start on a bar line of the time line
            offset += bars_covering(length, bar) * bar
        width = 12 + 12 * (bar // beat)
        return cls(np.concatenate(notes or [np.zeros((0, 4))]).astype(np.int32),
                   np.concatenate(starts or [np.zeros(0)]).astype(np.int64),
                   np.concatenate(owners or [np.zeros(0)]).astype(np.int64),
                   np.concatenate(views or [np.zeros((0, width))]).astype(np.float32))

    def __len__(self) -> int:
        return len(self.starts)

    @cached_property
    def by_start(self) -> tuple[np.ndarray, np.ndarray, int]:
        """The notes' order by start, their starts in that order and the longest note's steps:
        what finds a span's notes without reading every note."""
        order = np.argsort(self.notes[:, 1], kind="stable").astype(np.int32)
        longest = int((self.notes[:, 2] - self.notes[:, 1]).max(initial=0))
        return order, self.notes[order, 1], longest

    def notes_between(self, start: int, end: int) -> np.ndarray:
        """The notes sounding in steps ``start..end`` of the time line, cut to that span, in the
        library's order (as :func:`~seqimg.codecs.notes.notes_in` gives them)."""
        order, starts, longest = self.by_start
        first, last = np.searchsorted(starts, np.array([start - longest, end], starts.dtype))
        near = order[first:last]
        return notes_in(self.notes[np.sort(near)], start, end)

    def pitched_in_bars(self, bar: int) -> tuple[np.ndarray, np.ndarray]:
        """The pitched notes that start in a library bar, shape=(n, 4), and that bar's index,
        shape=(n,)."""
        pitched = self.notes[self.notes[:, 3] != DRUM_PART]
        owner = np.searchsorted(self.starts, pitched[:, 1], side="right") - 1
        inside = (owner >= 0) & (pitched[:, 1] < self.starts[np.maximum(owner, 0)] + bar)
        return pitched[inside], owner[inside]

    def notes_at_or_above(self, bar: int) -> np.ndarray:
        """For each library bar, how many of the pitched notes that start in it are at or above
        each pitch, shape=(N, 129) (the last column, above every pitch, is zero)."""
        pitched, owner = self.pitched_in_bars(bar)
        counts = np.zeros((len(self), 129), dtype=np.int32)
        np.add.at(counts, (owner, pitched[:, 0]), 1)
        return counts[:, ::-1].cumsum(1)[:, ::-1]

    def onsets_below(self, bar: int) -> np.ndarray:
        """For each library bar, at how many steps a pitched note below each pitch starts,
        shape=(N, 129) (the last column counts every onset of the bar)."""
        pitched, owner = self.pitched_in_bars(bar)
        counts = np.zeros((len(self), 129), dtype=np.int32)
        if len(pitched):
            order = np.lexsort((pitched[:, 0], pitched[:, 1], owner))
            struck = np.column_stack([owner, pitched[:, 1], pitched[:, 0]])[order]
            first = np.r_[True, np.any(np.diff(struck[:, :2], axis=0) != 0, axis=1)]
            lowest = struck[first]  # each onset's lowest pitch
            np.add.at(counts, (lowest[:, 0], lowest[:, 2] + 1), 1)
        return counts.cumsum(1)

    def previous(self, bar: int) -> np.ndarray:
        """For each library bar, the index of the bar just before it in the same piece (the
        bar a donor phrase continues from), -1 when there is none, shape=(N,)."""
        follows = (self.starts[1:] == self.starts[:-1] + bar) & (self.pieces[1:] ==
                                                                 self.pieces[:-1])
        return np.concatenate([[-1], np.where(follows, np.arange(len(self) - 1), -1)])
