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


def viterbi(cost: np.ndarray, previous: np.ndarray, jump: float) -> np.ndarray:
    """The cheapest path of states, shape=(T,), through ``cost``, shape=(T, K * N) (K
    transpositions of N library bars), where state (k, b) follows (k, previous[b]) for free and
    any state at ``jump``."""
    steps, states = cost.shape
    count = len(previous)
    shifts = states // count
    has_previous = previous >= 0
    source = (np.arange(shifts)[:, None] * count + np.where(has_previous, previous, 0)).ravel()
    back = np.zeros((steps, states), dtype=np.int64)
    total = cost[0].copy()
    for t in range(1, steps):
        best = int(total.argmin())
        carried = np.where(np.tile(has_previous, shifts), total[source], np.inf)
        jumped = total[best] + jump
        keep = carried <= jumped
        back[t] = np.where(keep, source, best)
        total = np.where(keep, carried, jumped) + cost[t]
    path = np.zeros(steps, dtype=np.int64)
    path[-1] = int(total.argmin())
    for t in range(steps - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def choose(wanted: np.ndarray, offered: np.ndarray, previous: np.ndarray, pieces: np.ndarray,
           weights: np.ndarray, jump: float, use_penalty: float) -> tuple[np.ndarray, np.ndarray]:
    """Donor bars and transposition indices, shape=(T,) each, for source bar views, shape=(T,
    D), from donor views under K transpositions, shape=(K, N, D). With ``use_penalty`` a second
    pass makes each donor piece dearer by that much times the share of the source's bars it
    covered in the first, so that one donor piece does not cover a whole piece."""
    shifts, count, _ = offered.shape
    cost = emissions(wanted, offered.reshape(shifts * count, -1), weights)
    path = viterbi(cost, previous, jump)
    if use_penalty > 0:
        covered = np.bincount(pieces[path % count], minlength=pieces.max() + 1) / len(path)
        dearer = np.tile(covered[pieces], shifts)[None] * wanted.any(1)[:, None]
        path = viterbi(cost + use_penalty * dearer, previous, jump)
    return path % count, path // count
