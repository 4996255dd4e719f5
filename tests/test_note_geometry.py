import numpy as np

from seqimg.codecs.note_geometry import (
    bar_classes,
    bar_shape,
    bars_covering,
    highest_onsets,
    highest_sounding,
    nearest_shift,
    octaves_into,
    rooted_bars,
    top_voice,
    top_voice_notes,
)
from seqimg.codecs.notes import sounding_and_onsets


def notes(*rows):
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def test_bars_covering_counts_a_partial_last_bar():
    assert [bars_covering(n, 4) for n in (0, 1, 4, 5, 8)] == [0, 1, 1, 2, 2]


def test_nearest_shift_takes_the_short_way_round():
    assert nearest_shift(11, 0) == -1 and nearest_shift(0, 11) == 1
    assert nearest_shift(6, 0) == -6 and nearest_shift(5, 0) == 5
    assert nearest_shift(np.array([2, 10]), np.array([0, 0])).tolist() == [2, -2]


def test_bar_shape_is_the_bar_from_its_first_step_sorted():
    piece = notes((64, 5, 7), (60, 4, 9), (67, 2, 5))  # the last starts in the bar before
    assert bar_shape(piece, 4, 4).tolist() == [[60, 0, 4], [64, 1, 3], [67, 0, 1]]


def test_rooted_bars_roll_the_view_to_the_first_beats_lowest_class():
    # bar 0: silent first beat, then D (2) under F# (6); bar 1: silent
    piece = notes((50, 1, 2), (54, 1, 2))
    [(start, root, view)] = rooted_bars(piece, 8, 4, 1)
    assert (start, root) == (0, 2)
    histogram, basses = view[:12], view[12:].reshape(4, 12)
    assert histogram[0] == histogram[4] == 0.5 and histogram.sum() == 1
    assert basses[0].sum() == 0 and basses[1, 0] == 1 and basses[2:].sum() == 0


def test_rooted_bars_are_the_same_for_a_transposed_bar():
    piece = notes((48, 0, 2), (55, 0, 4), (52, 2, 4))
    moved = piece + [5, 0, 0]
    [(_, root, view)] = rooted_bars(piece, 4, 4, 1)
    [(_, moved_root, moved_view)] = rooted_bars(moved, 4, 4, 1)
    assert (root, moved_root) == (0, 5) and np.array_equal(view, moved_view)


def test_bar_classes_sounding_or_started():
    piece = notes((60, 2, 6), (62, 5, 6))  # C held over the bar line, D starting in bar 1
    held = bar_classes(piece, 2, 4)
    started = bar_classes(piece, 2, 4, held=False)
    assert np.flatnonzero(held[0]).tolist() == [0] and np.flatnonzero(held[1]).tolist() == [0, 2]
    assert np.flatnonzero(started[0]).tolist() == [0] and np.flatnonzero(started[1]).tolist() == [2]


def test_the_top_voice_from_a_roll_and_from_notes_agree():
    piece = notes((60, 0, 4), (67, 1, 2), (64, 2, 3))
    sounding = sounding_and_onsets(piece, 5, 0, 127)[0]
    assert top_voice(sounding).tolist() == [60, 67, 64, 60, -1]
    assert highest_sounding(piece, 5).tolist() == [60, 67, 64, 60, -1]
    assert top_voice_notes(piece, sounding).tolist() == [[60, 0, 4], [67, 1, 2], [64, 2, 3]]
    assert top_voice_notes(notes((48, 0, 2), (60, 0, 2)), sounding[:2]).tolist() == [[60, 0, 2]]


def test_highest_onsets_pick_the_top_note_of_each_onset_in_time_order():
    piece = notes((60, 4, 6), (55, 0, 2), (67, 0, 1), (59, 4, 5))
    assert highest_onsets(piece).tolist() == [2, 0]
    assert highest_onsets(notes()).tolist() == []


def test_octaves_into_moves_outside_pitches_by_whole_octaves():
    pitches = np.array([26, 28, 99, 100, 113, 3])
    assert octaves_into(pitches, 28, 99).tolist() == [38, 28, 99, 88, 89, 39]
    assert octaves_into(np.array([20, 30]), 24, 27).tolist() == [24, 27]  # a narrow range clips
