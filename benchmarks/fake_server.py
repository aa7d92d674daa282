"""The benchmark server: ``FakeCartesia`` in a child process on 127.0.0.1, seeded once.

Run as a script it starts the server, prints ``READY <base_url>`` on stdout, and serves until
its stdin closes. :func:`running_server` does that from the parent and stops it afterwards.

The server is FakeCartesia itself (same routes, auth and version checks, same middleware) with
two changes that make it cheaper, so the client-side differences stand out rather than drown in
server time: Get Call answers with bytes serialized once per call (the stored calls never change
during a run), and List Calls pages forward through a list sorted once per agent instead of
sorting every call on every request. Each call is answered in the shape of the API version it
was made for (``calls_data.SHAPES``), whatever version the request asks for, so that one client
can be measured on both shapes. Every contender talks to the same server, over loopback,
through the same code.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import calls_data
import orjson
from aiohttp import web

from cartesia_calls.testing import FakeCartesia
from cartesia_calls.testing._fake_http import JSON
from cartesia_calls.testing._fake_versions import render_call

#: Calls listed and exported per shape (``bulk_agent(shape)``), with 12-turn transcripts.
BULK_CALLS = 3_000
#: The export-memory corpora (2026-03-01 shape): the same export of 1,000 and of 10,000 calls.
MEMORY_AGENTS = {"1k": ("agent_bench_memory_1k", 1_000), "10k": ("agent_bench_memory_10k", 10_000)}
#: Turns per call in the bulk corpora (List/export): a short call, so a listing stays within the
#: time budget for every contender.
BULK_TURNS = 12
#: Distinct transcripts shared by the bulk calls of a shape (the server keeps one copy of each).
BULK_TRANSCRIPTS = 64


def bulk_agent(shape: str) -> str:
    """The agent whose :data:`BULK_CALLS` calls are in ``shape``."""
    return f"agent_bench_bulk_{shape.replace('-', '')}"


class BenchServer(FakeCartesia):
    """FakeCartesia with pre-serialized Get Call bodies and pre-sorted List Calls."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # A benchmark makes tens of thousands of requests: keep only the latest few.
        self.requests = collections.deque(maxlen=256)  # type: ignore[assignment]
        self._bodies: dict[str, bytes] = {}
        self._listed: dict[str, bytes] = {}
        self._by_agent: dict[str, tuple[list[str], dict[str, int]]] = {}

    def seed(self) -> None:
        """The typical and large calls and the bulk corpus of each shape, and the memory corpora.

        Each call is stored in its own shape, and answered as the fake renders it for that
        API version (which, for a call made in that version's shape, changes nothing).
        """
        legacy: dict[str, bool] = {}
        for shape in calls_data.SHAPES:
            for kind, turns, index in (
                ("typical", calls_data.TYPICAL_TURNS, 0),
                ("large", calls_data.LARGE_TURNS, 1),
            ):
                call_id = calls_data.call_id(kind, shape)
                self.add_call(
                    calls_data.make_call(call_id, turns, shape=shape, index=index, seed=index)
                )
                legacy[call_id] = shape == calls_data.LEGACY
            agents = [(bulk_agent(shape), BULK_CALLS)]
            if shape == calls_data.LEGACY:
                agents += list(MEMORY_AGENTS.values())
            transcripts = [
                calls_data.make_turns(BULK_TURNS, seed=1000 + n, shape=shape)
                for n in range(BULK_TRANSCRIPTS)
            ]
            for agent, count in agents:
                for index in range(count):
                    call_id = f"ac_{agent.removeprefix('agent_bench_')}_{index:06d}"
                    self.add_call(
                        calls_data.make_call(
                            call_id,
                            transcripts[index % BULK_TRANSCRIPTS],
                            shape=shape,
                            agent_id=agent,
                            index=index,
                        )
                    )
                    legacy[call_id] = shape == calls_data.LEGACY
        for call_id, call in self.calls.items():
            rendered = render_call(call, legacy=legacy[call_id])
            self._bodies[call_id] = orjson.dumps(rendered)
            self._listed[call_id] = orjson.dumps(
                {k: v for k, v in rendered.items() if k != "transcript"}
            )
        for agent in {call["agent_id"] for call in self.calls.values()}:
            items = [c for c in self.calls.values() if c["agent_id"] == agent]
            items.sort(key=lambda c: (c.get("start_time") or "", c["id"]), reverse=True)
            ids = [c["id"] for c in items]
            self._by_agent[agent] = (ids, {call_id: n for n, call_id in enumerate(ids)})

    async def _get_call(self, request: web.Request) -> web.Response:
        body = self._bodies.get(request.match_info["call_id"])
        if body is None:
            return await super()._get_call(request)
        return web.Response(body=body, content_type=JSON)

    async def _list_calls(self, request: web.Request) -> web.Response:
        query = request.query
        agent_id = query.get("agent_id")
        indexed = self._by_agent.get(agent_id or "")
        if indexed is None or "ending_before" in query or "batch_id" in query:
            return await super()._list_calls(request)
        ids, position = indexed
        try:
            limit = int(query.get("limit", "10"))
        except ValueError:
            limit = 0
        after = query.get("starting_after")
        if not 1 <= limit <= 100 or (after is not None and after not in position):
            return await super()._list_calls(request)
        start = position[after] + 1 if after is not None else 0
        page = ids[start : start + limit]
        more = start + limit < len(ids)
        source = self._bodies if query.get("expand") == "transcript" else self._listed
        next_page = orjson.dumps(page[-1] if more and page else None)
        body = b"".join(
            (
                b'{"data":[',
                b",".join(source[call_id] for call_id in page),
                b'],"next_page":',
                next_page,
                b',"has_more":',
                b"true" if more else b"false",
                b"}",
            )
        )
        return web.Response(body=body, content_type=JSON)


async def _serve() -> None:
    server = BenchServer()
    server.seed()
    # The seeded calls live as long as the server: keep the garbage collector from walking
    # their millions of objects in the middle of a measurement.
    gc.collect()
    gc.freeze()
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def wait_for_eof() -> None:
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_for_eof, daemon=True).start()
    print(f"READY {server.base_url} {server.api_key}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()


@contextlib.contextmanager
def running_server() -> Iterator[tuple[str, str]]:
    """Start the server in a child process; yields ``(base_url, api_key)``; stops it after."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().split()
        if len(line) != 3 or line[0] != "READY":
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        yield line[1], line[2]
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    asyncio.run(_serve())
