"""A user's own files: the folder domain's defaults and errors, encode picking the codec and the
settings a file implies, and messages that name the file."""

import numpy as np
import pytest
import torch
from conftest import MELODY, run_cli, series_csv, write_midi

from seqimg import checkpoint
from seqimg.data import DataConfig, prepare_side
from seqimg.errors import SeqimgError
from seqimg.pipeline import load_transfer
from seqimg.recipe import build_side, load_recipe


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
        load_transfer(moved)
    assert checkpoint.load(trained_toy).described().codec_classes == {
        "source": "seqimg.codecs.midi:MidiCodec", "target": "seqimg.codecs.midi:MidiCodec"}


def test_a_text_file_is_not_a_checkpoint_and_torch_advice_is_not_relayed(tmp_path):
    text = tmp_path / "notes.pt"
    text.write_text("hello")
    with pytest.raises(SeqimgError) as caught:
        checkpoint.load(text)
    assert str(caught.value) == f"{text}: not a seqimg checkpoint (not a file torch.save wrote)"


@pytest.mark.parametrize("rows, message", [
    ("1,2,3\n4,,6\n", "line 3, column 2 (b): a missing value"),
    ("1,2,3\n4,x,6\n", "line 3, column 2 (b): 'x' is not a number"),
    ("1,2,3\n4,6\n", "line 3 has 2 values where line 2 has 3"),
    ("1,2,3\n4,nan,6\n", "holds NaN or infinite values (line 3, column 2: nan)"),
])
def test_a_bad_table_cell_is_named_by_line_and_column(tmp_path, rows, message):
    table = tmp_path / "t.csv"
    table.write_text("a,b,c\n" + rows)
    result = run_cli("encode", str(table), "--out", str(tmp_path / "t.npy"))
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert "usecols" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_truncated_midi_file_is_called_truncated(tmp_path, melody_mid):
    data = melody_mid.read_bytes()
    cut = tmp_path / "cut.mid"
    cut.write_bytes(data[: len(data) // 2])
    result = run_cli("encode", str(cut), "--out", str(tmp_path / "cut.npy"))
    assert result.stderr.strip() == (f"error: {cut}: not a readable MIDI file (it ends in the "
                                     "middle of a track: truncated?)")


def test_a_table_shorter_than_a_window_says_it_is_padded(tmp_path):
    table = tmp_path / "short.csv"
    table.write_text("a,b\n1,2\n3,4\n")
    result = run_cli("encode", str(table), "--out", str(tmp_path / "short.npy"))
    assert result.returncode == 0, result.stderr
    assert "shorter than one window (2 of 64 steps); the window is padded" in result.stdout


def test_prepare_names_each_skipped_file_once(tmp_path):
    for side in ("src", "tgt"):
        (tmp_path / side).mkdir()
        for i in range(3):
            series_csv(tmp_path / side / f"s{i}.csv", seed=i)
    (tmp_path / "src" / "bad.csv").write_text("a,b,c\n1,x,3\n")
    recipe = tmp_path / "r.yaml"
    codec = "{name: timeseries, channels: 3}"
    recipe.write_text(f"name: t\nsource: {{domain: folder, options: {{path: {tmp_path / 'src'}}}, "
                      f"codec: {codec}}}\ntarget: {{domain: folder, options: {{path: "
                      f"{tmp_path / 'tgt'}}}, codec: {codec}}}\n")
    result = run_cli("prepare", str(recipe))
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).count("bad.csv") == 1, result.stdout + result.stderr


def test_a_misspelt_target_folder_fails_before_any_file_is_read(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    for i in range(3):
        series_csv(tmp_path / "src" / f"s{i}.csv", seed=i)
    recipe = tmp_path / "r.yaml"
    codec = "{name: timeseries, channels: 3}"
    recipe.write_text(f"name: t\nsource: {{domain: folder, options: {{path: src}}, codec: "
                      f"{codec}}}\ntarget: {{domain: folder, options: {{path: tgtt}}, codec: "
                      f"{codec}}}\n")
    cache = tmp_path / "cache"
    monkeypatch.setenv("SEQIMG_CACHE", str(cache))
    for command in ("run", "prepare"):
        result = run_cli(command, str(recipe), *(["--out", str(tmp_path / "run")]
                                                  if command == "run" else []))
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip() == (f"error: target.options: path {tmp_path / 'tgtt'}: no "
                                         "such folder")
        assert not (cache / "shards").exists() and not (tmp_path / "run").exists()


def test_a_run_says_how_many_training_files_are_padded_to_a_window(tmp_path):
    for side in ("src", "tgt"):
        (tmp_path / side).mkdir()
        for i in range(3):
            series_csv(tmp_path / side / f"s{i}.csv", seed=i)
    series_csv(tmp_path / "src" / "short.csv", length=10)
    recipe = tmp_path / "r.yaml"
    codec = "{name: timeseries, channels: 3}"
    recipe.write_text(f"name: t\nsource: {{domain: folder, options: {{path: src}}, codec: "
                      f"{codec}}}\ntarget: {{domain: folder, options: {{path: tgt}}, codec: "
                      f"{codec}}}\ndata: {{heldout_fraction: 0}}\n"
                      "method: {name: dtn, model: {width: 4, code_dim: 8}}"
                      "\ntrain: {steps: 2, batch_size: 2}\nevaluate: {enabled: false}\n")
    result = run_cli("run", str(recipe), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert ("source: 1 training file shorter than one window (64 steps), padded with -1 after "
            "the end") in result.stderr
    assert "target: 1 training file shorter" not in result.stderr


def run_guide_recipe(tmp_path, name, *settings):
    """docs/your-data.md's CSV recipe ``name``, as written, run on two folders of five series
    a side with ``settings`` (--set) added; its run must write CSVs in the target's columns."""
    from pathlib import Path

    guide = (Path(__file__).parents[1] / "docs" / "your-data.md").read_text()
    block = guide.split(f"```yaml\nname: {name}\n")[1].split("```")[0]
    for side in ("calm", "busy"):
        (tmp_path / "data" / side).mkdir(parents=True)
        for i in range(5):
            series_csv(tmp_path / "data" / side / f"{side}{i}.csv", length=80, seed=i)
    recipe = tmp_path / "mine.yaml"
    recipe.write_text(f"name: {name}\n" + block)
    result = run_cli("run", str(recipe), "--out", str(tmp_path / "run"),
                     *(arg for pair in settings for arg in ("--set", pair)))
    assert result.returncode == 0, result.stderr[-2000:]
    written = sorted((tmp_path / "run" / "transferred").glob("*.csv"))
    assert written and written[0].read_text().startswith("c0,c1,c2\n")
    return tmp_path / "run"


def test_the_csv_recipe_of_the_guide_runs_the_sampler_on_two_folders(tmp_path):
    """The guide's sampler recipe (small settings by --set): trained, transferred, reported."""
    run = run_guide_recipe(tmp_path, "calm_to_busy", "train.steps=2", "method.width=8",
                           "evaluate.critics=[cnn,statistics]", "evaluate.classifier_steps=5")
    assert "calm_to_busy" in (run / "report.md").read_text()


def test_the_guides_donor_recipe_runs_as_written_on_two_folders(tmp_path):
    """The guide's segment donor recipe, unchanged but for a faster critic: indexed,
    transferred, reported with its copying."""
    import json

    run = run_guide_recipe(tmp_path, "calm_to_busy_donor", "evaluate.critics=[cnn,statistics]",
                           "evaluate.classifier_steps=5")
    report = json.loads((run / "report.json").read_text())
    assert report["training"] == {"processes": 1} and "copied_share" in report["copying"]["outputs"]
    assert report["copying"]["baseline"]["closest_ratio"] == 1.0  # real held-out, by definition
