"""The choice of donor states for a whole piece: one Viterbi pass over (transposition, library
item) states. A state's cost is the weighted squared distance between the source bar's view and
the item's under that transposition, plus what the item costs of itself and any extra the method
adds; moving on to the next item of the same donor piece at the same transposition is free, any
other move (a jump) costs ``jump``, ``key_change`` more to another transposition. So whole real
phrases are carried over where the harmony allows, and a jump is taken only where it pays.

The pass visits at each bar only its candidates: the phrases whose windows of a few items lie
nearest the piece's windows of as many bars (found by the library's index, not by scoring every
state), each followed along the piece, so that a phrase offered once runs on wherever it can.
With every state a candidate (``k`` 0) it is the exact pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from seqimg.methods.donor.index import LibraryIndex

# (bar, transposition index, item), each shape=(n,) -> each state's extra cost, shape=(n,)
Extra = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
CHUNK = 1 << 16  # states scored at once, so that scoring every state stays small in memory


@dataclass(frozen=True)
class StateCosts:
    """What each state costs in each bar of one piece: the bars' views under each of K
    transpositions as points of the library's space (:meth:`LibraryIndex.queries`),
    shape=(T, K, D + 1), whether each bar sounds, shape=(T,) (a silent bar costs nothing
    anywhere, so that a phrase runs on through a rest), and an extra cost or None."""

    queries: np.ndarray
    sounding: np.ndarray
    index: LibraryIndex
    extra: Extra | None = None

    @property
    def shape(self) -> tuple[int, int, int]:
        """Bars, transpositions, library items."""
        return len(self.queries), self.queries.shape[1], len(self.index)

    def of(self, bar: int, states: np.ndarray) -> np.ndarray:
        """The costs of ``states`` (transposition index * N + item), shape=(n,), in ``bar``."""
        if not self.sounding[bar]:
            return np.zeros(len(states))
        shift, item = np.divmod(states, len(self.index))
        cost = np.empty(len(states))
        for at in range(0, len(states), CHUNK):
            part = slice(at, at + CHUNK)
            cost[part] = ((self.queries[bar, shift[part]] - self.index.points[item[part]]) ** 2
                          ).sum(1)
        if self.extra is not None:
            cost += self.extra(np.full(len(states), bar), shift, item)
        return cost


def candidates(costs: StateCosts, k: int) -> list[np.ndarray]:
    """Each bar's candidate states, sorted: for the window of bars each bar begins
    (:meth:`LibraryIndex.nearest`), the ``k`` phrase windows nearest it over every
    transposition, each followed along its whole phrase (so that a phrase found where it
    matches well is offered wherever it runs); ``k`` 0: every state."""
    bars, shifts, count = costs.shape
    index = costs.index
    if k <= 0:
        return [np.arange(shifts * count)] * bars
    items, distances = index.nearest(costs.queries, k)
    items, distances = items.reshape(bars, -1), distances.reshape(bars, -1)
    shift = np.repeat(np.arange(shifts), items.shape[1] // shifts)
    nearest = np.argsort(distances, 1, kind="stable")[:, :k]
    found = np.isfinite(np.take_along_axis(distances, nearest, 1))
    bar, column = np.nonzero(found)
    picked = nearest[bar, column]
    phrases, item = index.phrases, items[bar, picked]
    longest = int(phrases.length.max())
    # each phrase found placed once: its transposition, its first item and the bar that item
    # falls on (+ longest, so that it is never negative), as one key
    key = ((shift[picked] * count + phrases.order[phrases.begins[item]]) * (bars + longest)
           + bar - phrases.position[item] + longest)
    state, first_bar = np.divmod(np.unique(key), bars + longest)
    offered = []
    for at in range(bars):
        item = phrases.along(state % count, at - first_bar + longest)
        states = np.unique((state // count * count + item)[item >= 0])
        offered.append(states if len(states) else np.arange(shifts * count))
    return offered


def cheapest_path(candidates: list[np.ndarray], costs: list[np.ndarray], previous: np.ndarray,
                  shifts: int, jump: float, key_change: float = 0.0) -> np.ndarray:
    """The cheapest path of states, shape=(T,), through each bar's ``candidates`` (sorted,
    at least one a bar) at their ``costs`` there, where state (k, b) follows (k, previous[b])
    for free, any state at the same transposition for ``jump`` and any other for
    ``jump + key_change``."""
    count = len(previous)
    states, total = candidates[0], costs[0]
    back = [np.zeros(0, np.int32)]
    for bar in range(1, len(candidates)):
        shift = states // count
        anywhere = int(total.argmin())
        # each transposition's cheapest state (states are sorted, so grouped by transposition)
        bounds = np.searchsorted(shift, np.arange(shifts + 1))
        present = np.flatnonzero(bounds[1:] > bounds[:-1])
        lowest = np.minimum.reduceat(total, bounds[present])
        group = np.repeat(np.arange(len(present)), np.diff(bounds)[present])
        at_lowest = np.flatnonzero(total == lowest[group])
        heads = at_lowest[np.unique(group[at_lowest], return_index=True)[1]]
        jumped_from = np.full(shifts, anywhere)
        stay = total[heads] <= total[anywhere] + key_change
        jumped_from[present[stay]] = heads[stay]
        jumped = total[jumped_from] + jump + np.where(shift[jumped_from] != np.arange(shifts),
                                                      key_change, 0.0)
        new_shift, item = np.divmod(candidates[bar], count)
        before = new_shift * count + previous[item]
        at = np.minimum(np.searchsorted(states, before), len(states) - 1)
        arrive = np.where((previous[item] >= 0) & (states[at] == before), total[at], np.inf)
        keep = arrive <= jumped[new_shift]
        back.append(np.where(keep, at, jumped_from[new_shift]).astype(np.int32))
        total = np.where(keep, arrive, jumped[new_shift]) + costs[bar]
        states = candidates[bar]
    path = np.zeros(len(candidates), dtype=np.int64)
    at = int(total.argmin())
    for bar in range(len(candidates) - 1, -1, -1):
        path[bar] = candidates[bar][at]
        at = back[bar][at] if bar else at
    return path


def choose(costs: StateCosts, previous: np.ndarray, pieces: np.ndarray, jump: float,
           use_penalty: float, key_change: float = 0.0,
           k: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The first pass's path of states and the chosen one, shape=(T,) each, for one piece,
    given each item's predecessor in its piece and the piece it comes from, shape=(N,) each,
    over the candidates of ``k`` nearest phrase windows (``k`` 0: every state). With
    ``use_penalty`` a second pass makes each donor piece dearer (:func:`penalised`), so that
    one donor piece does not cover a whole piece; without, the two are one."""
    shifts = costs.shape[1]
    offered = candidates(costs, k)
    scored = [costs.of(bar, states) for bar, states in enumerate(offered)]
    first = cheapest_path(offered, scored, previous, shifts, jump, key_change)
    if use_penalty <= 0:
        return first, first
    dearer = penalised(costs, first, pieces, use_penalty)
    return first, cheapest_path(offered, [cost + dearer(bar, states) for bar, (states, cost)
                                          in enumerate(zip(offered, scored))],
                                previous, shifts, jump, key_change)


def penalised(costs: StateCosts, first: np.ndarray, pieces: np.ndarray,
              use_penalty: float) -> Callable[[int, np.ndarray], np.ndarray]:
    """What each state costs more in a bar when each donor piece is dearer in a sounding bar by
    ``use_penalty`` times the share of the bars it covered in a ``first`` path, shape=(T,)."""
    count = len(pieces)
    covered = use_penalty * np.bincount(pieces[first % count], minlength=pieces.max() + 1)
    covered = covered / len(first)
    return lambda bar, states: covered[pieces[states % count]] * costs.sounding[bar]


def path_cost(path: np.ndarray, cost: Callable[[int, np.ndarray], np.ndarray],
              previous: np.ndarray, jump: float, key_change: float = 0.0) -> float:
    """What a path of states, shape=(T,), costs: its states' costs, ``jump`` for each move that
    does not continue a phrase and ``key_change`` more for each that changes transposition."""
    count = len(previous)
    shift, item = np.divmod(path, count)
    runs_on = (previous[item[1:]] == item[:-1]) & (shift[1:] == shift[:-1])
    moved = (shift[1:] != shift[:-1])
    states = sum(float(cost(bar, path[bar:bar + 1])[0]) for bar in range(len(path)))
    return states + jump * float((~runs_on).sum()) + key_change * float(moved.sum())
