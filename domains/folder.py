"""``folder``: the user's own files, by folder and glob (e.g. a Lakh MIDI subset)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seqimg.errors import SeqimgError


@dataclass(frozen=True)
class Options:
    path: str = "."
    pattern: str = "**/*.mid"


def files(options: Options, cache: Path) -> list[Path]:
    root = Path(options.path).expanduser()
    if not root.is_dir():
        raise SeqimgError(f"{root}: no such folder")
    return [p for p in root.glob(options.pattern) if p.is_file()]
