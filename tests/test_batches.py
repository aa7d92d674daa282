"""Call batches end to end against FakeCartesia: create, list, get, cancel, retry, dialing."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from cartesia_calls import (
    AsyncClient,
    AsyncPager,
    BadRequestError,
    BatchStatus,
    CallBatch,
    CallStatus,
    InternalServerError,
    NotFoundError,
    OutboundCall,
    RecipientStatus,
    Region,
    UsageLimitError,
)
from cartesia_calls.errors import status_error_class
from cartesia_calls.testing import FakeCartesia

from .helpers import SleepRecorder

BATCHES = "/agents/calls/batches"
NUMBERS = ["+14155550101", "+14155550102", "+14155550103"]


def _required(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "name": "Renewals",
        "agent_id": "agent_1",
        "from_number_id": "pn_fake_number",
        "recipients": [{"to_number": NUMBERS[0]}],
    }
    args.update(overrides)
    return args


# -- create ------------------------------------------------------------------------------


async def test_create_sends_only_the_given_fields(fake: FakeCartesia, client: AsyncClient) -> None:
    batch = await client.batches.create(**_required())
    assert fake.requests[-1].method == "POST"
    assert fake.requests[-1].path == BATCHES
    assert fake.requests[-1].json() == {
        "name": "Renewals",
        "agent_id": "agent_1",
        "from_number_id": "pn_fake_number",
        "recipients": [{"to_number": NUMBERS[0]}],
    }
    assert isinstance(batch, CallBatch)
    assert batch.id.startswith("acb_")
    assert batch.status == BatchStatus.PENDING
    assert batch.region == "US"
    assert batch.total_calls_scheduled == 1
    assert batch.total_calls_dispatched == 0
    assert batch.created_at is not None
    assert batch.created_at.tzinfo is not None
    assert batch.recipients is None  # create, like list, does not echo recipients


async def test_create_sends_every_option_and_both_recipient_forms(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    when = dt.datetime.now(dt.timezone(dt.timedelta(hours=2))).replace(microsecond=0)
    when += dt.timedelta(days=1)
    batch = await client.batches.create(
        **_required(
            recipients=[
                OutboundCall(to_number=NUMBERS[0], dynamic_variables={"customer": 1}),
                {"to_number": NUMBERS[1], "dynamic_variables": {"customer": "two", "vip": True}},
                {"to_number": NUMBERS[2], "metadata": {"legacy": True}},
            ]
        ),
        target_concurrency_limit=3,
        ringing_timeout_seconds=30,
        max_call_duration_minutes=15,
        scheduled_at=when,
        region=Region.EU,
    )
    sent = fake.requests[-1].json()
    assert sent["recipients"] == [
        {"to_number": NUMBERS[0], "dynamic_variables": {"customer": 1}},
        {"to_number": NUMBERS[1], "dynamic_variables": {"customer": "two", "vip": True}},
        {"to_number": NUMBERS[2], "metadata": {"legacy": True}},
    ]
    assert sent["target_concurrency_limit"] == 3
    assert sent["ringing_timeout_seconds"] == 30
    assert sent["max_call_duration_minutes"] == 15
    # An aware datetime goes out as RFC 3339 in UTC, with Z.
    utc = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sent["scheduled_at"] == utc
    assert sent["region"] == "EU"
    assert batch.target_concurrency_limit == 3
    assert batch.scheduled_at == when
    assert batch.region is Region.EU


async def test_scheduled_at_as_a_string_is_sent_as_given(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)).replace(microsecond=0)
    text = when.astimezone(dt.timezone(dt.timedelta(hours=-5))).isoformat()
    await client.batches.create(**_required(), scheduled_at=text)
    assert fake.requests[-1].json()["scheduled_at"] == text  # "...-05:00", untouched


async def test_five_thousand_recipients_and_a_region_go_out(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    numbers = [f"+1415555{i:04d}" for i in range(5000)]
    batch = await client.batches.create(
        **_required(recipients=[{"to_number": n} for n in numbers]), region="APAC"
    )
    sent = fake.requests[-1].json()
    assert [r["to_number"] for r in sent["recipients"]] == numbers
    assert sent["region"] == "APAC"
    assert batch.total_calls_scheduled == 5000
    assert batch.region is Region.APAC


async def test_a_batch_over_the_usage_limit_is_a_usage_limit_error() -> None:
    async with FakeCartesia(usage_limit=3) as fake, fake.client() as client:
        await client.batches.create(**_required(recipients=[{"to_number": n} for n in NUMBERS[:2]]))
        with pytest.raises(UsageLimitError) as info:
            await client.batches.create(**_required(recipients=[{"to_number": n} for n in NUMBERS]))
        assert info.value.status_code == 402
        assert "usage limit" in str(info.value)
        assert "overages" in str(info.value)
        assert fake.request_count("POST") == 2  # a 402 is not retried
        assert len(fake.batches) == 1


def test_a_402_without_a_message_still_says_what_to_do() -> None:
    error = UsageLimitError(status_code=402, headers={}, body="")
    assert "usage limit" in str(error)
    assert "upgrade" in str(error)
    assert isinstance(
        status_error_class(402)(status_code=402, headers={}, body=""), UsageLimitError
    )


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"name": ""}, ValueError, "name"),
        ({"agent_id": "  "}, ValueError, "agent_id"),
        ({"from_number_id": None}, TypeError, "from_number_id"),
        ({"recipients": []}, ValueError, "1 to 5000"),
        ({"recipients": [{"to_number": NUMBERS[0]}] * 5001}, ValueError, "1 to 5000"),
        (
            {"recipients": [{"to_number": NUMBERS[0], "dynamic_variables": {"secret__x": 1}}]},
            ValueError,
            r"recipients\[0\].dynamic_variables\['secret__x'\].*reserved",
        ),
        ({"region": ""}, ValueError, "region"),
        ({"region": 1}, TypeError, "region"),
        ({"extra_body": {"region": "EU"}, "region": "US"}, ValueError, "'region'.*already set"),
        ({"recipients": NUMBERS[0]}, TypeError, "recipients"),
        ({"recipients": {"to_number": NUMBERS[0]}}, TypeError, "recipients"),
        ({"recipients": [NUMBERS[0]]}, TypeError, r"recipients\[0\]"),
        ({"recipients": [{"to_number": "4155550101"}]}, ValueError, r"recipients\[0\].to_number"),
        (
            {"recipients": [{"to_number": NUMBERS[0]}, {"to_number": "+0123"}]},
            ValueError,
            r"recipients\[1\].to_number",
        ),
        ({"recipients": [{"to_number": NUMBERS[0], "meta": {}}]}, ValueError, "'meta'"),
        ({"recipients": [{"metadata": {}}]}, ValueError, "to_number"),
        ({"recipients": [{"to_number": NUMBERS[0], "metadata": [1]}]}, TypeError, "metadata"),
        (
            {"recipients": [OutboundCall.from_dict({"to_number": NUMBERS[0], "priority": 1})]},
            ValueError,
            "'priority'",
        ),
        ({"target_concurrency_limit": 0}, ValueError, "target_concurrency_limit"),
        ({"ringing_timeout_seconds": 4}, ValueError, "ringing_timeout_seconds"),
        ({"ringing_timeout_seconds": 81}, ValueError, "ringing_timeout_seconds"),
        ({"ringing_timeout_seconds": True}, TypeError, "ringing_timeout_seconds"),
        ({"max_call_duration_minutes": 0}, ValueError, "max_call_duration_minutes"),
        ({"max_call_duration_minutes": 481}, ValueError, "max_call_duration_minutes"),
        ({"max_call_duration_minutes": 1.5}, TypeError, "max_call_duration_minutes"),
        ({"scheduled_at": dt.datetime(2030, 1, 1, 12)}, ValueError, "needs a timezone"),
        ({"scheduled_at": "2030-01-01T12:00:00"}, ValueError, "with a UTC offset"),
        ({"scheduled_at": "next tuesday"}, ValueError, "scheduled_at"),
        ({"scheduled_at": 1893456000}, TypeError, "scheduled_at"),
        (
            {"recipients": [{"to_number": NUMBERS[0], "metadata": {"x": object()}}]},
            TypeError,
            "JSON",
        ),
    ],
)
async def test_create_rejects_bad_input_before_sending(
    fake: FakeCartesia,
    client: AsyncClient,
    overrides: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    args = _required()
    args.update(overrides)
    with pytest.raises(error, match=match):
        await client.batches.create(**args)
    assert fake.request_count() == 0


async def test_create_is_not_retried_by_default(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_fault(status=500, times=5, method="POST", path=BATCHES)
    with pytest.raises(InternalServerError):
        await client.batches.create(**_required())
    assert fake.request_count() == 1
    assert sleeps.delays == []
    assert fake.batches == {}


async def test_create_is_retried_when_the_caller_allows_it(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_fault(status=500, times=2, method="POST", path=BATCHES)
    batch = await client.batches.create(**_required(), allow_retry=True)
    assert fake.request_count() == 3
    assert len(sleeps.delays) == 2
    assert list(fake.batches) == [batch.id]


async def test_the_fake_rejects_what_the_api_rejects(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    bad_bodies: list[dict[str, Any]] = [
        {**_required(), "recipients": [{"to_number": "555-0101"}]},
        {**_required(), "ringing_timeout_seconds": 100},
        {**_required(), "scheduled_at": "2000-01-01T00:00:00Z"},
        {**_required(), "surprise": True},
        {"name": "x"},
    ]
    for body in bad_bodies:
        with pytest.raises(BadRequestError) as info:
            await client.request("POST", BATCHES, json=body)
        assert info.value.error_code == "invalid_request"
        assert info.value.request_id
    assert fake.batches == {}


async def test_an_unknown_phone_number_is_not_found(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.batches.create(**_required(from_number_id="ap_nope"))
    assert info.value.error_code == "phone_number_not_found"
    assert fake.batches == {}


# -- list ----------------------------------------------------------------------------------


def _seed(fake: FakeCartesia, count: int, agent_id: str = "agent_1") -> list[str]:
    """Seed ``count`` batches a minute apart; returns their ids, newest first."""
    start = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    ids = []
    for index in range(count):
        created = (start + dt.timedelta(minutes=index)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ids.append(
            fake.add_batch(
                id=f"acb_{agent_id}_{index}",
                agent_id=agent_id,
                created_at=created,
                recipients=[NUMBERS[0]],
            )["id"]
        )
    return ids[::-1]


@pytest.mark.parametrize(("count", "limit"), [(7, 3), (6, 3), (2, 5), (1, 1)])
async def test_list_walks_every_batch_with_one_request_per_page(
    fake: FakeCartesia, client: AsyncClient, count: int, limit: int
) -> None:
    expected = _seed(fake, count)
    pager = client.batches.list(limit=limit)
    assert isinstance(pager, AsyncPager)
    assert fake.request_count() == 0  # nothing is fetched until the pager is used
    seen = [batch.id async for batch in pager]
    assert seen == expected
    assert fake.request_count(method="GET", path=BATCHES) == math.ceil(count / limit)
    assert fake.requests[0].query == {"limit": str(limit)}
    assert fake.requests[-1].query.get("starting_after") == (
        expected[limit * (math.ceil(count / limit) - 1) - 1] if count > limit else None
    )


async def test_list_items_carry_no_recipients(fake: FakeCartesia, client: AsyncClient) -> None:
    _seed(fake, 2)
    page = await client.batches.list()
    assert [b.recipients for b in page.data] == [None, None]
    assert page.has_more is False
    assert page.next_page is None


async def test_list_pages_backwards_with_ending_before(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    newest_first = _seed(fake, 7)
    oldest = newest_first[-1]
    pages = [
        [batch.id for batch in page.data]
        async for page in client.batches.list(limit=2, ending_before=oldest).pages()
    ]
    assert pages == [newest_first[4:6], newest_first[2:4], newest_first[0:2]]
    assert [r.query.get("ending_before") for r in fake.requests] == [
        oldest,
        newest_first[4],
        newest_first[2],
    ]


async def test_list_filters_by_agent(fake: FakeCartesia, client: AsyncClient) -> None:
    _seed(fake, 2, agent_id="agent_1")
    theirs = _seed(fake, 3, agent_id="agent_2")
    seen = await client.batches.list(agent_id="agent_2").to_list()
    assert [b.id for b in seen] == theirs
    assert fake.requests[-1].query["agent_id"] == "agent_2"


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"limit": 0}, ValueError),
        ({"limit": 101}, ValueError),
        ({"limit": "10"}, TypeError),
        ({"agent_id": ""}, ValueError),
        ({"starting_after": "acb_1", "ending_before": "acb_2"}, ValueError),
        ({"starting_after": ""}, ValueError),
    ],
)
async def test_list_rejects_bad_options_before_sending(
    fake: FakeCartesia, client: AsyncClient, options: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        client.batches.list(**options)
    assert fake.request_count() == 0


# -- get, cancel, retry -------------------------------------------------------------------


async def test_get_shows_the_recipients(fake: FakeCartesia, client: AsyncClient) -> None:
    created = await client.batches.create(
        **_required(
            recipients=[{"to_number": NUMBERS[0], "metadata": {"n": 1}}, {"to_number": NUMBERS[1]}]
        )
    )
    batch = await client.batches.get(created.id)
    assert batch.id == created.id
    assert batch.recipients is not None
    assert [r.to_number for r in batch.recipients] == NUMBERS[:2]
    assert [r.status for r in batch.recipients] == [RecipientStatus.QUEUED] * 2
    assert batch.recipients[0].metadata is None  # 2026-03-01's field: not in a 08-14 answer
    assert all(r.id and r.created_at for r in batch.recipients)
    assert all(r.extra == {} for r in batch.recipients)  # dynamic variables are not echoed
    async with fake.client(cartesia_version="2026-03-01") as old:
        legacy = await old.batches.get(created.id)
    assert legacy.recipients is not None
    assert legacy.recipients[0].metadata == {"n": 1}


async def test_get_of_an_unknown_batch_is_not_found(client: AsyncClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.batches.get("acb_missing")
    assert info.value.error_code == "batch_not_found"


async def test_batch_ids_are_one_encoded_path_segment(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_batch(id="a/b?c")
    assert (await client.batches.get("a/b?c")).id == "a/b?c"
    assert fake.requests[-1].path == f"{BATCHES}/a%2Fb%3Fc"
    await client.batches.cancel("a/b?c")
    assert fake.requests[-1].path == f"{BATCHES}/a%2Fb%3Fc/cancel"


@pytest.mark.parametrize("bad", ["", None, 7])
async def test_bad_batch_ids_are_rejected_before_sending(
    fake: FakeCartesia, client: AsyncClient, bad: Any
) -> None:
    for method in (client.batches.get, client.batches.cancel, client.batches.retry):
        with pytest.raises((ValueError, TypeError), match="batch_id"):
            await method(bad)
    assert fake.request_count() == 0


async def test_cancel_is_idempotent(fake: FakeCartesia, client: AsyncClient) -> None:
    created = await client.batches.create(**_required())
    first = await client.batches.cancel(created.id)
    second = await client.batches.cancel(created.id)
    assert first.status == second.status == BatchStatus.CANCELLED
    assert first.is_terminal
    batch = await client.batches.get(created.id)
    assert batch.status == BatchStatus.CANCELLED
    assert batch.recipients is not None
    assert batch.recipients[0].status == RecipientStatus.CANCELLED


async def test_cancel_is_retried_on_a_transient_failure(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_batch(id="acb_1")
    fake.add_fault(status=503, times=2, method="POST", path=f"{BATCHES}/acb_1/cancel")
    batch = await client.batches.cancel("acb_1")
    assert batch.status == BatchStatus.CANCELLED
    assert fake.request_count(path=f"{BATCHES}/acb_1/cancel") == 3
    assert len(sleeps.delays) == 2


async def test_retry_of_a_cancelled_batch_is_a_bad_request(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_batch(id="acb_1", status="cancelled")
    with pytest.raises(BadRequestError) as info:
        await client.batches.retry("acb_1")
    assert info.value.error_code == "batch_cancelled"


async def test_retry_is_not_retried_by_default(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_batch(id="acb_1")
    fake.add_fault(status=503, times=5, method="POST", path=f"{BATCHES}/acb_1/retry")
    with pytest.raises(InternalServerError):
        await client.batches.retry("acb_1")
    assert fake.request_count() == 1
    fake.faults.clear()
    fake.add_fault(status=503, times=1, method="POST", path=f"{BATCHES}/acb_1/retry")
    await client.batches.retry("acb_1", allow_retry=True)
    assert fake.request_count() == 3
    assert len(sleeps.delays) == 1


async def test_retry_requeues_failed_and_unanswered_recipients(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    created = await client.batches.create(
        **_required(recipients=[{"to_number": n} for n in NUMBERS])
    )
    fake.dial_batch(created.id, outcomes={NUMBERS[1]: "no_answer", NUMBERS[2]: "rejected"})
    dialed = await client.batches.get(created.id)
    assert dialed.status == BatchStatus.COMPLETED
    assert dialed.all_calls_ended is True
    assert dialed.recipients is not None
    assert [r.status for r in dialed.recipients] == ["completed", "failed", "failed"]
    assert [r.end_reason for r in dialed.recipients] == ["agent_hangup", "dial_no_answer", None]
    assert dialed.recipients[2].error_message  # failed before dialing: no call
    assert dialed.recipients[2].agent_call_id is None

    retried = await client.batches.retry(created.id)
    assert retried.retry_count == 1
    assert retried.status == BatchStatus.PENDING
    assert retried.recipients is not None
    assert [r.status for r in retried.recipients] == ["completed", "queued", "queued"]
    assert retried.total_calls_finished == 1

    calls = fake.dial_batch(created.id)
    assert len(calls) == 2
    final = await client.batches.get(created.id)
    assert final.status == BatchStatus.COMPLETED
    assert final.total_calls_finished == final.total_calls_scheduled == 3
    assert final.recipients is not None
    assert {r.agent_call_id for r in final.recipients[1:]} == {c["id"] for c in calls}


# -- dialing through the fake --------------------------------------------------------------


async def test_dialed_recipients_have_calls_that_can_be_fetched(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    created = await client.batches.create(
        **_required(
            recipients=[
                {"to_number": NUMBERS[0], "dynamic_variables": {"order": 42}, "metadata": {"o": 1}}
            ]
        )
    )
    fake.dial_batch(created.id)
    batch = await client.batches.get(created.id)
    assert batch.status == BatchStatus.COMPLETED
    assert batch.total_calls_dispatched == batch.total_calls_finished == 1
    assert batch.admitted_at is not None
    assert batch.recipients is not None
    (recipient,) = batch.recipients
    assert recipient.status == RecipientStatus.COMPLETED
    assert recipient.agent_call_id is not None

    call = await client.calls.get(recipient.agent_call_id)
    assert call.status == CallStatus.COMPLETED
    assert call.agent_id == "agent_1"
    assert call.dynamic_variables == {"order": 42}
    assert call.telephony_params is not None
    assert call.telephony_params.to == NUMBERS[0]
    assert call.telephony_params.from_ == fake.phone_numbers["pn_fake_number"]
    assert call.telephony_params.direction == "outbound"
    assert call.extra == {}
    listed = await client.calls.list(batch_id=created.id).to_list()
    assert [c.id for c in listed] == [call.id]


async def test_a_cancelled_batch_is_not_dialed(fake: FakeCartesia, client: AsyncClient) -> None:
    created = await client.batches.create(**_required())
    await client.batches.cancel(created.id)
    assert fake.dial_batch(created.id) == []
    assert (await client.batches.get(created.id)).status == BatchStatus.CANCELLED
    assert fake.calls == {}


def test_seeded_batches_get_defaults() -> None:
    fake = FakeCartesia()
    batch = fake.add_batch(recipients=[NUMBERS[0], {"to_number": NUMBERS[1], "status": "failed"}])
    model = CallBatch.from_dict(batch)
    assert model.id.startswith("acb_")
    assert model.status == BatchStatus.PENDING
    assert model.from_number_id == "pn_fake_number"
    assert model.total_calls_scheduled == 2
    assert model.total_calls_finished == 1
    assert model.recipients is not None
    assert [r.status for r in model.recipients] == ["queued", "failed"]
    with pytest.raises(ValueError, match="outcome"):
        fake.dial_batch(model.id, outcomes={NUMBERS[0]: "exploded"})


# -- recipients on the fake's clock --------------------------------------------------------


async def test_recipients_move_queued_dispatched_started_completed_on_the_clock(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.unreachable_numbers[NUMBERS[2]] = {"message": "Number cannot be dialed."}
    created = await client.batches.create(
        **_required(recipients=[{"to_number": n} for n in NUMBERS]), target_concurrency_limit=1
    )

    async def statuses() -> list[str]:
        batch = await client.batches.get(created.id)
        return [str(r.status) for r in batch.recipients or []]

    assert await statuses() == ["queued", "queued", "queued"]
    fake.advance(0)  # the dispatcher runs: one slot
    assert await statuses() == ["dispatched", "queued", "queued"]
    assert (await client.batches.get(created.id)).status == BatchStatus.IN_PROGRESS
    fake.advance(1)  # the call connects
    assert await statuses() == ["started", "queued", "queued"]
    fake.advance(29)  # it ends; the slot frees up
    assert await statuses() == ["completed", "dispatched", "queued"]
    fake.advance(30)  # the second call ends; the third number cannot be dialed
    batch = await client.batches.get(created.id)
    assert [str(r.status) for r in batch.recipients or []] == ["completed", "completed", "failed"]
    assert batch.status == BatchStatus.COMPLETED
    assert batch.recipients is not None
    assert batch.recipients[2].error_message == "Number cannot be dialed."
    assert batch.recipients[2].agent_call_id is None
    assert batch.recipients[0].end_reason == "agent_hangup"
    assert batch.all_calls_ended is True


async def test_a_completed_batch_may_still_have_calls_running(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    created = await client.batches.create(
        **_required(recipients=[{"to_number": n} for n in NUMBERS[:2]]), target_concurrency_limit=2
    )
    fake.advance(0)  # both dispatched: dispatching is over
    batch = await client.batches.get(created.id)
    assert batch.status == BatchStatus.COMPLETED
    assert batch.is_terminal  # dispatching finished...
    assert batch.all_calls_ended is False  # ...but the calls have not
    listed = await client.batches.list().first_page()
    assert listed.data[0].all_calls_ended is False  # the counters tell the same story
    fake.advance(30)
    batch = await client.batches.get(created.id)
    assert batch.all_calls_ended is True
    listed = await client.batches.list().first_page()
    assert listed.data[0].all_calls_ended is True


async def test_a_batch_whose_recipients_all_fail_before_dialing_is_failed(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    created = await client.batches.create(**_required())
    fake.dial_batch(created.id, outcomes={NUMBERS[0]: "rejected"})
    batch = await client.batches.get(created.id)
    assert batch.status == BatchStatus.FAILED
    assert batch.all_calls_ended is True


async def test_a_cancelled_batch_lets_its_calls_finish(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    created = await client.batches.create(
        **_required(recipients=[{"to_number": n} for n in NUMBERS[:2]])
    )
    fake.advance(1)  # dispatched at once
    fake.advance(1)  # and connected
    cancelled = await client.batches.cancel(created.id)
    assert cancelled.recipients is not None
    assert [str(r.status) for r in cancelled.recipients] == ["started", "cancelled"]
    assert cancelled.all_calls_ended is False
    listed = await client.batches.list().first_page()
    assert listed.data[0].all_calls_ended is None  # counters cannot tell for a cancelled batch
    fake.advance(30)
    batch = await client.batches.get(created.id)
    assert [str(r.status) for r in batch.recipients or []] == ["completed", "cancelled"]
    assert batch.all_calls_ended is True
