"""One file in, one file out: what ``seqimg encode`` and ``seqimg decode`` do, as functions."""

from __future__ import annotations

from pathlib import Path

from seqimg.codecs.base import Encoded, SequenceCodec
from seqimg.codecs.capabilities import Fitted, able
from seqimg.config import config_dict, respelled
from seqimg.errors import SeqimgError, in_file
from seqimg.io import load_encoding, save_encoding
from seqimg.registry import codec_class, codec_for_suffix, make_codec


def encode_file(file: Path, codec: str | None, options: dict
                ) -> tuple[str, SequenceCodec, Encoded]:
    """The codec (by default the one that reads ``file``'s suffix), fitted on ``file`` alone
    with the settings the file implies under ``options``, and the file's windows through it."""
    codec = codec or codec_for_suffix(file)
    cls = codec_class(codec)
    if not file.is_file():
        raise SeqimgError(f"{file}: no such file")
    instance = cls({**cls.file_settings(file), **options})
    able(instance, Fitted).fit([file])
    return codec, instance, instance.encode(file)


def save_encoded(out: Path, file: Path, codec: str, instance: SequenceCodec,
                 encoded: Encoded) -> None:
    """Windows as ``.npy`` with the ``.json`` description that :func:`decode_file` reads."""
    meta = {"codec": codec, "config": config_dict(instance.config),
            "state": able(instance, Fitted).state(),
            "length": encoded.length, "source": str(file), "timing": encoded.timing}
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
    timing = meta.get("timing")
    if not isinstance(config, dict) or not isinstance(state, dict):
        raise in_file(file, "its .json description has a config or state that is not a mapping")
    if length is not None and (not isinstance(length, int) or length < 0):
        raise in_file(file, f"its .json description has length {length!r}, not a count of steps")
    if timing is not None and not isinstance(timing, dict):
        raise in_file(file, "its .json description has a timing that is not a mapping")
    suffixes = codec_class(name).suffixes
    if out.suffix.lower() not in suffixes:
        raise SeqimgError(f"{out}: the {name} codec writes {' or '.join(suffixes)} files; give "
                          "--out one of those suffixes")
    try:
        instance = make_codec(name, {**respelled(codec_class(name).config_class, config),
                                     **options})
        able(instance, Fitted).load_state(state)
        return instance.decode(images, length, out, timing)
    except SeqimgError as exc:
        if str(file) in str(exc):
            raise
        raise in_file(file, str(exc)) from None
