"""What a cross-codec pair (source and target images of different shapes) must agree on before
anything trains, whatever the method: folds of time with one window length, and an evaluation
that can read both sides. What a method asks besides is its own ``check``."""

from __future__ import annotations

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Viewed, able
from seqimg.errors import SeqimgError

WHERE = "source.codec / target.codec"


def offered(codec: SequenceCodec) -> str:
    return ", ".join(able(codec, Viewed).content_views()) or "none"


def view_shapes(codec: SequenceCodec, names: list[str]) -> dict[str, tuple[int, ...]]:
    """The shape each named view gives for one window of the codec's (silent) frames."""
    import torch

    frames = torch.full((1, codec.layout.window_length, codec.n_features), codec.pad_value)
    views = able(codec, Viewed).content_views()
    return {name: tuple(views[name](frames).shape) for name in names}


def shared_view_shapes(source: SequenceCodec, target: SequenceCodec, names: list[str],
                       where: str) -> dict[str, tuple[int, ...]]:
    """Each named view's shape per window, which must be the same for both codecs (a view of
    the source is compared with, or stands for, the same view of the target); an error naming
    ``where.NAME`` where they differ."""
    theirs, ours = view_shapes(source, names), view_shapes(target, names)
    for name in names:
        if theirs[name] != ours[name]:
            raise SeqimgError(f"{where}.{name}: the source's view is {theirs[name]} per window "
                              f"and the target's {ours[name]}; they must agree")
    return ours


def check_cross_pair(source: SequenceCodec, target: SequenceCodec, recipe) -> None:
    """Refuse, naming the key, a cross-codec pair the model cannot carry."""
    if not (source.layout.folds_time and target.layout.folds_time):
        raise SeqimgError(f"{WHERE}: images {source.layout.image_shape} and "
                          f"{target.layout.image_shape} differ in shape, and a pair of different "
                          "shapes needs both codecs to fold time (not a piano-roll layout)")
    if source.layout.window_length != target.layout.window_length:
        raise SeqimgError(f"{WHERE}: a window holds {source.layout.window_length} source steps "
                          f"but {target.layout.window_length} target steps; a cross-codec pair "
                          "needs one window length (height x width x steps_per_pixel), so that "
                          "the stem refolds whole steps instead of resampling time")
    if recipe.evaluate.enabled and not recipe.evaluate.reference:
        raise SeqimgError("evaluate.reference: evaluating a cross-codec pair needs the source's "
                          "pieces as the target's codec reads them (e.g. {domain: rendered, "
                          "options: {corpus: classical}}), or set evaluate.enabled to false")
    if recipe.evaluate.enabled and recipe.evaluate.controls:
        raise SeqimgError("evaluate.controls: rule-made controls rewrite the source with the "
                          "target's codec, which a cross-codec pair cannot; remove them")
