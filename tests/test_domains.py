"""Real offline data sources, on small slices."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from conftest import MELODY, need, write_midi

from seqimg.codecs.audio import AudioCodec
from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.notes import transpose_pitch_blocks
from seqimg.codecs.timeseries import TimeseriesCodec
from seqimg.data import codec_for, prepare_side, split_files
from seqimg.domains import domain_files
from seqimg.domains.wad import read_lumps
from seqimg.errors import SeqimgError
from seqimg.recipe import DataConfig, build_side, load_recipe

RECIPES = sorted(Path(__file__).parents[1].glob("recipes/*.yaml"))


def test_classical_chorales_convert_and_encode():
    need("music21")
    files = domain_files("classical", {"limit": 3})
    assert len(files) == 3 and all(f.suffix == ".mid" for f in files)
    frames = MidiCodec(pitch_low=28, pitch_high=99).frames(files[0])
    assert frames.shape[1] == 144 and len(frames) > 32


def test_another_composers_scores_convert_and_an_unknown_one_is_named():
    need("music21")
    files = domain_files("classical", {"composer": "monteverdi", "limit": 1})
    assert len(files) == 1 and files[0].parent.name == "monteverdi"
    assert len(MidiCodec(pitch_low=28, pitch_high=99).frames(files[0])) > 32
    with pytest.raises(SeqimgError, match="source.options: composer: .*'nobody'"):
        domain_files("classical", {"composer": "nobody"}, "source")


def test_metal_tracks_from_the_freedoom_wads():
    need("freedoom")
    guitar = domain_files("metal", {})
    everything = domain_files("metal", {"guitar_only": False})
    assert len(everything) == 67 and len(guitar) == 50
    frames = MidiCodec().frames(guitar[0])
    assert len(frames) > 256


def test_wad_reader_rejects_other_files(tmp_path):
    bad = tmp_path / "x.wad"
    bad.write_bytes(b"PK\x03\x04 not a wad")
    with pytest.raises(SeqimgError, match="x.wad: not a WAD file"):
        read_lumps(bad)


@pytest.mark.parametrize("name,options,count,shape", [
    ("basicmotions", {"activity": "walking"}, 20, (100, 6)),
    ("basicmotions", {"activity": "running"}, 20, (100, 6)),
    ("gunpoint", {"motion": "gun"}, 100, (150, 1)),
    ("italypower", {"season": "summer"}, 549, (24, 1)),
])
def test_time_series_sets(name, options, count, shape):
    files = domain_files(name, options)
    assert len(files) == count
    data = np.loadtxt(files[0], delimiter=",", skiprows=1, ndmin=2)
    assert data.shape == shape


def test_unknown_domain_and_options():
    with pytest.raises(SeqimgError, match="unknown domain 'jazz'"):
        domain_files("jazz", {})
    with pytest.raises(SeqimgError, match="unknown label 'jogging'"):
        domain_files("basicmotions", {"activity": "jogging"})
    with pytest.raises(SeqimgError, match="domain.options.speed: unknown key"):
        domain_files("gunpoint", {"speed": 2})


def test_rendered_audio_domain():
    need("music21", "fluidsynth")
    files = domain_files("rendered", {"corpus": "classical", "seconds": 2.0, "limit": 1})
    frames = AudioCodec().frames(files[0])
    assert frames.shape[1] == 64 and 80 <= len(frames) <= 90  # 2 s at 43 frames/s
    assert frames.max() > -0.5  # not silence


def test_corpus_with_bad_files_is_processed_with_them_counted(tmp_path):
    for i in range(4):
        write_midi(tmp_path / f"good{i}.mid", MELODY)
    (tmp_path / "broken.mid").write_bytes(b"MThd garbage")
    (tmp_path / "empty.mid").write_bytes(b"")
    side = build_side({"domain": "folder", "options": {"path": str(tmp_path)},
                       "codec": {"name": "midi", "height": 4, "width": 4}}, "source")
    data = DataConfig(heldout_fraction=0.0)
    domain = prepare_side(side, data, 0, "source")
    images = domain.windows()
    assert len(domain.skipped) == 2 and images.shape[1:] == (168, 4, 4)
    assert all("broken.mid" in k or "empty.mid" in k for k in domain.skipped)


def test_split_is_by_file_and_seeded():
    files = [Path(f"f{i}.mid") for i in range(20)]
    train, held, twins = split_files(files, DataConfig(heldout_fraction=0.2), seed=1)
    assert len(held) == 4 and not set(train) & set(held) and twins == 0
    assert split_files(files, DataConfig(heldout_fraction=0.2), seed=1) == (train, held, 0)
    train, held, _ = split_files(files, DataConfig(max_files=5, heldout_fraction=0.2), seed=1)
    assert len(train) + len(held) == 5


def test_twins_under_other_names_stay_on_one_side_of_the_split(tmp_path):
    """The same movement converted from .krn and from .mxl: two names, one note grid."""
    folder = tmp_path / "quartets"
    folder.mkdir()
    for i in range(10):
        notes = [(p + i, s, e) for p, s, e in MELODY]
        write_midi(folder / f"op{i}.krn.mid", notes, program=40)
        write_midi(folder / f"op{i}.mxl.mid", notes, program=41, tempo=96.0)
    side = build_side({"domain": "folder", "options": {"path": str(folder)},
                       "codec": {"name": "midi"}}, "source")
    data = DataConfig(heldout_fraction=0.2)
    domain = prepare_side(side, data, 0, "source")
    stems = lambda paths: {p.name.split(".")[0] for p in paths}  # noqa: E731
    assert not stems(domain.train) & stems(domain.heldout)
    assert len(domain.heldout) == 2 * len(stems(domain.heldout)) and domain.twins > 0
    unguarded = prepare_side(side, dataclasses.replace(data, twins=False), 0, "source")
    assert stems(unguarded.train) & stems(unguarded.heldout)  # what the guard prevents


def test_transposition_keeps_shape_and_moves_notes():
    codec = MidiCodec(pitch_low=24, pitch_high=107, transpose=2)
    frames = np.full((4, 168), -1.0, dtype=np.float32)
    frames[:, 60 - 24] = 1
    frames[0, 84 + 60 - 24] = 1
    up = transpose_pitch_blocks(frames, 2, 84, 2)
    assert codec.notes(up).tolist() == [[62, 0, 4]]
    assert len(codec.augment(frames)) == 4


def test_augmented_windows_multiply_training_data(tmp_path):
    write_midi(tmp_path / "a.mid", MELODY)

    def side(transpose):
        return build_side({"domain": "folder", "options": {"path": str(tmp_path)},
                           "codec": {"name": "midi", "height": 4, "width": 4,
                                     "transpose": transpose}}, "s")

    plain = DataConfig(heldout_fraction=0.0)
    rich = DataConfig(heldout_fraction=0.0, offsets=2)
    base = prepare_side(side(0), plain, 0, "s").windows()
    more = prepare_side(side(1), rich, 0, "s").windows()
    assert len(more) > 3 * len(base)


def test_series_augmentation_scales_about_the_middle():
    codec = TimeseriesCodec(channels=2, scales=(0.5,))
    frames = np.array([[1.0, -0.5], [0.0, 0.25]], dtype=np.float32)
    assert [a.tolist() for a in codec.augment(frames)] == [[[0.5, -0.25], [0.0, 0.125]]]
    assert TimeseriesCodec().augment(frames) == []
    with pytest.raises(SeqimgError, match=r"timeseries.scales: expected factors in \(0, 1\]"):
        TimeseriesCodec(scales=(2.0,))


@pytest.mark.parametrize("path", RECIPES, ids=[p.stem for p in RECIPES])
def test_every_recipe_resolves_its_codecs_and_domains(path):
    recipe = load_recipe(path)
    source, target = codec_for(recipe.source), codec_for(recipe.target)
    # one shape, or a cross-codec pair
    assert source.layout.window_length == target.layout.window_length
    assert type(recipe.source.options).__module__ == f"seqimg.domains.{recipe.source.domain}"
    assert type(recipe.target.options).__module__ == f"seqimg.domains.{recipe.target.domain}"


def test_timeseries_scaler_is_fitted_on_the_training_split(tmp_path):
    for i in range(5):
        np.savetxt(tmp_path / f"s{i}.csv", np.full((20, 1), float(i)), delimiter=",")
    side = build_side({"domain": "folder", "options": {"path": str(tmp_path), "pattern": "*.csv"},
                       "codec": {"name": "timeseries", "channels": 1}}, "s")
    domain = prepare_side(side, DataConfig(heldout_fraction=0.2), 0, "s")
    assert isinstance(domain.codec, TimeseriesCodec)
    used = sorted(int(p.stem[1:]) for p in domain.train)
    assert domain.codec.state() == {"low": [float(used[0])], "high": [float(used[-1])]}


def test_split_seed_holds_the_held_out_files_while_the_training_seed_changes(tmp_path):
    for i in range(10):
        write_midi(tmp_path / f"p{i}.mid", [(p + i, s, e) for p, s, e in MELODY])
    side = build_side({"domain": "folder", "options": {"path": str(tmp_path)},
                       "codec": {"name": "midi", "height": 4, "width": 4}}, "source")
    by_seed = {seed: prepare_side(side, DataConfig(heldout_fraction=0.3), seed, "s").heldout
               for seed in range(4)}
    assert len({tuple(h) for h in by_seed.values()}) > 1  # the recipe's seed moves the split
    pinned = DataConfig(heldout_fraction=0.3, split_seed=0)
    assert all(prepare_side(side, pinned, seed, "s").heldout == by_seed[0] for seed in range(4))


def test_a_rendered_side_renders_only_the_files_a_run_uses(tmp_path, monkeypatch):
    """data.max_files holds for what a domain makes: 3 of the chorales are rendered, not all
    of them, and a second preparation renders nothing again."""
    need("music21", "fluidsynth")
    from seqimg.domains import rendered

    monkeypatch.setenv("SEQIMG_CACHE", str(tmp_path / "cache"))
    drawn = []
    real = rendered.render_midi
    monkeypatch.setattr(rendered, "render_midi",
                        lambda pm, path, *args: drawn.append(path) or real(pm, path, *args))
    side = build_side({"domain": "rendered", "options": {"corpus": "classical", "seconds": 1.0,
                                                          "limit": 8},
                       "codec": {"name": "audio"}}, "target")
    data = DataConfig(max_files=3, heldout_fraction=0.34)
    domain = prepare_side(side, data, 0, "target")
    assert sorted(drawn) == sorted(domain.train + domain.heldout) and len(drawn) == 3
    assert all(path.is_file() for path in drawn)
    prepare_side(side, data, 0, "target")
    assert len(drawn) == 3  # cached
