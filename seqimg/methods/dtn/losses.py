"""DTN losses: one small class each, its equation in a comment, returning a scalar tensor.

Every loss reads what it needs from :class:`StepTensors`, the tensors of one training step.
Users add losses by name through the entry point group ``seqimg.losses`` (or ``module:Class``):
a class taking annotated keyword settings and called with ``StepTensors``. The adversarial pair
(L_D for D, L_GANG for G) is one object named by ``losses.adversarial``; users add one through
the group ``seqimg.adversarial``: a class with ``outputs`` (D's logits), ``discriminator``,
``generator`` and ``accuracy``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from seqimg.errors import SeqimgError
from seqimg.methods.dtn.config import LossConfig

# Ternary D classes (Taigman et al.): G(source), G(target), real target.
FAKE_SOURCE, FAKE_TARGET, REAL_TARGET = 0, 1, 2


def distance(name: str, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean distance between batches: 'mse', 'l1', 'cosine' (1 - cosine per sample) or
    'correlation' (1 - cosine of each sample's values less their mean: scale and offset free)."""
    if name == "mse":
        return F.mse_loss(a, b)
    if name == "l1":
        return F.l1_loss(a, b)
    if name in ("cosine", "correlation"):
        a, b = a.flatten(1), b.flatten(1)
        if name == "correlation":
            a, b = a - a.mean(1, keepdim=True), b - b.mean(1, keepdim=True)
        return (1 - F.cosine_similarity(a, b, dim=1)).mean()
    raise SeqimgError(f"unknown distance {name!r} (known: mse, l1, cosine, correlation)")


@dataclass
class StepTensors:
    """Tensors of one step. Images are (B, C, H, W); codes (B, d, 1, 1); logits (B, outputs)."""

    source: torch.Tensor
    target: torch.Tensor
    g_source: torch.Tensor  # G(s)
    g_target: torch.Tensor  # G(t)
    code_source: torch.Tensor  # f(s)
    code_g_source: torch.Tensor  # f(G(s))
    d_g_source: torch.Tensor  # D(G(s)), logits
    d_g_target: torch.Tensor  # D(G(t)), logits
    features_source: list = field(default_factory=list)  # f's maps of s
    features_g_source: list = field(default_factory=list)  # f's maps of G(s)
    views_source: dict = field(default_factory=dict)  # content views of s, by name
    views_g_source: dict = field(default_factory=dict)  # the same of G(s), snapped to levels
    match_g_source: dict = field(default_factory=dict)  # batch statistics of snapped G(s)
    match_target: dict = field(default_factory=dict)  # the same of t


def bce(logits: torch.Tensor, value: float) -> torch.Tensor:
    """Binary cross-entropy of logits against a constant label."""
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, value))


def ce(logits: torch.Tensor, label: int) -> torch.Tensor:
    """Cross-entropy of (B, 3) logits against one class for the whole batch."""
    return F.cross_entropy(logits, torch.full((len(logits),), label, device=logits.device))


class BinaryAdversarialLoss:
    """L_D = -E log D(t) - E log(1 - D(G(s))) - E log(1 - D(G(t)));
    L_GANG = -E log D(G(s)) - E log D(G(t)). ``label_smoothing`` > 0 labels real target
    1 - label_smoothing (one-sided)."""

    outputs = 1

    def __init__(self, label_smoothing: float = 0.0) -> None:
        self.real_label = 1.0 - label_smoothing

    def discriminator(self, d_real: torch.Tensor, d_g_source: torch.Tensor,
                      d_g_target: torch.Tensor) -> torch.Tensor:
        return bce(d_real, self.real_label) + bce(d_g_source, 0.0) + bce(d_g_target, 0.0)

    def generator(self, d_g_source: torch.Tensor, d_g_target: torch.Tensor) -> torch.Tensor:
        return bce(d_g_source, 1.0) + bce(d_g_target, 1.0)

    def accuracy(self, logits: torch.Tensor, real: bool) -> float:
        """Share of D's decisions that are right, by the sign of its logit."""
        return ((logits[:, 0] > 0) == real).float().mean().item()


class TernaryAdversarialLoss:
    """Taigman et al.'s three classes, G(source), G(target), real target:
    L_D = -E log D_3(t) - E log D_1(G(s)) - E log D_2(G(t));
    L_GANG = -E log D_3(G(s)) - E log D_3(G(t))."""

    outputs = 3

    def discriminator(self, d_real: torch.Tensor, d_g_source: torch.Tensor,
                      d_g_target: torch.Tensor) -> torch.Tensor:
        return ce(d_real, REAL_TARGET) + ce(d_g_source, FAKE_SOURCE) + ce(d_g_target, FAKE_TARGET)

    def generator(self, d_g_source: torch.Tensor, d_g_target: torch.Tensor) -> torch.Tensor:
        return ce(d_g_source, REAL_TARGET) + ce(d_g_target, REAL_TARGET)

    def accuracy(self, logits: torch.Tensor, real: bool) -> float:
        """Share of D's decisions that are right: real target, or G of source, by argmax."""
        label = REAL_TARGET if real else FAKE_SOURCE
        return (logits.argmax(1) == label).float().mean().item()


def adversarial_loss(cfg: LossConfig):
    """The adversarial loss named by ``cfg.adversarial``, with its label smoothing."""
    from seqimg.registry import lookup

    settings = {"label_smoothing": cfg.label_smoothing} if cfg.label_smoothing else {}
    return lookup("adversarial", cfg.adversarial)(**settings)


class GeneratorAdversarialLoss:
    """L_GANG, as the adversarial loss defines it for G's outputs."""

    def __init__(self, adversarial) -> None:
        self.adversarial = adversarial

    def __call__(self, x: StepTensors) -> torch.Tensor:
        return self.adversarial.generator(x.d_g_source, x.d_g_target)


class ConstancyLoss:
    """L_CONST = d(f(s), f(G(s))) on source, plus the same on f's feature maps when
    ``features`` > 0 (weighted by it); ``detach_target`` stops gradients into f(s)."""

    def __init__(self, distance: str = "mse", detach_target: bool = True,
                 features: float = 0.0) -> None:
        self.distance, self.detach_target, self.features = distance, detach_target, features

    def __call__(self, x: StepTensors) -> torch.Tensor:
        def target(t: torch.Tensor) -> torch.Tensor:
            return t.detach() if self.detach_target else t

        loss = distance(self.distance, x.code_g_source, target(x.code_source))
        if self.features:
            maps = zip(x.features_g_source, x.features_source)
            loss = loss + self.features * sum(distance(self.distance, a, target(b))
                                              for a, b in maps) / len(x.features_source)
        return loss


class ViewConstancyLoss:
    """L_VIEWS = sum_v w_v d(v(s), v(q(G(s)))): content views that the codecs declare (pitch
    classes per beat, bass, top voice, onsets ...) of the source and of G's output snapped to
    the target codec's levels ``q`` with straight-through gradients."""

    def __init__(self, weights: dict[str, float], distance: str = "mse") -> None:
        self.weights, self.distance = weights, distance

    def __call__(self, x: StepTensors) -> torch.Tensor:
        return sum(weight * distance(self.distance, x.views_g_source[name],
                                     x.views_source[name])
                   for name, weight in self.weights.items())


class TargetMatchLoss:
    """L_MATCH = sum_k w_k (k(q(G(s))) - k(t))^2 over batch statistics the target codec
    declares (register, polyphony, density ...): G's outputs held to the target's values."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = weights

    def __call__(self, x: StepTensors) -> torch.Tensor:
        return sum(weight * (x.match_g_source[name] - x.match_target[name]) ** 2
                   for name, weight in self.weights.items())


class TargetIdentityLoss:
    """L_TID = d2(t, G(t)) on target."""

    def __init__(self, distance: str = "mse") -> None:
        self.distance = distance

    def __call__(self, x: StepTensors) -> torch.Tensor:
        return distance(self.distance, x.g_target, x.target)


class SourceKeepLoss:
    """L_KEEP = d(G(s), s): a price on every change G makes to its input, so that it edits
    rather than repaints (with ``model.edit`` it starts from keeping everything)."""

    def __init__(self, distance: str = "l1") -> None:
        self.distance = distance

    def __call__(self, x: StepTensors) -> torch.Tensor:
        return distance(self.distance, x.g_source, x.source)


class TotalVariationLoss:
    """L_TV(z) = mean over pixels of ((z[i, j+1] - z[i, j])^2 + (z[i+1, j] - z[i, j])^2)^(B/2),
    on z = G(s); a 1e-8 inside the power keeps the gradient finite where z is flat."""

    def __init__(self, exponent: float = 1.0) -> None:
        self.exponent = exponent

    def __call__(self, x: StepTensors) -> torch.Tensor:
        z = x.g_source
        dx = z[..., :-1, 1:] - z[..., :-1, :-1]
        dy = z[..., 1:, :-1] - z[..., :-1, :-1]
        return ((dx**2 + dy**2 + 1e-8) ** (self.exponent / 2)).mean()

