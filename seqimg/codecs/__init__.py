"""Codec base class and built-in codecs."""

from seqimg.codecs.base import CodecConfig, Encoded, SequenceCodec

__all__ = ["CodecConfig", "Encoded", "SequenceCodec"]
