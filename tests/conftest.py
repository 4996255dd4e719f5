"""Fixtures that build small MIDI, audio and time-series files on the fly, the CLI runner, and
skips for tests that need optional system packages."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pretty_midi
import pytest
import soundfile
import throwaway_plugin

SECONDS_PER_STEP = 0.125  # a 16th note at pretty_midi's default 120 bpm


def write_midi(path, notes, program=0, drums=(), tempo=120.0):
    """Write ``(pitch, start_step, end_step)`` notes (16th-note steps at ``tempo``) as MIDI."""
    seconds = 60.0 / tempo / 4
    pm = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    inst = pretty_midi.Instrument(program=program)
    for pitch, start, end in notes:
        inst.notes.append(pretty_midi.Note(90, pitch, start * seconds, end * seconds))
    pm.instruments.append(inst)
    if drums:
        kit = pretty_midi.Instrument(program=0, is_drum=True)
        for step in drums:
            kit.notes.append(pretty_midi.Note(90, 36, step * seconds, (step + 1) * seconds))
        pm.instruments.append(kit)
    pm.write(str(path))
    return path


def grid_notes(path, tempo=120.0):
    """Notes of a MIDI file as a sorted list of (pitch, start_step, end_step)."""
    seconds = 60.0 / tempo / 4
    pm = pretty_midi.PrettyMIDI(str(path))
    notes = [(n.pitch, round(n.start / seconds), round(n.end / seconds))
             for i in pm.instruments if not i.is_drum for n in i.notes]
    return sorted(notes, key=lambda n: (n[1], n[0]))


MELODY = [(60, 0, 2), (62, 2, 4), (64, 4, 8), (64, 8, 9), (67, 10, 16), (65, 16, 20),
          (64, 20, 22), (62, 22, 24), (60, 24, 32)]
CHORALE = MELODY + [(48, 0, 8), (43, 8, 16), (48, 16, 32), (55, 0, 16), (53, 16, 24)]


@pytest.fixture
def melody_mid(tmp_path):
    return write_midi(tmp_path / "melody.mid", MELODY)


@pytest.fixture
def chorale_mid(tmp_path):
    return write_midi(tmp_path / "chorale.mid", CHORALE, drums=(0, 4, 8, 12))


def tone_wav(path, seconds=2.0, sr=22050):
    """A two-note sine melody with a soft second partial, as WAV."""
    t = np.arange(int(seconds * sr)) / sr
    freq = np.where(t < seconds / 2, 440.0, 330.0)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    audio = 0.5 * np.sin(phase) + 0.2 * np.sin(2 * phase)
    soundfile.write(path, audio.astype(np.float32), sr)
    return path


@pytest.fixture
def tone(tmp_path):
    return tone_wav(tmp_path / "tone.wav")


def series_csv(path, length=150, channels=3, header=True, seed=0):
    """A random-walk multivariate series in odd units, as CSV."""
    rng = np.random.default_rng(seed)
    data = np.cumsum(rng.normal(size=(length, channels)), axis=0) * 37.5 + 1000.0
    head = ",".join(f"c{i}" for i in range(channels)) if header else ""
    np.savetxt(path, data, delimiter=",", header=head, comments="", fmt="%.10g")
    return path, data


# The suite sees only the project's own example plugins, whatever else is installed; the
# throwaway plugin below is installed for the whole run to prove it (tests/test_plugin_proof.py).
PROJECT_PLUGINS = "seqimg-example-codec,seqimg-example-method"


def pytest_configure(config):
    os.environ["SEQIMG_PLUGINS"] = PROJECT_PLUGINS
    config.throwaway_plugin = throwaway_plugin.install(Path(tempfile.mkdtemp()))


def pytest_unconfigure(config):
    shutil.rmtree(config.throwaway_plugin, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def isolated_cache(tmp_path_factory):
    """Converted corpora and encodings go to a fresh folder, not the user's cache."""
    import os

    os.environ["SEQIMG_CACHE"] = str(tmp_path_factory.mktemp("seqimg-cache"))


TOY_MIDI_RECIPE = """
name: toy_midi
source: {{domain: folder, options: {{path: {src}, pattern: "*.mid"}},
          codec: {{name: midi, height: 8, width: 8}}}}
target: {{domain: folder, options: {{path: {tgt}, pattern: "*.mid"}},
          codec: {{name: midi, height: 8, width: 8, program: 30}}}}
method: {{name: dtn, model: {{width: 4, code_dim: 8}}}}
train: {{steps: 3, batch_size: 4, log_every: 1}}
evaluate: {{enabled: false}}
"""


def toy_midi_recipe(folder: Path, pieces: int = 3) -> Path:
    """A recipe over two folders of ``pieces`` transposed melodies each (low ones as target)."""
    src, tgt = folder / "src", folder / "tgt"
    for side, base in ((src, 60), (tgt, 40)):
        side.mkdir(parents=True)
        for i in range(pieces):
            write_midi(side / f"p{i}.mid", [(p + base - 60 + i % 5, s, e) for p, s, e in MELODY])
    recipe = folder / "recipe.yaml"
    recipe.write_text(TOY_MIDI_RECIPE.format(src=src, tgt=tgt))
    return recipe


@pytest.fixture(scope="session")
def trained_toy(tmp_path_factory):
    """The checkpoint of a 3-step toy MIDI run (in-process, a few seconds)."""
    from seqimg.run import run

    folder = tmp_path_factory.mktemp("toy-midi")
    out = run(toy_midi_recipe(folder), folder / "run", progress=False)
    return out / "checkpoints" / "last.pt"


def run_cli(*args, timeout=300):
    """Run ``python -m seqimg ARGS`` in a subprocess, as a user would from a shell."""
    return subprocess.run([sys.executable, "-m", "seqimg", *args], capture_output=True, text=True,
                          timeout=timeout)


RESOURCES = {
    "freedoom": (lambda: any(Path("/usr/share/games/doom", w).is_file()
                             for w in ("freedoom1.wad", "freedoom2.wad")),
                 "the Debian package freedoom (the metal corpus) is not installed"),
    "fluidsynth": (lambda: Path("/usr/share/sounds/sf2/FluidR3_GM.sf2").is_file()
                   and importlib.util.find_spec("fluidsynth") is not None,
                   "fluidsynth, pyfluidsynth or the FluidR3 soundfont is not installed"),
    "chromium": (lambda: Path("/usr/bin/chromium").is_file()
                 and importlib.util.find_spec("playwright") is not None,
                 "the Debian package chromium or the Python package playwright is not installed"),
    "music21": (lambda: importlib.util.find_spec("music21") is not None,
                "music21 (the chorale corpus) is not installed"),
}


def need(*names):
    """Skip, saying why, when an optional system resource is missing; under CI (``CI`` set,
    where ``make setup`` installs them all) a missing one fails instead."""
    for name in names:
        present, why = RESOURCES[name]
        if not present():
            if os.environ.get("CI"):
                pytest.fail(f"CI must have every resource: {why}")
            pytest.skip(why)


class ShapeOnly:
    """A stand-in codec for method tests on toy tensors: the image shape a method is built for,
    without frame levels or views."""

    name = "shape-only"
    frame_levels = None

    def __init__(self, shape):
        self.layout = SimpleNamespace(image_shape=tuple(shape))


def dtn_trainer(source, target, model=None, losses=None, dtn_train=None, seed=0, world=None,
                codecs=None, **train):
    """A :class:`Trainer` of the dtn method on tensors of images (or two codecs' windows), the
    weights seeded with ``seed``; ``train`` are the loop's settings."""
    import torch

    from seqimg.distributed import World
    from seqimg.methods.dtn.config import DtnConfig, DtnTrainConfig, LossConfig
    from seqimg.methods.dtn.method import DtnMethod
    from seqimg.model.config import ModelConfig
    from seqimg.settings import TrainConfig
    from seqimg.train import Trainer

    torch.manual_seed(seed)
    codecs = codecs or (ShapeOnly(source.shape[1:]), ShapeOnly(target.shape[1:]))
    cfg = DtnConfig(model or ModelConfig(width=4, code_dim=8), losses or LossConfig(),
                    dtn_train or DtnTrainConfig())
    return Trainer(DtnMethod(*codecs, cfg), source, target, TrainConfig(**train),
                   torch.device("cpu"), seed, world=world or World())
