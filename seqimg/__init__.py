"""seqimg: fold sequences into images and carry them between domains with a DTN."""

from importlib.metadata import PackageNotFoundError, version

from seqimg.codecs.base import CodecConfig, Encoded, SequenceCodec
from seqimg.errors import SeqimgError
from seqimg.fold import FoldSpec, fold, unfold

try:
    __version__ = version("seqimg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
__all__ = ["CodecConfig", "Encoded", "FoldSpec", "SeqimgError", "SequenceCodec", "fold", "unfold"]
