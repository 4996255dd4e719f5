"""Contracts for every kind a plugin can add, run over every registered part: content views and
batch statistics, rule-made controls, domains, and what ``seqimg`` exports to plugin authors.
(Codecs, methods and model variants have theirs in test_registry, test_methods, test_variants.)"""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import torch

from seqimg import registry
from seqimg.codecs.capabilities import Viewed, able, lacking

CODECS = sorted(registry.available("codecs"))
CONTROLS = sorted(registry.available("controls"))
DOMAINS = sorted(registry.available("domains"))


def codec_views(name: str, statistics: bool) -> dict:
    codec = registry.make_codec(name)
    viewed = able(codec, Viewed)
    return codec, viewed.batch_statistics() if statistics else viewed.content_views()


def soft_frames(codec, seed: int = 0) -> torch.Tensor:
    """A batch of two windows of random frames that records gradients: in [-1, -0.5], as a
    sparse soft output is (a dense one saturates a soft OR over a window)."""
    generator = torch.Generator().manual_seed(seed)
    length = codec.layout.window_length
    frames = torch.rand(2, length, codec.n_features, generator=generator) / 2 - 1
    return frames.requires_grad_()


@pytest.mark.parametrize("statistics", [False, True], ids=["views", "batch_statistics"])
@pytest.mark.parametrize("name", CODECS)
def test_every_view_keeps_the_batch_is_finite_and_differentiable(name, statistics):
    codec, views = codec_views(name, statistics)
    for view_name, view in views.items():
        frames = soft_frames(codec)
        out = view(frames)
        assert torch.is_tensor(out), f"{name}.{view_name}: gives {type(out).__name__}"
        # a view is per window; a batch statistic may summarise the whole batch
        assert statistics or (out.ndim >= 2 and out.shape[0] == 2), (
            f"{name}.{view_name}: gives {tuple(out.shape)}, not (2, steps, ...) per window")
        assert torch.isfinite(out).all(), f"{name}.{view_name}: not finite"
        out.float().square().sum().backward()
        assert frames.grad is not None and frames.grad.abs().sum() > 0, (
            f"{name}.{view_name}: no gradient reaches the frames")


def test_views_that_share_a_name_share_a_shape_per_step():
    """A view named alike in two codecs (chroma in MIDI and audio) must mean alike: the same
    values per step, so that a cross-codec recipe can compare them."""
    shapes: dict[str, dict[str, tuple]] = {}
    for name in CODECS:
        codec, views = codec_views(name, statistics=False)
        for view_name, view in views.items():
            with torch.no_grad():
                shapes.setdefault(view_name, {})[name] = tuple(view(soft_frames(codec)).shape[2:])
    shared = {view: by_codec for view, by_codec in shapes.items() if len(by_codec) > 1}
    assert "chroma" in shared  # the case the rule exists for
    for view, by_codec in shared.items():
        assert len(set(by_codec.values())) == 1, f"view {view!r} differs in shape: {by_codec}"


def codec_for(control) -> object:
    """The first registered codec with what ``control`` needs."""
    for name in CODECS:
        if not lacking(registry.codec_class(name), control.needs):
            return registry.make_codec(name)
    pytest.skip(f"no registered codec {lacking(object, control.needs)}")


@pytest.mark.parametrize("name", CONTROLS)
def test_every_control_declares_its_needs_and_keeps_the_frames_shape(tmp_path, name):
    control = registry.lookup("controls", name)
    assert isinstance(getattr(control, "needs", None), tuple), (
        f"control {name!r} does not declare its needs (mark it with @needs(...))")
    assert isinstance(getattr(control, "takes_target", None), bool), (
        f"control {name!r} does not declare whether it takes the target pieces")
    codec = codec_for(control)
    frames = codec.frames(codec.example_file(tmp_path))
    given = {"target": [frames[::-1].copy()]} if control.takes_target else {}
    made = control(codec, frames, **given)
    assert made.shape == frames.shape, f"control {name!r}: {made.shape} from {frames.shape}"
    assert np.isfinite(made).all() and np.abs(made).max() <= 1, (
        f"control {name!r}: leaves [-1, 1] or is not finite")


@pytest.mark.parametrize("name", DOMAINS)
def test_every_domain_has_options_and_files(name):
    from seqimg.domains import domain_module

    module = domain_module(name)
    assert dataclasses.is_dataclass(module.Options), f"domain {name!r}: Options is no dataclass"
    assert callable(module.files), f"domain {name!r}: no files(options, cache)"
    for hook in ("resolve", "make"):
        assert callable(getattr(module, hook, callable)), f"domain {name!r}: {hook} not callable"


def test_a_domain_plugin_is_found_through_its_entry_point(monkeypatch):
    from importlib.metadata import EntryPoint

    from seqimg.domains import domain_module

    monkeypatch.delenv("SEQIMG_PLUGINS", raising=False)
    monkeypatch.setattr(registry, "entry_points", lambda group: [
        EntryPoint("chorales_again", "seqimg.domains.classical", group)]
        if group == "seqimg.domains" else [])
    registry.clear_cache()
    try:
        assert domain_module("chorales_again").Options is domain_module("classical").Options
    finally:
        registry.clear_cache()


def test_an_unknown_domain_names_the_key_and_the_known_ones():
    from seqimg.domains import domain_module
    from seqimg.errors import SeqimgError

    with pytest.raises(SeqimgError,
                       match=r"source.domain: unknown domain 'nope' \(known: .*classical"):
        domain_module("nope", "source.domain")


def test_seqimg_exports_what_a_plugin_author_subclasses():
    script = ("import sys, seqimg\n"
              "from seqimg.codecs.base import SequenceCodec\n"
              "from seqimg.codecs.capabilities import NoteCodec\n"
              "assert seqimg.SequenceCodec is SequenceCodec and seqimg.NoteCodec is NoteCodec\n"
              "assert 'torch' not in sys.modules, 'import seqimg imported torch'\n"
              "from seqimg.methods.base import Signal, StepContext, TransferMethod\n"
              "assert (seqimg.TransferMethod, seqimg.StepContext, seqimg.Signal) == "
              "(TransferMethod, StepContext, Signal)\n"
              "assert set(seqimg.__all__) <= set(dir(seqimg)) | set(seqimg.LAZY)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_nearest_windows_finds_a_window_the_target_holds():
    from seqimg.codecs.window_controls import nearest_windows

    codec = registry.make_codec("timeseries", {"channels": 1, "height": 4, "width": 4})
    steps = np.linspace(0, 6, 48, dtype=np.float32)[:, None]
    source = np.sin(steps).astype(np.float32)  # three windows of 16 steps
    target = [np.cos(steps * 3).astype(np.float32), source[16:32].copy()]
    made = nearest_windows(codec, source, target=target)
    assert made.shape == source.shape
    np.testing.assert_array_equal(made[16:32], source[16:32])  # found as it is
