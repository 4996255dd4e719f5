"""``folder``: the user's own files, by folder and glob (e.g. a Lakh MIDI subset).

A relative ``path`` is read from the recipe file's folder; without a ``pattern`` every file in
any subfolder whose suffix (in any case) is one of ``suffixes``, by default the codec's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from seqimg.errors import SeqimgError


@dataclass(frozen=True)
class Options:
    path: str = "."  # the folder; relative paths start at the recipe file's folder
    pattern: str | None = None  # a glob under path, e.g. "train/*.mid" or "**/*.csv"
    # without a pattern: files in any subfolder with one of these suffixes, in any case
    # (default: the codec's, e.g. .mid and .midi)
    suffixes: tuple[str, ...] = ()


def resolve(options: Options, recipe_dir: Path, codec_suffixes: tuple[str, ...]) -> Options:
    """The path made absolute against the recipe's folder, and the suffixes filled from the
    codec when neither they nor a pattern are given."""
    path = Path(options.path).expanduser()
    if not path.is_absolute():
        path = (recipe_dir / path).resolve()
    suffixes = options.suffixes or (() if options.pattern else codec_suffixes)
    return dataclasses.replace(options, path=str(path),
                               suffixes=tuple(s.lower() for s in suffixes))


def files(options: Options, cache: Path) -> list[Path]:
    root = Path(options.path).expanduser()
    if not root.is_dir():
        raise SeqimgError(f"path {root}: no such folder")
    if options.pattern:
        found = [p for p in root.glob(options.pattern) if p.is_file()]
        wanted = f"pattern {options.pattern!r}"
    else:
        found = [p for p in root.rglob("*") if p.suffix.lower() in options.suffixes
                 and p.is_file()]
        wanted = f"suffixes {', '.join(options.suffixes)} (any case, any subfolder)"
    if not found:
        raise SeqimgError(f"no files under {root} match {wanted}")
    return found
