"""One file in, one file out: what ``seqimg encode`` and ``seqimg decode`` do, as functions."""

from __future__ import annotations

from pathlib import Path

from seqimg.codecs.base import Encoded, SequenceCodec
from seqimg.errors import SeqimgError, in_file
from seqimg.io import load_encoding, save_encoding
from seqimg.registry import make_codec


def encode_file(file: Path, codec: str, options: dict) -> tuple[SequenceCodec, Encoded]:
    """The codec fitted on ``file`` alone, and the file's windows through it."""
    instance = make_codec(codec, options)
    instance.fit([file])
    return instance, instance.encode(file)


def save_encoded(out: Path, file: Path, codec: str, instance: SequenceCodec,
                 encoded: Encoded) -> None:
    """Windows as ``.npy`` with the ``.json`` description that :func:`decode_file` reads."""
    meta = {"codec": codec, "config": instance.config_dict(), "state": instance.state(),
            "length": encoded.length, "source": str(file)}
    save_encoding(out, encoded.images, meta)


def decode_file(file: Path, codec: str | None, options: dict, out: Path) -> Path:
    """Windows saved by :func:`save_encoded` back to a file at ``out``, with the stored codec
    settings (``options`` override them); every problem with the saved pair names ``file``."""
    images, meta = load_encoding(file)
    if not isinstance(meta, dict):
        raise in_file(file, "its .json description is not a mapping")
    name = codec or meta.get("codec")
    if not name:
        raise in_file(file, "no description beside it; say which --codec to use")
    if codec and meta.get("codec") and codec != meta["codec"]:
        raise in_file(file, f"encoded with {meta['codec']!r}, not {codec!r}")
    config, state, length = meta.get("config", {}), meta.get("state", {}), meta.get("length")
    if not isinstance(config, dict) or not isinstance(state, dict):
        raise in_file(file, "its .json description has a config or state that is not a mapping")
    if length is not None and (not isinstance(length, int) or length < 0):
        raise in_file(file, f"its .json description has length {length!r}, not a count of steps")
    try:
        instance = make_codec(name, {**config, **options})
        instance.load_state(state)
        return instance.decode(images, length, out)
    except SeqimgError as exc:
        if str(file) in str(exc):
            raise
        raise in_file(file, str(exc)) from None
