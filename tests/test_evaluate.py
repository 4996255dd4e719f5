"""Evaluation measures and the report of a tiny run."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import MELODY, run_cli, write_midi

from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.notes import notes_to_pitch_channels
from seqimg.evaluate import measures as m
from seqimg.evaluate.classifier import frame_windows, train_classifier
from seqimg.evaluate.critics import critic_fits
from seqimg.evaluate.pipeline import Pieces
from seqimg.evaluate.two_sample import (
    DECIDED,
    SampleTest,
    floor,
    halves,
    too_small,
    two_sample,
    two_sample_critics,
)
from seqimg.recipe import load_recipe


def pieces(notes_list, length=128):
    return Pieces({f"p{i}": notes_to_pitch_channels(np.array(n), length, 24, 107)
                   for i, n in enumerate(notes_list)})


def sixteenths(seed):
    rng = np.random.default_rng(seed)
    return [(int(rng.integers(40, 90)), t, t + 1) for t in range(128)]


def sustained(seed):
    rng = np.random.default_rng(seed)
    return [(int(rng.integers(40, 90)), t, t + 8) for t in range(0, 128, 8)]


def cnn(seeds=1, steps=150):
    """The CNN critic's fits, one per seed."""
    return critic_fits(("cnn",), None, 0, seeds, steps)["cnn"]


def test_two_sample_test_tells_sixteenth_streams_from_sustained_notes():
    streams = pieces([sixteenths(i) for i in range(8)]).values
    held = pieces([sustained(i) for i in range(8, 16)]).values
    told = two_sample(streams, held, 32, cnn())
    assert told.accuracy > 0.9 and told.n == 32 and told.p < 1e-4
    same = pieces([sustained(i) for i in range(16, 32)]).values
    alike = two_sample(pieces([sustained(i) for i in range(32, 48)]).values, same, 32, cnn())
    assert alike.accuracy < 0.75 and alike.p > told.p


def test_a_test_is_the_median_over_critic_seeds_and_a_deterministic_critic_is_fitted_once():
    fits = critic_fits(("cnn", "statistics"), None, 0, 3, 60)
    assert [len(fits["cnn"]), len(fits["statistics"])] == [3, 1]
    a = pieces([sixteenths(i) for i in range(8)]).values
    b = pieces([sustained(i) for i in range(8, 16)]).values
    three = two_sample(a, b, 32, fits["cnn"])
    alone = [two_sample(a, b, 32, [fit]).accuracy for fit in fits["cnn"]]
    assert list(three.seeds) == alone and three.accuracy == float(np.median(alone))
    assert three.range == (min(alone), max(alone)) and three.n == 32
    assert three.p == SampleTest.of(three.accuracy, 32).p


class Fixed:
    """A critic that calls every window positive with one probability, counting its fits."""

    def __init__(self, probability, fitted):
        self.value, self.fitted = probability, fitted

    def __call__(self, positive, negative):
        self.fitted.append(self.value)
        return self

    def probability(self, windows):
        return np.where(windows.mean((1, 2)) > 0, self.value, 1 - self.value)


def test_a_test_decided_by_its_first_critic_seed_is_not_repeated():
    a = [np.full((32, 2), 0.2 * i + 0.2, np.float32) for i in range(4)]  # four pieces each
    b = [-x for x in a]
    fitted = []
    decided = two_sample(a, b, 32, [Fixed(0.9, fitted), Fixed(0.1, fitted), Fixed(0.9, fitted)])
    assert fitted == [0.9] and decided.seeds == (1.0,)  # every window told: 1.0 >= DECIDED
    fitted.clear()
    open_test = two_sample(a, b, 32, [Fixed(0.1, fitted), Fixed(0.9, fitted), Fixed(0.1, fitted)])
    assert fitted == [0.1, 0.9, 0.1] and open_test.accuracy == 0.0


def test_the_floor_of_one_real_process_is_near_chance_and_of_two_far_above():
    fits = {"cnn": cnn()}
    one = pieces([sustained(i) for i in range(24)]).values
    level = floor(one, 32, fits, seed=0)["cnn"]
    assert abs(level.accuracy - 0.5) < 0.2 and level.n == 48 and level.p > 0.01
    # two folders of different processes, tested by the floor's own procedure
    two = two_sample_critics(pieces([sixteenths(i) for i in range(12)]).values,
                             pieces([sustained(i) for i in range(12)]).values, 32, fits)
    assert two["cnn"].accuracy > level.accuracy + 0.3


def test_a_test_too_small_to_reject_chance_is_named():
    assert too_small(4) and not too_small(5) and too_small(0)
    assert SampleTest.of(0.79, 8).p > 0.05 and SampleTest.of(0.58, 400).p < 0.05


def test_copies_of_a_piece_stay_on_one_side_of_the_critics_split():
    a, b, c = (np.full((4, 1), v, np.float32) for v in (0.1, 0.5, 0.9))
    first, second = halves([a, b, c, a + 0.001, a, b])
    assert [p[0, 0] for p in first] == pytest.approx([0.1, 0.9, 0.101, 0.1])
    assert [p[0, 0] for p in second] == pytest.approx([0.5, 0.5])
    assert halves([a, b, c]) == ([a, c], [b])  # without copies: dealt alternately


def test_classifier_separates_and_embeds():
    pos = frame_windows(pieces([sixteenths(i) for i in range(4)]).values, 32)[0]
    neg = frame_windows(pieces([sustained(i) for i in range(4)]).values, 32)[0]
    clf = train_classifier(pos, neg, 100)
    assert clf.probability(pos).mean() > 0.8 and clf.probability(neg).mean() < 0.2
    assert clf.embedding(pos).shape == (len(pos), 64)


def test_content_measures_against_hand_values():
    codec = MidiCodec()
    a = notes_to_pitch_channels(np.array([[60, 0, 4], [64, 4, 8]]), 8, 24, 107)
    same = codec.content_similarity(a, a, 4)
    assert same["chroma"] == pytest.approx(1.0) and same["contour"] == pytest.approx(1.0)
    up = notes_to_pitch_channels(np.array([[61, 0, 4], [65, 4, 8]]), 8, 24, 107)
    moved = codec.content_similarity(a, up, 4)
    assert moved["chroma"] == pytest.approx(0.0) and moved["contour"] == pytest.approx(1.0)
    assert m.normalised(0.8, 0.6) == pytest.approx(0.5)
    assert m.normalised(0.9999, 0.9999) == 0.0


def test_midi_statistics_by_hand():
    frames = notes_to_pitch_channels(np.array([[60, 0, 1], [62, 1, 2], [64, 4, 8]]), 8, 24, 107)
    stats = MidiCodec().statistics(frames)
    assert stats["pitch_range"] == 4 and stats["distinct_pitches"] == 3
    assert stats["one_step_share"] == pytest.approx(2 / 3)
    assert stats["empty_beat_rate"] == 0.0 and stats["scale_consistency"] == 1.0
    assert stats["note_length"] == pytest.approx(2.0)


def test_frechet_distance_zero_for_same_sets():
    x = np.random.default_rng(0).normal(size=(200, 4))
    assert m.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    assert m.frechet_distance(x, x + 3) == pytest.approx(36.0, rel=0.05)


def tiny_recipe(tmp_path, pieces=6):
    """A tiny MIDI pair (``pieces`` a side) and a 4-step recipe with both controls."""
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    for folder, shift, step in ((src, 0, 4), (tgt, -12, 1)):
        folder.mkdir()
        for i in range(pieces):
            notes = [(p + shift + i, s * step // 4, max(e * step // 4, s * step // 4 + 1))
                     for p, s, e in MELODY * 2]
            write_midi(folder / f"p{i}.mid", notes)
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"""
name: tiny
source: {{domain: folder, options: {{path: {src}}}, codec: {{name: midi, height: 8, width: 8}}}}
target: {{domain: folder, options: {{path: {tgt}}}, codec: {{name: midi, height: 8, width: 8}}}}
data: {{heldout_fraction: 0.34}}
method: {{name: dtn, model: {{width: 4, code_dim: 8}}}}
train: {{steps: 4, batch_size: 4}}
evaluate: {{classifier_steps: 20, window: 16, render_audio: false,
           controls: [sixteenths, power_chords]}}
""")
    return recipe


def tiny_run(tmp_path):
    """A 4-step run of :func:`tiny_recipe`; returns the run folder."""
    out = tmp_path / "run"
    if out.exists():
        return out
    result = run_cli("run", str(tiny_recipe(tmp_path)), "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return out


def test_run_writes_the_full_report_and_evaluate_reproduces_it(tmp_path):
    out = tiny_run(tmp_path)
    report = json.loads((out / "report.json").read_text())
    for key in ("transfer_strength", "identity_strength", "roundtrip_identity_strength",
                "target_strength", "classifier_accuracy", "content_similarity", "realism",
                "tests", "copying", "verdict", "skipped_files"):
        assert key in report
    assert set(report["tests"]) == {"outputs", "untransferred", "floor",
                                    "control:sixteenths", "control:power_chords"}
    cnn_test = report["tests"]["outputs"]["cnn"]
    # three critic seeds, or the first alone where it decided the test
    seeds = 1 if cnn_test["seeds"][0] >= DECIDED else 3
    assert set(cnn_test) == {"accuracy", "range", "seeds", "n", "p"}
    assert len(cnn_test["seeds"]) == seeds
    assert cnn_test["range"][0] <= cnn_test["accuracy"] <= cnn_test["range"][1]
    assert len(report["tests"]["outputs"]["statistics"]["seeds"]) == 1  # deterministic
    assert set(report["copying"]) == {"outputs", "baseline", "control:sixteenths",
                                      "control:power_chords"}
    assert report["verdict"]["level"] in ("told_apart", "matched_by_a_control", "passes_level",
                                          "indistinguishable")
    assert "real held-out target: " in (out / "report.md").read_text()
    assert set(report["content_similarity"]["chroma"]) == {"raw", "chance", "normalised"}
    assert set(report["controls"]) == {"sixteenths", "power_chords"}
    split = report["controls"]["sixteenths"]
    assert split["statistics"]["one_step_share"] == 1.0 and split["content"]["chroma"] > 0.9
    assert (out / "report.md").read_text().startswith("# Run report: tiny")
    assert (out / "figures" / "training_curves.png").exists()
    assert "    encoding: pitch-channels" in (out / "config.yaml").read_text()
    # a run folder written before the midi codec's layout option was renamed encoding
    config = out / "config.yaml"
    config.write_text(config.read_text().replace("    encoding: ", "    layout: "))
    again = run_cli("evaluate", str(out))
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads((out / "report.json").read_text()) == report


def test_a_plugin_codec_gets_a_report_from_the_generic_hooks(tmp_path):
    """Two folders of the example plugin's text files through the whole run: statistics,
    content measures and pictures come from the base class's defaults, no MIDI code loads."""
    rng = np.random.default_rng(0)
    for name, wiggle in (("src", 5.0), ("tgt", 25.0)):
        (tmp_path / name).mkdir()
        for i in range(6):
            values = 50 + wiggle * np.sin(np.arange(130) / (3 + i)) + rng.normal(size=130)
            (tmp_path / name / f"s{i}.txt").write_text("\n".join(f"{v:.3f}" for v in values))
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"""
name: lines
source: {{domain: folder, options: {{path: {tmp_path / "src"}, pattern: "*.txt"}},
          codec: {{name: lines}}}}
target: {{domain: folder, options: {{path: {tmp_path / "tgt"}, pattern: "*.txt"}},
          codec: {{name: lines}}}}
data: {{heldout_fraction: 0.34}}
method: {{name: dtn, model: {{width: 4, code_dim: 8}}}}
train: {{steps: 3, batch_size: 4}}
evaluate: {{classifier_steps: 10, window: 16}}
""")
    out = tmp_path / "run"
    code = (f"import sys; from pathlib import Path; from seqimg.run import run; "
            f"run(Path({str(recipe)!r}), Path({str(out)!r}), progress=False); "
            f"print([m for m in ('pretty_midi', 'seqimg.codecs.midi') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
    report = json.loads((out / "report.json").read_text())
    assert set(report["realism"]["statistics"]) == {"level", "spread", "lag1_autocorrelation",
                                                    "spectral_centroid"}
    assert "correlation" in report["content_similarity"]
    assert list((out / "figures").glob("piece_*.png"))


def test_sixteenths_and_power_chord_controls_by_hand():
    from seqimg.codecs.note_controls import power_chords, sixteenths

    codec = MidiCodec(pitch_low=24, pitch_high=107)
    # a bass C3 for a beat and a half under a melody E4 then G4
    frames = notes_to_pitch_channels(np.array([[48, 0, 6], [64, 0, 2], [67, 2, 8]]), 8, 24, 107)
    split = codec.notes(sixteenths(codec, frames)).tolist()
    assert split == sorted([[48, t, t + 1] for t in range(6)] + [[64, 0, 1], [64, 1, 2]]
                           + [[67, t, t + 1] for t in range(2, 8)], key=lambda n: (n[1], n[0]))
    arranged = codec.notes(power_chords(codec, frames))
    # beat 1 (steps 0-3) and beat 2 (4-7): lowest note C3 -> root C3 (48 lies in 40..51)
    chords = {(int(p), int(s)) for p, s, e in arranged if e - s == 1 and p in (48, 55, 60)}
    assert chords == {(p, t) for p in (48, 55, 60) for t in range(8)}
    melody = [n for n in arranged.tolist() if n[0] in (52, 55) and n[2] - n[1] > 1]
    assert [52, 0, 2] in melody  # E4 an octave down, held


def test_the_retrieval_control_puts_the_nearest_target_bar_on_the_source_root():
    from seqimg.codecs.note_controls import retrieval, retrieval_library

    codec = MidiCodec(pitch_low=24, pitch_high=107)
    # target: a bar of chugged E2 with a fifth (a riff), then a bar of a held A minor triad
    riff = [[40, t, t + 1] for t in range(16)] + [[47, t, t + 2] for t in range(0, 16, 4)]
    triad = [[45, 16, 32], [48, 16, 32], [52, 16, 32]]
    target = notes_to_pitch_channels(np.array(riff + triad), 32, 24, 107)
    # source: a bar on a G bass with its fifth (the riff's shape), then a bar of silence
    source = notes_to_pitch_channels(np.array([[43, 0, 16], [50, 0, 8], [62, 8, 16]]), 32,
                                     24, 107)
    library = [target]
    out = codec.notes(retrieval(codec, source, library)).tolist()
    expected = sorted([[p + 3, s, e] for p, s, e in riff], key=lambda n: (n[1], n[0]))
    assert out == expected  # the riff, moved from E to G; the silent bar stays silent
    # the library of one list of target pieces is built once; another list is read anew
    assert retrieval_library(codec, library) is retrieval_library(codec, library)
    triad_only = [notes_to_pitch_channels(np.array(triad) - [0, 16, 16], 16, 24, 107)]
    moved = codec.notes(retrieval(codec, source, triad_only)).tolist()
    assert moved and all(n[0] % 12 in {(45 - 2) % 12, (48 - 2) % 12, (52 - 2) % 12}
                         for n in moved)  # the triad on the G bar's root


def test_bar_measures_tell_a_riff_from_a_drone():
    from seqimg.codecs.note_measures import bar_measures
    from seqimg.codecs.notes import sounding_and_onsets

    riff = np.array([[40 + (t % 2) * 7, t, t + 1] for t in range(64)])
    drone = np.array([[40, 0, 64], [47, 0, 64]])
    for notes, expected in ((riff, {"pitches_per_bar": 2.0, "long_note_share": 0.0,
                                    "bar_repetition": 1.0}),
                            (drone, {"pitches_per_bar": 2.0, "long_note_share": 1.0,
                                     "bar_repetition": 0.0})):
        sounding, _ = sounding_and_onsets(notes, 64, 0, 127)
        assert bar_measures(notes, sounding, 16) == pytest.approx(expected)


def test_a_weak_classifier_makes_strength_unreadable(tmp_path):
    from seqimg.evaluate.report import markdown
    from seqimg.evaluate.result import Report
    from seqimg.evaluate.verdict import report_json

    report = Report.load(tiny_run(tmp_path) / "report.json")
    weak = Report.from_dict({**json.loads(report_json(report)), "classifier_accuracy": 0.58})
    recipe = load_recipe(tmp_path / "run" / "config.yaml")
    assert not weak.strength_readable and report.strength_readable == (
        report.classifier_accuracy >= 0.8)
    text = markdown(weak, recipe, [], [])
    assert "cannot be read" in text and "below 0.8" in text


def test_distribution_distances_give_the_target_range():
    target = [{"x": float(v)} for v in range(11)]  # 0..10
    source = [{"x": 20.0}, {"x": 30.0}]
    inside = m.distribution_distances([{"x": 5.0}], target, source)["x"]
    assert (inside.target_p10, inside.target_p90) == (1.0, 9.0) and inside.inside_target_range
    assert inside.mean_target == 5.0 and inside.to_target < inside.to_source
    assert not m.distribution_distances([{"x": 9.5}], target, source)["x"].inside_target_range


def test_rocket_classifier_reads_a_small_detail_of_short_series():
    """Two classes of 50-step series that differ only by a narrow bump at a random place."""
    from seqimg.evaluate.classifier import accuracy

    rng = np.random.default_rng(0)

    def series(n, bump):
        t = np.linspace(0, 3, 50)
        x = np.sin(t[None] * rng.uniform(1.5, 2.5, (n, 1))) + 0.05 * rng.normal(size=(n, 50))
        if bump:
            where = rng.integers(5, 45, n)
            x[np.arange(n), where] += 0.6
        return x[..., None].astype(np.float32)

    fit = critic_fits(("rocket",), None, 0, 1)["rocket"][0]
    clf = fit(series(60, True), series(60, False))
    assert accuracy(clf, series(40, True), series(40, False)) > 0.9
    assert clf.embedding(series(5, True)).shape == (5, 32)


def test_the_judge_reads_both_sides_of_a_fitted_codec_in_the_targets_coordinates(tmp_path):
    """Two folders of series from one process, the source's scaler widened by one louder
    series: read in each side's own coordinates the classifier would tell them apart by the
    scaling alone; read by the target codec it cannot."""
    from seqimg.run import run

    rng = np.random.default_rng(0)
    for name, count in (("src", 16), ("tgt", 16)):
        (tmp_path / name).mkdir()
        for i in range(count):
            values = np.sin(np.arange(64) / 4 + rng.uniform(0, 6)) + 0.3 * rng.normal(size=64)
            np.savetxt(tmp_path / name / f"s{i:02d}.csv", values, header="value", comments="")
    np.savetxt(tmp_path / "src" / "loud.csv", 8 * np.sin(np.arange(64) / 4), header="value",
               comments="")
    recipe = tmp_path / "r.yaml"
    codec = "{name: timeseries, channels: 1, height: 8, width: 8}"
    recipe.write_text(f"""
name: same
source: {{domain: folder, options: {{path: {tmp_path / "src"}}}, codec: {codec}}}
target: {{domain: folder, options: {{path: {tmp_path / "tgt"}}}, codec: {codec}}}
data: {{heldout_fraction: 0.3}}
method: {{name: dtn, model: {{width: 4, code_dim: 8}}}}
train: {{steps: 2, batch_size: 4}}
evaluate: {{classifier_steps: 200, window: 16, critics: [cnn], examples: 0}}
""")
    out = run(recipe, tmp_path / "run", progress=False)
    report = json.loads((out / "report.json").read_text())
    assert report["classifier_accuracy"] < 0.75
    assert report["identity_strength"] == report["roundtrip_identity_strength"]


def test_the_series_bridges_train_on_outputs_and_test_on_real_pieces():
    """CAS: ROCKET trained on real source against the outputs as target, tested on real held-out
    pieces: high when the outputs are like real target, near chance when they are the source."""
    from types import SimpleNamespace

    from seqimg.evaluate.bridges import series_bridges

    rng = np.random.default_rng(0)

    def series(n, bump):
        x = np.sin(np.linspace(0, 3, 40)[None] * rng.uniform(1.5, 2.5, (n, 1)))
        x = x + 0.05 * rng.normal(size=(n, 40))
        if bump:
            x[np.arange(n), rng.integers(5, 35, n)] += 0.8
        return Pieces({f"s{i}": row[:, None].astype(np.float32) for i, row in enumerate(x)})

    def pieces_with(outputs):
        return SimpleNamespace(source_train=series(30, False), outputs=outputs,
                               target_heldout=series(20, True),
                               source_through_target=series(20, False))

    real = series_bridges(1.5, 0.97, pieces_with(series(30, True)), 40, 0)
    assert real["rocket_fid"] == 1.5 and real["cas_real"] == 0.97 and real["cas"] > 0.85
    unmoved = series_bridges(1.5, 0.97, pieces_with(series(30, False)), 40, 0)
    assert unmoved["cas"] < 0.7
