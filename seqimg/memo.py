"""Values kept for the objects given last: evaluation asks the same question of one codec and
one list of pieces many times over (every held-out piece's control reads the same target pieces,
every two-sample test the same real target windows), so the answers are kept while those same
objects, by identity, come again, and dropped when others come."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class KeptForLast:
    """``get(objects, key, make)``: ``make()`` once per key while ``objects`` (a tuple, compared
    by identity and held, so that no other object can take their place) stay the same. The
    objects are read, not changed, while their values are kept."""

    def __init__(self) -> None:
        self.objects: tuple = ()
        self.values: dict[Hashable, Any] = {}

    def get(self, objects: tuple, key: Hashable, make: Callable[[], Any]) -> Any:
        if len(objects) != len(self.objects) or any(
                a is not b for a, b in zip(objects, self.objects)):
            self.objects, self.values = objects, {}
        if key not in self.values:
            self.values[key] = make()
        return self.values[key]
