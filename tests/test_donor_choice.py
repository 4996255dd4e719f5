"""The donor choice over candidates: phrases as chains of items, the index of phrase windows,
and a pruned pass that finds the phrase the exact pass over every state chooses."""

import numpy as np
import pytest

from seqimg.methods.donor.choice import StateCosts, choose, path_cost
from seqimg.methods.donor.index import LibraryIndex
from seqimg.methods.donor.method import DonorConfig
from seqimg.methods.donor.phrases import Phrases


def test_phrases_follow_predecessors_whatever_their_hop():
    # items 0, 2, 4 follow one another (a hop of two), as do 1, 3; item 5 stands alone
    phrases = Phrases.of(np.array([-1, -1, 0, 1, 2, -1]))
    assert phrases.position.tolist() == [0, 0, 1, 1, 2, 0]
    assert phrases.length.tolist() == [3, 2, 3, 2, 3, 1]
    assert phrases.along(np.arange(6), 1).tolist() == [2, 3, 4, -1, -1, -1]
    assert phrases.along(np.array([4, 4, 3]), np.array([-2, 1, -1])).tolist() == [0, -1, 1]


def lone_bars_and_one_phrase(rng):
    """Six source bars; a library of one six-bar phrase that matches every bar fairly (0.3
    off) and 30 lone bars, five copies of each source bar exactly (a phrase of one)."""
    source = rng.normal(size=(6, 3))
    phrase = source + 0.3 * rng.choice([-1, 1], size=source.shape)
    views = np.concatenate([np.repeat(source, 5, 0), phrase])
    previous = np.concatenate([np.full(30, -1), [-1], np.arange(30, 35)])
    return source, views, previous


def costs_for(source, views, previous, jump):
    weights = np.ones(views.shape[1], np.float32)
    index = LibraryIndex.of(views, weights, np.zeros(len(views)), Phrases.of(previous), 4, jump)
    return StateCosts(index.queries(source[:, None], weights), np.ones(len(source), bool), index)


def test_the_pruned_pass_finds_the_phrase_that_no_single_bar_ranks_first():
    source, views, previous = lone_bars_and_one_phrase(np.random.default_rng(0))
    costs = costs_for(source, views, previous, jump=5.0)
    pieces = np.arange(len(views))
    _, exact = choose(costs, previous, pieces, jump=5.0, use_penalty=0.0, k=0)
    assert exact.tolist() == list(range(30, 36))  # the phrase whole: jumps cost more
    # every bar's five nearest states are the lone copies of it, never the phrase's bar; the
    # nearest window of four bars is the phrase's, and it is followed along the piece
    first_bar = costs.of(0, np.arange(len(views)))
    assert set(np.argsort(first_bar)[:5]) == set(range(0, 5))
    _, pruned = choose(costs, previous, pieces, jump=5.0, use_penalty=0.0, k=1)
    assert pruned.tolist() == exact.tolist()
    # where jumps are cheap the lone exact copies win, pruned or not
    cheap = costs_for(source, views, previous, jump=0.1)
    _, free = choose(cheap, previous, pieces, jump=0.1, use_penalty=0.0, k=5)
    assert (free < 30).all()
    assert path_cost(free, cheap.of, previous, 0.1) == pytest.approx(5 * 0.1)


def test_pruned_choices_cost_within_a_percent_of_the_exact_pass_on_random_libraries():
    rng = np.random.default_rng(1)
    for _ in range(5):
        views = rng.random((120, 4))
        previous = np.where(rng.random(120) < 0.9, np.arange(120) - 1, -1)
        source = rng.random((12, 4))
        costs = costs_for(source, views, previous, jump=1.0)
        pieces = np.cumsum(previous < 0)
        exact = choose(costs, previous, pieces, 1.0, 0.0, k=0)[1]
        pruned = choose(costs, previous, pieces, 1.0, 0.0, k=16)[1]
        ratio = (path_cost(pruned, costs.of, previous, 1.0) /
                 path_cost(exact, costs.of, previous, 1.0))
        assert 1.0 - 1e-9 <= ratio <= 1.01


def test_a_negative_candidate_count_is_refused():
    with pytest.raises(ValueError, match="candidates"):
        DonorConfig(candidates=-1)


def test_a_phrase_past_phrase_bars_costs_a_jump():
    from seqimg.codecs.midi import MidiCodec
    from seqimg.methods.donor.library import DonorLibrary
    from seqimg.methods.donor.method import DonorMethod

    # four source bars; library piece 0 is a four-bar phrase costing 0.75 in every bar, pieces 1, 2
    # are lone bars equal to source bars 2 and 3
    rng = np.random.default_rng(2)
    codec = MidiCodec(pitch_low=36, pitch_high=83, steps_per_beat=1, height=4, width=4)
    wanted = rng.random((4, 60)).astype(np.float32)
    views = np.concatenate([wanted + np.sqrt(0.75 / 60), wanted[2:]]).astype(np.float32)
    library = DonorLibrary(np.zeros((0, 4), np.int32), np.array([0, 4, 8, 12, 20, 28]),
                           np.array([0, 0, 0, 0, 1, 2]), views)

    def chosen(phrase_bars):
        method = DonorMethod(codec, codec, DonorConfig(jump=1.0, max_shift=1, class_cost=0,
                                                       phrase_bars=phrase_bars, candidates=0))
        method.library = library
        return method.choice(wanted, library.previous(4), np.full(4, 128))[0].tolist()
    assert chosen(0) == [0, 1, 2, 3]  # the phrase whole (3.0) beats 2 x 0.75 + 2 jumps (3.5)
    assert chosen(2) == [0, 1, 4, 5]  # now going on past two bars costs a jump too (4.0)
