"""Transfer methods: one module per method (``dtn`` first), each a
:class:`~seqimg.methods.base.TransferMethod` registered in the ``seqimg.methods`` group."""

from __future__ import annotations


def is_transfer_setting(method: str, key: str) -> bool:
    """Whether the dotted recipe key (``method.t0``) names one of the ``transfer_settings`` of
    the registered method ``method``: a setting that may change after training."""
    from seqimg.registry import lookup

    section, _, setting = key.partition(".")
    return section == "method" and setting in lookup("methods", method).transfer_settings


def make_method(recipe, source, target):
    """The recipe's method, built for the two codecs (weights initialised from torch's global
    generator, which ``seqimg run`` seeds)."""
    from seqimg.registry import lookup

    return lookup("methods", recipe.method.name)(source, target, recipe.method.config)
