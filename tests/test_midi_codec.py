import numpy as np
import pretty_midi
import pytest
import symusic
from conftest import CHORALE, MELODY, grid_notes, write_midi

from seqimg.codecs import notes as nt
from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.midi_file import read_midi, read_with_pretty_midi, read_with_symusic
from seqimg.errors import SeqimgError


@pytest.mark.parametrize("encoding", ["pitch-channels", "voices"])
def test_on_grid_melody_round_trip(tmp_path, melody_mid, encoding):
    codec = MidiCodec(encoding=encoding)
    encoded = codec.encode(melody_mid)
    out = codec.decode(encoded.images, encoded.length, tmp_path / "out.mid")
    assert grid_notes(out) == grid_notes(melody_mid)


@pytest.mark.parametrize("encoding", ["pitch-channels", "voices"])
def test_three_voice_chorale_round_trip(tmp_path, chorale_mid, encoding):
    codec = MidiCodec(encoding=encoding, height=8, width=8)
    encoded = codec.encode(chorale_mid)
    assert encoded.images.shape[1:] == codec.layout.image_shape
    out = codec.decode(encoded.images, encoded.length, tmp_path / "out.mid")
    assert grid_notes(out) == sorted(CHORALE, key=lambda n: (n[1], n[0]))


def test_pitch_channels_keep_dense_polyphony(tmp_path):
    chord = [(p, 0, 8) for p in range(48, 72, 2)] + [(p, 8, 9) for p in range(60, 70)]
    path = write_midi(tmp_path / "dense.mid", chord)
    codec = MidiCodec()
    encoded = codec.encode(path)
    out = codec.decode(encoded.images, encoded.length, tmp_path / "out.mid")
    assert grid_notes(out) == sorted(chord, key=lambda n: (n[1], n[0]))


def test_repeated_notes_survive_through_onsets():
    frames = nt.notes_to_pitch_channels(np.array([[60, 0, 2], [60, 2, 4]]), 4, 24, 107)
    notes = nt.pitch_channels_to_notes(frames, 24, 107)
    assert notes.tolist() == [[60, 0, 2], [60, 2, 4]]


def test_sounding_without_onset_starts_no_note():
    frames = -np.ones((6, 2 * 84), dtype=np.float32)
    frames[:, 60 - 24] = 1  # pitch 60 sounds throughout ...
    frames[0, 84 + 60 - 24] = 1  # ... with one onset at step 0
    frames[2:4, 61 - 24] = 1  # pitch 61 sounds with no onset: ignored
    assert nt.pitch_channels_to_notes(frames, 24, 107).tolist() == [[60, 0, 6]]


def test_wavering_voice_is_not_a_stream_of_short_notes():
    levels = nt.pitch_level(np.array([60, 61, 60, 61, 60, 61, 60, 61]), 24, 107)
    frames = np.full((8, 6), -1.0, dtype=np.float32)
    frames[:, 0] = levels
    frames[0, 3] = 1.0  # a single onset on voice 0
    notes = nt.voices_to_notes(frames, 24, 107)
    assert len(notes) == 1 and notes[0, 0] == 60 and notes[0, 1] == 0


def test_voice_levels_round_trip_every_pitch():
    pitches = np.arange(24, 108)
    assert (nt.level_pitch(nt.pitch_level(pitches, 24, 107), 24, 107) == pitches).all()
    assert nt.level_pitch(np.array([-1.0]), 24, 107).tolist() == [-1]


def test_drums_feature_or_dropped(tmp_path, chorale_mid):
    kept = MidiCodec(drums="feature")
    assert kept.n_features == 2 * 84 + 1
    frames = kept.frames(chorale_mid)
    assert np.flatnonzero(frames[:, -1] > 0).tolist() == [0, 4, 8, 12]
    score = kept.from_frames(frames)
    assert [t.is_drum for t in score.tracks] == [False, True]
    assert len(score.tracks[1].notes) == 4
    assert MidiCodec(drums="drop").n_features == 2 * 84


def test_written_file_uses_tempo_and_program(tmp_path, melody_mid):
    codec = MidiCodec(tempo=90.0, program=30)
    encoded = codec.encode(melody_mid)
    out = codec.decode(encoded.images, encoded.length, tmp_path / "metal.mid")
    pm = pretty_midi.PrettyMIDI(str(out))
    assert pm.instruments[0].program == 30
    assert pm.get_tempo_changes()[1][0] == pytest.approx(90.0, rel=1e-5)
    assert grid_notes(out, tempo=90.0) == grid_notes(melody_mid)


def test_beat_grid_follows_tempo(tmp_path):
    fast = write_midi(tmp_path / "fast.mid", MELODY, tempo=200.0)
    slow = write_midi(tmp_path / "slow.mid", MELODY, tempo=60.0)
    codec = MidiCodec()
    np.testing.assert_array_equal(codec.frames(fast), codec.frames(slow))


def compound_piece(path):
    """Eighth notes in 9/8 for four bars, then 6/8 for two; 100 quarters a minute, 60 from bar
    3 on: what a dotted-quarter beat grid would make lopsided."""
    eighth = 240  # ticks at 480 per quarter
    score = symusic.Score(480)
    score.tempos.append(symusic.Tempo(0, qpm=100.0))
    score.tempos.append(symusic.Tempo(2 * 9 * eighth, qpm=60.0))
    score.time_signatures.append(symusic.TimeSignature(0, 9, 8))
    score.time_signatures.append(symusic.TimeSignature(4 * 9 * eighth, 6, 8))
    track = symusic.Track(program=40)
    for i in range(4 * 9 + 2 * 6):
        track.notes.append(symusic.Note(i * eighth, eighth, 60 + i % 7, 80))
    score.tracks.append(track)
    score.dump_midi(str(path))
    return path


def test_a_compound_meter_piece_with_tempo_changes_round_trips(tmp_path):
    piece = compound_piece(tmp_path / "nine-eight.mid")
    codec = MidiCodec()
    encoded = codec.encode(piece)
    notes = codec.notes(codec.decode_frames(encoded.images, encoded.length))
    assert np.all(np.diff(notes[:, 1]) == 2)  # every eighth two sixteenths after the last
    out = codec.decode(encoded.images, encoded.length, tmp_path / "out.mid", encoded.timing)
    before, after = pretty_midi.PrettyMIDI(str(piece)), pretty_midi.PrettyMIDI(str(out))
    step = 60.0 / 100 / 4  # the longest grid step in seconds
    assert abs(after.get_end_time() - before.get_end_time()) <= step
    assert [(t.numerator, t.denominator, round(t.time, 6)) for t in after.time_signature_changes] \
        == [(t.numerator, t.denominator, round(t.time, 6)) for t in before.time_signature_changes]
    np.testing.assert_allclose(after.get_tempo_changes(), before.get_tempo_changes(), rtol=1e-5)
    starts = sorted(n.start for i in after.instruments for n in i.notes)
    np.testing.assert_allclose(starts, sorted(n.start for n in before.instruments[0].notes),
                               atol=1e-3)


def test_a_set_tempo_wins_over_the_input_tempo(tmp_path):
    piece = compound_piece(tmp_path / "nine-eight.mid")
    codec = MidiCodec(tempo=150.0)
    encoded = codec.encode(piece)
    out = pretty_midi.PrettyMIDI(str(codec.decode(encoded.images, encoded.length,
                                                  tmp_path / "out.mid", encoded.timing)))
    assert out.get_tempo_changes()[1].tolist() == pytest.approx([150.0])
    assert [t.numerator for t in out.time_signature_changes] == [9, 6]


def test_both_readers_give_the_same_frames_and_timing(tmp_path, chorale_mid, melody_mid):
    codec = MidiCodec(drums="feature")
    for path in (chorale_mid, melody_mid, compound_piece(tmp_path / "nine-eight.mid")):
        fast, fallback = read_with_symusic(path), read_with_pretty_midi(path)
        assert (fast.reader, fallback.reader) == ("symusic", "pretty_midi")
        np.testing.assert_array_equal(codec.to_frames(fast), codec.to_frames(fallback))
        np.testing.assert_allclose(fast.tempos, fallback.tempos, rtol=1e-5)
        np.testing.assert_allclose(fast.meters, fallback.meters, atol=1e-6)


def test_a_file_symusic_refuses_is_read_by_pretty_midi(tmp_path, melody_mid, monkeypatch):
    import symusic as real

    def refuse(path):
        raise RuntimeError("MiniMidi: refused")

    monkeypatch.setattr(real, "Score", refuse)
    piece = read_midi(melody_mid)
    assert piece.reader == "pretty_midi"
    np.testing.assert_array_equal(MidiCodec().to_frames(piece), MidiCodec().frames(melody_mid))


def test_fixed_rate_grid(tmp_path, melody_mid):
    codec = MidiCodec(seconds_per_step=0.0625)  # twice as fine as a 16th at 120 bpm
    assert len(codec.frames(melody_mid)) == 2 * len(MidiCodec().frames(melody_mid))


def test_config_errors_name_the_key():
    with pytest.raises(SeqimgError, match="midi.steps_per_beat: expected int"):
        MidiCodec(steps_per_beat="four")
    with pytest.raises(SeqimgError, match="midi.colour: unknown key"):
        MidiCodec(colour="red")
    with pytest.raises(SeqimgError, match="midi.encoding: expected one of 'pitch-channels'"):
        MidiCodec(encoding="bars")
    with pytest.raises(SeqimgError, match="^midi.layout: renamed; write encoding: parts$"):
        MidiCodec(layout="parts")
    with pytest.raises(SeqimgError, match="midi.width: 16 is narrower than the 84 pitches"):
        MidiCodec(encoding="pianoroll")
    with pytest.raises(SeqimgError, match="midi.encoding: 'pianoroll' takes drums 'drop'"):
        MidiCodec(encoding="pianoroll", width=96, drums="feature")
    with pytest.raises(SeqimgError, match="midi.transpose: encoding 'voices' holds pitch levels"):
        MidiCodec(encoding="voices", transpose=2)


@pytest.mark.parametrize("encoding", ["pitch-channels", "pitch-levels", "voices", "parts"])
def test_a_methods_note_outside_the_range_moves_an_octave_not_away(encoding):
    """Notes a method writes below or above the range (a donor bar transposed under the bass's
    lowest pitch) come back an octave or two inside it, in every encoding."""
    codec = MidiCodec(encoding=encoding, pitch_low=28, pitch_high=99)
    written = np.array([[26, 0, 4], [40, 4, 8], [101, 8, 12]], dtype=np.int64)
    assert codec.notes(codec.frames_from_notes(written, 12)).tolist() == [
        [38, 0, 4], [40, 4, 8], [89, 8, 12]]
    if encoding == "parts":
        in_parts = np.column_stack([written, [2, 2, 0]])
        back = codec.notes_in_parts(codec.frames_from_notes_in_parts(in_parts, 12))
        assert sorted(back[:, 0].tolist()) == [38, 40, 89]


def test_a_written_voices_model_with_transpose_still_loads():
    """Before the voices encoding refused ``transpose``, a checkpoint could hold it; it never
    transposed anything, so a written recipe reads it as 0 while a user's is refused."""
    from seqimg.recipe import written_recipe

    codec = {"name": "midi", "encoding": "voices", "transpose": 2}
    written = written_recipe({"source": {"codec": codec}, "target": {"codec": dict(codec)}})
    settings = {k: v for k, v in written["source"]["codec"].items() if k != "name"}
    assert settings == {"encoding": "voices", "transpose": 0}
    assert MidiCodec(settings).augment(np.zeros((8, 6), np.float32)) == []
    assert written_recipe({"source": {"codec": {"name": "midi", "transpose": 2}}})[
        "source"]["codec"]["transpose"] == 2  # other encodings keep it


def test_pianoroll_image_is_time_by_padded_pitch(tmp_path, chorale_mid):
    codec = MidiCodec(encoding="pianoroll", height=64, width=96)
    assert not codec.layout.folds_time and codec.frame_levels == (-1.0, 1.0)
    encoded = codec.encode(chorale_mid)
    assert encoded.images.shape == (1, 2, 64, 96)
    roll = encoded.images[0, 0]
    assert roll[0, 60 - 24] == 1 and roll[0, 61 - 24] == -1
    assert (roll[:, 84:] == -1).all()  # padding, never resized
    out = codec.decode(encoded.images, encoded.length, tmp_path / "out.mid")
    assert grid_notes(out) == sorted(CHORALE, key=lambda n: (n[1], n[0]))


def test_pitch_levels_encoding_round_trip(tmp_path, chorale_mid):
    codec = MidiCodec(encoding="pitch-levels")
    assert codec.n_features == 84
    frames = codec.frames(chorale_mid)
    assert set(np.unique(frames)) == {-1.0, 0.0, 1.0}
    encoded = codec.encode(chorale_mid)
    out = codec.decode(encoded.images, encoded.length, tmp_path / "out.mid")
    assert grid_notes(out) == sorted(CHORALE, key=lambda n: (n[1], n[0]))
    assert len(MidiCodec(encoding="pitch-levels", transpose=1).augment(frames)) == 2
    assert codec.frame_levels == (-1.0, 0.0, 1.0)


def test_pitch_levels_repeated_notes_and_held_without_onset():
    frames = nt.notes_to_pitch_levels(np.array([[60, 0, 2], [60, 2, 4]]), 5, 24, 107)
    assert frames[:, 60 - 24].tolist() == [1, 0, 1, 0, -1]
    frames[:, 62 - 24] = [-1, 0, 0, -1, -1]  # held with no onset: no note
    assert nt.pitch_levels_to_notes(frames, 24).tolist() == [[60, 0, 2], [60, 2, 4]]


def write_mido(path, notes, ticks_per_beat, gap_beats=0):
    """Write ``(pitch, start_step, end_step)`` 16th-note steps at 120 bpm with mido, at any
    resolution; ``gap_beats`` of silence come first."""
    import mido

    per_step = ticks_per_beat // 4
    offset = gap_beats * ticks_per_beat
    events = sorted([(offset + s * per_step, 1, p) for p, s, _ in notes]
                    + [(offset + e * per_step, 0, p) for p, _, e in notes])
    track, now = mido.MidiTrack(), 0
    for tick, on, pitch in events:
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, note=pitch, velocity=80 * on, time=tick - now))
        now = tick
    midi = mido.MidiFile(ticks_per_beat=ticks_per_beat)
    midi.tracks.append(track)
    midi.save(path)
    return path


def test_high_resolution_midi_encodes_and_round_trips(tmp_path):
    """music21 writes 10,080 ticks per beat: 1,000 beats cross pretty_midi's 10^7-tick guard,
    which then calls a valid file corrupt. Every note still comes back on the grid."""
    long_piece = [(60 + (i % 12), 4 * i, 4 * i + 3) for i in range(1000)]
    long_piece += [(p, s + 4000, e + 4000) for p, s, e in MELODY]
    path = write_mido(tmp_path / "music21.mid", long_piece, 10_080)
    with pytest.raises(ValueError, match="likely corrupt"):
        pretty_midi.PrettyMIDI(str(path))
    codec = MidiCodec()
    encoded = codec.encode(path)
    out = codec.decode(encoded.images, encoded.length, tmp_path / "out.mid")
    assert grid_notes(out) == sorted(long_piece, key=lambda n: (n[1], n[0]))


def test_absurdly_long_midi_is_still_refused(tmp_path):
    """Ten million beats of silence before a note is a broken file at any resolution."""
    path = write_mido(tmp_path / "broken.mid", MELODY, 220, gap_beats=10_000_000)
    with pytest.raises(SeqimgError, match=r"broken.mid: not a readable MIDI file .*likely corrupt"):
        MidiCodec().encode(path)


def test_a_silent_output_reads_back_as_silence_but_a_users_empty_file_is_refused(tmp_path):
    codec = MidiCodec()
    silent = np.full((40, codec.n_features), -1.0, dtype=np.float32)
    written = codec.save_frames(silent, tmp_path / "silent.mid")
    np.testing.assert_array_equal(codec.frames(written, allow_empty=True), silent)
    with pytest.raises(SeqimgError, match=r"silent.mid: no pitched notes in 24-107"):
        codec.frames(written)


def test_written_tracks_are_named_for_their_programs(tmp_path):
    codec = MidiCodec(program=30, bass_program=33, bass_split=48)
    frames = codec.frames_from_notes(np.array([[40, 0, 4], [64, 0, 4]]), 8)
    out = codec.save_frames(frames, tmp_path / "named.mid")
    names = [(i.name, i.program) for i in pretty_midi.PrettyMIDI(str(out)).instruments]
    assert names == [("Distortion Guitar", 30), ("Electric Bass (finger)", 33)]
