"""Transfer methods: one module per method (``dtn`` first), each a
:class:`~seqimg.methods.base.TransferMethod` registered in the ``seqimg.methods`` group."""

from __future__ import annotations


def make_method(recipe, source, target):
    """The recipe's method, built for the two codecs (weights initialised from torch's global
    generator, which ``seqimg run`` seeds)."""
    from seqimg.registry import lookup

    return lookup("methods", recipe.method.name)(source, target, recipe.method.config)
