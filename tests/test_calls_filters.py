"""calls.list's 2026-08-14 filters: start-time bounds, agent and batch together."""

from __future__ import annotations

import datetime as dt

import pytest

from cartesia_calls import (
    AsyncClient,
    BadRequestError,
)
from cartesia_calls.testing import FakeCartesia

# -- list filters (2026-08-14) ------------------------------------------------------------------


def seed_times(fake: FakeCartesia) -> None:
    for hour in (8, 9, 10, 11):
        fake.add_call(
            id=f"ac_{hour}", agent_id="agent_1", start_time=f"2026-08-14T{hour:02d}:00:00Z"
        )
    fake.add_call(id="ac_never", agent_id="agent_1", status="failed")  # never started


async def test_list_sends_the_time_filters_and_they_are_inclusive(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    seed_times(fake)
    paris = dt.timezone(dt.timedelta(hours=2))
    calls = await client.calls.list(
        agent_id="agent_1",
        start_time_gte=dt.datetime(2026, 8, 14, 11, 0, tzinfo=paris),  # 09:00 UTC
        start_time_lte="2026-08-14T10:00:00+00:00",
    ).to_list()
    assert [c.id for c in calls] == ["ac_10", "ac_9"]
    query = fake.requests[-1].query
    assert query["start_time_gte"] == "2026-08-14T09:00:00Z"  # aware datetime: UTC, with Z
    assert query["start_time_lte"] == "2026-08-14T10:00:00+00:00"  # a string: as given


async def test_list_takes_agent_id_and_batch_id_together(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_batch(id="acb_1", agent_id="agent_1")
    fake.add_call(id="ac_in", agent_id="agent_1", batch_id="acb_1")
    fake.add_call(id="ac_out", agent_id="agent_1")
    calls = await client.calls.list(agent_id="agent_1", batch_id="acb_1").to_list()
    assert [c.id for c in calls] == ["ac_in"]
    assert fake.requests[-1].query["agent_id"] == "agent_1"
    assert fake.requests[-1].query["batch_id"] == "acb_1"
    assert calls[0].extra == {}  # the fake's own bookkeeping (batch_id) never reaches the wire
    with pytest.raises(BadRequestError, match="does not match"):
        await client.calls.list(agent_id="agent_2", batch_id="acb_1").to_list()


async def test_the_fake_refuses_malformed_or_reversed_bounds(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    for query in (
        {"start_time_gte": "yesterday"},
        {"start_time_gte": "2026-08-14T10:00:00Z", "start_time_lte": "2026-08-14T09:00:00Z"},
    ):
        with pytest.raises(BadRequestError):
            await client.request("GET", "/agents/calls", params={"agent_id": "a", **query})


async def test_extra_query_headers_and_body_are_sent(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", agent_id="agent_1")
    await client.calls.get(
        "ac_1",
        extra_query={"include": "beta", "n": 2, "flag": True},
        extra_headers={"X-Trace": "t1"},
    )
    request = fake.requests[-1]
    assert request.query == {"include": "beta", "n": "2", "flag": "true"}
    assert request.headers["X-Trace"] == "t1"
    await client.calls.create(
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        outbound_calls=[{"to_number": "+14155550001"}],
        extra_body={"future_option": {"a": 1}},
        extra_headers={"Cartesia-Version": "2026-03-01"},
    )
    created = fake.requests[-1]
    assert created.json()["future_option"] == {"a": 1}
    assert created.headers["Cartesia-Version"] == "2026-03-01"  # per-request version override
    assert created.headers["Authorization"] == f"Bearer {fake.api_key}"


async def test_extra_body_cannot_override_an_argument(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    with pytest.raises(ValueError, match=r"'agent_id'.*already set"):
        await client.calls.create(
            agent_id="agent_1",
            from_number_id="pn_fake_number",
            outbound_calls=[{"to_number": "+14155550001"}],
            extra_body={"agent_id": "agent_2"},
        )
    with pytest.raises(TypeError, match="extra_body"):
        await client.calls.create(
            agent_id="agent_1",
            from_number_id="pn_fake_number",
            outbound_calls=[{"to_number": "+14155550001"}],
            extra_body=["x"],  # type: ignore[arg-type]
        )
    assert fake.request_count() == 0
