"""The transport against a hostile server (tests/hostile.py): bodies bounded after decompression,
downloads never decompressed, deadlines for headers and pool slots, redirects, a raising hook,
credentials in base_url, and no API key anywhere an exception can reach.

Each test is bounded in time by its client's short timeouts (and ``anyio.fail_after`` as a guard
against hanging), and where memory is the point, by ``tracemalloc``.
"""

from __future__ import annotations

import asyncio
import logging
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path

import anyio
import pytest
import trustme

from cartesia_calls import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    CartesiaError,
    Client,
    InternalServerError,
    ResponseDecodeError,
    ResponseInfo,
    Timeout,
)
from cartesia_calls.testing import FakeCartesia, Recording

from .helpers import SleepRecorder
from .hostile import (
    SECRET,
    HostileServer,
    Request,
    Script,
    Wire,
    assert_no_key,
    call,
    server_tls,
    wav,
)

MiB = 1024 * 1024
GUARD = 20  # seconds: a test that would hang fails instead

Operation = Callable[[AsyncClient, Path], Awaitable[object]]


async def get(client: AsyncClient, tmp: Path) -> object:
    return await client.calls.get("ac_1")


async def list_all(client: AsyncClient, tmp: Path) -> object:
    return await client.calls.list(agent_id="agent_1").to_list()


async def download(client: AsyncClient, tmp: Path) -> object:
    return await client.calls.download_audio("ac_1", tmp / "call.wav")


async def create(client: AsyncClient, tmp: Path) -> object:
    return await client.calls.create(
        agent_id="agent_1", from_number_id="pn_1", outbound_calls=[{"to_number": "+14155550001"}]
    )


async def delete(client: AsyncClient, tmp: Path) -> object:
    return await client.calls.delete("ac_1")


@cache
def bomb(size: int) -> bytes:
    """``size`` zero bytes as a gzip stream (about a thousandth of ``size``)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MiB)
    return b"".join(packer.compress(block) for _ in range(size // MiB)) + packer.flush()


# -- 2. bounded bodies ---------------------------------------------------------------------------


async def test_a_gzip_bomb_stops_at_the_limit_in_bounded_memory() -> None:
    compressed = bomb(256 * MiB)

    async def script(request: Request, wire: Wire) -> None:
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        await wire.respond(200, headers, compressed)

    async with HostileServer(script) as server, server.client(max_response_bytes=MiB) as client:
        tracemalloc.start()
        try:
            with anyio.fail_after(GUARD), pytest.raises(ResponseDecodeError) as info:
                await client.calls.get("ac_1")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert "larger than 1,048,576 bytes (decompressed)" in str(info.value)
    assert "max_response_bytes" in str(info.value)
    assert peak < 16 * MiB, f"reading a 256 MiB bomb peaked at {peak / MiB:.1f} MiB"


@pytest.mark.parametrize("framing", ["close-delimited", "chunked", "announced"])
async def test_a_body_past_the_limit_is_refused_however_it_is_framed(framing: str) -> None:
    body = b'{"id": "ac_1", "pad": "' + b"x" * (2 * MiB) + b'"}'

    async def script(request: Request, wire: Wire) -> None:
        headers = {"Content-Type": "application/json"}
        if framing == "close-delimited":
            await wire.respond(200, headers, body, content_length=None)
        elif framing == "chunked":
            await wire.head(200, {**headers, "Transfer-Encoding": "chunked"})
            for start in range(0, len(body), 64 * 1024):
                piece = body[start : start + 64 * 1024]
                await wire.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            await wire.send(b"0\r\n\r\n")
        else:  # announces 10 GiB and sends nothing: refused from the header alone
            await wire.head(200, {**headers, "Content-Length": str(10 * 1024 * MiB)})

    async with HostileServer(script) as server, server.client(max_response_bytes=MiB) as client:
        with anyio.fail_after(GUARD), pytest.raises(ResponseDecodeError, match="larger than"):
            await client.calls.get("ac_1")


async def test_a_body_exactly_at_the_limit_is_read() -> None:
    body = b'{"id": "ac_1", "agent_id": "a", "status": "completed", "pad": "'
    body += b"x" * (4096 - len(body) - 2) + b'"}'
    assert len(body) == 4096

    async def script(request: Request, wire: Wire) -> None:
        await wire.respond(200, {"Content-Type": "application/json"}, body, content_length=None)

    async with HostileServer(script) as server:
        async with server.client(max_response_bytes=4096) as client:
            assert (await client.calls.get("ac_1")).id == "ac_1"
        async with server.client(max_response_bytes=4095) as client:
            with pytest.raises(ResponseDecodeError):
                await client.calls.get("ac_1")
            assert (await client.with_options(max_response_bytes=4096).calls.get("ac_1")).id


def test_the_default_limit_is_generous_and_the_option_is_checked() -> None:
    client = AsyncClient(api_key=SECRET)
    assert client._options.max_response_bytes == 64 * MiB
    for bad, kind in [(0, ValueError), (-1, ValueError), (True, TypeError), ("1", TypeError)]:
        with pytest.raises(kind, match="max_response_bytes"):
            AsyncClient(api_key=SECRET, max_response_bytes=bad)  # type: ignore[arg-type]


async def test_audio_is_asked_for_uncompressed_and_refused_compressed(tmp_path: Path) -> None:
    compressed = bomb(64 * MiB)  # a 64 KiB body that would be a 64 MiB .wav

    async def script(request: Request, wire: Wire) -> None:
        headers = {"Content-Type": "audio/wav", "Content-Encoding": "gzip"}
        await wire.respond(200, headers, compressed)

    destination = tmp_path / "call.wav"
    destination.write_bytes(b"the good recording")
    async with HostileServer(script) as server, server.client() as client:
        with anyio.fail_after(GUARD), pytest.raises(ResponseDecodeError, match="compressed"):
            await client.calls.download_audio("ac_1", destination)
        assert server.requests[0].headers["accept-encoding"] == "identity"
    assert destination.read_bytes() == b"the good recording"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call.wav"]


async def test_audio_announcing_more_than_a_wav_can_hold_is_refused(tmp_path: Path) -> None:
    async def script(request: Request, wire: Wire) -> None:
        await wire.head(200, {"Content-Type": "audio/wav", "Content-Length": str(2**33)})

    async with HostileServer(script) as server, server.client() as client:
        with anyio.fail_after(GUARD), pytest.raises(ResponseDecodeError, match="no WAV file"):
            await client.calls.download_audio("ac_1", tmp_path / "call.wav")
    assert list(tmp_path.iterdir()) == []


async def test_a_download_stops_at_its_limit_as_it_streams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cartesia_calls._responses as responses  # noqa: PLC0415

    monkeypatch.setattr(responses, "MAX_DOWNLOAD_BYTES", 64 * 1024)  # as if 4 GiB had arrived

    async def script(request: Request, wire: Wire) -> None:
        body = wav(bytes(256 * 1024), riff_size=0xFFFFFFFF)  # "size unknown", as streams say
        await wire.respond(200, {"Content-Type": "audio/wav"}, body, content_length=None)

    destination = tmp_path / "call.wav"
    destination.write_bytes(b"the good recording")
    async with HostileServer(script) as server, server.client() as client:
        with pytest.raises(ResponseDecodeError, match="larger than 65,536 bytes"):
            await client.calls.download_audio("ac_1", destination)
    assert destination.read_bytes() == b"the good recording"


# -- 3. error bodies in any charset ----------------------------------------------------------------


@pytest.mark.parametrize("charset", ["no-such-codec", "zlib", "idna", "utf-16", '"x'])
async def test_an_error_body_in_any_charset_is_a_typed_error(charset: str) -> None:
    async def script(request: Request, wire: Wire) -> None:
        content_type = f"text/plain; charset={charset}"
        await wire.respond(500, {"Content-Type": content_type}, b"Gateway: it broke \xff\xfe")

    async with HostileServer(script) as server, server.client() as client:
        with pytest.raises(InternalServerError) as info:
            await client.calls.get("ac_1")
    assert info.value.status_code == 500
    assert isinstance(info.value.body, str)


# -- 7. deadlines ----------------------------------------------------------------------------------

HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: "
    + b"x" * 200
    + b"\r\nContent-Length: 2\r\n\r\n{}"
)


async def drip_headers(request: Request, wire: Wire) -> None:
    await wire.drip(HEAD, delay=0.02)  # each byte well within `read`: only a deadline stops it


@pytest.mark.parametrize("operation", [get, download])
async def test_headers_dripped_byte_by_byte_hit_the_headers_deadline(
    operation: Operation, tmp_path: Path
) -> None:
    timeout = Timeout(total=0.5, connect=5, read=5)
    async with HostileServer(drip_headers) as server, server.client(timeout=timeout) as client:
        with anyio.fail_after(GUARD), pytest.raises(APITimeoutError) as info:
            await operation(client, tmp_path)
    assert info.value.kind == "headers"
    assert "did not arrive within 0.5 s (the total timeout)" in str(info.value)
    assert list(tmp_path.iterdir()) == []


async def test_waiting_for_a_pool_slot_is_bounded_by_connect() -> None:
    release = asyncio.Event()

    async def script(request: Request, wire: Wire) -> None:
        if request.path.endswith("/held"):
            await release.wait()
        await wire.json(call())

    timeout = Timeout(total=10, connect=0.2, read=10)
    async with HostileServer(script) as server:
        sleeps = SleepRecorder()
        async with server.client(
            timeout=timeout, connection_limit=1, max_retries=2, backoff=sleeps.backoff()
        ) as client:
            held = asyncio.ensure_future(client.calls.get("held"))
            while not server.requests:  # noqa: ASYNC110 - the held request takes the only slot
                await asyncio.sleep(0.01)
            with anyio.fail_after(GUARD), pytest.raises(APITimeoutError) as info:
                await create(client, Path())
            release.set()
            assert (await held).id == "ac_1"
            # The pool is fine afterwards.
            assert (await client.calls.get("ac_2")).id == "ac_1"
    error = info.value
    assert error.kind == "pool"
    assert error.request_sent is False
    assert "no connection of the pool (connection_limit=1) came free within 0.2 s" in str(error)
    # Nothing was sent, so even a POST was retried (and never reached the server).
    assert error.retries_taken == 2
    assert "3 attempts" in str(error)
    assert server.count("/agents/calls") == 0


# -- 8. credentials in base_url --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter2-password@api.example.com",
        "https://:hunter2-password@api.example.com",
        "https://hunter2-password@api.example.com",
        "https://user:hunter2-password@api.example.com:notaport",
    ],
)
def test_credentials_in_base_url_are_refused_without_repeating_them(
    url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(ValueError, match="base_url") as info:
            AsyncClient(api_key=SECRET, base_url=url)
        with pytest.raises(ValueError, match="base_url") as info_sync:
            Client(api_key=SECRET, base_url=url)
        monkeypatch.setenv("CARTESIA_BASE_URL", url)
        with pytest.raises(ValueError, match="base_url") as info_env:
            AsyncClient(api_key=SECRET)
    for error in (info.value, info_sync.value, info_env.value):
        assert_no_key(error, "hunter2")
    assert "hunter2" not in caplog.text


# -- 9. a raising on_response hook ----------------------------------------------------------------


class HookError(Exception):
    pass


async def test_a_raising_hook_leaks_no_connection(tmp_path: Path) -> None:
    def hook(info: ResponseInfo) -> None:
        if info.url.endswith(("/audio", "/ac_9")):
            raise HookError(info.url)

    async with FakeCartesia() as fake:
        fake.add_call(id="ac_1", recording=Recording(seconds=60.0))  # larger than a buffer
        fake.add_call(id="ac_2")
        fake.add_fault(status=500, path="/agents/calls/ac_9", times=9)
        timeout = Timeout(total=5, connect=1, read=5)
        # One connection: a leaked one would make the next request a pool timeout.
        kept: list[pytest.ExceptionInfo[HookError]] = []  # as a caller logging errors would
        async with fake.client(on_response=hook, connection_limit=1, timeout=timeout) as client:
            with pytest.raises(HookError) as info:
                await client.calls.download_audio("ac_1", tmp_path / "call.wav")
            kept.append(info)
            with pytest.raises(HookError) as info:
                async with client.calls.stream_audio("ac_1"):
                    pass  # pragma: no cover - the hook raises on opening
            kept.append(info)
            with pytest.raises(HookError) as info:
                await client.calls.get("ac_9")  # the hook raises on a 500
            kept.append(info)
            with anyio.fail_after(GUARD):
                for _ in range(3):
                    assert (await client.calls.get("ac_2")).id == "ac_2"
    assert list(tmp_path.iterdir()) == []


# -- 10. redirects ---------------------------------------------------------------------------------


def redirecting(location: str, status: int = 302, **headers: str) -> Script:
    async def script(request: Request, wire: Wire) -> None:
        await wire.respond(status, {"Location": location, **headers}, b"moved")

    return script


async def record_and_answer(request: Request, wire: Wire) -> None:
    if request.path.endswith("/audio") or request.path.endswith(".wav"):
        await wire.respond(200, {"Content-Type": "audio/wav"}, wav())
    else:
        await wire.json(call("ac_elsewhere"))


async def test_a_json_get_never_follows_a_redirect_to_another_origin() -> None:
    async with HostileServer(record_and_answer) as other:
        target = f"{other.base_url}/agents/calls/ac_1?token=x"
        async with HostileServer(redirecting(target)) as api, api.client(max_retries=2) as client:
            with pytest.raises(APIStatusError) as info:
                await client.calls.get("ac_1")
            assert api.count() == 1  # a redirect not followed is not retried either
    assert other.count() == 0
    error = info.value
    assert error.status_code == 302
    assert type(error) is APIStatusError
    assert f"302 redirect to {target} not followed" in str(error)
    assert "leaves http://127.0.0.1:" in str(error)
    assert error.headers["Location"] == target


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_same_origin_get_redirect_is_followed(status: int) -> None:
    async def script(request: Request, wire: Wire) -> None:
        if request.path.endswith("/old"):
            await wire.respond(status, {"Location": "/agents/calls/ac_1"}, b"")
        else:
            await wire.json(call("ac_1"))

    seen: list[int] = []

    def hook(info: ResponseInfo) -> None:
        seen.append(info.status_code)

    async with HostileServer(script) as api, api.client(on_response=hook) as client:
        assert (await client.calls.get("old")).id == "ac_1"
    assert [r.path for r in api.requests] == ["/agents/calls/old", "/agents/calls/ac_1"]
    assert api.requests[1].headers["authorization"] == f"Bearer {SECRET}"
    assert seen == [status, 200]


async def test_redirects_are_followed_a_bounded_number_of_times() -> None:
    async with HostileServer(redirecting("/agents/calls/loop")) as api, api.client() as client:
        with anyio.fail_after(GUARD), pytest.raises(APIStatusError, match="more than 5"):
            await client.calls.get("loop")
    assert api.count() == 6


@pytest.mark.parametrize("operation", [create, delete])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_post_and_delete_are_never_redirected(operation: Operation, status: int) -> None:
    script = redirecting("/agents/calls/elsewhere", status)
    options = {"max_retries": 2, "backoff": SleepRecorder().backoff()}
    async with HostileServer(script) as api, api.client(**options) as client:
        with pytest.raises(APIStatusError, match="requests are never redirected") as info:
            await operation(client, Path())
    assert info.value.status_code == status
    assert api.count() == 1


@pytest.mark.parametrize(
    "location", ["http://[::1", "ftp://127.0.0.1/x", "javascript:alert(1)", None]
)
async def test_a_redirect_nowhere_is_a_status_error(location: str | None) -> None:
    async def script(request: Request, wire: Wire) -> None:
        headers = {} if location is None else {"Location": location}
        await wire.respond(302, headers, b"")

    async with HostileServer(script) as api, api.client() as client:
        with pytest.raises(APIStatusError, match="not followed") as info:
            await client.calls.get("ac_1")
    assert info.value.status_code == 302
    assert api.count() == 1


async def test_a_redirect_is_not_retried_even_when_the_server_asks() -> None:
    script = redirecting("/agents/calls/x", 300, **{"X-Should-Retry": "true"})
    options = {"max_retries": 2, "backoff": SleepRecorder().backoff()}
    async with HostileServer(script) as api, api.client(**options) as client:
        with pytest.raises(APIStatusError):
            await client.calls.get("ac_1")
    assert api.count() == 1


async def test_a_download_follows_https_to_storage_without_the_key(
    authority: trustme.CA, ca_file: str, tmp_path: Path
) -> None:
    async with HostileServer(record_and_answer, ssl_context=server_tls(authority)) as storage:
        target = f"{storage.base_url}/recordings/ac_1.wav?signature=abc"
        options = {"verify": ca_file, "default_headers": {"X-Team": "t"}}
        async with HostileServer(redirecting(target, 307)) as api, api.client(**options) as client:
            written = await client.calls.download_audio("ac_1", tmp_path / "call.wav")
    assert (tmp_path / "call.wav").read_bytes() == wav()
    assert written == len(wav())
    sent = api.requests[0].headers
    assert sent["authorization"] == f"Bearer {SECRET}"
    assert "cartesia-version" in sent
    assert sent["x-team"] == "t"
    (fetched,) = storage.requests
    assert fetched.target == "/recordings/ac_1.wav?signature=abc"
    assert set(fetched.headers) & {"authorization", "cartesia-version", "x-team"} == set()
    assert fetched.headers["accept-encoding"] == "identity"
    assert fetched.headers["user-agent"].startswith("cartesia-calls-python/")


async def test_once_away_from_the_api_the_key_is_never_sent_again(
    authority: trustme.CA, ca_file: str, tmp_path: Path
) -> None:
    async def api_script(request: Request, wire: Wire) -> None:
        if request.path.endswith("/audio"):
            await wire.respond(302, {"Location": storage.base_url + "/bounce"}, b"")
        else:
            await wire.respond(200, {"Content-Type": "audio/wav"}, wav())

    async with HostileServer(api_script) as api:

        async def storage_script(request: Request, wire: Wire) -> None:
            await wire.respond(302, {"Location": api.base_url + "/back.wav"}, b"")

        tls = server_tls(authority)
        async with (
            HostileServer(storage_script, ssl_context=tls) as storage,
            api.client(verify=ca_file) as client,
        ):
            await download(client, tmp_path)
    assert [r.path for r in api.requests] == ["/agents/calls/ac_1/audio", "/back.wav"]
    assert "authorization" not in api.requests[1].headers
    assert "authorization" not in storage.requests[0].headers


async def test_a_download_never_follows_plain_http_to_another_origin(tmp_path: Path) -> None:
    destination = tmp_path / "call.wav"
    destination.write_bytes(b"the good recording")
    async with HostileServer(record_and_answer) as storage:
        target = f"{storage.base_url}/recordings/ac_1.wav"
        async with HostileServer(redirecting(target)) as api, api.client() as client:
            with pytest.raises(APIStatusError, match="over https only"):
                await client.calls.download_audio("ac_1", destination)
    assert storage.count() == 0
    assert destination.read_bytes() == b"the good recording"


# -- 12. the key, wherever an exception can reach -------------------------------------------------


async def echo_401(request: Request, wire: Wire) -> None:
    body = f'{{"message": "bad key {SECRET}", "echo": "{request.headers["authorization"]}"}}'
    await wire.respond(401, {"Content-Type": "application/json", "X-Echo": SECRET}, body.encode())


async def echo_in_a_field(request: Request, wire: Wire) -> None:
    await wire.json(call(start_time=SECRET, agent_id=[SECRET]))


async def reset_mid_body(request: Request, wire: Wire) -> None:
    await wire.head(200, {"Content-Type": "application/json", "Content-Length": "1000"})
    await wire.send(b'{"id": "')
    await wire.reset()


async def garbled_status_line(request: Request, wire: Wire) -> None:
    await wire.send(f"HTTP/1.1 OOPS {SECRET}\r\n\r\n".encode())
    await wire.close()


async def silent(request: Request, wire: Wire) -> None:
    await asyncio.sleep(GUARD)


async def redirect_echoing_the_key(request: Request, wire: Wire) -> None:
    await wire.respond(302, {"Location": f"http://evil.example/{SECRET}"}, SECRET.encode())


async def too_big(request: Request, wire: Wire) -> None:
    await wire.respond(200, {"Content-Type": "application/json"}, SECRET.encode() * 1000)


SCRIPTS: dict[str, Script] = {
    "401 echoing the key": echo_401,
    "the key in a bad field": echo_in_a_field,
    "reset mid-body": reset_mid_body,
    "garbled status line": garbled_status_line,
    "read timeout": silent,
    "redirect echoing the key": redirect_echoing_the_key,
    "body too large": too_big,
}


@pytest.mark.parametrize("name", SCRIPTS)
@pytest.mark.parametrize("operation", [get, list_all, download])
async def test_no_exception_holds_the_key_anywhere(
    name: str, operation: Operation, tmp_path: Path
) -> None:
    options = {"timeout": Timeout(total=5, connect=2, read=0.2), "max_response_bytes": 1000}
    async with HostileServer(SCRIPTS[name]) as server, server.client(**options) as client:
        with pytest.raises(CartesiaError) as info:
            await operation(client, tmp_path)
    assert isinstance(info.value, APIError)
    assert_no_key(info.value)


async def test_a_refused_connection_holds_no_key() -> None:
    async with HostileServer(silent) as server:
        base_url = server.base_url
    async with AsyncClient(api_key=SECRET, base_url=base_url, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.calls.get("ac_1")
    assert info.value.request_sent is False
    assert_no_key(info.value)


def test_the_walk_finds_a_key_in_aiohttp_request_info() -> None:
    """The walk itself can fail: an exception chained to one holding request headers is caught."""
    import aiohttp  # noqa: PLC0415 - only this test looks inside aiohttp's exceptions
    from multidict import CIMultiDict, CIMultiDictProxy  # noqa: PLC0415
    from yarl import URL  # noqa: PLC0415

    headers = CIMultiDictProxy(CIMultiDict({"Authorization": f"Bearer {SECRET}"}))
    info = aiohttp.RequestInfo(URL("http://x/"), "GET", headers, URL("http://x/"))
    inner = aiohttp.ClientResponseError(info, (), status=400, message="bad")
    outer = APIConnectionError("connection error: bad")
    outer.__cause__ = inner
    with pytest.raises(AssertionError, match="the key is reachable"):
        assert_no_key(outer)
