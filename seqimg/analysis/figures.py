"""Figures of receptive fields: offset masks per layer and the effective field."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from seqimg.plots import save_figure  # noqa: E402


def offset_masks(layers: list[dict], path: Path, title: str) -> Path:
    """One row per layer: which time offsets reach the layer's centre unit."""
    low = min(layer["offsets"][0] for layer in layers)
    high = max(layer["offsets"][-1] for layer in layers)
    grid = np.zeros((len(layers), high - low + 1))
    for row, layer in enumerate(layers):
        grid[row, np.asarray(layer["offsets"]) - low] = 1
    fig, ax = plt.subplots(figsize=(10, 0.5 + 0.45 * len(layers)))
    ax.imshow(grid, aspect="auto", cmap="Greys", interpolation="nearest",
              extent=(low - 0.5, high + 0.5, len(layers) - 0.5, -0.5))
    ax.set_yticks(range(len(layers)), [f"{i + 1}: {layer['name']}" for i, layer in
                                       enumerate(layers)])
    ax.set_xlabel("time offset (steps) relative to the unit's own step")
    ax.set_title(title)
    return save_figure(fig, path)


def effective_field_plot(offsets: np.ndarray, magnitude: np.ndarray, path: Path,
                         title: str) -> Path:
    """Mean gradient magnitude per time offset."""
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.bar(offsets, magnitude, width=1.0)
    ax.set_xlabel("time offset (steps)")
    ax.set_ylabel("relative |gradient|")
    ax.set_title(title)
    return save_figure(fig, path)
