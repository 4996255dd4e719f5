"""The diffusion method: its noise, its sampler, its transfer-time settings, and a sweep over
them that trains once."""

import json
import re

import pytest
import torch
import yaml
from conftest import MELODY, run_cli, toy_midi_recipe, write_midi

from seqimg.codecs.midi import MidiCodec
from seqimg.errors import SeqimgError
from seqimg.methods.diffusion import DiffusionConfig, DiffusionMethod
from seqimg.recipe import load_recipe


def diffusion_recipe(folder, steps=3, evaluate=False):
    """The toy MIDI pair with the diffusion method, a small denoiser."""
    recipe = toy_midi_recipe(folder, pieces=6 if evaluate else 3)
    raw = yaml.safe_load(recipe.read_text())
    raw["data"] = {"heldout_fraction": 0.34}
    raw["method"] = {"name": "diffusion", "width": 16, "dilations": [1, 2], "sampler_steps": 2}
    raw["train"] = {"steps": steps, "batch_size": 4, "log_every": 1}
    raw["evaluate"] = ({"classifier_steps": 10, "window": 16, "render_audio": False,
                        "examples": 1} if evaluate else {"enabled": False})
    recipe.write_text(yaml.safe_dump(raw))
    return recipe


def small_method(**settings):
    codec = MidiCodec(height=8, width=8, pitch_low=36, pitch_high=83)
    torch.manual_seed(0)
    cfg = DiffusionConfig(width=16, dilations=(1, 2), sampler_steps=3, **settings)
    return DiffusionMethod(codec, codec, cfg), codec


def test_binary_corruption_keeps_everything_at_level_0_and_redraws_everything_at_level_1():
    method, codec = small_method()
    method.schedule.base_rate.fill_(0.25)
    x0 = torch.ones(64, codec.layout.window_length, codec.n_features)
    g = torch.Generator().manual_seed(0)
    assert torch.equal(method.schedule.add_noise(x0, torch.zeros(64), g), x0)
    redrawn = method.schedule.add_noise(x0, torch.ones(64), g)
    assert ((redrawn > 0).float().mean() - 0.25).abs() < 0.01  # the channel's base rate


def test_the_sampler_is_repeatable_and_its_seed_matters(tmp_path):
    method, codec = small_method()
    images = torch.from_numpy(codec.encode(write_midi(tmp_path / "m.mid", MELODY * 4)).images)
    method.eval()
    first, again = method.transfer(images), method.transfer(images)
    assert torch.equal(first, again) and set(first.unique().tolist()) <= {-1.0, 1.0}
    other, _ = small_method(sample_seed=1)
    other.load_state_dict(method.state_dict())
    assert not torch.equal(other.eval().transfer(images), first)
    assert method.resynthesise(images).shape == images.shape


@pytest.mark.parametrize("setting, message", [
    ("method.t0=1.5", "method.t0: expected a level in (0, 1], got 1.5"),
    ("method.guidance=-1", "method.guidance: expected 0 or more"),
    ("method.sampler_steps=0", "method.sampler_steps: expected 1 or more"),
    ("method.views=[]", "method.views: name at least one content view"),
    ("method.views=[pitch]", "method.views.pitch: the midi codec offers no such view"),
])
def test_bad_settings_are_refused_at_load_naming_the_key(tmp_path, setting, message):
    with pytest.raises(SeqimgError, match=re.escape(message)):
        load_recipe(diffusion_recipe(tmp_path), [setting])


def test_transfer_time_settings_change_without_retraining(tmp_path):
    from seqimg.run import run

    out = run(diffusion_recipe(tmp_path), tmp_path / "run", progress=False)
    checkpoint = out / "checkpoints" / "last.pt"
    piece = write_midi(tmp_path / "piece.mid", MELODY * 2)
    outputs = {}
    for t0 in ("0.5", "1.0"):
        result = run_cli("transfer", str(checkpoint), str(piece), "--out",
                         str(tmp_path / t0), "--set", f"method.t0={t0}")
        assert result.returncode == 0, result.stderr[-2000:]
        outputs[t0] = (tmp_path / t0 / "piece.mid").read_bytes()
    assert outputs["0.5"] != outputs["1.0"]
    refused = run_cli("transfer", str(checkpoint), str(piece), "--out", str(tmp_path / "x"),
                      "--set", "method.width=8")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: --set method.width: not a transfer-time setting "
                                     "of the diffusion method (those are: method.t0, ")
    bad = run_cli("transfer", str(checkpoint), str(piece), "--out", str(tmp_path / "x"),
                  "--set", "method.t0=0")
    assert bad.returncode == 1 and "method.t0: expected a level in (0, 1], got 0" in bad.stderr


def test_a_sweep_over_transfer_settings_trains_once_and_reports_the_ceiling(tmp_path):
    from seqimg.sweep import sweep

    recipe = diffusion_recipe(tmp_path, steps=4, evaluate=True)
    points = sweep(recipe, tmp_path / "sweep", ["method.t0=0.5,1.0"], progress=False)
    weights = [torch.load(p.folder / "checkpoints" / "last.pt", weights_only=True)["weights"]
               for p in points]
    assert all(torch.equal(v, weights[1][k]) for k, v in weights[0].items()
               if torch.is_tensor(v))
    configs = [yaml.safe_load((p.folder / "config.yaml").read_text()) for p in points]
    assert [c["method"]["t0"] for c in configs] == [0.5, 1.0]
    for point in points:
        report = json.loads((point.folder / "report.json").read_text())
        assert 0 <= report["tests"]["resynthesised"]["cnn"]["accuracy"] <= 1
        assert "bar_chroma" in report["content_similarity"]
        assert "ceiling: two-sample" in (point.folder / "report.md").read_text()
    with pytest.raises(SeqimgError, match="differs from .* in more than the method's transfer"):
        from seqimg.run import retransfer

        retransfer(recipe, tmp_path / "other", ["method.width=8"], points[0].folder,
                   progress=False)


def test_view_span_reads_the_view_per_bar(tmp_path):
    method, codec = small_method(view_span=4, views=("bass", "harmony"))
    notes = [(48 + (s // 4) % 5, s, s + 4) for s in range(0, 64, 4)]  # a new bass every beat
    images = torch.from_numpy(codec.encode(write_midi(tmp_path / "b.mid", notes)).images)
    condition = method.condition(method.read_source, images)  # (B, V, T)
    bars = condition.reshape(*condition.shape[:2], -1, 16)  # 16 steps per bar
    assert torch.equal(bars, bars[..., :1].expand_as(bars))  # one value per bar
    beats = small_method(views=("bass", "harmony"))[0].condition(method.read_source, images)
    assert not torch.equal(beats, condition)
    with pytest.raises(SeqimgError, match="method.view_span: the bass view has 16 rows per "
                                          "window, which 3 does not divide"):
        load_recipe(diffusion_recipe(tmp_path), ["method.view_span=3"])


def test_views_whose_rows_do_not_divide_the_window_are_stretched_to_it():
    from seqimg.codecs.timeseries import TimeseriesCodec

    codec = TimeseriesCodec(channels=1, height=8, width=8)  # the shape view has 61 rows of 64
    torch.manual_seed(0)
    method = DiffusionMethod(codec, codec, DiffusionConfig(width=8, dilations=(1,),
                                                           views=("shape", "trend")))
    images = torch.rand(3, *codec.layout.image_shape) * 2 - 1
    rows = {name: v.shape[1] for name, v in method.read_target(images).items()}
    assert rows["shape"] % 64 and rows["trend"] == 8
    condition = method.condition(method.read_target, images)
    assert condition.shape[0] == 3 and condition.shape[-1] == codec.layout.window_length
    out = method.eval().transfer(images)
    assert out.shape == images.shape and torch.isfinite(out).all()


@pytest.mark.parametrize("prediction", ["x0", "noise", "velocity"])
def test_each_prediction_target_gives_back_the_clean_window_when_predicted_exactly(prediction):
    from seqimg.methods.schedules import GaussianMix

    schedule = GaussianMix(prediction, "ode")
    x0 = torch.rand(4, 16, 2) * 1.6 - 0.8
    g = torch.Generator().manual_seed(0)
    x_t, wanted = schedule.training_pair(x0, torch.full((4,), 0.6), g)
    estimate = schedule.estimate(wanted, x_t, 0.6, False, g, "threshold")
    torch.testing.assert_close(estimate, x0)
    # the deterministic step stays on the straight path through x_t: at level 0.3 it holds the
    # same noise at the lower level, with no fresh draw
    noise = (x_t - 0.4 * x0) / 0.6
    torch.testing.assert_close(schedule.step(wanted, x_t, 0.6, 0.3, g), 0.7 * x0 + 0.3 * noise)
    renoised = GaussianMix(prediction, "renoise").step(wanted, x_t, 0.6, 0.3, g)
    assert not torch.allclose(renoised, 0.7 * x0 + 0.3 * noise)


def test_noise_and_velocity_targets_are_for_continuous_frames_only(tmp_path):
    with pytest.raises(SeqimgError, match=re.escape(
            "method.prediction: the midi codec's frames are on/off cells")):
        load_recipe(diffusion_recipe(tmp_path), ["method.prediction=noise"])


@pytest.mark.parametrize("dims, shape", [(1, (2, 3, 32)), (2, (2, 3, 8, 8))])
def test_positions_tell_the_denoiser_where_a_step_lies_in_the_window(dims, shape):
    from seqimg.model.denoisers import Denoiser

    x, condition = torch.zeros(shape), torch.zeros(shape[0], 2, *shape[2:])
    outputs = {}
    for positions in (False, True):
        torch.manual_seed(0)
        net = Denoiser(3, 2, 8, (1,), dims, positions)
        out = net(x, condition, torch.ones(2), torch.full((2,), 0.5)).flatten(2)
        outputs[positions] = out
    middle = slice(9, 12)  # steps whose 3-wide neighbourhood lies inside the window
    plain, placed = outputs[False][..., middle], outputs[True][..., middle]
    assert torch.allclose(plain, plain[..., :1].expand_as(plain))  # blind to place
    assert not torch.allclose(placed, placed[..., :1].expand_as(placed))
