"""The two-sample critics, a registry kind (entry point group ``seqimg.critics``): classifiers of
different families, each trained fresh per test, that try to tell outputs from real target. The
CNN (or ROCKET) reads the frames; the ``statistics`` critic reads only the target codec's
per-window statistics (pitches, density, repetition, ...) with gradient-boosted trees. One
critic can be fooled (sparse held notes fooled the CNN); a design that passes must fool both.

A critic is a class built as ``Critic(codec, seed, steps)`` (``steps``: its training budget,
where it has one) with a ``description``, ``fit(positive, negative) -> critic`` on windows,
shape=(N, window, F) each, and ``probability(windows) -> P(positive)`` per window
(:func:`seqimg.testing.check_critic` is the contract). One trained fresh moves by a few hundredths
with its seed on fixed outputs, so every test is the median over ``evaluate.critic_seeds`` seeds;
a critic whose fit does not depend on its seed says so (``deterministic``) and is fitted once. A
critic whose fitted model also gives an ``embedding`` of windows (``embeds``) can be the first of
``evaluate.critics``: the domain classifier that strength and the Frechet distances are read by."""

from __future__ import annotations

from collections.abc import Callable
from hashlib import blake2b

import numpy as np

from seqimg.codecs.capabilities import Measured, able
from seqimg.memo import KeptForLast

TABLES = KeptForLast()  # each window's statistics, for the codec given last


class CnnCritic:
    """The small 1-D CNN over frame windows (:mod:`seqimg.evaluate.classifier`)."""

    description = "a small 1-D CNN over the frames of each window"
    embeds = True

    def __init__(self, codec, seed: int, steps: int = 300) -> None:
        self.seed, self.steps = seed, steps

    def fit(self, positive: np.ndarray, negative: np.ndarray):
        from seqimg.evaluate.classifier import train_classifier

        return train_classifier(positive, negative, self.steps, self.seed)


class RocketCritic:
    """ROCKET features of each channel, a logistic regression (:mod:`seqimg.evaluate.rocket`)."""

    description = "ROCKET random convolution features with a logistic regression (series)"
    embeds = True

    def __init__(self, codec, seed: int, steps: int = 0) -> None:
        self.seed = seed

    def fit(self, positive: np.ndarray, negative: np.ndarray):
        from seqimg.evaluate.rocket import train_rocket

        return train_rocket(positive, negative, seed=self.seed)


class GruCritic:
    """The field's discriminative score (TimeGAN, 2019; Diffusion-TS and ImagenTime report it):
    a one-layer GRU of max(1, F // 2) units trained for the protocol's 2,000 Adam steps on
    batches of 128 windows (half a side), whatever the recipe's classifier budget. Much smaller
    than the CNN or ROCKET: a score near 0.5 from it says less."""

    description = "the time-series literature's post-hoc GRU (TimeGAN's discriminative score)"
    embeds = True
    STEPS, BATCH = 2000, 128
    # its contract asks less: one unit (two channels) reads calm from wild walks at about 0.66,
    # where the CNN and ROCKET exceed 0.95
    min_accuracy = 0.6

    def __init__(self, codec, seed: int, steps: int = 0) -> None:
        self.seed = seed

    def fit(self, positive: np.ndarray, negative: np.ndarray):
        from seqimg.evaluate.classifier import GruClassifier, train_classifier

        return train_classifier(positive, negative, self.STEPS, self.seed, GruClassifier,
                                self.BATCH // 2)


class StatisticsCritic:
    """Gradient-boosted trees over the codec's statistics of each window, shape=(N, window, F);
    a statistic a window lacks (an empty window has few) is left missing, which the trees
    handle."""

    description = "gradient-boosted trees over the codec's statistics of each window"
    deterministic = True  # no early stopping and no subsampling: the seed changes nothing

    def __init__(self, codec, seed: int, steps: int = 0) -> None:
        self.codec, self.seed, self.keys = codec, seed, []

    def table(self, windows: np.ndarray) -> list[dict[str, float]]:
        """The codec's statistics of each window, each computed once per codec (every test of
        an evaluation reads the same real target windows)."""
        measured = able(self.codec, Measured)
        return [TABLES.get((self.codec,), (window.shape, blake2b(window.tobytes()).digest()),
                           lambda window=window: measured.statistics(window))
                for window in windows]

    def features(self, stats: list[dict[str, float]]) -> np.ndarray:
        return np.array([[s.get(key, np.nan) for key in self.keys] for s in stats],
                        dtype=np.float64).reshape(len(stats), len(self.keys))

    def fit(self, positive: np.ndarray, negative: np.ndarray) -> StatisticsCritic:
        from sklearn.ensemble import HistGradientBoostingClassifier

        stats = self.table(np.concatenate([positive, negative]))
        self.keys = sorted(set().union(*stats))
        labels = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
        self.model = HistGradientBoostingClassifier(max_iter=100, max_depth=4,
                                                    class_weight="balanced",
                                                    early_stopping=False,
                                                    random_state=self.seed)
        self.model.fit(self.features(stats), labels)
        return self

    def probability(self, windows: np.ndarray) -> np.ndarray:
        """P(positive) per window."""
        if not len(windows):
            return np.zeros(0)
        return self.model.predict_proba(self.features(self.table(windows)))[:, 1]


def critic_fits(names: tuple[str, ...], codec, seed: int, seeds: int,
                steps: int = 300) -> dict[str, list[Callable]]:
    """``{name: [fit(positive, negative) -> classifier per critic seed]}`` for each registered
    critic of ``names``, in order (the first is the domain classifier): ``seeds`` fits at the
    seeds ``seed, seed + 1, ...``, or one for a critic that is ``deterministic``."""
    from seqimg.registry import lookup

    def fit_of(critic: type, at: int) -> Callable:
        return lambda positive, negative: critic(codec, at, steps).fit(positive, negative)

    fits = {}
    for name in names:
        critic = lookup("critics", name)
        count = 1 if getattr(critic, "deterministic", False) else seeds
        fits[name] = [fit_of(critic, seed + i) for i in range(count)]
    return fits
