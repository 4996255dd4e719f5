import subprocess
import sys
import warnings
from importlib.metadata import EntryPoint

import numpy as np
import pytest

from seqimg import registry
from seqimg.errors import SeqimgError
from seqimg.testing import check_codec


@pytest.mark.parametrize("name", sorted(registry.available("codecs")))
def test_every_registered_codec_passes_the_contract(tmp_path, name):
    codec = registry.make_codec(name)
    sample = codec.example_file(tmp_path)
    if sample is None:
        pytest.skip(f"codec {name!r} has no example_file hook to draw a sample from")
    check_codec(codec, sample, tmp_path)


def test_example_plugin_is_discovered_through_its_entry_point():
    codecs = registry.list_codecs()
    assert codecs["lines"].origin == "seqimg-example-codec"
    assert codecs["midi"].origin == "built-in"


def test_module_class_reference(tmp_path):
    cls = registry.codec_class("seqimg_example_codec:LinesCodec")
    assert cls.name == "lines"
    with pytest.raises(SeqimgError, match="cannot be imported"):
        registry.codec_class("no_such_module:Codec")


def test_unknown_codec_lists_known_ones():
    with pytest.raises(SeqimgError, match=r"unknown codec 'nope' \(known: .*midi"):
        registry.codec_class("nope")


@pytest.fixture
def fake_entry_points(monkeypatch):
    """Replace installed entry points with the given (name, value) pairs, afresh."""
    monkeypatch.delenv("SEQIMG_PLUGINS")

    def install(points):
        def entry_points(group):
            return [EntryPoint(name, value, group) for name, value in points]
        monkeypatch.setattr(registry, "entry_points", entry_points)
        registry.clear_cache()

    yield install
    registry.clear_cache()


def test_broken_and_duplicate_plugins_warn(fake_entry_points):
    fake_entry_points([("broken", "no_such_module:Codec"),
                       ("midi", "seqimg_example_codec:LinesCodec")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        codecs = registry.list_codecs()
    messages = " ".join(str(w.message) for w in caught)
    assert "broken" in messages and "failed to load" in messages
    assert "duplicates" in messages
    assert "broken" not in codecs and codecs["midi"].origin == "built-in"


def test_a_broken_plugin_warns_once_and_only_its_lookup_fails(fake_entry_points):
    fake_entry_points([("broken", "no_such_module:Codec")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            registry.list_codecs()
            registry.make_codec("timeseries")
    assert len([w for w in caught if "broken" in str(w.message)]) == 1
    with pytest.raises(SeqimgError, match="codec 'broken' from unknown package failed to load"):
        registry.make_codec("broken")


def test_looking_up_one_codec_imports_no_other():
    code = ("import sys; from seqimg.registry import make_codec; make_codec('timeseries'); "
            "print(sorted(m for m in ('pretty_midi', 'librosa', 'torch') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_contract_catches_a_lossy_codec(tmp_path):
    from seqimg_example_codec import LinesCodec

    class Quantised(LinesCodec):
        def from_frames(self, frames):
            return (super().from_frames(frames) // 10) * 10

    codec = Quantised()
    with pytest.raises(AssertionError, match="file round trip differs"):
        check_codec(codec, codec.example_file(tmp_path), tmp_path)


def test_contract_rejects_float64_frames_and_values_out_of_range(tmp_path):
    from seqimg_example_codec import LinesCodec

    class Doubles(LinesCodec):
        def to_frames(self, obj):
            return super().to_frames(obj).astype(np.float64)

    class Loud(LinesCodec):
        def to_frames(self, obj):
            return super().to_frames(obj) * np.float32(2)

    with pytest.raises(AssertionError, match="to_frames returns float64, not float32"):
        check_codec(Doubles(), None, tmp_path)
    with pytest.raises(AssertionError, match=r"lines: .*\[-1, 1\]"):
        check_codec(Loud(), None, tmp_path)


def test_codec_is_picked_by_suffix(tmp_path):
    assert registry.codec_for_suffix(tmp_path / "a.MID") == "midi"
    assert registry.codec_for_suffix(tmp_path / "a.csv") == "timeseries"
    assert registry.codec_for_suffix(tmp_path / "a.txt") == "lines"
    with pytest.raises(SeqimgError, match=r"a\.fa: no codec reads \.fa files \(known: midi "
                       r"\(\.mid \.midi\).*choose one with --codec"):
        registry.codec_for_suffix(tmp_path / "a.fa")


def test_an_ambiguous_suffix_lists_the_codecs(fake_entry_points):
    fake_entry_points([("lines2", "seqimg_example_codec:LinesCodec"),
                       ("lines", "seqimg_example_codec:LinesCodec")])
    with pytest.raises(SeqimgError, match=r"several codecs read \.txt files \(lines2, lines\)"):
        registry.codec_for_suffix(registry.Path("x.txt"))


def test_the_codec_core_says_only_what_every_codec_must_and_capabilities_default():
    """SequenceCodec keeps at most 25 public members; what a codec does not declare is asked
    for with ``able`` and answers with the capability's defaults."""
    from seqimg.codecs.base import SequenceCodec
    from seqimg.codecs.capabilities import Drawn, Fitted, Measured, Quantised, Timed, able
    from seqimg.codecs.midi import MidiCodec

    core = {m for m in dir(SequenceCodec) if not m.startswith("_")} | set(
        SequenceCodec.__annotations__)
    assert len(core) <= 25, sorted(core)
    assert not core & {"statistics", "draw_piece", "augment", "feature_groups", "fit", "timing"}
    plain = registry.make_codec("lines")  # the example plugin declares no capability
    frames = np.linspace(-1, 1, 40, dtype=np.float32)[:, None]
    assert set(able(plain, Measured).statistics(frames)) >= {"level", "spread"}
    assert able(plain, Quantised).frame_levels is None and able(plain, Fitted).state() == {}
    assert able(plain, Drawn).render_audio(frames, None) is False
    midi = MidiCodec()
    assert able(midi, Timed) is midi and able(midi, Quantised).frame_levels == (-1.0, 1.0)
