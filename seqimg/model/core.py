"""The Domain Transfer Network: ``G = g(f(x))`` from a generator variant and ``D`` from a
discriminator variant, both named in the model config and looked up in the registry."""

from __future__ import annotations

import torch
from torch import nn

from seqimg.model.plan import ShapePlan, plan_for
from seqimg.registry import lookup
from seqimg.settings import ModelConfig


class DTN(nn.Module):
    """f, g and D for images of one shape; ``forward`` is G. ``outputs`` is the number of D's
    logits, which the adversarial loss decides (1 binary, 3 ternary)."""

    def __init__(self, shape: tuple[int, int, int], cfg: ModelConfig, outputs: int = 1) -> None:
        super().__init__()
        self.shape, self.cfg = tuple(shape), cfg
        self.plan: ShapePlan = plan_for(self.shape)
        self.f, self.g = lookup("generators", cfg.generator)(self.plan, cfg)
        self.d = lookup("discriminators", cfg.discriminator)(self.plan, cfg, outputs)

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
