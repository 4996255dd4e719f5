"""The ``patch`` discriminator variant (PatchGAN on the fold): stride-2 convs, then a 1x1 conv, so
that each position of the last map judges only its own region of the image, e.g. a few rows
(bars) of a 16 x 16 fold, instead of the whole window at once."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from seqimg.model.blocks import xavier_init
from seqimg.model.plan import ShapePlan, g_channels
from seqimg.settings import ModelConfig


class PatchDiscriminator(nn.Module):
    """Stride-2 3x3 convs with LeakyReLU down to the bottom map (4 x 4 on a 16 x 16 fold, each
    position seeing 7 x 7 pixels, about 7 bars of a one-bar-per-row fold), then a 1x1 conv to
    ``outputs`` logits per position; every position is one judged sample."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig, outputs: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = plan.channels
        for level in range(1, plan.levels + 1):
            c_out = g_channels(cfg.width, level)
            layers += [nn.Conv2d(c_in, c_out, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
            c_in = c_out
        layers.append(nn.Conv2d(c_in, outputs, 1))
        self.net = nn.Sequential(*layers)
        xavier_init(self)
        if cfg.spectral_norm:
            for i, layer in enumerate(self.net):
                if isinstance(layer, nn.Conv2d):
                    self.net[i] = spectral_norm(layer)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, C, H, W) -> logits (B * h * w, outputs), one row per judged region."""
        logits = self.net(x)  # (B, outputs, h, w)
        return logits.permute(0, 2, 3, 1).reshape(-1, logits.shape[1])


def build_discriminator(plan: ShapePlan, cfg: ModelConfig, outputs: int) -> nn.Module:
    """A PatchGAN discriminator for images of ``plan``'s shape."""
    return PatchDiscriminator(plan, cfg, outputs)
