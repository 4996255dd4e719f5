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


def surviving_map(function: Callable, items: Iterable, workers: int,
                  on_crash: Callable[[Any, str], Any], initializer: Callable | None = None,
                  initargs: tuple = (), chunk: int = 8) -> Iterator:
    """``function`` of every item in ``workers`` processes, in the order they finish; an item
    whose worker dies yields ``on_crash(item, cause)`` instead. An exception ``function``
    raises is raised here."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    pending = deque(items)
    pool: list[_Worker] = []
    finished = False

    def start() -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, function, initializer, initargs),
                                  daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        pool.append(worker)
        return worker

    def feed(worker: _Worker) -> None:
        if pending and len(worker.in_flight) <= chunk:
            batch = [pending.popleft() for _ in range(min(chunk, len(pending)))]
            worker.conn.send(batch)
            worker.in_flight.extend(batch)

    try:
        for _ in range(max(1, workers)):
            feed(start())
            feed(pool[-1])
        while any(worker.in_flight for worker in pool):
            ready = set(wait([w.conn for w in pool if w.in_flight]
                             + [w.process.sentinel for w in pool if w.in_flight]))
            for worker in [w for w in pool if w.in_flight]:
                dead = worker.process.sentinel in ready
                while (dead or worker.conn in ready) and worker.in_flight and worker.conn.poll():
                    try:
                        ok, value = worker.conn.recv()
                    except (EOFError, OSError):  # what the dead worker sent is all read
                        break
                    worker.in_flight.popleft()
                    if not ok:
                        raise value
                    yield value
                if dead and worker.in_flight:
                    worker.process.join()
                    yield on_crash(worker.in_flight.popleft(), exit_cause(worker.process.exitcode))
                    pending.extendleft(reversed(worker.in_flight))
                    pool.remove(worker)
                    worker.conn.close()
                    worker = start()
                feed(worker)
        finished = True
    finally:
        for worker in pool:  # stop idle workers; a stop on error or Ctrl-C ends them at once
            if finished:
                worker.conn.send(None)
            else:
                worker.process.terminate()
        for worker in pool:
            worker.process.join()
            worker.conn.close()
