"""Denoisers for the diffusion method: from a corrupted window, its noise level and a condition
(a content view, or none), a prediction of the clean window. Two layouts of the same idea:
dilated 1-D convolutions over the window's frames, and dilated 3x3 convolutions over its fold
(the project's thesis: the fold lets a 2-D convolution see the sequence at several scales)."""

from __future__ import annotations

import torch
from torch import nn


class LevelEmbedding(nn.Module):
    """The noise level t in [0, 1], shape=(B,), as a per-channel shift, shape=(B, width)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, width), nn.SiLU(), nn.Linear(width, width))

    def forward(self, level: torch.Tensor) -> torch.Tensor:
        return self.net(level[:, None])


class DilatedBlock(nn.Module):
    """``h + conv(act(norm(conv(act(norm(h + shift))))))`` with a dilated first convolution; the
    shift carries the noise level. ``dims`` is 1 (frames over time) or 2 (the fold)."""

    def __init__(self, width: int, dilation: int, dims: int) -> None:
        super().__init__()
        conv = nn.Conv1d if dims == 1 else nn.Conv2d
        self.dims = dims
        self.body = nn.Sequential(
            nn.GroupNorm(8, width), nn.SiLU(), conv(width, width, 3, padding=dilation,
                                                    dilation=dilation),
            nn.GroupNorm(8, width), nn.SiLU(), conv(width, width, 1))

    def forward(self, h: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
        return h + self.body(h + shift.view(*shift.shape, *(1,) * self.dims))


class Denoiser(nn.Module):
    """(x_t, condition, condition present, level) -> a prediction of x_0 (logits for binary
    frames, values otherwise), all in one layout: (B, C, T) over time or (B, C, H, W) on the
    fold. The condition's channels are zeroed where it is absent (classifier-free guidance
    trains with it dropped). With ``positions`` each step also sees its place in the window,
    from -1 (first) to 1 (last), conditioned or not: for windows that start at the same point
    of a cycle (a day's first hour), where what belongs at a step depends on where it is."""

    def __init__(self, channels: int, condition: int, width: int, dilations: tuple[int, ...],
                 dims: int, positions: bool = False) -> None:
        super().__init__()
        conv = nn.Conv1d if dims == 1 else nn.Conv2d
        self.dims, self.positions = dims, positions
        self.inp = conv(channels + condition + 1 + positions, width, 1)
        self.level = LevelEmbedding(width)
        self.blocks = nn.ModuleList(DilatedBlock(width, d, dims) for d in dilations)
        self.out = nn.Sequential(nn.GroupNorm(8, width), nn.SiLU(), conv(width, channels, 1))

    def forward(self, x: torch.Tensor, condition: torch.Tensor, present: torch.Tensor,
                level: torch.Tensor) -> torch.Tensor:
        mask = present.view(-1, *(1,) * (self.dims + 1))
        flag = mask.expand(-1, 1, *x.shape[2:])
        inputs = [x, condition * mask, flag]
        if self.positions:  # the steps in reading order: along time, or row by row on the fold
            steps = x.shape[2:].numel()
            place = torch.linspace(-1, 1, steps, device=x.device, dtype=x.dtype)
            inputs.append(place.view(1, 1, *x.shape[2:]).expand(len(x), -1, *x.shape[2:]))
        h = self.inp(torch.cat(inputs, 1))
        shift = self.level(level)
        for block in self.blocks:
            h = block(h, shift)
        return self.out(h)
