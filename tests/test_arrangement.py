"""Sampling an arrangement: the lead kept from the source (``keep``) and bars tied into riffs
(``riff_bars``)."""

from pathlib import Path

import pytest
import torch
from test_midi_parts import band_file

from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.note_geometry import nearest_shift
from seqimg.errors import SeqimgError
from seqimg.methods.diffusion import DiffusionConfig, DiffusionMethod
from seqimg.methods.riffs import bar_roots, tie_bars
from seqimg.recipe import load_recipe


def parts_method(**settings):
    codec = MidiCodec(encoding="parts", height=8, width=8, pitch_low=36, pitch_high=83)
    torch.manual_seed(0)
    cfg = DiffusionConfig(width=16, dilations=(1, 2), sampler_steps=3, **settings)
    return DiffusionMethod(codec, codec, cfg), codec


def test_tied_bars_repeat_the_first_moved_to_each_root():
    codec = MidiCodec(pitch_low=36, pitch_high=47, steps_per_beat=1)  # 12 pitches, bars of 4
    x = torch.full((1, 8, codec.n_features), -1.0)
    x[0, 0, 0] = x[0, 0, 12] = 1  # a C at the first step of bar 1 (sounding and onset)
    x[0, 6, 5] = 1  # a stray F inside bar 2, overwritten by the tie
    roots = torch.tensor([[0, 4]])  # C, then E
    free = torch.ones(codec.n_features, dtype=torch.bool)
    tied = tie_bars(x, roots, 4, 2, codec.transposed, free)
    assert (tied[0, 4] > 0).nonzero().flatten().tolist() == [4, 16]  # E and its onset
    assert tied[0, 6, 5] == -1 and torch.equal(tied[0, :4], x[0, :4])
    assert nearest_shift(torch.tensor(11), torch.tensor(0)).item() == -1  # B is a step down
    assert bar_roots(torch.eye(12)[[2, 2, 2, 2, 9, 9, 9, 9]][None]).tolist() == [[2, 9]]


def test_kept_features_are_left_as_they_are():
    codec = MidiCodec(pitch_low=36, pitch_high=47, steps_per_beat=1)
    x = torch.full((1, 8, codec.n_features), -1.0)
    x[0, 0, 0] = 1
    x[0, 5, 3] = 1
    free = torch.ones(codec.n_features, dtype=torch.bool)
    free[3] = False
    tied = tie_bars(x, torch.tensor([[0, 0]]), 4, 2, codec.transposed, free)
    assert tied[0, 5, 3] == 1 and tied[0, 4, 0] == 1 and tied[0, 5, 0] == -1


def test_the_lead_kept_is_the_sources_and_riffs_repeat(tmp_path):
    method, codec = parts_method(keep=("lead",), riff_bars=2)
    images = torch.from_numpy(codec.encode(band_file(tmp_path / "band.mid")).images)
    out = codec.layout.window_frames(method.eval().transfer(images))
    source = codec.layout.window_frames(images)
    lead = codec.feature_groups()["lead"]
    assert torch.equal(out[..., lead], source[..., lead])
    rhythm = codec.feature_groups()["rhythm"]
    bar = 4 * codec.steps_per_beat
    roots = bar_roots(codec.content_views()["bass"](source))
    second = codec.transposed(out[:, :bar], int(nearest_shift(roots[0, 1], roots[0, 0])))
    assert torch.equal(out[0, bar : 2 * bar, rhythm], second[0, :, rhythm])


@pytest.mark.parametrize("settings, message", [
    ({"keep": ("solo",)}, "method.keep.solo: the midi codec has no such feature group"),
    ({"riff_bars": 3}, "method.riff_bars: a window holds 4 bars, which riffs of 3"),
])
def test_bad_arrangement_settings_name_the_key(settings, message):
    codec = MidiCodec(encoding="parts", height=8, width=8, pitch_low=36, pitch_high=83)
    with pytest.raises(SeqimgError, match=message):
        DiffusionMethod.check(codec, codec, DiffusionConfig(**settings))


def test_a_parts_recipe_loads_and_writes_programs_per_part():
    recipe = load_recipe(Path(__file__).parents[1] / "recipes" / "midi_genre_parts.yaml")
    assert recipe.target.codec.encoding == "parts"
    assert recipe.target.codec.part_programs == (30, 29, 33)


def test_conditioning_augmentation_pools_the_training_views(tmp_path):
    from conftest import MELODY, write_midi
    from test_diffusion import small_method

    plain, codec = small_method()
    images = torch.from_numpy(codec.encode(write_midi(tmp_path / "m.mid", MELODY * 4)).images)
    state = plain.noise.get_state()
    assert torch.equal(plain.condition(plain.read_target, images, augment=True),
                       plain.condition(plain.read_target, images))
    assert torch.equal(plain.noise.get_state(), state)  # no draws without augmentation
    pooled, _ = small_method(train_view_spans=(4,))
    slow, _ = small_method(view_span=4)
    augmented = pooled.condition(pooled.read_target, images, augment=True)
    assert torch.equal(augmented, slow.condition(slow.read_target, images))
    assert not torch.equal(augmented, plain.condition(plain.read_target, images))
    noisy, _ = small_method(view_noise=0.5)
    assert not torch.equal(noisy.condition(noisy.read_target, images, augment=True),
                           plain.condition(plain.read_target, images))
