"""Reading the lump directory of a Doom WAD file (the format freedoom ships its music in)."""

from __future__ import annotations

import struct
from pathlib import Path

from seqimg.errors import in_file


def read_lumps(path: Path) -> dict[str, bytes]:
    """All lumps of a WAD file by name (later lumps of the same name win)."""
    data = Path(path).read_bytes()
    if len(data) < 12 or data[:4] not in (b"IWAD", b"PWAD"):
        raise in_file(path, "not a WAD file")
    count, table = struct.unpack_from("<ii", data, 4)
    if table < 12 or table + 16 * count > len(data):
        raise in_file(path, "WAD directory lies outside the file")
    lumps = {}
    for i in range(count):
        offset, size, raw_name = struct.unpack_from("<ii8s", data, table + 16 * i)
        name = raw_name.split(b"\0", 1)[0].decode("ascii", "replace")
        lumps[name] = data[offset : offset + size]
    return lumps


def midi_lumps(path: Path) -> dict[str, bytes]:
    """Music lumps (``D_*``) stored as standard MIDI files."""
    return {name: body for name, body in read_lumps(path).items()
            if name.startswith("D_") and body[:4] == b"MThd"}
