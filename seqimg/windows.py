"""A side's training windows, counted but not materialised: every window start (one per hop, at
``data.offsets`` offsets) of every augmented variant of every file, drawn by index from the shard
cache at batch time. Small corpora are materialised whole instead, which is faster to index."""

from __future__ import annotations

import numpy as np
import torch

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Augmented, able
from seqimg.fold import window_starts
from seqimg.prepare import Prepared


class Windows:
    """Training windows of prepared files, indexed as the rows of one array would be: file by
    file, then variant (the frames, then the codec's ``augment``), then offset, then window.

    Augmentation is applied to the drawn window only, which requires ``augment`` to act on each
    time step alone (transposition, scaling), as the codec contract says.
    """

    def __init__(self, codec: SequenceCodec, prepared: Prepared, offsets: int) -> None:
        self.codec, self.reader = codec, prepared.reader
        self.entries = list(prepared.entries.values())
        self.shift = max(codec.layout.window_length // max(offsets, 1), 1)
        self.offsets = offsets
        blank = np.full((1, codec.n_features), codec.pad_value, np.float32)
        self.variants = 1 + len(able(codec, Augmented).augment(blank))
        self.per_variant = np.array([len(self.starts(e.shape[0])) for e in self.entries],
                                    dtype=np.int64)
        self.first = np.concatenate([[0], np.cumsum(self.per_variant * self.variants)])

    def offset_starts(self, length: int) -> range:
        """The steps a file of ``length`` steps is cut from, one per offset."""
        return range(0, min(self.shift * self.offsets, length), self.shift)

    def starts(self, length: int) -> np.ndarray:
        """Start steps of a file's windows, offset by offset, as ``frames_to_images`` cuts them."""
        layout = self.codec.layout
        return np.concatenate([window_starts(length - offset, layout.window_length, layout.hop)
                               + offset for offset in self.offset_starts(length)])

    def __len__(self) -> int:
        return int(self.first[-1])

    @property
    def nbytes(self) -> int:
        """Bytes all windows would take as one float32 array."""
        return len(self) * int(np.prod(self.codec.layout.image_shape)) * 4

    def window(self, index: int) -> np.ndarray:
        """Window ``index``, shape=(1, C, H, W)."""
        file = int(np.searchsorted(self.first, index, side="right")) - 1
        entry = self.entries[file]
        variant, k = divmod(index - int(self.first[file]), int(self.per_variant[file]))
        start = int(self.starts(entry.shape[0])[k])
        frames = self.reader.rows(entry, start, start + self.codec.layout.window_length)
        if variant:
            frames = able(self.codec, Augmented).augment(frames)[variant - 1]
        return self.codec.layout.frames_to_images(frames)

    def __getitem__(self, index: torch.Tensor) -> torch.Tensor:
        """The windows at ``index`` (a 1-D integer tensor), shape=(B, C, H, W), float32."""
        return torch.from_numpy(np.concatenate([self.window(int(i)) for i in index]))

    def materialise(self) -> np.ndarray:
        """All windows in index order, shape=(N, C, H, W), float32, cut file by file."""
        codec, windows = self.codec, []
        for entry in self.entries:
            frames = self.reader.rows(entry)
            for variant in [frames, *able(codec, Augmented).augment(frames)]:
                for offset in self.offset_starts(len(variant)):
                    windows.append(codec.layout.frames_to_images(variant[offset:]))
        return np.concatenate(windows).astype(np.float32)
