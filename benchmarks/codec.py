"""Decode and encode alone, in process, no network: the converter's own cost per body.

    python benchmarks/codec.py                 # decode typical/large, to_dict and dumps
    python benchmarks/codec.py --rounds 31     # more rounds, steadier medians

Every timed batch starts right after ``gc.collect()``; the printed figure is the median over
rounds of the time per body. ``export page`` is what an export writes per page: 100 calls with
12-turn transcripts, each ``dumps(call) + b"\\n"``. Used to decide whether a generated
``to_dict`` pays (``docs/performance.md``) and to check that a change to the converter does not
slow decoding down.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import calls_data
import orjson

from cartesia_calls import AgentCall
from cartesia_calls._codec import decode, dumps


def per_body(fn: Callable[[], Any], rounds: int, batch: int) -> float:
    """Median seconds per ``fn()`` over ``rounds`` batches of ``batch`` calls."""
    fn()
    times = []
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        for _ in range(batch):
            fn()
        times.append((time.perf_counter() - started) / batch)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    typical = orjson.dumps(calls_data.make_call("typical", calls_data.TYPICAL_TURNS))
    large = orjson.dumps(calls_data.make_call("large", calls_data.LARGE_TURNS))
    page = [
        decode(orjson.dumps(calls_data.make_call(f"c{i}", 12, index=i, seed=i)), AgentCall)
        for i in range(100)
    ]
    call = decode(typical, AgentCall)

    def export_page() -> bytes:
        return b"".join(dumps(c) + b"\n" for c in page)

    cases: list[tuple[str, Callable[[], Any], int]] = [
        ("decode typical (50 turns)", lambda: decode(typical, AgentCall), 50),
        ("decode large (5,000 turns)", lambda: decode(large, AgentCall), 1),
        ("to_dict typical", call.to_dict, 50),
        ("dumps typical", lambda: dumps(call), 50),
        ("export page (100 x 12 turns)", export_page, 5),
    ]
    for label, fn, batch in cases:
        print(f"{label:32} {per_body(fn, rounds, batch) * 1e6:10.1f} us", flush=True)


if __name__ == "__main__":
    main()
