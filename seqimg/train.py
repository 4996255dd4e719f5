"""One readable DTN training loop: alternating D and G updates, checkpoints, exact resume."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from seqimg.errors import SeqimgError, one_line
from seqimg.io import atomic_path
from seqimg.losses import LossConfig, StepTensors, discriminator_loss, generator_terms
from seqimg.model import DTN
from seqimg.model.blocks import xavier_init


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings. ``pretrain_steps`` first trains f on both domains, as an
    autoencoder with g or as a source/target classifier (``pretrain_task``), before f is frozen
    (f_mode 'pretrained'); ``straight_through`` shows D sign(G(x)) with
    straight-through gradients, for codecs whose real images are hard +/-1 maps."""

    steps: int = 2000
    batch_size: int = 128
    lr: float = 3e-4
    lr_d: float | None = None
    d_steps: int = 1
    beta1: float = 0.5
    label_smoothing: float = 0.0
    straight_through: bool = False
    straight_through_levels: tuple[float, ...] = (-1.0, 1.0)  # the values real images take
    pretrain_steps: int = 0
    pretrain_task: str = "autoencoder"  # or "classifier" (f's code -> source or target)
    init_g_from_pretrain: bool = True
    checkpoint_every: int = 500
    log_every: int = 10
    amp: bool = True


def resolve_device(name: str) -> torch.device:
    """'auto' picks CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise SeqimgError(f"device {name!r}: CUDA is not available on this machine")
    return torch.device(name)


def straight_through_quantise(x: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
    """The nearest of ``levels`` forward (sign(x) for levels -1, 1), identity backward."""
    nearest = levels[(x.unsqueeze(-1) - levels).abs().argmin(-1)]
    return x + (nearest - x).detach()


def accuracy(logits: torch.Tensor, real: bool, label: int) -> float:
    """Share of D's decisions that are right: binary by sign, ternary by argmax class."""
    if logits.shape[1] == 3:
        return (logits.argmax(1) == label).float().mean().item()
    return ((logits[:, 0] > 0) == real).float().mean().item()


class Trainer:
    """Trains a :class:`DTN` on source and target image tensors, shape=(N, C, H, W) each."""

    def __init__(self, model: DTN, source: torch.Tensor, target: torch.Tensor,
                 train: TrainConfig, losses: LossConfig, device: torch.device, seed: int,
                 meta: dict | None = None) -> None:
        self.model, self.cfg, self.device = model.to(device), train, device
        self.source, self.target = source, target
        self.meta = meta or {}
        self.terms = generator_terms(losses)
        self.const_updates_f = losses.const_updates_f
        self.real_label = 1.0 - train.label_smoothing
        self.levels = torch.tensor(sorted(train.straight_through_levels), device=device)
        self.rng = torch.Generator().manual_seed(seed)
        lr_d = train.lr_d or train.lr
        betas = (train.beta1, 0.999)
        self.opt_d = torch.optim.Adam(model.d.parameters(), lr=lr_d, betas=betas)
        self.opt_g = torch.optim.Adam(model.generator_parameters(), lr=train.lr, betas=betas)
        if model.cfg.f_mode == "pretrained" and not train.pretrain_steps:
            raise SeqimgError("model.f_mode 'pretrained' needs train.pretrain_steps > 0")
        if train.pretrain_task not in ("autoencoder", "classifier"):
            raise SeqimgError(f"train.pretrain_task: expected autoencoder or classifier, got "
                              f"{train.pretrain_task!r}")
        # the domain head exists only to pretrain f as a classifier; G and D never use it
        self.domain_head = torch.nn.Linear(model.cfg.code_dim, 1).to(device)
        pretrained = model.g if train.pretrain_task == "autoencoder" else self.domain_head
        self.opt_ae = torch.optim.Adam([*model.f.parameters(), *pretrained.parameters()],
                                       lr=train.lr, betas=betas)
        self.step = 0
        self.history: list[dict] = []
        self.autocast = device.type == "cuda" and train.amp

    @property
    def total_steps(self) -> int:
        return self.cfg.pretrain_steps + self.cfg.steps

    def batch(self, images: torch.Tensor) -> torch.Tensor:
        index = torch.randint(len(images), (self.cfg.batch_size,), generator=self.rng)
        return images[index].to(self.device, non_blocking=True)

    def for_d(self, x: torch.Tensor) -> torch.Tensor:
        return straight_through_quantise(x, self.levels) if self.cfg.straight_through else x

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
        self.opt_ae.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_ae.step()
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
                g_s, g_t = m(s), m(t)
            d_real, d_gs, d_gt = m.d(t), m.d(self.for_d(g_s)), m.d(self.for_d(g_t))
            loss = discriminator_loss(d_real.float(), d_gs.float(), d_gt.float(), self.real_label)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return {"L_D": loss, "d_acc_real": accuracy(d_real, True, 2),
                "d_acc_fake": accuracy(d_gs, False, 0)}

    def g_step(self) -> dict:
        m = self.model
        s, t = self.batch(self.source), self.batch(self.target)
        with torch.autocast(self.device.type, torch.bfloat16, enabled=self.autocast):
            code_s, feats_s = m.f(s)
            g_s = m.g(code_s, feats_s)
            g_t = m(t)
            code_gs, feats_gs = self.f_of_output(g_s)
            x = StepTensors(s, t, g_s.float(), g_t.float(), code_s.float(), code_gs.float(),
                            m.d(self.for_d(g_s)).float(), m.d(self.for_d(g_t)).float(),
                            feats_s, feats_gs)
            parts = {f"L_{name.upper()}": loss(x) for name, _, loss in self.terms}
            total = sum(w * parts[f"L_{name.upper()}"] for name, w, _ in self.terms)
        self.opt_g.zero_grad(set_to_none=True)
        total.backward()
        self.opt_g.step()
        code_norm = code_s.detach().float().flatten(1).norm(dim=1).mean()
        return {**parts, "L_G": total, "code_norm": code_norm}

    def f_of_output(self, g_s: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """f(G(s)); with ``const_updates_f`` off, f's weights are detached here, so L_CONST's
        gradient reaches g through f but never moves f itself."""
        if self.const_updates_f:
            return self.model.f(g_s)
        frozen = {name: p.detach() for name, p in self.model.f.named_parameters()}
        return torch.func.functional_call(self.model.f, frozen, (g_s,))

    def train_step(self) -> dict:
        """One step: an autoencoder step while pretraining, else d_steps D updates and one G
        update. Raises ``SeqimgError`` on a non-finite loss."""
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
        values = {k: float(v.detach()) if torch.is_tensor(v) else float(v) for k, v in out.items()}
        bad = [k for k, v in values.items() if not math.isfinite(v)]
        if bad:
            raise SeqimgError(f"step {self.step}: {bad[0]} is {values[bad[0]]}; training stopped, "
                              "the last good checkpoint is kept")
        self.step += 1
        if self.step == self.cfg.pretrain_steps:
            self.freeze_f()
        return values

    def fit(self, checkpoint: Path | None = None, progress: bool = True) -> list[dict]:
        """Train until ``total_steps``, checkpointing every ``checkpoint_every`` steps and at the
        end; returns the logged history."""
        bar = tqdm(total=self.total_steps, initial=self.step, disable=not progress,
                   desc="training", unit="step", dynamic_ncols=True)
        with bar:
            while self.step < self.total_steps:
                values = self.train_step()
                if self.step % self.cfg.log_every == 0 or self.step == self.total_steps:
                    self.history.append({"step": self.step, **values})
                    bar.set_postfix({k: f"{v:.3g}" for k, v in values.items()
                                     if k in ("L_D", "L_GAN_G", "L_CONST", "L_TID", "L_AE",
                                              "L_F_CLASSIFIER")})
                if checkpoint and (self.step % self.cfg.checkpoint_every == 0
                                   or self.step == self.total_steps):
                    self.save(checkpoint)
                bar.update(1)
        return self.history

    def state(self) -> dict:
        """Everything needed to continue exactly, plus the caller's description (meta)."""
        return {
            **self.meta,
            "model": self.model.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_ae": self.opt_ae.state_dict(),
            "domain_head": self.domain_head.state_dict(),
            "rng": self.rng.get_state(),
            "step": self.step,
            "history": self.history,
        }

    def save(self, path: Path) -> None:
        """Write the checkpoint atomically (temporary file, then rename)."""
        with atomic_path(path) as tmp:
            torch.save(self.state(), tmp)

    def load(self, path: Path) -> None:
        """Continue from a checkpoint written by :meth:`save`."""
        state = load_checkpoint(path)
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


def load_checkpoint(path: Path) -> dict:
    """Load a checkpoint with ``weights_only=True``; a clear error for a bad file."""
    path = Path(path)
    if not path.is_file():
        raise SeqimgError(f"{path}: no such checkpoint")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for foreign or damaged files
        raise SeqimgError(f"{path}: not a seqimg checkpoint ({one_line(exc)[:200]})"
                          ) from None
