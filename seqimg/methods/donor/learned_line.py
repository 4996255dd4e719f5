"""A line written by a denoiser instead of pasted: the tune's part inpainted over the fixed
donor band, under hard constraints at every step.

The line is a piano roll of onsets, one pitch at each step where the placed tune strikes (its
rhythm, taken from the donors' upper voice, is kept). The tune's pitch is pinned where each of
its notes begins (the anchors); every other onset is masked and filled by the project's dilated
denoiser (:class:`~seqimg.model.denoisers.Denoiser`, 1-D over the piece's steps), which sees the
band's sounding notes, the tune's pitch at each step, the anchors and each step's place in its
bar. At every step of the sampler the pitches outside the bar's band classes (any class in a bar
where the band is silent) or farther than ``reach`` semitones from the tune are clamped off, so
the line is always a chord tone near the tune; the most confident masked onsets are kept, the
rest drawn again (a masked, absorbing-state diffusion: Austin et al. 2021, MaskGIT's schedule).

It trains on the target's training pieces as they were written: their line is the lead's top
voice in bars where the lead plays and the rhythm guitar's top voice elsewhere (where the donor
method puts the tune), its tune that line on a one-beat grid, its band every other pitched note.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from seqimg.codecs.capabilities import DRUM_PART
from seqimg.codecs.midi_parts import LEAD, RHYTHM
from seqimg.codecs.note_geometry import bars_covering, highest_onsets, highest_sounding
from seqimg.codecs.notes import notes_in, sounding_and_onsets
from seqimg.methods.donor.line import band_classes
from seqimg.methods.donor.melody import on_grid
from seqimg.model.denoisers import Denoiser

PITCHES = 128
FLAGS = 3  # onset, anchor, masked
WIDTH = 64
DILATIONS = (1, 2, 4, 8, 16, 1, 2, 4, 8, 16)
WINDOW_BARS = 4  # a training window
BATCH = 32
SHIFTS = np.arange(-5, 7)  # transpositions a training window is moved by
ROUNDS = 8  # rounds of the sampler
LINE_STATE = "line."  # the prefix of the denoiser's weights in a checkpoint's extra state


def line_and_band(notes: np.ndarray, bar: int) -> tuple[np.ndarray, np.ndarray]:
    """A piece's pitched notes in parts, shape=(n, 4), split into its line, shape=(m, 4) (the
    highest pitch at each onset of the lead in bars where the lead starts a note, of the rhythm
    guitar elsewhere; each held to the next onset at most) and its band (every other pitched
    note), shape=(n - m, 4)."""
    pitched = notes[notes[:, 3] != DRUM_PART]
    bars = pitched[:, 1] // bar
    lead_bars = np.unique(bars[pitched[:, 3] == LEAD])
    line_part = np.where(np.isin(bars, lead_bars), LEAD, RHYTHM)
    candidate = np.flatnonzero(pitched[:, 3] == line_part)
    tops = candidate[highest_onsets(pitched[candidate])]
    line = pitched[tops].copy()
    if len(line):
        line[:-1, 2] = np.minimum(line[:-1, 2], line[1:, 1])
    return line, np.delete(pitched, tops, axis=0)


class LineScene:
    """One piece (or the whole library's time line) as per-step arrays over ``length`` steps:
    the band's sounding pitches (L, 128), the classes the line may take in each step's bar (L,
    12: those the band starts there, and with ``tune_classes`` the tune's too), the tune's pitch
    (L,; -1 none), where the line strikes and where it is pinned (L,; bool) and the line's pitch
    at each onset (L,; -1 unknown)."""

    def __init__(self, band: np.ndarray, tune: np.ndarray, onsets: np.ndarray,
                 anchors: np.ndarray, pitches: np.ndarray, length: int, bar: int,
                 tune_classes: bool = False) -> None:
        self.length, self.bar = length, bar
        self.band = sounding_and_onsets(notes_in(band[:, :3], 0, length), length, 0,
                                        PITCHES - 1)[0]
        bars = bars_covering(length, bar)
        # a tune's notes in a part of their own (0), so that band_classes reads them as pitched
        classed = (np.concatenate([band, np.pad(tune[:, :3], ((0, 0), (0, 1)))])
                   if tune_classes else band)
        self.classes = np.repeat(band_classes(classed, bar, bars), bar, axis=0)[:length]
        self.tune = highest_sounding(tune, length)
        self.onset = np.zeros(length, dtype=bool)
        self.onset[onsets] = True
        self.anchor = np.zeros(length, dtype=bool)
        self.anchor[anchors] = True
        self.pitch = np.full(length, -1)
        self.pitch[onsets] = pitches

    @classmethod
    def of_piece(cls, notes: np.ndarray, length: int, bar: int, beat: int) -> LineScene:
        """A real piece's scene: its line (:func:`line_and_band`) struck where its tune on a
        one-beat grid changes pitch, those onsets the anchors, every pitch known."""
        line, band = line_and_band(notes, bar)
        line = line[line[:, 1] < length]
        tune = on_grid(line[:, :3], beat, length)
        sounding = highest_sounding(line, length)
        onsets = np.union1d(line[:, 1], tune[:, 1][sounding[tune[:, 1]] >= 0]).astype(np.int64)
        return cls(band, tune, onsets, tune[:, 1], sounding[onsets], length, bar)

    def window(self, start: int, length: int, shift: int) -> dict[str, np.ndarray]:
        """``length`` steps of the scene from ``start``, moved by ``shift`` semitones: its
        arrays by name."""
        part = slice(start, start + length)
        tune, pitch = self.tune[part], self.pitch[part]
        return {"band": np.roll(self.band[part], shift, 1),
                "classes": np.roll(self.classes[part], shift, 1),
                "tune": np.where(tune >= 0, tune + shift, -1),
                "pitch": np.where(pitch >= 0, pitch + shift, -1),
                "onset": self.onset[part], "anchor": self.anchor[part]}


def allowed_pitches(arrays: dict[str, np.ndarray], reach: int) -> np.ndarray:
    """Which pitch the line may take at each step of a scene's arrays (:meth:`LineScene.window`),
    shape=(L, 128): at onsets only, a class the band starts in the bar (any where it starts
    none), within ``reach`` semitones of the tune."""
    classes = np.where(arrays["classes"].any(1, keepdims=True), arrays["classes"], True)
    ok = classes[:, np.arange(PITCHES) % 12]
    near = np.abs(np.arange(PITCHES)[None] - arrays["tune"][:, None]) <= reach
    return ok & near & (arrays["onset"] & (arrays["tune"] >= 0))[:, None]


def features(band: torch.Tensor, tune: torch.Tensor, onset: torch.Tensor, anchor: torch.Tensor,
             known: torch.Tensor, pitch: torch.Tensor, bar: int
             ) -> tuple[torch.Tensor, torch.Tensor]:
    """The denoiser's input and condition, shapes (B, 128, L) and (B, 128 * 2 + 3 + bar, L),
    from a batch of scenes' tensors (band (B, L, 128); tune, pitch (B, L) long; onset, anchor,
    known (B, L) bool): the known pitches one-hot, then the band, the tune one-hot, the flags
    and each step's place in its bar."""
    batch, length = onset.shape
    x = F.one_hot(pitch.clamp(min=0), PITCHES).float() * known[..., None]
    tune_roll = F.one_hot(tune.clamp(min=0), PITCHES).float() * (tune >= 0)[..., None]
    masked = onset & ~known
    flags = torch.stack([onset, anchor, masked], -1).float()
    phase = F.one_hot(torch.arange(length) % bar, bar).float().expand(batch, -1, -1)
    condition = torch.cat([band.float(), tune_roll, flags, phase], -1)
    return x.transpose(1, 2), condition.transpose(1, 2)


class LineDenoiser(nn.Module):
    """The dilated 1-D denoiser over a scene: logits of the line's pitch at every step."""

    def __init__(self, bar: int) -> None:
        super().__init__()
        self.bar = bar
        self.net = Denoiser(PITCHES, PITCHES * 2 + FLAGS + bar, WIDTH, DILATIONS, dims=1)

    @classmethod
    def of_state(cls, state: dict[str, torch.Tensor], bar: int) -> LineDenoiser:
        net = cls(bar)
        net.load_state_dict(state)
        return net.eval()

    def forward(self, band, tune, onset, anchor, known, pitch, level) -> torch.Tensor:
        x, condition = features(band, tune, onset, anchor, known, pitch, self.bar)
        present = torch.ones(len(x), dtype=torch.bool)
        return self.net(x, condition, present, level).transpose(1, 2)  # (B, L, 128)


def masked_logits(logits: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
    """The logits with every pitch not ``allowed`` clamped off (the hard constraints)."""
    return logits.masked_fill(~allowed, -1e4)


def train_line(scene: LineScene, bar: int, steps: int, reach: int, seed: int,
               desc: str | None = "method: training the line") -> LineDenoiser:
    """A :class:`LineDenoiser` trained for ``steps`` steps on windows of ``scene`` (the
    library's time line), each at a random transposition, with a random share of its unpinned
    onsets masked: cross-entropy of their pitches among the allowed ones (an onset whose real
    pitch is not allowed is left out of the loss). Every draw, the weights' first ones
    included, comes from ``seed``."""
    rng, generator = np.random.default_rng(seed), torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        net = LineDenoiser(bar)
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3)
    window = WINDOW_BARS * bar
    starts = np.arange(0, max(scene.length - window, 0) + 1, bar)
    progress = tqdm(range(steps), desc=desc, unit="step", leave=False, disable=desc is None)
    for step in progress:
        picked = [scene.window(int(s), window, int(k)) for s, k in
                  zip(rng.choice(starts, BATCH), rng.choice(SHIFTS, BATCH))]
        batch = {name: torch.from_numpy(np.stack([p[name] for p in picked])) for name in picked[0]}
        level = torch.rand(BATCH, generator=generator)
        free = batch["onset"] & ~batch["anchor"] & (batch["pitch"] >= 0)
        masked = free & (torch.rand(free.shape, generator=generator) < level[:, None])
        known = batch["onset"] & ~masked
        allowed = torch.from_numpy(np.stack([allowed_pitches(p, reach) for p in picked]))
        logits = net(batch["band"], batch["tune"], batch["onset"], batch["anchor"], known,
                     batch["pitch"], level)
        target = batch["pitch"].clamp(min=0)
        scored = masked & allowed.gather(-1, target[..., None])[..., 0]
        if not scored.any():
            continue
        loss = F.cross_entropy(masked_logits(logits, allowed)[scored], target[scored])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 100 == 0:
            progress.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
    return net.eval()


@torch.no_grad()
def inpaint(net: LineDenoiser, scene: LineScene, reach: int, steps: int, seed: int) -> np.ndarray:
    """The line's pitch at every onset of ``scene``, shape=(L,) (-1 off onsets): the anchors'
    pitches kept, every other onset drawn by ``steps`` rounds of the denoiser among the allowed
    pitches, the most confident kept each round (cosine schedule); an onset with no allowed
    pitch keeps the tune's."""
    allowed = allowed_pitches(scene.window(0, scene.length, 0), reach)
    pitch = np.where(scene.anchor & scene.onset, scene.pitch, -1)
    open_ = scene.onset & ~scene.anchor & allowed.any(1)
    fallback = scene.onset & ~scene.anchor & ~allowed.any(1)
    pitch[fallback] = scene.tune[fallback]
    tensors = {name: torch.from_numpy(getattr(scene, name))[None]
               for name in ("band", "tune", "onset", "anchor")}
    allowed_t = torch.from_numpy(allowed)[None]
    generator = torch.Generator().manual_seed(seed)
    total = int(open_.sum())
    for round_ in range(steps):
        if not open_.any():
            break
        known = torch.from_numpy(scene.onset & ~open_)[None]
        level = torch.tensor([open_.sum() / max(total, 1)], dtype=torch.float32)
        logits = net(tensors["band"], tensors["tune"], tensors["onset"], tensors["anchor"],
                     known, torch.from_numpy(pitch)[None], level)
        probs = masked_logits(logits, allowed_t)[0].softmax(-1)
        where = np.flatnonzero(open_)
        drawn = torch.multinomial(probs[where], 1, generator=generator)[:, 0]
        confidence = probs[where].gather(1, drawn[:, None])[:, 0].numpy()
        left = math.floor(total * math.cos(math.pi / 2 * (round_ + 1) / steps))
        keep = where[np.argsort(-confidence, kind="stable")[:max(len(where) - left, 1)]]
        pitch[keep] = drawn.numpy()[np.searchsorted(where, keep)]
        open_[keep] = False
    return pitch


def write_learned(net: LineDenoiser, placed: np.ndarray, anchors: frozenset, band: np.ndarray,
                  bar: int, reach: int, tune_classes: bool = False) -> np.ndarray:
    """The placed tune, shape=(n, 4) as (pitch, start, end, part), one note per onset, with
    every note that does not begin at an ``anchors`` step given the pitch the denoiser writes
    over ``band`` (the kept donor notes) in :data:`ROUNDS` rounds, among the band's classes of
    its bar (and with ``tune_classes`` the tune's). Seeded by the tune, so a piece is written
    the same way every time."""
    if not len(placed):
        return placed
    length = int(placed[:, 2].max())
    starts = placed[:, 1]
    pinned = np.array(sorted(a for a in anchors if a < length), dtype=np.int64)
    scene = LineScene(band[band[:, 3] != DRUM_PART], placed[:, :3], starts, pinned,
                      placed[:, 0], length, bar, tune_classes)
    seed = zlib.crc32(np.ascontiguousarray(placed).tobytes())
    written = inpaint(net, scene, reach, ROUNDS, seed)
    out = placed.copy()
    out[:, 0] = np.where(written[starts] >= 0, written[starts], placed[:, 0])
    return out
