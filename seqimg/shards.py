"""The encoding cache: many files' frames per shard, binary frames stored one bit per value.

A cache folder holds one codec's encodings (its name, config and learned state pick the folder).
Each shard is a ``.bin`` of packed frames and a ``.json`` index of its files: path, size and
modification time, byte offset and length, shape, storage, or the reason the file was skipped.
The ``.bin`` is written first and the ``.json`` last, both atomically, so a shard whose index
exists is whole; an interrupted prepare loses at most the shard it was filling.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from seqimg.codecs.capabilities import Fitted, able
from seqimg.config import config_dict
from seqimg.errors import one_line
from seqimg.io import atomic_path, write_text

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the layout of a shard changes: old caches are then ignored
SHARD_BYTES = 64 << 20  # a shard is closed once it holds this many bytes of frames
OPEN_SHARDS = 4  # memory maps kept open at once while reading windows


@dataclass(frozen=True)
class Entry:
    """Where one file's frames are in the cache, or why the file was skipped."""

    path: str
    size: int
    mtime_ns: int
    shard: str | None = None
    offset: int = 0
    nbytes: int = 0
    shape: tuple[int, int] = (0, 0)
    storage: str = "float32"  # "bits", "levels" (one byte per value), "float16", "float32"
    reason: str | None = None
    # the codec's fingerprint of the file's content, made from the same reading (None in an
    # entry written before the cache kept them)
    print: str | None = None

    def fresh(self, path: Path) -> bool:
        """Whether this entry still describes the file at ``path`` (same size and time) and
        holds all the cache keeps of it: a readable file's entry cached before the cache kept
        fingerprints is not, so it is encoded again once and the split never reads the file for
        one."""
        if self.reason is None and self.print is None:
            return False
        try:
            stat = path.stat()
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == (self.size, self.mtime_ns)


def cache_folder(root: Path, codec) -> Path:
    """The cache folder of ``codec``: one per codec name, config and learned state."""
    text = json.dumps([FORMAT, codec.name, config_dict(codec.config),
                       able(codec, Fitted).state()], sort_keys=True,
                      default=str)
    return Path(root) / "shards" / f"{codec.name}-{hashlib.sha1(text.encode()).hexdigest()[:16]}"


def storage_for(frames: np.ndarray, levels: tuple[float, ...] | None, dtype: str) -> str:
    """How frames, shape=(T, F), are stored: one bit per value when they take two levels, one
    byte when they take a few more, else as ``dtype`` (the codec's ``cache_dtype``)."""
    if levels and len(levels) <= 256 and np.isin(frames, levels).all():
        return "bits" if len(levels) == 2 else "levels"
    return dtype


def row_bytes(storage: str, features: int) -> int:
    """Bytes one time step takes in ``storage``."""
    return {"bits": (features + 7) // 8, "levels": features, "float16": 2 * features,
            "float32": 4 * features}[storage]


def pack(frames: np.ndarray, storage: str, levels: tuple[float, ...] | None) -> bytes:
    """Frames, shape=(T, F), as bytes in ``storage``, one time step after another."""
    if storage == "bits":
        return np.packbits(frames == levels[1], axis=1).tobytes()
    if storage == "levels":
        return np.searchsorted(np.asarray(levels, np.float32), frames).astype(np.uint8).tobytes()
    return frames.astype(storage).tobytes()


def unpack(raw: np.ndarray, steps: int, features: int, storage: str,
           levels: tuple[float, ...] | None) -> np.ndarray:
    """Invert :func:`pack` for ``steps`` time steps: raw bytes, shape=(nbytes,), to frames,
    shape=(steps, F), float32."""
    if storage == "bits":
        bits = np.unpackbits(raw.reshape(steps, -1), axis=1, count=features)
        return np.asarray(levels, np.float32)[bits]
    if storage == "levels":
        return np.asarray(levels, np.float32)[raw.reshape(steps, features)]
    return raw.view(storage).reshape(steps, features).astype(np.float32)


class ShardWriter:
    """Collects packed files and writes them out as shards of about ``SHARD_BYTES`` each;
    ``written`` holds the entries of the shards written so far, as their index has them."""

    def __init__(self, folder: Path, shard_bytes: int = SHARD_BYTES) -> None:
        self.folder, self.shard_bytes = Path(folder), shard_bytes
        self.entries: list[Entry] = []
        self.chunks: list[bytes] = []
        self.filled = 0
        self.written: list[Entry] = []

    def add(self, entry: Entry, payload: bytes = b"") -> None:
        """One file: its packed frames, or an entry with a ``reason`` and no payload."""
        if entry.reason is None:
            entry = replace(entry, offset=self.filled, nbytes=len(payload))
            self.chunks.append(payload)
            self.filled += len(payload)
        self.entries.append(entry)
        if self.filled >= self.shard_bytes:
            self.flush()

    def flush(self) -> None:
        """Write what was added since the last flush as one shard (nothing when empty)."""
        if not self.entries:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        taken = [int(p.stem.split("-")[1]) for p in self.folder.glob("shard-*.json")]
        name = f"shard-{max(taken, default=-1) + 1:06d}"
        with atomic_path(self.folder / f"{name}.bin") as tmp, open(tmp, "wb") as handle:
            for chunk in self.chunks:
                handle.write(chunk)
        entries = [replace(e, shard=name) if e.reason is None else e for e in self.entries]
        rows = [asdict(e) for e in entries]
        write_text(self.folder / f"{name}.json", json.dumps({"format": FORMAT, "files": rows}))
        self.written += entries
        self.entries, self.chunks, self.filled = [], [], 0


def read_index(folder: Path) -> dict[str, Entry]:
    """Every file's entry in a cache folder, later shards winning; a shard whose index does not
    read or whose ``.bin`` is shorter than its index says is left out (its files are encoded
    again)."""
    index: dict[str, Entry] = {}
    for meta in sorted(Path(folder).glob("shard-*.json")):
        try:
            rows = json.loads(meta.read_text())["files"]
            entries = [Entry(**{**row, "shape": tuple(row["shape"])}) for row in rows]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s: unreadable shard index, its files are encoded again (%s)", meta,
                        one_line(exc))
            continue
        data = meta.with_suffix(".bin")
        end = max((e.offset + e.nbytes for e in entries if e.reason is None), default=0)
        if end and (not data.is_file() or data.stat().st_size < end):
            log.warning("%s: shorter than its index says, its files are encoded again", data)
            continue
        index.update((e.path, e) for e in entries)
    return index


class ShardReader:
    """Frames of cached files, read from memory-mapped shards, at most ``OPEN_SHARDS`` mapped at
    a time so that memory stays bounded whatever the corpus size."""

    def __init__(self, folder: Path, levels: tuple[float, ...] | None) -> None:
        self.folder, self.levels = Path(folder), levels
        self.maps: OrderedDict[str, np.memmap] = OrderedDict()

    def shard(self, name: str) -> np.memmap:
        if name in self.maps:
            self.maps.move_to_end(name)
        else:
            self.maps[name] = np.memmap(self.folder / f"{name}.bin", np.uint8, mode="r")
            while len(self.maps) > OPEN_SHARDS:
                self.maps.popitem(last=False)
        return self.maps[name]

    def rows(self, entry: Entry, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Time steps ``start:stop`` of a cached file, shape=(steps, F), float32."""
        steps, features = entry.shape
        stop = steps if stop is None else min(stop, steps)
        width = row_bytes(entry.storage, features)
        begin = entry.offset + start * width
        raw = np.array(self.shard(entry.shard)[begin : entry.offset + stop * width])
        return unpack(raw, stop - start, features, entry.storage, self.levels)
