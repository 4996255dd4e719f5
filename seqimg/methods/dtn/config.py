"""Typed settings of the DTN method: its model variants, the terms of L_D and L_G, and their
optimisation. Plain dataclasses, so that reading a run's config needs no torch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from seqimg.model.config import ModelConfig

Distance = Literal["mse", "l1", "cosine", "correlation"]


@dataclass(frozen=True)
class ExtraLoss:
    """A user loss term of L_G: its weight and the keyword settings its class takes."""

    weight: float
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LossConfig:
    """L_D from a named adversarial loss, and L_G = L_GANG + a*L_CONST + b*L_TID + c*L_TV +
    k*L_KEEP + L_VIEWS + L_MATCH + user losses.

    ``views`` weighs the codecs' content views (e.g. the midi codec's ``harmony``, ``bass``,
    ``melody``, ``rhythm``) in L_VIEWS = sum_v w_v d(v(s), v(q(G(s)))): a fixed content
    extractor, as the DTN paper fixes f, beside or instead of the learned one (``const_weight``).
    ``match`` weighs the target codec's batch statistics (the midi codec's ``register``,
    ``polyphony``, ``density``) in L_MATCH = sum_k w_k (k(q(G(s))) - k(t))^2: what the views
    leave free, held to the target's own values.

    Defaults a = b = 15, c = 0 are the DTN paper's digit setting. ``extra`` maps user loss names
    (entry points in ``seqimg.losses`` or ``module:Class``) to a weight, or to
    ``{weight: w, settings: {...}}``; settings are checked against the class's parameters.
    """

    adversarial: str = "binary"  # "binary", "ternary" (Taigman et al.) or a registered one
    label_smoothing: float = 0.0  # one-sided: real target labelled 1 - this (binary only)
    const_weight: float = 15.0  # a: weight of L_CONST = d(f(s), f(G(s)))
    tid_weight: float = 15.0  # b: weight of L_TID = d(t, G(t)), G the identity on the target
    tv_weight: float = 0.0  # c: weight of L_TV, total variation of G(s) across the image
    tv_exponent: float = 1.0  # B in L_TV's ((dx^2 + dy^2))^(B/2)
    keep_weight: float = 0.0  # L_KEEP = d(G(s), s): a price on each edit of the source
    keep_distance: Distance = "l1"  # d of L_KEEP
    const_distance: Distance = "mse"  # d of L_CONST
    tid_distance: Distance = "mse"  # d of L_TID
    const_detach_target: bool = True  # no gradient into f(s) from L_CONST
    const_features: float = 0.0  # weight of L_CONST on f's intermediate feature maps too
    const_updates_f: bool = True  # False: L_CONST trains g only (f cannot collapse to satisfy it)
    views: dict[str, float] = field(default_factory=dict)  # codec content view -> weight
    views_distance: Distance = "mse"  # d of L_VIEWS
    match: dict[str, float] = field(default_factory=dict)  # codec batch statistic -> weight
    # user loss name -> weight or {weight, settings}
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DtnTrainConfig:
    """The DTN's optimisation. ``pretrain_steps`` first trains f on both domains, as an
    autoencoder with g or as a source/target classifier (``pretrain_task``), before f is frozen
    (f_mode 'pretrained'); ``straight_through`` shows D G's output snapped to the values the
    target codec's frames take (``frame_levels``), with straight-through gradients."""

    lr: float = 3e-4  # Adam learning rate of f and g
    lr_d: float | None = None  # Adam learning rate of D (none: lr)
    d_steps: int = 1  # D updates per G update
    beta1: float = 0.5  # Adam's beta1
    straight_through: bool = False  # show D G's output snapped to the target codec's frame levels
    pretrain_steps: int = 0  # steps of pretraining f before the GAN (see pretrain_task)
    pretrain_task: Literal["autoencoder", "classifier"] = "autoencoder"  # what f is pretrained on
    init_g_from_pretrain: bool = True  # g starts from the pretraining autoencoder's decoder
    compile: bool = False  # torch.compile f, g and D (pays a compile first, then runs faster)


@dataclass(frozen=True)
class DtnConfig:
    """The Domain Transfer Network: f, g and D (``model``), the terms of L_D and L_G
    (``losses``) and how they are optimised (``train``)."""

    model: ModelConfig = field(default_factory=ModelConfig)  # f, g and D
    losses: LossConfig = field(default_factory=LossConfig)  # L_D and the terms of L_G
    train: DtnTrainConfig = field(default_factory=DtnTrainConfig)  # the DTN's optimisation
