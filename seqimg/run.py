"""``seqimg run``: data, training, transfer of held-out pieces and evaluation into a run folder."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import torch
import yaml

import seqimg
from seqimg.data import DomainData, prepare_side, training_images
from seqimg.errors import SeqimgError
from seqimg.io import write_text
from seqimg.model import DTN
from seqimg.recipe import Recipe, load_recipe, recipe_dict
from seqimg.train import Trainer, resolve_device
from seqimg.transfer import TrainedPair, transfer_files

log = logging.getLogger(__name__)


def codec_entry(domain: DomainData) -> dict:
    codec = domain.codec
    return {"name": codec.name, "config": codec.config_dict(), "state": codec.state()}


def checkpoint_meta(recipe: Recipe, source: DomainData, target: DomainData, shape) -> dict:
    """What a checkpoint needs besides weights to rebuild everything."""
    return {
        "recipe": recipe_dict(recipe),
        "codecs": {"source": codec_entry(source), "target": codec_entry(target)},
        "shape": list(shape),
        "model_config": recipe_dict(recipe)["model"],
        "version": seqimg.__version__,
    }


def prepare_out_dir(out: Path, resume: bool) -> Path:
    """Create the run folder; refuse to overwrite a trained run unless resuming."""
    checkpoint = out / "checkpoints" / "last.pt"
    if checkpoint.exists() and not resume:
        raise SeqimgError(f"{out}: holds a trained run; pass --resume to continue it or choose "
                          "another --out")
    if resume and not checkpoint.exists():
        raise SeqimgError(f"{checkpoint}: nothing to resume")
    for sub in ("checkpoints", "transferred", "figures"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    return checkpoint


def run(recipe_path: Path, out: Path, overrides: list[str] | None = None,
        resume: bool = False, progress: bool = True) -> Path:
    """The whole job of a recipe; returns the run folder."""
    recipe = load_recipe(recipe_path, overrides)
    checkpoint = prepare_out_dir(out, resume)
    write_text(out / "config.yaml", yaml.safe_dump(recipe_dict(recipe), sort_keys=False))
    torch.manual_seed(recipe.seed)
    np.random.seed(recipe.seed)
    device = resolve_device(recipe.device)

    source = prepare_side(recipe.source, recipe.data, recipe.seed, "source")
    target = prepare_side(recipe.target, recipe.data, recipe.seed, "target")
    if source.codec.image_shape != target.codec.image_shape:
        raise SeqimgError(f"source images {source.codec.image_shape} and target images "
                          f"{target.codec.image_shape} differ in shape; align the codecs' folds")
    src_images = training_images(source, recipe.data, "source")
    tgt_images = training_images(target, recipe.data, "target")
    log.info("training on %d source and %d target windows of shape %s, device %s",
             len(src_images), len(tgt_images), source.codec.image_shape, device)
    write_text(out / "split.json", json.dumps({
        "source": {"train": [str(p) for p in source.train],
                   "heldout": [str(p) for p in source.heldout]},
        "target": {"train": [str(p) for p in target.train],
                   "heldout": [str(p) for p in target.heldout]},
        "windows": {"source": len(src_images), "target": len(tgt_images)},
    }, indent=2))

    model = DTN(source.codec.image_shape, recipe.model)
    meta = checkpoint_meta(recipe, source, target, source.codec.image_shape)
    trainer = Trainer(model, torch.from_numpy(src_images), torch.from_numpy(tgt_images),
                      recipe.train, recipe.losses, device, recipe.seed, meta)
    if resume:
        trainer.load(checkpoint)
    trainer.fit(checkpoint, progress=progress)

    pair = TrainedPair(model.eval(), source.codec, target.codec, trainer.history)
    skipped = transfer_files(pair, source.heldout, out / "transferred")
    write_text(out / "skipped.json", json.dumps(
        {"source": {**source.skipped, **skipped}, "target": target.skipped}, indent=2))
    if recipe.evaluate.enabled:
        from seqimg.evaluate import evaluate_run

        evaluate_run(out, progress=progress)
    return out
