"""The library's views as points of one space, so that the states nearest a source bar are found
by a nearest-neighbour index (faiss) instead of by scoring every state: each view weighted by
the match's weights, the item's own cost (e.g. its pitch classes) beside it as one more
coordinate, so that a squared distance is the match plus that cost. The index holds windows of
``window`` items of a phrase (an item and those that follow it), so that a phrase is found by
how it matches several bars, not one: a phrase's place past its end holds a mark that costs the
jump it forces, and a piece's place past its end holds the same mark, so that the last bars of
a piece are matched by the phrases that end there as well as by those that run on."""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np

from seqimg.methods.donor.phrases import Phrases

# libraries of fewer items are searched exhaustively (exact neighbours, cheap at this size);
# larger ones through an inverted file of about 2 * sqrt(N) lists, PROBES of them visited
EXHAUSTIVE_BELOW = 20_000
PROBES = 16
TRAINING_SEED = 0
TRAINING_PER_LIST = 64  # windows per list the inverted file's k-means is trained on
CHUNK = 1 << 15  # windows added to the index at once


@dataclass(frozen=True)
class LibraryIndex:
    """Weighted points of the library's items, shape=(N, D + 1), their phrases, the faiss
    index over windows of ``window`` consecutive items of a phrase, and the point past a
    phrase's end, shape=(D + 1,)."""

    points: np.ndarray
    phrases: Phrases
    window: int
    index: faiss.Index
    ended: np.ndarray

    @classmethod
    def of(cls, views: np.ndarray, weights: np.ndarray, own_cost: np.ndarray,
           phrases: Phrases, window: int, ended_cost: float) -> LibraryIndex:
        """The index of library views, shape=(N, D), under the match's weights, shape=(D,),
        each item costing ``own_cost``, shape=(N,) (0 or more), of itself, a window's place
        past its phrase's end ``ended_cost``."""
        points = np.column_stack([views * np.sqrt(weights), np.sqrt(own_cost)])
        points = np.ascontiguousarray(points, dtype=np.float32)
        ended = np.zeros(points.shape[1], np.float32)
        ended[-1] = np.sqrt(ended_cost)

        def windows(items: np.ndarray) -> np.ndarray:
            """The windows that begin at ``items``, shape=(n, window * (D + 1))."""
            return np.concatenate(
                [np.where(item[:, None] >= 0, points[np.maximum(item, 0)], ended)
                 for item in (phrases.along(items, step) for step in range(window))], 1)
        width = window * points.shape[1]
        if len(points) < EXHAUSTIVE_BELOW:
            index = faiss.IndexFlatL2(width)
        else:
            lists = int(2 * np.sqrt(len(points)))
            index = faiss.IndexIVFFlat(faiss.IndexFlatL2(width), width, lists)
            index.cp.seed = TRAINING_SEED
            sample = np.random.default_rng(TRAINING_SEED).permutation(len(points))
            index.train(windows(np.sort(sample[:TRAINING_PER_LIST * lists])))
            index.nprobe = PROBES
        for start in range(0, len(points), CHUNK):  # a chunk at a time: one copy is enough
            index.add(windows(np.arange(start, min(start + CHUNK, len(points)))))
        return cls(points, phrases, window, index, ended)

    def __len__(self) -> int:
        return len(self.points)

    @staticmethod
    def queries(views: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Source views, shape=(..., D), as points of the library's space, shape=(..., D + 1)
        (nothing of their own to cost)."""
        weighted = views * np.sqrt(weights)
        return np.concatenate([weighted, np.zeros((*views.shape[:-1], 1))], -1).astype(
            np.float32)

    def nearest(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """For each bar of a piece given as queries, shape=(T, K, D + 1), under each of K
        transpositions, the first items of the ``k`` library windows nearest the window of
        bars it begins (past the piece's end: :attr:`ended`), shape=(T, K, k), and their squared
        distances; an item -1 at distance inf where fewer were found."""
        bars, shifts, width = queries.shape
        padded = np.concatenate([queries, np.broadcast_to(self.ended, (self.window - 1, shifts,
                                                                      width))])
        windows = np.concatenate([padded[step:bars + step] for step in range(self.window)], -1)
        distances, items = self.index.search(
            np.ascontiguousarray(windows.reshape(bars * shifts, -1), np.float32),
            min(k, len(self)))
        distances = np.where(items < 0, np.inf, distances)
        return items.reshape(bars, shifts, -1), distances.reshape(bars, shifts, -1)
