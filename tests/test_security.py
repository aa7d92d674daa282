"""Secrets stay secret, TLS is verified, and plain HTTP to a remote host is flagged."""

from __future__ import annotations

import logging
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme

from cartesia_calls import (
    DEFAULT_BASE_URL,
    APIConnectionError,
    APIError,
    AsyncClient,
    Client,
    Timeout,
)
from cartesia_calls.testing import FakeCartesia, Fault

from .helpers import SleepRecorder

SECRET = "sk_car_secret_0123456789abcdef"


@pytest.fixture
async def fake() -> AsyncIterator[FakeCartesia]:
    async with FakeCartesia(api_key=SECRET) as server:
        server.add_call(id="ac_1", recording=1.0, logs=["line"])
        yield server


FAULTS = [
    Fault(status=401),
    Fault(status=500, times=9),
    Fault(status=200, body=b"not json"),
    Fault(action="drop", times=9),
    Fault(delay=0.3, times=9),
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f"{f.status}-{f.action}-{f.delay}")
async def test_the_key_is_in_no_log_record_and_no_error(
    fake: FakeCartesia, caplog: pytest.LogCaptureFixture, fault: Fault
) -> None:
    fake.add_fault(fault)
    timeout = Timeout(total=5, connect=1, read=0.1)
    with caplog.at_level(logging.DEBUG):
        async with fake.client(timeout=timeout, backoff=SleepRecorder().backoff()) as client:
            with pytest.raises(APIError) as info:
                await client.calls.get("ac_1")
            assert SECRET not in repr(client)
    error = info.value
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert SECRET not in repr(vars(error))
    assert caplog.records, "the DEBUG log recorded nothing"
    for record in caplog.records:
        assert SECRET not in record.getMessage()


async def test_the_key_is_not_in_anything_a_call_returns(
    fake: FakeCartesia, tmp_path: Path
) -> None:
    async with fake.client() as client:
        call = await client.calls.get("ac_1")
        logs = await client.calls.logs("ac_1")
        raw = await client.request("GET", "/agents/calls/ac_1")
    for text in (repr(call), str(call.to_dict()), repr(logs), repr(raw), raw.text):
        assert SECRET not in text
    assert SECRET not in str(dict(raw.headers))


def test_https_is_the_default() -> None:
    assert DEFAULT_BASE_URL.startswith("https://")
    assert AsyncClient(api_key=SECRET).base_url == DEFAULT_BASE_URL


async def test_certificates_are_verified(tmp_path: Path) -> None:
    # A server whose certificate no trusted authority signed: the client must refuse it.
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    sleeps = SleepRecorder()
    async with FakeCartesia(api_key=SECRET, ssl_context=server_context) as fake:
        fake.add_call(id="ac_1")
        assert fake.base_url.startswith("https://")
        async with fake.client(backoff=sleeps.backoff()) as client:
            with pytest.raises(APIConnectionError, match="certificate") as info:
                await client.calls.get("ac_1")
    assert SECRET not in str(info.value)
    assert sleeps.delays == [], "a certificate failure is not worth retrying"
    assert fake.request_count() == 0


@pytest.mark.parametrize(
    "url", ["http://api.cartesia.ai", "http://10.0.0.5:8080", "http://example.com/prefix"]
)
def test_plain_http_to_a_remote_host_warns_at_the_callers_line(url: str) -> None:
    with pytest.warns(UserWarning, match="plain HTTP") as caught:
        AsyncClient(api_key=SECRET, base_url=url)
    with pytest.warns(UserWarning, match="plain HTTP") as caught_sync:
        Client(api_key=SECRET, base_url=url).close()
    assert caught[0].filename == caught_sync[0].filename == __file__


@pytest.mark.parametrize(
    ("call_id", "raw"),
    [
        ("../../agents", "/agents/calls/..%2F..%2Fagents"),
        ("ac_1/cancel", "/agents/calls/ac_1%2Fcancel"),
        ("ac_1?agent_id=x", "/agents/calls/ac_1%3Fagent_id%3Dx"),
        (".", "/agents/calls/%2E"),
    ],
)
async def test_ids_cannot_escape_their_path_segment(
    fake: FakeCartesia, call_id: str, raw: str
) -> None:
    fake.add_call(id=call_id)
    async with fake.client() as client:
        assert (await client.calls.get(call_id)).id == call_id
    assert fake.requests[-1].path == raw
    assert fake.requests[-1].query == {}
