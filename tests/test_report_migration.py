"""Reports, run folders and recipes written before each two-sample test became one record (and
the domain classifier one of the critics) still load, with their numbers unchanged."""

import json
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

from seqimg.evaluate.result import Report
from seqimg.evaluate.verdict import report_json, verdict

DATA = Path(__file__).parent / "data"


@pytest.fixture()
def old() -> dict:
    return json.loads((DATA / "report_before_tests.json").read_text())


def test_an_old_report_reads_every_test_and_copying_figure_unchanged(old):
    r = Report.load(DATA / "report_before_tests.json")
    for subject, prefix in (("outputs", "two_sample"), ("untransferred", "two_sample_roundtrip"),
                            ("floor", "two_sample_floor")):
        accuracies = old["two_sample_critics" if subject == "outputs" else
                         f"{prefix}_critics" if subject == "untransferred" else prefix]
        for critic, value in accuracies.items():
            test = r.tests[subject][critic]
            assert (test.accuracy, test.n, test.p) == (value, old[f"{prefix}_n"][critic],
                                                       old[f"{prefix}_p"][critic])
            assert test.seeds == (value,) and test.range == (value, value)
    assert r.tests["resynthesised"]["cnn"].accuracy == old["two_sample_resynthesised_target"]
    for name, control in old["controls"].items():
        assert r.accuracies(f"control:{name}") == control["two_sample_critics"]
        assert r.copying[f"control:{name}"] == control["copying"]
        assert r.controls[name].strength == control["strength"]
    assert r.copying["outputs"] == old["copying"] and "baseline" not in r.copying
    assert r.transfer_strength == old["transfer_strength"]


def test_an_old_report_written_again_keeps_its_numbers(old):
    written = report_json(Report.load(DATA / "report_before_tests.json"))
    again = Report.from_dict(json.loads(written))
    assert again.critics == old["two_sample_critics"]
    assert json.loads(report_json(again))["verdict"]["level"] == verdict(again).level


def test_a_report_from_before_the_critics_names_its_one_test_classifier(old):
    flat = {k: v for k, v in old.items() if not k.startswith("two_sample_")
            or k in ("two_sample_roundtrip_source",)}
    flat["two_sample_accuracy"] = 0.8
    flat["controls"] = {name: {"strength": c["strength"], "content": c["content"],
                               "statistics": c["statistics"], "two_sample": 0.9}
                        for name, c in old["controls"].items()}
    r = Report.from_dict(flat)
    assert r.critics == {"classifier": 0.8} and r.tests["outputs"]["classifier"].n is None
    assert r.accuracies("control:retrieval") == {"classifier": 0.9}
    assert "floor" not in r.tests


def test_an_old_run_folder_renders_its_page_and_an_old_config_loads(tmp_path):
    from seqimg.recipe import load_recipe

    shutil.copy(DATA / "report_before_tests.json", tmp_path / "report.json")
    shutil.copy(DATA / "config_before_tests.yaml", tmp_path / "config.yaml")
    done = run_cli("report", str(tmp_path))
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "report.html").read_text()
    assert "0.652 (n 632, p &lt; 0.001)" in page and "retrieval" in page
    recipe = load_recipe(tmp_path / "config.yaml", written=True)
    assert recipe.evaluate.critics == ("cnn", "statistics")
    refused = run_cli("run", str(tmp_path / "config.yaml"), "--out", str(tmp_path / "again"))
    assert refused.returncode == 1 and "evaluate.classifier: moved" in refused.stderr
