"""What the sync facade costs over the async client: the thread hand-off, measured alone.

    python benchmarks/sync_handoff.py            # about a minute on 2 cores
    python benchmarks/sync_handoff.py --rounds 10 --shape 2026-03-01

The same benchmark server as ``run.py`` (``fake_server.py``, a child process on 127.0.0.1).
Each round times, in a rotating order: ``AsyncClient.calls.get`` of the typical call (50 turns,
in the API shape given by ``--shape``) awaited on an ``asyncio.Runner``; ``Client.calls.get``
of the same call; and ``LoopRunner.run`` of a coroutine that does nothing (the hand-off alone,
no request). It prints the medians over rounds and the sync/async ratio (issue 15's goal: at
most 1.2x).

``--breakdown`` instead times the phases of each of ``--calls`` sync gets, with timestamps taken
on both threads (hooks on the runner's private methods: a rough view, a few us of its own):
caller until the job is queued, until the loop thread runs it, until the coroutine runs, the
coroutine, and from the release of the caller until it runs again, split by how many times the
caller slept in between (once: woken straight; three times: woken while the loop thread still
held the GIL, then waiting for the GIL and its mutex; Linux only).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import calls_data
import fake_server

from cartesia_calls import AsyncClient, Client, _runner
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
    parser.add_argument("--breakdown", action="store_true", help="time the phases of sync gets")
    args = parser.parse_args()
    call_id = calls_data.call_id("typical", args.shape)
    if args.breakdown:
        breakdown(call_id, args.calls)
        return
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


def breakdown(call_id: str, count: int) -> None:
    """Print the median of each phase of ``count`` sync gets of ``call_id``."""
    clock = time.perf_counter
    marks: dict[str, float] = {}
    sleeps: list[int] = []

    def stamp(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def hooked(*args: Any) -> Any:
            marks[name] = clock()
            return fn(*args)

        return hooked

    def slept() -> int:
        return resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw

    original_wait = _runner._Outcome.wait

    def wait(outcome: Any, timeout: float) -> bool:
        before = slept()
        done: bool = original_wait(outcome, timeout)
        marks["woken"] = clock()
        sleeps.append(slept() - before)
        return done

    _runner._Loop.submit = stamp("queued", _runner._Loop.submit)
    _runner._Job.start = stamp("loop runs it", _runner._Job.start)
    _runner._Outcome._release = stamp("released", _runner._Outcome._release)
    _runner._Outcome.wait = wait
    phases: dict[str, list[float]] = defaultdict(list)
    after_release: dict[int, list[float]] = defaultdict(list)
    with fake_server.running_server() as (base_url, api_key):
        client = Client(api_key=api_key, base_url=base_url)
        twin = client._current()

        async def get() -> object:
            marks["coroutine runs"] = clock()
            return await twin.calls.get(call_id)

        for number in range(count + 20):
            marks.clear()
            started = clock()
            client._runner.run(get)
            if number < 20:  # warm-up
                continue
            order = ("queued", "loop runs it", "coroutine runs", "released", "woken")
            steps = [("call", started), *((name, marks[name]) for name in order)]
            for (_, begin), (name, end) in itertools.pairwise(steps):
                phases[name].append(end - begin)
            after_release[sleeps[-1]].append(marks["woken"] - marks["released"])
        client.close()
    names = {"released": "coroutine (the request)", "woken": "release -> caller runs"}
    for name, values in phases.items():
        print(
            f"{'until ' + name if name not in names else names[name]:>28}: "
            f"{statistics.median(values) * 1e6:7.1f} us"
        )
    for times, values in sorted(after_release.items()):
        print(
            f"  caller slept {times}x: {len(values) / count:4.0%} of calls, release -> runs "
            f"{statistics.median(values) * 1e6:.1f} us"
        )


if __name__ == "__main__":
    main()
