"""Content views of MIDI frames and the view-constancy loss, against hand-made pieces."""

import numpy as np
import pytest
import torch
from conftest import MELODY, write_midi

from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.notes import notes_to_pitch_channels, notes_to_pitch_levels
from seqimg.errors import SeqimgError
from seqimg.methods.dtn.losses import StepTensors, ViewConstancyLoss
from seqimg.methods.dtn.readers import OutputSnap
from seqimg.views import ViewReader

# a C major triad over a bass C for one beat, then C-G with a high C on top
PIECE = np.array([[48, 0, 8], [64, 0, 4], [67, 0, 8], [72, 4, 8]])
C, E, G = 0, 4, 7


def views_of(encoding, notes=PIECE):
    codec = MidiCodec(encoding=encoding, pitch_low=24, pitch_high=107)
    encode = notes_to_pitch_levels if encoding == "pitch-levels" else notes_to_pitch_channels
    frames = torch.from_numpy(encode(notes, 8, 24, 107))[None]
    return {name: view(frames)[0].numpy() for name, view in codec.content_views().items()}


@pytest.mark.parametrize("encoding", ["pitch-channels", "pitch-levels"])
def test_views_of_a_hand_made_piece(encoding):
    views = views_of(encoding)
    expected_harmony = np.zeros((2, 12))
    expected_harmony[0, [C, E, G]] = 1
    expected_harmony[1, [C, G]] = 1
    np.testing.assert_allclose(views["harmony"], expected_harmony, atol=1e-5)
    np.testing.assert_allclose(views["bass"], np.eye(12)[[C, C]], atol=1e-5)
    expected_voicing = expected_harmony.copy()
    expected_voicing[0, C] = 1  # MIDI 48 alone
    expected_voicing[1, C] = 2  # MIDI 48 and 72: two voices on C
    np.testing.assert_allclose(views["voicing"], expected_voicing, atol=1e-5)
    np.testing.assert_allclose(views["melody"], np.eye(12)[[G] * 4 + [C] * 4], atol=1e-5)
    np.testing.assert_allclose(views["rhythm"][:, 0], [1, 0, 0, 0, 1, 0, 0, 0], atol=1e-5)
    expected_chroma = np.zeros((8, 12))
    expected_chroma[:4, [C, E, G]] = 1 / 3  # C3, E4, G4
    expected_chroma[4:, [C, G]] = [2 / 3, 1 / 3]  # C3, G4, C5
    np.testing.assert_allclose(views["chroma"], expected_chroma, atol=1e-5)


def test_views_of_soft_frames_are_soft_and_differentiable():
    codec = MidiCodec(pitch_low=24, pitch_high=107)
    frames = torch.full((1, 4, 168), -1.0)
    frames[0, :, 60 - 24] = 0.0  # C4 half on
    frames.requires_grad_()
    bass = codec.content_views()["bass"](frames)
    assert bass[0, 0, C].item() == pytest.approx(0.5)
    bass[0, 0, C].backward()
    assert frames.grad[0, :, 60 - 24].abs().sum() > 0


def test_voices_encoding_offers_no_views_and_recipes_say_so():
    assert MidiCodec(encoding="voices").content_views() == {}
    with pytest.raises(SeqimgError, match="losses.views.bass: the midi codec offers no such"):
        ViewReader(MidiCodec(encoding="voices"), ["bass"])


def test_reader_goes_through_the_fold(tmp_path):
    codec = MidiCodec(height=4, width=8)
    images = codec.encode(write_midi(tmp_path / "m.mid", MELODY)).images
    views = ViewReader(codec, ["melody"])(torch.from_numpy(images))
    frames = codec.frames(tmp_path / "m.mid")
    top = codec.content_views()["melody"](torch.from_numpy(frames)[None])
    np.testing.assert_allclose(views["melody"][0].numpy(), top[0].numpy(), atol=1e-6)


def test_view_constancy_loss_by_hand():
    a, b = torch.zeros(1, 2, 12), torch.zeros(1, 2, 12)
    b[0, 0, C] = 1.0
    x = StepTensors(*[torch.zeros(1)] * 8, views_source={"harmony": a, "bass": a},
                    views_g_source={"harmony": b, "bass": a})
    loss = ViewConstancyLoss({"harmony": 2.0, "bass": 5.0})(x)
    assert loss.item() == pytest.approx(2.0 * 1 / 24)


def test_training_with_views_logs_l_views_and_its_gradient_reaches_g(tmp_path):
    from conftest import dtn_trainer

    from seqimg.methods.dtn.config import DtnTrainConfig, LossConfig

    codec = MidiCodec(height=8, width=8, pitch_low=36, pitch_high=83)
    pieces = [write_midi(tmp_path / f"p{i}.mid", [(p + i, s, e) for p, s, e in MELODY * 2])
              for i in range(4)]
    images = torch.from_numpy(np.concatenate([codec.encode(p).images for p in pieces]))
    losses = LossConfig(const_weight=0.0, tid_weight=0.0, views={"harmony": 1.0, "bass": 1.0})
    trainer = dtn_trainer(images, images, losses=losses,
                          dtn_train=DtnTrainConfig(straight_through=True), codecs=(codec, codec),
                          steps=2, batch_size=4, log_every=1)
    model = trainer.method.model
    history = trainer.fit(progress=False)
    assert all(np.isfinite(h["L_VIEWS"]) and h["L_VIEWS"] > 0 for h in history)
    # through the straight-through snap, L_VIEWS alone moves g's weights
    s = images[:4]
    signals = trainer.method.codec_signals(s, s, model(s))
    views_s, views_gs = signals["views_source"], signals["views_g_source"]
    model.zero_grad()
    sum(((views_gs[k] - views_s[k]) ** 2).mean() for k in views_s).backward()
    assert sum(p.grad.abs().sum() for p in model.g.parameters() if p.grad is not None) > 0


def test_onset_rule_by_hand():
    from seqimg.codecs.notes import onset_rule

    sounding = np.array([[1, 0], [1, 0], [0, 1], [1, 1], [1, 0]], dtype=bool)
    onsets = np.array([[0, 1], [0, 0], [0, 0], [1, 1], [0, 0]], dtype=bool)
    # column 0: runs start at 0 and 3 (onset kept at 3); column 1: the onset at 0 is silent
    # (dropped), the run 2-3 gets its start at 2 and keeps the onset at 3
    expected = np.array([[1, 0], [0, 0], [0, 1], [1, 1], [0, 0]], dtype=bool)
    np.testing.assert_array_equal(onset_rule(sounding, onsets), expected)


def stray_frames():
    """A G-like output: C4 sounds for steps 0-5 with no onset, a stray onset on D4 at 2."""
    frames = np.full((8, 168), -1.0, dtype=np.float32)
    frames[0:6, 60 - 24] = 1
    frames[2, 84 + 62 - 24] = 1
    return frames


def test_decoding_with_the_onset_rule_plays_runs_and_drops_stray_onsets():
    assert MidiCodec().notes(stray_frames()).tolist() == [[62, 2, 3]]
    assert MidiCodec(onset_rule=True).notes(stray_frames()).tolist() == [[60, 0, 6]]


def test_the_rule_keeps_real_pieces_exactly(tmp_path, chorale_mid):
    from seqimg.testing import check_codec

    check_codec(MidiCodec(onset_rule=True, height=8, width=8), chorale_mid, tmp_path)


def test_snap_shows_d_what_decoding_reads(tmp_path):
    codec = MidiCodec(onset_rule=True, height=2, width=4)
    images = codec.layout.frames_to_images(stray_frames() * 0.7)  # soft output of G
    snapped = OutputSnap(codec)(torch.from_numpy(images).requires_grad_())
    frames = codec.layout.images_to_frames(snapped.detach().numpy(), 8)
    assert set(np.unique(frames)) == {-1.0, 1.0}
    assert codec.notes(frames).tolist() == [[60, 0, 6]]
    assert frames[0, 84 + 60 - 24] == 1 and frames[2, 84 + 62 - 24] == -1
    plain = OutputSnap(MidiCodec(height=2, width=4))(torch.from_numpy(images))
    assert plain.numpy()[:, 84 + 62 - 24].max() == 1  # without the rule the stray onset stays


def test_batch_statistics_by_hand():
    codec = MidiCodec(pitch_low=24, pitch_high=107)  # 84 pitches, 4 steps per beat
    stats = codec.batch_statistics()
    frames = torch.from_numpy(notes_to_pitch_channels(PIECE, 8, 24, 107))[None]
    # sounding cells: 48 x8, 64 x4, 67 x8, 72 x4 = 24 over 8 steps; 4 notes start in 2 beats
    assert stats["polyphony"](frames).item() == pytest.approx(3.0)
    assert stats["density"](frames).item() == pytest.approx(2.0)
    expected = (8 * 24 + 4 * 40 + 8 * 43 + 4 * 48) / 24 / 83
    assert stats["register"](frames).item() == pytest.approx(expected)
    assert stats["pitches"](frames).item() == pytest.approx(4.0)  # 48, 64, 67, 72
    stray = frames.clone().requires_grad_(True)
    with torch.no_grad():
        stray[0, 5, 10] = 1.0  # one step of pitch 34, which the piece never uses
    assert stats["pitches"](stray).item() == pytest.approx(5.0)
    stats["pitches"](stray).backward()
    assert stray.grad[0, 5, 10] > 0 and stray.grad[0, 2, 48 - 24] == 0  # the stray note pays
    assert MidiCodec(encoding="voices").batch_statistics() == {}


def test_match_loss_by_hand_and_in_training(tmp_path):
    from conftest import dtn_trainer

    from seqimg.methods.dtn.config import DtnTrainConfig, LossConfig
    from seqimg.methods.dtn.losses import TargetMatchLoss

    x = StepTensors(*[torch.zeros(1)] * 8, match_g_source={"register": torch.tensor(0.7)},
                    match_target={"register": torch.tensor(0.4)})
    assert TargetMatchLoss({"register": 10.0})(x).item() == pytest.approx(0.9)

    codec = MidiCodec(height=8, width=8, pitch_low=36, pitch_high=83)
    images = torch.from_numpy(codec.encode(write_midi(tmp_path / "p.mid", MELODY * 2)).images)
    trainer = dtn_trainer(images, images, losses=LossConfig(match={"register": 1.0,
                                                                   "density": 1.0}),
                          dtn_train=DtnTrainConfig(straight_through=True), codecs=(codec, codec),
                          steps=2, batch_size=2, log_every=1)
    assert all(np.isfinite(h["L_MATCH"]) for h in trainer.fit(progress=False))
    with pytest.raises(SeqimgError, match="losses.match.pitch: the midi codec offers no such"):
        ViewReader(codec, ["pitch"], "losses.match", statistics=True)


def test_series_views_by_hand():
    from seqimg.codecs import series_views as sv

    ramp = torch.arange(4.0).reshape(1, 4, 1)
    assert sv.moving_average(ramp, 2)[0, :, 0].tolist() == [0.5, 1.5, 2.5]
    assert sv.moving_average(ramp, 1)[0, :, 0].tolist() == [0.0, 1.0, 2.0, 3.0]
    long = torch.arange(64.0).reshape(1, 64, 1)
    assert sv.trend(long)[0, :, 0].tolist() == [3.5 + 8 * k for k in range(8)]
    assert sv.level(ramp).item() == pytest.approx(1.5)
    assert sv.spread(ramp).item() == pytest.approx(np.std([0, 1, 2, 3]), abs=1e-5)


def test_series_shape_ignores_level_and_scale_but_not_the_shape():
    from seqimg.registry import make_codec

    codec = make_codec("timeseries", {"channels": 2, "height": 8, "width": 8})
    t = torch.linspace(0, 6.28, 64)
    x = torch.stack([torch.sin(t), torch.cos(3 * t)], -1)[None]
    shape = codec.content_views()["shape"]
    assert shape(x).shape == (1, 61, 2)  # low-passed over 4 steps
    torch.testing.assert_close(shape(0.3 * x - 0.2), shape(x), atol=1e-4, rtol=0)
    assert (shape(x.flip(1)) - shape(x)).abs().mean() > 0.5
    y = x.clone().requires_grad_(True)
    ViewReader(codec, ["shape", "trend"])(codec.layout.window_images(y))["shape"].sum().backward()
    assert y.grad is not None
    assert set(codec.batch_statistics()) == {"level", "spread"}


@pytest.mark.parametrize("frequency,pitch_class", [(440.0, 9), (261.63, 0), (196.0, 7)])
def test_audio_chroma_view_finds_the_pitch_class_of_a_tone(frequency, pitch_class):
    import librosa

    from seqimg.registry import make_codec

    codec = make_codec("audio", {})
    tone = librosa.tone(frequency, sr=22050, duration=1.0) * 0.5
    frames = torch.from_numpy(codec.to_frames(tone))[None]
    views = codec.content_views()
    chroma = views["chroma"](frames)[0].mean(0)
    assert chroma.argmax().item() == pitch_class and chroma.sum().item() == pytest.approx(1.0)
    louder = views["loudness"](torch.from_numpy(codec.to_frames(tone * 4))[None])
    assert louder.mean() > views["loudness"](frames).mean()
    assert make_codec("audio", {"spectral": "mfcc"}).content_views() == {}


def test_a_lone_note_that_is_on_still_gets_a_gradient_from_harmony():
    """After snapping, a stray note is at probability 1; the soft OR must still tell it how
    switching off would change its pitch class (through logarithms, it got none)."""
    codec = MidiCodec(pitch_low=24, pitch_high=107)
    frames = torch.from_numpy(notes_to_pitch_channels(PIECE, 8, 24, 107))[None]
    stray = frames.clone()
    stray[0, 1, 61 - 24] = 1.0  # C#4 for one step: a pitch class the piece never uses
    stray.requires_grad_(True)
    harmony = codec.content_views()["harmony"]
    ((harmony(stray) - harmony(frames)) ** 2).sum().backward()
    assert stray.grad[0, 1, 61 - 24] > 0  # pushed down, towards off
    assert stray.grad[0, 1, 67 - 24] == 0  # G (on, and its class kept) is left alone
