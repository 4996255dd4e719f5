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
from seqimg.codecs.capabilities import Quantised, able


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

    def training_pair(self, x0: torch.Tensor, level: torch.Tensor,
                      generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """x_t and what the denoiser is trained to predict from it; default: x_0 itself."""
        return self.add_noise(x0, level, generator), x0

    @abstractmethod
    def loss(self, prediction: torch.Tensor, wanted: torch.Tensor) -> torch.Tensor:
        """The denoiser's loss: its ``prediction`` against what it should predict (one
        layout)."""

    @abstractmethod
    def estimate(self, prediction: torch.Tensor, x_t: torch.Tensor, level: float, last: bool,
                 generator: torch.Generator,
                 final_step: Literal["draw", "threshold"]) -> torch.Tensor:
        """The clean frames a prediction at ``x_t``, ``level`` stands for (drawn, or on the
        last step as asked)."""

    def step(self, prediction: torch.Tensor, x_t: torch.Tensor, level: float,
             next_level: float | None, generator: torch.Generator,
             final_step: Literal["draw", "threshold"] = "threshold") -> torch.Tensor:
        """One sampling step from ``x_t`` at ``level``: the prediction's clean frames,
        corrupted again to ``next_level`` (none on the last step, which returns them)."""
        last = next_level is None
        x0 = self.estimate(prediction, x_t, level, last, generator, final_step)
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

    def loss(self, prediction: torch.Tensor, wanted: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(prediction, (wanted > 0).float())

    def estimate(self, prediction: torch.Tensor, x_t: torch.Tensor, level: float, last: bool,
                 generator: torch.Generator,
                 final_step: Literal["draw", "threshold"]) -> torch.Tensor:
        """Each cell drawn from its predicted probability; on the last step with 'threshold',
        the cells above one half."""
        if last and final_step == "threshold":
            return (prediction > 0).float() * 2 - 1
        drawn = uniform(prediction.shape, generator, prediction.device) < torch.sigmoid(
            prediction)
        return drawn.float() * 2 - 1


Prediction = Literal["x0", "noise", "velocity"]
ContinuousStep = Literal["renoise", "ode"]
MIN_SIGNAL = 0.05  # 1 - t below which a noise prediction is not divided by (t near 1)


class GaussianMix(NoiseSchedule):
    """Continuous frames: x_t = (1 - t) x_0 + t e with e ~ N(0, 1). The denoiser predicts x_0,
    the noise e or the velocity e - x_0 (L = MSE on it). A sampling step either corrupts the
    estimated x_0 again with fresh noise ('renoise') or moves along the straight path through
    x_t with the noise it implies ('ode', deterministic as DDIM is)."""

    def __init__(self, prediction: Prediction = "x0", step_kind: ContinuousStep = "renoise"
                 ) -> None:
        super().__init__()
        self.prediction, self.step_kind = prediction, step_kind

    @staticmethod
    def mix(x0: torch.Tensor, level: torch.Tensor,
            generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """x_t at ``level``, shape=(B,), and the noise drawn for it."""
        noise = torch.randn(x0.shape, generator=generator).to(x0.device)
        t = level.view(-1, 1, 1)
        return (1 - t) * x0 + t * noise, noise

    def add_noise(self, x0: torch.Tensor, level: torch.Tensor,
                  generator: torch.Generator) -> torch.Tensor:
        return self.mix(x0, level, generator)[0]

    def training_pair(self, x0: torch.Tensor, level: torch.Tensor,
                      generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        x_t, noise = self.mix(x0, level, generator)
        if self.prediction == "noise":
            return x_t, noise
        return x_t, noise - x0 if self.prediction == "velocity" else x0

    def loss(self, prediction: torch.Tensor, wanted: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(prediction, wanted)

    def estimate(self, prediction: torch.Tensor, x_t: torch.Tensor, level: float, last: bool,
                 generator: torch.Generator,
                 final_step: Literal["draw", "threshold"]) -> torch.Tensor:
        """x_0 from the prediction at ``x_t``, inside [-1, 1]."""
        if self.prediction == "noise":
            x0 = (x_t - level * prediction) / max(1 - level, MIN_SIGNAL)
        elif self.prediction == "velocity":
            x0 = x_t - level * prediction
        else:
            x0 = prediction
        return x0.clamp(-1, 1)

    def step(self, prediction: torch.Tensor, x_t: torch.Tensor, level: float,
             next_level: float | None, generator: torch.Generator,
             final_step: Literal["draw", "threshold"] = "threshold") -> torch.Tensor:
        if self.step_kind == "renoise" or next_level is None:
            return super().step(prediction, x_t, level, next_level, generator, final_step)
        x0 = self.estimate(prediction, x_t, level, False, generator, final_step)
        noise = (x_t - (1 - level) * x0) / level
        return (1 - next_level) * x0 + next_level * noise


def is_binary(codec: SequenceCodec) -> bool:
    """Whether the codec's frames are on/off cells (levels -1 and 1)."""
    levels = able(codec, Quantised).frame_levels
    return levels is not None and sorted(levels) == [-1.0, 1.0]


def schedule_for(codec: SequenceCodec, prediction: Prediction = "x0",
                 step_kind: ContinuousStep = "renoise") -> NoiseSchedule:
    """The schedule of the codec's frames: a binary redraw for on/off cells, else a Gaussian
    mix predicting ``prediction`` and stepping by ``step_kind``."""
    if is_binary(codec):
        return BinaryRedraw(codec.n_features)
    return GaussianMix(prediction, step_kind)
