"""A sampler instead of a deterministic generator: a denoiser trained on target windows only,
conditioned on a content view of them (dropped at random, for classifier-free guidance), and a
transfer that starts from the source window corrupted to level ``t0`` (SDEdit; ``t0 = 1`` is
re-synthesis from the source's view alone) and denoises it in a few steps at guidance ``w``.

Binary frames (MIDI sounding and onset cells) are corrupted by redrawing each cell from its
channel's base rate with probability t, and the denoiser predicts the clean cell's probability
(BCE); continuous frames are mixed with Gaussian noise, x_t = (1 - t) x_0 + t e, and the
denoiser predicts x_0 (MSE). A sampling step predicts x_0, draws it, and corrupts it again to
the next, lower level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F

from seqimg.codecs.base import SequenceCodec
from seqimg.cross import shared_view_shapes, view_shapes
from seqimg.errors import SeqimgError
from seqimg.methods.base import Signal, StepContext, TransferMethod
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
    # the content views the denoiser is conditioned on (offered by both codecs, one shape)
    views: tuple[str, ...] = ("bass", "harmony", "melody")
    # consecutive rows of each view averaged into one: with views per beat, 2 reads them per
    # half bar and 4 per bar (a slower harmonic rhythm than a chorale's, as metal has)
    view_span: int = 1
    condition_dropout: float = 0.2  # share of training windows seen without their view
    lr: float = 1e-3  # Adam learning rate
    # transfer-time settings (seqimg transfer --set method.t0=0.7, no retraining):
    # the level the source is corrupted to before denoising (1: from the view alone)
    t0: float = 0.8
    guidance: float = 1.0  # w: 0 ignores the view, 1 follows it, above 1 follows it harder
    sampler_steps: int = 8  # denoising steps from t0 to 0
    sample_seed: int = 0  # seeds the sampler's draws, so that a transfer is repeatable
    # the last step's cells: 'draw' samples each from its predicted probability, 'threshold'
    # keeps those above one half (no stray cells from a long tail of small probabilities)
    final_step: Literal["draw", "threshold"] = "threshold"

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


def is_binary(codec: SequenceCodec) -> bool:
    """Whether the codec's frames are on/off cells (levels -1 and 1)."""
    return codec.frame_levels is not None and sorted(codec.frame_levels) == [-1.0, 1.0]


class DiffusionMethod(TransferMethod):
    """A view-conditioned denoiser of target windows, sampled from the source's view."""

    config_class = DiffusionConfig
    description = ("a denoiser trained on target windows, conditioned on a content view; "
                   "transfer samples from the source's view (SDEdit start t0, guidance w)")
    transfer_settings = ("t0", "guidance", "sampler_steps", "sample_seed", "final_step")

    def __init__(self, source: SequenceCodec, target: SequenceCodec,
                 cfg: DiffusionConfig) -> None:
        super().__init__(source, target, cfg)
        self.read_source = ViewReader(source, list(cfg.views), f"{WHERE}.views")
        self.read_target = ViewReader(target, list(cfg.views), f"{WHERE}.views")
        self.binary = is_binary(target)
        condition = sum(shape[-1] for shape in view_shapes(target, list(cfg.views)).values())
        if cfg.network == "temporal":
            channels, dims = target.n_features, 1
        else:
            channels, dims = target.image_shape[0], 2
            condition *= target.fold_spec.steps_per_pixel
        self.net = Denoiser(channels, condition, cfg.width, cfg.dilations, dims)
        self.register_buffer("base_rate", torch.zeros(target.n_features))
        self.register_buffer("windows_seen", torch.zeros((), dtype=torch.float64))
        # the training draws (levels, corruption, dropped views) come from the method's own
        # generator, saved with its weights, so that a resumed run draws what it would have
        self.noise = torch.Generator().manual_seed(int(torch.randint(2**62, (1,)).item()))

    # --- recipe-time checks ----------------------------------------------------------------
    @classmethod
    def check(cls, source: SequenceCodec, target: SequenceCodec, cfg: DiffusionConfig,
              recipe) -> None:
        for codec in (source, target):
            ViewReader(codec, list(cfg.views), f"{WHERE}.views")
        if source.window_length != target.window_length:
            raise SeqimgError(f"{WHERE}.name: a source window holds {source.window_length} "
                              f"steps and a target window {target.window_length}; the "
                              "diffusion method needs one window length")
        shapes = shared_view_shapes(source, target, list(cfg.views), f"{WHERE}.views")
        for name, shape in shapes.items():
            if shape[1] % cfg.view_span:
                raise SeqimgError(f"{WHERE}.view_span: the {name} view has {shape[1]} rows "
                                  f"per window, which {cfg.view_span} does not divide")
        if cfg.t0 < 1 and source.image_shape != target.image_shape:
            raise SeqimgError(f"{WHERE}.t0: starting from the corrupted source needs source "
                              "and target images of one shape; set it to 1 (re-synthesis from "
                              "the view) for this pair")

    # --- state the loop saves -----------------------------------------------------------------
    def get_extra_state(self) -> dict:
        return {"noise": self.noise.get_state()}

    def set_extra_state(self, state: dict) -> None:
        self.noise.set_state(state["noise"])

    def setup(self, device: torch.device) -> None:
        self.optimiser = torch.optim.Adam(self.net.parameters(), lr=self.cfg.lr)

    def optimisers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": self.optimiser}

    # --- layouts ----------------------------------------------------------------------------
    def condition(self, reader: ViewReader, images: torch.Tensor) -> torch.Tensor:
        """The views of images, each repeated to every step of its span and concatenated:
        shape=(B, V, T) for the temporal network, (B, V*k, H, W) folded for the fold one."""
        length, span = self.target_codec.window_length, self.cfg.view_span
        views = []
        for view in reader(images).values():
            count, rows, width = view.shape
            pooled = view.float().reshape(count, rows // span, span, width).mean(2)
            views.append(pooled.repeat_interleave(length // pooled.shape[1], dim=1))
        return self.layout(torch.cat(views, -1))

    def layout(self, frames: torch.Tensor) -> torch.Tensor:
        """Frames, shape=(B, T, F), in the network's layout."""
        if self.cfg.network == "temporal":
            return frames.transpose(1, 2)
        return self.target_codec.window_images(frames)

    def frames(self, x: torch.Tensor) -> torch.Tensor:
        """Invert :meth:`layout`."""
        if self.cfg.network == "temporal":
            return x.transpose(1, 2)
        return self.target_codec.window_frames(x)

    # --- noise ------------------------------------------------------------------------------
    def draw(self, shape, generator: torch.Generator, device) -> torch.Tensor:
        return torch.rand(shape, generator=generator).to(device)

    def corrupt(self, x0: torch.Tensor, level: torch.Tensor, generator: torch.Generator
                ) -> torch.Tensor:
        """x_0 frames, shape=(B, T, F), at noise ``level``, shape=(B,)."""
        t = level.view(-1, 1, 1)
        if self.binary:
            redraw = self.draw(x0.shape, generator, x0.device) < t
            fresh = self.draw(x0.shape, generator, x0.device) < self.base_rate
            return torch.where(redraw, fresh.float() * 2 - 1, x0)
        noise = torch.randn(x0.shape, generator=generator).to(x0.device)
        return (1 - t) * x0 + t * noise

    # --- training ---------------------------------------------------------------------------
    def step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """L_DENOISE = BCE(D(x_t, v, t), x_0) for binary frames, else ||D(x_t, v, t) - x_0||^2,
        with x_0 a target window, v its view (absent for a share of windows) and t ~ U(0, 1)."""
        images = ctx.target()
        x0 = self.target_codec.window_frames(images).float()  # (B, T, F)
        count = len(x0)
        if self.binary:  # the running base rate of each channel, over every window seen
            rate = (x0 > 0).float().mean((0, 1))
            self.base_rate.mul_(self.windows_seen / (self.windows_seen + count)).add_(
                rate * count / (self.windows_seen + count))
            self.windows_seen.add_(count)
        level = self.draw((count,), self.noise, x0.device)
        present = (self.draw((count,), self.noise, x0.device)
                   >= self.cfg.condition_dropout).float()
        x_t = self.corrupt(x0, level, self.noise)
        with torch.no_grad():
            condition = self.condition(self.read_target, images)
        with ctx.autocast():
            out = self.net(self.layout(x_t), condition, present, level).float()
            clean = self.layout(x0)
            if self.binary:
                loss = F.binary_cross_entropy_with_logits(out, (clean > 0).float())
            else:
                loss = F.mse_loss(out, clean)
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
        cfg = self.cfg
        generator = torch.Generator().manual_seed(cfg.sample_seed)
        condition = self.condition(reader, images)
        count, length = len(images), self.target_codec.window_length
        if cfg.t0 < 1:
            start = codec.window_frames(images).float()
        else:
            start = images.new_full((count, length, self.target_codec.n_features), -1.0)
        levels = torch.linspace(cfg.t0, 0.0, cfg.sampler_steps + 1).tolist()
        x = self.corrupt(start, images.new_full((count,), levels[0]), generator)
        for k in range(cfg.sampler_steps):
            out = self.frames(self.predict(self.layout(x), condition, levels[k]))
            last = k == cfg.sampler_steps - 1
            if not self.binary:
                x0 = out.clamp(-1, 1)
            elif last and cfg.final_step == "threshold":
                x0 = (out > 0).float() * 2 - 1
            else:
                drawn = self.draw(out.shape, generator, out.device) < torch.sigmoid(out)
                x0 = drawn.float() * 2 - 1
            x = x0 if last else self.corrupt(x0, images.new_full((count,), levels[k + 1]),
                                             generator)
        return self.target_codec.window_images(self.target_codec.tidy(x))

    # --- what evaluation may ask -------------------------------------------------------------
    def kept_views(self) -> list[str]:
        return list(self.cfg.views)

    def signals(self, last: dict[str, float]) -> list[Signal]:
        return [Signal("L_DENOISE", last.get("L_DENOISE", float("nan")),
                       "the denoiser's loss averaged over noise levels; it should fall and "
                       "flatten. Flat from the start: the view or the network cannot read the "
                       "window, try more views, a wider network (width) or a higher lr")]

