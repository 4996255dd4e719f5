"""A process pool that outlives its workers: a worker that dies on an item (a C++ parser
crashing on hostile bytes) costs that item alone, which is reported through ``on_crash``, and a
fresh worker takes the rest. ``multiprocessing.Pool`` would wait forever for the lost item."""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any


def exit_cause(exitcode: int | None) -> str:
    """A worker's exit code in words: the signal that killed it, or the status it exited with."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


def _serve(conn, function: Callable, initializer: Callable | None, initargs: tuple) -> None:
    """A worker: leaves Ctrl-C to the parent, then answers each item of each chunk it receives
    with (ok, result or exception) until it receives None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)
    while (chunk := conn.recv()) is not None:
        for item in chunk:
            try:
                conn.send((True, function(item)))
            except Exception as exc:  # re-raised in the parent, as Pool does
                conn.send((False, exc))


@dataclass
class _Worker:
    process: Any
    conn: Any
    in_flight: deque = field(default_factory=deque)


class _Pool:
    """The workers of one :func:`surviving_map` and the items not yet sent to any."""

    def __init__(self, function: Callable, items: Iterable, initializer: Callable | None,
                 initargs: tuple, chunk: int) -> None:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.context = multiprocessing.get_context(method)
        self.serve_args = (function, initializer, initargs)
        self.pending = deque(items)
        self.workers: list[_Worker] = []
        self.chunk = chunk

    def start(self) -> _Worker:
        """A fresh worker, not yet fed."""
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(child, *self.serve_args),
                                       daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self.workers.append(worker)
        return worker

    def feed(self, worker: _Worker) -> None:
        """Send ``worker`` another chunk when it has at most one chunk in flight."""
        if self.pending and len(worker.in_flight) <= self.chunk:
            batch = [self.pending.popleft() for _ in range(min(self.chunk, len(self.pending)))]
            worker.conn.send(batch)
            worker.in_flight.extend(batch)

    def busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.in_flight]

    def answers(self, worker: _Worker, ready: set, dead: bool) -> Iterator:
        """What ``worker`` has sent back; an exception it sent is raised here."""
        while (dead or worker.conn in ready) and worker.in_flight and worker.conn.poll():
            try:
                ok, value = worker.conn.recv()
            except (EOFError, OSError):  # what the dead worker sent is all read
                return
            worker.in_flight.popleft()
            if not ok:
                raise value
            yield value

    def replace(self, worker: _Worker) -> tuple[Any, str]:
        """A dead worker's lost item and why it died; its other items go back in line and a
        fresh worker takes its place."""
        worker.process.join()
        lost = worker.in_flight.popleft()
        self.pending.extendleft(reversed(worker.in_flight))
        self.workers.remove(worker)
        worker.conn.close()
        return lost, exit_cause(worker.process.exitcode)

    def close(self, finished: bool) -> None:
        """Stop idle workers; a stop on error or Ctrl-C ends them at once."""
        for worker in self.workers:
            if finished:
                worker.conn.send(None)
            else:
                worker.process.terminate()
        for worker in self.workers:
            worker.process.join()
            worker.conn.close()


def surviving_map(function: Callable, items: Iterable, workers: int,
                  on_crash: Callable[[Any, str], Any], initializer: Callable | None = None,
                  initargs: tuple = (), chunk: int = 8) -> Iterator:
    """``function`` of every item in ``workers`` processes, in the order they finish; an item
    whose worker dies yields ``on_crash(item, cause)`` instead. An exception ``function``
    raises is raised here."""
    pool = _Pool(function, items, initializer, initargs, chunk)
    finished = False
    try:
        for _ in range(max(1, workers)):  # two chunks each, so that none waits for work
            worker = pool.start()
            pool.feed(worker)
            pool.feed(worker)
        while busy := pool.busy():
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                dead = worker.process.sentinel in ready
                yield from pool.answers(worker, ready, dead)
                if dead and worker.in_flight:
                    yield on_crash(*pool.replace(worker))
                    worker = pool.start()
                pool.feed(worker)
        finished = True
    finally:
        pool.close(finished)
