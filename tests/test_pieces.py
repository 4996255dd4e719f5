"""A piece carried as notes: read from a MIDI file and written to one with no frames between,
equal to what the frames hold; a donor transfer that decodes no frame."""

import numpy as np
import pytest
from test_midi_parts import TRACKS, band_file

from seqimg.codecs import notes as nt
from seqimg.codecs.capabilities import DRUM_PART
from seqimg.codecs.midi import MidiCodec
from seqimg.methods.donor.method import DonorConfig, DonorMethod
from seqimg.piece import Piece
from seqimg.pipeline import PieceTransfer

ENCODINGS = [{"encoding": "parts"}, {"encoding": "pitch-channels"},
             {"encoding": "pitch-levels"}, {"encoding": "voices", "transpose": 0},
             {"encoding": "pitch-channels", "drums": "feature"}]
# overlapping and repeated notes of one pitch, a sound-effects track, a drum sound of no group
# (a cowbell) and two hits of one group at one step
CROWDED = [*TRACKS, ("Doubling", 29, [(52, 1, 3), (52, 2, 6), (59, 4, 8), (59, 4, 5)]),
           ("Rain", 120, [(60, 0, 16)])]
CROWDED_DRUMS = [(36, 0), (35, 0), (56, 3), (38, 4), (42, 2), (49, 12)]


@pytest.mark.parametrize("onset_rule", [False, True])
def test_notes_resolve_as_their_roll_holds_them(onset_rule):
    rng = np.random.default_rng(0)
    for _ in range(300):
        count, length = rng.integers(0, 20), int(rng.integers(1, 30))
        start = rng.integers(0, length + 3, count)
        made = np.column_stack([rng.integers(40, 44, count), start,
                                start + rng.integers(1, 8, count)])
        sounding, onsets = nt.sounding_and_onsets(made[made[:, 1] < length], length, 40, 43)
        if onset_rule:
            onsets = nt.onset_rule(sounding, onsets)
        assert np.array_equal(nt.resolved(made, length),
                              nt.rolls_to_notes(sounding, onsets, 40)), made


@pytest.mark.parametrize("settings", ENCODINGS)
def test_a_file_read_as_notes_holds_what_its_frames_hold(tmp_path, settings):
    codec = MidiCodec(pitch_low=28, pitch_high=99, onset_rule=True, **settings)
    path = band_file(tmp_path / "band.mid", CROWDED, CROWDED_DRUMS)
    frames, timing = codec.frames_and_timing(path)
    notes, length, read_timing = codec.read_notes(path)
    assert length == len(frames) and read_timing == timing
    assert np.array_equal(notes, codec.notes_in_parts(frames))


@pytest.mark.parametrize("settings", ENCODINGS)
def test_notes_written_directly_make_the_file_their_frames_make(tmp_path, settings):
    codec = MidiCodec(pitch_low=36, pitch_high=83, onset_rule=True, **settings)
    notes = codec.read_notes(band_file(tmp_path / "band.mid", CROWDED, CROWDED_DRUMS))[0]
    written = notes - [[12, 0, 0, 0]] * (notes[:, 3:] != DRUM_PART)  # the bass under the range
    timing = {"tempos": [[0.0, 90.0]], "meters": [[0.0, 3, 4]]}
    by_frames = codec.save_frames(codec.frames_from_notes_in_parts(written, 20),
                                  tmp_path / "frames.mid", timing)
    by_notes = codec.write_notes(written, 20, tmp_path / "notes.mid", timing)
    assert by_notes.read_bytes() == by_frames.read_bytes()


def test_a_donor_transfer_reads_and_writes_notes_and_decodes_no_frame(tmp_path, monkeypatch):
    codec = MidiCodec(encoding="parts", pitch_low=28, pitch_high=99, onset_rule=True)
    library = codec.frames(band_file(tmp_path / "band.mid"))
    method = DonorMethod(codec, codec, DonorConfig(jump=1.0, melody_part="rhythm"))
    method.fit_pieces([library])
    pair = PieceTransfer(method, codec, codec)
    source = band_file(tmp_path / "source.mid", [("Choir", 52, [(67, 0, 8), (64, 8, 16)])], [])
    expected = codec.save_frames(method.transfer_piece(codec.frames(source)),
                                 tmp_path / "expected.mid", codec.frames_and_timing(source)[1])

    def no_frames(*args, **kwargs):
        raise AssertionError("a frame was made or decoded")

    for name in ("frames_and_timing", "notes", "notes_in_parts", "frames_from_notes_in_parts",
                 "save_frames", "to_frames"):
        monkeypatch.setattr(MidiCodec, name, no_frames)
    out = pair.file(source, tmp_path / "out.mid")
    assert out.read_bytes() == expected.read_bytes()


def test_a_piece_makes_frames_of_its_notes_and_notes_of_its_frames_once_asked():
    codec = MidiCodec(pitch_low=36, pitch_high=83, steps_per_beat=1, height=4, width=4)
    notes = np.array([(60, 0, 2, 0), (64, 2, 4, 0)])
    piece = Piece.of_notes(codec, notes, 6)
    assert piece.held_frames is None and not piece.silent
    assert np.array_equal(piece.frames, codec.frames_from_notes_in_parts(notes, 6))
    again = Piece.of_frames(codec, piece.frames)
    assert again.held_notes is None and np.array_equal(again.notes, notes)
    assert Piece.of_notes(codec, notes[:0], 6).silent


def test_a_file_read_as_notes_says_which_notes_the_range_leaves_out(tmp_path, caplog):
    codec = MidiCodec(encoding="parts", pitch_low=40, pitch_high=80)
    with caplog.at_level("WARNING"):
        notes = codec.read_notes(band_file(tmp_path / "band.mid"))[0]
    assert "2 of its 9 notes lie outside pitches 40-80 and are left out" in caplog.text
    assert (notes[notes[:, 3] != DRUM_PART, 0] >= 40).all()
