import json
import sys

import numpy as np
from conftest import grid_notes, run_cli, series_csv


def test_encode_decode_keeps_every_note(tmp_path, melody_mid):
    npy = tmp_path / "melody.npy"
    assert run_cli("encode", str(melody_mid), "--codec", "midi", "--out", str(npy)).returncode == 0
    images = np.load(npy)
    assert images.shape == (1, 168, 16, 16)
    meta = json.loads(npy.with_suffix(".json").read_text())
    assert meta["codec"] == "midi" and meta["length"] == 32
    out = tmp_path / "back.mid"
    result = run_cli("decode", str(npy), "--codec", "midi", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert grid_notes(out) == grid_notes(melody_mid)


def test_encode_options_and_png(tmp_path, melody_mid):
    npy = tmp_path / "v.npy"
    result = run_cli("encode", str(melody_mid), "--out", str(npy), "-o", "encoding=voices",
                     "-o", "height=4", "-o", "width=4")
    assert result.returncode == 0, result.stderr
    assert np.load(npy).shape == (2, 6, 4, 4)
    # an encoding described before the option was renamed (layout, now encoding) still decodes
    meta = json.loads(npy.with_suffix(".json").read_text())
    meta["config"]["layout"] = meta["config"].pop("encoding")
    npy.with_suffix(".json").write_text(json.dumps(meta))
    back = tmp_path / "v.mid"
    result = run_cli("decode", str(npy), "--out", str(back))
    assert result.returncode == 0, result.stderr
    assert [p for p, _, _ in grid_notes(back)] == [p for p, _, _ in grid_notes(melody_mid)]
    png = tmp_path / "v.png"
    assert run_cli("encode", str(melody_mid), "--out", str(png)).returncode == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_timeseries_through_cli_restores_units(tmp_path):
    path, data = series_csv(tmp_path / "s.csv", channels=2)
    npy = tmp_path / "s.npy"
    assert run_cli("encode", str(path), "--codec", "timeseries", "-o", "channels=2",
                   "--out", str(npy)).returncode == 0
    out = tmp_path / "back.csv"
    assert run_cli("decode", str(npy), "--out", str(out)).returncode == 0
    np.testing.assert_allclose(np.loadtxt(out, delimiter=",", skiprows=1), data, rtol=1e-5)


def test_codecs_lists_origins_and_help_everywhere():
    listing = run_cli("codecs").stdout
    assert "midi" in listing and "built-in" in listing and "seqimg-example-codec" in listing
    for command in ("codecs", "encode", "decode"):
        assert run_cli(command, "--help").returncode == 0


def test_bad_option_is_one_line(tmp_path, melody_mid):
    result = run_cli("encode", str(melody_mid), "--out", str(tmp_path / "x.npy"),
                     "-o", "steps_per_beat=four")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: midi.steps_per_beat: expected int, got 'four'"


def test_the_command_to_continue_is_the_one_that_was_typed(monkeypatch):
    from seqimg.cli import invoked_as

    monkeypatch.setattr(sys, "argv", [".venv/bin/seqimg", "run", "r.yaml"])
    assert invoked_as() == [".venv/bin/seqimg"]
    monkeypatch.setattr(sys, "argv", ["/x/seqimg/__main__.py", "run", "r.yaml"])
    monkeypatch.setattr(sys, "orig_argv", [".venv/bin/python", "-m", "seqimg", "run", "r.yaml"])
    assert invoked_as() == [".venv/bin/python", "-m", "seqimg"]
