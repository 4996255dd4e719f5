"""The ``dtn`` variants: the seed paper's f (content extractor), g (decoder) and D
(discriminator), sized from the image shape."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from seqimg.model.blocks import StagedExtractor, stage, strided_critic, xavier_init
from seqimg.model.config import ModelConfig
from seqimg.model.plan import ShapePlan, f_channels, g_channels
from seqimg.model.variants import honours


class ContentExtractor(StagedExtractor):
    """f: a 3x3 stem, then stride-2 3x3 stages down to the bottom map, then a conv over the whole
    bottom map to a ``code_dim`` code (tanh, or L2-normalised)."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig) -> None:
        super().__init__()
        w = cfg.width
        self.normalise = cfg.normalise_code
        self.stages = nn.ModuleList([stage(plan.channels, f_channels(w, 0), 1, cfg.residual)])
        for level in range(1, plan.levels + 1):
            self.stages.append(stage(f_channels(w, level - 1), f_channels(w, level), 2,
                                     cfg.residual))
        self.to_code = nn.Conv2d(f_channels(w, plan.levels), cfg.code_dim, plan.bottom)
        xavier_init(self)


class Decoder(nn.Module):
    """g: a transposed conv from the code to the bottom map, then 3x3 stages that upsample x2,
    taking f's feature map of the same level as a skip (U-Net) when switched on, then a 3x3
    conv to ``outputs`` channels at full resolution (unsquashed: the DTN squashes them)."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig, outputs: int) -> None:
        super().__init__()
        w, levels = cfg.width, plan.levels
        self.skip = cfg.skip
        self.from_code = nn.Sequential(
            nn.ConvTranspose2d(cfg.code_dim, g_channels(w, levels), plan.bottom, bias=False),
            nn.BatchNorm2d(g_channels(w, levels)), nn.ReLU(inplace=True))
        self.stages = nn.ModuleList()
        for level in range(levels, -1, -1):  # bottom level first, full resolution last
            c_in = g_channels(w, level) + (f_channels(w, level) if cfg.skip else 0)
            c_out = g_channels(w, level - 1) if level else g_channels(w, 0)
            self.stages.append(stage(c_in, c_out, 1, cfg.residual))
        self.to_image = nn.Conv2d(g_channels(w, 0), outputs, 3, 1, 1)
        xavier_init(self)

    def forward(self, code: torch.Tensor, features: list[torch.Tensor]) -> torch.Tensor:
        """code (B, d, 1, 1) and f's features -> (B, outputs, H, W)."""
        x = self.from_code(code)
        for block, skip in zip(self.stages, reversed(features)):
            if self.skip:
                x = torch.cat([x, skip], dim=1)
            x = block(x)
            if x.shape[-2:] != features[0].shape[-2:]:
                x = F.interpolate(x, scale_factor=2, mode="nearest")
        return self.to_image(x)


class Discriminator(nn.Module):
    """D: stride-2 3x3 convs with LeakyReLU down to the bottom map, then a conv over it to
    ``outputs`` logits (1 for a binary adversarial loss, 3 for the ternary one)."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig, outputs: int) -> None:
        super().__init__()
        self.net = strided_critic(plan, cfg.width, outputs, plan.bottom, cfg.spectral_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, C, H, W) -> logits (B, outputs)."""
        return self.net(x).flatten(1)


@honours("residual", "skip", "normalise_code")
def build_generator(plan: ShapePlan, cfg: ModelConfig,
                    outputs: int) -> tuple[nn.Module, nn.Module]:
    """The seed paper's f (down to a 1x1 code) and g (back up, with skips from f)."""
    return ContentExtractor(plan, cfg), Decoder(plan, cfg, outputs)


@honours("spectral_norm")
def build_discriminator(plan: ShapePlan, cfg: ModelConfig, outputs: int) -> nn.Module:
    """The seed paper's D: stride-2 convs to logits over the whole image."""
    return Discriminator(plan, cfg, outputs)
