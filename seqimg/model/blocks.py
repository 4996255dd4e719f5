"""Small building blocks shared by f, g and D."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from seqimg.model.plan import ShapePlan, g_channels


def conv_bn_relu(c_in: int, c_out: int, stride: int = 1) -> nn.Sequential:
    """3x3 convolution, BatchNorm, ReLU."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class ResidualBlock(nn.Module):
    """``x + conv-BN-ReLU-conv-BN(x)``, then ReLU: shapes unchanged."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False), nn.BatchNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.body(x))


def stage(c_in: int, c_out: int, stride: int, residual: bool) -> nn.Sequential:
    """A conv stage, followed by a residual block when switched on."""
    layers = [conv_bn_relu(c_in, c_out, stride)]
    if residual:
        layers.append(ResidualBlock(c_out))
    return nn.Sequential(*layers)


class StagedExtractor(nn.Module):
    """f's forward pass, shared by the variants that build ``stages`` (an ``nn.ModuleList``),
    ``to_code`` and ``normalise`` in their ``__init__``."""

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """x (B, C, H, W) -> code (B, d, 1, 1) (tanh, or L2-normalised) and each stage's map."""
        features = []
        for block in self.stages:
            x = block(x)
            features.append(x)
        code = self.to_code(x)
        code = F.normalize(code, dim=1) if self.normalise else torch.tanh(code)
        return code, features


def xavier_init(module: nn.Module) -> None:
    """Xavier-uniform weights and zero biases for every conv and linear layer."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


def spectral_normalise(net: nn.Sequential) -> nn.Sequential:
    """Put spectral normalisation on every convolution of ``net``, in place."""
    for i, layer in enumerate(net):
        if isinstance(layer, (nn.Conv1d, nn.Conv2d)):
            net[i] = spectral_norm(layer)
    return net


def strided_critic(plan: ShapePlan, width: int, outputs: int, head_kernel: int | tuple[int, int],
                   normalise: bool) -> nn.Sequential:
    """A discriminator body: stride-2 3x3 convs with LeakyReLU down to the plan's bottom map,
    then a conv with ``head_kernel`` to ``outputs`` channels (the whole bottom map for one
    judgement per image, 1 for one per position); Xavier-initialised, every conv spectrally
    normalised when ``normalise``."""
    layers: list[nn.Module] = []
    c_in = plan.channels
    for level in range(1, plan.levels + 1):
        c_out = g_channels(width, level)
        layers += [nn.Conv2d(c_in, c_out, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
        c_in = c_out
    net = nn.Sequential(*layers, nn.Conv2d(c_in, outputs, head_kernel))
    xavier_init(net)
    return spectral_normalise(net) if normalise else net
