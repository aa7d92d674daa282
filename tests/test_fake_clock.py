"""One clock for the whole fake: every timestamp and state change of calls, batches and
recipients follows ``fake.advance``; and the fake's small lifecycle frictions (IPv6 base URL,
dropped connections logged quietly)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket

import pytest

from cartesia_calls import APIConnectionError, AsyncClient, BadRequestError
from cartesia_calls.testing import FakeCartesia, Lifecycle

from .helpers import SleepRecorder

START = dt.datetime(2026, 8, 14, 9, 0, tzinfo=dt.UTC)
NUMBERS = ["+14155550123", "+14155550124", "+14155550125"]


def at(seconds: float) -> dt.datetime:
    return START + dt.timedelta(seconds=seconds)


pytestmark = pytest.mark.fake(clock_start=START)


async def batch_of(client: AsyncClient, count: int, **options: object) -> str:
    batch = await client.batches.create(
        name="Reminders",
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        recipients=[{"to_number": n} for n in NUMBERS[:count]],
        **options,  # type: ignore[arg-type]
    )
    return batch.id


async def test_batch_and_recipient_timestamps_follow_the_fake_clock(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.advance(5)
    batch_id = await batch_of(client, 2)
    created = await client.batches.get(batch_id)
    assert created.created_at == at(5)
    assert created.last_updated_at == at(5)
    assert [r.created_at for r in created.recipients or []] == [at(5), at(5)]
    fake.advance(10)
    dispatched = await client.batches.get(batch_id)
    assert dispatched.admitted_at == at(5)  # dispatching started when the batch was created
    assert dispatched.last_updated_at == at(6)  # when its first call was answered, not at 15
    cancelled = await client.batches.cancel(batch_id)  # the second number is still queued
    assert cancelled.last_updated_at == at(15)


async def test_one_advance_runs_a_whole_batch_one_call_after_the_other(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    batch_id = await batch_of(client, 3, target_concurrency_limit=1)
    fake.advance(3600)
    calls = await client.calls.list(batch_id=batch_id).to_list()
    # Each call is placed when the previous one ends (30 s), and answers a second later.
    assert sorted(c.start_time for c in calls if c.start_time) == [at(1), at(31), at(61)]
    assert sorted(c.end_time for c in calls if c.end_time) == [at(30), at(60), at(90)]
    batch = await client.batches.get(batch_id)
    assert batch.all_calls_ended is True
    assert batch.last_updated_at == at(90)


async def test_a_scheduled_batch_waits_for_the_fake_clock_not_the_wall_clock(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    batch_id = await batch_of(client, 1, scheduled_at=at(600))  # wall clock: long past
    fake.advance(599)
    assert (await client.batches.get(batch_id)).status == "pending"
    fake.advance(1000)
    (call,) = await client.calls.list(batch_id=batch_id).to_list()
    assert call.start_time == at(601)  # dispatched at 600 on the dot, answered a second later


@pytest.mark.parametrize(
    ("seconds", "message"),
    [(0, "in the future"), (-60, "in the future"), (31 * 86400, "30 days")],
)
async def test_scheduled_at_is_checked_against_the_fake_clock(
    fake: FakeCartesia, client: AsyncClient, seconds: int, message: str
) -> None:
    fake.advance(3600)
    with pytest.raises(BadRequestError, match=message):
        await batch_of(client, 1, scheduled_at=at(3600 + seconds))


async def test_logs_and_redaction_times_follow_the_fake_clock(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", logs=["hello"])
    fake.advance(42.5)
    logs = await client.calls.logs("ac_1")
    assert logs.updated_at == at(42.5)
    fake.advance(7.5)
    deleted = await client.calls.delete("ac_1")
    assert deleted.redacted_at == at(50)


async def test_the_clock_starts_now_unless_pinned() -> None:
    fake = FakeCartesia()
    assert abs(fake.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert fake.now().microsecond == 0
    pinned = FakeCartesia(clock_start="2026-08-14T11:00:00+02:00")
    assert pinned.now() == START
    assert pinned.clock_start.tzinfo is dt.UTC


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (dt.datetime(2026, 8, 14, 9), ValueError),  # naive
        ("tomorrow", ValueError),
        (1_786_000_000, TypeError),
    ],
)
def test_a_bad_clock_start_is_refused(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="clock_start"):
        FakeCartesia(clock_start=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("seconds", [-1, float("nan")])
def test_the_clock_only_moves_forward(seconds: float) -> None:
    fake = FakeCartesia()
    with pytest.raises(ValueError, match="forward"):
        fake.advance(seconds)
    assert fake.clock == 0


def test_a_lifecycle_call_runs_on_the_pinned_clock() -> None:
    fake = FakeCartesia(clock_start=START)
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=2, ends_at=62))
    fake.advance(1000)
    call = fake.calls["ac_1"]
    assert (call["start_time"], call["end_time"]) == (
        "2026-08-14T09:00:02Z",
        "2026-08-14T09:01:02Z",
    )


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
async def test_an_ipv6_fake_has_a_base_url_a_client_can_use() -> None:
    async with FakeCartesia(host="::1") as fake:
        assert fake.base_url == f"http://[::1]:{fake.port}"
        fake.add_call(id="ac_1")
        async with fake.client() as client:
            assert (await client.calls.get("ac_1")).id == "ac_1"


async def test_a_dropped_connection_logs_one_debug_line_and_no_traceback(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeCartesia() as fake:
        fake.add_call(id="ac_1")
        fake.add_fault(action="drop", times=100, path="/agents/calls/ac_1")
        async with fake.client(backoff=SleepRecorder().backoff(), max_retries=2) as client:
            with pytest.raises(APIConnectionError):
                await client.calls.get("ac_1")
        dropped = fake.request_count("GET", "/agents/calls/ac_1")
        await asyncio.sleep(0)  # let aiohttp finish with the aborted connections
    assert dropped >= 3
    fake_records = [r for r in caplog.records if r.name == "cartesia_calls.testing"]
    assert [r.getMessage() for r in fake_records] == [
        "fault: dropped the connection of GET /agents/calls/ac_1"
    ] * dropped
    assert {r.levelno for r in fake_records} == {logging.DEBUG}
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]
    assert not [r for r in caplog.records if r.name.startswith("aiohttp")]
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")
