"""The midi codec's ``parts`` encoding: parts read from tracks, kept through a round trip, written
one named track per part."""

import numpy as np
import pretty_midi
import pytest
import torch

from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.midi_parts import BASS, DROPPED, LEAD, RHYTHM, track_parts
from seqimg.errors import SeqimgError

SECONDS = 60.0 / 120 / 4  # one sixteenth at 120 bpm

TRACKS = [  # name, program, notes (pitch, start, end) in sixteenths
    ("Solo", 81, [(76, 0, 4), (79, 4, 8), (81, 8, 16)]),
    ("Chugs", 30, [(52, 0, 2), (52, 2, 4), (59, 4, 8), (52, 8, 16)]),
    ("Low end", 33, [(40, 0, 8), (35, 8, 16)]),
]
DRUMS = [(36, 0), (38, 4), (42, 2), (36, 8), (49, 12)]


def band_file(path, tracks=TRACKS, drums=DRUMS):
    pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    for name, program, notes in tracks:
        instrument = pretty_midi.Instrument(program=program, name=name)
        instrument.notes = [pretty_midi.Note(90, p, s * SECONDS, e * SECONDS)
                            for p, s, e in notes]
        pm.instruments.append(instrument)
    kit = pretty_midi.Instrument(program=0, is_drum=True, name="Kit")
    kit.notes = [pretty_midi.Note(90, p, s * SECONDS, (s + 1) * SECONDS) for p, s in drums]
    pm.instruments.append(kit)
    pm.write(str(path))
    return path


def played(path):
    """{track name: (program, sorted notes)} and the drum hits, on the sixteenth grid."""
    pm = pretty_midi.PrettyMIDI(str(path))
    parts = {i.name: (i.program, sorted((n.pitch, round(n.start / SECONDS),
                                         round(n.end / SECONDS)) for n in i.notes))
             for i in pm.instruments if not i.is_drum}
    hits = sorted((n.pitch, round(n.start / SECONDS)) for i in pm.instruments if i.is_drum
                  for n in i.notes)
    return parts, hits


def codec(**settings):
    return MidiCodec(encoding="parts", pitch_low=28, pitch_high=99, **settings)


def test_a_round_trip_keeps_every_note_in_its_part_and_program(tmp_path):
    parts_codec = codec()
    source = band_file(tmp_path / "band.mid")
    encoded = parts_codec.encode(source)
    out = parts_codec.decode(encoded.images, encoded.length, tmp_path / "back.mid",
                             timing=encoded.timing)
    parts, hits = played(out)
    assert parts == {"Lead": (81, sorted(TRACKS[0][2])), "Rhythm": (30, sorted(TRACKS[1][2])),
                     "Bass": (33, sorted(TRACKS[2][2]))}
    assert hits == sorted(DRUMS)


def test_the_frames_hold_each_part_in_its_own_block(tmp_path):
    parts_codec = codec()
    frames = parts_codec.frames(band_file(tmp_path / "band.mid"))
    assert frames.shape[1] == parts_codec.n_features == 3 * 2 * 72 + 5
    lead, bass = parts_codec.feature_groups()["lead"], parts_codec.feature_groups()["bass"]
    assert frames[0, lead][76 - 28] == 1 and frames[0, lead][52 - 28] == -1
    assert frames[0, bass][40 - 28] == 1
    kick = parts_codec.feature_groups()["drums"].start  # the first drum group
    assert frames[0, kick] == 1 and frames[1, kick] == -1


def test_a_chorale_maps_soprano_to_lead_inner_voices_to_rhythm_and_bass_to_bass():
    tracks = (("Soprano", 0), ("Alto", 0), ("Tenor", 0), ("Bass", 0), ("Birds", 123))
    counts = np.array([40, 40, 40, 40, 5])
    parts = track_parts(tracks, np.array([70.0, 64, 57, 48, 90]), counts)
    assert parts.tolist() == [LEAD, RHYTHM, RHYTHM, BASS, DROPPED]
    # unnamed tracks: the highest of two or more is the lead; a lone one is rhythm
    assert track_parts((("", 30), ("", 29)), np.array([50.0, 62]), np.array([9, 9])).tolist() \
        == [RHYTHM, LEAD]
    assert track_parts((("", 30),), np.array([62.0]), np.array([9])).tolist() == [RHYTHM]


def test_set_programs_win_and_views_read_the_merged_roll(tmp_path):
    parts_codec = codec(part_programs=(30, 29, 34))
    encoded = parts_codec.encode(band_file(tmp_path / "band.mid"))
    parts, _ = played(parts_codec.decode(encoded.images, encoded.length, tmp_path / "o.mid",
                                         timing=encoded.timing))
    assert [program for program, _ in parts.values()] == [30, 29, 34]
    frames = torch.from_numpy(parts_codec.frames(tmp_path / "band.mid"))[None, :16]
    frames.requires_grad_()
    views = parts_codec.content_views()
    bass = views["bass"](frames)[0]  # lowest pitch class per beat over all parts: E, E, B, B
    assert bass.argmax(-1).tolist() == [4, 4, 11, 11]
    assert views["lead"](frames)[0, 0].argmax().item() == 76 % 12
    views["harmony"](frames).sum().backward()
    assert frames.grad.abs().sum() > 0


def test_transposing_moves_every_part_and_keeps_the_drums(tmp_path):
    parts_codec = codec(transpose=1)
    frames = parts_codec.frames(band_file(tmp_path / "band.mid"))
    up = [f for f in parts_codec.augment(frames)][1]  # +1 semitone
    notes = parts_codec.notes(up)
    assert sorted(set(notes[:, 0])) == sorted({p + 1 for _, _, ns in TRACKS for p, _, _ in ns})
    drums = parts_codec.feature_groups()["drums"]
    assert np.array_equal(up[:, drums], frames[:, drums])


def test_parts_refuse_the_drum_feature_and_bad_programs():
    with pytest.raises(SeqimgError, match="drums"):
        codec(drums="feature")
    with pytest.raises(SeqimgError, match="part_programs"):
        codec(part_programs=(30, 33))


def test_the_parts_encoding_keeps_the_codec_contract(tmp_path):
    from seqimg.testing import check_codec

    check_codec(codec(), band_file(tmp_path / "band.mid"), tmp_path)
