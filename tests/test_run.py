"""Recipes, the toy end-to-end run, and transfer of a MIDI file with a trained checkpoint."""

import numpy as np
import pretty_midi
import pytest
import torch
from conftest import MELODY, dtn_trainer, grid_notes, run_cli, write_midi
from test_dtn import toy_images

from seqimg.errors import SeqimgError
from seqimg.model.config import ModelConfig
from seqimg.pipeline import load_transfer
from seqimg.recipe import load_recipe

RECIPE = """
name: toy
source: {{domain: folder, options: {{path: {src}, pattern: "*.{ext}"}}, codec: {src_codec}}}
target: {{domain: folder, options: {{path: {tgt}, pattern: "*.{ext}"}}, codec: {tgt_codec}}}
method: {{name: dtn, model: {{width: 4, code_dim: 8}}}}
train: {{steps: 4, batch_size: 4, log_every: 1}}
evaluate: {{enabled: false}}
"""


def write_recipe(tmp_path, src, tgt, ext, src_codec, tgt_codec=None):
    path = tmp_path / "recipe.yaml"
    path.write_text(RECIPE.format(src=src, tgt=tgt, ext=ext, src_codec=src_codec,
                                  tgt_codec=tgt_codec or src_codec))
    return path


def test_set_overrides_are_typed_and_named(tmp_path):
    path = write_recipe(tmp_path, tmp_path, tmp_path, "csv", "{name: timeseries}")
    recipe = load_recipe(path, ["train.steps=30", "data.max_files=16", "method.model.width=8",
                                "seed=3", "device=cpu", "train.batch_size=2"])
    assert (recipe.train.steps, recipe.data.max_files) == (30, 16)
    assert recipe.method.config.model.width == 8
    assert (recipe.seed, recipe.device, recipe.train.batch_size) == (3, "cpu", 2)
    with pytest.raises(SeqimgError, match="train.steps: expected int, got 'many'"):
        load_recipe(path, ["train.steps=many"])
    with pytest.raises(SeqimgError, match="method.model.depth: unknown key"):
        load_recipe(path, ["method.model.depth=3"])
    with pytest.raises(SeqimgError, match="expected dotted.key=value"):
        load_recipe(path, ["train.steps"])


def test_bad_recipe_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(SeqimgError, match="bad.yaml: not valid YAML"):
        load_recipe(bad)
    with pytest.raises(SeqimgError, match="no such recipe"):
        load_recipe(tmp_path / "missing.yaml")
    bad.write_text("name: x\nsource: {domain: folder, codec: {}}\ntarget: {domain: folder}\n")
    with pytest.raises(SeqimgError, match="source.codec.name: missing"):
        load_recipe(bad)


def test_toy_transfer_improves_on_step_zero_in_200_steps():
    """Sine -> square waves through the time-series layout: outputs become square while
    keeping the input's zero crossings."""
    shape = (1, 16, 16)
    held_out = toy_images(64, shape, False, 3)
    trainer = dtn_trainer(toy_images(256, shape, False, 1), toy_images(256, shape, True, 2),
                          ModelConfig(width=8, code_dim=32), steps=200, batch_size=32)
    model = trainer.method.model

    def measure():
        model.eval()
        with torch.no_grad():
            out = model(held_out)
        model.train()
        squareness = (out.abs() > 0.9).float().mean().item()
        kept = ((out > 0) == (held_out > 0)).float().mean().item()
        return squareness, kept

    square_before, _ = measure()
    trainer.fit(progress=False)
    square_after, kept_after = measure()
    source_squareness = (held_out.abs() > 0.9).float().mean().item()
    assert square_after > source_squareness + 0.1 and square_after > square_before + 0.25
    assert kept_after > 0.8


def test_run_then_transfer_a_midi_file(tmp_path):
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    for folder, base in ((src, 60), (tgt, 40)):
        folder.mkdir()
        for i in range(3):
            write_midi(folder / f"p{i}.mid", [(p + base - 60 + i, s, e) for p, s, e in MELODY])
    recipe = write_recipe(tmp_path, src, tgt, "mid", "{name: midi, height: 8, width: 8}",
                          "{name: midi, height: 8, width: 8, program: 30}")
    out = tmp_path / "run"
    result = run_cli("run", str(recipe), "--out", str(out), "--set", "train.steps=3")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (out / "config.yaml").exists() and list((out / "transferred").glob("*.mid"))
    again = run_cli("run", str(recipe), "--out", str(out))
    assert again.returncode == 1 and "--resume" in again.stderr

    piece = write_midi(tmp_path / "new piece.mid", MELODY + [(72, 32, 48)])
    checkpoint = out / "checkpoints" / "last.pt"
    result = run_cli("transfer", str(checkpoint), str(piece), "--out", str(tmp_path / "moved"))
    assert result.returncode == 0, result.stderr[-2000:]
    # the file holds exactly what the trained G makes of the piece, written by the target codec
    pair = load_transfer(checkpoint)
    expected = pair.target.save_frames(
        pair.frames(pair.source.frames(piece)), tmp_path / "expected.mid")
    assert grid_notes(tmp_path / "moved" / "new piece.mid") == grid_notes(expected)


def test_a_transfer_is_written_in_the_input_tempo_and_meter(tmp_path, trained_toy):
    from test_midi_codec import compound_piece

    piece = compound_piece(tmp_path / "nine-eight.mid")
    result = run_cli("transfer", str(trained_toy), str(piece), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr[-2000:]
    before = pretty_midi.PrettyMIDI(str(piece))
    after = pretty_midi.PrettyMIDI(str(tmp_path / "out" / "nine-eight.mid"))
    np.testing.assert_allclose(after.get_tempo_changes(), before.get_tempo_changes(), rtol=1e-5)
    assert [(t.numerator, t.denominator) for t in after.time_signature_changes] == [(9, 8), (6, 8)]


def test_resume_continues_a_run(tmp_path):
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    for folder, square in ((src, False), (tgt, True)):
        folder.mkdir()
        for i, image in enumerate(toy_images(4, (1, 8, 8), square, int(square)).numpy()):
            np.savetxt(folder / f"s{i}.csv", image.reshape(-1, 1), delimiter=",")
    recipe = write_recipe(tmp_path, src, tgt, "csv", "{name: timeseries, channels: 1}")
    out = tmp_path / "run"
    assert run_cli("run", str(recipe), "--out", str(out)).returncode == 0
    result = run_cli("run", str(recipe), "--out", str(out), "--resume", "--set", "train.steps=6")
    assert result.returncode == 0, result.stderr[-2000:]
    straight = tmp_path / "straight"
    assert run_cli("run", str(recipe), "--out", str(straight), "--set",
                   "train.steps=6").returncode == 0
    resumed, whole = (torch.load(run / "checkpoints" / "last.pt", weights_only=True)
                      for run in (out, straight))
    assert resumed["step"] == whole["step"] == 6
    for key, value in whole["weights"].items():
        assert torch.equal(value, resumed["weights"][key]), key


def test_a_run_builds_its_recipe_once_and_reads_each_training_file_once(tmp_path, monkeypatch):
    import json
    from collections import Counter
    from pathlib import Path

    from test_donor import donor_recipe

    from seqimg import recipe as recipes
    from seqimg.codecs.midi import MidiCodec
    from seqimg.run import run

    path = donor_recipe(tmp_path)
    built, reads = [], Counter()
    build, read = recipes.build_recipe, MidiCodec.read
    monkeypatch.setattr(recipes, "build_recipe",
                        lambda *a, **k: built.append(1) or build(*a, **k))
    monkeypatch.setattr(MidiCodec, "read",
                        lambda self, p: reads.update([Path(p).resolve()]) or read(self, p))
    loaded = recipes.load_recipe(path, ["evaluate.controls=[]", "data.workers=1"])
    out = run(loaded, tmp_path / "run", progress=False)
    assert len(built) == 1
    split = json.loads((out / "split.json").read_text())
    for side in ("source", "target"):
        assert [reads[(tmp_path / p).resolve()] for p in split[side]["train"]] == [1] * 4, side
    # a held-out source is read for the split and again by the transfer, never by evaluation
    assert [reads[(tmp_path / p).resolve()] for p in split["source"]["heldout"]] == [2, 2]
