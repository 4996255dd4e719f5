"""A method written outside the library, as a user would: the identity with one learned scale,
out = tanh(a * x), a fitted so that the outputs' mean magnitude is the target's. Recipes name
it ``method: {name: "scaled_identity:ScaledIdentity"}`` (this folder on the Python path)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from seqimg.methods.base import StepContext, TransferMethod


@dataclass(frozen=True)
class ScaledIdentityConfig:
    lr: float = 0.05  # Adam learning rate of the scale
    pause: float = 0.0  # seconds each step waits, so that a test can stop training midway


class ScaledIdentity(TransferMethod):
    config_class = ScaledIdentityConfig
    description = "the identity with a learned scale (a test)"

    def __init__(self, source, target, cfg: ScaledIdentityConfig) -> None:
        super().__init__(source, target, cfg)
        self.scale = torch.nn.Parameter(torch.ones(()))

    def setup(self, device: torch.device) -> None:
        self.optimiser = torch.optim.Adam(self.parameters(), lr=self.cfg.lr)

    def optimisers(self) -> dict:
        return {"adam": self.optimiser}

    def transfer(self, images: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.scale * images)

    def step(self, ctx: StepContext) -> dict:
        time.sleep(self.cfg.pause)
        out, t = self.transfer(ctx.source()), ctx.target()
        loss = (out.abs().mean() - t.abs().mean()) ** 2
        ctx.update(self.optimiser, loss)
        return {"L_SCALE": loss, "scale": self.scale.detach()}
