"""A minimal transfer method to copy: every image channel of the source moved by a learned
scale and offset (out = tanh(a * x + b)), fitted so that each channel's mean and spread match
the target's. It learns nothing about content; it shows the parts a method has.

Installed with its entry point (``seqimg.methods``: ``affine``), it appears in
``seqimg methods``, runs in a recipe as ``method: {name: affine, lr: 0.05}``, and the method
contract test (``seqimg.testing.check_method``) passes on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from seqimg.errors import SeqimgError
from seqimg.methods.base import Signal, StepContext, TransferMethod


@dataclass(frozen=True)
class AffineConfig:
    """Settings of the affine method."""

    lr: float = 0.05  # Adam learning rate of the scale and offset


class AffineMethod(TransferMethod):
    """out = tanh(a * x + b) per channel, (a, b) fitted to the target's channel statistics."""

    config_class = AffineConfig
    description = "per-channel scale and offset fitted to the target's statistics (an example)"

    @classmethod
    def check(cls, source, target, cfg: AffineConfig) -> None:
        """Refused at recipe load: a pair whose images differ in shape."""
        if source.layout.image_shape != target.layout.image_shape:
            raise SeqimgError(f"method.name: the affine method needs source and target images "
                              f"of one shape, not {source.layout.image_shape} and "
                              f"{target.layout.image_shape}")

    def __init__(self, source, target, cfg: AffineConfig) -> None:
        super().__init__(source, target, cfg)
        channels = target.layout.image_shape[0]
        self.scale = torch.nn.Parameter(torch.ones(channels, 1, 1))
        self.offset = torch.nn.Parameter(torch.zeros(channels, 1, 1))

    def setup(self, device: torch.device) -> None:
        self.optimiser = torch.optim.Adam(self.parameters(), lr=self.cfg.lr)

    def optimisers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": self.optimiser}

    def transfer(self, images: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.scale * images + self.offset)

    def step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """L = sum over channels of (mean gap)^2 + (std gap)^2 between outputs and target."""
        out, t = self.transfer(ctx.source()), ctx.target()
        loss = ((out.mean((0, 2, 3)) - t.mean((0, 2, 3))) ** 2
                + (out.std((0, 2, 3)) - t.std((0, 2, 3))) ** 2).sum()
        ctx.update(self.optimiser, loss)
        return {"L_STATS": loss, "scale": self.scale.detach().mean()}

    def signals(self, last: dict[str, float]) -> list[Signal]:
        return [Signal("L_STATS", last.get("L_STATS", float("nan")),
                       "near 0: the outputs' channel statistics are the target's")]
