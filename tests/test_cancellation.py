"""Cancelling in-flight requests leaves the client usable and its pool healthy."""

from __future__ import annotations

import asyncio

import anyio
import pytest

from cartesia_calls import AsyncClient
from cartesia_calls.testing import FakeCartesia, Recording

# One connection: a request that leaked its connection would make the next one hang.
pytestmark = pytest.mark.client(connection_limit=1, timeout=5)


@pytest.fixture
def fake(fake: FakeCartesia) -> FakeCartesia:
    fake.add_call(id="ac_1", recording=Recording(seconds=60.0))
    fake.add_call(id="ac_2")
    return fake


async def wait_for_request(fake: FakeCartesia, count: int = 1) -> None:
    with anyio.fail_after(5):
        while fake.request_count() < count:  # noqa: ASYNC110 - polling another task's state
            await anyio.sleep(0.005)


async def test_task_cancel_mid_request(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(delay=10, path="/agents/calls/ac_1")
    task = asyncio.ensure_future(client.calls.get("ac_1"))
    await wait_for_request(fake)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await client.calls.get("ac_2")).id == "ac_2"


async def test_anyio_cancel_scope_mid_request(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(delay=10, path="/agents/calls/ac_1")
    with anyio.move_on_after(0.1) as scope:
        await client.calls.get("ac_1")
    assert scope.cancelled_caught
    assert (await client.calls.get("ac_2")).id == "ac_2"


async def test_asyncio_timeout_mid_request(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(delay=10, path="/agents/calls/ac_1")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await client.calls.get("ac_1")
    assert (await client.calls.get("ac_2")).id == "ac_2"


async def test_cancel_during_backoff(fake: FakeCartesia) -> None:
    # The real first backoff (0.375 s to 0.5 s) outlasts the 0.2 s scope: cancelled mid-wait.
    fake.add_fault(status=503, path="/agents/calls/ac_1")
    async with fake.client(connection_limit=1) as client:
        with anyio.move_on_after(0.2) as scope:
            await client.calls.get("ac_1")
        assert scope.cancelled_caught
        assert (await client.calls.get("ac_2")).id == "ac_2"


async def test_leaving_an_audio_stream_early_releases_the_connection(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    async with client.calls.stream_audio("ac_1", chunk_size=1024) as stream:
        async for _ in stream:
            break
    assert (await client.calls.get("ac_2")).id == "ac_2"


async def test_cancelling_a_download_mid_stream(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(body_delay=10, path="/agents/calls/ac_1/audio")
    chunks: list[int] = []
    with anyio.move_on_after(0.3):
        async with client.calls.stream_audio("ac_1") as stream:
            async for chunk in stream:
                chunks.append(len(chunk))
    assert chunks, "some audio arrived before the stall"
    assert (await client.calls.get("ac_2")).id == "ac_2"
