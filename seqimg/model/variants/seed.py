"""The ``seed`` variants: the seed paper's published DTN layers exactly, with no full-resolution
stem and no residual blocks (about a twelfth of the ``dtn`` variants' FLOPs at the same widths).

On 3 x 32 x 32 images with ``width: 64``: f is three stride-2 3x3 convs (64/128/256 channels)
and a 4x4 valid conv to the 128-d code; g is a 4x4 transposed conv from the code, then stride-2
transposed convs back to 32 x 32, each taking f's map of its size (U-Net); D is three stride-2
convs (64/128/256) and a 4x4 conv to one logit. Other image shapes follow the same shape plan.
"""

from __future__ import annotations

import torch
from torch import nn

from seqimg.model.blocks import StagedExtractor, spectral_normalise, xavier_init
from seqimg.model.config import ModelConfig
from seqimg.model.plan import ShapePlan, f_channels
from seqimg.model.variants import honours


def f_widths(plan: ShapePlan, cfg: ModelConfig) -> list[int]:
    """Channels from the image through each stride-2 conv of f (and of D)."""
    return [plan.channels] + [f_channels(cfg.width, level) for level in range(plan.levels)]


def down(c_in: int, c_out: int, activation: nn.Module) -> list[nn.Module]:
    """A stride-2 3x3 conv, BatchNorm and ``activation``: halves the map."""
    return [nn.Conv2d(c_in, c_out, 3, 2, 1, bias=False), nn.BatchNorm2d(c_out), activation]


class SeedExtractor(StagedExtractor):
    """f: ``levels`` stride-2 convs, then a conv over the whole bottom map to the code."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig) -> None:
        super().__init__()
        self.normalise = cfg.normalise_code
        widths = f_widths(plan, cfg)
        self.stages = nn.ModuleList(nn.Sequential(*down(a, b, nn.ReLU(inplace=True)))
                                    for a, b in zip(widths, widths[1:]))
        self.to_code = nn.Conv2d(widths[-1], cfg.code_dim, plan.bottom)
        xavier_init(self)


class SeedDecoder(nn.Module):
    """g: a transposed conv from the code to the bottom map, then stride-2 transposed convs up
    to full size, each after concatenating f's map of the same size when ``skip`` is on."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig, outputs: int) -> None:
        super().__init__()
        self.skip = cfg.skip
        widths = f_widths(plan, cfg)[1:]
        self.from_code = nn.Sequential(
            nn.ConvTranspose2d(cfg.code_dim, widths[-1], plan.bottom, bias=False),
            nn.BatchNorm2d(widths[-1]), nn.ReLU(inplace=True))
        self.stages = nn.ModuleList()
        for level in range(plan.levels - 1, -1, -1):  # bottom map first
            c_in = widths[level] * (2 if cfg.skip else 1)
            if level:
                self.stages.append(nn.Sequential(
                    nn.ConvTranspose2d(c_in, widths[level - 1], 4, 2, 1, bias=False),
                    nn.BatchNorm2d(widths[level - 1]), nn.ReLU(inplace=True)))
            else:
                self.stages.append(nn.ConvTranspose2d(c_in, outputs, 4, 2, 1))
        xavier_init(self)

    def forward(self, code: torch.Tensor, features: list[torch.Tensor]) -> torch.Tensor:
        """code (B, d, 1, 1) and f's maps -> (B, outputs, H, W), unsquashed."""
        x = self.from_code(code)
        for block, skip in zip(self.stages, reversed(features)):
            x = block(torch.cat([x, skip], dim=1) if self.skip else x)
        return x


class SeedDiscriminator(nn.Module):
    """D: f's stride-2 convs (LeakyReLU), then a conv over the bottom map to ``outputs``
    logits; spectrally normalised when ``model.spectral_norm``."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig, outputs: int) -> None:
        super().__init__()
        widths = f_widths(plan, cfg)
        layers = [layer for a, b in zip(widths, widths[1:])
                  for layer in down(a, b, nn.LeakyReLU(0.2, inplace=True))]
        self.net = nn.Sequential(*layers, nn.Conv2d(widths[-1], outputs, plan.bottom))
        xavier_init(self.net)
        if cfg.spectral_norm:
            spectral_normalise(self.net)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, C, H, W) -> logits (B, outputs)."""
        return self.net(x).flatten(1)


@honours("skip", "normalise_code")
def build_generator(plan: ShapePlan, cfg: ModelConfig,
                    outputs: int) -> tuple[nn.Module, nn.Module]:
    """The seed paper's f and g, layer for layer."""
    return SeedExtractor(plan, cfg), SeedDecoder(plan, cfg, outputs)


@honours("spectral_norm")
def build_discriminator(plan: ShapePlan, cfg: ModelConfig, outputs: int) -> nn.Module:
    """The seed paper's D, layer for layer."""
    return SeedDiscriminator(plan, cfg, outputs)
