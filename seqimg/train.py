"""One readable DTN training loop: alternating D and G updates, checkpoints, exact resume."""

from __future__ import annotations

import math
from contextlib import nullcontext
from pathlib import Path

import torch
from tqdm import tqdm

from seqimg import checkpoint
from seqimg.distributed import World
from seqimg.errors import SeqimgError
from seqimg.interrupt import interrupt_between_steps
from seqimg.losses import StepTensors, adversarial_loss, generator_terms
from seqimg.model.blocks import xavier_init
from seqimg.model.core import DTN
from seqimg.settings import LossConfig, TrainConfig
from seqimg.views import CodecReaders


def resolve_device(name: str) -> torch.device:
    """'auto' picks CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise SeqimgError(f"device {name!r}: CUDA is not available on this machine")
    return torch.device(name)


class Trainer:
    """Trains a :class:`DTN` on source and target windows, shape=(N, C, H, W) each: tensors, or
    :class:`~seqimg.windows.Windows` read at batch time.

    ``readers`` are what it reads through the codecs: G's output snapped as the target's real
    images look (shown to D when ``train.straight_through``), content views for L_VIEWS, batch
    statistics for L_MATCH; ``info`` describes the run in checkpoints. Under torchrun ``world``
    says which slice of each batch this process trains on; gradients are averaged over all.
    """

    def __init__(self, model: DTN, source, target, train: TrainConfig, losses: LossConfig,
                 device: torch.device, seed: int, info: checkpoint.CheckpointInfo | None = None,
                 readers: CodecReaders = CodecReaders(), world: World = World()) -> None:
        if device.type == "cuda" and world.size > 1:  # BatchNorm over the global batch
            model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        self.model, self.cfg, self.device, self.world = model.to(device), train, device, world
        world.share_weights(self.model)
        on_device = device.type == "cuda"  # small corpora (tensors) live on the GPU whole
        self.source, self.target = [x.to(device) if on_device and torch.is_tensor(x) else x
                                    for x in (source, target)]
        self.info = info
        self.snap, self.views, self.match = readers.snap, readers.views, readers.match
        for key in ("views", "match"):
            if getattr(losses, key) and getattr(readers, key) is None:
                raise SeqimgError(f"losses.{key}: the trainer was given no codec to read from")
        self.adversarial = adversarial_loss(losses)
        self.terms = generator_terms(losses, self.adversarial)
        self.const_updates_f = losses.const_updates_f
        if train.straight_through and self.snap is None:
            raise SeqimgError("train.straight_through: the trainer was given no target codec "
                              "levels to snap G's output to")
        self.rng = torch.Generator().manual_seed(seed)
        lr_d = train.lr_d or train.lr
        adam = {"betas": (train.beta1, 0.999), "fused": True if on_device else None}
        self.opt_d = torch.optim.Adam(model.d.parameters(), lr=lr_d, **adam)
        self.opt_g = torch.optim.Adam(model.generator_parameters(), lr=train.lr, **adam)
        if model.cfg.f_mode == "pretrained" and not train.pretrain_steps:
            raise SeqimgError("model.f_mode 'pretrained' needs train.pretrain_steps > 0")
        # the domain head exists only to pretrain f as a classifier; G and D never use it
        self.domain_head = torch.nn.Linear(model.cfg.code_dim, 1).to(device)
        pretrained = model.g if train.pretrain_task == "autoencoder" else self.domain_head
        self.opt_ae = torch.optim.Adam([*model.f.parameters(), *pretrained.parameters()],
                                       lr=train.lr, **adam)
        if train.compile:
            for net in (model.f, model.g, model.d):
                net.compile()
        self.step = 0
        self.history: list[dict] = []
        self.autocast = device.type == "cuda" and train.amp

    @property
    def total_steps(self) -> int:
        return self.cfg.pretrain_steps + self.cfg.steps

    def batch(self, images) -> torch.Tensor:
        """This process's slice of a batch drawn with the run's generator."""
        index = torch.randint(len(images), (self.cfg.batch_size,), generator=self.rng)
        return images[self.world.batch_slice(index)].to(self.device, non_blocking=True)

    def update(self, optimiser: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        """Backward, gradients averaged over the processes, one optimiser step."""
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.world.average(p.grad for group in optimiser.param_groups for p in group["params"]
                           if p.grad is not None)
        optimiser.step()

    def for_d(self, x: torch.Tensor) -> torch.Tensor:
        return self.snap(x) if self.cfg.straight_through else x

    def pretrain_step(self) -> dict:
        """Pretraining f on both domains: min ||g(f(x)) - x||^2 (autoencoder), or the binary
        cross-entropy of a linear head on f's code telling target (1) from source (0)."""
        x = torch.cat([self.batch(self.source), self.batch(self.target)])
        with torch.autocast(self.device.type, torch.bfloat16, enabled=self.autocast):
            if self.cfg.pretrain_task == "autoencoder":
                name, loss = "L_AE", torch.nn.functional.mse_loss(self.model(x).float(), x)
            else:
                logits = self.domain_head(self.model.f(x)[0].flatten(1)).float()[:, 0]
                labels = torch.arange(len(x), device=self.device) >= len(x) // 2
                name = "L_F_CLASSIFIER"
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits,
                                                                            labels.float())
        self.update(self.opt_ae, loss)
        return {name: loss}

    def freeze_f(self) -> None:
        """End of pretraining: f stops learning; g restarts unless it keeps the pretrained one."""
        self.model.f.requires_grad_(False)
        if not self.cfg.init_g_from_pretrain:
            xavier_init(self.model.g)

    def d_step(self) -> dict:
        m = self.model
        s, t = self.batch(self.source), self.batch(self.target)
        with torch.autocast(self.device.type, torch.bfloat16, enabled=self.autocast):
            with torch.no_grad():
                g_s, g_t = m.transfer(s), m(t)
            d_real, d_gs, d_gt = m.d(t), m.d(self.for_d(g_s)), m.d(self.for_d(g_t))
            loss = self.adversarial.discriminator(d_real.float(), d_gs.float(), d_gt.float())
        self.update(self.opt_d, loss)
        return {"L_D": loss, "d_acc_real": self.adversarial.accuracy(d_real, True),
                "d_acc_fake": self.adversarial.accuracy(d_gs, False)}

    def g_step(self) -> dict:
        m = self.model
        s, t = self.batch(self.source), self.batch(self.target)
        with torch.autocast(self.device.type, torch.bfloat16, enabled=self.autocast):
            g_s, code_s, feats_s = m.translate(s, source=True)
            g_t = m(t)
            code_gs, feats_gs = self.f_of_output(g_s)
            x = StepTensors(s, t, g_s.float(), g_t.float(), code_s.float(), code_gs.float(),
                            m.d(self.for_d(g_s)).float(), m.d(self.for_d(g_t)).float(),
                            feats_s, feats_gs, **self.codec_signals(s, t, g_s))
            parts = {f"L_{name.upper()}": loss(x) for name, _, loss in self.terms}
            total = sum(w * parts[f"L_{name.upper()}"] for name, w, _ in self.terms)
        self.update(self.opt_g, total)
        code_norm = code_s.detach().float().flatten(1).norm(dim=1).mean()
        return {**parts, "L_G": total, "code_norm": code_norm}

    def codec_signals(self, s: torch.Tensor, t: torch.Tensor, g_s: torch.Tensor) -> dict:
        """What L_VIEWS and L_MATCH read through the codecs: content views of s and of G(s),
        batch statistics of G(s) and of t; G(s) snapped as D sees it when there are levels."""
        if self.views is None and self.match is None:
            return {}
        snapped = (self.snap(g_s) if self.snap else g_s).float()
        out = {}
        if self.views is not None:
            read_source, read_target = self.views
            out.update(views_source=read_source(s.float()), views_g_source=read_target(snapped))
        if self.match is not None:
            out.update(match_g_source=self.match(snapped), match_target=self.match(t.float()))
        return out

    def f_of_output(self, g_s: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """f(G(s)); with ``const_updates_f`` off, f's weights are detached here, so L_CONST's
        gradient reaches g through f but never moves f itself."""
        if self.const_updates_f:
            return self.model.f(g_s)
        frozen = {name: p.detach() for name, p in self.model.f.named_parameters()}
        return torch.func.functional_call(self.model.f, frozen, (g_s,))

    def train_step(self) -> dict:
        """One step: an autoencoder step while pretraining, else d_steps D updates and one G
        update. Returns its losses and signals as tensors (reading them waits for the device,
        so :meth:`read` does that only when they are logged or a checkpoint is due)."""
        self.model.train()
        if self.step < self.cfg.pretrain_steps:
            out = self.pretrain_step()
        else:
            if self.cfg.pretrain_steps:
                self.model.f.eval()  # frozen f keeps its BatchNorm statistics
            out = {}
            for _ in range(self.cfg.d_steps):
                out.update(self.d_step())
            out.update(self.g_step())
        self.step += 1
        if self.step == self.cfg.pretrain_steps:
            self.freeze_f()
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
                    raise KeyboardInterrupt
                out = self.train_step()
                last = self.step == self.total_steps
                log = self.step % self.cfg.log_every == 0 or last
                save = checkpoint and (self.step % self.cfg.checkpoint_every == 0 or last)
                if log or save:
                    values = self.read(out)
                if log:
                    self.history.append({"step": self.step, **values})
                    bar.set_postfix({k: f"{v:.3g}" for k, v in values.items()
                                     if k in ("L_D", "L_GAN_G", "L_CONST", "L_TID", "L_AE",
                                              "L_F_CLASSIFIER")})
                if save:
                    self.save(checkpoint)
                bar.update(1)
        return self.history

    def state(self) -> dict:
        """Everything needed to continue exactly."""
        return {
            "model": self.model.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_ae": self.opt_ae.state_dict(),
            "domain_head": self.domain_head.state_dict(),
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
        if state["step"] >= self.cfg.pretrain_steps and self.cfg.pretrain_steps:
            self.freeze_f()
        self.model.load_state_dict(state["model"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_ae.load_state_dict(state["opt_ae"])
        self.domain_head.load_state_dict(state["domain_head"])
        self.rng.set_state(state["rng"])
        self.step, self.history = state["step"], state["history"]
