"""``batches.wait``: polling a call batch until its calls end (or dispatching is over), on the
fake's clock: every wait of the poll loop moves the fake forward instead of sleeping."""

from __future__ import annotations

from typing import Any

import pytest

from cartesia_calls import AsyncClient, CallBatch, NotFoundError, WaitTimeoutError
from cartesia_calls._batches import _wait_is_over
from cartesia_calls.testing import FakeCartesia

from .helpers import SleepRecorder

NUMBERS = ["+14155550101", "+14155550102", "+14155550103"]


@pytest.fixture
def sleeps(fake: FakeCartesia) -> SleepRecorder:
    """The client's waits move the fake's clock (and are recorded)."""
    return SleepRecorder(fake)


async def new_batch(client: AsyncClient, **options: Any) -> CallBatch:
    return await client.batches.create(
        name="Reminders",
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        recipients=[{"to_number": number} for number in NUMBERS],
        **options,
    )


async def test_wait_returns_once_every_call_has_ended(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.unreachable_numbers[NUMBERS[1]] = {"message": "Number cannot be dialed."}
    batch = await new_batch(client, target_concurrency_limit=2)
    seen: list[CallBatch] = []
    done = await client.batches.wait(
        batch.id, poll_interval=2, max_poll_interval=8, on_progress=seen.append
    )
    assert done.all_calls_ended is True
    assert done.status == "completed"
    assert [str(r.status) for r in done.recipients or []] == ["completed", "failed", "completed"]
    # Every poll was reported, the last one being the answer; earlier ones were still going.
    assert seen[-1] == done
    assert all(not b.all_calls_ended for b in seen[:-1])
    assert len(seen) == len(sleeps.delays) + 1
    # Polls start 2 s apart and grow by half up to the cap.
    assert sleeps.delays[:6] == [2, 3, 4.5, 6.75, 8, 8]
    assert fake.request_count("GET", f"/agents/calls/batches/{batch.id}") == len(seen)


async def test_dispatch_only_returns_while_calls_still_run(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    batch = await new_batch(client, target_concurrency_limit=3)
    done = await client.batches.wait(batch.id, dispatch_only=True, poll_interval=1)
    assert done.is_terminal
    assert done.status == "completed"
    assert done.all_calls_ended is False  # dispatched, not over: the calls are still on
    assert {str(r.status) for r in done.recipients or []} <= {"dispatched", "started"}


async def test_an_ended_batch_is_returned_at_once(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    batch = await new_batch(client)
    fake.dial_batch(batch.id)
    done = await client.batches.wait(batch.id, timeout=0)
    assert done.all_calls_ended is True
    assert sleeps.delays == []


async def test_timeout_raises_with_the_batch_and_its_progress(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    batch = await new_batch(client, target_concurrency_limit=1)
    with pytest.raises(WaitTimeoutError) as caught:
        await client.batches.wait(batch.id, timeout=40, poll_interval=10)
    error = caught.value
    assert (error.batch_id, error.resource_id, error.call_id) == (batch.id, batch.id, None)
    assert error.last_status == "in_progress"
    assert str(error) == f"batch {batch.id!r} was still in_progress (1 of 3 calls ended) after 40s"
    # The deadline is kept on the fake's time: the last wait is cut to what is left.
    assert sum(sleeps.delays) == 40
    assert sleeps.delays == [10, 15, 15]


async def test_an_unknown_batch_is_not_found(client: AsyncClient) -> None:
    with pytest.raises(NotFoundError):
        await client.batches.wait("acb_nope")


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"timeout": -1}, ValueError),
        ({"poll_interval": 0}, ValueError),
        ({"poll_interval": 10, "max_poll_interval": 5}, ValueError),
        ({"dispatch_only": "yes"}, TypeError),
    ],
)
async def test_bad_arguments_are_refused_before_sending(
    fake: FakeCartesia, client: AsyncClient, options: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        await client.batches.wait("acb_1", **options)
    assert fake.requests == []


def batch(status: str, recipients: list[str] | None = None, **counters: int) -> CallBatch:
    data: dict[str, Any] = {"id": "acb_1", "status": status, **counters}
    if recipients is not None:
        data["recipients"] = [{"id": f"r{i}", "status": s} for i, s in enumerate(recipients)]
    return CallBatch.from_dict(data)


@pytest.mark.parametrize(
    ("answer", "dispatch_only", "over"),
    [
        (batch("in_progress", ["completed", "queued"]), False, False),
        (batch("completed", ["completed", "started"]), False, False),
        (batch("completed", ["completed", "started"]), True, True),
        (batch("completed", ["completed", "failed"]), False, True),
        (batch("cancelled", ["completed", "cancelled"]), False, True),
        # Without recipients: the counters decide, or (cancelled) dispatching being over.
        (batch("completed", total_calls_scheduled=2, total_calls_finished=1), False, False),
        (batch("completed", total_calls_scheduled=2, total_calls_finished=2), False, True),
        (batch("cancelled", total_calls_scheduled=2, total_calls_finished=1), False, True),
        (batch("pending"), False, False),
    ],
)
def test_when_the_wait_is_over(answer: CallBatch, dispatch_only: bool, over: bool) -> None:
    assert _wait_is_over(answer, dispatch_only=dispatch_only) is over
