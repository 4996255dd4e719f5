"""Pictures of folded images and piano rolls (matplotlib, no display needed)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from seqimg.io import atomic_path


def save_figure(fig, path: Path, dpi: int = 100) -> Path:
    """Lay out, write (atomically) and close a figure."""
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi)
    plt.close(fig)
    return path


def channel_mosaic(image: np.ndarray) -> np.ndarray:
    """One image, shape=(C, H, W), as a near-square grid of its channels with 1-pixel gaps."""
    channels, height, width = image.shape
    cols = math.ceil(math.sqrt(channels))
    rows = math.ceil(channels / cols)
    mosaic = np.full((rows * (height + 1) - 1, cols * (width + 1) - 1), np.nan, dtype=np.float32)
    for c in range(channels):
        y, x = divmod(c, cols)
        mosaic[y * (height + 1) : y * (height + 1) + height,
               x * (width + 1) : x * (width + 1) + width] = image[c]
    return mosaic


def save_windows_png(images: np.ndarray, path: Path, max_windows: int = 4,
                     labels: tuple[str, ...] = ()) -> Path:
    """Draw up to ``max_windows`` windows, shape=(N, C, H, W), side by side as channel mosaics,
    titled by ``labels`` (default: window numbers) and their shape."""
    shown = images[:max_windows]
    fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 4.3), squeeze=False)
    for i, (ax, image) in enumerate(zip(axes[0], shown)):
        ax.imshow(channel_mosaic(image), cmap="magma", vmin=-1, vmax=1, interpolation="nearest")
        label = labels[i] if i < len(labels) else f"window {i}"
        ax.set_title(f"{label}\n{image.shape[0]} channels of {image.shape[1]} x {image.shape[2]}",
                     fontsize=10)
        ax.axis("off")
    return save_figure(fig, path)


def save_rolls_png(rolls: list[tuple[str, np.ndarray]], path: Path, rows: str = "pitch index",
                   steps: str = "grid step", cmap: str = "Greys") -> Path:
    """Stack labelled maps over time, each shape=(T, P) (boolean piano rolls, or spectrogram
    bands), one panel each, ``rows`` and ``steps`` naming the axes."""
    fig, axes = plt.subplots(len(rolls), 1, figsize=(10, 2.2 * len(rolls)), squeeze=False)
    for ax, (label, roll) in zip(axes[:, 0], rolls):
        ax.imshow(roll.T, origin="lower", aspect="auto", cmap=cmap, interpolation="nearest")
        ax.set_title(label)
        ax.set_ylabel(rows)
    axes[-1, 0].set_xlabel(steps)
    return save_figure(fig, path)


def save_series_png(before: np.ndarray | None, after: np.ndarray, title: str, path: Path,
                    max_features: int = 6) -> Path:
    """One panel per feature (up to ``max_features``) of a series before and after transfer,
    frames shape=(T, F) each, drawn over each other (``after`` alone when ``before`` is
    None)."""
    shown = min(after.shape[1], max_features)
    fig, axes = plt.subplots(shown, 1, figsize=(9, 1.8 * shown + 0.6), sharex=True,
                             squeeze=False)
    for feature, ax in enumerate(axes[:, 0]):
        if before is not None:
            ax.plot(before[:, feature], label="input", lw=1)
        ax.plot(after[:, feature], label="transferred", lw=1)
        ax.set_ylabel(f"feature {feature}")
    axes[0, 0].set_title(title)
    if before is not None:
        axes[0, 0].legend(loc="upper right")
    axes[-1, 0].set_xlabel("time step")
    return save_figure(fig, path, 90)
