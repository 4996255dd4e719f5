"""What training reads of G's output through a codec: its content views (for L_VIEWS) and its
form snapped to the codec's frame levels and tidied (what D sees). Tensor methods only, so
importing this module does not import torch."""

from __future__ import annotations

from dataclasses import dataclass

from seqimg.codecs.base import SequenceCodec
from seqimg.errors import SeqimgError


class ViewReader:
    """Named functions of a codec's frames (its ``content_views``, or with
    ``statistics=True`` its ``batch_statistics``), read from images, shape=(B, C, H, W), by way
    of the codec's frames: ``reader(images) -> {name: tensor}``."""

    def __init__(self, codec: SequenceCodec, names: list[str], where: str = "losses.views",
                 statistics: bool = False):
        offered = codec.batch_statistics() if statistics else codec.content_views()
        missing = [name for name in names if name not in offered]
        if missing:
            what = "batch statistic" if statistics else "view"
            raise SeqimgError(f"{where}.{missing[0]}: the {codec.name} codec offers no such "
                              f"{what} (it offers: {', '.join(offered) or 'none'})")
        self.codec, self.views = codec, {name: offered[name] for name in names}

    def __call__(self, images) -> dict:
        frames = self.codec.window_frames(images)
        return {name: view(frames) for name, view in self.views.items()}


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
        if codec.frame_levels is None:
            raise SeqimgError(f"{where}: the {codec.name} codec's frames are continuous (no "
                              "levels to snap G's output to); set it to false")
        self.codec, self.levels = codec, tuple(sorted(codec.frame_levels))

    def __call__(self, images):
        snapped = straight_through_quantise(images, images.new_tensor(self.levels))
        frames = self.codec.window_frames(snapped)
        tidied = self.codec.tidy(frames)
        return snapped if tidied is frames else self.codec.window_images(tidied)


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
    wanted = straight_through or target.frame_levels is not None
    snap = None
    if wanted:  # refuses continuous frames when asked for
        snap = OutputSnap(target, f"{where}.train.straight_through")
    return CodecReaders(
        snap=snap,
        views=(ViewReader(source, views, f"{where}.losses.views"),
               ViewReader(target, views, f"{where}.losses.views")) if views else None,
        match=ViewReader(target, matched, f"{where}.losses.match", statistics=True)
        if matched else None)
