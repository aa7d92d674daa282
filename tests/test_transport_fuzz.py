"""Arbitrary responses thrown at the transport: any status line, headers and body bytes (gzip,
chunked framing, lying lengths, redirects, charsets), or bytes that are not HTTP at all. Every
operation ends with a correct result or one of the SDK's typed errors, in bounded time, and no
error holds the key.

A raw-socket server (tests/hostile.py, on its own thread) writes each generated response byte
for byte, then closes the connection.
"""

from __future__ import annotations

import asyncio
import gzip
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cartesia_calls import AgentCall, APIError, AsyncClient, RawResponse, Timeout

from .helpers import SleepRecorder
from .hostile import (
    SECRET,
    HostileServer,
    Request,
    Wire,
    assert_no_key,
    call,
    serving_in_thread,
    wav,
)


class Current:
    """The response the server sends next (set by each example)."""

    raw = b""


async def answer(request: Request, wire: Wire) -> None:
    await wire.send(Current.raw)
    await wire.close()


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with serving_in_thread(answer) as running:
        yield running


CALL = b'{"id": "ac_1", "agent_id": "agent_1", "status": "completed"}'
PAGE = b'{"data": [' + CALL + b'], "has_more": false}'

# Locations stay on loopback: a redirect must never make a test reach the network.
LOCATIONS = [
    "/agents/calls/ac_1",
    "/elsewhere",
    "//127.0.0.1:1/x",
    "https://127.0.0.1:1/x",
    "http://127.0.0.1:1/x",
    "http://[::1",
    "ftp://127.0.0.1/x",
    "",
    "?page=2",
    "%ff%00",
]
NAMES = [
    "Content-Type",
    "Content-Length",
    "Content-Encoding",
    "Transfer-Encoding",
    "Location",
    "Retry-After",
    "Retry-After-Ms",
    "X-Should-Retry",
    "Connection",
    "X-Request-Id",
]
VALUES = {
    "Content-Type": [
        "application/json",
        "audio/wav",
        "application/octet-stream",
        "text/html; charset=idna",
        "text/plain; charset=zlib",
        "application/json; charset=no-such",
        "audio/wav; charset=utf-16",
        "",
    ],
    "Content-Length": ["0", "1", "5", "-1", "999999999999", "abc", "10, 10", " 7 "],
    "Content-Encoding": ["gzip", "deflate", "br", "identity", "zstd", "x-unknown", "gzip, gzip"],
    "Transfer-Encoding": ["chunked", "gzip, chunked", "identity", "chunked, chunked"],
    "Location": LOCATIONS,
    "Retry-After": ["0", "1", "-1", "nan", "Wed, 21 Oct 2015 07:28:00 GMT", "9" * 40],
    "Retry-After-Ms": ["0", "10", "inf", "x"],
    "X-Should-Retry": ["true", "false", "maybe"],
    "Connection": ["close", "keep-alive", "upgrade"],
    "X-Request-Id": ["req_1", SECRET],
}

header_text = st.binary(max_size=40).map(
    lambda b: b.replace(b"\r", b"").replace(b"\n", b"").decode("latin-1")
)


@st.composite
def header(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(NAMES) | st.from_regex(r"X-[A-Za-z0-9-]{1,12}", fullmatch=True))
    known = VALUES.get(name)
    value = draw(st.sampled_from(known) if known else header_text)
    if known and name != "Location" and draw(st.booleans()):
        value = draw(header_text)  # the named header with any bytes at all
    return name, value


PAYLOADS = [CALL, PAGE, wav(), b"", b"{", SECRET.encode(), b"<html>x</html>", b"x" * 5000]
COMMON = [200, 200, 200, 200, 201, 204, 301, 302, 307, 400, 401, 404, 429, 500, 503]
TYPES = ["application/json", "audio/wav", "text/html; charset=idna", "text/plain; charset=zlib"]


def rarely(draw: st.DrawFn) -> bool:
    """True but one time in five: what stays well-formed, most of the time."""
    return draw(st.integers(0, 4)) != 0


@st.composite
def response(draw: st.DrawFn) -> bytes:
    """Mostly well-framed HTTP/1.1 with one thing or another wrong; sometimes not HTTP at all."""
    if draw(st.integers(0, 19)) == 0:
        raw = draw(st.binary(max_size=200))
        return b"" if b"location" in raw.lower() else raw
    status = draw(st.sampled_from(COMMON) if rarely(draw) else st.integers(100, 999))
    version = "HTTP/1.1"
    if not rarely(draw):
        version = draw(st.sampled_from(["HTTP/1.0", "HTTP/2", "HTTP/1.1x", "ICY"]))
    reason = draw(st.sampled_from(["OK", "", "Weird Reason \xff"]))
    payload = draw(st.sampled_from(PAYLOADS) if rarely(draw) else st.binary(max_size=600))
    headers = [("Content-Type", draw(st.sampled_from(TYPES) if rarely(draw) else header_text))]
    coding = draw(
        st.sampled_from(["none", "none", "none", "gzip", "bad gzip", "unlabelled", "mislabelled"])
    )
    if coding in {"gzip", "bad gzip", "unlabelled"}:
        payload = gzip.compress(payload)
        if coding == "bad gzip":
            payload = payload[: draw(st.integers(0, 30))]
    if coding in {"gzip", "bad gzip", "mislabelled"}:
        headers.append(("Content-Encoding", "gzip"))
    framing = draw(st.sampled_from(["length", "length", "close", "chunked", "lying"]))
    if framing == "length":
        headers.append(("Content-Length", str(len(payload))))
    elif framing == "lying":
        headers.append(("Content-Length", str(draw(st.integers(0, 2 * len(payload) + 10)))))
    elif framing == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
        payload = (b"%x\r\n%s\r\n" % (len(payload), payload) if payload else b"") + b"0\r\n\r\n"
    if not rarely(draw):
        headers += draw(st.lists(header(), min_size=1, max_size=3))
    lines = [f"{version} {status} {reason}"] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


async def run(base_url: str, operation: str, destination: Path) -> object:
    timeout = Timeout(total=2, connect=2, read=0.5)
    async with AsyncClient(
        api_key=SECRET,
        base_url=base_url,
        max_retries=1,
        backoff=SleepRecorder().backoff(),
        timeout=timeout,
        max_response_bytes=4096,
        trust_env=False,
    ) as client:
        if operation == "get":
            return await client.calls.get("ac_1")
        if operation == "list":
            return await client.calls.list(agent_id="agent_1", limit=1).to_list()
        if operation == "request":
            return await client.request("GET", "/agents/calls/ac_1")
        if operation == "create":
            return await client.calls.create(
                agent_id="agent_1",
                from_number_id="pn_1",
                outbound_calls=[{"to_number": "+14155550001"}],
            )
        return await client.calls.download_audio("ac_1", destination)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    raw=response(),
    operation=st.sampled_from(["get", "list", "request", "create", "download"]),
)
def test_any_response_gives_a_result_or_a_typed_error(
    server: HostileServer, raw: bytes, operation: str
) -> None:
    Current.raw = raw
    with tempfile.TemporaryDirectory() as folder:
        destination = Path(folder) / "call.wav"
        try:
            result = asyncio.run(asyncio.wait_for(run(server.base_url, operation, destination), 30))
        except APIError as error:
            assert_no_key(error)
            assert list(Path(folder).iterdir()) == [], "a failed download left a file"
            return
    # A result is only ever a correct one.
    if operation == "get":
        assert isinstance(result, AgentCall)
        assert result.id == "ac_1"
    elif operation == "request":
        assert isinstance(result, RawResponse)
        assert len(result.content) <= 4096
    elif operation == "download":
        assert isinstance(result, int)


def test_the_examples_include_successes(server: HostileServer, tmp_path: Path) -> None:
    """The fuzz test is not vacuous: well-formed answers do succeed through the same path."""
    for operation, payload, kind in [
        ("get", CALL, "application/json"),
        ("download", wav(), "audio/wav"),
        ("request", gzip.compress(CALL), "application/json"),
    ]:
        encoding = "Content-Encoding: gzip\r\n" if operation == "request" else ""
        Current.raw = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\n{encoding}"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        result = asyncio.run(run(server.base_url, operation, tmp_path / "call.wav"))
        assert result is not None
    assert call()["id"] == "ac_1"
