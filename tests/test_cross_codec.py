"""A cross-codec pair: source and target images of different shapes share one body through a
source stem that refolds whole steps; pairs the model cannot carry are refused at load."""

import json

import numpy as np
import pytest
import torch
import yaml

from seqimg.errors import SeqimgError
from seqimg.fold import FoldSpec, fold_batch, unfold_batch
from seqimg.model.stem import SourceStem, StemSpec
from seqimg.pipeline import load_transfer
from seqimg.recipe import build_recipe
from seqimg.run import run

SOURCE = {"name": "timeseries", "channels": 1, "height": 16, "width": 8}
TARGET = {"name": "timeseries", "channels": 3, "height": 8, "width": 8, "steps_per_pixel": 2}


def dtn(**settings):
    """The dtn method's settings in a recipe: a small model unless ``settings`` say more."""
    return {"name": "dtn", "model": {"width": 4, "code_dim": 8}, **settings}


def pair(tmp_path, source=SOURCE, target=TARGET, **sections):
    raw = {"source": {"domain": "folder", "options": {"path": str(tmp_path / "a")},
                      "codec": source},
           "target": {"domain": "folder", "options": {"path": str(tmp_path / "b")},
                      "codec": target},
           "method": dtn(), "train": {"steps": 4, "batch_size": 4},
           "evaluate": {"enabled": False}}
    return {**raw, **sections}


def test_the_stem_refolds_whole_steps_before_projecting():
    source, target = FoldSpec(16, 8, 1), FoldSpec(8, 8, 2)
    stem = SourceStem(StemSpec(source, 1, target, 6))
    with torch.no_grad():
        stem.project.weight.zero_()
        stem.project.bias.zero_()
        stem.project.weight[0, 0] = 1.0  # output channel 0 = the first step of each pixel
        stem.project.weight[1, 1] = 1.0  # output channel 1 = the second step
    frames = torch.arange(128, dtype=torch.float32).reshape(1, 128, 1)
    out = stem(fold_batch(frames, source))
    assert out.shape == (1, 6, 8, 8)
    assert torch.equal(unfold_batch(out[:, :2], target), frames)  # time kept, step for step


def test_a_series_pair_of_different_shapes_trains_transfers_and_is_evaluated(tmp_path):
    """1 channel folded 16 x 8 into 3 channels folded 8 x 8 with 2 steps a pixel; the
    reference is the source's kind of series written with 3 channels."""
    rng = np.random.default_rng(0)
    t = np.arange(200)
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    for i in range(6):
        slow = np.sin(t / 7 + i)
        np.savetxt(tmp_path / "a" / f"s{i}.csv", slow[:, None], delimiter=",")
        np.savetxt(tmp_path / "c" / f"s{i}.csv", np.stack([slow, slow, slow], 1), delimiter=",")
        np.savetxt(tmp_path / "b" / f"s{i}.csv", np.stack(
            [np.sin(t / 3 + i), np.cos(t / 3 + i), rng.normal(size=200)], 1), delimiter=",")
    recipe = tmp_path / "r.yaml"
    recipe.write_text(yaml.safe_dump(pair(tmp_path, evaluate={
        "classifier_steps": 20, "window": 16, "examples": 1,
        "reference": {"domain": "folder", "options": {"path": "c"}}})))
    out = run(recipe, tmp_path / "run", progress=False)
    loaded = load_transfer(out / "checkpoints" / "last.pt")
    assert loaded.method.model.stem is not None and loaded.method.model.shape == (6, 8, 8)
    assert loaded.cross
    [written] = list((out / "transferred").glob("*.csv"))
    series = np.loadtxt(written, delimiter=",", skiprows=1)
    assert series.shape == (200, 3) and np.isfinite(series).all()
    report = json.loads((out / "report.json").read_text())
    assert report["counts"]["transferred"] == 1 and list(report["content_similarity"]) == [
        "f_constancy"]  # no view shared by 1 and 3 channels: the learned f's constancy
    assert 0 <= report["transfer_strength"] <= 1 and 0 <= report["identity_strength"] <= 1
    assert (out / "figures" / f"piece_{written.stem}.input.png").is_file()
    assert "Listen and look" in (out / "report.html").read_text(encoding="utf-8")


def test_same_shaped_pairs_have_no_stem(tmp_path):
    same = build_recipe(pair(tmp_path, target=SOURCE))
    from seqimg.data import codec_for
    from seqimg.methods import make_method

    method = make_method(same, codec_for(same.source), codec_for(same.target))
    assert method.model.stem is None


@pytest.mark.parametrize("change, message", [
    ({"target": {**TARGET, "height": 16}},
     r"^source\.codec / target\.codec: a window holds 128 source steps but 256 target steps"),
    ({"method": dtn(model={"width": 4, "edit": True})}, r"^method\.model\.edit: "),
    ({"method": dtn(train={"pretrain_steps": 5})}, r"^method\.train\.pretrain_steps: "),
    ({"method": dtn(losses={"const_weight": 0})},
     r"^method\.losses\.views: a cross-codec pair keeps "
                                      r"content through a view both codecs offer \(source "
                                      r"timeseries: shape, trend; target timeseries: shape, "
                                      r"trend\)"),
    ({"method": dtn(losses={"const_weight": 0, "views": {"shape": 0.0}})},
     r"^method\.losses\.views: a cross-codec pair keeps content"),
    ({"method": dtn(losses={"views": {"trend": 1.0}})},
     r"^method\.losses\.views\.trend: the source's view is "
                                            r"\(1, 8, 1\) per window and the target's \(1, 8, 3\)"),
    ({"evaluate": {"enabled": True}}, r"^evaluate\.reference: evaluating a cross-codec pair "
                                      r"needs the source's pieces as the target's codec reads"),
    ({"evaluate": {"reference": {"domain": "folder"}, "controls": ["sixteenths"]}},
     r"^evaluate\.controls: the control 'sixteenths' needs a codec that reads notes"),
])
def test_pairs_the_model_cannot_carry_are_refused_at_load(tmp_path, change, message):
    change = dict(change)
    raw = pair(tmp_path, target=change.pop("target", TARGET))
    raw.update(change)
    with pytest.raises(SeqimgError, match=message):
        build_recipe(raw)
