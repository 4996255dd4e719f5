"""What every donor method shares: it indexes the target's training pieces into a library
instead of training, keeps the library in the checkpoint (as an :class:`ArrayRecord`), and works
on whole pieces."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import torch

from seqimg.methods.base import TransferMethod


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

    takes_target_pieces = True
    trains = False
    copies_target = True
    library_class: type

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
