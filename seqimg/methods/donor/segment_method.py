"""``method: {name: segment_donor}``: the donor method for any codec's frames (series, audio
features). The source piece's slow trend is kept; its fast detail is replaced by the residuals
(a segment less its own trend) of real target segments, chosen for the whole piece by the same
phrase-keeping dynamic programming as the note donor, matched on trend, and stitched at their
overlaps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from seqimg.codecs.base import SequenceCodec
from seqimg.errors import SeqimgError
from seqimg.memo import KeptForLast
from seqimg.methods.donor.base import DonorBase
from seqimg.methods.donor.choice import Extra, StateCosts, choose
from seqimg.methods.donor.index import LibraryIndex
from seqimg.methods.donor.phrases import Phrases
from seqimg.methods.donor.segments import (
    SegmentLibrary,
    cut_segments,
    segment_starts,
    stitch,
    trend,
)
from seqimg.scaling import standardised

MISPLACED = 1e3  # the cost of a donor from elsewhere in its piece when aligned: never paid
FROM_LIBRARY = KeptForLast()  # the index of the library given last, made once for its pieces
WINDOW = 4  # segments of a run the candidates are found by


@dataclass(frozen=True)
class SegmentDonorConfig:
    """How segments are cut, chosen and stitched. ``segment``, ``stride`` and ``smooth`` shape
    the library (fixed once indexed); the rest may change at transfer time."""

    segment: int = 16  # steps per segment
    overlap: int = 4  # steps neighbouring segments share, where they are stitched
    stride: int = 1  # steps between the starts of library segments in a training piece
    smooth: int = 5  # steps of the centred mean that is a piece's trend
    # share of the output's trend that is the source's (the rest is the donors' own trend):
    # 1 keeps the source's shape exactly, 0 writes the donor segments as they are
    keep_trend: float = 1.0
    # the kept trend's mean and deviation per feature: the source's, or the donors' trend's
    # ('donor': the source's trend kept only as a shape, at the target's level and size)
    trend_moments: Literal["source", "donor"] = "source"
    jump: float = 0.05  # cost of leaving a donor run, in mean squared trend difference
    # the detail's size per feature: as the chosen donors have it ('donor'), or scaled to the
    # library's root mean square ('typical': donors chosen to resemble the source are often
    # quieter than the target's detail at large)
    detail_size: Literal["donor", "typical"] = "donor"
    # weight of the detail's form (each segment's residual scaled to unit size) in the match,
    # beside the trend's 1: donors whose detail rises and falls where the source's does
    detail_weight: float = 0.0
    # each donor piece made dearer by this much times the share of the piece it covered in a
    # first pass (0: no second pass)
    use_penalty: float = 0.0
    # 'crossfade': overlaps blended linearly; 'cut': the residual switches donors where the
    # two differ least in the overlap (image quilting's minimum-error cut)
    seam: Literal["crossfade", "cut"] = "crossfade"
    # donors only from the same place in their piece (for series that all start at one
    # moment, such as days or recorded gestures); false: from anywhere (streams, audio)
    aligned: bool = False
    # the choice visits, for each window of 4 source segments, the runs of library segments
    # that lie this many nearest it, each along the whole piece; 0: every segment, the exact
    # pass. An aligned choice visits every segment
    candidates: int = 256

    def __post_init__(self) -> None:
        if self.segment < 2:
            raise ValueError(f"segment: expected 2 or more steps, got {self.segment}")
        if not 0 <= self.overlap < self.segment:
            raise ValueError(f"overlap: expected 0 to segment - 1 = {self.segment - 1} steps, "
                             f"got {self.overlap}")
        if self.stride < 1 or self.smooth < 1:
            raise ValueError("stride: expected 1 or more steps (and smooth 1 or more)")
        if not 0 <= self.keep_trend <= 1:
            raise ValueError(f"keep_trend: expected 0 to 1, got {self.keep_trend}")
        if min(self.jump, self.use_penalty, self.detail_weight, self.candidates) < 0:
            raise ValueError("jump: expected 0 or more (and use_penalty, detail_weight, "
                             "candidates 0 or more)")


def views(trends: np.ndarray, residuals: np.ndarray) -> np.ndarray:
    """What a segment is matched on, shape=(N, 2 * L * F): its trend, then its residual
    scaled to a root mean square of 1 (its form, whatever its size)."""
    size = np.sqrt((residuals**2).mean((1, 2), keepdims=True))
    form = residuals / np.maximum(size, 1e-6)
    return np.concatenate([trends.reshape(len(trends), -1), form.reshape(len(form), -1)], 1)


def root_mean_square(frames: np.ndarray) -> np.ndarray:
    """Per feature, shape=(F,)."""
    return np.sqrt((frames.astype(np.float64) ** 2).mean(0))


class SegmentDonorMethod(DonorBase):
    """Real target detail on the source's trend: every segment of a piece takes the residual
    of a real target segment whose trend matches, runs of one donor piece kept whole."""

    config_class = SegmentDonorConfig
    description = ("real target segments chosen for the whole piece by dynamic programming "
                   "over trend; their detail laid on the source's trend, seams stitched")
    library_class = SegmentLibrary
    transfer_settings = ("overlap", "keep_trend", "trend_moments", "detail_size", "jump",
                         "detail_weight", "use_penalty", "seam", "aligned", "candidates")

    def __init__(self, source: SequenceCodec, target: SequenceCodec,
                 cfg: SegmentDonorConfig) -> None:
        super().__init__(source, target, cfg)
        self.library = SegmentLibrary.of([], cfg.segment, cfg.stride, cfg.smooth)

    @classmethod
    def check(cls, source: SequenceCodec, target: SequenceCodec,
              cfg: SegmentDonorConfig) -> None:
        if source.n_features != target.n_features:
            raise SeqimgError(f"method.name: the segment_donor method lays target detail on "
                              f"source frames of the same width (source {source.n_features} "
                              f"features a step, target {target.n_features})")

    def fit_pieces(self, target: Iterable[np.ndarray]) -> None:
        c = self.cfg
        self.library = SegmentLibrary.of(list(target), c.segment, c.stride, c.smooth)
        if not len(self.library):
            raise SeqimgError(f"target: no training piece is as long as method.segment "
                              f"({c.segment} steps) to take donors from")

    def transfer_piece(self, frames: np.ndarray) -> np.ndarray:
        """A whole source piece, shape=(T, F): its trend with donor detail, shape=(T, F)."""
        return self.arrange(frames)

    def resynthesise_piece(self, frames: np.ndarray) -> np.ndarray:
        """A held-out target piece remade from its own trend with donor detail: the ceiling."""
        return self.arrange(frames)

    def match_weights(self, width: int) -> np.ndarray:
        """Each entry's weight in the match of views of ``width`` entries: the trend's, then
        the detail's form at ``detail_weight``, both as means over their entries."""
        half = width // 2
        return np.repeat([1 / half, self.cfg.detail_weight / half], half).astype(np.float32)

    def library_index(self, width: int) -> LibraryIndex:
        """Every library segment's view (:func:`views`) under the match's weights, indexed once
        per library and ``detail_weight``."""
        c, library = self.cfg, self.library

        def make() -> LibraryIndex:
            everything = np.arange(len(library))
            offered = views(library.segments(everything, c.segment, trends=True),
                            library.segments(everything, c.segment, residuals=True))
            return LibraryIndex.of(offered, self.match_weights(width), np.zeros(len(library)),
                                   Phrases.of(library.previous(c.segment - c.overlap)), WINDOW,
                                   c.jump)
        return FROM_LIBRARY.get((library,), ("index", width, c.detail_weight, c.overlap, c.jump),
                                make)

    def misplaced(self, starts: np.ndarray) -> Extra | None:
        """With ``aligned``, what a donor from elsewhere in its piece than the source segment
        at ``starts`` costs (never paid); None otherwise."""
        if not self.cfg.aligned:
            return None
        elsewhere = self.library.misplaced(starts)
        return lambda bar, shift, item: MISPLACED * elsewhere[bar, item]

    def arrange(self, frames: np.ndarray) -> np.ndarray:
        """Frames, shape=(T, F), as their trend (kept by ``keep_trend``) plus the stitched
        residuals of the donor segments chosen for them, clipped to [-1, 1]."""
        c, library = self.cfg, self.library
        if not len(frames):
            return frames.astype(np.float32)
        hop = c.segment - c.overlap
        starts = segment_starts(len(frames), c.segment, hop)
        kept = trend(frames, c.smooth)
        wanted = views(cut_segments(kept, starts, c.segment),
                       cut_segments(frames - kept, starts, c.segment))
        index = self.library_index(wanted.shape[1])
        _, chosen = choose(StateCosts(index.queries(wanted[:, None], self.match_weights(
            wanted.shape[1])), wanted.any(1), index, self.misplaced(starts)),
            library.previous(hop), library.pieces, c.jump, c.use_penalty,
            k=0 if c.aligned else c.candidates)
        donor_trends = library.segments(chosen, c.segment, trends=True)
        residual = stitch(library.segments(chosen, c.segment, residuals=True), hop,
                          c.seam)[: len(frames)]
        if c.detail_size == "typical":
            residual = residual * (root_mean_square(library.frames - library.trends) /
                                   np.maximum(root_mean_square(residual), 1e-6))
        their_trend = stitch(donor_trends, hop, "crossfade")[: len(frames)]
        if c.trend_moments == "donor":
            kept = standardised(kept) * their_trend.std(0) + their_trend.mean(0)
        made = c.keep_trend * kept + (1 - c.keep_trend) * their_trend + residual
        return np.clip(made, -1, 1).astype(np.float32)
