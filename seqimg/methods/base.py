"""A transfer method as a part: what it learns, how one training step updates it, and how it
carries source images to target images. The loop (:mod:`seqimg.train`) owns everything else.

A method is an ``nn.Module`` (its networks are its children, so moving, sharing weights under
torchrun and saving are the loop's business) with a typed, frozen ``config_class``. It is
registered by name in the ``seqimg.methods`` entry point group; a recipe picks it with
``method: {name: ..., <its settings>}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import torch
from torch import nn

from seqimg.codecs.base import SequenceCodec
from seqimg.distributed import World


class TrainingSide(Protocol):
    """What :meth:`TransferMethod.fit` may ask of one side of a run: its codec and its training
    pieces' frames, read one at a time when asked (:class:`seqimg.data.DomainData`)."""

    codec: SequenceCodec

    def pieces(self) -> Iterator[np.ndarray]:
        """The side's training pieces' frames, shape=(T, F) each."""


@dataclass(frozen=True)
class Signal:
    """One training signal for the report: its name, its value at the last step, what it
    measures and what to try when it looks wrong, and what this value says (empty when
    nothing stands out)."""

    name: str
    value: float
    meaning: str
    reading: str = ""


class StepContext:
    """What the loop lends one training step: fresh batches (each call draws the next one from
    the run's seeded generator), the step number, mixed precision and an optimiser update that
    averages gradients over the torchrun processes."""

    def __init__(self, step: int, device: torch.device, source, target, world: World,
                 amp: bool) -> None:
        self.step, self.device, self.world, self.amp = step, device, world, amp
        self.draw_source, self.draw_target = source, target

    def source(self) -> torch.Tensor:
        """The next batch of source images, shape=(B, C, H, W)."""
        return self.draw_source()

    def target(self) -> torch.Tensor:
        """The next batch of target images, shape=(B, C', H', W')."""
        return self.draw_target()

    def autocast(self):
        """bfloat16 autocast on CUDA when the recipe asks for mixed precision; a no-op on CPU."""
        return torch.autocast(self.device.type, torch.bfloat16, enabled=self.amp)

    def update(self, optimiser: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        """Backward, gradients averaged over the processes, one optimiser step."""
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.world.average(p.grad for group in optimiser.param_groups for p in group["params"]
                           if p.grad is not None)
        optimiser.step()


class TransferMethod(nn.Module):
    """Base of every transfer method. Subclasses set ``config_class`` and ``description`` and
    implement :meth:`step` and :meth:`transfer`; everything else has a default.

    A method chooses how much of a piece it sees: one that works on windows implements
    :meth:`transfer` and gets the cutting, folding and stitching of a whole piece from the
    default :meth:`transfer_piece`; one that needs the whole piece at once (a choice over all
    its bars) overrides :meth:`transfer_piece` itself. A method that reads and writes notes
    (``reads = "notes"``, with :class:`~seqimg.codecs.capabilities.NoteCodec` in ``needs``)
    implements :meth:`transfer_notes` too: a file's notes then reach it, and its notes the
    output file, with no frames between. A method learns in :meth:`fit`: by
    default the training loop over both sides' windows; one that indexes real pieces instead
    (the donors) overrides it and never asks for windows.

    ``needs`` lists codec capabilities (classes such as
    :class:`~seqimg.codecs.capabilities.NoteCodec`) that both codecs must have; a recipe that
    pairs the method with a codec lacking one is refused at load.
    """

    config_class: type
    description: str = ""
    needs: tuple[type, ...] = ()
    # settings of config_class that only transfer reads: they may change after training
    # (seqimg transfer --set method.NAME=VALUE)
    transfer_settings: tuple[str, ...] = ()
    # True for a method whose outputs are made of the target's real training material: its
    # model card says so, beside the report's copying measures
    copies_target: bool = False
    # what a whole piece is carried as: "frames" (transfer_piece) or "notes" (transfer_notes)
    reads: Literal["frames", "notes"] = "frames"

    def __init__(self, source: SequenceCodec, target: SequenceCodec, cfg: Any) -> None:
        super().__init__()
        self.source_codec, self.target_codec, self.cfg = source, target, cfg

    # --- set-up, checked at recipe load and before training -------------------------------
    @classmethod
    def configure(cls, raw: dict | None, where: str) -> Any:
        """The method's config from the recipe's ``method`` mapping (without ``name``); errors
        name ``where.key``."""
        from seqimg.config import build_config

        return build_config(cls.config_class, raw, where)

    @classmethod
    def check(cls, source: SequenceCodec, target: SequenceCodec, cfg: Any) -> None:
        """Refuse, naming the key, a pair of codecs or settings this method cannot train."""

    @property
    def pretrain_steps(self) -> int:
        """Steps the method spends before ``train.steps`` begin (e.g. pretraining a part)."""
        return 0

    def setup(self, device: torch.device) -> None:
        """Build the optimisers, once the networks are on ``device``."""

    def optimisers(self) -> dict[str, torch.optim.Optimizer]:
        """The optimisers by name, saved and restored by the loop with the weights."""
        return {}

    def before_resume(self, step: int) -> None:
        """Bring the method into the shape it had at ``step`` before a checkpoint's state is
        loaded (e.g. a part frozen after pretraining)."""

    # --- training and transfer -----------------------------------------------------------
    def step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """One training step; returns named scalars (losses, accuracies) for the history."""
        raise NotImplementedError

    def transfer(self, images: torch.Tensor) -> torch.Tensor:
        """Source images, shape=(B, C, H, W), to target images, shape=(B, C', H', W'), in
        [-1, 1]."""
        raise NotImplementedError

    @torch.no_grad()
    def transfer_windows(self, images: np.ndarray, batch: int = 64) -> np.ndarray:
        """:meth:`transfer` of source windows, shape=(N, C, H, W), in eval mode and batches."""
        self.eval()
        out = [self.transfer(torch.from_numpy(images[i : i + batch]).to(self.device)).float()
               .cpu().numpy() for i in range(0, len(images), batch)]
        return np.concatenate(out)

    def transfer_piece(self, frames: np.ndarray) -> np.ndarray:
        """A whole source piece, shape=(T, F), to target frames, shape=(T, F'): by default cut
        into the source codec's windows, each carried by :meth:`transfer`, and stitched back by
        the target codec."""
        images = self.source_codec.layout.frames_to_images(frames)
        return self.target_codec.decode_frames(self.transfer_windows(images), len(frames))

    def transfer_notes(self, notes: np.ndarray, length: int) -> np.ndarray:
        """A whole source piece's notes in parts, shape=(n, 4) as (pitch, start, end, part),
        ``length`` steps long, to the target's notes in parts (a method that ``reads``
        notes; its :meth:`transfer_piece` must give the frames of the same notes)."""
        raise NotImplementedError

    def fit(self, source: TrainingSide, target: TrainingSide, loop: Callable[[], None]) -> None:
        """Learn from the two sides' training data. By default ``loop()``: the training loop,
        which builds both sides' windows and calls :meth:`step` for ``train.steps``; a method
        that learns otherwise overrides this and reads what it needs of the sides (e.g.
        ``target.pieces()``), and the run saves it as it is."""
        loop()

    # --- optional capabilities: asked for, never assumed ---------------------------------
    def content_code(self, images: torch.Tensor, source: bool) -> torch.Tensor | None:
        """A learned code of the content of images, shape=(B, d), for f-constancy; None when
        the method has none (the measure is then skipped)."""
        return None

    def networks(self) -> dict[str, nn.Module]:
        """Convolutional networks over target-shaped images whose receptive field is worth
        analysing, by name; empty when there are none."""
        return {}

    def signals(self, last: dict[str, float]) -> list[Signal]:
        """The training signals worth reading at the last logged step, with what they mean."""
        return []

    def resynthesise(self, images: torch.Tensor) -> torch.Tensor | None:
        """Target images, shape=(B, C', H', W'), made again the way the method makes its
        transfers (e.g. from their own content view): the realism ceiling of a method that
        writes target music from a view. None when the method does not work that way."""
        return None

    @torch.no_grad()
    def resynthesise_piece(self, frames: np.ndarray) -> np.ndarray | None:
        """A whole target piece, shape=(T, F'), made again by :meth:`resynthesise` window by
        window and stitched; None when the method has no such path."""
        codec = self.target_codec
        images = torch.from_numpy(codec.layout.frames_to_images(frames)).to(self.device)
        made = self.eval().resynthesise(images)
        return None if made is None else codec.decode_frames(made.float().cpu().numpy(),
                                                              len(frames))

    def kept_views(self) -> list[str]:
        """The content views, offered by both codecs, that the method keeps: what evaluation
        compares for a cross-codec pair (none: only the content code, if any)."""
        return []

    @property
    def device(self) -> torch.device:
        return next(self.parameters(), torch.empty(0)).device
