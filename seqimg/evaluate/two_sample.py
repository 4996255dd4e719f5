"""Classifier two-sample tests (Lopez-Paz & Oquab, 2017): a fresh critic trained on half the
files of two sets of pieces tells the other half apart; 0.5 means indistinguishable. Each test
keeps its size and a one-sided binomial p-value against 0.5, and the same test on real target
against real target gives the floor that an output's accuracy is read against (pieces differ,
and few are held out, so two sets of real pieces are not told apart at exactly 0.5 either)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIGNIFICANCE = 0.05
# a test whose first critic seed reads this or more is not repeated: critic seeds move a reading
# by 0.02-0.06, and between about 0.9 and 1 no verdict word changes (it is told apart)
DECIDED = 0.95


@dataclass(frozen=True)
class SampleTest:
    """A two-sample test's balanced accuracy (the median over critic seeds), its number of
    test windows, the one-sided binomial p-value of that accuracy over that many windows
    against chance (windows of one piece are not independent, so the p-value is optimistic),
    the lowest and highest accuracy over the seeds, and each seed's accuracy (one for a
    critic that is deterministic)."""

    accuracy: float
    n: int | None  # None in a report written before tests kept their size
    p: float
    range: tuple[float, float] = (float("nan"), float("nan"))
    seeds: tuple[float, ...] = ()

    @classmethod
    def of(cls, values: list[float] | float, n: int) -> SampleTest:
        """The test of one accuracy per critic seed (or a single accuracy) over ``n`` windows."""
        from scipy.stats import binomtest

        values = [float(v) for v in np.atleast_1d(values)]
        value = float(np.median(values))
        spread = (min(values), max(values))
        if not n or np.isnan(value):
            return cls(value, n, float("nan"), spread, tuple(values))
        p = binomtest(round(value * n), n, 0.5, alternative="greater").pvalue
        return cls(value, n, float(p), spread, tuple(values))

    @property
    def rejects(self) -> bool:
        """Whether the test tells the two sets apart at 5%."""
        return bool(self.p < SIGNIFICANCE)


def too_small(n: int) -> bool:
    """Whether a test of ``n`` windows cannot reject chance at 5% even when every window is
    told right."""
    return n == 0 or 0.5**n > SIGNIFICANCE


def halves(pieces: list[np.ndarray]) -> tuple[list, list]:
    """Pieces dealt alternately into two halves, every copy of a piece (equal to it value for
    value, to the copying measure's tolerance) into the half of its first appearance: a
    critic must not be tested on a piece it was trained on (a retrieval that maps many sources
    to a few real pieces would otherwise be told apart by memory)."""
    from seqimg.evaluate.copying import TOLERANCE

    keys = [np.round(np.asarray(p) / TOLERANCE).astype(np.int32).tobytes() for p in pieces]
    side: dict[bytes, int] = {}
    for key in keys:
        side.setdefault(key, len(side) % 2)
    return ([p for p, k in zip(pieces, keys) if side[k] == 0],
            [p for p, k in zip(pieces, keys) if side[k] == 1])


def two_sample(a: list[np.ndarray], b: list[np.ndarray], window: int, fits: list) -> SampleTest:
    """Held-out accuracy of fresh classifiers (``fit(positive, negative)``, one per critic
    seed) telling the pieces ``a`` from ``b`` (frames each, trained on half the files of each,
    tested on the other half, the same halves for every seed): the median over the seeds, or
    the first seed alone where it reads :data:`DECIDED` or more. The critics need torch; the
    report pages that read tests do not import it."""
    from seqimg.evaluate.classifier import accuracy, frame_windows

    (a_train, a_test), (b_train, b_test) = halves(a), halves(b)
    if not (a_train and a_test and b_train and b_test):
        return SampleTest.of(float("nan"), 0)
    train = frame_windows(a_train, window)[0], frame_windows(b_train, window)[0]
    positive, negative = frame_windows(a_test, window)[0], frame_windows(b_test, window)[0]
    values: list[float] = []
    for fit in fits:
        values.append(accuracy(fit(*train), positive, negative))
        if values[0] >= DECIDED:
            break
    return SampleTest.of(values, len(positive) + len(negative))


def two_sample_critics(a: list[np.ndarray], b: list[np.ndarray], window: int,
                       fits: dict[str, list]) -> dict[str, SampleTest]:
    """:func:`two_sample` by every critic (``{name: [fit per seed]}``)."""
    return {name: two_sample(a, b, window, fit) for name, fit in fits.items()}


def floor(target: list[np.ndarray], window: int, fits: dict[str, list],
          seed: int) -> dict[str, SampleTest]:
    """Every critic's two-sample test of real target against real target: the target's pieces
    shuffled (seeded) and cut into two halves, each then split as any test's sides are."""
    order = np.random.default_rng(seed).permutation(len(target))
    shuffled = [target[i] for i in order]
    return two_sample_critics(shuffled[::2], shuffled[1::2], window, fits)

