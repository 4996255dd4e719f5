"""Mutated versions of valid files (bit flips, truncation, inserted bytes, huge header lengths)
through every reader that takes a user's file: each gives a result or a ``SeqimgError`` naming
the file, never another exception, a hang or a memory blow-up.

``make test`` tries a few dozen inputs per reader with a fixed seed; ``make fuzz`` many more
(``SEQIMG_FUZZ_EXAMPLES``).
"""

import os
import resource
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest
from conftest import CHORALE, series_csv, tone_wav, write_midi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqimg.errors import SeqimgError
from seqimg.recipe import load_recipe
from seqimg.transcode import decode_file, encode_file, save_encoded

EXAMPLES = int(os.environ.get("SEQIMG_FUZZ_EXAMPLES", "100"))
SECONDS_PER_INPUT = 20  # far above any valid input's time; only a hang reaches it
GROWTH_LIMIT_MB = 1500  # peak resident memory the fuzzing may add to the test process

FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))

HUGE = [b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"\x00\x00\x00\x00", b"\xff\xff\xff\x7f",
        b"\x00\x00\x01\x00"]
MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 20), st.integers(0, 7)),
    st.tuples(st.just("truncate"), st.integers(0, 1 << 20)),
    st.tuples(st.just("insert"), st.integers(0, 1 << 20), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("huge"), st.integers(0, 63), st.sampled_from(HUGE)),
)
MUTATIONS = st.lists(MUTATION, min_size=1, max_size=4)


def mutate(data: bytes, mutations) -> bytes:
    """Apply the mutations in turn; positions wrap around the current length."""
    out = bytearray(data)
    for kind, position, *rest in mutations:
        at = position % max(len(out), 1)
        if kind == "flip" and out:
            out[at] ^= 1 << rest[0]
        elif kind == "truncate":
            del out[at:]
        elif kind == "insert":
            out[at:at] = rest[0]
        elif kind == "huge":
            out[at : at + 4] = rest[0]
    return bytes(out)


class Hang(Exception):
    """Raised by the timer when one input takes too long."""


def on_time_limit(signum, frame):
    raise Hang(f"one input took over {SECONDS_PER_INPUT} s")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check(read, names):
    """``read()`` finishes in time with a result or a SeqimgError naming one of ``names``."""
    previous = signal.signal(signal.SIGALRM, on_time_limit)
    signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_INPUT)
    try:
        read()
    except SeqimgError as exc:
        assert any(str(name) in str(exc) for name in names), str(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """One valid file per reader, as bytes."""
    folder = tmp_path_factory.mktemp("fuzz-seeds")
    midi = write_midi(folder / "seed.mid", CHORALE, drums=(0, 4, 8, 12))
    csv, data = series_csv(folder / "seed.csv", length=80, channels=3)
    np.save(folder / "seed.npy", data)
    wav = tone_wav(folder / "seed.wav", seconds=0.5)
    _, instance, encoded = encode_file(midi, "midi", {})
    save_encoded(folder / "windows.npy", midi, "midi", instance, encoded)
    recipe = Path(__file__).parents[1] / "recipes" / "midi_genre.yaml"
    return {"midi": midi.read_bytes(), "csv": csv.read_bytes(),
            "npy": (folder / "seed.npy").read_bytes(), "wav": wav.read_bytes(),
            "windows": (folder / "windows.npy").read_bytes(),
            "windows.json": (folder / "windows.json").read_bytes(),
            "recipe": recipe.read_bytes()}


@pytest.fixture(scope="module", autouse=True)
def bounded_memory():
    before = peak_mb()
    yield
    assert peak_mb() - before < GROWTH_LIMIT_MB, f"peak memory grew by {peak_mb() - before} MB"


ENCODERS = {"midi": ("midi", {}, ".mid"), "csv": ("timeseries", {"channels": 3}, ".csv"),
            "npy": ("timeseries", {"channels": 3}, ".npy"), "wav": ("audio", {}, ".wav")}


@pytest.mark.parametrize("kind", list(ENCODERS))
def test_encoding_mutated_files(kind, seeds, tmp_path_factory):
    codec, options, suffix = ENCODERS[kind]
    folder = tmp_path_factory.mktemp(f"fuzz-{kind}")
    path = folder / f"mutated{suffix}"

    @FUZZ
    @given(MUTATIONS)
    def one(mutations):
        path.write_bytes(mutate(seeds[kind], mutations))
        check(lambda: encode_file(path, codec, options), [path])

    one()


def test_decoding_mutated_windows_and_descriptions(seeds, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-decode")
    windows, description = folder / "w.npy", folder / "w.json"

    @FUZZ
    @given(st.sampled_from(["windows", "windows.json", "both"]), MUTATIONS)
    def one(which, mutations):
        for name, path in (("windows", windows), ("windows.json", description)):
            spoilt = which in (name, "both")
            path.write_bytes(mutate(seeds[name], mutations) if spoilt else seeds[name])
        out = folder / "out"
        shutil.rmtree(out, ignore_errors=True)
        check(lambda: decode_file(windows, None, {}, out / "decoded.mid"), [windows, description])

    one()


def test_loading_mutated_recipes(seeds, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz-recipe") / "recipe.yaml"

    @FUZZ
    @given(MUTATIONS)
    def one(mutations):
        path.write_bytes(mutate(seeds["recipe"], mutations))
        check(lambda: load_recipe(path), [path])

    one()
