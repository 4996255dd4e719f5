"""What every donor method shares: it indexes the target's training pieces into a library
instead of training, keeps the library in the checkpoint (as an :class:`ArrayRecord`), and works
on whole pieces."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import fields

import numpy as np
import torch

from seqimg.methods.base import TrainingSide, TransferMethod

log = logging.getLogger(__name__)


class ArrayRecord:
    """A frozen dataclass of numpy arrays that travels in a checkpoint as tensors."""

    def state(self) -> dict[str, torch.Tensor]:
        """The arrays as tensors, by field name, for a checkpoint."""
        return {f.name: torch.from_numpy(np.ascontiguousarray(getattr(self, f.name)))
                for f in fields(self)}

    @classmethod
    def from_state(cls, state: dict[str, torch.Tensor]):
        return cls(*(state[f.name].numpy() for f in fields(cls)))


class DonorBase(TransferMethod):
    """A method whose outputs are made of real target material chosen for a whole piece.
    Subclasses set ``library_class`` and build ``self.library`` in :meth:`fit_pieces`."""

    copies_target = True
    library_class: type

    def fit(self, source: TrainingSide, target: TrainingSide, loop: Callable[[], None]) -> None:
        """Index the target's training pieces; nothing is trained by steps, so no window is
        built and the loop is not run."""
        started = time.perf_counter()
        self.fit_pieces(target.pieces())
        log.info("target: the training pieces indexed in %.1f s", time.perf_counter() - started)

    def fit_pieces(self, target: Iterable[np.ndarray]) -> None:
        """Build ``self.library`` from the target's real training pieces, each shape=(T, F'),
        given one at a time."""
        raise NotImplementedError

    def get_extra_state(self) -> dict:
        return self.library.state()

    def set_extra_state(self, state: dict) -> None:
        self.library = self.library_class.from_state(state)

    def transfer(self, images: torch.Tensor) -> torch.Tensor:
        """Each window on its own, as a piece (the method is meant for whole pieces)."""
        source, target = self.source_codec.layout, self.target_codec.layout
        windows = source.window_frames(images.float().cpu()).numpy()
        made = np.stack([self.transfer_piece(w) for w in windows])
        return target.window_images(torch.from_numpy(made)).to(images.device)
