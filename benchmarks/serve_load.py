"""The page's API under load: 20 transfers requested at once from a real server (uvicorn on a
free local port), each a bundled chorale; every answer's status and latency, and the latency
percentiles. Transfers of one model run one at a time, so the last answer waits for the others.

    .venv/bin/python benchmarks/serve_load.py [--model midi_genre] [--requests 20] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import threading
import time

import httpx
import uvicorn
from output import print_result

from seqimg.serve import EXAMPLES, Server, build_app
from seqimg.shipped import model_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def burst(url: str, count: int, piece: bytes) -> list[tuple[int, float]]:
    """``count`` POST /api/transfer at once: (status, seconds) each."""
    async with httpx.AsyncClient(timeout=600) as http:
        async def one(i: int) -> tuple[int, float]:
            start = time.perf_counter()
            answer = await http.post(f"{url}/api/transfer", files={"file": (f"{i}.mid", piece)},
                                     data={"seed": str(i)})
            return answer.status_code, time.perf_counter() - start
        return await asyncio.gather(*(one(i) for i in range(count)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="midi_genre")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    server = Server({args.model: model_path(args.model)})
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(build_app(server), host="127.0.0.1", port=port,
                                            log_level="warning"))
    threading.Thread(target=running.run, daemon=True).start()
    while not running.started:
        time.sleep(0.05)
    piece = sorted(EXAMPLES.glob("*.mid"))[0].read_bytes()
    answers = asyncio.run(burst(f"http://127.0.0.1:{port}", args.requests, piece))
    running.should_exit = True
    seconds = sorted(s for _, s in answers)
    quantiles = statistics.quantiles(seconds, n=10)
    print_result({"requests": args.requests, "answered_200": sum(c == 200 for c, _ in answers),
                  "statuses": sorted({c for c, _ in answers}),
                  "latency_s": {"median": statistics.median(seconds), "p90": quantiles[-1],
                                "max": seconds[-1], "min": seconds[0]}}, args.json)


if __name__ == "__main__":
    main()
