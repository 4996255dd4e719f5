"""The shape plan that every network size follows: how many stride-2 steps an image takes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from seqimg.errors import SeqimgError


@dataclass(frozen=True)
class ShapePlan:
    """How an image of shape (C, H, W) is reduced: ``levels`` stride-2 steps down to a bottom
    map of ``bottom`` (whose smaller side is 4)."""

    channels: int
    height: int
    width: int
    levels: int
    bottom: tuple[int, int]


def plan_for(shape: tuple[int, int, int]) -> ShapePlan:
    """The reduction plan for images of ``shape``; a clear error for shapes the model cannot take.

    The smaller side must be a power of two from 8 up and the larger side a multiple of it
    divided by 4 (e.g. 16x16, 32x32, 64x96).
    """
    channels, height, width = shape
    small = min(height, width)
    levels = int(round(math.log2(small / 4))) if small >= 8 else 0
    if small < 8 or 4 * 2**levels != small or max(height, width) % 2**levels:
        raise SeqimgError(
            f"image shape {shape}: the model needs the smaller side to be a power of two from 8 "
            f"up and the larger side a multiple of (smaller side / 4); change the fold's "
            f"height/width"
        )
    return ShapePlan(channels, height, width, levels, (height >> levels, width >> levels))


def f_channels(width: int, level: int) -> int:
    """Channels of f (and of g's skips) at ``level`` stride-2 steps: w, 2w, 4w, 4w, ..."""
    return width * min(2**level, 4)


def g_channels(width: int, level: int) -> int:
    """Channels of g at ``level``: w, 2w, 4w, 8w, 8w, ..."""
    return width * min(2**level, 8)
