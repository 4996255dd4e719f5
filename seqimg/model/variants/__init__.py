"""Named generator and discriminator variants, registered in ``seqimg.registry``.

A generator variant is a function ``(plan, cfg, outputs) -> (f, g)``: ``f(x)`` returns a code
(B, d, 1, 1) and a list of feature maps, ``g(code, features)`` returns unsquashed maps
(B, outputs, H, W) that the DTN turns into G's output (``outputs`` is C, or 2C when G edits). A
discriminator variant is a function ``(plan, cfg, outputs) -> D`` with ``D(x)`` of shape
``(N, outputs)``: one row per judged sample (``N = B`` for a D that judges whole images, ``B``
times the number of regions for a patch D). Plugins add variants through the entry point groups
``seqimg.generators`` and ``seqimg.discriminators``.
"""

# the on/off settings of model that a variant may or may not have; a variant names those it has
SWITCHES = {"generators": ("residual", "skip", "normalise_code"),
            "discriminators": ("spectral_norm",)}


def honours(*switches: str):
    """Mark a variant builder with the :data:`SWITCHES` it has, so that a recipe setting one it
    lacks is refused instead of silently ignored (a builder without the mark is trusted)."""
    def mark(builder):
        builder.honours = switches
        return builder
    return mark
