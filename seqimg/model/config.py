"""Typed settings of the DTN's named generator and discriminator variants: a plain dataclass,
beside the variants that read it, so that reading a run's config needs no torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ModelConfig:
    """Named generator and discriminator variants and the sizes they share.

    ``width=64`` reproduces the seed paper's channel widths on 32x32 images with the ``dtn``
    variants: f has 64/128/256 channels then a 128-d code; g and D reach 512 channels.
    """

    generator: str = "dtn"  # a registered generator variant (entry points seqimg.generators)
    discriminator: str = "dtn"  # a registered discriminator variant (seqimg.discriminators)
    width: int = 16  # base channel width of f, g and D (64: the seed paper's sizes)
    code_dim: int = 128  # channels of f's code
    residual: bool = True  # residual blocks in f and g
    skip: bool = True  # U-Net skip connections from f's stages to g's
    # 'pretrained': f is frozen after train.pretrain_steps
    f_mode: Literal["joint", "pretrained"] = "joint"
    spectral_norm: bool = True  # spectral normalisation of D's layers
    normalise_code: bool = False  # L2-normalise f's code instead of tanh
    edit: bool = False  # G edits its input through a keep-mask instead of repainting it
