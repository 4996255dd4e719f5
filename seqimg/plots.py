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


def label_channels(ax, image: np.ndarray) -> None:
    """Name the tiles of a channel mosaic: each tile when there are few, else each row by the
    range of channels it holds."""
    channels, height, width = image.shape
    cols = math.ceil(math.sqrt(channels))
    if channels <= 16:
        for c in range(channels):
            y, x = divmod(c, cols)
            ax.text(x * (width + 1), y * (height + 1), f"ch {c}", color="cyan", fontsize=7,
                    va="top", ha="left")
        return
    for y in range(math.ceil(channels / cols)):
        last = min((y + 1) * cols, channels) - 1
        ax.text(-1, y * (height + 1) + height / 2, f"ch {y * cols}-{last}", fontsize=6,
                va="center", ha="right")


def windows_figure(images, max_windows: int = 4, labels: tuple[str, ...] = ()):
    """Up to ``max_windows`` windows (each shape=(C, H, W)) side by side as channel mosaics,
    their channels named, titled by ``labels`` (default: window numbers) and their shape; the
    figure's title says how many of the windows are shown."""
    shown = list(images[:max_windows])
    fig, axes = plt.subplots(1, len(shown), figsize=(max(4.2 * len(shown), 6), 5),
                             squeeze=False)
    for i, (ax, image) in enumerate(zip(axes[0], shown)):
        ax.imshow(channel_mosaic(image), cmap="magma", vmin=-1, vmax=1, interpolation="nearest")
        label_channels(ax, image)
        label = labels[i] if i < len(labels) else f"window {i}"
        ax.set_title(f"{label}\n{image.shape[0]} channels of {image.shape[1]} x "
                     f"{image.shape[2]}", fontsize=9)
        ax.axis("off")
    fig.suptitle(f"{len(shown)} of {len(images)} windows shown (values -1 dark to 1 bright)",
                 fontsize=9)
    return fig


def save_windows_png(images: np.ndarray, path: Path, max_windows: int = 4,
                     labels: tuple[str, ...] = ()) -> Path:
    """Write :func:`windows_figure` to ``path``."""
    return save_figure(windows_figure(images, max_windows, labels), path)


def note_names(pitches: np.ndarray) -> list[str]:
    """MIDI note numbers as names, C4 = 60."""
    import pretty_midi

    return [pretty_midi.note_number_to_name(int(p)) for p in pitches]


def piano_figure(rolls: list[tuple[str, np.ndarray]], low: int, bar_steps: int,
                 excerpt_bars: int = 8):
    """Piano rolls, each shape=(T, P) from MIDI pitch ``low``: on the left the same
    ``excerpt_bars`` bars of each, one above the other, with note names and bar lines; on the
    right each whole piece, small. The excerpt starts at the first bar with a note."""
    sounding = np.any([roll.any(axis=0) for _, roll in rolls], axis=0)
    used = np.flatnonzero(sounding)
    top, bottom = (used.max() + 2, max(used.min() - 2, 0)) if len(used) else (12, 0)
    onsets = [np.flatnonzero(roll.any(axis=1)) for _, roll in rolls]
    first = min((o[0] for o in onsets if len(o)), default=0) // bar_steps * bar_steps
    end = first + excerpt_bars * bar_steps
    fig, axes = plt.subplots(len(rolls), 2, figsize=(13, 2.6 * len(rolls)), squeeze=False,
                             gridspec_kw={"width_ratios": [3, 1]})
    ticks = [p for p in range(bottom, top + 1) if (p + low) % 12 == 0] or [bottom]
    for (label, roll), (excerpt, whole) in zip(rolls, axes):
        shown = roll[first:end, bottom : top + 1].T
        excerpt.imshow(shown, origin="lower", aspect="auto", cmap="Greys",
                       interpolation="nearest", extent=(first, first + shown.shape[1],
                                                         bottom - 0.5, top + 0.5))
        for bar in range(first, end + 1, bar_steps):
            excerpt.axvline(bar, color="tab:blue", lw=0.6, alpha=0.6)
        excerpt.set_yticks(ticks, note_names(np.array(ticks) + low))
        excerpt.set_xticks(range(first, end + 1, bar_steps),
                           [str(b // bar_steps + 1) for b in range(first, end + 1, bar_steps)])
        excerpt.set_xlim(first, end)
        excerpt.set_title(f"{label}: bars {first // bar_steps + 1}-"
                          f"{first // bar_steps + excerpt_bars}", fontsize=10)
        excerpt.set_xlabel("bar")
        whole.imshow(roll[:, bottom : top + 1].T, origin="lower", aspect="auto", cmap="Greys",
                     interpolation="nearest")
        whole.axvspan(first, end, color="tab:orange", alpha=0.25)
        whole.set_title("whole piece (excerpt shaded)", fontsize=9)
        whole.set_yticks([])
        whole.set_xlabel("bar")
        whole.set_xticks(range(0, len(roll), bar_steps * 8),
                         [str(b // bar_steps + 1) for b in range(0, len(roll), bar_steps * 8)])
    return fig


def save_rolls_png(rolls: list[tuple[str, np.ndarray]], path: Path, rows: str = "pitch index",
                   steps: str = "grid step", cmap: str = "Greys") -> Path:
    """Stack labelled maps over time, each shape=(T, P) (spectrogram bands, or any roll), one
    panel each, ``rows`` and ``steps`` naming the axes."""
    fig, axes = plt.subplots(len(rolls), 1, figsize=(10, 2.2 * len(rolls)), squeeze=False)
    for ax, (label, roll) in zip(axes[:, 0], rolls):
        ax.imshow(roll.T, origin="lower", aspect="auto", cmap=cmap, interpolation="nearest")
        ax.set_title(label)
        ax.set_ylabel(rows)
    axes[-1, 0].set_xlabel(steps)
    return save_figure(fig, path)


def series_figure(before: np.ndarray | None, after: np.ndarray, title: str,
                  names: list[str] | None = None, max_features: int = 6):
    """One panel per feature (up to ``max_features``) of a series before and after transfer,
    values shape=(T, F) each, drawn over each other (``after`` alone when ``before`` is None);
    ``names`` label the panels (default: feature numbers)."""
    shown = min(after.shape[1], max_features)
    names = names or [f"feature {f}" for f in range(after.shape[1])]
    fig, axes = plt.subplots(shown, 1, figsize=(9, 1.8 * shown + 0.6), sharex=True,
                             squeeze=False)
    for feature, ax in enumerate(axes[:, 0]):
        if before is not None:
            ax.plot(before[:, feature], label="input", lw=1)
        ax.plot(after[:, feature], label="transferred", lw=1)
        ax.set_ylabel(names[feature])
    more = f" ({shown} of {after.shape[1]} features)" if shown < after.shape[1] else ""
    axes[0, 0].set_title(title + more)
    if before is not None:
        axes[0, 0].legend(loc="upper right")
    axes[-1, 0].set_xlabel("time step")
    return fig


def save_series_png(before: np.ndarray | None, after: np.ndarray, title: str, path: Path,
                    names: list[str] | None = None) -> Path:
    """Write :func:`series_figure` to ``path``."""
    return save_figure(series_figure(before, after, title, names), path, 90)
