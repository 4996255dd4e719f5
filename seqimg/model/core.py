"""The Domain Transfer Network: ``G = g(f(x))`` from a generator variant and ``D`` from a
discriminator variant, both named in the model config and looked up in the registry."""

from __future__ import annotations

import torch
from torch import nn

from seqimg.model.config import ModelConfig
from seqimg.model.plan import ShapePlan, plan_for
from seqimg.model.stem import SourceStem, StemSpec
from seqimg.registry import lookup

# With ``model.edit`` the keep-mask is sigmoid(logit + KEEP_OFFSET): about 0.95 where g's mask
# logit is 0, so that an untrained G returns (the sign of) its input and has to earn each change.
KEEP_OFFSET = 3.0


class DTN(nn.Module):
    """f, g and D for images of one shape; ``forward`` is G. ``outputs`` is the number of D's
    logits, which the adversarial loss decides (1 binary, 3 ternary).

    g returns unsquashed maps; G's output is their tanh, or with ``model.edit`` an edit of the
    input: ``m * x + (1 - m) * tanh(y)`` from g's 2C channels ``(y, mask logits)``.
    """

    def __init__(self, shape: tuple[int, int, int], cfg: ModelConfig, outputs: int = 1,
                 stem: StemSpec | None = None) -> None:
        super().__init__()
        self.shape, self.cfg = tuple(shape), cfg
        self.plan: ShapePlan = plan_for(self.shape)
        channels = self.plan.channels * (2 if cfg.edit else 1)
        self.f, self.g = lookup("generators", cfg.generator)(self.plan, cfg, channels)
        self.d = lookup("discriminators", cfg.discriminator)(self.plan, cfg, outputs)
        # a cross-codec pair's source images enter through a stem; the same-codec model has none
        self.stem = SourceStem(stem) if stem is not None else None

    @property
    def cross(self) -> bool:
        """Whether source images differ in shape from target ones (a cross-codec pair)."""
        return self.stem is not None

    def source_in(self, x: torch.Tensor) -> torch.Tensor:
        """Source images as the body takes them: through the stem, when there is one."""
        return x if self.stem is None else self.stem(x)

    def transfer(self, x: torch.Tensor) -> torch.Tensor:
        """G on source images (of the source's shape), to target images."""
        return self.translate(x, source=True)[0]

    def translate(self, x: torch.Tensor, source: bool = False
                  ) -> tuple[torch.Tensor, torch.Tensor, list]:
        """G(x), f's code of x and f's feature maps of x; ``source``: x is a source image (of
        the source's shape), else a target one."""
        if source:
            x = self.source_in(x)
        code, features = self.f(x)
        raw = self.g(code, features)
        if not self.cfg.edit:
            return torch.tanh(raw), code, features
        new, keep_logit = raw.chunk(2, dim=1)
        keep = torch.sigmoid(keep_logit + KEEP_OFFSET)
        return keep * x + (1 - keep) * torch.tanh(new), code, features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """G on target-shaped images: (B, C, H, W) -> (B, C, H, W) in [-1, 1] (what L_TID
        reads; the same as :meth:`transfer` when source and target share a shape)."""
        return self.translate(x)[0]

    def generator_parameters(self) -> list[nn.Parameter]:
        """What G's optimiser updates: g and the stem, and f unless f is pretrained and
        frozen."""
        params = list(self.g.parameters())
        if self.stem is not None:
            params += list(self.stem.parameters())
        if self.cfg.f_mode == "joint":
            params += list(self.f.parameters())
        return params
