"""The ``dual`` discriminator variant: the fold's global D (``dtn``, one judgement per window)
beside the 1-D patch D over time (``temporal``, one per stretch of a few bars), so that G is
held to the piece as a whole and to every passage. Each judges half of the adversarial loss."""

from __future__ import annotations

import torch
from torch import nn

from seqimg.model.config import ModelConfig
from seqimg.model.plan import ShapePlan
from seqimg.model.variants import dtn, honours, temporal


class DualDiscriminator(nn.Module):
    """Rows of the global D, each repeated once per temporal row of its window, followed by
    the temporal D's rows: both judges weigh equally in a loss averaged over rows."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig, outputs: int) -> None:
        super().__init__()
        self.whole = dtn.Discriminator(plan, cfg, outputs)
        self.local = temporal.TemporalPatchDiscriminator(plan, cfg, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, C, H, W) -> logits (2 * B * positions, outputs)."""
        local = self.local(x)
        whole = self.whole(x).repeat_interleave(len(local) // len(x), dim=0)
        return torch.cat([whole, local])


@honours("spectral_norm")
def build_discriminator(plan: ShapePlan, cfg: ModelConfig, outputs: int) -> nn.Module:
    """The fold's global D and the 1-D patch D over time, judging together."""
    return DualDiscriminator(plan, cfg, outputs)
