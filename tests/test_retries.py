"""Retries, backoff, Retry-After and timeouts, against FakeCartesia with an injected clock."""

from __future__ import annotations

import email.utils
import time

import pytest

from cartesia_calls import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    Backoff,
    BadRequestError,
    ConflictError,
    InternalServerError,
    RateLimitError,
    Timeout,
)
from cartesia_calls.testing import FakeCartesia

from .helpers import SleepRecorder

PATH = "/agents/calls/ac_1"


@pytest.fixture
def fake(fake: FakeCartesia) -> FakeCartesia:
    fake.add_call(id="ac_1")
    return fake


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_transient_statuses_are_retried_to_success(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder, status: int
) -> None:
    fake.add_fault(status=status, times=2, path=PATH)
    call = await client.calls.get("ac_1")
    assert call.id == "ac_1"
    assert fake.request_count(path=PATH) == 3
    assert len(sleeps.delays) == 2


async def test_backoff_grows_exponentially_with_bounded_jitter(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_fault(status=503, times=2, path=PATH)
    await client.calls.get("ac_1")
    first, second = sleeps.delays
    assert 0.375 <= first <= 0.5
    assert 0.75 <= second <= 1.0


async def test_gives_up_after_max_retries_with_the_last_error(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_fault(status=500, times=10, path=PATH)
    with pytest.raises(InternalServerError) as info:
        await client.calls.get("ac_1")
    assert fake.request_count(path=PATH) == 3
    assert info.value.retries_taken == 2


async def test_max_retries_zero_sends_once(fake: FakeCartesia, sleeps: SleepRecorder) -> None:
    fake.add_fault(status=503, times=5, path=PATH)
    async with fake.client(max_retries=0, backoff=sleeps.backoff()) as client:
        with pytest.raises(InternalServerError):
            await client.calls.get("ac_1")
    assert fake.request_count(path=PATH) == 1
    assert sleeps.delays == []


@pytest.mark.parametrize(("status", "error"), [(400, BadRequestError), (409, ConflictError)])
async def test_caller_errors_are_not_retried(
    fake: FakeCartesia, client: AsyncClient, status: int, error: type[Exception]
) -> None:
    fake.add_fault(status=status, path=PATH)
    with pytest.raises(error):
        await client.calls.get("ac_1")
    assert fake.request_count(path=PATH) == 1


async def test_retry_after_seconds_is_honoured(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_fault(status=429, headers={"Retry-After": "3"}, path=PATH)
    await client.calls.get("ac_1")
    assert sleeps.delays == [3.0]


async def test_retry_after_http_date_is_honoured(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    fake.add_fault(status=503, headers={"Retry-After": when}, path=PATH)
    await client.calls.get("ac_1")
    assert len(sleeps.delays) == 1
    assert 3.0 <= sleeps.delays[0] <= 5.0


async def test_retry_after_ms_wins(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_fault(status=429, headers={"Retry-After-Ms": "250", "Retry-After": "9"}, path=PATH)
    await client.calls.get("ac_1")
    assert sleeps.delays == [0.25]


async def test_retry_after_beyond_the_cap_raises_at_once_with_the_wait(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_fault(status=429, headers={"Retry-After": "3600"}, path=PATH)
    with pytest.raises(RateLimitError) as info:
        await client.calls.get("ac_1")
    assert info.value.retry_after == 3600
    assert sleeps.delays == []
    assert fake.request_count(path=PATH) == 1


async def test_unreadable_retry_after_falls_back_to_backoff(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_fault(status=429, headers={"Retry-After": "soon-ish"}, path=PATH)
    await client.calls.get("ac_1")
    assert 0.375 <= sleeps.delays[0] <= 0.5


async def test_x_should_retry_overrides_the_status(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(status=503, headers={"X-Should-Retry": "false"}, path=PATH)
    with pytest.raises(InternalServerError):
        await client.calls.get("ac_1")
    assert fake.request_count(path=PATH) == 1


async def test_dropped_connections_are_retried(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(action="drop", times=2, path=PATH)
    assert (await client.calls.get("ac_1")).id == "ac_1"
    assert fake.request_count(path=PATH) == 3


async def test_persistently_dropped_connection_is_a_connection_error(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_fault(action="drop", times=10, path=PATH)
    with pytest.raises(APIConnectionError) as info:
        await client.calls.get("ac_1")
    assert not isinstance(info.value, APITimeoutError)


async def test_body_cut_midway_is_a_connection_error(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_fault(action="truncate", times=10, path=PATH)
    with pytest.raises(APIConnectionError):
        await client.calls.get("ac_1")
    assert fake.request_count(path=PATH) == 3


async def test_refused_connection_is_a_connection_error(sleeps: SleepRecorder) -> None:
    fake = FakeCartesia()
    async with fake:
        base_url = fake.base_url
    async with AsyncClient(api_key="sk_car_x", base_url=base_url, backoff=sleeps.backoff()) as c:
        with pytest.raises(APIConnectionError, match="connection"):
            await c.calls.get("ac_1")
    assert len(sleeps.delays) == 2


async def test_slow_headers_time_out_by_read_timeout(
    fake: FakeCartesia, sleeps: SleepRecorder
) -> None:
    fake.add_fault(delay=0.5, times=3, path=PATH)
    timeout = Timeout(total=None, connect=5, read=0.05)
    async with fake.client(timeout=timeout, backoff=sleeps.backoff()) as client:
        with pytest.raises(APITimeoutError) as info:
            await client.calls.get("ac_1")
    assert fake.request_count(path=PATH) == 3
    assert info.value.kind == "read"
    assert info.value.retries_taken == 2
    assert str(info.value).startswith("read timeout: the server sent nothing for 0.05 s")
    assert str(info.value).endswith(", 3 attempts)")


async def test_total_timeout_from_a_number(fake: FakeCartesia, sleeps: SleepRecorder) -> None:
    fake.add_fault(delay=0.5, times=1, path=PATH)
    async with fake.client(timeout=0.05, max_retries=0, backoff=sleeps.backoff()) as client:
        with pytest.raises(APITimeoutError, match=r"did not arrive within 0\.05 s") as info:
            await client.calls.get("ac_1")
    assert info.value.kind == "headers"
    assert "1 attempt)" in str(info.value)


def test_backoff_is_capped() -> None:
    backoff = Backoff(initial=1, maximum=4, jitter=0)
    assert [backoff.delay(n) for n in range(5)] == [1, 2, 4, 4, 4]


def test_backoff_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="jitter"):
        Backoff(jitter=2)
