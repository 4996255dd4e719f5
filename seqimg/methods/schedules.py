"""Noise schedules of the diffusion method, one class per kind of frame: how a clean window x_0
is corrupted to a level t in [0, 1] (``add_noise``), what the denoiser is trained to predict
(``loss``), and one sampling step from a prediction to the next, lower level (``step``). The
method picks one from the target codec's frame levels (:func:`schedule_for`) and holds the
denoiser, the condition and guidance itself.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from seqimg.codecs.base import SequenceCodec


def uniform(shape, generator: torch.Generator, device) -> torch.Tensor:
    """U(0, 1) draws of ``shape`` from ``generator`` (a CPU generator, so that a run draws the
    same on any device), moved to ``device``."""
    return torch.rand(shape, generator=generator).to(device)


class NoiseSchedule(nn.Module):
    """Corruption and sampling steps for frames, shape=(B, T, F). A module, so that what it
    learns from the data (a binary channel's base rate) is saved with the method's weights."""

    def observe(self, x0: torch.Tensor) -> None:
        """See a training batch of clean frames before it is corrupted; default: nothing."""

    @abstractmethod
    def add_noise(self, x0: torch.Tensor, level: torch.Tensor,
                  generator: torch.Generator) -> torch.Tensor:
        """x_0, shape=(B, T, F), at noise ``level``, shape=(B,)."""

    @abstractmethod
    def loss(self, prediction: torch.Tensor, clean: torch.Tensor) -> torch.Tensor:
        """The denoiser's loss: its ``prediction`` against the clean window (one layout)."""

    @abstractmethod
    def estimate(self, prediction: torch.Tensor, last: bool, generator: torch.Generator,
                 final_step: Literal["draw", "threshold"]) -> torch.Tensor:
        """The clean frames a prediction stands for (drawn, or on the last step as asked)."""

    def step(self, prediction: torch.Tensor, next_level: float | None,
             generator: torch.Generator,
             final_step: Literal["draw", "threshold"] = "threshold") -> torch.Tensor:
        """One sampling step: the prediction's clean frames, corrupted again to ``next_level``
        (none on the last step, which returns them as they are)."""
        last = next_level is None
        x0 = self.estimate(prediction, last, generator, final_step)
        if last:
            return x0
        return self.add_noise(x0, prediction.new_full((len(x0),), next_level), generator)


class BinaryRedraw(NoiseSchedule):
    """On/off cells (levels -1 and 1): at level t each cell is redrawn, with probability t, from
    its channel's base rate over every training window seen; the denoiser predicts each clean
    cell's logit (L = BCE)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.register_buffer("base_rate", torch.zeros(channels))
        self.register_buffer("windows_seen", torch.zeros((), dtype=torch.float64))

    def observe(self, x0: torch.Tensor) -> None:
        """Fold the batch into the running base rate of each channel."""
        count = len(x0)
        rate = (x0 > 0).float().mean((0, 1))
        self.base_rate.mul_(self.windows_seen / (self.windows_seen + count)).add_(
            rate * count / (self.windows_seen + count))
        self.windows_seen.add_(count)

    def add_noise(self, x0: torch.Tensor, level: torch.Tensor,
                  generator: torch.Generator) -> torch.Tensor:
        t = level.view(-1, 1, 1)
        redraw = uniform(x0.shape, generator, x0.device) < t
        fresh = uniform(x0.shape, generator, x0.device) < self.base_rate
        return torch.where(redraw, fresh.float() * 2 - 1, x0)

    def loss(self, prediction: torch.Tensor, clean: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(prediction, (clean > 0).float())

    def estimate(self, prediction: torch.Tensor, last: bool, generator: torch.Generator,
                 final_step: Literal["draw", "threshold"]) -> torch.Tensor:
        """Each cell drawn from its predicted probability; on the last step with 'threshold',
        the cells above one half."""
        if last and final_step == "threshold":
            return (prediction > 0).float() * 2 - 1
        drawn = uniform(prediction.shape, generator, prediction.device) < torch.sigmoid(
            prediction)
        return drawn.float() * 2 - 1


class GaussianMix(NoiseSchedule):
    """Continuous frames: x_t = (1 - t) x_0 + t e with e ~ N(0, 1); the denoiser predicts x_0
    (L = MSE)."""

    def add_noise(self, x0: torch.Tensor, level: torch.Tensor,
                  generator: torch.Generator) -> torch.Tensor:
        t = level.view(-1, 1, 1)
        noise = torch.randn(x0.shape, generator=generator).to(x0.device)
        return (1 - t) * x0 + t * noise

    def loss(self, prediction: torch.Tensor, clean: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(prediction, clean)

    def estimate(self, prediction: torch.Tensor, last: bool, generator: torch.Generator,
                 final_step: Literal["draw", "threshold"]) -> torch.Tensor:
        """The prediction itself, inside [-1, 1]."""
        return prediction.clamp(-1, 1)


def is_binary(codec: SequenceCodec) -> bool:
    """Whether the codec's frames are on/off cells (levels -1 and 1)."""
    return codec.frame_levels is not None and sorted(codec.frame_levels) == [-1.0, 1.0]


def schedule_for(codec: SequenceCodec) -> NoiseSchedule:
    """The schedule of the codec's frames: a binary redraw for on/off cells, else a Gaussian
    mix."""
    return BinaryRedraw(codec.n_features) if is_binary(codec) else GaussianMix()
