"""Secrets stay secret, TLS is verified, and plain HTTP to a remote host is flagged."""

from __future__ import annotations

import logging
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
from .hostile import assert_no_key, server_tls

SECRET = "sk_car_secret_0123456789abcdef"

pytestmark = pytest.mark.fake(api_key=SECRET)


@pytest.fixture
def fake(fake: FakeCartesia) -> FakeCartesia:
    fake.add_call(id="ac_1", recording=1.0, logs=["line"])
    return fake


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
    assert_no_key(info.value, SECRET)
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


async def test_certificates_are_verified(authority: trustme.CA) -> None:
    # A server whose certificate no trusted authority signed: the client must refuse it.
    sleeps = SleepRecorder()
    async with FakeCartesia(api_key=SECRET, ssl_context=server_tls(authority)) as fake:
        fake.add_call(id="ac_1")
        assert fake.base_url.startswith("https://")
        async with fake.client(backoff=sleeps.backoff()) as client:
            with pytest.raises(APIConnectionError, match="certificate") as info:
                await client.calls.get("ac_1")
    assert_no_key(info.value, SECRET)
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
