"""What a band's parts do a bar: drum hits, rhythm onsets, lead notes, power chords and repeated
onsets, on hand-written notes and through the parts encoding."""

import numpy as np
import pytest
from test_midi_parts import band_file

from seqimg.codecs.midi import MidiCodec
from seqimg.codecs.part_measures import is_power_chord, onset_chords, part_statistics


def notes(*rows):
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def test_onsets_gather_the_pitches_struck_together_in_time_order():
    assert onset_chords(notes((52, 4, 6), (40, 0, 2), (47, 0, 2), (59, 4, 6))) == [
        frozenset({40, 47}), frozenset({52, 59})]


@pytest.mark.parametrize("chord, power", [({40, 47}, True), ({40, 47, 52}, True),
                                          ({40, 44, 47}, False), ({40, 45}, False)])
def test_a_power_chord_is_a_root_and_its_fifth_octaves_allowed(chord, power):
    assert is_power_chord(frozenset(chord)) is power


def test_part_statistics_count_per_bar_and_share_over_onsets():
    # two bars of 16 steps: a riff of power chords struck four times, then a triad twice
    riff = notes(*[(p, s, s + 2) for s in (0, 2, 4, 6) for p in (40, 47)],
                 *[(p, s, s + 4) for s in (16, 24) for p in (40, 44, 47)])
    lead = notes((76, 0, 16))
    stats = part_statistics(lead, riff, np.array([0, 4, 8, 12, 16, 20]), 32, 16)
    assert stats == pytest.approx({"drum_hits_per_bar": 3.0, "rhythm_onsets_per_bar": 3.0,
                                   "lead_notes_per_bar": 0.5, "power_chord_share": 4 / 6,
                                   "repeated_onset_share": 4 / 5})


def test_shares_a_part_cannot_give_are_left_out():
    single = part_statistics(notes(), notes((40, 0, 4)), np.zeros(0, np.int64), 16, 16)
    assert single == {"drum_hits_per_bar": 0.0, "rhythm_onsets_per_bar": 1.0,
                      "lead_notes_per_bar": 0.0}


def test_the_parts_encoding_reports_them_and_the_merged_roll_does_not(tmp_path):
    path = band_file(tmp_path / "band.mid")
    parts = MidiCodec(encoding="parts", pitch_low=28, pitch_high=99)
    stats = parts.statistics(parts.frames(path))
    # DRUMS holds 5 hits and TRACKS one lead of three notes in a bar of 16 steps
    assert stats["drum_hits_per_bar"] == 5.0 and stats["lead_notes_per_bar"] == 3.0
    assert stats["rhythm_onsets_per_bar"] == 4.0 and stats["repeated_onset_share"] == 1 / 3
    merged = MidiCodec(pitch_low=28, pitch_high=99)
    assert "drum_hits_per_bar" not in merged.statistics(merged.frames(path))
