"""Data side of seqimg: each domain yields files of real sequences from an offline source.

A domain module has an ``Options`` frozen dataclass and ``files(options, cache) -> list[Path]``.
Recipes name a domain (``source.domain``) and its options (``source.options``).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from seqimg.config import build_config
from seqimg.errors import SeqimgError

DOMAINS = {
    "classical": "domains.classical",
    "metal": "domains.metal",
    "folder": "domains.folder",
    "basicmotions": "domains.basicmotions",
    "gunpoint": "domains.gunpoint",
    "rendered": "domains.rendered",
}


def cache_root() -> Path:
    """Where converted corpora are kept: ``$SEQIMG_CACHE`` or ``~/.cache/seqimg``."""
    return Path(os.environ.get("SEQIMG_CACHE", Path.home() / ".cache" / "seqimg"))


def domain_files(name: str, options: dict, where: str = "domain") -> list[Path]:
    """The sorted files of domain ``name`` with ``options`` (checked against its Options)."""
    if name not in DOMAINS:
        raise SeqimgError(f"{where}: unknown domain {name!r} (known: {', '.join(DOMAINS)})")
    module = importlib.import_module(DOMAINS[name])
    opts = build_config(module.Options, options, f"{where}.options")
    files = sorted(module.files(opts, cache_root() / name))
    if not files:
        raise SeqimgError(f"{where}: domain {name!r} has no files")
    return files
