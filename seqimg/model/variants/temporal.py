"""The ``temporal`` variants: 1-D networks over the unfolded sequence, the fair competitor to the
fold. A folded image (C, H, W) laid row by row is, reshaped to (C, H*W), the sequence of its
pixels in time order (each pixel holding ``steps_per_pixel`` steps in its channels), so these
networks convolve along time directly instead of over the fold's rows and columns. Their 1-D
layers keep PyTorch's default initialisation (``blocks.xavier_init`` covers 2-D layers only)."""

from __future__ import annotations

import torch
from torch import nn

from seqimg.model.blocks import spectral_normalise
from seqimg.model.config import ModelConfig
from seqimg.model.plan import ShapePlan, g_channels
from seqimg.model.variants import honours


def as_sequence(x: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) -> (B, C, H*W): the fold's pixels in time order."""
    return x.flatten(2)


def dilations(length: int) -> list[int]:
    """1, 2, 4, ... up to a quarter of ``length``: a stack whose 3-tap convs together see the
    whole sequence."""
    out = [1]
    while out[-1] * 4 < length:
        out.append(out[-1] * 2)
    return out


class DilatedResidual(nn.Module):
    """``relu(x + BN(conv1x1(relu(BN(conv3(x, dilation))))))``: one WaveNet-style step."""

    def __init__(self, channels: int, dilation: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(channels, channels, 3, 1, dilation, dilation, bias=False),
            nn.BatchNorm1d(channels), nn.ReLU(inplace=True),
            nn.Conv1d(channels, channels, 1, bias=False), nn.BatchNorm1d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.body(x))


def dilated_stack(channels: int, length: int) -> nn.Sequential:
    """Dilated residual steps with dilations 1, 2, 4, ... (:func:`dilations` of ``length``)."""
    return nn.Sequential(*(DilatedResidual(channels, d) for d in dilations(length)))


class TemporalEncoder(nn.Module):
    """f: a 3-tap stem, then dilated residual steps (1, 2, 4, ... up to a quarter of the
    window), all at full time resolution; the code is a 1x1 conv of the last map averaged
    over time (tanh), for a learned L_CONST."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig) -> None:
        super().__init__()
        channels = 2 * cfg.width
        self.stem = nn.Sequential(nn.Conv1d(plan.channels, channels, 3, 1, 1, bias=False),
                                  nn.BatchNorm1d(channels), nn.ReLU(inplace=True))
        self.steps = dilated_stack(channels, plan.height * plan.width)
        self.to_code = nn.Conv1d(channels, cfg.code_dim, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """x (B, C, H, W) -> code (B, d, 1, 1) and the full-resolution map (B, 2w, H*W)."""
        features = self.steps(self.stem(as_sequence(x)))
        code = torch.tanh(self.to_code(features).mean(-1))
        return code[..., None, None], [features]


class TemporalDecoder(nn.Module):
    """g: a second stack of dilated residual steps over f's full-resolution map, then a 1x1
    conv to ``outputs`` channels, folded back to the image's (H, W)."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig, outputs: int) -> None:
        super().__init__()
        channels = 2 * cfg.width
        self.size = (plan.height, plan.width)
        self.steps = dilated_stack(channels, plan.height * plan.width)
        self.to_frames = nn.Conv1d(channels, outputs, 1)

    def forward(self, code: torch.Tensor, features: list[torch.Tensor]) -> torch.Tensor:
        """f's map -> (B, outputs, H, W); the code is not used (the map carries everything)."""
        out = self.to_frames(self.steps(features[-1]))
        return out.reshape(*out.shape[:2], *self.size)


class TemporalPatchDiscriminator(nn.Module):
    """A 1-D PatchGAN over time: stride-2 4-tap convs with LeakyReLU (two more than the fold's
    plan has levels: four on a 16 x 16 fold, each output seeing 46 steps, about three bars of
    sixteenths), then a 1x1 conv to ``outputs`` logits per position."""

    def __init__(self, plan: ShapePlan, cfg: ModelConfig, outputs: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = plan.channels
        for level in range(1, plan.levels + 3):
            c_out = g_channels(cfg.width, level)
            layers += [nn.Conv1d(c_in, c_out, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
            c_in = c_out
        self.net = nn.Sequential(*layers, nn.Conv1d(c_in, outputs, 1))
        if cfg.spectral_norm:
            spectral_normalise(self.net)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, C, H, W) -> logits (B * positions, outputs), one row per judged stretch."""
        logits = self.net(as_sequence(x))  # (B, outputs, positions)
        return logits.transpose(1, 2).reshape(-1, logits.shape[1])


@honours()
def build_generator(plan: ShapePlan, cfg: ModelConfig,
                    outputs: int) -> tuple[nn.Module, nn.Module]:
    """A 1-D generator over the unfolded frames, with no bottleneck."""
    return TemporalEncoder(plan, cfg), TemporalDecoder(plan, cfg, outputs)


@honours("spectral_norm")
def build_discriminator(plan: ShapePlan, cfg: ModelConfig, outputs: int) -> nn.Module:
    """A 1-D patch discriminator over time."""
    return TemporalPatchDiscriminator(plan, cfg, outputs)
