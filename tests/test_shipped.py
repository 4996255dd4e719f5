"""Shipped models: each loads, matches its card (recipe, format, checksum) and transfers a piece
right away; ``seqimg ship`` writes one from a run folder; ``seqimg transfer --model`` uses one."""

import json

import pretty_midi
import pytest
import torch
from conftest import CHORALE, run_cli, write_midi
from test_diffusion import diffusion_recipe

from seqimg import checkpoint
from seqimg.errors import SeqimgError
from seqimg.evaluate.verdict import LEVEL_WORDS
from seqimg.shipped import model_path, ship, shipped


@pytest.mark.parametrize("name", sorted(shipped()))
def test_a_shipped_model_matches_its_card_and_transfers_a_chorale(tmp_path, name):
    card = shipped()[name]
    loaded = checkpoint.load(model_path(name))  # checks the checksum too
    assert loaded.described().recipe["name"] == card.recipe and card.format == checkpoint.FORMAT
    assert all(v.dtype == torch.float16 for v in loaded.state["weights"].values()
               if torch.is_tensor(v) and v.is_floating_point())
    piece = write_midi(tmp_path / "chorale.mid", CHORALE * 4)
    result = run_cli("transfer", str(piece), "--model", name, "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    written = pretty_midi.PrettyMIDI(str(tmp_path / "out" / "chorale.mid"))
    assert sum(len(i.notes) for i in written.instruments) > 0
    assert "verdict:" in run_cli("models").stdout


def test_ship_writes_half_precision_weights_and_a_card_from_a_run(tmp_path):
    from seqimg.run import run

    folder = run(diffusion_recipe(tmp_path, steps=2, evaluate=True), tmp_path / "run",
                 progress=False)
    card = ship(folder, "toy", tmp_path / "models")
    assert json.loads((tmp_path / "models" / "toy.json").read_text())["sha256"] == card.sha256
    assert set(card.measured["tests"]["outputs"]) == {"cnn", "statistics"}
    assert card.measured["level"] in LEVEL_WORDS
    said = "\n".join(card.lines())
    assert f"verdict: {card.verdict}" in said and "statistics" in said
    assert model_path("toy", tmp_path / "models") == tmp_path / "models" / "toy.pt"
    (tmp_path / "models" / "toy.pt").write_bytes(b"changed")
    with pytest.raises(SeqimgError, match="checksum differs"):
        model_path("toy", tmp_path / "models")
    with pytest.raises(SeqimgError, match=r"no shipped model 'nope' \(known: toy\)"):
        model_path("nope", tmp_path / "models")


def test_an_unknown_model_lists_the_known_ones(tmp_path):
    result = run_cli("transfer", "piece.mid", "--model", "nope", "--out", str(tmp_path))
    assert result.returncode != 0 and "no shipped model 'nope'" in result.stderr


def test_the_limits_say_which_critic_tells_the_outputs_apart():
    import dataclasses

    from test_verdict import measured_tests, report

    from seqimg.shipped import limits

    r = dataclasses.replace(report(), tests=measured_tests(outputs={"cnn": 0.70, "statistics": 0.9},
                                                          floor={"statistics": 0.7}))
    said = limits(r)
    assert said == ["tellable from real target: statistics critic 0.90 (median; passing needs "
                    "0.80 or less)"]


def test_a_card_shipped_before_tests_were_records_reads_the_same_numbers():
    from pathlib import Path

    from seqimg.shipped import ModelCard, card_measured

    old = json.loads((Path(__file__).parent / "data" / "card_before_tests.json").read_text())
    card = ModelCard(**old)
    m = card_measured(card.measured)
    assert m["tests"]["outputs"]["cnn"]["accuracy"] == old["measured"]["two_sample"]["cnn"]
    retrieval = old["measured"]["controls"]["retrieval"]["two_sample"]["statistics"]
    assert m["tests"]["control:retrieval"]["statistics"]["accuracy"] == retrieval
    assert m["copying"]["outputs"] == old["measured"]["copying"]
    said = "\n".join(card.lines())
    assert "told from real target by cnn 0.65, statistics 0.69" in said
    assert "control retrieval: strength 0.97, told apart by cnn 0.70, statistics 0.93" in said
