"""DTN losses: one small class each, its equation in a comment, returning a scalar tensor.

Every loss reads what it needs from :class:`StepTensors`, the tensors of one training step.
Users add losses by name through the entry point group ``seqimg.losses`` (or ``module:Class``):
a class taking keyword settings and called with ``StepTensors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from seqimg.errors import SeqimgError

# Ternary D classes (Taigman et al.): G(source), G(target), real target.
FAKE_SOURCE, FAKE_TARGET, REAL_TARGET = 0, 1, 2


def distance(name: str, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean distance between batches: 'mse', 'l1' or 'cosine' (1 - cosine per sample)."""
    if name == "mse":
        return F.mse_loss(a, b)
    if name == "l1":
        return F.l1_loss(a, b)
    if name == "cosine":
        return (1 - F.cosine_similarity(a.flatten(1), b.flatten(1), dim=1)).mean()
    raise SeqimgError(f"unknown distance {name!r} (known: mse, l1, cosine)")


@dataclass
class StepTensors:
    """Tensors of one step. Images are (B, C, H, W); codes (B, d, 1, 1); logits (B, 1|3)."""

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


def bce(logits: torch.Tensor, value: float) -> torch.Tensor:
    """Binary cross-entropy of logits against a constant label."""
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, value))


def ce(logits: torch.Tensor, label: int) -> torch.Tensor:
    """Cross-entropy of (B, 3) logits against one class for the whole batch."""
    return F.cross_entropy(logits, torch.full((len(logits),), label, device=logits.device))


def discriminator_loss(d_real: torch.Tensor, d_g_source: torch.Tensor, d_g_target: torch.Tensor,
                       real_label: float = 1.0) -> torch.Tensor:
    """L_D. Binary: -E log D(t) - E log(1 - D(G(s))) - E log(1 - D(G(t))).
    Ternary: -E log D_3(t) - E log D_1(G(s)) - E log D_2(G(t)).
    ``real_label`` < 1 gives one-sided label smoothing (binary only)."""
    if d_real.shape[1] == 3:
        return ce(d_real, REAL_TARGET) + ce(d_g_source, FAKE_SOURCE) + ce(d_g_target, FAKE_TARGET)
    return bce(d_real, real_label) + bce(d_g_source, 0.0) + bce(d_g_target, 0.0)


class GeneratorAdversarialLoss:
    """L_GANG = -E log D(G(s)) - E log D(G(t)); ternary: -E log D_3(G(s)) - E log D_3(G(t))."""

    def __call__(self, x: StepTensors) -> torch.Tensor:
        if x.d_g_source.shape[1] == 3:
            return ce(x.d_g_source, REAL_TARGET) + ce(x.d_g_target, REAL_TARGET)
        return bce(x.d_g_source, 1.0) + bce(x.d_g_target, 1.0)


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


class TargetIdentityLoss:
    """L_TID = d2(t, G(t)) on target."""

    def __init__(self, distance: str = "mse") -> None:
        self.distance = distance

    def __call__(self, x: StepTensors) -> torch.Tensor:
        return distance(self.distance, x.g_target, x.target)


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


@dataclass(frozen=True)
class LossConfig:
    """Weights and settings of L_G = L_GANG + a*L_CONST + b*L_TID + c*L_TV + user losses.

    Defaults a = b = 15, c = 0 are the DTN paper's digit setting; ``extra`` maps user loss names
    (entry points in ``seqimg.losses`` or ``module:Class``) to their weights.
    """

    const_weight: float = 15.0
    tid_weight: float = 15.0
    tv_weight: float = 0.0
    tv_exponent: float = 1.0
    const_distance: str = "mse"
    tid_distance: str = "mse"
    const_detach_target: bool = True
    const_features: float = 0.0
    const_updates_f: bool = True  # False: L_CONST trains g only (f cannot collapse to satisfy it)
    extra: dict = field(default_factory=dict)


def generator_terms(cfg: LossConfig) -> list[tuple[str, float, object]]:
    """The weighted terms of L_G as (name, weight, loss) triples, built through the registry."""
    from seqimg.registry import loss_class

    settings = {
        "gan_g": (1.0, {}),
        "const": (cfg.const_weight, {"distance": cfg.const_distance,
                                     "detach_target": cfg.const_detach_target,
                                     "features": cfg.const_features}),
        "tid": (cfg.tid_weight, {"distance": cfg.tid_distance}),
        "tv": (cfg.tv_weight, {"exponent": cfg.tv_exponent}),
    }
    settings.update({name: (float(weight), {}) for name, weight in cfg.extra.items()})
    return [(name, weight, loss_class(name)(**kwargs))
            for name, (weight, kwargs) in settings.items() if weight]
