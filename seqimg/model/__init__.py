"""The transfer model: ``G = g(f(x))`` and ``D`` from named variants (``seqimg.model.core``).

Importing this package imports nothing heavy; the networks live in its submodules.
"""
