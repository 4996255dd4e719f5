"""seqimg: fold sequences into images and carry them between domains with a DTN.

What a plugin author subclasses is exported here: codecs (``SequenceCodec``, ``CodecConfig``,
the capability classes such as ``NoteCodec``, a ``Layout``) and transfer methods
(``TransferMethod``, ``StepContext``, ``Signal``). The method classes need torch, so they are
imported when first asked for and ``import seqimg`` stays light.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from seqimg.codecs.base import CodecConfig, Encoded, SequenceCodec
from seqimg.codecs.capabilities import (
    Augmented,
    Drawn,
    Fitted,
    Grouped,
    Measured,
    NoteCodec,
    Quantised,
    Timed,
    Viewed,
    able,
    needs,
)
from seqimg.codecs.layouts import FoldLayout, Layout, PianoRollLayout
from seqimg.errors import SeqimgError
from seqimg.fold import FoldSpec, fold, unfold

try:
    __version__ = version("seqimg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

LAZY = {"TransferMethod": "seqimg.methods.base", "StepContext": "seqimg.methods.base",
        "Signal": "seqimg.methods.base"}


def __getattr__(name: str):
    if name in LAZY:
        return getattr(import_module(LAZY[name]), name)
    raise AttributeError(f"module 'seqimg' has no attribute {name!r}")


__all__ = ["Augmented", "CodecConfig", "Drawn", "Encoded", "Fitted", "FoldLayout", "FoldSpec",
           "Grouped", "Layout", "Measured", "NoteCodec", "PianoRollLayout", "Quantised",
           "SeqimgError", "SequenceCodec", "Signal", "StepContext", "Timed", "TransferMethod",
           "Viewed", "able", "fold", "needs", "unfold"]
