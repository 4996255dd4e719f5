"""Bad and odd input through the real CLI: one line on stderr naming the file, no traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pretty_midi
import pytest
from conftest import MELODY, run_cli, write_midi


def assert_one_line_error(result, path):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and "Traceback" not in result.stderr


def corrupt_files(tmp_path):
    good = write_midi(tmp_path / "good.mid", MELODY).read_bytes()
    files = {
        "empty.mid": b"",
        "garbage.mid": bytes(range(256)) * 4,
        "truncated.mid": good[: len(good) // 2],
        "text.mid": b"this is not a MIDI file\n",
        "header-only.mid": good[:14],
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return [tmp_path / name for name in files]


def test_corrupt_files_get_one_line_and_nothing_written(tmp_path):
    for path in corrupt_files(tmp_path):
        out = tmp_path / f"{path.stem}.npy"
        result = run_cli("encode", str(path), "--codec", "midi", "--out", str(out))
        assert_one_line_error(result, path)
        assert not out.exists() and not out.with_suffix(".json").exists()


def test_missing_file_and_unknown_codec(tmp_path):
    missing = tmp_path / "nope.mid"
    assert_one_line_error(run_cli("encode", str(missing), "--out", str(tmp_path / "x.npy")),
                          missing)
    result = run_cli("encode", str(missing), "--codec", "klingon", "--out", "x.npy")
    assert result.returncode != 0 and "known: " in result.stderr and "midi" in result.stderr


def pm_with(notes, drum=False, tempo=120.0):
    pm = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    inst = pretty_midi.Instrument(0, is_drum=drum)
    inst.notes.extend(pretty_midi.Note(80, p, s, e) for p, s, e in notes)
    pm.instruments.append(inst)
    return pm


ODD = {
    "no-notes": (pm_with([]), "no pitched notes"),
    "drums-only": (pm_with([(36, 0, 0.5), (38, 0.5, 1)], drum=True), "no pitched notes"),
    "pitch-0-and-127": (pm_with([(0, 0, 1), (127, 1, 2)]), "no pitched notes"),
    "one-note": (pm_with([(60, 0, 0.5)]), None),
    "zero-length": (pm_with([(60, 1.0, 1.0), (62, 1.0, 2.0)]), None),
    "fast-tempo": (pm_with([(60 + i % 12, i * 0.01, i * 0.01 + 0.01) for i in range(500)],
                           tempo=1000.0), None),
    "thirty-minutes": (pm_with([(48 + i % 24, i * 0.5, i * 0.5 + 0.5) for i in range(3600)]),
                       None),
    "dense-overlap": (pm_with([(40 + i % 40, i * 0.05, i * 0.05 + 3) for i in range(800)]), None),
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_but_valid_files_encode_or_refuse_cleanly(tmp_path, name):
    pm, refusal = ODD[name]
    path = tmp_path / f"{name}.mid"
    pm.write(str(path))
    out = tmp_path / f"{name}.npy"
    result = run_cli("encode", str(path), "--out", str(out))
    if refusal:
        assert_one_line_error(result, path)
        assert refusal in result.stderr and not out.exists()
    else:
        assert result.returncode == 0, result.stderr
        decoded = tmp_path / f"{name}-decoded.mid"
        assert run_cli("decode", str(out), "--out", str(decoded)).returncode == 0
        assert pretty_midi.PrettyMIDI(str(decoded)).instruments[0].notes


def test_too_long_piece_is_refused(tmp_path):
    path = tmp_path / "endless.mid"
    pm_with([(60, 0, 1), (62, 15000, 15001)]).write(str(path))
    result = run_cli("encode", str(path), "--out", str(tmp_path / "x.npy"))
    assert_one_line_error(result, path)
    assert "max_steps" in result.stderr


def test_bad_npy_for_decode(tmp_path):
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"not numpy")
    result = run_cli("decode", str(bad), "--codec", "midi", "--out", str(tmp_path / "o.mid"))
    assert_one_line_error(result, bad)
    assert not (tmp_path / "o.mid").exists()


RECIPE = Path(__file__).parents[1] / "recipes" / "midi_genre_dtn.yaml"


@pytest.mark.parametrize("override,key", [
    ("source.codec.pitch_hgih=99", "source.codec.pitch_hgih: unknown key"),
    ("target.codec.steps_per_beat=four", "target.codec.steps_per_beat: expected int"),
    ("source.options.limt=3", "source.options.limt: unknown key"),
    ("method.losses.const_distance=manhattan", "method.losses.const_distance: expected one of"),
    ("method.losses.extra.no_such_loss=1.0", "method.losses.extra.no_such_loss: unknown loss"),
    ("method.train.pretrain_task=clasifier", "method.train.pretrain_task: expected one of"),
    ("method.model.discriminator=no_such_d",
     "method.model.discriminator: unknown discriminator variant"),
    ("method.losses.views.harmny=1",
     "method.losses.views.harmny: the midi codec offers no such view"),
    ("evaluate.controls=[nope]", "evaluate.controls: unknown control 'nope'"),
    ("method.losses.extra.tv.settings.exponent=2", "method.losses.extra.tv.weight: missing"),
])
def test_a_bad_recipe_fails_before_any_data_or_output(tmp_path, override, key):
    cache = tmp_path / "cache"
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "seqimg", "run", str(RECIPE), "--out", str(out), "--set", override],
        capture_output=True, text=True, timeout=120, env={**os.environ, "SEQIMG_CACHE": str(cache)})
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and key in result.stderr
    assert not out.exists() and not cache.exists()  # no run folder, no corpus converted


def test_a_checkpoint_of_an_older_format_names_its_version(tmp_path):
    import torch

    old = tmp_path / "old.pt"
    torch.save({"version": "0.1.0", "model": {}, "model_config": {}, "step": 3}, old)
    piece = write_midi(tmp_path / "p.mid", MELODY)
    result = run_cli("transfer", str(old), str(piece), "--out", str(tmp_path / "moved"))
    assert_one_line_error(result, old)
    assert "written by seqimg 0.1.0 in checkpoint format 1" in result.stderr
    assert not (tmp_path / "moved").exists()
