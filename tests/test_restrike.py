"""The band's held chords re-struck on its own kick drum."""

from test_donor_line import DRUMS, LEAD, RHYTHM, parted

from seqimg.codecs.midi_parts import BASS
from seqimg.methods.donor.restrike import on_the_kick


def test_chords_held_half_a_bar_are_split_where_a_kick_falls_on_a_beat():
    # a bar of 16 steps, beats of 4: kicks on 0 and 12 (beats) and 6 (between), a snare on 4
    notes = parted((40, 0, 16, RHYTHM), (47, 0, 4, RHYTHM), (28, 0, 8, BASS), (28, 8, 16, BASS),
                   (64, 0, 16, LEAD), (36, 0, 1, DRUMS), (36, 6, 7, DRUMS), (38, 4, 5, DRUMS),
                   (36, 12, 13, DRUMS))
    out = sorted(map(tuple, on_the_kick(notes, bar=16, beat=4)))
    expected = [(40, 0, 12, RHYTHM), (40, 12, 16, RHYTHM), (47, 0, 4, RHYTHM),
                (28, 0, 8, BASS), (28, 8, 12, BASS), (28, 12, 16, BASS),
                (64, 0, 16, LEAD),  # the lead is no chord: held on
                (36, 0, 1, DRUMS), (36, 6, 7, DRUMS), (38, 4, 5, DRUMS), (36, 12, 13, DRUMS)]
    assert out == sorted(expected)


def test_without_a_kick_nothing_changes():
    notes = parted((40, 0, 16, RHYTHM), (38, 4, 5, DRUMS))
    assert sorted(map(tuple, on_the_kick(notes, 16, 4))) == sorted(map(tuple, notes))
