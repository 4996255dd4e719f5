import warnings
from importlib.metadata import EntryPoint

import pytest
from conftest import MELODY, series_csv, tone_wav, write_midi

from seqimg import registry
from seqimg.errors import SeqimgError
from seqimg.testing import check_codec


def sample_for(name, tmp_path):
    """A small input file for each registered codec."""
    if name in ("midi", "pianoroll"):
        return write_midi(tmp_path / "m.mid", MELODY), {}
    if name == "audio":
        return tone_wav(tmp_path / "t.wav"), {}
    if name == "timeseries":
        return series_csv(tmp_path / "s.csv", channels=3)[0], {"channels": 3}
    if name == "lines":
        path = tmp_path / "l.txt"
        path.write_text("\n".join(str(v) for v in range(0, 100, 3)))
        return path, {}
    raise AssertionError(f"no sample for codec {name}")


@pytest.mark.parametrize("name", sorted(registry.list_codecs()))
def test_every_registered_codec_passes_the_contract(tmp_path, name):
    path, config = sample_for(name, tmp_path)
    codec = registry.make_codec(name, config)
    check_codec(codec, path, tmp_path, exact=name != "audio")


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


def fake_entry_points(points):
    def entry_points(group):
        return [EntryPoint(name, value, group) for name, value in points]
    return entry_points


def test_broken_and_duplicate_plugins_warn(monkeypatch):
    monkeypatch.setattr(registry, "entry_points", fake_entry_points(
        [("broken", "no_such_module:Codec"), ("midi", "seqimg_example_codec:LinesCodec")]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        codecs = registry.list_codecs()
    messages = " ".join(str(w.message) for w in caught)
    assert "broken" in messages and "failed to load" in messages
    assert "duplicates" in messages
    assert "broken" not in codecs and codecs["midi"].origin == "built-in"


def test_contract_catches_a_lossy_codec(tmp_path):
    from seqimg_example_codec import LinesCodec

    class Quantised(LinesCodec):
        def from_frames(self, frames):
            return (super().from_frames(frames) // 10) * 10

    path, _ = sample_for("lines", tmp_path)
    with pytest.raises(AssertionError, match="file round trip differs"):
        check_codec(Quantised(), path, tmp_path)
