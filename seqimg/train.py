"""The one training loop, whatever the method: batches from the shards, the device, torchrun
averaging, Ctrl-C, the NaN guard, checkpoints and exact resume. What is learned and how one step
updates it is the method's (:class:`~seqimg.methods.base.TransferMethod`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import torch
from tqdm import tqdm

from seqimg import checkpoint
from seqimg.distributed import World
from seqimg.errors import Interrupted, SeqimgError
from seqimg.interrupt import interrupt_between_steps
from seqimg.methods.base import StepContext, TrainingSide, TransferMethod
from seqimg.settings import TrainConfig


class Trainer:
    """Trains a :class:`~seqimg.methods.base.TransferMethod` on source and target windows,
    shape=(N, C, H, W) each: tensors, or :class:`~seqimg.windows.Windows` read at batch time.

    ``info`` describes the run in checkpoints. Under torchrun ``world`` says which slice of each
    batch this process trains on; gradients are averaged over all.
    """

    def __init__(self, method: TransferMethod, source, target, train: TrainConfig,
                 device: torch.device, seed: int, info: checkpoint.CheckpointInfo | None = None,
                 world: World = World()) -> None:
        if device.type == "cuda" and world.size > 1:  # BatchNorm over the global batch
            method = torch.nn.SyncBatchNorm.convert_sync_batchnorm(method)
        self.method, self.cfg, self.device, self.world = method.to(device), train, device, world
        world.share_weights(self.method)
        method.setup(device)
        self.use_windows(source, target)
        self.info = info
        self.rng = torch.Generator().manual_seed(seed)
        self.step = 0
        self.history: list[dict] = []
        self.autocast = device.type == "cuda" and train.amp

    def use_windows(self, source, target) -> None:
        """Draw batches from these source and target windows (None until a loop needs them);
        small corpora (tensors) live on the GPU whole."""
        on_device = self.device.type == "cuda"
        self.source, self.target = [x.to(self.device) if on_device and torch.is_tensor(x) else x
                                    for x in (source, target)]

    @property
    def total_steps(self) -> int:
        return self.method.pretrain_steps + self.cfg.steps

    def batch(self, images) -> torch.Tensor:
        """This process's slice of a batch drawn with the run's generator."""
        index = torch.randint(len(images), (self.cfg.batch_size,), generator=self.rng)
        return images[self.world.batch_slice(index)].to(self.device, non_blocking=True)

    def train_step(self) -> dict:
        """One step of the method, in training mode. Returns its values as tensors (reading them
        waits for the device, so :meth:`read` does that only when they are logged or a
        checkpoint is due)."""
        self.method.train()
        ctx = StepContext(self.step, self.device, lambda: self.batch(self.source),
                          lambda: self.batch(self.target), self.world, self.autocast)
        out = self.method.step(ctx)
        self.step += 1
        return out

    def read(self, out: dict) -> dict[str, float]:
        """A step's values as numbers, averaged over the processes. Raises ``SeqimgError`` on a
        non-finite one, before anything is checkpointed."""
        stacked = torch.stack([torch.as_tensor(v, dtype=torch.float32, device=self.device)
                               .detach() for v in out.values()])
        self.world.average([stacked])
        values = dict(zip(out, stacked.tolist()))
        bad = [k for k, v in values.items() if not math.isfinite(v)]
        if bad:
            raise SeqimgError(f"step {self.step - 1}: {bad[0]} is {values[bad[0]]}; training "
                              "stopped, the last good checkpoint is kept")
        return values

    def fit(self, checkpoint: Path | None = None, progress: bool = True) -> list[dict]:
        """Train until ``total_steps``, checkpointing every ``checkpoint_every`` steps, at the end
        and when interrupted by Ctrl-C (after the step under way); returns the logged history."""
        bar = tqdm(total=self.total_steps, initial=self.step, disable=not (progress and
                   self.world.main), desc="training", unit="step", dynamic_ncols=True)
        # under torchrun every process must stop at the same step: Ctrl-C stops them at once
        held = interrupt_between_steps() if self.world.size == 1 else nullcontext(lambda: False)
        out = None
        with bar, held as interrupted:
            while self.step < self.total_steps:
                if interrupted():
                    if checkpoint:
                        if out is not None:
                            self.read(out)  # a non-finite loss stops before it is saved
                        self.save(checkpoint)
                    raise Interrupted(self.step if checkpoint else None)
                out = self.train_step()
                last = self.step == self.total_steps
                log = self.step % self.cfg.log_every == 0 or last
                save = checkpoint and (self.step % self.cfg.checkpoint_every == 0 or last)
                if log or save:
                    values = self.read(out)
                if log:
                    self.history.append({"step": self.step, **values})
                    bar.set_postfix({k: f"{v:.3g}" for k, v in values.items()})
                if save:
                    self.save(checkpoint)
                bar.update(1)
        if checkpoint and not checkpoint.exists():  # train.steps 0
            self.save(checkpoint)
        return self.history

    def fit_method(self, source: TrainingSide, target: TrainingSide,
                   windows: Callable[[], tuple], checkpoint: Path | None = None,
                   progress: bool = True, resume_from: Path | None = None) -> None:
        """The method's own :meth:`~seqimg.methods.base.TransferMethod.fit` with this loop as
        its training loop: ``windows()`` (both sides' windows) is called only when the method
        runs the loop, which continues from ``resume_from`` where it exists; a method fitted
        without the loop is saved as it is, over any checkpoint there (fitted again on resume,
        it is what the run then transfers with)."""
        looped = []

        def loop() -> None:
            looped.append(True)
            self.use_windows(*windows())
            if resume_from is not None and resume_from.exists():
                self.load(resume_from)
            self.fit(checkpoint, progress=progress)

        self.method.fit(source, target, loop)
        if checkpoint and not looped:
            self.save(checkpoint)

    def state(self) -> dict:
        """Everything needed to continue exactly."""
        return {
            "weights": self.method.state_dict(),
            "optimisers": {name: opt.state_dict()
                           for name, opt in self.method.optimisers().items()},
            "rng": self.rng.get_state(),
            "step": self.step,
            "history": self.history,
            "world_size": self.world.size,
        }

    def save(self, path: Path) -> None:
        """Write the checkpoint (atomically) with the run's description; under torchrun only
        rank 0 writes."""
        if self.world.main:
            checkpoint.save(path, self.info, self.state())

    def load(self, path: Path) -> None:
        """Continue from a checkpoint written by :meth:`save`."""
        state = checkpoint.load(path).state
        if self.step != 0:
            raise SeqimgError("resume must happen before training starts")
        self.method.before_resume(state["step"])
        self.method.load_state_dict(state["weights"])
        for name, opt in self.method.optimisers().items():
            opt.load_state_dict(state["optimisers"][name])
        self.rng.set_state(state["rng"])
        self.step, self.history = state["step"], state["history"]
