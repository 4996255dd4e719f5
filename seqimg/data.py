"""From a recipe side to training windows: files, split by file, fitted codec, encoded frames."""

from __future__ import annotations

import dataclasses
import logging
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Fitted
from seqimg.domains import domain_files, make_files
from seqimg.errors import SeqimgError, WriteError
from seqimg.prepare import Prepared, prepare_files
from seqimg.recipe import DataConfig, SideConfig
from seqimg.registry import make_codec
from seqimg.text import plural
from seqimg.windows import Windows

log = logging.getLogger(__name__)


@dataclass
class DomainData:
    """One side of a run: its codec, its files split by file, what was skipped why, and how
    many training files were held out as twins of held-out ones; its training windows and
    pieces are read from the shard cache only when asked (by the loop, or by a method that
    indexes pieces)."""

    codec: SequenceCodec
    train: list[Path]
    heldout: list[Path]
    skipped: dict[str, str] = field(default_factory=dict)
    twins: int = 0
    data: DataConfig = field(default_factory=DataConfig)
    name: str = "side"
    # the files read into the shard cache while splitting (their fingerprints are kept there)
    read_at_split: frozenset[Path] = frozenset()

    prepared: Prepared | None = field(default=None, repr=False)

    def prepare(self) -> Prepared:
        """The training files in the shard cache, encoded once (what the cache lacks, in
        ``data.workers`` processes) and kept; a side none of whose files can be read is
        refused."""
        if self.prepared is None:
            prepared = prepare_files(self.codec, self.train, self.skipped, self.data.workers,
                                     self.name)
            if not prepared.entries:
                raise none_readable(self.name, self.train, self.skipped)
            log.info("%s: %d files encoded, %d from the cache %s", self.name, prepared.encoded,
                     prepared.cached, prepared.folder)
            self.prepared = prepared
        return self.prepared

    def windows(self) -> torch.Tensor | Windows:
        """The training windows, shape=(N, C, H, W), with augmentation and offsets, from the
        shard cache: one tensor when they fit in ``data.in_memory_mb``, else :class:`Windows`
        that reads them at batch time."""
        prepared = self.prepare()
        length = self.codec.layout.window_length
        short = sum(entry.shape[0] < length for entry in prepared.entries.values())
        if short:
            log.warning("%s: %s shorter than one window (%d steps), padded with %g after the "
                        "end", self.name, plural(short, "training file"), length,
                        self.codec.pad_value)
        windows = Windows(self.codec, prepared, self.data.offsets)
        if windows.nbytes <= self.data.in_memory_mb << 20:
            return torch.from_numpy(windows.materialise())
        log.info("%s: %d windows (%.1f GB) stream from the cache", self.name, len(windows),
                 windows.nbytes / 1e9)
        return windows

    def pieces(self) -> Iterator[np.ndarray]:
        """The training pieces' frames, one at a time, from the shard cache, so that a library
        of thousands of pieces is built without holding every piece's frames at once."""
        prepared = self.prepare()
        for entry in tqdm(list(prepared.entries.values()), desc=f"{self.name}: indexing the "
                          "pieces", unit="piece", leave=False):
            yield prepared.reader.rows(entry)


def chosen_files(files: list[Path], cfg: DataConfig, seed: int) -> list[Path]:
    """The files a run uses: shuffled with ``seed``, the first ``max_files`` kept."""
    files = sorted(files)
    random.Random(seed).shuffle(files)
    return files[: cfg.max_files] if cfg.max_files else files


def split_files(files: list[Path], cfg: DataConfig, seed: int,
                fingerprint: Callable[[Path], str | None] | None = None
                ) -> tuple[list[Path], list[Path], int]:
    """Shuffle with ``seed``, keep ``max_files``, and hold out a fraction (at least one file when
    there are two or more). With ``fingerprint``, a training file with the content of a
    held-out one (a twin) is held out too; returns train, held-out and the number of twins."""
    files = chosen_files(files, cfg, seed)
    count = round(len(files) * cfg.heldout_fraction) if len(files) > 1 else 0
    count = max(count, 1 if len(files) > 1 and cfg.heldout_fraction > 0 else 0)
    train, heldout = files[count:], files[:count]
    twins = []
    if fingerprint is not None and heldout:
        prints = {path: fingerprint(path) for path in files}
        held = {prints[path] for path in heldout} - {None}
        twins = [path for path in train if prints[path] in held]
        train = [path for path in train if prints[path] not in held]
    return sorted(train), sorted(heldout + twins), len(twins)


def content_print(codec: SequenceCodec) -> Callable[[Path], str | None]:
    """The codec's fingerprint of a file, or None for a file it cannot read (skipped later,
    with its reason)."""
    def fingerprint(path: Path) -> str | None:
        try:
            return codec.fingerprint(path)
        except (SeqimgError, OSError, ValueError):
            return None

    return fingerprint


def twin_prints(codec: SequenceCodec, files: list[Path], data: DataConfig,
                where: str) -> tuple[Callable[[Path], str | None], frozenset[Path]]:
    """Each of ``files``' fingerprint, for the twins of the held-out split. A codec that does
    not learn from its training files encodes every file into its shard cache first, which
    keeps each file's fingerprint beside its frames: each file is read once, on the first
    run, and the split and the training read the cache after. A fitted codec's cache depends
    on the split, so its files are fingerprinted by reading them. Returns the fingerprint of
    a file, and the files read into the cache now."""
    if isinstance(codec, Fitted):
        return content_print(codec), frozenset()
    prepared = prepare_files(codec, files, {}, data.workers, f"{where}: reading")
    prints = {path: entry.print for path, entry in prepared.entries.items()}
    # an unreadable file has no print: it is skipped later, with its reason
    return prints.get, prepared.read_now


def codec_for(side: SideConfig) -> SequenceCodec:
    """The side's codec, from its (already checked) config."""
    return make_codec(side.codec_name, side.codec)


def read_each(paths: list[Path], read: Callable[[Path], Any], skipped: dict,
              desc: str | None = None) -> dict[Path, Any]:
    """``read(path)`` for every path; a file that fails with a ``SeqimgError`` is skipped and
    recorded in ``skipped`` with its reason, never aborting the rest (a failed write, which is
    no fault of the file, does abort). ``desc`` shows a bar."""
    out = {}
    with logging_redirect_tqdm():  # a skipped line prints above the bar, not inside it
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


def check_folders(recipe) -> dict[str, list[Path]]:
    """Every folder a recipe reads (both sides, and the evaluation's reference) exists and
    holds matching files: checked before any file is read, so that a misspelt target folder
    fails before the source side has been encoded. Returns the files listed, by side, for
    :func:`prepare_side` not to list them again."""
    places = [("source", recipe.source.domain, recipe.source.options),
              ("target", recipe.target.domain, recipe.target.options)]
    reference = recipe.evaluate.reference
    if recipe.evaluate.enabled and reference:
        places.append(("evaluate.reference", reference["domain"], reference["options"]))
    # listing a folder is cheap; other domains make their files, later
    return {where: domain_files(domain, options, where, make=False)
            for where, domain, options in places if domain == "folder"}


def prepare_side(side: SideConfig, data: DataConfig, seed: int, where: str,
                 files: list[Path] | None = None) -> DomainData:
    """Files (``files`` when already listed), split (by ``data.split_seed``, else ``seed``),
    fitted codec for one side of a recipe."""
    if files is None:
        files = domain_files(side.domain, side.options, where, make=False)
    codec = codec_for(side)
    seed = seed if data.split_seed is None else data.split_seed
    chosen = chosen_files(files, data, seed)
    make_files(side.domain, side.options, chosen, where)  # these only
    prints, read = twin_prints(codec, chosen, data, where) if data.twins else (None, frozenset())
    train, heldout, twins = split_files(files, data, seed, prints)
    if twins:
        log.warning("%s: %s with the content of a held-out file (the same piece under another "
                    "name); held out with it", where, plural(twins, "training file"))
    skipped: dict[str, str] = {}
    if isinstance(codec, Fitted):
        readable = list(read_each(train, codec.read, skipped, f"{where}: fitting the codec"))
        if not readable:
            raise none_readable(where, train, skipped)
        codec.fit(readable)
    return DomainData(codec, train, heldout, skipped, twins, data, where, read)


@dataclass
class SidePrepared:
    """What ``seqimg prepare`` did for one side: counts, the skipped files, the cache folder."""

    files: int
    encoded: int
    cached: int
    skipped: dict[str, str]
    folder: Path
    shard_bytes: int


def prepare_recipe(recipe, workers: int | None = None) -> dict[str, SidePrepared]:
    """Split both sides of a loaded recipe and encode their training files into the cache, in
    ``workers`` processes (default: ``data.workers``, else the cores available)."""
    data = recipe.data if workers is None else dataclasses.replace(recipe.data, workers=workers)
    listed = check_folders(recipe)
    out = {}
    for where, side in (("source", recipe.source), ("target", recipe.target)):
        domain = prepare_side(side, data, recipe.seed, where, listed.get(where))
        prepared = prepare_files(domain.codec, domain.train, domain.skipped, data.workers, where)
        size = sum(p.stat().st_size for p in prepared.folder.glob("shard-*.bin"))
        encoded = len(set(domain.train) & (domain.read_at_split | prepared.read_now))
        out[where] = SidePrepared(len(domain.train), encoded, len(domain.train) - encoded,
                                  domain.skipped, prepared.folder, size)
    return out
