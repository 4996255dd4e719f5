"""A sampler instead of a deterministic generator: a denoiser trained on target windows only,
conditioned on a content view of them (dropped at random, for classifier-free guidance), and a
transfer that starts from the source window corrupted to level ``t0`` (SDEdit; ``t0 = 1`` is
re-synthesis from the source's view alone) and denoises it in a few steps at guidance ``w``.

How frames are corrupted and sampled is a noise schedule chosen from the target codec's frame
levels (:mod:`seqimg.methods.schedules`): binary cells are redrawn from their channel's base
rate, continuous frames mixed with Gaussian noise. A sampling step estimates x_0, draws it, and
corrupts it again to the next, lower level (or, for continuous frames, follows the straight
path through the current x_t).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Grouped, Quantised, Viewed, able
from seqimg.cross import shared_view_shapes, view_shapes
from seqimg.errors import SeqimgError
from seqimg.methods.base import Signal, StepContext, TransferMethod
from seqimg.methods.riffs import bar_roots, check_riffs, tie_bars
from seqimg.methods.schedules import ContinuousStep, Prediction, is_binary, schedule_for, uniform
from seqimg.model.denoisers import Denoiser
from seqimg.views import ViewReader

WHERE = "method"


@dataclass(frozen=True)
class DiffusionConfig:
    """The denoiser, its condition and training, and the sampler's transfer-time knobs."""

    # 'temporal': dilated 1-D convolutions over each window's frames; 'fold': dilated 3x3
    # convolutions over the folded image
    network: Literal["temporal", "fold"] = "temporal"
    width: int = 96  # channels of the denoiser
    dilations: tuple[int, ...] = (1, 2, 4, 8, 1, 2, 4, 8)  # one residual block per dilation
    # each step told its place in the window: for windows aligned to a cycle (one day each)
    positions: bool = False
    # the content views the denoiser is conditioned on (offered by both codecs, one shape)
    views: tuple[str, ...] = ("bass", "harmony", "melody")
    # consecutive rows of each view averaged into one: with views per beat, 2 reads them per
    # half bar and 4 per bar (a slower harmonic rhythm than a chorale's, as metal has); a
    # transfer-time setting too, in distribution when train_view_spans holds it
    view_span: int = 1
    condition_dropout: float = 0.2  # share of training windows seen without their view
    # conditioning augmentation (cascaded diffusion): each training window's views pooled over
    # a span drawn from these (e.g. [1, 2, 4]), so that a slower view_span at transfer time lies
    # inside what the denoiser saw; empty: always view_span
    train_view_spans: tuple[int, ...] = ()
    # and Gaussian noise of up to this scale added to each training window's views
    view_noise: float = 0.0
    lr: float = 1e-3  # Adam learning rate
    # what the denoiser of continuous frames predicts: the clean window 'x0', the 'noise' or
    # the 'velocity' (noise - x0); on/off frames always predict each cell's logit
    prediction: Prediction = "x0"
    # transfer-time settings (seqimg transfer --set method.t0=0.7, no retraining):
    # the level the source is corrupted to before denoising (1: from the view alone)
    t0: float = 0.8
    guidance: float = 1.0  # w: 0 ignores the view, 1 follows it, above 1 follows it harder
    sampler_steps: int = 8  # denoising steps from t0 to 0
    sample_seed: int = 0  # seeds the sampler's draws, so that a transfer is repeatable
    # the last step's cells: 'draw' samples each from its predicted probability, 'threshold'
    # keeps those above one half (no stray cells from a long tail of small probabilities)
    final_step: Literal["draw", "threshold"] = "threshold"
    # a step between levels of continuous frames: the estimated window corrupted again with
    # fresh noise ('renoise'), or moved along the straight path with the noise it implies
    # ('ode', deterministic)
    continuous_step: ContinuousStep = "renoise"
    # feature groups of the target codec (its feature_groups, e.g. the parts encoding's lead)
    # copied from the source at every step, the rest sampled around them (inpainting)
    keep: tuple[str, ...] = ()
    # bars per riff: each bar after the first of a group is tied to the first, moved to its
    # own bass root (seqimg.methods.riffs); 1: bars are sampled free
    riff_bars: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.t0 <= 1:
            raise ValueError(f"t0: expected a level in (0, 1], got {self.t0}")
        if self.guidance < 0:
            raise ValueError(f"guidance: expected 0 or more, got {self.guidance}")
        if self.sampler_steps < 1:
            raise ValueError(f"sampler_steps: expected 1 or more, got {self.sampler_steps}")
        if not 0 <= self.condition_dropout < 1:
            raise ValueError(f"condition_dropout: expected a share in [0, 1), got "
                             f"{self.condition_dropout}")
        if not self.views:
            raise ValueError("views: name at least one content view to condition on")
        if self.view_span < 1:
            raise ValueError(f"view_span: expected 1 or more, got {self.view_span}")
        if any(span < 1 for span in self.train_view_spans) or self.view_noise < 0:
            raise ValueError("train_view_spans: expected spans of 1 or more (and view_noise "
                             "0 or more)")
        if self.riff_bars < 1:
            raise ValueError(f"riff_bars: expected 1 or more, got {self.riff_bars}")


def stretch(view: torch.Tensor, length: int) -> torch.Tensor:
    """A view, shape=(B, rows, W), to ``length`` rows, each step reading the row it falls in
    (rows repeated when they divide ``length``, as views per beat do)."""
    rows = view.shape[1]
    return view[:, torch.arange(length, device=view.device) * rows // length]


class DiffusionMethod(TransferMethod):
    """A view-conditioned denoiser of target windows, sampled from the source's view."""

    config_class = DiffusionConfig
    description = ("a denoiser trained on target windows, conditioned on a content view; "
                   "transfer samples from the source's view (SDEdit start t0, guidance w)")
    transfer_settings = ("t0", "guidance", "sampler_steps", "sample_seed", "final_step", "keep",
                         "riff_bars", "view_span", "continuous_step")

    def __init__(self, source: SequenceCodec, target: SequenceCodec,
                 cfg: DiffusionConfig) -> None:
        super().__init__(source, target, cfg)
        self.read_source = ViewReader(source, list(cfg.views), f"{WHERE}.views")
        self.read_target = ViewReader(target, list(cfg.views), f"{WHERE}.views")
        self.schedule = schedule_for(target, cfg.prediction, cfg.continuous_step)
        condition = sum(shape[-1] for shape in view_shapes(target, list(cfg.views)).values())
        if cfg.network == "temporal":
            channels, dims = target.n_features, 1
        else:
            channels, dims = target.layout.image_shape[0], 2
            condition *= target.layout.spec.steps_per_pixel
        self.net = Denoiser(channels, condition, cfg.width, cfg.dilations, dims, cfg.positions)
        # the training draws (levels, corruption, dropped views) come from the method's own
        # generator, saved with its weights, so that a resumed run draws what it would have
        self.noise = torch.Generator().manual_seed(int(torch.randint(2**62, (1,)).item()))

    # --- recipe-time checks ----------------------------------------------------------------
    @classmethod
    def check(cls, source: SequenceCodec, target: SequenceCodec, cfg: DiffusionConfig) -> None:
        for codec in (source, target):
            ViewReader(codec, list(cfg.views), f"{WHERE}.views")
        if source.layout.window_length != target.layout.window_length:
            raise SeqimgError(f"{WHERE}.name: a source window holds {source.layout.window_length} "
                              f"steps and a target window {target.layout.window_length}; the "
                              "diffusion method needs one window length")
        shapes = shared_view_shapes(source, target, list(cfg.views), f"{WHERE}.views")
        for key, spans in (("view_span", (cfg.view_span,)),
                           ("train_view_spans", cfg.train_view_spans)):
            for name, shape in shapes.items():
                for span in spans:
                    if shape[1] % span:
                        raise SeqimgError(f"{WHERE}.{key}: the {name} view has {shape[1]} rows "
                                          f"per window, which {span} does not divide")
        groups = able(target, Grouped).feature_groups()
        unknown = [name for name in cfg.keep if name not in groups]
        if unknown:
            raise SeqimgError(f"{WHERE}.keep.{unknown[0]}: the {target.name} codec has no such "
                              f"feature group (it has: {', '.join(groups) or 'none'})")
        if cfg.keep and source.n_features != target.n_features:
            raise SeqimgError(f"{WHERE}.keep: copying features from the source needs source and "
                              "target frames of one width")
        if cfg.prediction != "x0" and is_binary(target):
            raise SeqimgError(f"{WHERE}.prediction: the {target.name} codec's frames are on/off "
                              "cells, whose denoiser predicts each cell (x0); noise and velocity "
                              "are for continuous frames")
        if cfg.riff_bars > 1:
            check_riffs(source, target, cfg.riff_bars, f"{WHERE}.riff_bars")
        if cfg.t0 < 1 and source.layout.image_shape != target.layout.image_shape:
            raise SeqimgError(f"{WHERE}.t0: starting from the corrupted source needs source "
                              "and target images of one shape; set it to 1 (re-synthesis from "
                              "the view) for this pair")

    # --- state the loop saves -----------------------------------------------------------------
    def get_extra_state(self) -> dict:
        return {"noise": self.noise.get_state()}

    def set_extra_state(self, state: dict) -> None:
        self.noise.set_state(state["noise"])

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Weights as saved; a checkpoint from before the schedule was its own part holds the
        base rate and the windows seen at the top, which move into the schedule here."""
        moved = {f"schedule.{k}" if k in ("base_rate", "windows_seen") else k: v
                 for k, v in state_dict.items()}
        known = self.state_dict().keys()
        return super().load_state_dict({k: v for k, v in moved.items()
                                        if k in known or not k.startswith("schedule.")},
                                       strict, assign)

    def setup(self, device: torch.device) -> None:
        self.optimiser = torch.optim.Adam(self.net.parameters(), lr=self.cfg.lr)

    def optimisers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": self.optimiser}

    # --- the network's layout ------------------------------------------------------------
    def condition(self, reader: ViewReader, images: torch.Tensor,
                  augment: bool = False) -> torch.Tensor:
        """The views of images, each pooled over ``view_span`` rows, repeated to every step
        and concatenated: shape=(B, V, T) for the temporal network, (B, V*k, H, W) folded for
        the fold one. With ``augment`` (training) each window's span is drawn from
        ``train_view_spans`` and its views noised up to ``view_noise``."""
        cfg, length = self.cfg, self.target_codec.layout.window_length
        views = [view.float() for view in reader(images).values()]
        count = len(images)
        spans, pick = [cfg.view_span], torch.zeros(count, dtype=torch.long)
        if augment and cfg.train_view_spans:
            spans = list(cfg.train_view_spans)
            pick = torch.randint(len(spans), (count,), generator=self.noise)
        pick = pick.to(images.device)
        out = []
        for view in views:
            rows, width = view.shape[1:]
            spread = [stretch(view.reshape(count, rows // s, s, width).mean(2), length)
                      for s in spans]
            out.append(torch.stack(spread)[pick, torch.arange(count)])
        condition = torch.cat(out, -1)
        if augment and cfg.view_noise:
            scale = uniform((count, 1, 1), self.noise, condition.device) * cfg.view_noise
            condition = condition + scale * torch.randn(condition.shape, generator=self.noise
                                                        ).to(condition.device)
        return self.to_network(condition)

    def to_network(self, frames: torch.Tensor) -> torch.Tensor:
        """Frames, shape=(B, T, F), in the network's layout: (B, F, T) over time, or the
        target's images."""
        if self.cfg.network == "temporal":
            return frames.transpose(1, 2)
        return self.target_codec.layout.window_images(frames)

    def from_network(self, x: torch.Tensor) -> torch.Tensor:
        """Invert :meth:`to_network`."""
        if self.cfg.network == "temporal":
            return x.transpose(1, 2)
        return self.target_codec.layout.window_frames(x)

    # --- training ---------------------------------------------------------------------------
    def step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """L_DENOISE, the schedule's loss of D(x_t, v, t) against what it predicts (x_0, the
        noise or the velocity), with x_0 a target window, v its view (absent for a share of
        windows) and t ~ U(0, 1)."""
        images = ctx.target()
        x0 = self.target_codec.layout.window_frames(images).float()  # (B, T, F)
        count = len(x0)
        self.schedule.observe(x0)
        level = uniform((count,), self.noise, x0.device)
        present = (uniform((count,), self.noise, x0.device)
                   >= self.cfg.condition_dropout).float()
        x_t, wanted = self.schedule.training_pair(x0, level, self.noise)
        with torch.no_grad():
            condition = self.condition(self.read_target, images, augment=True)
        with ctx.autocast():
            out = self.net(self.to_network(x_t), condition, present, level).float()
            loss = self.schedule.loss(out, self.to_network(wanted))
        ctx.update(self.optimiser, loss)
        return {"L_DENOISE": loss}

    # --- transfer ---------------------------------------------------------------------------
    def predict(self, x: torch.Tensor, condition: torch.Tensor, level: float) -> torch.Tensor:
        """The guided prediction at one level: u + w (c - u) of the unconditional and
        conditional predictions (logits or values)."""
        count = len(x)
        levels = x.new_full((count,), level)
        conditional = self.net(x, condition, x.new_ones(count), levels)
        if self.cfg.guidance == 1:
            return conditional
        unconditional = self.net(x, condition, x.new_zeros(count), levels)
        return unconditional + self.cfg.guidance * (conditional - unconditional)

    def transfer(self, images: torch.Tensor) -> torch.Tensor:
        return self.sample(images, self.source_codec, self.read_source)

    def resynthesise(self, images: torch.Tensor) -> torch.Tensor:
        """Target images made again from their own view, as the transfer makes source ones: the
        realism a view-based transfer can reach at full content."""
        return self.sample(images, self.target_codec, self.read_target)

    @torch.no_grad()
    def sample(self, images: torch.Tensor, codec: SequenceCodec, reader: ViewReader
               ) -> torch.Tensor:
        """Images of ``codec`` to target images: their view as the condition, their frames
        corrupted to ``t0`` as the start (silence at t0 = 1), then ``sampler_steps`` steps."""
        cfg, layout = self.cfg, self.target_codec.layout
        generator = torch.Generator().manual_seed(cfg.sample_seed)
        condition = self.condition(reader, images)
        count = len(images)
        if cfg.t0 < 1:
            start = codec.layout.window_frames(images).float()
        else:
            start = images.new_full((count, layout.window_length, self.target_codec.n_features),
                                    -1.0)
        levels = torch.linspace(cfg.t0, 0.0, cfg.sampler_steps + 1).tolist()
        constrain = self.constraints(codec, images)
        x = constrain(self.schedule.add_noise(start, images.new_full((count,), levels[0]),
                                              generator))
        for k in range(cfg.sampler_steps):
            out = self.from_network(self.predict(self.to_network(x), condition, levels[k]))
            next_level = levels[k + 1] if k < cfg.sampler_steps - 1 else None
            x = constrain(self.schedule.step(out, x, levels[k], next_level, generator,
                                             cfg.final_step))
        return layout.window_images(able(self.target_codec, Quantised).tidy(x))

    def constraints(self, codec: SequenceCodec, images: torch.Tensor):
        """What the sampler imposes after every step: bars tied into riffs (``riff_bars``),
        then the source's frames put back into the ``keep`` feature groups."""
        frames = codec.layout.window_frames(images).float()
        kept = torch.zeros(self.target_codec.n_features, dtype=torch.bool, device=images.device)
        for name in self.cfg.keep:
            kept[able(self.target_codec, Grouped).feature_groups()[name]] = True
        target, riff_bars = self.target_codec, self.cfg.riff_bars
        if riff_bars > 1:
            roots = bar_roots(able(codec, Viewed).content_views()["bass"](frames))
            bar = target.bar_steps

        def constrain(x: torch.Tensor) -> torch.Tensor:
            if riff_bars > 1:
                x = tie_bars(x, roots, bar, riff_bars, target.transposed, ~kept)
            return torch.where(kept, frames, x) if self.cfg.keep else x
        return constrain

    # --- what evaluation may ask -------------------------------------------------------------
    def kept_views(self) -> list[str]:
        return list(self.cfg.views)

    def signals(self, last: dict[str, float]) -> list[Signal]:
        return [Signal("L_DENOISE", last.get("L_DENOISE", float("nan")),
                       "the denoiser's loss averaged over noise levels; it should fall and "
                       "flatten. Flat from the start: the view or the network cannot read the "
                       "window, try more views, a wider network (width) or a higher lr")]

