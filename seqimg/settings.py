"""Typed settings of the training loop, whatever the method: a plain dataclass, so that reading a
run's config (e.g. to rewrite its report page) needs no torch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainConfig:
    """The loop's settings, whatever the method: how long, how big a batch, how often to log and
    checkpoint. What a method optimises and how is its own (``method.train`` of the DTN)."""

    steps: int = 2000  # training steps of the method (after any pretraining it declares)
    batch_size: int = 128  # windows per side per step (divided among torchrun processes)
    checkpoint_every: int = 500  # steps between checkpoints (a run resumes from the last)
    log_every: int = 10  # steps between logged values (training curves, progress bar)
    amp: bool = True  # mixed precision on CUDA (ignored on CPU)
