import numpy as np
import pytest
from conftest import series_csv

from seqimg.codecs.audio import AudioCodec
from seqimg.codecs.timeseries import TimeseriesCodec
from seqimg.errors import SeqimgError


@pytest.mark.parametrize("header", [True, False])
def test_timeseries_restores_original_units(tmp_path, header):
    path, data = series_csv(tmp_path / "s.csv", header=header)
    codec = TimeseriesCodec(channels=3, hop=32)
    codec.fit([path])
    encoded = codec.encode(path)
    assert encoded.images.shape[1:] == (3, 8, 8)
    out = codec.decode(encoded.images, encoded.length, tmp_path / "out.csv")
    back = np.loadtxt(out, delimiter=",", skiprows=1)
    span = data.max(0) - data.min(0)
    assert np.abs(back - data).max(axis=0).max() / span.min() < 1e-5
    np.testing.assert_allclose(back, data, rtol=1e-5)


def test_timeseries_npy_and_stored_scaler(tmp_path):
    data = np.random.default_rng(3).normal(5.0, 2.0, size=(70, 2))
    np.save(tmp_path / "a.npy", data)
    fitted = TimeseriesCodec(channels=2)
    fitted.fit([tmp_path / "a.npy"])
    restored = TimeseriesCodec(channels=2)
    restored.load_state(fitted.state())
    encoded = restored.encode(tmp_path / "a.npy")
    out = restored.decode(encoded.images, encoded.length, tmp_path / "b.npy")
    np.testing.assert_allclose(np.load(out), data, rtol=1e-5, atol=1e-5)


def test_timeseries_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,x\n")
    with pytest.raises(SeqimgError, match="bad.csv: not a numeric table"):
        TimeseriesCodec(channels=2).fit([bad])
    path, _ = series_csv(tmp_path / "s.csv", channels=3)
    with pytest.raises(SeqimgError, match="s.csv: has 3 columns, codec expects 2"):
        TimeseriesCodec(channels=2).fit([path])
    with pytest.raises(SeqimgError, match="not fitted"):
        TimeseriesCodec(channels=3).encode(path)


def mel_db(codec, path):
    return codec.frames(path)[:, : codec.config.bands]


@pytest.mark.parametrize("inverse, floor", [("nnls", 0.9), ("pinv", 0.8)])
def test_audio_round_trip_mel_correlation(tmp_path, tone, inverse, floor):
    """The log-mel round trip of a tone; the pseudo-inverse is rougher in the quiet bands."""
    codec = AudioCodec(mel_inverse=inverse)
    encoded = codec.encode(tone)
    assert encoded.images.shape[1:] == (64, 16, 16)
    out = codec.decode(encoded.images, encoded.length, tmp_path / "out.wav")
    original, again = mel_db(codec, tone), mel_db(codec, out)
    length = min(len(original), len(again))
    corr = np.corrcoef(original[:length].ravel(), again[:length].ravel())[0, 1]
    assert corr >= floor


def test_audio_options_add_features(tmp_path, tone):
    codec = AudioCodec(spectral="mfcc", bands=20, f0=True, loudness=True)
    frames = codec.frames(tone)
    assert frames.shape[1] == 22 == codec.n_features
    f0 = frames[:, 20]
    assert f0[5] > f0[-5]  # 440 Hz first half, 330 Hz second half
    out = codec.decode(codec.encode(tone).images, len(frames), tmp_path / "mfcc.wav")
    assert out.stat().st_size > 1000


def test_audio_rejects_non_audio(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF nonsense")
    with pytest.raises(SeqimgError, match="bad.wav: not a readable audio file"):
        AudioCodec().frames(bad)


def test_audio_decoding_is_a_function_of_the_frames(tmp_path, tone):
    codec = AudioCodec(griffin_lim_iters=4)
    encoded = codec.encode(tone)
    first = codec.decode(encoded.images, encoded.length, tmp_path / "a.wav").read_bytes()
    np.random.seed(123)  # neither the global state nor fresh entropy may matter
    second = codec.decode(encoded.images, encoded.length, tmp_path / "b.wav").read_bytes()
    assert first == second


def test_series_moments_give_every_written_series_the_training_series_mean_and_spread(tmp_path):
    rng = np.random.default_rng(1)
    paths = []
    for i in range(5):  # z-normalised series, as the UCR/UEA archives hold them
        values = np.cumsum(rng.normal(size=(60, 2)), axis=0)
        np.save(tmp_path / f"s{i}.npy", (values - values.mean(0)) / values.std(0))
        paths.append(tmp_path / f"s{i}.npy")
    codec = TimeseriesCodec(channels=2, series_moments=True)
    codec.fit(paths)
    frames = codec.frames(paths[0]) * 0.5 + 0.1  # a made series off the invariant
    written = np.load(codec.save_frames(frames, tmp_path / "out.npy"))
    np.testing.assert_allclose(written.mean(0), 0, atol=1e-9)
    np.testing.assert_allclose(written.std(0), 1, atol=1e-9)
    restored = TimeseriesCodec(channels=2, series_moments=True)
    restored.load_state(codec.state())
    np.testing.assert_allclose(restored.from_frames(frames), codec.from_frames(frames))
    plain = TimeseriesCodec(channels=2)
    plain.load_state(codec.state())
    assert abs(plain.from_frames(frames).mean(0)).max() > 0.1  # off by default
