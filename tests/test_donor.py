"""The donor method's parts on hand-written notes: bar views, the phrase-keeping Viterbi pass,
the melody over donors, the whole piece, and the copying measure that must report it."""

import numpy as np
import pytest

from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.note_geometry import bar_views, transposed_views
from seqimg.evaluate.copying import copying
from seqimg.methods.donor.choice import cheapest_path
from seqimg.methods.donor.melody import on_rhythm, take_upper_voice
from seqimg.methods.donor.method import DonorConfig, DonorMethod


def notes(*rows):
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3)


def codec():
    return MidiCodec(pitch_low=36, pitch_high=83, steps_per_beat=1, height=4, width=4)


def test_a_bar_view_is_its_pitch_class_shares_and_each_beats_lowest_class():
    # one bar of four one-step beats: C4 held two beats over E2, then E4 alone, then silence
    view = bar_views(notes((60, 0, 2), (40, 0, 1), (64, 2, 3)), 4, 4, 1)
    histogram, bass = view[0, :12], view[0, 12:].reshape(4, 12)
    assert np.allclose(histogram[[0, 4]], [0.5, 0.5]) and histogram.sum() == pytest.approx(1)
    assert bass[0].argmax() == 4 and bass[1].argmax() == 0 and bass[2].argmax() == 4
    assert not bass[3].any()  # a silent beat has no bass
    moved = transposed_views(view, np.array([2]))[0]
    assert np.allclose(moved[0, [2, 6]], [0.5, 0.5]) and moved[0, 12:24].argmax() == 6


def viterbi(cost, previous, jump, key_change=0.0):
    """The exact pass over every state of a cost table, shape=(T, K * N)."""
    every = [np.arange(cost.shape[1])] * len(cost)
    return cheapest_path(every, list(cost), previous, cost.shape[1] // len(previous), jump,
                         key_change)


def test_viterbi_keeps_a_phrase_unless_a_jump_pays():
    # library bar 1 follows bar 0 in its piece; bar 2 stands alone (one transposition)
    previous = np.array([-1, 0, -1])
    cost = np.array([[0.0, 5.0, 0.1], [5.0, 0.5, 0.0]])
    assert viterbi(cost, previous, jump=1.0).tolist() == [0, 1]  # 0.5 beats 0 + 1 + 0
    assert viterbi(cost, previous, jump=0.0).tolist() == [0, 2]  # a free jump to the best


def test_the_melody_takes_the_upper_voice_in_the_donors_rhythm():
    accompaniment = notes((40, 0, 4), (64, 0, 2), (67, 2, 4), (50, 4, 8))
    melody = notes((65, 0, 4))
    struck = take_upper_voice(accompaniment, melody, 4, 8, "struck", margin=2)
    assert sorted(map(tuple, struck)) == [(40, 0, 4), (50, 4, 8), (65, 0, 2), (65, 2, 4)]
    held = take_upper_voice(accompaniment, melody, 4, 8, "upper", margin=2)
    assert sorted(map(tuple, held)) == [(40, 0, 4), (50, 4, 8), (65, 0, 4)]


def test_on_the_donors_rhythm_the_melody_keeps_their_onsets_lengths_and_rests():
    # bar 0: the donor's top line is two short notes with rests; bar 1 has nothing above the
    # floor, so the melody stays as it is there
    accompaniment = notes((40, 0, 8), (64, 0, 1), (67, 2, 3), (69, 2, 4), (50, 4, 8))
    melody = notes((65, 0, 2), (66, 2, 6))
    placed = take_upper_voice(accompaniment, melody, 4, 8, "rhythm", margin=2)
    assert sorted(map(tuple, placed)) == [(40, 0, 8), (50, 4, 8), (65, 0, 1), (66, 2, 4),
                                          (66, 4, 6)]
    # gated: struck as before, then silent where the cleared notes rest (step 1 of bar 0)
    gated = take_upper_voice(accompaniment, melody, 4, 8, "gated", margin=2)
    assert sorted(map(tuple, gated)) == [(40, 0, 8), (50, 4, 8), (65, 0, 1), (66, 2, 4),
                                         (66, 4, 6)]
    # under one held donor note, rhythm keeps the first melody pitch, gated every one
    held, moving = notes((40, 0, 4), (64, 0, 4)), notes((65, 0, 2), (67, 2, 4))
    assert sorted(map(tuple, take_upper_voice(held, moving, 4, 4, "rhythm"))) == [
        (40, 0, 4), (65, 0, 4)]
    assert sorted(map(tuple, take_upper_voice(held, moving, 4, 4, "gated"))) == [
        (40, 0, 4), (65, 0, 2), (67, 2, 4)]
    bar_one = notes((66, 4, 6))
    assert sorted(map(tuple, on_rhythm(bar_one, notes((70, 0, 1)), 4, 8))) == [(66, 4, 6)]


def riff():
    """Four bars of a target piece: a riff on E, then on A, each bar different."""
    return notes((40, 0, 1), (47, 1, 2), (40, 2, 4), (52, 4, 6), (47, 6, 8),
                 (45, 8, 9), (52, 9, 10), (45, 10, 12), (57, 12, 13), (52, 13, 16))


def test_a_source_equal_to_a_donor_transposed_comes_back_as_that_donor():
    c = codec()
    method = DonorMethod(c, c, DonorConfig(melody="none", jump=1.0))
    method.fit_pieces([c.frames_from_notes(riff(), 16)])
    source = riff() + np.array([3, 0, 0])
    out = method.transfer_piece(c.frames_from_notes(source, 16))
    assert sorted(map(tuple, c.notes(out))) == sorted(map(tuple, source))


def test_the_library_travels_in_the_state_dict():
    c = codec()
    method = DonorMethod(c, c, DonorConfig())
    method.fit_pieces([c.frames_from_notes(riff(), 16)])
    loaded = DonorMethod(c, c, DonorConfig())
    loaded.load_state_dict(method.state_dict())
    piece = c.frames_from_notes(riff() + np.array([-2, 0, 0]), 16)
    assert np.array_equal(loaded.transfer_piece(piece), method.transfer_piece(piece))


def test_copying_counts_copied_bars_runs_and_notes():
    c = codec()
    training = [c.frames_from_notes(riff(), 16)]
    copied = c.frames_from_notes(riff() + np.array([5, 0, 0]), 16)  # all four bars, moved
    measured = copying(c, [copied], training)
    assert measured["copied_share"] == 1.0 and measured["longest_copied_run"] == 4.0
    # the A bar is the first E bar moved up a fourth: a repeat up to transposition
    assert measured["copied_note_share"] == 1.0 and measured["distinct_share"] == 0.75
    # the bars in another order: each bar still copied, but no run longer than one bar
    shuffled = np.concatenate([riff()[riff()[:, 1] >= 8] - [0, 8, 8],
                               riff()[riff()[:, 1] < 8] + [0, 8, 8]])
    measured = copying(c, [c.frames_from_notes(shuffled, 16)], training)
    assert measured["copied_share"] == 1.0 and measured["longest_copied_run"] == 2.0
    # a melody over a copied bar: the bar is no longer copied whole, most of its notes are
    over = np.concatenate([riff()[riff()[:, 1] < 4], notes((72, 0, 4))])
    measured = copying(c, [c.frames_from_notes(over, 4)], training)
    assert measured["copied_share"] == 0.0 and measured["copied_note_share"] == 0.75
    fresh = notes((60, 0, 4), (62, 4, 8), (64, 8, 12), (65, 12, 16))
    assert copying(c, [c.frames_from_notes(fresh, 16)], training)["copied_share"] == 0.0


def test_a_key_change_costs_more_than_a_jump_in_key():
    # two transpositions of three lone bars: the cheapest bars lie in the other key at step 1
    previous = np.array([-1, -1, -1])
    cost = np.array([[0.0, 9, 9, 9, 9, 9], [9, 1.0, 9, 9, 0.0, 9]])
    assert viterbi(cost, previous, jump=1.0).tolist() == [0, 4]
    assert viterbi(cost, previous, jump=1.0, key_change=2.0).tolist() == [0, 1]


def test_a_repeated_bar_is_found_and_takes_the_same_donor():
    from seqimg.codecs.note_geometry import first_equal_bars

    piece = notes((60, 0, 4), (62, 4, 8), (60, 8, 12), (60, 12, 14))
    assert first_equal_bars(piece, 4, 4).tolist() == [0, 1, 0, 3]
    c = codec()
    method = DonorMethod(c, c, DonorConfig(melody="none", jump=0.0, reuse_repeats=True))
    method.fit_pieces([c.frames_from_notes(riff(), 16)])
    out = c.notes(method.transfer_piece(c.frames_from_notes(piece, 16)))
    bar = [sorted(map(tuple, out[(out[:, 1] >= s) & (out[:, 1] < s + 4)] - [0, s, s]))
           for s in (0, 8)]
    assert bar[0] == bar[1] and bar[0]


def test_a_clashing_chord_moves_as_a_block_to_the_nearest_chord_tone():
    from seqimg.methods.donor.adapt import to_chord_tones

    source = notes((60, 0, 4), (64, 0, 4), (67, 0, 4))  # C major for the bar
    donor = notes((41, 0, 2), (48, 0, 2), (43, 2, 4), (50, 2, 4))  # F5 then G5
    moved = to_chord_tones(donor, source, 4, 4)
    # F5 (F not in C-E-G) moves down a semitone to E5, its fifth with it; G5 stays
    assert sorted(map(tuple, moved)) == [(40, 0, 2), (43, 2, 4), (47, 0, 2), (50, 2, 4)]


def test_the_melody_moves_by_whole_octaves_into_a_lead_register():
    c = codec()
    source = np.concatenate([riff(), notes((76, 0, 8), (74, 8, 16))])
    pitches = {}
    for octave in (0, -1):
        method = DonorMethod(c, c, DonorConfig(melody="upper", melody_octave=octave))
        method.fit_pieces([c.frames_from_notes(riff(), 16)])
        pitches[octave] = set(c.notes(method.transfer_piece(c.frames_from_notes(source, 16)))[:, 0])
    assert {76, 74} <= pitches[0] and not {64, 62} & pitches[0]
    assert {64, 62} <= pitches[-1] and not {76, 74} & pitches[-1]


def donor_recipe(tmp_path):
    """Six chorale-like pieces against six riff pieces a side, and a donor recipe over them."""
    from conftest import CHORALE, write_midi

    src, tgt = tmp_path / "src", tmp_path / "tgt"
    src.mkdir(), tgt.mkdir()
    for i in range(6):
        write_midi(src / f"p{i}.mid", [(p + i, s, e) for p, s, e in CHORALE * 2])
        write_midi(tgt / f"t{i}.mid", [(p + i, 4 * s, 4 * e) for p, s, e in riff()] * 3)
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"""
source: {{domain: folder, options: {{path: {src}}}, codec: {{name: midi, height: 8, width: 8}}}}
target: {{domain: folder, options: {{path: {tgt}}}, codec: {{name: midi, height: 8, width: 8}}}}
data: {{heldout_fraction: 0.34}}
method: {{name: donor, melody: none, jump: 4}}
train: {{steps: 0}}
evaluate: {{classifier_steps: 20, window: 16, render_audio: false,
           controls: [sixteenths, retrieval]}}
""")
    return recipe


def test_a_donor_run_indexes_writes_copies_and_reports_them(tmp_path):
    import json

    from conftest import run_cli

    out = tmp_path / "run"
    done = run_cli("run", str(donor_recipe(tmp_path)), "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert report["training"] == {"processes": 1}  # indexed, not trained
    # melody off: the outputs are real target bars, and the report says so
    assert report["copying"]["outputs"]["copied_share"] > 0.8
    assert report["copying"]["control:retrieval"]["copied_share"] > 0.5
    assert report["copying"]["control:sixteenths"]["copied_share"] < 0.5
    # real held-out target against the training pieces: the baseline, by the same function
    assert 0 <= report["copying"]["baseline"]["copied_note_share"] <= 1
    assert set(report["tests"]["floor"]) == set(report["tests"]["outputs"])
    piece = sorted((tmp_path / "src").glob("*.mid"))[0]
    moved = run_cli("transfer", str(out / "checkpoints" / "last.pt"), str(piece), "--out",
                    str(tmp_path / "moved"), "--set", "method.jump=0")
    assert moved.returncode == 0 and (tmp_path / "moved" / piece.name).is_file()
    refused = run_cli("transfer", str(out / "checkpoints" / "last.pt"), str(piece), "--out",
                      str(tmp_path / "moved2"), "--set", "method.t0=0.5")
    assert refused.returncode == 1 and "not a transfer-time setting of the donor" in refused.stderr
    # shipped, its card says what it is made of and how much it copied
    from seqimg.shipped import ship

    card = ship(out, "toy", tmp_path / "models")
    said = "\n".join(card.lines())
    assert "made of: real phrases of the target's training pieces (the folder domain's" in said
    copied, baseline = report["copying"]["outputs"], report["copying"]["baseline"]
    assert (f"copied share {copied['copied_share']:.2f} (real held-out target: "
            f"{baseline['copied_share']:.2f})") in said


def test_a_piece_shorter_than_a_bar_has_no_bar_views_and_transfers_to_its_length():
    assert bar_views(notes((60, 0, 2)), 3, 4, 1).shape == (0, 60)
    c = codec()
    method = DonorMethod(c, c, DonorConfig())
    method.fit_pieces([c.frames_from_notes(riff(), 16)])
    assert method.transfer_piece(c.frames_from_notes(notes((60, 0, 2)), 3)).shape == (
        3, c.n_features)


def test_with_parts_the_donors_bring_their_bass_and_drums_and_the_melody_leads():
    from seqimg.codecs.capabilities import DRUM_PART

    c = MidiCodec(encoding="parts", pitch_low=36, pitch_high=83, steps_per_beat=1, height=4,
                  width=4)
    band = np.array([(40, 0, 4, 1), (47, 0, 4, 1), (40, 0, 4, 2), (36, 0, 1, DRUM_PART),
                     (38, 2, 3, DRUM_PART), (45, 4, 8, 1), (52, 4, 8, 1), (45, 4, 8, 2),
                     (36, 4, 5, DRUM_PART), (38, 6, 7, DRUM_PART)])
    frames = c.frames_from_notes_in_parts(band, 8)
    assert sorted(map(tuple, c.notes_in_parts(frames))) == sorted(map(tuple, band))
    method = DonorMethod(c, c, DonorConfig(melody="upper", jump=1.0))
    method.fit_pieces([frames])
    chorale = c.frames_from_notes_in_parts(np.array([(64, 0, 4, 0), (45, 0, 8, 2),
                                                     (69, 4, 8, 0)]), 8)
    out = c.notes_in_parts(method.transfer_piece(chorale))
    parts = {part: sorted(map(tuple, out[out[:, 3] == part, :3])) for part in (0, 1, 2, -1)}
    assert parts[-1] == [(36, 0, 1), (36, 4, 5), (38, 2, 3), (38, 6, 7)]  # drums, untransposed
    assert parts[0] == [(64, 0, 4), (69, 4, 8)]  # the melody, as the lead
    assert parts[1] and parts[2]  # the donors' rhythm guitar and bass


def test_the_tune_plays_in_the_lead_the_rhythm_guitar_or_where_the_donors_lead():
    from seqimg.methods.donor.melody import tune_part

    tune = np.array([(64, 0, 4, 0), (65, 4, 8, 0), (67, 8, 12, 0)])
    donors = np.array([(40, 0, 4, 1), (76, 4, 6, 0), (40, 8, 12, 1)])  # a lead in bar 1 only
    assert tune_part(tune, donors, 4, "lead").tolist() == [0, 0, 0]
    assert tune_part(tune, donors, 4, "rhythm").tolist() == [1, 1, 1]
    assert tune_part(tune, donors, 4, "donor_lead").tolist() == [1, 0, 1]


def test_a_melody_on_a_beat_grid_keeps_the_pitch_at_each_beat_and_merges_repeats():
    from seqimg.methods.donor.melody import on_grid

    melody = notes((72, 0, 2), (71, 2, 3), (69, 3, 4), (69, 4, 8), (67, 8, 10))
    assert on_grid(melody, 4, 12).tolist() == [[72, 0, 4], [69, 4, 8], [67, 8, 12]]
    assert on_grid(melody, 2, 11).tolist() == [[72, 0, 2], [71, 2, 4], [69, 4, 8],
                                               [67, 8, 10]]


def test_a_doubled_melody_sounds_its_line_and_the_line_an_octave_below():
    c = codec()
    method = DonorMethod(c, c, DonorConfig(melody="upper", melody_double=12))
    method.fit_pieces([c.frames_from_notes(riff(), 16)])
    source = np.concatenate([riff(), notes((76, 0, 8), (74, 8, 16))])
    out = c.notes(method.transfer_piece(c.frames_from_notes(source, 16)))
    assert {(76, 0, 8), (64, 0, 8), (74, 8, 16), (62, 8, 16)} <= set(map(tuple, out))


def test_a_resumed_donor_run_saves_the_library_it_indexed_again(tmp_path):
    """A donor fitted without the loop is saved over a checkpoint already there: resumed on
    other pieces, the checkpoint holds the library the run then transfers with."""
    import torch

    from seqimg.settings import TrainConfig
    from seqimg.testing import SideInMemory
    from seqimg.train import Trainer

    c = codec()
    checkpoint = tmp_path / "last.pt"

    def fitted(library: list) -> Trainer:
        trainer = Trainer(DonorMethod(c, c, DonorConfig()), None, None, TrainConfig(steps=0),
                          torch.device("cpu"), seed=0)
        trainer.fit_method(SideInMemory(c, []), SideInMemory(c, library), lambda: None,
                           checkpoint, progress=False, resume_from=checkpoint)
        return trainer

    fitted([c.frames_from_notes(riff(), 16)])
    other = fitted([c.frames_from_notes(riff() + [2, 0, 0], 16)] * 2)
    saved = torch.load(checkpoint, weights_only=False)["weights"]["_extra_state"]
    assert len(saved["pieces"]) == len(other.method.library.pieces) == 8
