"""The source stem of a cross-codec pair: source images to the target's fold and channels, so
that one body (f and g) and one D serve both domains.

The window is unfolded to its frames and folded again with the target's height, width and
steps per pixel (exact, whole steps: time is never resampled), then a learned 1x1 convolution
projects the source's features onto the target's image channels.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from seqimg.fold import FoldSpec, fold_batch, unfold_batch


@dataclass(frozen=True)
class StemSpec:
    """The two folds and feature counts a stem connects; equal window lengths."""

    source_fold: FoldSpec
    source_features: int
    target_fold: FoldSpec
    target_channels: int

    @property
    def refolded_channels(self) -> int:
        return self.target_fold.channels(self.source_features)


class SourceStem(nn.Module):
    """(B, C_s, H_s, W_s) -> (B, C_t, H_t, W_t): refold, then a 1x1 projection."""

    def __init__(self, spec: StemSpec) -> None:
        super().__init__()
        self.spec = spec
        self.project = nn.Conv2d(spec.refolded_channels, spec.target_channels, 1)

    def forward(self, x):
        if self.spec.source_fold != self.spec.target_fold:
            x = fold_batch(unfold_batch(x, self.spec.source_fold), self.spec.target_fold)
        return self.project(x)


def stem_spec(source, target) -> StemSpec | None:
    """What a cross-codec pair's source stem connects, from the two codecs; None when their
    images share a shape."""
    if source.layout.image_shape == target.layout.image_shape:
        return None
    return StemSpec(source.layout.spec, source.n_features, target.layout.spec,
                    target.layout.image_shape[0])
