"""``metal``: the MIDI music of the Debian package ``freedoom`` (lumps of its WAD files)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import pretty_midi

from seqimg.domains.wad import midi_lumps
from seqimg.errors import SeqimgError
from seqimg.io import atomic_path

WAD_DIR = Path("/usr/share/games/doom")
WADS = ("freedoom1.wad", "freedoom2.wad")
GUITAR_PROGRAMS = {29, 30}  # overdriven and distortion guitar
SOURCE = "freedoom's music, BSD licence"  # what a method that copies this corpus is made of


@dataclass(frozen=True)
class Options:
    guitar_only: bool = True  # keep tracks with distortion or overdriven guitar
    limit: int | None = None  # keep only the first N tracks
    wad_dir: str = str(WAD_DIR)  # where freedoom's WAD files are (Debian package freedoom)


def uses_guitar(data: bytes) -> bool:
    """Whether a MIDI file has a non-drum part on program 29 or 30."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pm = pretty_midi.PrettyMIDI(io.BytesIO(data))
    return any(i.program in GUITAR_PROGRAMS for i in pm.instruments if not i.is_drum)


def files(options: Options, cache: Path) -> list[Path]:
    wads = [Path(options.wad_dir) / name for name in WADS]
    if not any(w.is_file() for w in wads):
        raise SeqimgError(f"{options.wad_dir}: no freedoom WAD files; install the Debian "
                          "package 'freedoom' (make setup does so as root)")
    out = []
    for wad in (w for w in wads if w.is_file()):
        for name, data in midi_lumps(wad).items():
            if options.guitar_only and not uses_guitar(data):
                continue
            target = cache / f"{wad.stem}_{name}.mid"
            if not target.exists():
                with atomic_path(target) as tmp:
                    tmp.write_bytes(data)
            out.append(target)
    return out[: options.limit]
