"""One run per run folder at a time: an advisory lock (``flock``) that the operating system
releases when its process ends, so a lock left by a killed run is taken over, never obeyed
forever. Lock files live in the cache, keyed by the folder, so a failed start leaves no run
folder behind."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from seqimg.errors import SeqimgError
from seqimg.io import cache_root, check_writable


def lock_path(out: Path) -> Path:
    """The lock file of run folder ``out`` (the same for every spelling of its path)."""
    key = hashlib.sha1(os.path.realpath(out).encode()).hexdigest()[:16]
    return cache_root() / "locks" / f"run-{key}.lock"


@contextmanager
def run_lock(out: Path) -> Iterator[None]:
    """Hold ``out`` for this process while the block runs; a folder another live process holds
    is refused in one line naming that process."""
    path = lock_path(out)
    check_writable(path.parent, "the encoding cache (SEQIMG_CACHE)")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise SeqimgError(f"{out}: another run is using this folder (process {holder}); "
                              "wait for it to end or choose another --out") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
