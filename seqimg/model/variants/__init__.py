"""Named generator and discriminator variants, registered in ``seqimg.registry``.

A generator variant is a function ``(plan, cfg) -> (f, g)``: ``f(x)`` returns a code and a list
of feature maps, ``g(code, features)`` returns an image of the input's shape in [-1, 1]. A
discriminator variant is a function ``(plan, cfg, outputs) -> D`` with ``D(x)`` of shape
``(N, outputs)``: one row per judged sample (``N = B`` for a D that judges whole images, ``B``
times the number of regions for a patch D). Plugins add variants through the entry point groups
``seqimg.generators`` and ``seqimg.discriminators``.
"""
