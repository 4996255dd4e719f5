"""The ``patch`` discriminator variant (PatchGAN on the fold): stride-2 convs, then a 1x1 conv, so
that each position of the last map judges only its own region of the image, e.g. a few rows
(bars) of a 16 x 16 fold, instead of the whole window at once."""

from __future__ import annotations

import torch
from torch import nn

from seqimg.model.blocks import strided_critic
from seqimg.model.config import ModelConfig
from seqimg.model.plan import ShapePlan
from seqimg.model.variants import honours


class PatchDiscriminator(nn.Module):
    """Stride-2 3x3 convs with LeakyReLU down to the bottom map (4 x 4 on a 16 x 16 fold, each
    position seeing 7 x 7 pixels, about 7 bars of a one-bar-per-row fold), then a 1x1 conv to
    ``outputs`` logits per position; every position is one judged sample."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig, outputs: int) -> None:
        super().__init__()
        self.net = strided_critic(plan, cfg.width, outputs, 1, cfg.spectral_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, C, H, W) -> logits (B * h * w, outputs), one row per judged region."""
        logits = self.net(x)  # (B, outputs, h, w)
        return logits.permute(0, 2, 3, 1).reshape(-1, logits.shape[1])


@honours("spectral_norm")
def build_discriminator(plan: ShapePlan, cfg: ModelConfig, outputs: int) -> nn.Module:
    """A PatchGAN discriminator for images of ``plan``'s shape."""
    return PatchDiscriminator(plan, cfg, outputs)
