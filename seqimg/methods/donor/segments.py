"""Segments of any codec's frames for the donor method: a piece split into a slow trend and the
fast residual around it, overlapping segments of both, a library of the target's real segments
and the stitching of chosen residuals back into one piece (image quilting's seams, in time).
Pure numpy on frames, shape=(T, F)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

from seqimg.methods.donor.base import ArrayRecord


def trend(frames: np.ndarray, smooth: int) -> np.ndarray:
    """The slow part of a piece: the centred mean of every ``smooth`` steps, per feature, the
    ends held (shape kept)."""
    return uniform_filter1d(frames.astype(np.float64), smooth, axis=0, mode="nearest")


def segment_starts(length: int, segment: int, hop: int) -> np.ndarray:
    """First steps of the segments, ``hop`` apart, that cover ``length`` steps; the last may
    run past the end."""
    return np.arange(0, max(1, -(-(length - segment) // hop) + 1)) * hop


def cut_segments(frames: np.ndarray, starts: np.ndarray, segment: int) -> np.ndarray:
    """Segments of ``segment`` steps at ``starts``, shape=(N, segment, F); steps past the end
    repeat the last one."""
    index = np.minimum(starts[:, None] + np.arange(segment), len(frames) - 1)
    return frames[index]


def cut_point(ending: np.ndarray, starting: np.ndarray) -> int:
    """Where in an overlap, shape=(overlap, F) on both sides, the ending segment best gives way
    to the starting one: the step at which they differ least (image quilting's minimum-error
    boundary, in one dimension)."""
    return int(((ending - starting) ** 2).sum(1).argmin())


def stitch(segments: np.ndarray, hop: int, seam: str) -> np.ndarray:
    """Segments, shape=(N, L, F), laid ``hop`` steps apart into one series, shape=((N - 1) * hop
    + L, F): each overlap of ``L - hop`` steps either cross-faded linearly (``crossfade``) or
    cut where the two sides differ least (``cut``)."""
    count, length, width = segments.shape
    overlap = length - hop
    out = np.zeros(((count - 1) * hop + length, width))
    out[:length] = segments[0]
    fade = np.linspace(0, 1, overlap + 2)[1:-1, None]
    for index in range(1, count):
        start = index * hop
        ending, starting = out[start : start + overlap], segments[index, :overlap]
        if seam == "crossfade":
            out[start : start + overlap] = (1 - fade) * ending + fade * starting
        elif overlap:
            at = cut_point(ending, starting)
            out[start + at : start + overlap] = starting[at:]
        out[start + overlap : start + length] = segments[index, overlap:]
    return out


@dataclass(frozen=True)
class SegmentLibrary(ArrayRecord):
    """The target's training pieces laid end to end, shape=(n, F), their trend beside them,
    the first step of every segment (one per ``stride`` steps of each piece at least
    ``segment`` steps long; those that run past a piece's end hold its last step, as a
    source's last segment does), shape=(N,), and the piece each comes from, shape=(N,)."""

    frames: np.ndarray
    trends: np.ndarray
    starts: np.ndarray
    pieces: np.ndarray

    @classmethod
    def of(cls, pieces: list[np.ndarray], segment: int, stride: int,
           smooth: int) -> SegmentLibrary:
        frames, trends, starts, owners, offset = [], [], [], [], 0
        for index, piece in enumerate(pieces):
            if len(piece) >= segment:
                frames.append(piece), trends.append(trend(piece, smooth))
                starts.append(offset + np.arange(0, len(piece), stride))
                owners.append(np.full(len(starts[-1]), index))
                offset += len(piece)
        width = pieces[0].shape[1] if pieces else 1
        return cls(np.concatenate(frames or [np.zeros((0, width))]).astype(np.float32),
                   np.concatenate(trends or [np.zeros((0, width))]).astype(np.float32),
                   np.concatenate(starts or [np.zeros(0)]).astype(np.int64),
                   np.concatenate(owners or [np.zeros(0)]).astype(np.int64))

    def __len__(self) -> int:
        return len(self.starts)

    def previous(self, hop: int) -> np.ndarray:
        """For each library segment, the segment ``hop`` steps earlier in the same piece (the
        one a donor run continues from), -1 where there is none, shape=(N,). The starts rise
        along the shared time line, so each earlier one is found by binary search."""
        if not len(self):
            return np.zeros(0, dtype=np.int64)
        wanted = self.starts - hop
        at = np.minimum(np.searchsorted(self.starts, wanted), len(self) - 1)
        found = (self.starts[at] == wanted) & (self.pieces[at] == self.pieces)
        return np.where(found, at, -1).astype(np.int64)

    def offsets(self) -> np.ndarray:
        """Each library segment's first step within its own piece, shape=(N,)."""
        first = np.full(self.pieces.max(initial=-1) + 1, np.iinfo(np.int64).max)
        np.minimum.at(first, self.pieces, self.starts)
        return self.starts - first[self.pieces]

    def misplaced(self, starts: np.ndarray) -> np.ndarray:
        """For source segments beginning at ``starts``, shape=(T,), whether each library
        segment lies elsewhere in its piece than the nearest place the library offers,
        shape=(T, N): what an aligned choice (days, gestures: series that start at a fixed
        moment) must not take."""
        apart = np.abs(self.offsets()[None] - starts[:, None])
        return apart > apart.min(1, keepdims=True)

    def ends(self) -> np.ndarray:
        """Each library segment's piece's last step on the shared time line, shape=(N,)."""
        firsts = self.starts - self.offsets()
        following = np.append(np.unique(firsts), len(self.frames))
        return following[np.searchsorted(following, firsts, side="right")] - 1

    def segments(self, chosen: np.ndarray, segment: int, trends: bool = False,
                 residuals: bool = False) -> np.ndarray:
        """The frames (with ``trends``, the trends; with ``residuals``, frames less trends) of
        the ``chosen`` library segments, shape=(n, segment, F), each held at its own piece's
        last step."""
        index = np.minimum(self.starts[chosen, None] + np.arange(segment),
                           self.ends()[chosen, None])
        if residuals:
            return self.frames[index] - self.trends[index]
        return (self.trends if trends else self.frames)[index]
