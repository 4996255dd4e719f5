"""What the DTN's training reads of G's output through a codec: its form snapped to the codec's
frame levels and tidied (what D sees), and the content views and batch statistics its losses
compare. Tensor methods only, so importing this module does not import torch."""

from __future__ import annotations

from dataclasses import dataclass

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Quantised, able
from seqimg.errors import SeqimgError
from seqimg.views import ViewReader


def straight_through_quantise(x, levels):
    """The nearest of ``levels`` (a tensor) forward (sign(x) for levels -1, 1), identity
    backward."""
    nearest = levels[(x.unsqueeze(-1) - levels).abs().argmin(-1)]
    return x + (nearest - x).detach()


class OutputSnap:
    """G's output as the target codec's real images look: each value snapped to the codec's
    ``frame_levels`` with straight-through gradients, then the frames tidied by the codec
    (e.g. MIDI onsets only where notes sound)."""

    def __init__(self, codec: SequenceCodec, where: str = "train.straight_through"):
        levels = able(codec, Quantised).frame_levels
        if levels is None:
            raise SeqimgError(f"{where}: the {codec.name} codec's frames are continuous (no "
                              "levels to snap G's output to); set it to false")
        self.codec, self.levels = codec, tuple(sorted(levels))

    def __call__(self, images):
        snapped = straight_through_quantise(images, images.new_tensor(self.levels))
        frames = self.codec.layout.window_frames(snapped)
        tidied = able(self.codec, Quantised).tidy(frames)
        return snapped if tidied is frames else self.codec.layout.window_images(tidied)


@dataclass(frozen=True)
class CodecReaders:
    """Everything training reads through the codecs: ``snap`` (G's output as D sees it),
    ``views`` (source and target content views for L_VIEWS) and ``match`` (the target's batch
    statistics for L_MATCH); None where unused."""

    snap: OutputSnap | None = None
    views: tuple[ViewReader, ViewReader] | None = None
    match: ViewReader | None = None


def codec_readers(source: SequenceCodec, target: SequenceCodec, losses,
                  straight_through: bool, where: str = "method") -> CodecReaders:
    """The readers a DTN's losses and ``train.straight_through`` need; an error naming the key
    (under ``where``) when a codec cannot give what is asked of it."""
    views, matched = list(losses.views), list(losses.match)
    wanted = straight_through or able(target, Quantised).frame_levels is not None
    snap = None
    if wanted:  # refuses continuous frames when asked for
        snap = OutputSnap(target, f"{where}.train.straight_through")
    return CodecReaders(
        snap=snap,
        views=(ViewReader(source, views, f"{where}.losses.views"),
               ViewReader(target, views, f"{where}.losses.views")) if views else None,
        match=ViewReader(target, matched, f"{where}.losses.match", statistics=True)
        if matched else None)
