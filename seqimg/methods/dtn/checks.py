"""What the DTN checks when a recipe loads: user losses and their settings, the named model
variants and the switches they honour, and what a cross-codec pair asks of the method."""

from __future__ import annotations

import dataclasses

from seqimg.codecs.base import SequenceCodec
from seqimg.errors import SeqimgError
from seqimg.methods.dtn.config import DtnConfig, ExtraLoss, LossConfig
from seqimg.model.config import ModelConfig

WHERE = "method"  # where the DTN's settings sit in a recipe


def resolve_extra_losses(losses: LossConfig, where: str) -> LossConfig:
    """User losses as :class:`ExtraLoss`, their settings checked against the loss class."""
    from seqimg.config import build_config, check_call_settings
    from seqimg.registry import loss_class

    extra = {}
    for name, spec in losses.extra.items():
        key = f"{where}.extra.{name}"
        if isinstance(spec, ExtraLoss):
            spec = dataclasses.asdict(spec)
        if not isinstance(spec, dict):
            spec = {"weight": spec}
        spec = build_config(ExtraLoss, spec, key)
        try:
            cls = loss_class(name)
        except SeqimgError as exc:
            raise SeqimgError(f"{key}: {exc}") from None
        extra[name] = ExtraLoss(spec.weight,
                                check_call_settings(cls, spec.settings, f"{key}.settings"))
    return dataclasses.replace(losses, extra=extra)


def check_model_and_losses(model: ModelConfig, losses: LossConfig, where: str) -> None:
    """Named variants and the adversarial loss exist; the adversarial loss takes the settings
    given to it."""
    from seqimg.config import check_call_settings
    from seqimg.registry import available, known, lookup

    for key, kind in (("generator", "generators"), ("discriminator", "discriminators")):
        if not known(kind, getattr(model, key)):
            raise SeqimgError(f"{where}.model.{key}: unknown {kind[:-1]} variant "
                              f"{getattr(model, key)!r} (known: {', '.join(available(kind))})")
    if not known("adversarial", losses.adversarial):
        raise SeqimgError(f"{where}.losses.adversarial: unknown adversarial loss "
                          f"{losses.adversarial!r} (known: {', '.join(available('adversarial'))})")
    check_switches(model, where)
    if losses.label_smoothing:  # only then is the class imported, to check it takes it
        try:
            check_call_settings(lookup("adversarial", losses.adversarial),
                                {"label_smoothing": losses.label_smoothing}, where)
        except SeqimgError:
            raise SeqimgError(f"{where}.losses.label_smoothing: the {losses.adversarial!r} "
                              "adversarial loss takes no label smoothing") from None


def check_switches(model: ModelConfig, where: str) -> None:
    """A variant that lacks an on/off setting the recipe changes from its default refuses it,
    instead of ignoring it (e.g. the temporal generator has no skip connections)."""
    from seqimg.model.variants import SWITCHES
    from seqimg.registry import lookup

    defaults = ModelConfig()
    for kind, key in (("generators", "generator"), ("discriminators", "discriminator")):
        name = getattr(model, key)
        honoured = getattr(lookup(kind, name), "honours", None)
        for switch in SWITCHES[kind] if honoured is not None else ():
            if switch not in honoured and getattr(model, switch) != getattr(defaults, switch):
                raise SeqimgError(f"{where}.model.{switch}: the {name!r} {key} variant has no "
                                  f"such setting (it has: {', '.join(honoured) or 'none'}); "
                                  "leave it at its default")


def check_cross_dtn(source: SequenceCodec, target: SequenceCodec, cfg: DtnConfig) -> None:
    """What the DTN asks of a cross-codec pair: no editing G, no pretraining on both domains,
    and content kept through views of one shape on both sides (or the learned f)."""
    from seqimg.cross import offered, shared_view_shapes

    if cfg.model.edit:
        raise SeqimgError(f"{WHERE}.model.edit: G edits its input, which a cross-codec pair's "
                          "output cannot be; set it to false")
    if cfg.train.pretrain_steps:
        raise SeqimgError(f"{WHERE}.train.pretrain_steps: pretraining f on both domains needs "
                          "one image shape; set it to 0 for a cross-codec pair")
    if not any(cfg.losses.views.values()) and not cfg.losses.const_weight:
        raise SeqimgError(f"{WHERE}.losses.views: a cross-codec pair keeps content through a "
                          f"view both codecs offer (source {source.name}: {offered(source)}; "
                          f"target {target.name}: {offered(target)}), or through the learned f "
                          f"({WHERE}.losses.const_weight above 0)")
    shared_view_shapes(source, target, list(cfg.losses.views), f"{WHERE}.losses.views")
