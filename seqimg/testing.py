"""The codec and method contract tests, for seqimg's own suite and for plugin authors.

``check_codec(codec, sample, workdir)`` raises ``AssertionError`` naming the broken promise;
with ``sample=None`` it asks the codec's ``example_file`` hook for one. ``check_method(name or
class, workdir)`` does the same for a transfer method: train, save, resume, transfer. The other
parts a plugin can add have theirs: ``check_views`` (a codec's views and batch statistics),
``check_control``, ``check_domain``, ``check_critic`` and ``check_variant`` (a generator and a
discriminator); seqimg's suite runs each over every installed part.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seqimg.codecs.base import SequenceCodec
from seqimg.codecs.capabilities import Fitted, able
from seqimg.errors import SeqimgError


def check_codec(codec: SequenceCodec, sample: str | Path | None, workdir: str | Path,
                exact: bool | None = None, atol: float = 1e-5) -> dict:
    """Check dtype, range, shape, determinism and the round trip of ``codec`` on ``sample``.

    The fold round trip (images -> frames) must be exact; the file round trip (frames -> file ->
    frames) must agree within ``atol`` when ``exact`` (by default the codec's
    ``exact_round_trip``), else correlate at 0.9 or more (lossy codecs such as audio). Returns
    the measured figures.
    """
    workdir = Path(workdir)
    if sample is None:
        sample = codec.example_file(workdir)
        assert sample is not None, f"{codec.name}: no sample given and no example_file hook"
    sample = Path(sample)
    exact = codec.exact_round_trip if exact is None else exact
    try:
        return _check(codec, sample, workdir, exact, atol)
    except SeqimgError as exc:  # the codec refused its own sample or output
        raise AssertionError(f"{codec.name}: {exc}") from None


def _check(codec: SequenceCodec, sample: Path, workdir: Path, exact: bool, atol: float) -> dict:
    able(codec, Fitted).fit([sample])
    raw = codec.to_frames(codec.read(sample))  # the hook's own output, before any cast
    assert isinstance(raw, np.ndarray) and raw.dtype == np.float32, (
        f"{codec.name}: to_frames returns {getattr(raw, 'dtype', type(raw).__name__)}, "
        "not float32")
    assert raw.ndim == 2 and raw.shape[1] == codec.n_features, (
        f"{codec.name}: to_frames returns shape {raw.shape}, not (T, {codec.n_features})")
    encoded = codec.encode(sample)
    images = encoded.images
    assert images.dtype == np.float32, f"{codec.name}: images are {images.dtype}, not float32"
    assert images.ndim == 4 and images.shape[1:] == codec.layout.image_shape, (
        f"{codec.name}: images {images.shape} do not match image_shape {codec.layout.image_shape}")
    assert images.min() >= -1 and images.max() <= 1, f"{codec.name}: images leave [-1, 1]"
    assert np.array_equal(images, codec.encode(sample).images), f"{codec.name}: not deterministic"

    frames = codec.frames(sample)
    assert frames.shape == (encoded.length, codec.n_features), f"{codec.name}: length mismatch"
    unfolded = codec.decode_frames(images, encoded.length)
    assert np.array_equal(unfolded, frames), f"{codec.name}: images -> frames is not exact"

    suffix = codec.suffixes[0]
    out = codec.decode(images, encoded.length, workdir / f"roundtrip{suffix}", encoded.timing)
    again = codec.frames(out)
    length = min(len(again), len(frames))
    if exact:
        assert len(again) == len(frames), f"{codec.name}: file round trip changed the length"
        error = float(np.abs(again - frames).max())
        assert error <= atol, f"{codec.name}: file round trip differs by {error}"
        return {"max_abs_error": error}
    corr = float(np.corrcoef(again[:length].ravel(), frames[:length].ravel())[0, 1])
    assert corr >= 0.9, f"{codec.name}: file round trip correlates only {corr:.3f}"
    return {"correlation": corr}


@dataclass
class SideInMemory:
    """One side as :meth:`~seqimg.methods.base.TransferMethod.fit` reads it, held in memory:
    its codec and its training pieces' frames."""

    codec: Any
    frames: list

    def pieces(self) -> Iterator:
        return iter(self.frames)


def check_method(method: str | type, workdir: str | Path, settings: dict | None = None,
                 codecs: tuple | None = None, steps: int = 4) -> dict:
    """The method contract: built for two codecs (default: small time-series folds, or MIDI
    when the method needs notes or views of them), its ``fit`` trains ``steps`` steps on seeded
    windows logging finite numbers (or, where it learns without the loop, none), a run saved
    halfway and resumed ends bit for bit as the straight run, and its transfer maps source
    images to target-shaped images in [-1, 1]. Raises ``AssertionError`` naming the broken
    promise; returns what it measured."""
    import torch

    from seqimg.registry import lookup

    cls = lookup("methods", method) if isinstance(method, str) else method
    name = getattr(cls, "__name__", str(method))
    source, target = codecs or default_method_codecs(cls)
    cfg = cls.configure(settings or {}, "method")
    cls.check(source, target, cfg)
    g = torch.Generator().manual_seed(0)
    images = [torch.rand(16, *codec.layout.image_shape, generator=g) * 2 - 1
              for codec in (source, target)]
    workdir = Path(workdir)

    pieces = [target.decode_frames(images[1][i : i + 2].numpy()) for i in (0, 2, 4)]

    def trainer(total: int, checkpoint: Path | None, resume_from: Path | None = None):
        from seqimg.settings import TrainConfig
        from seqimg.train import Trainer

        torch.manual_seed(0)
        made = Trainer(cls(source, target, cfg), None, None, TrainConfig(
            steps=total, batch_size=4, log_every=1, checkpoint_every=max(1, total // 2)),
            torch.device("cpu"), seed=0)
        made.fit_method(SideInMemory(source, []), SideInMemory(target, pieces), lambda: images,
                        checkpoint, progress=False, resume_from=resume_from)
        return made

    straight = trainer(steps, workdir / "straight.pt")
    history = straight.history
    check_history(history, name, straight.step > 0, steps)
    trainer(steps // 2, workdir / "half.pt")
    resumed = trainer(steps, None, resume_from=workdir / "half.pt")
    ours, theirs = straight.method.state_dict(), resumed.method.state_dict()
    assert ours.keys() == theirs.keys(), f"{name}: a resumed method has other weights"
    for key, value in ours.items():
        assert same_state(value, theirs[key]), f"{name}: resuming changed {key}"
    assert resumed.history == history, f"{name}: resuming changed the logged history"
    straight.method.eval()
    with torch.no_grad():
        out = straight.method.transfer(images[0][:2])
    assert tuple(out.shape) == (2, *target.layout.image_shape), (
        f"{name}: transfer gives {tuple(out.shape)}, not (2, *{target.layout.image_shape})")
    assert torch.isfinite(out).all() and out.abs().max() <= 1, (
        f"{name}: transfer leaves [-1, 1] or is not finite")
    check_piece_transfer(resumed.method.eval(), source, name)
    return {"keys": [k for k in history[-1] if k != "step"] if history else [],
            "steps": straight.step}


def check_history(history: list[dict], name: str, trains: bool, steps: int) -> None:
    """A method that trained by steps logged something, and every logged value is a finite
    number."""
    assert history or not trains, f"{name}: trained {steps} steps and logged nothing"
    for row in history:
        bad = {k: v for k, v in row.items()
               if not (isinstance(v, float | int) and np.isfinite(v))}
        assert not bad, f"{name}: logged values that are not finite numbers: {bad}"


def check_piece_transfer(method, source, name: str) -> None:
    """A whole piece of two and a half windows, through ``transfer_piece``, keeps its length,
    has the target's features and stays finite in [-1, 1]; a method that reads notes gives the
    same piece through ``transfer_notes``."""
    import torch

    length = source.layout.window_length * 5 // 2
    g = torch.Generator().manual_seed(1)
    images = torch.rand(3, *source.layout.image_shape, generator=g).numpy() * 2 - 1
    frames = source.decode_frames(images, length)
    out = method.transfer_piece(frames)
    expected = (length, method.target_codec.n_features)
    assert out.shape == expected, f"{name}: a piece of {length} steps comes back {out.shape}, " \
        f"not {expected}"
    assert np.isfinite(out).all() and np.abs(out).max() <= 1, (
        f"{name}: a piece's transfer leaves [-1, 1] or is not finite")
    if method.reads == "notes":  # the notes path writes what the frames path writes
        notes = method.transfer_notes(source.notes_in_parts(frames), length)
        again = method.target_codec.frames_from_notes_in_parts(notes, length)
        assert np.array_equal(again, out), (
            f"{name}: reads notes, and its transfer_notes and transfer_piece disagree")


def same_state(a, b) -> bool:
    """Whether two entries of a state dict (tensors, or a module's extra state) are equal."""
    import torch

    if torch.is_tensor(a) or torch.is_tensor(b):
        return torch.is_tensor(a) and torch.is_tensor(b) and torch.equal(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_state(a[k], b[k]) for k in a)
    return a == b


def default_method_codecs(cls: type) -> tuple:
    """Two small codecs the contract trains a method between, the first pair its default
    settings accept: 8 x 8 time-series folds, else MIDI pitch channels."""
    from seqimg.codecs.capabilities import lacking
    from seqimg.errors import SeqimgError
    from seqimg.registry import make_codec

    candidates = [("timeseries", {"channels": 2, "height": 8, "width": 8}),
                  ("midi", {"height": 8, "width": 8})]
    for name, settings in candidates:
        pair = make_codec(name, settings), make_codec(name, settings)
        if lacking(type(pair[0]), cls.needs):
            continue
        try:
            cls.check(*pair, cls.configure({}, "method"))
        except SeqimgError:
            continue
        return pair
    raise AssertionError(f"{cls.__name__}: refuses both time series and MIDI with its default "
                         "settings; pass codecs= to check_method")


def check_critic(critic: str | type, codec=None, seed: int = 0) -> dict:
    """The critic contract: built as ``Critic(codec, seed, steps)`` (default codec: a
    two-channel time series) and fitted on windows of calm and of wild random walks, it gives a
    probability in [0, 1] for every window and tells the two apart on fresh windows (balanced
    accuracy above 0.8, or above the critic's own ``min_accuracy`` where a published protocol
    makes it weaker by design). Raises ``AssertionError`` naming the broken promise; returns
    the accuracy."""
    from seqimg.evaluate.classifier import accuracy
    from seqimg.registry import lookup, make_codec

    cls = lookup("critics", critic) if isinstance(critic, str) else critic
    name = getattr(cls, "__name__", str(critic))
    assert getattr(cls, "description", ""), f"{name}: has no description"
    codec = codec or make_codec("timeseries", {"channels": 2})
    rng = np.random.default_rng(seed)

    def walks(n: int, scale: float) -> np.ndarray:
        steps = rng.normal(0, scale, (n, 64, codec.n_features))
        return np.clip(np.cumsum(steps, axis=1), -1, 1).astype(np.float32)

    calm, wild = walks(160, 0.01), walks(160, 0.1)
    fitted = cls(codec, seed, 150).fit(calm[:80], wild[:80])
    p = np.asarray(fitted.probability(np.concatenate([calm[80:], wild[80:]])))
    assert p.shape == (160,), f"{name}: probability gives shape {p.shape} for 160 windows"
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all(), (
        f"{name}: probabilities leave [0, 1]")
    told = accuracy(fitted, calm[80:], wild[80:])
    least = getattr(cls, "min_accuracy", 0.8)
    assert told > least, f"{name}: tells calm from wild walks at only {told:.2f}"
    return {"accuracy": told}


def soft_frames(codec, seed: int = 0):
    """A batch of two windows of random frames that records gradients: in [-1, -0.5], as a
    sparse soft output is (a dense one saturates a soft OR over a window)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    frames = torch.rand(2, codec.layout.window_length, codec.n_features, generator=generator)
    return (frames / 2 - 1).requires_grad_()


def check_views(codec, statistics: bool = False) -> list[str]:
    """The view contract of a codec's content views (or, with ``statistics``, its batch
    statistics): each gives a finite tensor (a view one per window, shape (2, steps, ...)) that
    a gradient flows back through to the frames. Returns the names checked."""
    import torch

    from seqimg.codecs.capabilities import Viewed

    viewed = able(codec, Viewed)
    views = viewed.batch_statistics() if statistics else viewed.content_views()
    for view_name, view in views.items():
        frames = soft_frames(codec)
        out = view(frames)
        where = f"{codec.name}.{view_name}"
        assert torch.is_tensor(out), f"{where}: gives {type(out).__name__}"
        # a view is per window; a batch statistic may summarise the whole batch
        assert statistics or (out.ndim >= 2 and out.shape[0] == 2), (
            f"{where}: gives {tuple(out.shape)}, not (2, steps, ...) per window")
        assert torch.isfinite(out).all(), f"{where}: not finite"
        assert out.requires_grad, f"{where}: no gradient reaches the frames"
        out.float().square().sum().backward()
        assert frames.grad is not None and frames.grad.abs().sum() > 0, (
            f"{where}: no gradient reaches the frames")
    return list(views)


def check_control(control, codec, workdir: str | Path) -> None:
    """The rule-made control contract: it declares what it needs of a codec and whether it
    takes the target pieces (``@needs``), and made from the codec's example file it keeps the
    frames' shape, finite and in [-1, 1]."""
    name = getattr(control, "__name__", str(control))
    assert isinstance(getattr(control, "needs", None), tuple), (
        f"control {name!r} does not declare its needs (mark it with @needs(...))")
    assert isinstance(getattr(control, "takes_target", None), bool), (
        f"control {name!r} does not declare whether it takes the target pieces")
    frames = codec.frames(codec.example_file(Path(workdir)))
    given = {"target": [frames[::-1].copy()]} if control.takes_target else {}
    made = control(codec, frames, **given)
    assert made.shape == frames.shape, f"control {name!r}: {made.shape} from {frames.shape}"
    assert np.isfinite(made).all() and np.abs(made).max() <= 1, (
        f"control {name!r}: leaves [-1, 1] or is not finite")


def check_domain(name: str) -> None:
    """The domain contract: a dataclass ``Options``, a ``files(options, cache)`` hook, and
    ``resolve`` and ``make`` callable where the domain has them."""
    import dataclasses

    from seqimg.domains import domain_module

    module = domain_module(name)
    assert dataclasses.is_dataclass(module.Options), f"domain {name!r}: Options is no dataclass"
    assert callable(module.files), f"domain {name!r}: no files(options, cache)"
    for hook in ("resolve", "make"):
        assert callable(getattr(module, hook, callable)), f"domain {name!r}: {hook} not callable"


def check_variant(generator: str, discriminator: str, shape: tuple = (2, 8, 8)) -> None:
    """The model-variant contract, for a generator and a discriminator by name: built on images
    of ``shape``, G gives images of that shape, D finite logits for the one- and the
    three-way adversarial loss, and a loss on them and on f's code (what L_CONST reads) reaches
    every parameter of both."""
    import torch

    from seqimg.model.config import ModelConfig
    from seqimg.model.core import DTN

    images = torch.rand(4, *shape) * 2 - 1
    for outputs in (1, 3):
        cfg = ModelConfig(width=4, code_dim=8, generator=generator, discriminator=discriminator)
        model = DTN(shape, cfg, outputs)
        made, code, _ = model.translate(images)
        where = f"{generator} / {discriminator}"
        assert made.shape == images.shape, f"{where}: G gives {tuple(made.shape)}"
        logits = model.d(made)
        assert logits.shape[-1] == outputs and torch.isfinite(logits).all(), (
            f"{where}: D gives {tuple(logits.shape)} for {outputs} outputs")
        (logits.square().mean() + code.square().mean()).backward()
        frozen = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
        assert not frozen, f"{where}: no gradient reaches {frozen[:3]}"
