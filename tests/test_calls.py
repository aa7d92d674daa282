"""The calls resource end to end: list, create, cancel, delete, logs, audio and wait."""

from __future__ import annotations

import datetime as dt
import io
import json
import math

import pytest

from cartesia_calls import (
    APIConnectionError,
    APIStatusError,
    AsyncClient,
    BadRequestError,
    CallEndReason,
    CallStatus,
    ConflictError,
    InternalServerError,
    NotFoundError,
    OutboundCall,
    WaitTimeoutError,
)
from cartesia_calls.testing import FakeCartesia, Lifecycle, ToolStep

from .helpers import SleepRecorder, seed_calls as seed

# -- list ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "limit"), [(25, 10), (20, 10), (3, 100), (1, 1), (0, 10)])
async def test_list_walks_every_call_in_exactly_ceil_n_over_limit_requests(
    fake: FakeCartesia, client: AsyncClient, count: int, limit: int
) -> None:
    expected = seed(fake, count)
    ids = [call.id async for call in client.calls.list(agent_id="agent_1", limit=limit)]
    assert ids == expected
    assert fake.request_count("GET", "/agents/calls") == max(1, math.ceil(count / limit))


async def test_list_is_lazy(fake: FakeCartesia, client: AsyncClient) -> None:
    seed(fake, 30)
    pager = client.calls.list(agent_id="agent_1", limit=10)
    assert fake.request_count() == 0
    seen = 0
    async for _ in pager:
        seen += 1
        if seen == 10:
            break
    assert fake.request_count() == 1


async def test_list_stops_when_next_page_is_null_even_without_has_more(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    body = {"data": [{"id": "ac_1", "agent_id": "a", "status": "completed"}], "next_page": None}
    fake.add_fault(status=200, body=body, path="/agents/calls", method="GET")
    calls = await client.calls.list(agent_id="a").to_list()
    assert [c.id for c in calls] == ["ac_1"]
    assert fake.request_count() == 1


async def test_list_stops_on_an_empty_page_even_with_a_cursor(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_fault(status=200, body={"data": [], "next_page": "ac_9", "has_more": True})
    assert await client.calls.list(agent_id="a").to_list() == []
    assert fake.request_count() == 1


async def test_list_pages_expose_cursor_fields(fake: FakeCartesia, client: AsyncClient) -> None:
    seed(fake, 5)
    pages = [page async for page in client.calls.list(agent_id="agent_1", limit=2).pages()]
    assert [len(p.data) for p in pages] == [2, 2, 1]
    assert [p.has_more for p in pages] == [True, True, False]
    assert pages[0].next_page == pages[0].data[-1].id
    assert pages[-1].next_page is None
    first = await client.calls.list(agent_id="agent_1", limit=2)
    assert [c.id for c in first.data] == [c.id for c in pages[0].data]


async def test_list_sends_cursor_and_expand_parameters(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    ids = seed(fake, 5)
    calls = await client.calls.list(
        agent_id="agent_1", limit=2, starting_after=ids[0], expand_transcript=True
    ).to_list()
    assert [c.id for c in calls] == ids[1:]
    assert calls[0].transcript is not None
    first_query = fake.requests[0].query
    assert first_query == {
        "agent_id": "agent_1",
        "limit": "2",
        "starting_after": ids[0],
        "expand": "transcript",
    }
    assert fake.requests[1].query["starting_after"] == ids[2]


async def test_list_without_expand_has_no_transcripts(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    seed(fake, 2)
    calls = await client.calls.list(agent_id="agent_1").to_list()
    assert all(c.transcript is None for c in calls)


async def test_list_backwards_with_ending_before(fake: FakeCartesia, client: AsyncClient) -> None:
    ids = seed(fake, 7)
    calls = await client.calls.list(agent_id="agent_1", limit=2, ending_before=ids[-1]).to_list()
    # Walking backwards from the oldest call: pages of newer calls, the newest page last.
    assert sorted(c.id for c in calls) == sorted(ids[:-1])
    assert all("ending_before" in r.query for r in fake.requests)
    assert fake.request_count() == 3


async def test_list_by_batch(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_call(id="ac_b1", batch_id="acb_1")
    fake.add_call(id="ac_other")
    calls = await client.calls.list(batch_id="acb_1").to_list()
    assert [c.id for c in calls] == ["ac_b1"]
    assert fake.requests[-1].query == {"batch_id": "acb_1"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give agent_id, batch_id, or both"),
        ({"agent_id": "a", "start_time_gte": dt.datetime(2026, 8, 14, 9)}, "needs a timezone"),
        ({"agent_id": "a", "start_time_lte": "2026-08-14T09:00:00"}, "RFC 3339"),
        ({"agent_id": "a", "start_time_lte": "yesterday"}, "start_time_lte"),
        ({"agent_id": "a", "start_time_gte": "2026-02-30T09:00:00Z"}, "start_time_gte"),
        (
            {
                "agent_id": "a",
                "start_time_gte": "2026-08-14T10:00:00Z",
                "start_time_lte": dt.datetime(2026, 8, 14, 9, tzinfo=dt.UTC),
            },
            "after start_time_lte",
        ),
        ({"agent_id": "a", "extra_query": {"agent_id": "b"}}, "already set"),
        ({"agent_id": "a", "extra_headers": {"authorization": "Bearer x"}}, "Authorization"),
        ({"agent_id": "a", "extra_headers": {"X-A": "1\r\nX-B: 2"}}, "invalid header"),
        ({"agent_id": "a", "limit": 0}, "limit"),
        ({"agent_id": "a", "limit": 101}, "limit"),
        ({"agent_id": "a", "starting_after": "x", "ending_before": "y"}, "at most one"),
        ({"agent_id": ""}, "agent_id"),
    ],
)
async def test_list_caller_errors_before_any_request(
    fake: FakeCartesia, client: AsyncClient, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        client.calls.list(**kwargs)  # type: ignore[arg-type]
    assert fake.request_count() == 0


async def test_a_repeated_cursor_stops_with_an_error(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    page = {
        "data": [{"id": "x", "agent_id": "a", "status": "completed"}],
        "next_page": "x",
        "has_more": True,
    }
    fake.add_fault(status=200, body=page, times=5)
    with pytest.raises(Exception, match="twice"):
        await client.calls.list(agent_id="a").to_list()
    assert fake.request_count() == 2


async def test_list_resumes_from_the_right_cursor_after_a_retried_page(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    ids = seed(fake, 6)
    pager = client.calls.list(agent_id="agent_1", limit=2)
    got = []
    async for call in pager:
        got.append(call.id)
        if len(got) == 2:
            fake.add_fault(status=503, path="/agents/calls")
    assert got == ids
    cursors = [r.query.get("starting_after") for r in fake.requests]
    assert cursors == [None, ids[1], ids[1], ids[3]]


# -- create -------------------------------------------------------------------------------------


async def test_create_places_calls_and_returns_results_in_order(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.unreachable_numbers["+14155550002"] = {"code": "dial_failed", "message": "Unreachable"}
    variables = {"first_name": "Ada", "visits": 3, "balance": 12.5, "vip": True, "_note": ""}
    results = await client.calls.create(
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        outbound_calls=[
            {"to_number": "+14155550001", "dynamic_variables": variables},
            OutboundCall(to_number="+14155550002"),
            OutboundCall(to_number="+14155550003", dynamic_variables={"n": 3}),
        ],
    )
    assert [r.number for r in results] == ["+14155550001", "+14155550002", "+14155550003"]
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error == {"code": "dial_failed", "message": "Unreachable"}
    created = await client.calls.get(results[0].agent_call_id or "")
    assert created.status == CallStatus.CREATED
    assert created.dynamic_variables == variables
    assert created.metadata is None  # a 2026-03-01 field: not in a 2026-08-14 answer
    assert fake.requests[0].headers["Cartesia-Version"] == "2026-08-14"
    # Sent verbatim: same names, same JSON types (True stays true, 3 stays 3, 12.5 stays 12.5).
    assert fake.requests[0].json() == {
        "agent_id": "agent_1",
        "from_number_id": "pn_fake_number",
        "outbound_calls": [
            {"to_number": "+14155550001", "dynamic_variables": variables},
            {"to_number": "+14155550002"},
            {"to_number": "+14155550003", "dynamic_variables": {"n": 3}},
        ],
    }


async def test_a_client_pinned_to_2026_03_01_sends_metadata_and_reads_it_back(
    fake: FakeCartesia,
) -> None:
    async with fake.client(cartesia_version="2026-03-01") as client:
        (result,) = await client.calls.create(
            agent_id="agent_1",
            from_number_id="pn_fake_number",
            outbound_calls=[OutboundCall(to_number="+14155550001", metadata={"customer": "c1"})],
        )
        call = await client.calls.get(result.agent_call_id or "")
    assert fake.requests[0].headers["Cartesia-Version"] == "2026-03-01"
    assert fake.requests[0].json()["outbound_calls"] == [
        {"to_number": "+14155550001", "metadata": {"customer": "c1"}}
    ]
    assert call.metadata == {"customer": "c1"}
    assert call.dynamic_variables is None  # a 2026-08-14 field: not in a 2026-03-01 answer


BIG = "x" * (16 * 1024)


@pytest.mark.parametrize(
    ("variables", "error", "message"),
    [
        ({"system__caller": "x"}, ValueError, r"outbound_calls\[1\].*'system__caller'.*reserved"),
        ({"secret__token": "x"}, ValueError, "'secret__token'.*reserved"),
        ({"1st": "x"}, ValueError, "'1st'.*starting with a letter"),
        ({"first-name": "x"}, ValueError, "'first-name'"),
        ({"": "x"}, ValueError, "''"),
        ({"a" * 65: "x"}, ValueError, "1 to 64"),
        ({f"v{i}": i for i in range(65)}, ValueError, "65 variables.*at most 64"),
        ({"note": None}, TypeError, "'note'.*str, int, float or bool.*NoneType"),
        ({"tags": ["a"]}, TypeError, "'tags'.*list"),
        ({"nested": {"a": 1}}, TypeError, "'nested'"),
        ({"ratio": math.nan}, ValueError, "'ratio'.*JSON cannot carry"),
        ({"ratio": math.inf}, ValueError, "'ratio'"),
        ({"huge": 2**64}, ValueError, "'huge'.*too large"),
        ({"blob": BIG}, ValueError, "16 KiB"),
        ({1: "x"}, TypeError, "not a string"),
        (["first_name"], TypeError, "must be a dict"),
    ],
)
async def test_forbidden_dynamic_variables_are_refused_before_sending(
    fake: FakeCartesia, client: AsyncClient, variables: object, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        await client.calls.create(
            agent_id="agent_1",
            from_number_id="pn_fake_number",
            outbound_calls=[
                {"to_number": "+14155550001"},
                {"to_number": "+14155550002", "dynamic_variables": variables},
            ],
        )
    assert fake.request_count() == 0


async def test_dynamic_variables_at_the_limits_are_sent(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    many = {f"v{i:02d}": i for i in range(64)}
    name = "_" + "a" * 63
    # 16 KiB exactly: {"blob":"..."} is 11 bytes of JSON around the value.
    exact = {"blob": "é" * ((16 * 1024 - 11) // 2) + "x" * ((16 * 1024 - 11) % 2)}
    assert len(json.dumps(exact, ensure_ascii=False, separators=(",", ":")).encode()) == 16384
    results = await client.calls.create(
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        outbound_calls=[
            {"to_number": "+14155550001", "dynamic_variables": many},
            {"to_number": "+14155550002", "dynamic_variables": {name: False}},
            {"to_number": "+14155550003", "dynamic_variables": exact},
        ],
    )
    assert all(r.ok for r in results)
    sent = [item["dynamic_variables"] for item in fake.requests[0].json()["outbound_calls"]]
    assert sent == [many, {name: False}, exact]


async def test_a_tool_assigns_dynamic_variables_and_the_call_keeps_the_final_values(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.outbound_tools.append(
        ToolStep(at=5, name="book_slot", assigns={"slot": "Tue 10:00", "booked": True})
    )
    (result,) = await client.calls.create(
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        outbound_calls=[{"to_number": "+14155550001", "dynamic_variables": {"slot": "none"}}],
    )
    call_id = result.agent_call_id or ""
    assert (await client.calls.get(call_id)).dynamic_variables == {"slot": "none"}
    fake.advance(60)
    call = await client.calls.get(call_id)
    assert call.dynamic_variables == {"slot": "Tue 10:00", "booked": True}
    assert call.transcript is not None
    (tool,) = call.transcript[-1].tool_calls or []
    assert tool.name == "book_slot"
    updates = tool.dynamic_variable_updates or []
    assert [(u.variable_name, u.old_value, u.new_value) for u in updates] == [
        ("slot", "none", "Tue 10:00"),
        ("booked", None, True),
    ]
    assert {u.tool_call_id for u in updates} == {tool.id}
    assert {u.updated_at for u in updates} == {5.0}
    # Pinned to 2026-03-01, the same call shows no dynamic variables or updates.
    async with fake.client(cartesia_version="2026-03-01") as old:
        legacy = await old.calls.get(call_id)
    assert legacy.dynamic_variables is None
    assert legacy.transcript is not None
    assert legacy.transcript[-1].tool_calls is not None
    assert legacy.transcript[-1].tool_calls[0].dynamic_variable_updates is None


async def test_create_sends_options_only_when_given(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    await client.calls.create(
        agent_id="a",
        from_number_id="pn_fake_number",
        outbound_calls=[{"to_number": "+14155550001"}],
        ringing_timeout_seconds=30,
        max_call_duration_minutes=10,
    )
    body = fake.requests[-1].json()
    assert body["ringing_timeout_seconds"] == 30
    assert body["max_call_duration_minutes"] == 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outbound_calls": [{"to_number": "4155550001"}]}, "E.164"),
        ({"outbound_calls": [{"to_number": "+1 415 555"}]}, "E.164"),
        ({"outbound_calls": []}, "at least 1"),
        ({"outbound_calls": [{"to_number": "+14155550001", "meta": {}}]}, "unknown key 'meta'"),
        ({"outbound_calls": [{"metadata": {}}]}, "to_number"),
        ({"ringing_timeout_seconds": 4}, "ringing_timeout_seconds"),
        ({"ringing_timeout_seconds": 81}, "ringing_timeout_seconds"),
        ({"max_call_duration_minutes": 0}, "max_call_duration_minutes"),
        ({"agent_id": ""}, "agent_id"),
    ],
)
async def test_create_validates_locally(
    fake: FakeCartesia, client: AsyncClient, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {
        "agent_id": "a",
        "from_number_id": "pn_fake_number",
        "outbound_calls": [{"to_number": "+14155550001"}],
    }
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=message):
        await client.calls.create(**args)  # type: ignore[arg-type]
    assert fake.request_count() == 0


async def test_a_500_on_create_is_not_retried(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(status=500, method="POST", path="/agents/calls", times=3)
    with pytest.raises(InternalServerError):
        await client.calls.create(
            agent_id="a", from_number_id="pn_fake_number", outbound_calls=[{"to_number": "+1415"}]
        )
    assert fake.request_count("POST") == 1


async def test_a_dropped_create_is_not_retried(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(action="drop", method="POST", path="/agents/calls", times=3)
    with pytest.raises(APIConnectionError):
        await client.calls.create(
            agent_id="a", from_number_id="pn_fake_number", outbound_calls=[{"to_number": "+1415"}]
        )
    assert fake.request_count("POST") == 1


async def test_create_retries_only_when_the_caller_opts_in(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_fault(status=503, method="POST", path="/agents/calls")
    results = await client.calls.create(
        agent_id="a",
        from_number_id="pn_fake_number",
        outbound_calls=[{"to_number": "+14155550001"}],
        allow_retry=True,
    )
    assert results[0].ok
    assert fake.request_count("POST") == 2


async def test_create_with_an_unknown_number_id_is_not_found(client: AsyncClient) -> None:
    with pytest.raises(NotFoundError):
        await client.calls.create(
            agent_id="a", from_number_id="ap_nope", outbound_calls=[{"to_number": "+1415"}]
        )


# -- lifecycle: wait, cancel, delete ------------------------------------------------------------


async def test_wait_polls_until_the_call_ends(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=1, ends_at=20))
    async with fake.client(backoff=SleepRecorder().backoff()) as plain:
        client = plain.with_options(backoff=plain.backoff.__class__(sleep=fake.sleep))
        call = await client.calls.wait("ac_1", poll_interval=2, max_poll_interval=5)
    assert call.status == CallStatus.COMPLETED
    assert call.end_reason == CallEndReason.AGENT_HANGUP
    assert 20 <= fake.clock <= 25
    polls = fake.request_count("GET", "/agents/calls/ac_1")
    assert 4 <= polls <= 8


async def test_wait_gives_up_at_the_deadline_with_the_last_status(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=1, ends_at=1000))
    async with fake.client() as plain:
        client = plain.with_options(backoff=plain.backoff.__class__(sleep=fake.sleep))
        with pytest.raises(WaitTimeoutError) as info:
            await client.calls.wait("ac_1", timeout=10, poll_interval=1)
    assert info.value.last_status == "started"
    assert (info.value.call_id, info.value.resource_id, info.value.batch_id) == (
        "ac_1",
        "ac_1",
        None,
    )
    assert fake.clock == pytest.approx(10)


async def test_wait_returns_at_once_for_an_ended_call(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", status="failed", end_reason="dial_no_answer")
    call = await client.calls.wait("ac_1")
    assert call.end_reason == "dial_no_answer"
    assert fake.request_count() == 1


async def test_legacy_cancelled_status_counts_as_ended(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", status="cancelled")
    assert (await client.calls.wait("ac_1")).status == CallStatus.CANCELLED


async def test_cancel_ends_a_started_call(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=100))
    result = await client.calls.cancel("ac_1")
    assert result.cancelled is True
    call = await client.calls.get("ac_1")
    assert call.status == "completed"
    assert call.end_reason == CallEndReason.API_CANCELLED


async def test_cancel_of_a_call_not_in_progress_is_a_bad_request(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", status="completed")
    with pytest.raises(BadRequestError, match="not currently active"):
        await client.calls.cancel("ac_1")
    with pytest.raises(NotFoundError):
        await client.calls.cancel("ac_missing")


async def test_cancel_is_not_retried(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=100))
    fake.add_fault(status=503, method="POST", times=2)
    with pytest.raises(InternalServerError):
        await client.calls.cancel("ac_1")
    assert fake.request_count("POST") == 1


async def test_delete_redacts_a_finished_call(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_call(
        id="ac_1",
        agent_name="Support",
        summary="Customer asked for a refund.",
        metadata={"customer": "c1"},
        transcript=[{"role": "user", "start_timestamp": 0, "end_timestamp": 1, "text": "hi"}],
        telephony_params={"to": "+1", "from": "+2", "call_sid": "sid", "connection_type": "ws"},
        logs=["hello"],
        recording=1.0,
    )
    call = await client.calls.delete("ac_1")
    assert call.is_redacted
    assert call.redacted_at is not None
    assert call.transcript is None
    assert call.summary is None
    assert call.metadata is None
    assert call.telephony_params is not None
    assert call.telephony_params.to is None
    assert call.telephony_params.call_sid == "sid"
    assert call.agent_name == "Support"
    assert (await client.calls.get("ac_1")).is_redacted
    with pytest.raises(NotFoundError):
        await client.calls.logs("ac_1")
    with pytest.raises(NotFoundError):
        await client.calls.download_audio("ac_1", io.BytesIO())


async def test_delete_of_a_running_call_is_a_bad_request(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=100))
    with pytest.raises(BadRequestError, match="cancel an active call first") as info:
        await client.calls.delete("ac_1")
    assert info.value.status_code == 400
    assert fake.request_count() == 1  # a 400 is not retried


async def test_delete_under_2026_03_01_keeps_the_fakes_409(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=100))
    async with fake.client(cartesia_version="2026-03-01") as client:
        with pytest.raises(ConflictError):
            await client.calls.delete("ac_1")


async def test_delete_retries_a_500_because_deletion_is_idempotent(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", status="completed", transcript=[])
    fake.add_fault(status=500, method="DELETE", path="/agents/calls/ac_1")
    call = await client.calls.delete("ac_1")
    assert call.is_redacted
    assert fake.request_count("DELETE") == 2


async def test_cancel_retries_a_502_the_spec_calls_undelivered(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=100))
    fake.add_fault(status=502, method="POST", path="/agents/calls/ac_1/cancel")
    assert (await client.calls.cancel("ac_1")).cancelled is True
    assert fake.request_count("POST", "/agents/calls/ac_1/cancel") == 2
    assert (await client.calls.get("ac_1")).end_reason == CallEndReason.API_CANCELLED


@pytest.mark.parametrize("status", [500, 503, 504, 429])
async def test_cancel_does_not_retry_other_statuses_that_may_have_taken_effect(
    fake: FakeCartesia, client: AsyncClient, status: int
) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=100))
    fake.add_fault(status=status, method="POST", path="/agents/calls/ac_1/cancel")
    with pytest.raises(APIStatusError):
        await client.calls.cancel("ac_1")
    assert fake.request_count("POST") == 1


async def test_cancel_502_honours_x_should_retry_false(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=100))
    fake.add_fault(
        status=502, headers={"X-Should-Retry": "false"}, method="POST", path="/agents/calls/"
    )
    with pytest.raises(InternalServerError):
        await client.calls.cancel("ac_1")
    assert fake.request_count("POST") == 1
