"""The fake refuses what the API refuses, the same way for a call and a batch recipient, and reads
every timestamp with one parser. Requests go through ``client.request`` (nothing checks them on
the way, as a client that is not this SDK would send them)."""

from __future__ import annotations

from typing import Any

import pytest

from cartesia_calls import AsyncClient, BadRequestError
from cartesia_calls.testing import FakeCartesia

GOOD = {"to_number": "+14155550123"}


def create_calls(item: Any) -> dict[str, Any]:
    return {"agent_id": "agent_1", "from_number_id": "pn_fake_number", "outbound_calls": [item]}


def create_batch(item: Any) -> dict[str, Any]:
    return {
        "name": "b",
        "agent_id": "agent_1",
        "from_number_id": "pn_fake_number",
        "recipients": [GOOD, item],
    }


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ("+14155550123", "{where} must be an object."),
        ({**GOOD, "name": "Ada"}, "Unknown field {where}.name."),
        ({"to_number": "555-0101"}, "{where}.to_number must be an E.164 phone number"),
        ({**GOOD, "metadata": "x"}, "{where}.metadata must be an object."),
        (
            {**GOOD, "dynamic_variables": {"system__x": 1}},
            "{where}: Dynamic variable name 'system__x' uses a reserved prefix.",
        ),
        ({**GOOD, "dynamic_variables": {"a": None}}, "must be a string, number or boolean"),
    ],
)
async def test_a_bad_outbound_item_is_refused_alike_for_calls_and_batches(
    cartesia_fake: FakeCartesia, cartesia_client: AsyncClient, item: Any, problem: str
) -> None:
    for path, body, where in [
        ("/agents/calls", create_calls(item), "outbound_calls[0]"),
        ("/agents/calls/batches", create_batch(item), "recipients[1]"),
    ]:
        with pytest.raises(BadRequestError) as info:
            await cartesia_client.request("POST", path, json=body)
        assert info.value.error_code == "invalid_request"
        assert problem.format(where=where) in info.value.message
    assert cartesia_fake.calls == {}
    assert cartesia_fake.batches == {}


async def test_time_filters_take_rfc3339_in_either_case_and_refuse_a_time_without_offset(
    cartesia_fake: FakeCartesia, cartesia_client: AsyncClient
) -> None:
    cartesia_fake.add_call(id="ac_early", agent_id="a", start_time="2026-08-14T08:00:00Z")
    cartesia_fake.add_call(id="ac_late", agent_id="a", start_time="2026-08-14T10:00:00+00:00")
    # Seeded data without an offset is read as UTC.
    cartesia_fake.add_call(id="ac_naive", agent_id="a", start_time="2026-08-14T09:30:00")
    page = await cartesia_client.request(
        "GET", "/agents/calls", params={"agent_id": "a", "start_time_gte": "2026-08-14t09:00:00z"}
    )
    assert [call["id"] for call in page.json()["data"]] == ["ac_late", "ac_naive"]
    for bad in ("2026-08-14T09:00:00", "yesterday"):
        with pytest.raises(BadRequestError, match="start_time_lte is not an RFC 3339 timestamp"):
            await cartesia_client.request(
                "GET", "/agents/calls", params={"agent_id": "a", "start_time_lte": bad}
            )


async def test_scheduled_at_needs_an_offset_and_a_seeded_batch_a_known_shape(
    cartesia_fake: FakeCartesia, cartesia_client: AsyncClient
) -> None:
    body = {**create_batch(GOOD), "scheduled_at": "2099-01-01T09:00:00"}
    with pytest.raises(BadRequestError, match="scheduled_at must carry a UTC offset"):
        await cartesia_client.request("POST", "/agents/calls/batches", json=body)
    with pytest.raises(TypeError, match="batch must be a CallBatch or a mapping, got int"):
        cartesia_fake.add_batch(42)
    with pytest.raises(TypeError, match="each recipient must be a number, a BatchRecipient"):
        cartesia_fake.add_batch(recipients=[42])
