"""The learned line: a piece's line and band, the constraints every written pitch keeps, a
denoiser that learns what real lines do between their anchors, and the donor method that
trains, keeps and uses it."""

import numpy as np
import pytest
import torch
from test_donor import codec, riff
from test_donor_line import DRUMS, LEAD, RHYTHM, parted

from seqimg.errors import SeqimgError
from seqimg.methods.donor.learned_line import (
    LineDenoiser,
    LineScene,
    allowed_pitches,
    inpaint,
    line_and_band,
    train_line,
    write_learned,
)
from seqimg.methods.donor.method import DonorConfig, DonorMethod


def test_the_line_is_the_leads_top_voice_where_it_plays_and_the_rhythms_elsewhere():
    notes = parted((48, 0, 4, RHYTHM), (55, 0, 2, RHYTHM), (64, 0, 2, LEAD), (67, 0, 2, LEAD),
                   (65, 2, 4, LEAD), (50, 4, 6, RHYTHM), (57, 4, 8, RHYTHM), (55, 6, 8, RHYTHM),
                   (36, 0, 1, DRUMS))
    line, band = line_and_band(notes, bar=4)
    assert line.tolist() == [[67, 0, 2, LEAD], [65, 2, 4, LEAD], [57, 4, 6, RHYTHM],
                             [55, 6, 8, RHYTHM]]  # a held top note ends where the next starts
    assert sorted(map(tuple, band)) == [(48, 0, 4, RHYTHM), (50, 4, 6, RHYTHM),
                                        (55, 0, 2, RHYTHM), (64, 0, 2, LEAD)]


def scene_of(tune_pitch: int, band: np.ndarray, length: int = 8) -> LineScene:
    """A line struck at every step of ``length`` with the tune one pitch, pinned at step 0."""
    onsets = np.arange(length)
    tune = parted((tune_pitch, 0, length, LEAD))
    return LineScene(band, tune[:, :3], onsets, np.array([0]), np.full(length, tune_pitch),
                     length, bar=4)


def test_every_written_pitch_is_a_band_class_near_the_tune_and_anchors_stay():
    torch.manual_seed(0)
    band = parted((48, 0, 4, RHYTHM), (55, 0, 4, RHYTHM), (50, 4, 8, RHYTHM))  # C G, then D
    scene = scene_of(62, band)
    written = inpaint(LineDenoiser(bar=4).eval(), scene, reach=5, steps=3, seed=1)
    assert written[0] == 62  # the anchor
    assert {p % 12 for p in written[1:4]} <= {0, 7} and {p % 12 for p in written[4:]} == {2}
    assert np.all(np.abs(written - 62) <= 5)
    allowed = allowed_pitches(scene.window(0, scene.length, 0), 5)
    assert allowed[np.arange(8), written][1:].all()


def test_a_written_line_is_the_same_for_the_same_piece():
    torch.manual_seed(0)
    net = LineDenoiser(bar=4).eval()
    band = parted((48, 0, 8, RHYTHM), (52, 0, 8, RHYTHM), (55, 0, 8, RHYTHM))
    placed = parted(*[(64, t, t + 1, LEAD) for t in range(8)])
    first, again = (write_learned(net, placed, frozenset({0, 4}), band, 4, 7) for _ in "ab")
    assert np.array_equal(first, again)
    assert np.array_equal(first[:, 1:], placed[:, 1:]) and first[[0, 4], 0].tolist() == [64, 64]


def test_the_denoiser_learns_what_real_lines_play_between_their_anchors():
    # real lines: the tune's pitch on each beat, then the fifth below it on the off-beat, over
    # a band that sounds both classes; untrained, the fifth is one of several allowed pitches
    torch.manual_seed(0)
    bars, pitches = 64, []
    notes = []
    for b in range(bars):
        root = 60 + (b * 5) % 7
        notes += [(root - 12, 4 * b, 4 * b + 4, RHYTHM), (root - 17, 4 * b, 4 * b + 4, RHYTHM),
                  (root - 8, 4 * b, 4 * b + 4, RHYTHM)]
        notes += [(root, 4 * b, 4 * b + 1, LEAD), (root - 5, 4 * b + 1, 4 * b + 2, LEAD),
                  (root, 4 * b + 2, 4 * b + 3, LEAD), (root - 5, 4 * b + 3, 4 * b + 4, LEAD)]
        pitches.append(root)
    scene = LineScene.of_piece(parted(*notes), 4 * bars, bar=4, beat=2)

    def fifths_written(net) -> float:
        written = inpaint(net, scene, reach=7, steps=2, seed=0)
        offbeats = np.arange(1, 4 * bars, 2)
        return float(np.mean(written[offbeats] == np.repeat(pitches, 2) - 5))

    untrained = fifths_written(LineDenoiser(bar=4).eval())
    trained = fifths_written(train_line(scene, bar=4, steps=150, reach=7, seed=0, desc=None))
    assert untrained < 0.6 and trained > 0.9


def test_the_donor_method_trains_keeps_and_uses_its_learned_line():
    torch.manual_seed(0)
    c = codec()
    method = DonorMethod(c, c, DonorConfig(line="learned", line_steps=3, melody_step=1))
    method.fit_pieces([c.frames_from_notes(riff(), 16)])
    piece = c.frames_from_notes(riff() + np.array([12, 0, 0]), 16)
    out = method.transfer_piece(piece)
    loaded = DonorMethod(c, c, DonorConfig(line="learned", melody_step=1))
    loaded.load_state_dict(method.state_dict())
    assert np.array_equal(loaded.transfer_piece(piece), out)
    pasted = DonorMethod(c, c, DonorConfig(melody_step=1))
    pasted.fit_pieces([c.frames_from_notes(riff(), 16)])
    pasted.cfg = DonorConfig(line="learned", melody_step=1)
    with pytest.raises(SeqimgError, match="method.line: 'learned' needs a model indexed"):
        pasted.transfer_piece(piece)


def test_with_the_tunes_classes_a_line_may_also_take_the_tunes_own_pitch_classes():
    band = parted((48, 0, 8, RHYTHM), (55, 0, 8, RHYTHM))  # C and G
    placed = parted((62, 0, 1, LEAD), *[(64, t, t + 1, LEAD) for t in range(1, 8)])  # D, E...
    band_only = LineScene(band, placed[:, :3], placed[:, 1], np.array([0]), placed[:, 0], 8, 4)
    with_tune = LineScene(band, placed[:, :3], placed[:, 1], np.array([0]), placed[:, 0], 8, 4,
                          tune_classes=True)
    classes = (np.flatnonzero(scene.classes[0]).tolist() for scene in (band_only, with_tune))
    assert list(classes) == [[0, 7], [0, 2, 4, 7]]
