"""From a recipe side to training images: files, split by file, fitted codec, cached frames."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from domains import cache_root, domain_files
from seqimg.codecs.base import SequenceCodec
from seqimg.errors import SeqimgError, WriteError
from seqimg.io import atomic_path, check_writable, load_array
from seqimg.recipe import DataConfig, SideConfig
from seqimg.registry import make_codec

log = logging.getLogger(__name__)


@dataclass
class DomainData:
    """One side of a run: its codec, its files split by file, and what was skipped why."""

    codec: SequenceCodec
    train: list[Path]
    heldout: list[Path]
    skipped: dict[str, str] = field(default_factory=dict)


def split_files(files: list[Path], cfg: DataConfig, seed: int) -> tuple[list[Path], list[Path]]:
    """Shuffle with ``seed``, keep ``max_files``, and hold out a fraction (at least one file when
    there are two or more)."""
    files = sorted(files)
    random.Random(seed).shuffle(files)
    files = files[: cfg.max_files] if cfg.max_files else files
    count = round(len(files) * cfg.heldout_fraction) if len(files) > 1 else 0
    count = max(count, 1 if len(files) > 1 and cfg.heldout_fraction > 0 else 0)
    return sorted(files[count:]), sorted(files[:count])


def codec_for(side: SideConfig) -> SequenceCodec:
    """The side's codec, from its (already checked) config."""
    return make_codec(side.codec_name, side.codec)


def read_each(paths: list[Path], read: Callable[[Path], Any], skipped: dict,
              desc: str | None = None) -> dict[Path, Any]:
    """``read(path)`` for every path; a file that fails with a ``SeqimgError`` is skipped and
    recorded in ``skipped`` with its reason, never aborting the rest (a failed write, which is
    no fault of the file, does abort). ``desc`` shows a bar."""
    out = {}
    for path in tqdm(paths, desc=desc, unit="file", leave=False, disable=desc is None):
        try:
            out[path] = read(path)
        except WriteError:
            raise
        except SeqimgError as exc:
            skipped[str(path)] = str(exc)
            log.warning("skipped %s", exc)
    return out


def none_readable(where: str, files: list[Path], skipped: dict) -> SeqimgError:
    """The error for a side none of whose training files reads: the folder and the first
    reasons."""
    folder = os.path.commonpath([str(p.parent) for p in files]) if files else "?"
    reasons = [skipped[str(p)].replace(f"{folder}{os.sep}", "") for p in files
               if str(p) in skipped]
    shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
    return SeqimgError(f"{where}: none of the {len(files)} training files in {folder} could be "
                       f"read ({shown})")


def cache_key(codec: SequenceCodec, path: Path) -> str:
    stat = path.stat()
    text = json.dumps([codec.name, codec.config_dict(), codec.state(), str(path.resolve()),
                       stat.st_mtime_ns, stat.st_size], sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def cached_frames(codec: SequenceCodec, path: Path) -> np.ndarray:
    """Frames of ``path`` through ``codec``, read from the encoding cache when present (an entry
    that no longer reads, e.g. damaged on disk, is encoded again)."""
    target = cache_root() / "frames" / f"{cache_key(codec, path)}.npy"
    if target.exists():
        try:
            return load_array(target)
        except SeqimgError as exc:
            log.warning("encoding again: %s", exc)
    frames = codec.frames(path)
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, frames)
    return frames


def prepare_side(side: SideConfig, data: DataConfig, seed: int, where: str) -> DomainData:
    """Files, split (by ``data.split_seed``, else ``seed``), fitted codec for one side of a
    recipe."""
    files = domain_files(side.domain, side.options, where)
    train, heldout = split_files(files, data, seed if data.split_seed is None else data.split_seed)
    codec = codec_for(side)
    skipped: dict[str, str] = {}
    if codec.needs_fit:
        readable = list(read_each(train, codec.read, skipped))
        if not readable:
            raise none_readable(where, train, skipped)
        codec.fit(readable)
    return DomainData(codec, train, heldout, skipped)


def training_images(domain: DomainData, data: DataConfig, desc: str) -> np.ndarray:
    """Windows, shape=(N, C, H, W), of the training files with augmentation and offsets."""
    codec = domain.codec
    check_writable(cache_root() / "frames", "the encoding cache (SEQIMG_CACHE)")
    frames = read_each(domain.train, lambda path: cached_frames(codec, path), domain.skipped,
                       desc)
    if not frames:
        raise none_readable(desc, domain.train, domain.skipped)
    shift = max(codec.window_length // max(data.offsets, 1), 1)
    windows = []
    for one in frames.values():
        for variant in [one, *codec.augment(one)]:
            for start in range(0, min(shift * data.offsets, len(variant)), shift):
                windows.append(codec.frames_to_images(variant[start:]))
    return np.concatenate(windows).astype(np.float32)
