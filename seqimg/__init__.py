"""seqimg: fold sequences into images and carry them between domains with a DTN."""

from seqimg.codecs.base import CodecConfig, Encoded, SequenceCodec
from seqimg.errors import SeqimgError
from seqimg.fold import FoldSpec, fold, unfold

__version__ = "0.1.0"
__all__ = ["CodecConfig", "Encoded", "FoldSpec", "SeqimgError", "SequenceCodec", "fold", "unfold"]
