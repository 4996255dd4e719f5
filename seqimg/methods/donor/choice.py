"""The choice of donor bars for a whole piece: one Viterbi pass over (transposition, library
bar) states. A state's cost is the squared distance between the source bar's view and the
donor bar's under that transposition; moving on to the next bar of the same donor piece at the
same transposition is free, any other move (a jump) costs ``jump``. So whole real phrases are
carried over where the harmony allows, and a jump is taken only where it pays."""

from __future__ import annotations

import numpy as np


def emissions(wanted: np.ndarray, offered: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted squared distances of each source bar's view, shape=(T, D), to each donor
    state's, shape=(S, D): shape=(T, S). Silent source bars (all-zero views) cost nothing
    anywhere, so a phrase runs on through a rest."""
    w, o = wanted * np.sqrt(weights), offered * np.sqrt(weights)
    cost = (w**2).sum(1)[:, None] - 2 * w @ o.T + (o**2).sum(1)[None]
    cost[~wanted.any(1)] = 0.0
    return np.maximum(cost, 0.0)


def viterbi(cost: np.ndarray, previous: np.ndarray, jump: float,
            key_change: float = 0.0) -> np.ndarray:
    """The cheapest path of states, shape=(T,), through ``cost``, shape=(T, K * N) (K
    transpositions of N library bars), where state (k, b) follows (k, previous[b]) for free, any
    state at the same transposition for ``jump`` and any other for ``jump + key_change``."""
    steps, states = cost.shape
    count = len(previous)
    shifts = states // count
    has_previous = np.tile(previous >= 0, shifts)
    source = (np.arange(shifts)[:, None] * count + np.where(previous >= 0, previous, 0)).ravel()
    back = np.zeros((steps, states), dtype=np.int64)
    total = cost[0].copy()
    for t in range(1, steps):
        best = total.reshape(shifts, count).argmin(1) + np.arange(shifts) * count  # per key
        anywhere = best[total[best].argmin()]
        same = np.repeat(best, count)
        other = total[anywhere] + key_change < total[same]
        jumped_from = np.where(other, anywhere, same)
        jumped = total[jumped_from] + jump + np.where(other, key_change, 0.0)
        carried = np.where(has_previous, total[source], np.inf)
        keep = carried <= jumped
        back[t] = np.where(keep, source, jumped_from)
        total = np.where(keep, carried, jumped) + cost[t]
    path = np.zeros(steps, dtype=np.int64)
    path[-1] = int(total.argmin())
    for t in range(steps - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def choose(wanted: np.ndarray, offered: np.ndarray, previous: np.ndarray, pieces: np.ndarray,
           weights: np.ndarray, jump: float, use_penalty: float, key_change: float = 0.0,
           extra: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Donor bars and transposition indices, shape=(T,) each, for source bar views, shape=(T,
    D), from donor views under K transpositions, shape=(K, N, D). With ``use_penalty`` a second
    pass makes each donor piece dearer by that much times the share of the source's bars it
    covered in the first, so that one donor piece does not cover a whole piece; a jump to
    another transposition costs ``key_change`` more, so that the piece keeps a few keys.
    ``extra``, shape=(T, K * N), is added to every state's cost (e.g. to keep donors in
    place)."""
    shifts, count, _ = offered.shape
    cost = emissions(wanted, offered.reshape(shifts * count, -1), weights)
    if extra is not None:
        cost = cost + extra
    path = viterbi(cost, previous, jump, key_change)
    if use_penalty > 0:
        covered = np.bincount(pieces[path % count], minlength=pieces.max() + 1) / len(path)
        dearer = np.tile(covered[pieces], shifts)[None] * wanted.any(1)[:, None]
        path = viterbi(cost + use_penalty * dearer, previous, jump, key_change)
    return path % count, path // count
