"""Ctrl-C held until a safe point: a loop stops between two steps, so that what it saves on the
way out is a consistent state (a second Ctrl-C stops at once)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def interrupt_between_steps() -> Iterator[Callable[[], bool]]:
    """Yield a function that says whether Ctrl-C was pressed; SIGINT only sets that flag while
    the block runs (in the main thread; elsewhere signals cannot be caught and nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    pressed: list[bool] = []

    def hold(signum, frame) -> None:
        if pressed:
            raise KeyboardInterrupt
        pressed.append(True)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield lambda: bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous)
