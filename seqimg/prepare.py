"""Encoding a side's files into the shard cache with a pool of processes; files the cache already
holds (same size and time) are not encoded again, so an interrupted prepare resumes."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Quantised, able
from seqimg.errors import SeqimgError, WriteError, one_line
from seqimg.io import cache_root, check_writable
from seqimg.pool import surviving_map
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
    levels = able(codec, Quantised).frame_levels
    return tuple(sorted(levels)) if levels else None


def cache_key(path: Path, folders: dict | None = None) -> str:
    """A file's key in the cache index: its folder's real path (resolved once per folder when
    ``folders`` remembers them) joined with its name."""
    folders = {} if folders is None else folders
    parent = path.parent
    if parent not in folders:
        folders[parent] = os.path.realpath(parent)
    return os.path.join(folders[parent], path.name)


def file_entry(path: Path) -> Entry:
    """A file's cache entry before encoding: its size and time, or the reason it has none."""
    try:
        stat = path.stat()
    except OSError as exc:
        return Entry(cache_key(path), 0, 0, reason=f"{path}: {exc.strerror or one_line(exc)}")
    return Entry(cache_key(path), stat.st_size, stat.st_mtime_ns)


def encode_entry(codec: SequenceCodec, path: Path) -> tuple[Entry, bytes]:
    """One file's cache entry (with the codec's fingerprint of it) and packed frames; a file
    the codec cannot read gives an entry with its reason and no frames."""
    entry = file_entry(path)
    if entry.reason:
        return entry, b""
    try:
        frames, content = codec.frames_and_print(path)
    except WriteError:
        raise
    except SeqimgError as exc:
        return replace(entry, reason=str(exc)), b""
    levels = sorted_levels(codec)
    storage = storage_for(frames, levels, codec.cache_dtype)
    return (replace(entry, shape=frames.shape, storage=storage, print=content),
            pack(frames, storage, levels))


_worker_codec: SequenceCodec | None = None


def _keep_codec(codec: SequenceCodec) -> None:
    """A pool worker keeps the codec (sent once, not with every file)."""
    global _worker_codec
    _worker_codec = codec


def _encode_in_worker(path: Path) -> tuple[Entry, bytes]:
    return encode_entry(_worker_codec, path)


def crashed_entry(path: Path, cause: str) -> tuple[Entry, bytes]:
    """The entry of a file whose reading killed its worker process: skipped, with the cause."""
    entry = file_entry(path)
    reason = entry.reason or f"{path}: reading it crashed the encoding process ({cause})"
    return replace(entry, reason=reason), b""


def encoded(codec: SequenceCodec, paths: list[Path], workers: int) -> Iterator[tuple[Entry, bytes]]:
    """``encode_entry`` of every path, in ``workers`` processes (in this one when 1), in the
    order they finish; a file that crashes its worker is a skipped entry."""
    if workers <= 1 or len(paths) < 2:
        yield from (encode_entry(codec, path) for path in paths)
        return
    chunk = max(1, min(32, len(paths) // (8 * workers)))
    yield from surviving_map(_encode_in_worker, paths, workers, crashed_entry, _keep_codec,
                             (codec,), chunk)


@dataclass
class Prepared:
    """A side's files in the cache: the readable ones' entries (in the order asked), a reader,
    and how many were encoded now or found cached."""

    entries: dict[Path, Entry]
    reader: ShardReader
    read_now: frozenset[Path]  # the files read and encoded by this call
    cached: int
    folder: Path

    @property
    def encoded(self) -> int:
        return len(self.read_now)


def prepare_files(codec: SequenceCodec, paths: list[Path], skipped: dict,
                  workers: int | None = None, desc: str | None = None) -> Prepared:
    """Encode into the cache those of ``paths`` it lacks; every unreadable file is recorded in
    ``skipped`` with its reason (also when the cache remembered it). ``desc`` shows a bar."""
    folder = cache_folder(cache_root(), codec)
    check_writable(folder, "the encoding cache (SEQIMG_CACHE)")
    folders: dict = {}
    keys = {path: cache_key(Path(path), folders) for path in paths}
    index = read_index(folder)
    todo = [Path(path) for path, key in keys.items()
            if key not in index or not index[key].fresh(Path(key))]
    writer = ShardWriter(folder)
    workers = available_cores() if workers is None else workers
    bar = tqdm(total=len(todo), desc=desc, unit="file", leave=False,
               disable=desc is None or not todo)
    known = {key for path, key in keys.items() if str(path) in skipped}  # said while fitting
    try:
        for entry, payload in encoded(codec, todo, min(workers, max(len(todo), 1))):
            writer.add(entry, payload)
            if entry.reason and entry.path not in known:
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
    return Prepared(entries, ShardReader(folder, sorted_levels(codec)), frozenset(todo),
                    len(paths) - len(todo), folder)
