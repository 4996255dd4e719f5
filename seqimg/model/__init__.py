"""The Domain Transfer Network: ``G = g(f(x))`` and the discriminator ``D``."""

from __future__ import annotations

import torch
from torch import nn

from seqimg.model.config import ModelConfig, ShapePlan, plan_for
from seqimg.model.networks import ContentExtractor, Decoder, Discriminator


class DTN(nn.Module):
    """f, g and D for images of one shape; ``forward`` is G."""

    def __init__(self, shape: tuple[int, int, int], cfg: ModelConfig) -> None:
        super().__init__()
        self.shape, self.cfg = tuple(shape), cfg
        self.plan: ShapePlan = plan_for(self.shape)
        self.f = ContentExtractor(self.plan, cfg)
        self.g = Decoder(self.plan, cfg)
        self.d = Discriminator(self.plan, cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """G(x): (B, C, H, W) -> (B, C, H, W)."""
        code, features = self.f(x)
        return self.g(code, features)

    def generator_parameters(self) -> list[nn.Parameter]:
        """What G's optimiser updates: g, and f unless f is pretrained and frozen."""
        params = list(self.g.parameters())
        if self.cfg.f_mode == "joint":
            params += list(self.f.parameters())
        return params


__all__ = ["DTN", "ModelConfig", "plan_for"]
