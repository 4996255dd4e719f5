"""The library's phrases: the runs of items that follow one another in a donor piece (each item's
``previous``, followed back to the run's first), so that a phrase matched at one place can be
followed along a whole piece, and a match can be made over several items of a phrase at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Phrases:
    """Each item's position in its phrase and its phrase's length, shape=(N,) each, and the
    items in phrase order, shape=(N,), where each item's phrase begins at ``begins[item]``."""

    position: np.ndarray
    length: np.ndarray
    order: np.ndarray
    begins: np.ndarray

    @classmethod
    def of(cls, previous: np.ndarray) -> Phrases:
        """The phrases of items whose predecessors are ``previous``, shape=(N,) (-1: none):
        each item's first item and distance from it found by pointer jumping."""
        count = len(previous)
        first = np.where(previous >= 0, previous, np.arange(count))
        position = (previous >= 0).astype(np.int64)
        while np.any(first[first] != first):
            position = position + position[first]
            first = first[first]
        order = np.lexsort((position, first))
        length = np.bincount(first, minlength=count)[first]
        begins = np.searchsorted(first[order], first)
        return cls(position, length, order, begins)

    def __len__(self) -> int:
        return len(self.position)

    def along(self, items: np.ndarray, steps: np.ndarray | int) -> np.ndarray:
        """The item ``steps`` after (before, where negative) each of ``items`` in its phrase, -1
        where the phrase has ended (or not begun)."""
        at = self.position[items] + steps
        inside = (at >= 0) & (at < self.length[items])
        return np.where(inside, self.order[self.begins[items] + np.where(inside, at, 0)], -1)
