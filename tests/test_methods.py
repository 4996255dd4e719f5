"""Transfer methods as parts: the registry, the contract every method keeps, a method written in a
test module run end to end (killed and resumed), and what a recipe is refused at load."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from conftest import run_cli
from test_evaluate import tiny_recipe
from test_reliability import run_until

from seqimg.errors import SeqimgError
from seqimg.evaluate.report import curve_keys
from seqimg.methods.donor.base import DonorBase
from seqimg.recipe import load_recipe, recipe_dict
from seqimg.registry import available, lookup
from seqimg.testing import check_method

TESTS = Path(__file__).parent


def test_seqimg_methods_lists_dtn_and_the_example_plugin_with_their_settings():
    listing = run_cli("methods")
    assert listing.returncode == 0, listing.stderr
    rows = {line.split()[0]: line for line in listing.stdout.splitlines()}
    assert "built-in" in rows["dtn"] and "seqimg-example-method" in rows["affine"]
    options = run_cli("methods", "--options", "dtn").stdout
    assert "model.width (int, default 16)" in options and "losses.const_weight" in options
    assert "train.straight_through" in options
    unknown = run_cli("methods", "--options", "nope")
    assert unknown.returncode == 1 and "unknown method 'nope' (known: " in unknown.stderr


@pytest.mark.parametrize("name", sorted(available("methods")))
def test_every_registered_method_keeps_the_contract(name, tmp_path):
    measured = check_method(name, tmp_path)
    indexes = issubclass(lookup("methods", name), DonorBase)  # learns without the loop
    assert measured["steps"] == (0 if indexes else 4) and bool(measured["keys"]) != indexes


def test_the_contract_catches_a_method_that_cannot_resume(tmp_path):
    from scaled_identity import ScaledIdentity

    class Forgetful(ScaledIdentity):
        """Its step depends on a count it does not save: resumed, it cannot end as the
        straight run did."""

        steps_seen = 0

        def step(self, ctx):
            out = super().step(ctx)
            self.steps_seen += 1
            with torch.no_grad():
                self.scale.add_(0.01 * self.steps_seen)
            return out

    with pytest.raises(AssertionError, match="resuming changed scale"):
        check_method(Forgetful, tmp_path)


@pytest.fixture(scope="module")
def identity_runs(tmp_path_factory):
    """A method no library file knows (a recipe names it as module:Class) run whole, and run,
    killed with SIGKILL during training and resumed; returns both run folders."""
    tmp_path = tmp_path_factory.mktemp("identity")
    recipe = tiny_recipe(tmp_path)
    raw = yaml.safe_load(recipe.read_text())
    raw["method"] = {"name": "scaled_identity:ScaledIdentity", "pause": 0.02}
    raw["train"] = {"steps": 60, "batch_size": 4, "checkpoint_every": 10, "log_every": 5}
    recipe.write_text(yaml.safe_dump(raw))
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(TESTS)
    try:
        code, log = run_until(recipe, whole, tmp_path / "cache-whole", False)
        assert code == 0, log[-2000:]
        cache = tmp_path / "cache-killed"
        code, log = run_until(recipe, killed, cache, False, signal.SIGKILL,
                              lambda out, cache, log: (out / "checkpoints" / "last.pt").exists())
        assert code == -signal.SIGKILL, log[-2000:]
        stopped_at = torch.load(killed / "checkpoints" / "last.pt", weights_only=True)["step"]
        assert stopped_at < 60
        code, log = run_until(recipe, killed, cache, True)
        assert code == 0, log[-2000:]
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before
    return whole, killed


def test_a_method_from_a_test_module_resumes_after_kill_bit_for_bit(identity_runs):
    final = [torch.load(run / "checkpoints" / "last.pt", weights_only=True)
             for run in identity_runs]
    assert final[0]["weights"]["scale"] == final[1]["weights"]["scale"]
    assert final[0]["history"] == final[1]["history"]
    whole, killed = identity_runs
    assert (whole / "report.json").read_text() == (killed / "report.json").read_text()
    outputs = sorted((whole / "transferred").iterdir())
    assert outputs and all(p.read_bytes() == (killed / "transferred" / p.name).read_bytes()
                           for p in outputs)


def test_a_method_from_a_test_module_is_evaluated_with_what_it_offers(identity_runs):
    whole, _ = identity_runs
    report = json.loads((whole / "report.json").read_text())
    assert report["counts"]["transferred"] > 0
    assert "f_constancy" not in report["content_similarity"]  # it has no content code
    history = torch.load(whole / "checkpoints" / "last.pt", weights_only=True)["history"]
    assert curve_keys(history) == ["L_SCALE", "scale"]
    assert (whole / "figures" / "training_curves.png").is_file()
    assert "Training signals" not in (whole / "report.md").read_text()  # it declares none


def test_reading_a_verdict_or_rewriting_a_report_page_does_not_import_torch(identity_runs):
    check = "import seqimg.evaluate.verdict, sys; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
    whole, _ = identity_runs
    (whole / "report.html").unlink()
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "seqimg", "report",
                             str(whole)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")]
    assert "seqimg.evaluate.html" in imported and "torch" not in imported
    assert "tiny: folder" in (whole / "report.html").read_text(encoding="utf-8")


def test_a_timeseries_recipe_with_a_note_control_is_refused_at_load(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "s.csv").write_text("1\n2\n3\n")
    recipe = tmp_path / "r.yaml"
    side = {"domain": "folder", "options": {"path": str(tmp_path / "a")},
            "codec": {"name": "timeseries", "channels": 1}}
    recipe.write_text(yaml.safe_dump({"source": side, "target": side,
                                      "evaluate": {"controls": ["sixteenths"]}}))
    result = run_cli("run", str(recipe), "--out", str(tmp_path / "run"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {recipe}: evaluate.controls: the control "
                                    "'sixteenths' needs a codec that reads notes")
    assert not (tmp_path / "run").exists()


def test_the_dtn_settings_live_under_method_only(tmp_path):
    recipe = tiny_recipe(tmp_path)
    loaded = load_recipe(recipe, ["method.losses.tv_weight=0.5", "method.train.lr=0.001"])
    assert loaded.method.name == "dtn" and loaded.method.config.model.width == 4
    assert loaded.method.config.losses.tv_weight == 0.5 and loaded.method.config.train.lr == 0.001
    written = tmp_path / "written.yaml"  # config.yaml's spelling reads back to the same recipe
    written.write_text(yaml.safe_dump(recipe_dict(loaded)))
    assert load_recipe(written) == loaded and "model" not in recipe_dict(loaded)
    with pytest.raises(SeqimgError, match=r"^[^:]+: losses: unknown key \(known: "):
        load_recipe(recipe, ["losses.tv_weight=0.5"])
    with pytest.raises(SeqimgError, match=r"train\.lr: unknown key"):
        load_recipe(recipe, ["train.lr=0.001"])
    with pytest.raises(SeqimgError, match=r"method\.model: unknown key \(known: lr\)"):
        load_recipe(recipe, ["method.name=affine"])


def test_domains_live_inside_the_package():
    import importlib.util

    assert importlib.util.find_spec("domains") is None
    assert importlib.util.find_spec("seqimg.domains.classical") is not None


def test_the_contract_catches_a_piece_transfer_that_loses_steps(tmp_path):
    from scaled_identity import ScaledIdentity

    class Cropping(ScaledIdentity):
        """Sees whole pieces but drops the last step of each."""

        def transfer_piece(self, frames):
            return super().transfer_piece(frames)[:-1]

    with pytest.raises(AssertionError, match="comes back"):
        check_method(Cropping, tmp_path)
