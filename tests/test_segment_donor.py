"""The segment donor on hand-made series: trend and residual, seams, the library's places, and
a whole piece that must come back as the donor run it matches."""

import numpy as np
import pytest

from seqimg.codecs.timeseries import TimeseriesCodec
from seqimg.methods.donor.segment_method import SegmentDonorConfig, SegmentDonorMethod
from seqimg.methods.donor.segments import (
    SegmentLibrary,
    cut_point,
    cut_segments,
    segment_starts,
    stitch,
    trend,
)


def wave(length, period, phase=0.0, level=0.0):
    steps = np.arange(length)[:, None]
    return (0.5 * np.sin(2 * np.pi * steps / period + phase) + level).astype(np.float32)


def method(**settings):
    codec = TimeseriesCodec(channels=1, height=4, width=4)
    return SegmentDonorMethod(codec, codec, SegmentDonorConfig(**settings))


def test_segments_of_one_series_stitch_back_to_it_by_either_seam():
    series = wave(40, 7)
    starts = segment_starts(len(series), 10, 7)
    assert starts.tolist() == [0, 7, 14, 21, 28, 35]  # the last runs past the end
    pieces = cut_segments(series, starts, 10)
    assert np.array_equal(pieces[-1, -1], series[-1])  # the end held
    for seam in ("crossfade", "cut"):
        assert np.allclose(stitch(pieces, 7, seam)[:40], series)


def test_a_crossfade_blends_the_overlap_and_a_cut_switches_where_the_sides_meet():
    ending, starting = np.zeros((1, 6, 1)), np.ones((1, 6, 1))
    faded = stitch(np.concatenate([ending, starting]), 3, "crossfade")
    assert np.allclose(faded[:, 0], [0, 0, 0, 0.25, 0.5, 0.75, 1, 1, 1])
    ramp = np.linspace(-1, 1, 6)[None, :, None]
    # the overlap of the ramp holds 0.2, 0.6, 1.0: a flat 0.6 meets it at its second step
    assert cut_point(ramp[0, 3:], np.full((3, 1), 0.6)) == 1
    cut = stitch(np.concatenate([ramp, np.full((1, 6, 1), 0.6)]), 3, "cut")
    assert np.allclose(cut[:, 0], [*ramp[0, :4, 0], 0.6, 0.6, 0.6, 0.6, 0.6])


def test_the_trend_is_a_centred_mean_and_a_constant_has_no_residual():
    series = np.array([[0.0], [3.0], [0.0], [3.0], [0.0]])
    assert np.allclose(trend(series, 3)[1:4, 0], [1, 2, 1])
    flat = np.full((9, 2), 0.3)
    assert np.allclose(flat - trend(flat, 5), 0)


def test_the_library_knows_where_each_segment_lies_and_what_continues_it():
    library = SegmentLibrary.of([wave(12, 5), wave(3, 5), wave(10, 4)], segment=4, stride=2,
                                smooth=3)
    # piece 1 is shorter than a segment; segments run to each piece's last step, held there
    assert library.pieces.tolist() == [0] * 6 + [2] * 5
    assert library.offsets().tolist() == [0, 2, 4, 6, 8, 10, 0, 2, 4, 6, 8]
    assert library.ends().tolist() == [11] * 6 + [21] * 5
    assert np.array_equal(library.segments(np.array([10]), 4)[0, :, 0],
                          wave(10, 4)[[8, 9, 9, 9], 0])
    assert library.previous(4).tolist() == [-1, -1, 0, 1, 2, 3, -1, -1, 6, 7, 8]
    placed = ~library.misplaced(np.array([4, 7]))
    assert [np.flatnonzero(row).tolist() for row in placed] == [[2, 8], [3, 4, 9, 10]]


def test_a_source_equal_to_a_donor_piece_comes_back_as_that_piece():
    donors = [wave(48, 12, phase, level) for phase, level in ((0, 0), (1.5, 0.2), (3, -0.2))]
    m = method(segment=12, overlap=4, smooth=5, keep_trend=0.0, jump=0.5, aligned=True)
    m.fit_pieces(donors)
    assert np.allclose(m.transfer_piece(donors[1]), donors[1], atol=1e-6)
    # its own trend kept and another series' detail: the output has the source's slow shape
    kept = method(segment=12, overlap=4, smooth=5, keep_trend=1.0, jump=0.5)
    kept.fit_pieces(donors)
    ramp = np.linspace(-0.5, 0.5, 48, dtype=np.float32)[:, None]
    made = kept.transfer_piece(ramp)
    assert made.shape == ramp.shape and not np.allclose(made, ramp)
    assert np.corrcoef(trend(made, 12)[:, 0], ramp[:, 0])[0, 1] > 0.95


def test_a_jump_is_paid_only_where_it_buys_a_closer_trend():
    donors = [wave(40, 10, 0, 0.3), wave(40, 10, 0, -0.3)]
    half = np.concatenate([donors[0][:20], donors[1][20:]])
    free = method(segment=8, overlap=2, smooth=3, keep_trend=0.0, jump=0.0, aligned=True)
    free.fit_pieces(donors)
    assert np.abs(free.transfer_piece(half)[-5:] - donors[1][-5:]).max() < 0.05
    dear = method(segment=8, overlap=2, smooth=3, keep_trend=0.0, jump=10.0, aligned=True)
    dear.fit_pieces(donors)
    made = dear.transfer_piece(half)
    assert any(np.allclose(made, d, atol=1e-6) for d in donors)  # one donor, never left


def test_settings_and_pairs_that_cannot_work_are_refused():
    with pytest.raises(ValueError, match="overlap: expected 0 to segment - 1 = 7 steps"):
        SegmentDonorConfig(segment=8, overlap=8)
    with pytest.raises(ValueError, match="keep_trend: expected 0 to 1"):
        SegmentDonorConfig(keep_trend=1.5)
    one, three = TimeseriesCodec(channels=1), TimeseriesCodec(channels=3)
    from seqimg.errors import SeqimgError

    with pytest.raises(SeqimgError, match="same width .source 1 features a step, target 3"):
        SegmentDonorMethod.check(one, three, SegmentDonorConfig())
    short = method(segment=16)
    with pytest.raises(SeqimgError, match=r"no training piece is as long as method.segment"):
        short.fit_pieces([wave(10, 4)])


def test_copying_sees_a_whole_series_copied_even_when_shorter_than_a_window():
    from seqimg.evaluate.copying import copying

    codec = TimeseriesCodec(channels=1, height=8, width=8)  # windows of 64 steps
    days = [wave(24, 24, phase) for phase in (0.0, 1.0, 2.0)]
    copied = copying(codec, [days[1], days[1], wave(24, 24, 0.5)], days)
    assert copied["copied_share"] == pytest.approx(2 / 3)
    assert copied["distinct_share"] == pytest.approx(2 / 3)  # the copy repeats itself
    # written at another level and scale (as series_moments writes), a copy is still one;
    # a flat series holds nothing to copy and is not counted
    moved = copying(codec, [3 * days[2] + 0.5, np.zeros((24, 1), np.float32)], days)
    assert moved["copied_share"] == 1.0


def test_typical_detail_is_as_large_as_the_librarys():
    loud, quiet = wave(48, 4, 0.0), 0.2 * wave(48, 4, 1.0)
    m = method(segment=12, overlap=4, smooth=5, jump=0.0, detail_size="typical")
    m.fit_pieces([loud, quiet])
    made = m.transfer_piece(quiet)
    from seqimg.methods.donor.segment_method import root_mean_square

    library = m.library.frames - m.library.trends
    detail = made - trend(quiet, 5)
    assert root_mean_square(detail[4:-4]) == pytest.approx(root_mean_square(library), rel=0.2)


def test_the_closest_ratio_is_zero_for_copies_and_near_one_for_new_real_series():
    from seqimg.evaluate.copying import copying

    codec = TimeseriesCodec(channels=1, height=8, width=8)
    rng = np.random.default_rng(0)

    def days(n):
        return [np.cumsum(rng.normal(0, 0.1, (24, 1)), 0).astype(np.float32) for _ in range(n)]

    training, heldout, fresh = days(60), days(20), days(20)
    assert copying(codec, training[:10], training, heldout)["closest_ratio"] == 0.0
    assert 0.7 < copying(codec, fresh, training, heldout)["closest_ratio"] < 1.4
    # the notes' path has its own measure, and a call without held-out pieces has none
    assert "closest_ratio" not in copying(codec, fresh, training)
