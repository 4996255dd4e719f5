"""What a file or recipe from someone else can do: checkpoints never run code, ``module:Class``
imports are announced, and outputs stay inside the folder they were asked for."""

import os
import subprocess
import sys

from conftest import MELODY, run_cli, write_midi
from test_bad_input import assert_one_line_error

from seqimg.io import piece_name
from seqimg.pipeline import load_transfer

MALICIOUS = """
import os, sys, torch
class Payload:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[2],))
torch.save({"model": Payload(), "step": 0}, sys.argv[1])
"""


def test_a_checkpoint_with_code_in_it_is_refused_and_never_runs(tmp_path):
    evil, marker = tmp_path / "evil.pt", tmp_path / "code-ran"
    subprocess.run([sys.executable, "-c", MALICIOUS, str(evil), str(marker)], check=True)
    piece = write_midi(tmp_path / "p.mid", MELODY)
    result = run_cli("transfer", str(evil), str(piece), "--out", str(tmp_path / "moved"))
    assert_one_line_error(result, evil)
    assert "not a seqimg checkpoint" in result.stderr
    assert "weights_only" not in result.stderr  # torch's advice to load it unsafely is not relayed
    assert not marker.exists() and not (tmp_path / "moved").exists()


def test_a_module_class_reference_says_which_module_it_imports(tmp_path):
    module = tmp_path / "announced_codec.py"
    module.write_text("from seqimg.codecs.timeseries import TimeseriesCodec as Series\n")
    series = tmp_path / "s.csv"
    series.write_text("x\n" + "\n".join(str(i % 7) for i in range(64)) + "\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "seqimg", "encode", str(series), "--codec",
                             "announced_codec:Series", "--out", str(tmp_path / "s.npy")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "importing module 'announced_codec' for codec 'announced_codec:Series'" in result.stderr


def test_outputs_named_after_strange_inputs_stay_in_the_output_folder(tmp_path, trained_toy):
    """Names with dots and (other systems') path separators cannot place an output elsewhere, and
    two pieces of one name from different folders are both kept."""
    names = ["..\\..\\escape.mid", "...mid", "..mid", "a..b.mid", ".hidden.mid", "one/x.mid",
             "two/x.mid"]
    inputs = tmp_path / "inputs"
    for folder in ("one", "two"):
        (inputs / folder).mkdir(parents=True)
    files = [write_midi(inputs / name, MELODY) for name in names]
    out = tmp_path / "deep" / "moved"
    before = set(tmp_path.rglob("*"))
    result = run_cli("transfer", str(trained_toy), *map(str, files), "--out", str(out))
    assert result.returncode == 0, result.stderr
    written = set(tmp_path.rglob("*")) - before
    assert written and all(p in out.parents or p == out or p.parent == out for p in written)
    assert len([p for p in written if p.suffix == ".mid"]) == len(names)  # none overwritten
    assert load_transfer(trained_toy).target.frames(sorted(out.glob("*.mid"))[0]).shape[0] > 0


def test_piece_names_are_plain_names():
    assert piece_name("..\\..\\etc\\passwd.mid") == "_.._etc_passwd"
    assert piece_name("C:\\music\\bwv1.6.mid") == "C:_music_bwv1.6"
    assert piece_name("/abs/..mid") == "piece"
