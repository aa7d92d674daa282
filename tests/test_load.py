"""Load through one AsyncClient: thousands of gets, bounded sockets, no growth across rounds."""

from __future__ import annotations

import gc
import os
import sys
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest

from cartesia_calls import AsyncClient, Client
from cartesia_calls.testing import FakeCartesia

LIMIT = 10


@pytest.fixture
def fake(fake: FakeCartesia) -> FakeCartesia:
    for i in range(50):
        fake.add_call(id=f"ac_{i}", agent_id="agent_1")
    return fake


async def many_gets(client: AsyncClient, count: int, in_flight: int) -> int:
    done = 0
    limiter = anyio.CapacityLimiter(in_flight)

    async def one(i: int) -> None:
        nonlocal done
        async with limiter:
            call = await client.calls.get(f"ac_{i % 50}")
        assert call.id == f"ac_{i % 50}"
        done += 1

    async with anyio.create_task_group() as group:
        for i in range(count):
            group.start_soon(one, i)
    return done


async def test_thousands_of_concurrent_gets_share_a_bounded_pool(fake: FakeCartesia) -> None:
    async with fake.client(connection_limit=LIMIT) as client:
        assert await many_gets(client, 2000, in_flight=200) == 2000
    ports = {r.client_port for r in fake.requests}
    assert len(fake.requests) == 2000
    # Every request went over one of at most LIMIT kept-alive connections.
    assert 1 <= len(ports) <= LIMIT


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts /proc/self/fd")
async def test_no_growth_in_descriptors_or_memory_across_rounds(fake: FakeCartesia) -> None:
    async with fake.client(connection_limit=LIMIT) as client:
        await many_gets(client, 300, in_flight=50)  # warm up: pool, converters, caches
        gc.collect()
        fds = open_fds()
        tracemalloc.start()
        try:
            await many_gets(client, 300, in_flight=50)
            gc.collect()
            first, _ = tracemalloc.get_traced_memory()
            for _ in range(3):
                await many_gets(client, 300, in_flight=50)
            gc.collect()
            last, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert open_fds() <= fds + 2
    # The fake records every request (it grows by design): allow for that, nothing more.
    recorded = 900 * 2_000
    assert last - first < recorded + 512_000, (first, last)


async def test_with_options_in_a_loop_does_not_grow_memory(fake: FakeCartesia) -> None:
    async with fake.client() as client:
        for _ in range(50):
            await client.with_options(timeout=5).calls.get("ac_1")
        gc.collect()
        tracemalloc.start()
        try:
            base, _ = tracemalloc.get_traced_memory()
            for _ in range(300):
                await client.with_options(timeout=5).calls.get("ac_1")
            gc.collect()
            after, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert after - base < 300 * 2_000 + 256_000


def test_one_sync_client_from_many_threads_shares_a_bounded_pool() -> None:
    fake = FakeCartesia()
    with fake.run_in_thread():
        for i in range(50):
            fake.add_call(id=f"ac_{i}", agent_id="agent_1")
        with Client(api_key=fake.api_key, base_url=fake.base_url, connection_limit=LIMIT) as client:

            def work(thread: int) -> int:
                return sum(
                    client.calls.get(f"ac_{(thread + n) % 50}").id == f"ac_{(thread + n) % 50}"
                    for n in range(40)
                )

            fds = 0
            for round_ in range(3):
                with ThreadPoolExecutor(max_workers=32) as pool:
                    assert sum(pool.map(work, range(32))) == 32 * 40
                if round_ == 0 and sys.platform.startswith("linux"):
                    fds = open_fds()  # the pool is warm: both ends of its sockets are open
            if sys.platform.startswith("linux"):
                assert open_fds() <= fds + 2
    assert len(fake.requests) == 3 * 32 * 40
    assert 1 <= len({r.client_port for r in fake.requests}) <= LIMIT
