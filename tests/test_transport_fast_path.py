"""What each request skips to be quick (no retry loop for a first attempt that works, no
ResponseInfo nobody reads, URLs kept per path, pool slots counted instead of a semaphore), it
skips only where nobody would notice: logs, hooks, request ids, URLs and the pool's bound stay."""

from __future__ import annotations

import asyncio
import logging

import pytest

from cartesia_calls import ResponseInfo
from cartesia_calls._wire import Slots
from cartesia_calls.testing import FakeCartesia


async def test_a_first_attempt_is_logged_when_logging_is_on(
    fake: FakeCartesia, caplog: pytest.LogCaptureFixture
) -> None:
    ok = {"status": 200, "body": {"ok": True}}
    fake.add_fault(path="/agents/calls/ac_1", headers={"X-Request-Id": "req_42"}, **ok)
    async with fake.client() as client:
        with caplog.at_level(logging.DEBUG, logger="cartesia_calls"):
            await client.request("GET", "/agents/calls/ac_1")
    messages = [record.getMessage() for record in caplog.records]
    assert any(
        m.startswith("GET ") and m.endswith("/agents/calls/ac_1 attempt 1") for m in messages
    )
    assert any(
        "GET /agents/calls/ac_1 -> 200" in m and "attempt 1, request_id=req_42" in m
        for m in messages
    )
    assert fake.api_key not in caplog.text


async def test_info_logging_alone_still_logs_each_response(
    fake: FakeCartesia, caplog: pytest.LogCaptureFixture
) -> None:
    fake.add_call(id="ac_1")
    async with fake.client() as client:
        with caplog.at_level(logging.INFO, logger="cartesia_calls"):
            await client.calls.get("ac_1")
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "GET /agents/calls/ac_1 -> 200" in caplog.records[0].getMessage()


async def test_nothing_is_logged_when_logging_is_off(
    fake: FakeCartesia, caplog: pytest.LogCaptureFixture
) -> None:
    fake.add_call(id="ac_1")
    async with fake.client() as client:
        with caplog.at_level(logging.WARNING, logger="cartesia_calls"):
            await client.calls.get("ac_1")
    assert caplog.records == []


async def test_on_response_alone_sees_a_first_attempt_and_its_request_id(
    fake: FakeCartesia, caplog: pytest.LogCaptureFixture
) -> None:
    ok = {"status": 200, "body": {"ok": True}}
    fake.add_fault(path="/agents/calls/ac_1", headers={"Request-Id": "req_7"}, **ok)
    seen: list[ResponseInfo] = []
    async with fake.client(on_response=seen.append) as client:
        with caplog.at_level(logging.WARNING, logger="cartesia_calls"):
            raw = await client.request("GET", "/agents/calls/ac_1")
    assert [(i.status_code, i.attempt, i.request_id) for i in seen] == [(200, 1, "req_7")]
    assert seen[0].url == raw.url == f"{fake.base_url}/agents/calls/ac_1"
    assert raw.request_id == "req_7"
    assert raw.retries_taken == 0
    assert 0 < raw.elapsed == seen[0].elapsed


async def test_a_response_url_names_its_query_whatever_was_sent_before(
    fake: FakeCartesia,
) -> None:
    fake.add_call(id="ac_1")
    async with fake.client() as client:
        plain = await client.request("GET", "/agents/calls/ac_1")
        queried = await client.request("GET", "/agents/calls/ac_1", params={"expand": "x"})
        again = await client.request("GET", "/agents/calls/ac_1")
    assert plain.url == again.url == f"{fake.base_url}/agents/calls/ac_1"
    assert queried.url == f"{fake.base_url}/agents/calls/ac_1?expand=x"
    assert [r.path for r in fake.requests] == ["/agents/calls/ac_1"] * 3
    assert [r.query for r in fake.requests] == [{}, {"expand": "x"}, {}]


async def test_urls_kept_per_path_stay_bounded_and_right(fake: FakeCartesia) -> None:
    async with fake.client() as client:
        transport = client._transport
        for n in range(1000):
            url, text = transport._url(f"/agents/calls/ac_{n}")
            assert text == str(url) == f"{fake.base_url}/agents/calls/ac_{n}"
        assert len(transport._urls) <= 256


async def test_a_full_pool_serves_every_request_and_gives_every_slot_back(
    fake: FakeCartesia,
) -> None:
    fake.add_call(id="ac_1")
    fake.add_fault(path="/agents/calls/ac_1", delay=0.05)  # the first one holds its slot a while
    async with fake.client(connection_limit=2) as client:
        first = asyncio.ensure_future(client.calls.get("ac_1"))
        await asyncio.sleep(0.01)
        waiting = [asyncio.ensure_future(client.calls.get("ac_1")) for _ in range(6)]
        await asyncio.sleep(0)
        waiting[2].cancel()  # gives up in the queue
        results = await asyncio.gather(first, *waiting, return_exceptions=True)
        assert [type(r).__name__ for r in results].count("CancelledError") == 1
        assert all(getattr(r, "id", None) == "ac_1" for i, r in enumerate(results) if i != 3)
        pool = client._transport._pools.pool
        assert pool is not None
        assert pool.slots.free == 2
        assert (await client.calls.get("ac_1")).id == "ac_1"


async def test_slots_go_to_waiters_in_order_and_never_to_a_newcomer_first() -> None:
    slots = Slots(1)
    assert slots.take()
    assert not slots.take()
    order: list[str] = []

    async def waiter(name: str) -> None:
        await slots.wait()
        order.append(name)

    tasks = [asyncio.ensure_future(waiter(name)) for name in "abc"]
    await asyncio.sleep(0)
    slots.give()  # to "a", directly
    assert not slots.take()  # not to a newcomer, although "a" has not run yet
    await asyncio.sleep(0)
    assert order == ["a"]
    slots.give()
    slots.give()
    await asyncio.gather(*tasks)
    assert order == ["a", "b", "c"]
    slots.give()
    assert slots.free == 1


async def test_a_waiter_cancelled_after_being_handed_a_slot_passes_it_on() -> None:
    slots = Slots(1)
    assert slots.take()
    first = asyncio.ensure_future(slots.wait())
    second = asyncio.ensure_future(slots.wait())
    await asyncio.sleep(0)
    slots.give()  # handed to `first`...
    first.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, timeout=5)  # the slot went on to `second`
    assert slots.free == 0
    slots.give()
    assert slots.free == 1


async def test_a_waiter_cancelled_in_the_queue_leaves_it() -> None:
    slots = Slots(1)
    assert slots.take()
    gone = asyncio.ensure_future(slots.wait())
    await asyncio.sleep(0)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    slots.give()
    assert slots.free == 1
    assert slots.take()


async def test_the_user_agent_is_the_sessions_unless_the_user_gives_one(
    fake: FakeCartesia,
) -> None:
    fake.add_call(id="ac_1")
    async with fake.client() as client:
        await client.calls.get("ac_1")
        await client.calls.get("ac_1", extra_headers={"user-agent": "mine/2"})
        await client.with_options(default_headers={"User-Agent": "mine/1"}).calls.get("ac_1")
        await client.calls.get("ac_1")
    agents = [r.headers.get("User-Agent", "") for r in fake.requests]
    assert agents[0].startswith("cartesia-calls-python/")
    assert " aiohttp/" in agents[0]
    assert agents[1:] == ["mine/2", "mine/1", agents[0]]
