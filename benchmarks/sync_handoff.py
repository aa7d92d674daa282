"""What the sync facade costs over the async client: the thread hand-off, measured alone.

    python benchmarks/sync_handoff.py            # about a minute on 2 cores
    python benchmarks/sync_handoff.py --rounds 10 --shape 2026-03-01

The same benchmark server as ``run.py`` (``fake_server.py``, a child process on 127.0.0.1).
Each round times, in a rotating order: ``AsyncClient.calls.get`` of the typical call (50 turns,
in the API shape given by ``--shape``) awaited on an ``asyncio.Runner``; ``Client.calls.get``
of the same call; and ``LoopRunner.run`` of a coroutine that does nothing (the hand-off alone,
no request). It prints the medians over rounds and the sync/async ratio (issue 15's goal: at
most 1.2x).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Callable

import calls_data
import fake_server

from cartesia_calls import AsyncClient, Client
from cartesia_calls._runner import get_runner


async def _nothing() -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--calls", type=int, default=25, help="gets per round and contender")
    parser.add_argument(
        "--shape", choices=calls_data.SHAPES, default=calls_data.CURRENT, help="the call's shape"
    )
    args = parser.parse_args()
    call_id = calls_data.call_id("typical", args.shape)
    with fake_server.running_server() as (base_url, api_key):
        loop = asyncio.Runner()
        aclient = AsyncClient(api_key=api_key, base_url=base_url)
        client = Client(api_key=api_key, base_url=base_url)
        runner = get_runner()

        async def async_gets(count: int) -> float:
            started = time.perf_counter()
            for _ in range(count):
                await aclient.calls.get(call_id)
            return time.perf_counter() - started

        def sync_gets(count: int) -> float:
            started = time.perf_counter()
            for _ in range(count):
                client.calls.get(call_id)
            return time.perf_counter() - started

        def handoffs(count: int) -> float:
            started = time.perf_counter()
            for _ in range(count * 4):
                runner.run(_nothing)
            return (time.perf_counter() - started) / 4

        contenders: dict[str, Callable[[int], float]] = {
            "async get": lambda n: loop.run(async_gets(n)),
            "sync get": sync_gets,
            "hand-off only": handoffs,
        }
        for fn in contenders.values():  # warm up: connections, structure functions
            fn(5)
        samples: dict[str, list[float]] = {name: [] for name in contenders}
        names = list(contenders)
        for number in range(args.rounds):
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                gc.collect()
                samples[name].append(contenders[name](args.calls) / args.calls)
        client.close()
        loop.run(aclient.close())
        loop.close()
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, median in medians.items():
        print(f"{name:>14}: {median * 1e6:8.1f} us (best {min(samples[name]) * 1e6:.1f} us)")
    ratios = [s / a for s, a in zip(samples["sync get"], samples["async get"], strict=True)]
    print(f"sync / async: {statistics.median(ratios):.2f}x (median of per-round ratios)")


if __name__ == "__main__":
    main()
