"""A run survives what real folders and machines do to it: bad files among good ones, an
unwritable output or cache, a full disk, and being killed."""

import json

from conftest import run_cli
from test_bad_input import corrupt_files
from test_evaluate import tiny_recipe


def spoil(folder, names):
    """Replace files of ``folder`` by bad ones (truncated, empty, text, garbage) of the same
    names, and return their paths."""
    kept = folder.parent / "bad"
    kept.mkdir(exist_ok=True)
    bad = {p.name: p.read_bytes() for p in corrupt_files(kept)}
    kinds = ["truncated.mid", "empty.mid", "text.mid", "garbage.mid"]
    spoiled = []
    for name, kind in zip(names, kinds * len(names)):
        (folder / name).write_bytes(bad[kind])
        spoiled.append(folder / name)
    return spoiled


def test_a_corpus_with_ten_percent_bad_files_trains_and_reports(tmp_path):
    recipe = tiny_recipe(tmp_path, pieces=20)
    bad = (spoil(tmp_path / "src", ["p3.mid", "p11.mid"])
           + spoil(tmp_path / "tgt", ["p5.mid", "p17.mid"]))
    out = tmp_path / "run"
    result = run_cli("run", str(recipe), "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    recorded = {path: reason for side in json.loads((out / "skipped.json").read_text()).values()
                for path, reason in side.items()}
    assert set(recorded) == {str(p) for p in bad}
    assert all("not a readable MIDI file" in reason for reason in recorded.values())
    assert "Skipped files: 4 " in (out / "report.md").read_text()
    assert json.loads((out / "report.json").read_text())["counts"]["transferred"] > 0


def test_a_corpus_of_only_bad_files_fails_naming_the_folder_and_reasons(tmp_path):
    recipe = tiny_recipe(tmp_path)
    spoil(tmp_path / "tgt", [p.name for p in (tmp_path / "tgt").glob("*.mid")])
    out = tmp_path / "run"
    result = run_cli("run", str(recipe), "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"training files in {tmp_path / 'tgt'} could" in errors[0]
    assert errors[0].count("not a readable MIDI file") == 3 and "and 1 more" in errors[0]
    assert not out.exists()
