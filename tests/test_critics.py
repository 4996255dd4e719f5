"""The statistics critic: a second two-sample judge, of another family than the CNN."""

import numpy as np

from seqimg.evaluate.classifier import accuracy
from seqimg.evaluate.critics import StatisticsCritic, critic_fits
from seqimg.registry import make_codec


def windows(rng, n, scale):
    """``n`` windows of a 2-channel random walk, steps of ``scale``, inside [-1, 1]."""
    walks = np.cumsum(rng.normal(0, scale, (n, 64, 2)), axis=1)
    return np.clip(walks, -1, 1).astype(np.float32)


def test_it_tells_apart_what_differs_in_its_statistics_and_not_what_does_not():
    rng = np.random.default_rng(0)
    codec = make_codec("timeseries", {"channels": 2})
    calm, wild, calm_too = windows(rng, 200, 0.01), windows(rng, 200, 0.1), windows(rng, 200, 0.01)
    critic = StatisticsCritic(codec, seed=0).fit(calm[:100], wild[:100])
    assert accuracy(critic, calm[100:], wild[100:]) > 0.9
    same = StatisticsCritic(codec, seed=0).fit(calm[:100], calm_too[:100])
    assert accuracy(same, calm[100:], calm_too[100:]) < 0.7


def test_the_classifier_comes_first_then_each_named_critic():
    def fit(positive, negative):
        return "the classifier"

    codec = make_codec("timeseries")
    fits = critic_fits("cnn", fit, codec, 0, ("statistics",))
    assert list(fits) == ["cnn", "statistics"] and fits["cnn"] is fit
    assert list(critic_fits("rocket", fit, codec, 0, ())) == ["rocket"]
