"""Which time steps can reach one unit of a conv stack on a folded image.

Offsets are read off the network itself: a stand-in stack with the same kernels, strides and
paddings, every weight positive, so the non-zero pattern of the input gradient of one unit is
exactly the set of input pixels (hence time steps) that can influence it. ``closed_form_offsets``
gives the same sets by arithmetic, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from seqimg.fold import FoldSpec


@dataclass(frozen=True)
class ConvGeometry:
    """Kernel, stride and padding of one conv layer (square kernels, or (h, w) for the last)."""

    name: str
    kernel: tuple[int, int]
    stride: int
    padding: int


def encoder_like(layers: int, kernel: int = 3) -> list[ConvGeometry]:
    """f's layout: a stride-1 conv, then stride-2 convs (as the seed's encoder)."""
    return [ConvGeometry(f"conv{i + 1}", (kernel, kernel), 1 if i == 0 else 2, kernel // 2)
            for i in range(layers)]


def geometry_of(module: nn.Module, shape: tuple[int, int, int]) -> list[ConvGeometry]:
    """The Conv2d layers of ``module`` in the order a forward pass on ``shape`` meets them."""
    found: list[ConvGeometry] = []
    names = {m: n for n, m in module.named_modules()}
    hooks = [m.register_forward_hook(
        lambda m, i, o: found.append(ConvGeometry(names[m] or "conv", tuple(m.kernel_size),
                                                  m.stride[0], m.padding[0])))
        for m in module.modules() if isinstance(m, nn.Conv2d)]
    was_training = module.training
    module.eval()
    with torch.no_grad():
        module(torch.zeros(1, *shape))
    module.train(was_training)
    for hook in hooks:
        hook.remove()
    return found


def positive_stack(geometry: list[ConvGeometry], in_channels: int) -> nn.Sequential:
    """A one-channel stand-in stack with all weights 1 and no bias."""
    layers = []
    for i, g in enumerate(geometry):
        conv = nn.Conv2d(in_channels if i == 0 else 1, 1, g.kernel, g.stride, g.padding,
                         bias=False)
        nn.init.ones_(conv.weight)
        layers.append(conv)
    return nn.Sequential(*layers)


def reachable(geometry: list[ConvGeometry], fold: FoldSpec, unit: tuple[int, int]) -> np.ndarray:
    """Boolean mask, shape=(k, H, W), of input (step-in-pixel, row, column) that reach ``unit``
    (row, column) of the last layer's output."""
    stack = positive_stack(geometry, fold.steps_per_pixel)
    x = torch.zeros(1, fold.steps_per_pixel, fold.height, fold.width, dtype=torch.float64,
                    requires_grad=True)
    out = stack.double()(x + 1.0)
    out[0, 0, unit[0], unit[1]].backward()
    return (x.grad[0] > 0).numpy()


def unit_origin(geometry: list[ConvGeometry], unit: tuple[int, int]) -> tuple[int, int]:
    """The input pixel a unit sits on: its position times the product of the strides."""
    jump = int(np.prod([g.stride for g in geometry]))
    return unit[0] * jump, unit[1] * jump


def mask_offsets(mask: np.ndarray, fold: FoldSpec, origin: tuple[int, int]) -> list[int]:
    """Time offsets of a reachable mask relative to the unit's own step (step 0 of its pixel)."""
    k, width = fold.steps_per_pixel, fold.width
    j, y, x = np.nonzero(mask)
    own = (origin[0] * width + origin[1]) * k
    return sorted(((y * width + x) * k + j - own).tolist())


def layer_shape(geometry: list[ConvGeometry], fold: FoldSpec) -> tuple[int, int]:
    """Output height and width of the stack on the fold."""
    h, w = fold.height, fold.width
    for g in geometry:
        h = (h + 2 * g.padding - g.kernel[0]) // g.stride + 1
        w = (w + 2 * g.padding - g.kernel[1]) // g.stride + 1
    return h, w


def gaps(offsets: list[int]) -> list[list[int]]:
    """Missing runs ``[first, last]`` between the smallest and largest offset."""
    present = set(offsets)
    runs, start = [], None
    for t in range(offsets[0], offsets[-1] + 1):
        if t not in present and start is None:
            start = t
        if t in present and start is not None:
            runs.append([start, t - 1])
            start = None
    return runs


def describe_layer(geometry: list[ConvGeometry], fold: FoldSpec) -> dict:
    """Offsets, span, count and gaps of the centre unit of the last layer, and what a unit at the
    start and end of the same row loses or gains."""
    height, width = layer_shape(geometry, fold)
    centre = (height // 2, width // 2)
    offsets = mask_offsets(reachable(geometry, fold, centre), fold, unit_origin(geometry, centre))
    edge = {}
    for label, column in (("row_start", 0), ("row_end", width - 1)):
        unit = (centre[0], column)
        seen = mask_offsets(reachable(geometry, fold, unit), fold, unit_origin(geometry, unit))
        edge[label] = {"lost": sorted(set(offsets) - set(seen)),
                       "gained": sorted(set(seen) - set(offsets))}
    return {"name": geometry[-1].name, "output": [height, width], "offsets": offsets,
            "span": offsets[-1] - offsets[0] + 1, "count": len(offsets), "gaps": gaps(offsets),
            "edge": edge}


def analyse(geometry: list[ConvGeometry], fold: FoldSpec) -> list[dict]:
    """One description per layer of the stack (each layer's centre unit)."""
    return [describe_layer(geometry[: i + 1], fold) for i in range(len(geometry))
            if min(layer_shape(geometry[: i + 1], fold)) >= 1]


def closed_form_offsets(geometry: list[ConvGeometry], fold: FoldSpec,
                        unit: tuple[int, int]) -> list[int]:
    """The same set by arithmetic: each layer adds pixel offsets ``{-p..k-1-p} * jump`` where
    ``jump`` is the product of earlier strides; offsets outside the image are dropped."""
    rows, cols, jump = {0}, {0}, 1
    for g in geometry:
        rows = {r + d * jump for r in rows for d in range(-g.padding, g.kernel[0] - g.padding)}
        cols = {c + d * jump for c in cols for d in range(-g.padding, g.kernel[1] - g.padding)}
        jump *= g.stride
    y0, x0 = unit_origin(geometry, unit)
    k, width = fold.steps_per_pixel, fold.width
    return sorted(((dy * width + dx) * k + j)
                  for dy in rows for dx in cols for j in range(k)
                  if 0 <= y0 + dy < fold.height and 0 <= x0 + dx < width)


def effective_field(module: nn.Module, layer_index: int, images: torch.Tensor,
                    fold: FoldSpec) -> tuple[np.ndarray, np.ndarray]:
    """Mean |gradient| of the centre unit of conv layer ``layer_index`` (forward order) with
    respect to the input, per time offset; returns (offsets, magnitude)."""
    convs: list[torch.Tensor] = []
    hooks = [m.register_forward_hook(lambda m, i, o: convs.append(o))
             for m in module.modules() if isinstance(m, nn.Conv2d)]
    module.eval()
    x = images.clone().requires_grad_(True)
    module(x)
    for hook in hooks:
        hook.remove()
    out = convs[layer_index]
    h, w = out.shape[-2:]
    out[:, :, h // 2, w // 2].abs().sum().backward()
    k = fold.steps_per_pixel
    grad = x.grad.abs().mean(0)  # (F*k, H, W)
    per_step = grad.reshape(-1, k, fold.height, fold.width).sum(0)  # (k, H, W)
    geometry = geometry_of(module, tuple(images.shape[1:]))[: layer_index + 1]
    origin = unit_origin(geometry, (h // 2, w // 2))
    offsets = np.array(mask_offsets(np.ones_like(per_step.numpy(), dtype=bool), fold, origin))
    magnitude = per_step.permute(1, 2, 0).reshape(-1).numpy()
    return offsets, magnitude / max(magnitude.max(), 1e-12)
