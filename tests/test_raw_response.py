"""``with_raw_response``: the whole HTTP response of a call, async and sync, and its result.

The fake answers the typical success without a request id, so the tests that look at headers
let a :class:`Fault` answer with status 200, the body the fake would have sent, and the headers
Cartesia sends (``X-Request-Id``).
"""

from __future__ import annotations

import asyncio

import pytest

from cartesia_calls import (
    AgentCall,
    APIResponse,
    AsyncClient,
    BadRequestError,
    CallBatch,
    Client,
    NotFoundError,
    OutboundCallResult,
    Page,
    RawResponse,
    ResponseDecodeError,
)
from cartesia_calls.testing import FakeCartesia

from .helpers import SleepRecorder

REQUEST_ID = "req_0123456789abcdef"


async def answer_with_request_id(fake: FakeCartesia, client: AsyncClient, path: str) -> bytes:
    """Have the next request to ``path`` answered by the fake's own body plus a request id."""
    body = (await client.request("GET", path)).content
    fake.add_fault(
        status=200, body=body, path=path, headers={"X-Request-Id": REQUEST_ID, "X-Extra": "1"}
    )
    return body


async def test_get_returns_the_response_and_parses_to_what_get_returns(
    fake: FakeCartesia, client: AsyncClient, sleeps: SleepRecorder
) -> None:
    fake.add_call(id="ac_1", status="completed")
    body = await answer_with_request_id(fake, client, "/agents/calls/ac_1")
    fake.add_fault(status=503, path="/agents/calls/ac_1")  # the first attempt fails
    fake.faults.reverse()

    response = await client.calls.with_raw_response.get("ac_1")

    assert isinstance(response, APIResponse)
    assert isinstance(response, RawResponse)
    assert response.status_code == 200
    assert response.request_id == REQUEST_ID
    assert response.headers["x-extra"] == "1"
    assert response.retries_taken == 1
    assert len(sleeps.delays) == 1
    assert response.elapsed > 0
    assert response.method == "GET"
    assert response.url == f"{fake.base_url}/agents/calls/ac_1"
    assert response.content == body
    assert response.json()["id"] == "ac_1"
    call = response.parse()
    assert isinstance(call, AgentCall)
    assert call == await client.calls.get("ac_1")
    assert REQUEST_ID in repr(response)
    assert "X-Extra" not in repr(response)


async def test_errors_raise_the_typed_exceptions(fake: FakeCartesia, client: AsyncClient) -> None:
    with pytest.raises(NotFoundError) as missing:
        await client.calls.with_raw_response.get("ac_missing")
    assert missing.value.status_code == 404
    with pytest.raises(ValueError, match="call_id"):
        await client.calls.with_raw_response.get("")
    fake.add_fault(status=200, body=b'{"id": 5}', path="/agents/calls/ac_1")
    with pytest.raises(ResponseDecodeError):
        await client.calls.with_raw_response.get("ac_1")
    with pytest.raises(ValueError, match="agent_id, batch_id, or both"):
        await client.calls.with_raw_response.list()
    assert fake.request_count() == 2


async def test_list_gives_the_first_pages_response(fake: FakeCartesia, client: AsyncClient) -> None:
    for i in range(5):
        fake.add_call(id=f"ac_{i}", agent_id="agent_1", start_time=f"2026-08-14T10:0{i}:00Z")
    response = await client.calls.with_raw_response.list(agent_id="agent_1", limit=2)
    assert fake.request_count() == 1
    assert response.status_code == 200
    page = response.parse()
    assert isinstance(page, Page)
    assert [call.id for call in page.data] == ["ac_4", "ac_3"]
    assert page == await client.calls.list(agent_id="agent_1", limit=2).first_page()
    assert response.url.endswith("/agents/calls?agent_id=agent_1&limit=2")


async def test_create_parses_to_the_list_of_results(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    response = await client.calls.with_raw_response.create(
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        outbound_calls=[{"to_number": "+14155550100"}, {"to_number": "+14155550101"}],
    )
    assert response.method == "POST"
    results = response.parse()
    assert [type(result) for result in results] == [OutboundCallResult] * 2
    # The same post-processing as calls.create: the items of the response's "calls".
    sent = response.json()["calls"]
    assert [result.agent_call_id for result in results] == [c["agent_call_id"] for c in sent]
    assert fake.request_count("POST") == 1


async def test_cancel_delete_and_logs(fake: FakeCartesia, client: AsyncClient) -> None:
    results = await client.calls.create(
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        outbound_calls=[{"to_number": "+14155550100"}],
    )
    call_id = results[0].agent_call_id
    assert call_id is not None
    fake.advance(2)
    cancelled = await client.calls.with_raw_response.cancel(call_id)
    assert cancelled.url.endswith(f"/agents/calls/{call_id}/cancel")
    assert cancelled.parse().cancelled is True
    deleted = await client.calls.with_raw_response.delete(call_id)
    assert deleted.method == "DELETE"
    assert deleted.parse().is_redacted
    fake.add_call(id="ac_logs", logs=["hello"])
    logs = await client.calls.with_raw_response.logs("ac_logs")
    assert logs.parse().logs == ["hello"]


async def test_batches_have_raw_responses_too(fake: FakeCartesia, client: AsyncClient) -> None:
    created = await client.batches.with_raw_response.create(
        name="spring",
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        recipients=[{"to_number": "+14155550100"}],
    )
    batch = created.parse()
    assert isinstance(batch, CallBatch)
    fetched = await client.batches.with_raw_response.get(batch.id)
    assert fetched.parse() == await client.batches.get(batch.id)
    assert fetched.status_code == 200
    cancelled = await client.batches.with_raw_response.cancel(batch.id)
    assert cancelled.method == "POST"
    assert cancelled.url.endswith(f"/agents/calls/batches/{batch.id}/cancel")
    listed = await client.batches.with_raw_response.list(agent_id="agent_1")
    assert [b.id for b in listed.parse().data] == [batch.id]
    with pytest.raises(BadRequestError):
        await client.batches.with_raw_response.retry(batch.id)


async def test_concurrent_calls_each_get_their_own_response(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    for i in range(8):
        fake.add_call(id=f"ac_{i}")
    fake.add_fault(delay=0.05, path="/agents/calls/ac_0")  # answered last
    plain = asyncio.ensure_future(client.calls.get("ac_7"))  # records nothing
    raw = await asyncio.gather(*(client.calls.with_raw_response.get(f"ac_{i}") for i in range(8)))
    assert (await plain).id == "ac_7"
    assert [r.url.rsplit("/", 1)[1] for r in raw] == [f"ac_{i}" for i in range(8)]
    assert [r.parse().id for r in raw] == [f"ac_{i}" for i in range(8)]


# -- sync ------------------------------------------------------------------------------------
# A sync test's ``fake`` runs on a thread of its own and its ``client`` is a Client (conftest).


def test_sync_get_returns_headers_and_parses(fake: FakeCartesia, client: Client) -> None:
    fake.add_call(id="ac_1")
    body = client.request("GET", "/agents/calls/ac_1").content
    fake.add_fault(
        status=200, body=body, path="/agents/calls/ac_1", headers={"X-Request-Id": REQUEST_ID}
    )
    response = client.calls.with_raw_response.get("ac_1")
    assert isinstance(response, APIResponse)
    assert (response.status_code, response.request_id, response.retries_taken) == (
        200,
        REQUEST_ID,
        0,
    )
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.elapsed > 0
    assert response.parse() == client.calls.get("ac_1")


def test_sync_errors_and_batches(fake: FakeCartesia, client: Client) -> None:
    with pytest.raises(NotFoundError):
        client.calls.with_raw_response.get("ac_missing")
    with pytest.raises(NotFoundError):
        client.batches.with_raw_response.get("acb_missing")
    batch = client.batches.create(
        name="n",
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        recipients=[{"to_number": "+14155550100"}],
    )
    listed = client.batches.with_raw_response.list(agent_id="agent_1").parse()
    assert [b.id for b in listed.data] == [batch.id]
    derived = client.with_options(max_retries=0)
    assert derived.batches.with_raw_response.get(batch.id).parse().id == batch.id


def test_every_sync_raw_method_returns_its_response(fake: FakeCartesia, client: Client) -> None:
    raw = client.calls.with_raw_response
    created = raw.create(
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        outbound_calls=[{"to_number": "+14155550100"}],
    )
    assert created.method == "POST"
    call_id = created.parse()[0].agent_call_id
    assert call_id is not None
    fake.advance(2)
    assert raw.cancel(call_id).parse().cancelled is True
    assert raw.delete(call_id).parse().is_redacted
    fake.add_call(id="ac_logs", logs=["hello"])
    assert raw.logs("ac_logs").parse().logs == ["hello"]
    batches = client.batches.with_raw_response
    batch = batches.create(
        name="n",
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        recipients=[{"to_number": "+14155550101"}],
    ).parse()
    cancelled = batches.cancel(batch.id)
    assert cancelled.url.endswith(f"/agents/calls/batches/{batch.id}/cancel")
    with pytest.raises(BadRequestError):
        batches.retry(batch.id)
