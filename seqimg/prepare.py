"""Encoding a side's files into the shard cache with a pool of processes; files the cache already
holds (same size and time) are not encoded again, so an interrupted prepare resumes."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from seqimg.codecs.base import SequenceCodec
from seqimg.domains import cache_root
from seqimg.errors import SeqimgError, WriteError, one_line
from seqimg.io import check_writable
from seqimg.shards import (
    Entry,
    ShardReader,
    ShardWriter,
    cache_folder,
    pack,
    read_index,
    storage_for,
)

log = logging.getLogger(__name__)


def available_cores() -> int:
    """Cores this process may run on (fewer than the machine's under a CPU limit)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def sorted_levels(codec: SequenceCodec) -> tuple[float, ...] | None:
    """The codec's frame levels in increasing order (what packing indexes), or None."""
    return tuple(sorted(codec.frame_levels)) if codec.frame_levels else None


def encode_entry(codec: SequenceCodec, path: Path) -> tuple[Entry, bytes]:
    """One file's cache entry and packed frames; a file the codec cannot read gives an entry
    with its reason and no frames."""
    try:
        stat = path.stat()
    except OSError as exc:
        return Entry(str(path.resolve()), 0, 0,
                     reason=f"{path}: {exc.strerror or one_line(exc)}"), b""
    entry = Entry(str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    try:
        frames = codec.frames(path)
    except WriteError:
        raise
    except SeqimgError as exc:
        return replace(entry, reason=str(exc)), b""
    levels = sorted_levels(codec)
    storage = storage_for(frames, levels, codec.cache_dtype)
    return replace(entry, shape=frames.shape, storage=storage), pack(frames, storage, levels)


_worker_codec: SequenceCodec | None = None


def _start_worker(codec: SequenceCodec) -> None:
    """A pool worker keeps the codec and leaves Ctrl-C to the parent, which stops the pool."""
    global _worker_codec
    _worker_codec = codec
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _encode_in_worker(path: Path) -> tuple[Entry, bytes]:
    return encode_entry(_worker_codec, path)


def encoded(codec: SequenceCodec, paths: list[Path], workers: int) -> Iterator[tuple[Entry, bytes]]:
    """``encode_entry`` of every path, in ``workers`` processes (in this one when 1), in the
    order they finish."""
    if workers <= 1 or len(paths) < 2:
        yield from (encode_entry(codec, path) for path in paths)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    chunk = max(1, min(32, len(paths) // (8 * workers)))
    with multiprocessing.get_context(method).Pool(workers, _start_worker, (codec,)) as pool:
        yield from pool.imap_unordered(_encode_in_worker, paths, chunksize=chunk)


@dataclass
class Prepared:
    """A side's files in the cache: the readable ones' entries (in the order asked), a reader,
    and how many were encoded now or found cached."""

    entries: dict[Path, Entry]
    reader: ShardReader
    encoded: int
    cached: int
    folder: Path


def prepare_files(codec: SequenceCodec, paths: list[Path], skipped: dict,
                  workers: int | None = None, desc: str | None = None) -> Prepared:
    """Encode into the cache those of ``paths`` it lacks; every unreadable file is recorded in
    ``skipped`` with its reason (also when the cache remembered it). ``desc`` shows a bar."""
    folder = cache_folder(cache_root(), codec)
    check_writable(folder, "the encoding cache (SEQIMG_CACHE)")
    keys = {path: str(Path(path).resolve()) for path in paths}
    index = read_index(folder)
    todo = [Path(path) for path, key in keys.items()
            if key not in index or not index[key].fresh(Path(key))]
    writer = ShardWriter(folder)
    workers = available_cores() if workers is None else workers
    bar = tqdm(total=len(todo), desc=desc, unit="file", leave=False,
               disable=desc is None or not todo)
    try:
        for entry, payload in encoded(codec, todo, min(workers, max(len(todo), 1))):
            writer.add(entry, payload)
            if entry.reason:
                log.warning("skipped %s", entry.reason)
            bar.update(1)
    finally:
        bar.close()
        writer.flush()
    index.update((entry.path, entry) for entry in writer.written)
    entries = {}
    for path, key in keys.items():
        entry = index[key]
        if entry.reason:
            skipped[str(path)] = entry.reason
        else:
            entries[path] = entry
    return Prepared(entries, ShardReader(folder, sorted_levels(codec)), len(todo),
                    len(paths) - len(todo), folder)
