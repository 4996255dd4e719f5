"""The band's held chords re-struck on its own kick drum."""

from test_donor_line import DRUMS, LEAD, RHYTHM, parted

from seqimg.codecs.midi_parts import BASS
from seqimg.methods.donor.restrike import on_the_kick


def test_held_chords_and_bass_are_split_at_each_kick_inside_them():
    notes = parted((40, 0, 16, RHYTHM), (47, 0, 16, RHYTHM), (28, 0, 8, BASS), (28, 8, 16, BASS),
                   (64, 0, 16, LEAD), (36, 0, 1, DRUMS), (36, 6, 7, DRUMS), (38, 4, 5, DRUMS),
                   (36, 12, 13, DRUMS))
    out = sorted(map(tuple, on_the_kick(notes)))
    expected = [(p, a, b, RHYTHM) for p in (40, 47) for a, b in ((0, 6), (6, 12), (12, 16))]
    expected += [(28, 0, 6, BASS), (28, 6, 8, BASS), (28, 8, 12, BASS), (28, 12, 16, BASS)]
    expected += [(64, 0, 16, LEAD)]  # the lead is no chord: held on
    expected += [(36, 0, 1, DRUMS), (36, 6, 7, DRUMS), (38, 4, 5, DRUMS), (36, 12, 13, DRUMS)]
    assert out == sorted(expected)  # the snare on 4 strikes nothing


def test_without_a_kick_nothing_changes():
    notes = parted((40, 0, 16, RHYTHM), (38, 4, 5, DRUMS))
    assert sorted(map(tuple, on_the_kick(notes))) == sorted(map(tuple, notes))
