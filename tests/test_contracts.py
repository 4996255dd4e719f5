"""Contracts for every kind a plugin can add, run over every registered part through the helpers
of ``seqimg.testing``: content views and batch statistics, rule-made controls, domains, model
variants, and what ``seqimg`` exports to plugin authors. (Codecs, methods and critics have
theirs in test_registry, test_methods, test_critics.)"""

import subprocess
import sys

import numpy as np
import pytest
import torch

from seqimg import registry
from seqimg.codecs.capabilities import Viewed, able, lacking
from seqimg.testing import check_control, check_domain, check_variant, check_views, soft_frames

CODECS = sorted(registry.available("codecs"))
CONTROLS = sorted(registry.available("controls"))
DOMAINS = sorted(registry.available("domains"))
GENERATORS = sorted(registry.available("generators"))
DISCRIMINATORS = sorted(registry.available("discriminators"))


@pytest.mark.parametrize("statistics", [False, True], ids=["views", "batch_statistics"])
@pytest.mark.parametrize("name", CODECS)
def test_every_view_keeps_the_batch_is_finite_and_differentiable(name, statistics):
    check_views(registry.make_codec(name), statistics)


def test_views_that_share_a_name_share_a_shape_per_step():
    """A view named alike in two codecs (chroma in MIDI and audio) must mean alike: the same
    values per step, so that a cross-codec recipe can compare them."""
    shapes: dict[str, dict[str, tuple]] = {}
    for name in CODECS:
        codec = registry.make_codec(name)
        for view_name, view in able(codec, Viewed).content_views().items():
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
    check_control(control, codec_for(control), tmp_path)


@pytest.mark.parametrize("name", DOMAINS)
def test_every_domain_has_options_and_files(name):
    check_domain(name)


@pytest.mark.parametrize("discriminator", DISCRIMINATORS)
@pytest.mark.parametrize("generator", GENERATORS)
def test_every_variant_pair_builds_and_passes_gradients(generator, discriminator):
    check_variant(generator, discriminator)


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


def test_the_contract_helpers_catch_a_broken_part(tmp_path):
    """Each helper fails on a part that breaks its promise: a control without ``@needs``, a
    view that cuts the gradient, a control that leaves [-1, 1]."""
    from seqimg.codecs.capabilities import needs
    from seqimg.codecs.timeseries import TimeseriesCodec

    codec = TimeseriesCodec(channels=1)
    codec.fit([codec.example_file(tmp_path)])

    def undeclared(codec, frames):
        return frames

    with pytest.raises(AssertionError, match="does not declare its needs"):
        check_control(undeclared, codec, tmp_path)
    loud = needs()(lambda codec, frames: frames * 3)
    with pytest.raises(AssertionError, match="leaves \\[-1, 1\\]"):
        check_control(loud, codec, tmp_path)

    class Cut(TimeseriesCodec):
        def content_views(self):
            return {"level": lambda frames: frames.detach().mean(-1, keepdim=True)}

    with pytest.raises(AssertionError, match="timeseries.level: no gradient reaches"):
        check_views(Cut(channels=1))
    assert check_views(codec) == list(codec.content_views())  # the unbroken one passes
