"""The Domain Transfer Network as a method: G = g(f(x)) against D, alternating D and G updates,
optionally after pretraining f (Taigman et al.; the seed paper's variant is model ``seed``)."""

from __future__ import annotations

import dataclasses
from functools import partial

import torch

from seqimg.codecs.base import SequenceCodec
from seqimg.errors import SeqimgError
from seqimg.methods.base import Signal, StepContext, TransferMethod
from seqimg.methods.dtn.checks import (
    WHERE,
    check_cross_dtn,
    check_model_and_losses,
    resolve_extra_losses,
)
from seqimg.methods.dtn.config import DtnConfig, ExtraLoss
from seqimg.methods.dtn.losses import (
    ConstancyLoss,
    SourceKeepLoss,
    StepTensors,
    TargetIdentityLoss,
    TargetMatchLoss,
    TotalVariationLoss,
    ViewConstancyLoss,
    adversarial_loss,
)
from seqimg.methods.dtn.readers import codec_readers
from seqimg.model.blocks import xavier_init
from seqimg.model.core import DTN
from seqimg.model.stem import stem_spec


class DtnMethod(TransferMethod):
    """f, g and D for the target's images (a stem carries a cross-codec pair's source images to
    them); L_D trains D, L_G = L_GANG + a L_CONST + b L_TID + c L_TV + k L_KEEP + L_VIEWS +
    L_MATCH + user terms trains G."""

    config_class = DtnConfig
    description = "Domain Transfer Network: G = g(f(x)) trained against a discriminator D"

    def __init__(self, source: SequenceCodec, target: SequenceCodec, cfg: DtnConfig) -> None:
        super().__init__(source, target, cfg)
        self.adversarial = adversarial_loss(cfg.losses)
        self.model = DTN(target.layout.image_shape, cfg.model, self.adversarial.outputs,
                         stem_spec(source, target))
        if cfg.train.pretrain_steps and cfg.train.pretrain_task == "classifier":
            # only to pretrain f as a classifier; G and D never use it
            self.domain_head = torch.nn.Linear(cfg.model.code_dim, 1)
        readers = codec_readers(source, target, cfg.losses, cfg.train.straight_through, WHERE)
        self.snap, self.views, self.match = readers.snap, readers.views, readers.match
        losses = cfg.losses
        self.const = ConstancyLoss(losses.const_distance, losses.const_detach_target,
                                   losses.const_features)
        self.tid = TargetIdentityLoss(losses.tid_distance)
        self.tv = TotalVariationLoss(losses.tv_exponent)
        self.keep = SourceKeepLoss(losses.keep_distance)
        self.view_loss = ViewConstancyLoss(losses.views, losses.views_distance)
        self.match_loss = TargetMatchLoss(losses.match)
        self.extra = {name: self.extra_loss(name, spec) for name, spec in losses.extra.items()}

    @staticmethod
    def extra_loss(name: str, spec: ExtraLoss):
        from seqimg.registry import loss_class

        return loss_class(name)(**spec.settings)

    # --- recipe-time checks ----------------------------------------------------------------
    @classmethod
    def configure(cls, raw: dict | None, where: str) -> DtnConfig:
        cfg = super().configure(raw, where)
        cfg = dataclasses.replace(cfg, losses=resolve_extra_losses(cfg.losses, f"{where}.losses"))
        check_model_and_losses(cfg.model, cfg.losses, where)
        if cfg.model.f_mode == "pretrained" and not cfg.train.pretrain_steps:
            raise SeqimgError(f"{where}.model.f_mode: 'pretrained' needs "
                              f"{where}.train.pretrain_steps > 0")
        return cfg

    @classmethod
    def check(cls, source: SequenceCodec, target: SequenceCodec, cfg: DtnConfig) -> None:
        codec_readers(source, target, cfg.losses, cfg.train.straight_through, WHERE)
        if source.layout.image_shape != target.layout.image_shape:
            check_cross_dtn(source, target, cfg)

    # --- training --------------------------------------------------------------------------
    @property
    def pretrain_steps(self) -> int:
        return self.cfg.train.pretrain_steps

    def setup(self, device: torch.device) -> None:
        train = self.cfg.train
        adam = {"betas": (train.beta1, 0.999), "fused": True if device.type == "cuda" else None}
        self.opt_d = torch.optim.Adam(self.model.d.parameters(), lr=train.lr_d or train.lr, **adam)
        self.opt_g = torch.optim.Adam(self.model.generator_parameters(), lr=train.lr, **adam)
        self.opt_ae = None
        if self.pretrain_steps:
            pretrained = self.model.g if train.pretrain_task == "autoencoder" else self.domain_head
            self.opt_ae = torch.optim.Adam([*self.model.f.parameters(),
                                            *pretrained.parameters()], lr=train.lr, **adam)
        if train.compile:
            for net in (self.model.f, self.model.g, self.model.d):
                net.compile()

    def optimisers(self) -> dict[str, torch.optim.Optimizer]:
        pretraining = {"opt_ae": self.opt_ae} if self.opt_ae else {}
        return {"opt_d": self.opt_d, "opt_g": self.opt_g, **pretraining}

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Weights as saved; a checkpoint from before the classifier head was built only when
        used holds that unused head, which is left out here."""
        if not hasattr(self, "domain_head"):
            state_dict = {k: v for k, v in state_dict.items()
                          if not k.startswith("domain_head.")}
        return super().load_state_dict(state_dict, strict, assign)

    def before_resume(self, step: int) -> None:
        if self.pretrain_steps and step >= self.pretrain_steps:
            self.freeze_f()

    def step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """An autoencoder (or classifier) step while pretraining, else ``d_steps`` D updates
        and one G update."""
        if ctx.step < self.pretrain_steps:
            out = self.pretrain_step(ctx)
            if ctx.step + 1 == self.pretrain_steps:
                self.freeze_f()
            return out
        if self.pretrain_steps:
            self.model.f.eval()  # frozen f keeps its BatchNorm statistics
        out = {}
        for _ in range(self.cfg.train.d_steps):
            out.update(self.d_step(ctx))
        out.update(self.g_step(ctx))
        return out

    def pretrain_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """Pretraining f on both domains: min ||g(f(x)) - x||^2 (autoencoder), or the binary
        cross-entropy of a linear head on f's code telling target (1) from source (0)."""
        x = torch.cat([ctx.source(), ctx.target()])
        with ctx.autocast():
            if self.cfg.train.pretrain_task == "autoencoder":
                name = "L_AE"
                loss = torch.nn.functional.mse_loss(self.model(x).float(), x)
            else:
                logits = self.domain_head(self.model.f(x)[0].flatten(1)).float()[:, 0]
                labels = torch.arange(len(x), device=x.device) >= len(x) // 2
                name = "L_F_CLASSIFIER"
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits,
                                                                            labels.float())
        ctx.update(self.opt_ae, loss)
        return {name: loss}

    def freeze_f(self) -> None:
        """End of pretraining: f stops learning; g restarts unless it keeps the pretrained one."""
        self.model.f.requires_grad_(False)
        if not self.cfg.train.init_g_from_pretrain:
            xavier_init(self.model.g)

    def for_d(self, x: torch.Tensor) -> torch.Tensor:
        """What D is shown of G's output: snapped to the target's levels when asked."""
        return self.snap(x) if self.cfg.train.straight_through else x

    def d_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """L_D on real target, G(s) and G(t)."""
        m = self.model
        s, t = ctx.source(), ctx.target()
        with ctx.autocast():
            with torch.no_grad():
                g_s, g_t = m.transfer(s), m(t)
            d_real, d_gs, d_gt = m.d(t), m.d(self.for_d(g_s)), m.d(self.for_d(g_t))
            loss = self.adversarial.discriminator(d_real.float(), d_gs.float(), d_gt.float())
        ctx.update(self.opt_d, loss)
        return {"L_D": loss, "d_acc_real": self.adversarial.accuracy(d_real, True),
                "d_acc_fake": self.adversarial.accuracy(d_gs, False)}

    def g_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """L_G, each term computed where it is named, weighted as the recipe says."""
        m, w = self.model, self.cfg.losses
        s, t = ctx.source(), ctx.target()
        with ctx.autocast():
            g_s, code_s, feats_s = m.translate(s, source=True)
            g_t = m(t)
            code_gs, feats_gs = self.f_of_output(g_s)
            x = StepTensors(s, t, g_s.float(), g_t.float(), code_s.float(), code_gs.float(),
                            m.d(self.for_d(g_s)).float(), m.d(self.for_d(g_t)).float(),
                            feats_s, feats_gs, **self.codec_signals(s, t, g_s))
            # L_G = L_GANG + a L_CONST + b L_TID + c L_TV + k L_KEEP + L_VIEWS + L_MATCH + user
            terms = [
                ("L_GAN_G", 1.0, partial(self.adversarial.generator, x.d_g_source,
                                         x.d_g_target)),
                ("L_CONST", w.const_weight, partial(self.const, x)),
                ("L_TID", w.tid_weight, partial(self.tid, x)),
                ("L_TV", w.tv_weight, partial(self.tv, x)),
                ("L_KEEP", w.keep_weight, partial(self.keep, x)),
                ("L_VIEWS", 1.0 if w.views else 0.0, partial(self.view_loss, x)),
                ("L_MATCH", 1.0 if w.match else 0.0, partial(self.match_loss, x)),
                *((f"L_{name.upper()}", w.extra[name].weight, partial(loss, x))
                  for name, loss in self.extra.items()),
            ]
            parts = {name: compute() for name, weight, compute in terms if weight}
            total = sum(weight * parts[name] for name, weight, _ in terms if weight)
        ctx.update(self.opt_g, total)
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
        if self.cfg.losses.const_updates_f:
            return self.model.f(g_s)
        frozen = {name: p.detach() for name, p in self.model.f.named_parameters()}
        return torch.func.functional_call(self.model.f, frozen, (g_s,))

    # --- transfer and what evaluation may ask --------------------------------------------
    def transfer(self, images: torch.Tensor) -> torch.Tensor:
        return self.model.transfer(images)

    def content_code(self, images: torch.Tensor, source: bool) -> torch.Tensor:
        """f's code, shape=(B, d), of source images (through the stem) or target-shaped ones."""
        return self.model.f(self.model.source_in(images) if source else images)[0].flatten(1)

    def networks(self) -> dict[str, torch.nn.Module]:
        return {"f": self.model.f, "D": self.model.d}

    def kept_views(self) -> list[str]:
        return list(self.cfg.losses.views)

    def signals(self, last: dict[str, float]) -> list[Signal]:
        """The failure modes to look for: a collapsed code, a D that has won or learned nothing."""
        nan = float("nan")
        real, fake = last.get("d_acc_real", nan), last.get("d_acc_fake", nan)
        const = last.get("L_CONST", nan)
        return [
            Signal("L_CONST", const, "how far f(G(s)) is from f(s): the content G loses. Near "
                   "0 with a falling code norm, f has collapsed its code and L_CONST constrains "
                   "nothing; try content views (method.losses.views) or pretraining f "
                   "(method.train.pretrain_steps)",
                   "near 0: check the code norm for a collapse" if const < 1e-3 else ""),
            Signal("code norm", last.get("code_norm", nan), "the mean size of f's code; falling "
                   "towards 0 beside a near-0 L_CONST is a collapse (see L_CONST)"),
            Signal("D accuracy on real target", real, "the share of real target windows D "
                   "calls real; read it with the next row. Both near 1: D has won and G learns "
                   "little, try a lower method.train.lr_d. Near 0 here and near 1 there: D calls "
                   "everything fake, try a higher method.train.lr_d or a longer run",
                   discriminator_reading(real, fake)),
            Signal("D accuracy on G(source)", fake, "the share of G's outputs D calls fake; "
                   "near 0 with real near 1: D calls everything real (see the row above)"),
            Signal("L_GAN_G", last.get("L_GAN_G", nan), "G's adversarial loss: low when G "
                   "fools D. Climbing step after step: D is winning (see the D rows)"),
        ]


def discriminator_reading(real: float, fake: float) -> str:
    """What D's two accuracies at the last step say together."""
    if real < 0.2 and fake > 0.8:
        return ("D calls everything fake: it has not learned what target windows look like, so "
                "G's adversarial signal is noise. Try a higher method.train.lr_d or more steps")
    if real > 0.8 and fake < 0.2:
        return ("D calls everything real: it has stopped telling G's outputs apart. Try a "
                "higher method.train.lr_d or method.train.d_steps 2")
    if real > 0.85 and fake > 0.85:
        return "D has won: G gets little gradient from it. Try a lower method.train.lr_d"
    return ""
