"""``seqimg run``: data, training, transfer of held-out pieces and evaluation into a run folder."""

from __future__ import annotations

import dataclasses
import logging
import os
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
import yaml

from seqimg import distributed
from seqimg.checkpoint import CheckpointInfo
from seqimg.codecs.capabilities import Fitted, able
from seqimg.data import DomainData, check_folders, prepare_side
from seqimg.distributed import resolve_device
from seqimg.errors import SeqimgError
from seqimg.io import check_writable, write_text
from seqimg.methods import make_method
from seqimg.pipeline import PieceTransfer
from seqimg.recipe import Recipe, load_recipe, recipe_dict
from seqimg.runfiles import RunFolder, read_skips, read_split, write_skips, write_split
from seqimg.runlock import run_lock
from seqimg.text import plural
from seqimg.train import Trainer

log = logging.getLogger(__name__)


def checkpoint_info(recipe: Recipe, source: DomainData, target: DomainData) -> CheckpointInfo:
    """What a checkpoint needs besides weights to rebuild everything."""
    return CheckpointInfo(recipe_dict(recipe),
                          {"source": able(source.codec, Fitted).state(),
                           "target": able(target.codec, Fitted).state()},
                          source.codec.layout.image_shape,
                          codec_classes={side: f"{type(d.codec).__module__}:"
                                         f"{type(d.codec).__qualname__}"
                                         for side, d in (("source", source), ("target", target))})


def check_out_dir(out: Path, resume: bool) -> Path:
    """The checkpoint path of the run folder; refuse to overwrite a trained run unless
    resuming. Resuming a run stopped before its first checkpoint starts it again."""
    checkpoint = RunFolder(out).checkpoint
    if checkpoint.exists() and not resume:
        raise SeqimgError(f"{out}: holds a trained run; pass --resume to continue it or choose "
                          "another --out")
    if resume and not checkpoint.exists():
        log.info("%s: no checkpoint yet; the run starts from the beginning", out)
    return checkpoint


def record_split(out: Path, source: DomainData, target: DomainData, windows: dict) -> None:
    """``split.json``: each side's training and held-out files, its held-out twins and, once
    the loop has built them, its training windows."""
    write_split(out, {"source": (source.train, source.heldout),
                      "target": (target.train, target.heldout)},
                windows, {"source": source.twins, "target": target.twins})


def training_windows_of(source: DomainData, target: DomainData, world: distributed.World,
                        device: torch.device) -> tuple:
    """Both sides' training windows, and a line in the log that says how many."""
    windows = source.windows(), target.windows()
    shapes = (source.codec.layout.image_shape, target.codec.layout.image_shape)
    shape = str(shapes[0]) if shapes[0] == shapes[1] else f"{shapes[0]} -> {shapes[1]}"
    log.info("training on %d source and %d target windows of shape %s, device %s, %d "
             "process(es)", *map(len, windows), shape, device, world.size)
    return windows


def run(recipe_path: Path | Recipe, out: Path, overrides: list[str] | None = None,
        resume: bool = False, progress: bool = True) -> Path:
    """The whole job of a recipe (a path with ``overrides``, or one already loaded, which is
    not built again); returns the run folder. A bad recipe or an unusable domain fails before
    the run folder is created. Under torchrun every process trains on its slice of each batch
    and rank 0 alone writes the run folder (and holds it against a second run)."""
    recipe = (recipe_path if isinstance(recipe_path, Recipe)
              else load_recipe(recipe_path, overrides))
    with run_lock(out) if os.environ.get("RANK", "0") == "0" else nullcontext():
        return train_and_report(recipe, out, resume, progress)


def train_and_report(recipe: Recipe, out: Path, resume: bool, progress: bool) -> Path:
    """What :func:`run` does once the folder is held: data, training, transfer, evaluation."""
    checkpoint = check_out_dir(out, resume)
    check_writable(out, "the run folder")
    listed = check_folders(recipe)
    torch.manual_seed(recipe.seed)
    np.random.seed(recipe.seed)
    device = resolve_device(recipe.device)
    world = distributed.start(device, recipe.train.batch_size)
    device = world.device(device)

    if not world.main:
        world.barrier()  # rank 0 encodes what the cache lacks; the others then read it
    source = prepare_side(recipe.source, recipe.data, recipe.seed, "source",
                          listed.get("source"))
    target = prepare_side(recipe.target, recipe.data, recipe.seed, "target",
                          listed.get("target"))
    for side in (source, target):
        side.prepare()  # every training file read once, and a side with none readable refused
    if world.main:
        world.barrier()
        write_text(RunFolder(out).make().config,
                   yaml.safe_dump(recipe_dict(recipe), sort_keys=False))
        record_split(out, source, target, {})

    method = make_method(recipe, source.codec, target.codec)
    trainer = Trainer(method, None, None, recipe.train, device, recipe.seed,
                      checkpoint_info(recipe, source, target), world)

    def windows() -> tuple:
        built = training_windows_of(source, target, world, device)
        if world.main:
            record_split(out, source, target, {"source": len(built[0]),
                                               "target": len(built[1])})
        return built

    trainer.fit_method(source, target, windows, checkpoint, progress,
                       checkpoint if resume else None)
    distributed.stop(world)
    if not world.main:
        return out

    pair = PieceTransfer(trainer.method.eval(), source.codec, target.codec, trainer.history,
                         world.size, recipe.evaluate.window)
    log.info("transferring %s", plural(len(source.heldout), "held-out piece"))
    skipped = pair.files(source.heldout, RunFolder(out).transferred)
    write_skips(out, {"source": {**source.skipped, **skipped}, "target": target.skipped})
    if recipe.evaluate.enabled:
        from seqimg.evaluate.pipeline import evaluate_run

        evaluate_run(out, progress=progress, pair=pair, recipe=recipe)
    return out


def retransfer(recipe_path: Path | Recipe, out: Path, overrides: list[str], trained: Path,
               progress: bool = True) -> Path:
    """A run folder for ``recipe_path`` with ``overrides`` that differ from the run in
    ``trained`` only in the method's transfer-time settings: its weights are reused (the
    checkpoint is written again with the new recipe), the held-out pieces transferred again and
    evaluated. What a sweep over t0 or guidance does instead of training once per point. A
    recipe already loaded is taken as it is (``overrides`` then unused)."""
    from seqimg import checkpoint as checkpoints
    from seqimg.pipeline import load_transfer
    from seqimg.registry import lookup

    recipe = (recipe_path if isinstance(recipe_path, Recipe)
              else load_recipe(recipe_path, overrides))
    earlier, folder = RunFolder(trained), RunFolder(out)
    loaded = checkpoints.load(earlier.checkpoint)
    before = load_recipe(earlier.config, written=True)
    method = recipe.method
    allowed = set(lookup("methods", method.name).transfer_settings)
    changed = {f.name for f in dataclasses.fields(method.config)
               if getattr(method.config, f.name) != getattr(before.method.config, f.name)}
    if dataclasses.replace(recipe, method=before.method) != before or not changed <= allowed:
        raise SeqimgError(f"{out}: differs from {trained} in more than the method's transfer "
                          f"settings ({', '.join(sorted(allowed)) or 'none'}); train it instead")
    check_writable(out, "the run folder")
    folder.make()
    info = dataclasses.replace(loaded.described(), recipe=recipe_dict(recipe))
    checkpoints.save(folder.checkpoint, info, loaded.state)
    write_text(folder.config, yaml.safe_dump(recipe_dict(recipe), sort_keys=False))
    write_text(folder.split, earlier.split.read_text())
    pair = load_transfer(folder.checkpoint)
    heldout = read_split(trained)["source"]["heldout"]
    skipped = pair.files([Path(p) for p in heldout], folder.transferred)
    skipped_before = read_skips(trained)
    write_skips(out, {"source": {**skipped_before.get("source", {}), **skipped},
                      "target": skipped_before.get("target", {})})
    from seqimg.evaluate.pipeline import evaluate_run

    evaluate_run(out, progress=progress, pair=pair, recipe=recipe)
    return out
