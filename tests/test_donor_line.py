"""The tune over the band: clearing only the tune's own part, the Markov line written between
the tune's anchors, and the cost of a donor bar's pitch classes in the choice."""

import numpy as np
from test_donor import codec, riff

from seqimg.codecs.capabilities import DRUM_PART
from seqimg.methods.donor.line import LineModel, part_lines, write_line
from seqimg.methods.donor.melody import take_upper_voice
from seqimg.methods.donor.method import DonorConfig, DonorMethod

LEAD, RHYTHM, DRUMS = 0, 1, DRUM_PART


def parted(*rows):
    return np.asarray(rows, dtype=np.int64).reshape(-1, 4)


def transferred_by(settings: dict, donors: list, source: np.ndarray, length: int = 4) -> list:
    """The notes, sorted, of ``source`` transferred over one-bar donor pieces (notes each) by a
    donor method of ``settings`` on the test codec."""
    c = codec()
    method = DonorMethod(c, c, DonorConfig(max_shift=1, **settings))
    method.fit_pieces([c.frames_from_notes(donor, length) for donor in donors])
    return sorted(map(tuple, c.notes(method.transfer_piece(c.frames_from_notes(source,
                                                                                length)))))


def test_own_part_clears_only_the_part_the_tune_plays_in():
    # one bar of four steps: a rhythm chord reaching above the tune's floor and a lead line
    band = parted((52, 0, 4, RHYTHM), (64, 0, 4, RHYTHM), (70, 0, 2, LEAD), (72, 2, 4, LEAD))
    tune = parted((66, 0, 4, LEAD))
    everything = take_upper_voice(band, tune, 4, 4, "struck", margin=2)
    assert sorted(map(tuple, everything)) == [(52, 0, 4, RHYTHM), (66, 0, 2, LEAD),
                                              (66, 2, 4, LEAD)]
    own = take_upper_voice(band, tune, 4, 4, "struck", margin=2, own_part=True)
    assert sorted(map(tuple, own)) == [(52, 0, 4, RHYTHM), (64, 0, 4, RHYTHM),
                                       (66, 0, 2, LEAD), (66, 2, 4, LEAD)]


def test_part_lines_are_each_parts_top_voice_cut_at_rests():
    notes = parted((40, 0, 1, RHYTHM), (47, 0, 1, RHYTHM), (43, 1, 2, RHYTHM),
                   (45, 9, 10, RHYTHM), (47, 10, 11, RHYTHM), (36, 0, 1, DRUMS), (38, 1, 2, DRUMS),
                   (64, 0, 1, LEAD), (67, 1, 2, LEAD))
    lines = sorted(line.tolist() for line in part_lines(notes, gap=4))
    assert lines == [[45, 47], [47, 43], [64, 67]]  # drums are no line


def test_the_written_line_keeps_anchors_and_the_bars_pitch_classes():
    # real lines that climb by whole tones; the band plays C, D and E in its bar
    model = LineModel.of([np.array([60, 62, 64, 66, 68])], order=1, longest=4)
    band = parted((48, 0, 4, RHYTHM), (50, 0, 4, RHYTHM), (52, 0, 4, RHYTHM))
    tune = parted((60, 0, 1, LEAD), (60, 1, 2, LEAD), (60, 2, 3, LEAD), (64, 3, 4, LEAD))
    written = write_line(tune, frozenset({0, 3}), band, model, bar=4)
    assert written[:, 0].tolist() == [60, 62, 64, 64]  # C, then D and E, then E anchored
    assert np.array_equal(written[:, 1:], tune[:, 1:])
    # where no step the model knows is allowed, the tune's own pitch stays
    far = write_line(tune, frozenset({0, 3}), parted((49, 0, 4, RHYTHM)), model, bar=4)
    assert far[:, 0].tolist() == tune[:, 0].tolist()


def test_a_written_line_never_copies_a_longer_run_than_allowed():
    model = LineModel.of([np.array([60, 62, 64, 66, 68])], order=1, longest=1)
    assert model.copies([2], 2) and not model.copies([], 2) and not model.copies([2], -2)
    tune = parted(*[(60, step, step + 1, LEAD) for step in range(4)])
    written = write_line(tune, frozenset({0}), np.zeros((0, 4), np.int64), model, bar=4)
    # one whole-tone step may be taken, a second in a row would copy two: the tune's C instead
    assert written[:, 0].tolist()[:2] == [60, 62] and written[2, 0] != 64


def test_a_pitch_class_cost_prefers_the_donor_with_fewer_classes():
    # the library: a bar of a held C major triad and a bar of C and G alone, in separate pieces
    triad = np.array([[48, 0, 4], [52, 0, 4], [55, 0, 4]])
    fifth = np.array([[48, 0, 4], [55, 0, 4]])
    for cost, expected in ((0.0, triad), (0.5, fifth)):
        assert transferred_by({"melody": "none", "class_cost": cost}, [triad, fifth],
                              triad) == sorted(map(tuple, expected))


def test_the_markov_line_transfers_a_piece_the_same_way_twice():
    c = codec()
    method = DonorMethod(c, c, DonorConfig(line="markov", melody_step=1))
    method.fit_pieces([c.frames_from_notes(riff(), 16)])
    piece = c.frames_from_notes(riff() + np.array([12, 0, 0]), 16)
    assert np.array_equal(method.transfer_piece(piece), method.transfer_piece(piece))


def test_a_clearing_cost_prefers_the_donor_that_sits_below_the_tune():
    # two one-bar donors of the same pitch classes: C and G high, or an octave lower
    high, low = np.array([[60, 0, 4], [67, 0, 4]]), np.array([[48, 0, 4], [55, 0, 4]])
    source = np.array([[48, 0, 4], [55, 0, 4], [67, 0, 4]])
    # equal matches: the first donor, whose G the tune (G4, floor F4) clears; then the low one
    for cost, band in ((0.0, [(60, 0, 4)]), (1.0, [(48, 0, 4), (55, 0, 4)])):
        assert transferred_by({"clear_cost": cost, "melody": "upper"}, [high, low],
                              source) == sorted(band + [(67, 0, 4)])


def test_a_band_that_plays_on_after_the_tune_is_read_only_where_the_tune_is():
    model = LineModel.of([np.array([60, 62, 64])], order=1, longest=4)
    tune = parted((60, 0, 1, LEAD), (60, 1, 2, LEAD))
    band = parted((50, 0, 4, RHYTHM), (52, 8, 12, RHYTHM))  # its last bar lies past the tune's
    assert write_line(tune, frozenset({0}), band, model, bar=4)[:, 0].tolist() == [60, 62]


def test_snapping_moves_the_tunes_pitches_to_the_bands_classes():
    from seqimg.methods.donor.line import to_band_classes

    band = parted((48, 0, 4, RHYTHM), (55, 0, 4, RHYTHM), (50, 4, 8, RHYTHM))  # C G, then D
    tune = parted((64, 0, 2, LEAD), (67, 2, 4, LEAD), (66, 4, 8, LEAD), (61, 8, 12, LEAD))
    # E4 to the nearer of D#/F? neither is played: C4 and G4 are 4 and 3 away, G4 wins; G4
    # stays; F#4 in the D bar goes down to D4; the last bar has no band and keeps C#4
    assert to_band_classes(tune, band, 4)[:, 0].tolist() == [67, 67, 62, 61]


def test_a_pad_cost_prefers_the_donor_that_strikes_every_beat():
    # a bar of C and G held whole, and the same two notes struck on each of its four beats
    held = np.array([[48, 0, 4], [55, 0, 4]])
    struck = np.array([[p, t, t + 1] for t in range(4) for p in (48, 55)])
    for cost, expected in ((0.0, held), (0.5, struck)):
        assert transferred_by({"melody": "none", "pad_cost": cost}, [held, struck],
                              held) == sorted(map(tuple, expected))


def test_a_pad_cost_counts_only_the_onsets_the_tune_leaves():
    # held C and G under a tremolo on top, against a riff on C and G under nothing
    c = codec()
    tremolo = np.array([[48, 0, 4], [55, 0, 4], *[[72, t, t + 1] for t in range(4)]])
    riff_notes = np.array([[p, t, t + 1] for t in range(4) for p in (48, 55)])
    library = [c.frames_from_notes(tremolo, 4), c.frames_from_notes(riff_notes, 4)]
    method = DonorMethod(c, c, DonorConfig(melody="none", pad_cost=0.5, max_shift=1))
    method.fit_pieces(library)
    below = method.library.onsets_below(4)
    assert below[0, [48, 49, 73, 128]].tolist() == [0, 1, 4, 4]  # the tremolo's onsets are high
    assert below[1, [49, 128]].tolist() == [4, 4]


def test_strong_beat_anchors_are_the_tune_notes_on_a_bars_first_or_middle_beat():
    from seqimg.methods.donor.line import anchor_steps

    tune = parted(*[(60 + step, step, step + 4, LEAD) for step in range(0, 20, 4)])
    assert anchor_steps(tune, 16, "notes") == {0, 4, 8, 12, 16}
    assert anchor_steps(tune, 16, "strong_beats") == {0, 8, 16}
