"""A user's own files: the folder domain's defaults and errors, encode picking the codec and the
settings a file implies, and messages that name the file."""

import numpy as np
import pytest
import torch
from conftest import MELODY, run_cli, series_csv, write_midi

from seqimg import checkpoint
from seqimg.data import DataConfig, prepare_side
from seqimg.errors import SeqimgError
from seqimg.recipe import build_side, load_recipe
from seqimg.transfer import load_pair


def midi_side(path, where="source", recipe_dir=None, **options):
    return build_side({"domain": "folder", "options": {"path": str(path), **options},
                       "codec": {"name": "midi", "height": 4, "width": 4}}, where, recipe_dir)


def test_folder_defaults_to_the_codec_suffixes_in_any_case_and_subfolder(tmp_path):
    (tmp_path / "deep" / "er").mkdir(parents=True)
    for name in ("a.mid", "B.MID", "deep/c.midi", "deep/er/d.Mid"):
        write_midi(tmp_path / name, MELODY)
    (tmp_path / "notes.txt").write_text("not music")
    side = midi_side(tmp_path)
    assert side.options.suffixes == (".mid", ".midi")
    domain = prepare_side(side, DataConfig(heldout_fraction=0.0), 0, "source")
    assert sorted(p.name for p in domain.train) == ["B.MID", "a.mid", "c.midi", "d.Mid"]
    series = build_side({"domain": "folder", "options": {"path": str(tmp_path)},
                         "codec": {"name": "timeseries"}}, "target")
    assert series.options.suffixes == (".csv", ".npy")


def test_folder_path_is_relative_to_the_recipe_file(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "data" / "a").mkdir(parents=True)
    (project / "data" / "b").mkdir()
    for side in ("a", "b"):
        for i in range(2):
            write_midi(project / "data" / side / f"p{i}.mid", MELODY)
    recipe = project / "recipe.yaml"
    recipe.write_text("source: {domain: folder, options: {path: data/a}, codec: {name: midi}}\n"
                      "target: {domain: folder, options: {path: data/b}, codec: {name: midi}}\n")
    monkeypatch.chdir(tmp_path)  # elsewhere: the paths still start at the recipe's folder
    loaded = load_recipe(recipe)
    assert loaded.source.options.path == str(project / "data" / "a")
    domain = prepare_side(loaded.source, DataConfig(heldout_fraction=0.0), 0, "source")
    assert len(domain.train) == 2


def test_folder_errors_name_the_key_the_path_and_the_pattern(tmp_path):
    (tmp_path / "x.csv").write_text("1\n2\n")
    with pytest.raises(SeqimgError, match=rf"^source\.options: no files under {tmp_path} match "
                       r"suffixes \.mid, \.midi \(any case, any subfolder\)$"):
        prepare_side(midi_side(tmp_path), DataConfig(), 0, "source")
    with pytest.raises(SeqimgError, match=rf"^target\.options: no files under {tmp_path} match "
                       r"pattern 'train/\*\.mid'$"):
        prepare_side(midi_side(tmp_path, "target", pattern="train/*.mid"), DataConfig(), 0,
                     "target")
    with pytest.raises(SeqimgError, match=rf"^source\.options: path {tmp_path}/nope: no such "
                       "folder$"):
        prepare_side(midi_side(tmp_path / "nope"), DataConfig(), 0, "source")


def test_encode_picks_the_codec_by_suffix_and_infers_the_channels(tmp_path):
    path, data = series_csv(tmp_path / "s.csv", channels=3)
    npy = tmp_path / "s.npy"
    result = run_cli("encode", str(path), "--out", str(npy))
    assert result.returncode == 0, result.stderr
    assert "(timeseries codec)" in result.stdout and np.load(npy).shape[1] == 3
    unknown = tmp_path / "x.fa"
    unknown.write_text(">x\nACGT\n")
    result = run_cli("encode", str(unknown), "--out", str(npy))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {unknown}: no codec reads .fa files (known: midi")


def test_a_table_with_other_columns_says_which_setting_to_change(tmp_path):
    path, _ = series_csv(tmp_path / "s.csv", channels=3)
    result = run_cli("encode", str(path), "--codec", "timeseries", "-o", "channels=1",
                     "--out", str(tmp_path / "s.npy"))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {path}: has 3 columns, codec expects 1 (set the "
                                     "codec's channels to 3)")


def test_decode_refuses_a_suffix_its_codec_does_not_write(tmp_path, melody_mid):
    npy = tmp_path / "m.npy"
    assert run_cli("encode", str(melody_mid), "--out", str(npy)).returncode == 0
    result = run_cli("decode", str(npy), "--out", str(tmp_path / "m.txt"))
    assert result.returncode == 1 and not (tmp_path / "m.txt").exists()
    assert result.stderr.strip() == (f"error: {tmp_path / 'm.txt'}: the midi codec writes .mid "
                                     "or .midi files; give --out one of those suffixes")
    text = tmp_path / "t.npy"
    text.write_text("1\n2\n")
    result = run_cli("decode", str(text), "--out", str(tmp_path / "m.mid"))
    assert result.stderr.strip() == (f"error: {text}: not a .npy file (it does not start as "
                                     "numpy writes one)")


def test_a_checkpoint_names_the_module_of_a_missing_plugin_codec(tmp_path, trained_toy):
    raw = torch.load(trained_toy, weights_only=True)
    raw["recipe"]["source"]["codec"]["name"] = "dna"
    raw["codec_classes"]["source"] = "seqimg_dna.codec:DnaCodec"
    moved = tmp_path / "dna.pt"
    torch.save(raw, moved)
    with pytest.raises(SeqimgError, match=rf"^{moved}: its source codec 'dna' "
                       r"\(seqimg_dna\.codec:DnaCodec\) is not installed; install the package "
                       r"that provides it, so that the module 'seqimg_dna\.codec' is importable$"):
        load_pair(moved)
    assert checkpoint.load(trained_toy).described().codec_classes == {
        "source": "seqimg.codecs.midi:MidiCodec", "target": "seqimg.codecs.midi:MidiCodec"}


def test_a_text_file_is_not_a_checkpoint_and_torch_advice_is_not_relayed(tmp_path):
    text = tmp_path / "notes.pt"
    text.write_text("hello")
    with pytest.raises(SeqimgError) as caught:
        checkpoint.load(text)
    assert str(caught.value) == f"{text}: not a seqimg checkpoint (not a file torch.save wrote)"
