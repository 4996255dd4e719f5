"""What ``seqimg receptive-field`` computes: from fold options, a recipe or a checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from seqimg.analysis import figures
from seqimg.analysis.receptive_field import analyse, effective_field, encoder_like, geometry_of
from seqimg.errors import SeqimgError
from seqimg.fold import FoldSpec
from seqimg.io import write_text


def fold_of(codec) -> FoldSpec:
    if not codec.layout.folds_time:
        raise SeqimgError(f"the {codec.name!r} codec's images {codec.layout.image_shape} are not "
                          "a fold of time (e.g. a piano-roll layout); the analysis needs a fold")
    return codec.layout.spec


def model_layers(method, shape, fold: FoldSpec, limit: int | None) -> dict:
    """Each network the method offers for analysis (the DTN: f and D), layer by layer."""
    networks = method.networks()
    if not networks:
        raise SeqimgError(f"the {type(method).__name__} method offers no convolutional network "
                          "to analyse")
    return {name: analyse(geometry_of(net, shape)[:limit], fold)
            for name, net in networks.items()}


def receptive_field_report(recipe: Path | None, checkpoint: Path | None, height: int, width: int,
                           steps: int, kernel: int, layers: int | None, data: list | None,
                           out: Path | None) -> dict:
    """Per-layer offsets for an f-like stack, a recipe's f and D, or a checkpoint's (with the
    effective field); writes rf.json and figures to ``out`` when given."""
    if recipe and checkpoint:
        raise SeqimgError("give --recipe or --checkpoint, not both")
    erf = None
    if checkpoint:
        from seqimg.pipeline import load_transfer

        pair = load_transfer(checkpoint)
        if pair.cross:
            raise SeqimgError(f"{checkpoint}: a cross-codec pair; the receptive field of a "
                              "trained model is measured for pairs of one image shape only")
        fold = fold_of(pair.source)
        result = model_layers(pair.method, pair.source.layout.image_shape, fold, layers)
        erf = checkpoint_field(pair, fold, data)
    elif recipe:
        from seqimg.data import codec_for
        from seqimg.methods import make_method
        from seqimg.recipe import load_recipe

        loaded = load_recipe(recipe)
        codec = codec_for(loaded.target)  # the networks work on the target's images
        fold = fold_of(codec)
        method = make_method(loaded, codec_for(loaded.source), codec)
        result = model_layers(method, codec.layout.image_shape, fold, layers)
    else:
        fold = FoldSpec(height, width, steps)
        depth = layers or max(1, (min(height, width) - 1).bit_length())
        result = {"layers": analyse(encoder_like(depth, kernel), fold)}
    result["fold"] = {"height": fold.height, "width": fold.width,
                      "steps_per_pixel": fold.steps_per_pixel}
    if out:
        write_outputs(result, erf, out)
    return result


def checkpoint_field(pair, fold: FoldSpec, data: list | None) -> tuple | None:
    """Effective field of f's last stride-2 stage on source windows (or random ones); None for
    a method without an f."""
    f = pair.method.networks().get("f")
    if f is None:
        return None
    if data:
        images = torch.cat([torch.from_numpy(pair.source.encode(p).images) for p in data])
    else:
        images = torch.rand(32, *pair.source.layout.image_shape, generator=torch.Generator()
                            .manual_seed(0)) * 2 - 1
    index = len(geometry_of(f, pair.source.layout.image_shape)) - 2
    return effective_field(f, index, images, fold)


def write_outputs(result: dict, erf, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "rf.json", json.dumps(result, indent=1))
    fold = result["fold"]
    label = f"H={fold['height']} W={fold['width']} k={fold['steps_per_pixel']}"
    for name in result:
        if name != "fold":
            figures.offset_masks(result[name], out / f"offsets_{name}.png", f"{name}, {label}")
    if erf is not None:
        figures.effective_field_plot(*erf, out / "effective_field.png",
                                     f"effective field of f's last stage, {label}")
