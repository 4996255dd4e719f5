"""Atomic file writes and saved encodings (``.npy`` windows with a ``.json`` sidecar)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np

from seqimg.errors import SeqimgError, WriteError, in_file, one_line


def cache_root() -> Path:
    """Where converted corpora are kept: ``$SEQIMG_CACHE`` or ``~/.cache/seqimg``."""
    return Path(os.environ.get("SEQIMG_CACHE", Path.home() / ".cache" / "seqimg"))


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds,
    so an interrupted write never leaves a half-written file. A write that fails (a full disk, a
    read-only folder) is a one-line error naming ``path``; what was there before is kept."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield partial
        os.replace(partial, path)
    except OSError as exc:
        raise WriteError(f"{path}: cannot be written ({exc.strerror or one_line(exc)}); what "
                         "was there before is kept") from None
    finally:
        with suppress(OSError):
            partial.unlink(missing_ok=True)


def check_writable(folder: Path, what: str) -> None:
    """Fail at once, naming ``what``, when ``folder`` cannot be created or written, instead of
    after the work whose results it would hold."""
    folder = Path(folder)
    existing = next(p for p in [folder, *folder.parents] if p.exists())
    if not existing.is_dir():
        raise SeqimgError(f"{folder}: {what} cannot be created there ({existing} is a file)")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise SeqimgError(f"{folder}: {what} cannot be written there "
                          f"({exc.strerror or one_line(exc)})") from None


def piece_name(path: str | Path) -> str:
    """A file's stem as a plain name inside one folder: path separators of any system become
    ``_`` and leading dots go, so an output named after an input never leaves its folder."""
    name = re.sub(r"[/\\\x00]", "_", Path(path).stem).lstrip(".")
    return name or "piece"


def piece_names(paths: list) -> dict[Path, str]:
    """:func:`piece_name` of each path, unique in order (a repeat gets ``-2``, ``-3``, ...), so
    that pieces from different folders with one name do not overwrite each other."""
    names: dict[Path, str] = {}
    taken: set[str] = set()  # names.values() as a set: a Lakh-size list stays linear
    for path in map(Path, paths):
        if path in names:
            continue
        base = name = piece_name(path)
        count = 1
        while name in taken:
            count += 1
            name = f"{base}-{count}"
        names[path] = name
        taken.add(name)
    return names


def write_text(path: str | Path, text: str) -> Path:
    """Write text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def sidecar(path: Path) -> Path:
    """The JSON file that describes the encoding saved at ``path``."""
    return path.with_suffix(".json")


def save_encoding(path: Path, images: np.ndarray, meta: dict) -> None:
    """Save windows, shape=(N, C, H, W), and a description (codec, config, state, length)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, images)
    write_text(sidecar(path), json.dumps(meta, indent=2))


NPY_MAGIC = b"\x93NUMPY"


def load_array(path: Path) -> np.ndarray:
    """One array from a ``.npy`` file without trusting its header: memory-mapped first, so a
    header declaring more data than the file holds fails before anything is allocated."""
    with open(path, "rb") as handle:
        if handle.read(len(NPY_MAGIC)) != NPY_MAGIC:
            raise in_file(path, "not a .npy file (it does not start as numpy writes one)")
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
        if not isinstance(mapped, np.ndarray):
            raise ValueError("holds several arrays")
        return np.array(mapped)
    except Exception as exc:  # numpy's header parsing raises many types on damaged files
        raise in_file(path, f"not a .npy array ({one_line(exc)})") from None


def load_encoding(path: Path) -> tuple[np.ndarray, dict]:
    """Load what :func:`save_encoding` wrote; a missing sidecar gives an empty description."""
    if not path.is_file():
        raise in_file(path, "no such file")
    images = load_array(path)
    if images.ndim != 4:
        raise in_file(path, f"expected windows of shape (N, C, H, W), got {images.shape}")
    meta_path = sidecar(path)
    try:
        meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    except ValueError as exc:  # JSON or UTF-8 decoding
        raise SeqimgError(f"{meta_path}: not valid JSON ({one_line(exc)})") from None
    return images, meta
