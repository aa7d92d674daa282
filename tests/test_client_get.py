"""Get Call end to end against FakeCartesia: headers, ids, decoding, lifecycle."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import platform
import threading
import time
import warnings
from pathlib import Path

import aiohttp
import pytest

import cartesia_calls
from cartesia_calls import (
    DEFAULT_CARTESIA_VERSION,
    AgentCall,
    AsyncClient,
    CallStatus,
    ClientClosedError,
    MissingAPIKeyError,
    NotFoundError,
    ResponseDecodeError,
)
from cartesia_calls.testing import FakeCartesia

from .helpers import SleepRecorder, run_python
from .hostile import assert_no_key


async def test_get_returns_the_stored_call_as_a_model(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(
        id="ac_1",
        agent_id="agent_1",
        status="completed",
        start_time="2026-03-01T12:00:00Z",
        transcript=[{"role": "user", "start_timestamp": 0.5, "end_timestamp": 1.25, "text": "hi"}],
    )
    call = await client.calls.get("ac_1")
    assert isinstance(call, AgentCall)
    assert call.id == "ac_1"
    assert call.status == CallStatus.COMPLETED
    assert call.transcript is not None
    assert call.transcript[0].text == "hi"
    assert call.start_time is not None
    assert call.start_time.tzinfo is not None


async def test_every_request_carries_auth_version_and_user_agent(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1")
    await client.calls.get("ac_1")
    headers = fake.requests[-1].headers
    assert headers["Authorization"] == f"Bearer {fake.api_key}"
    assert headers["Cartesia-Version"] == "2026-08-14"
    agent = headers["User-Agent"]
    assert f"cartesia-calls-python/{cartesia_calls.__version__}" in agent
    assert f"python/{platform.python_version()}" in agent
    assert f"aiohttp/{aiohttp.__version__}" in agent


async def test_cartesia_version_and_default_headers_are_configurable(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1")
    async with fake.client(
        cartesia_version="2026-08-14", default_headers={"X-Team": "support"}
    ) as client:
        await client.calls.get("ac_1")
    headers = fake.requests[-1].headers
    assert headers["Cartesia-Version"] == "2026-08-14"
    assert headers["X-Team"] == "support"


async def test_default_headers_cannot_replace_the_key(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1")
    async with fake.client(default_headers={"Authorization": "Bearer other"}) as client:
        await client.calls.get("ac_1")
    assert fake.requests[-1].headers["Authorization"] == f"Bearer {fake.api_key}"


@pytest.mark.parametrize(
    ("call_id", "raw_path"),
    [
        ("a/b?c#d", "/agents/calls/a%2Fb%3Fc%23d"),
        ("..", "/agents/calls/%2E%2E"),
        ("ac 1%", "/agents/calls/ac%201%25"),
    ],
)
async def test_call_ids_are_encoded_as_one_path_segment(
    fake: FakeCartesia, client: AsyncClient, call_id: str, raw_path: str
) -> None:
    fake.add_call(id=call_id)
    call = await client.calls.get(call_id)
    assert fake.requests[-1].path == raw_path
    assert call.id == call_id


@pytest.mark.parametrize("bad", ["", "   ", "\t\n", None, 42])
async def test_bad_call_ids_are_rejected_before_sending(
    fake: FakeCartesia, client: AsyncClient, bad: object
) -> None:
    with pytest.raises((ValueError, TypeError), match="call_id"):
        await client.calls.get(bad)  # type: ignore[arg-type]
    assert fake.request_count() == 0


async def test_unknown_call_is_a_not_found_error(client: AsyncClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.calls.get("ac_missing")
    assert info.value.status_code == 404
    assert info.value.error_code == "call_not_found"
    assert info.value.request_id


async def test_body_that_is_not_json_is_a_decode_error(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_fault(status=200, body=b"{not json", path="/agents/calls/ac_1")
    with pytest.raises(ResponseDecodeError) as info:
        await client.calls.get("ac_1")
    assert info.value.body == "{not json"
    assert info.value.path is None
    assert info.value.status_code == 200


async def test_body_that_is_not_a_call_names_the_bad_field(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(
        id="ac_1",
        transcript=[
            {"role": "user", "start_timestamp": 0, "end_timestamp": 1},
            {"role": "user", "start_timestamp": "soon", "end_timestamp": 1},
        ],
    )
    with pytest.raises(ResponseDecodeError) as info:
        await client.calls.get("ac_1")
    assert info.value.path == "$.transcript[1].start_timestamp"
    assert '"soon"' in info.value.body


def test_missing_key_fails_at_construction_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARTESIA_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="CARTESIA_API_KEY"):
        AsyncClient()


async def test_key_and_base_url_fall_back_to_the_environment(
    fake: FakeCartesia, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add_call(id="ac_1")
    monkeypatch.setenv("CARTESIA_API_KEY", fake.api_key)
    monkeypatch.setenv("CARTESIA_BASE_URL", fake.base_url)
    async with AsyncClient() as client:
        assert (await client.calls.get("ac_1")).id == "ac_1"


async def test_wrong_key_is_an_authentication_error_that_does_not_echo_the_key(
    fake: FakeCartesia,
) -> None:
    secret = "sk_car_this_is_secret_123"
    fake.add_call(id="ac_1")
    async with AsyncClient(api_key=secret, base_url=fake.base_url) as client:
        with pytest.raises(cartesia_calls.AuthenticationError) as info:
            await client.calls.get("ac_1")
        assert secret not in repr(client)
    assert_no_key(info.value, secret)


def test_repr_never_shows_the_key() -> None:
    client = AsyncClient(api_key="sk_car_top_secret")
    assert "sk_car_top_secret" not in repr(client)
    assert "api.cartesia.ai" in repr(client)


def test_plain_http_to_a_remote_host_warns() -> None:
    with pytest.warns(UserWarning, match="plain HTTP"):
        AsyncClient(api_key="sk_car_x", base_url="http://api.example.com")


def test_plain_http_to_loopback_is_quiet() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        AsyncClient(api_key="sk_car_x", base_url="http://127.0.0.1:9")
        AsyncClient(api_key="sk_car_x", base_url="http://localhost:9")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"base_url": "ftp://x"}, "base_url"),
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"cartesia_version": ""}, "cartesia_version"),
        ({"connection_limit": 0}, "connection_limit"),
    ],
)
def test_bad_options_are_named(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AsyncClient(api_key="sk_car_x", **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", [123, b"sk_car_bytes", ["sk_car_x"]])
def test_a_key_that_is_not_a_string_is_a_type_error(key: object) -> None:
    with pytest.raises(TypeError, match="api_key must be a string") as info:
        AsyncClient(api_key=key)  # type: ignore[arg-type]
    assert not isinstance(info.value, MissingAPIKeyError)
    assert "sk_car" not in str(info.value)


async def test_an_unclosed_client_warns_naming_the_sdk_and_its_session_closes(
    fake: FakeCartesia,
) -> None:
    fake.add_call(id="ac_1")
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    loop.set_exception_handler(lambda _, context: reported.append(context["message"]))
    try:
        client = fake.client()
        await client.calls.get("ac_1")
        session = client._transport._session
        assert session is not None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del client
            gc.collect()
            for _ in range(100):  # the close runs as a task on this loop
                if session.closed:
                    break
                await asyncio.sleep(0.01)
            gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert session.closed
    messages = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert len(messages) == 1, messages
    assert messages[0].startswith("unclosed cartesia_calls.AsyncClient for http://127.0.0.1:")
    assert "await client.close()" in messages[0]
    assert reported == [], "aiohttp reported an unclosed session or connector"


def test_an_unclosed_client_of_another_threads_loop_is_closed_on_that_loop() -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        with FakeCartesia().run_in_thread() as fake:
            fake.add_call(id="ac_1")
            client = AsyncClient(api_key=fake.api_key, base_url=fake.base_url)
            future = asyncio.run_coroutine_threadsafe(client.calls.get("ac_1"), loop)
            assert future.result(10).id == "ac_1"
            session = client._transport._session
            assert session is not None
            del client
            with pytest.warns(ResourceWarning, match="unclosed cartesia_calls.AsyncClient"):
                gc.collect()  # here, in the main thread: the close is handed to the loop's
            deadline = time.monotonic() + 10
            while not session.closed and time.monotonic() < deadline:
                time.sleep(0.01)
            assert session.closed
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_an_unclosed_client_whose_loop_is_gone_warns_once() -> None:
    with FakeCartesia().run_in_thread() as fake:
        fake.add_call(id="ac_1")
        client = AsyncClient(api_key=fake.api_key, base_url=fake.base_url)
        assert asyncio.run(client.calls.get("ac_1")).id == "ac_1"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del client
            for _ in range(3):  # the client, then the sockets its connections leave behind
                gc.collect()
    # The dead loop's sockets can no longer be closed; asyncio reports them itself when they are
    # collected ("unclosed transport"). Neither aiohttp's session nor its connector complains.
    messages = [str(w.message) for w in caught if "unclosed transport" not in str(w.message)]
    assert len(messages) == 1, messages
    assert messages[0].startswith("unclosed cartesia_calls.AsyncClient")


async def test_a_derived_client_keeps_the_pool_of_a_collected_original(
    fake: FakeCartesia,
) -> None:
    fake.add_call(id="ac_1")
    original = fake.client()
    derived = original.with_options(max_retries=0)
    del original
    gc.collect()
    async with derived:  # closing a derived client does not close the pool...
        assert (await derived.calls.get("ac_1")).id == "ac_1"
    # ... so the last reference going is what closes it, with the warning.
    del derived
    with pytest.warns(ResourceWarning, match="unclosed cartesia_calls.AsyncClient"):
        gc.collect()
    await asyncio.sleep(0.05)


async def test_close_is_idempotent_and_use_after_close_is_clear(
    fake: FakeCartesia,
) -> None:
    fake.add_call(id="ac_1")
    client = fake.client()
    await client.calls.get("ac_1")
    await client.close()
    await client.close()
    assert client.is_closed
    with pytest.raises(ClientClosedError):
        await client.calls.get("ac_1")


async def test_closed_client_leaves_no_unclosed_session_warning(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with fake.client() as client:
            await client.calls.get("ac_1")
        del client
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


async def test_with_options_shares_the_pool_and_keeps_the_parent_open(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1")
    fake.add_fault(delay=0.3, path="/agents/calls/ac_1")
    fast = client.with_options(timeout=0.05, max_retries=0)
    with pytest.raises(cartesia_calls.APITimeoutError):
        await fast.calls.get("ac_1")
    await fast.close()
    assert not client.is_closed
    assert (await client.calls.get("ac_1")).id == "ac_1"
    assert client.timeout.total == 60


async def test_on_response_sees_status_headers_and_attempt(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1")
    fake.add_fault(status=503, path="/agents/calls/ac_1")
    seen: list[cartesia_calls.ResponseInfo] = []
    async with fake.client(on_response=seen.append, backoff=SleepRecorder().backoff()) as client:
        await client.calls.get("ac_1")
    assert [(info.status_code, info.attempt) for info in seen] == [(503, 1), (200, 2)]
    assert seen[0].headers["Content-Type"].startswith("application/json")


async def test_raw_request_escape_hatch(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_call(id="ac_1", agent_id="agent_9")
    raw = await client.request("GET", "/agents/calls/ac_1")
    assert raw.status_code == 200
    assert raw.json()["agent_id"] == "agent_9"
    assert raw.headers["content-type"].startswith("application/json")


async def test_debug_logs_name_method_path_status_and_never_the_key(
    fake: FakeCartesia, client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake.add_call(id="ac_1")
    fake.add_fault(status=500, path="/agents/calls/ac_1")
    with caplog.at_level(logging.DEBUG, logger="cartesia_calls"):
        await client.calls.get("ac_1")
    text = caplog.text
    assert "GET" in text
    assert "/agents/calls/ac_1" in text
    assert "200" in text
    assert "500" in text
    assert "retry 1 of 2" in text
    assert fake.api_key not in text


def test_cartesia_calls_log_env_turns_logging_on() -> None:
    script = (
        "import cartesia_calls, logging;"
        "cartesia_calls.AsyncClient(api_key='sk_car_secret_value');"
        "logging.getLogger('cartesia_calls').debug('hello from the sdk')"
    )
    result = run_python(script, env={"CARTESIA_CALLS_LOG": "debug", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "hello from the sdk" in result.stderr
    assert "sk_car_secret_value" not in result.stderr


@pytest.mark.parametrize("value", ["verbose", "DEBUG2", "1"])
def test_an_unknown_cartesia_calls_log_value_is_named_in_a_warning(value: str) -> None:
    script = (
        "import cartesia_calls, logging;"
        "cartesia_calls.AsyncClient(api_key='sk_car_secret_value');"
        "logging.getLogger('cartesia_calls').warning('not printed: no handler was added')"
    )
    result = run_python(script, "-W", "always", env={"CARTESIA_CALLS_LOG": value, "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert f"CARTESIA_CALLS_LOG={value.lower()!r} is not a level this SDK knows" in result.stderr
    assert "debug, info, warning, off" in result.stderr
    assert "<string>:1: UserWarning" in result.stderr  # the caller's line, not the SDK's
    assert "not printed" in result.stderr  # Python's last-resort handler, not the SDK's format
    assert "cartesia_calls WARNING" not in result.stderr


@pytest.mark.parametrize("value", ["off", "OFF", "", "  "])
def test_off_or_empty_cartesia_calls_log_is_quiet(value: str) -> None:
    result = run_python(
        "import cartesia_calls as c; c.AsyncClient('k')",
        "-W",
        "error",
        env={"CARTESIA_CALLS_LOG": value, "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


# The first loop's sockets cannot be closed once that loop is closed; Python reports them when
# they are garbage-collected. What matters to the user is that the client keeps working.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_client_whose_loop_closed_reconnects_on_the_next_loop() -> None:
    fake = FakeCartesia()
    with fake.run_in_thread():
        fake.add_call(id="ac_1")
        client = AsyncClient(api_key=fake.api_key, base_url=fake.base_url)
        # Two asyncio.run calls, like two notebook cells: the first loop is closed by the second.
        assert asyncio.run(client.calls.get("ac_1")).id == "ac_1"
        assert asyncio.run(client.calls.get("ac_1")).id == "ac_1"
        asyncio.run(client.close())
    gc.collect()  # while this test's warning filter still applies


def test_a_client_used_from_a_second_live_loop_says_so() -> None:
    fake = FakeCartesia()
    with fake.run_in_thread():
        fake.add_call(id="ac_1")
        client = AsyncClient(api_key=fake.api_key, base_url=fake.base_url)
        first = asyncio.new_event_loop()
        try:
            first.run_until_complete(client.calls.get("ac_1"))
            with pytest.raises(cartesia_calls.EventLoopMismatchError, match="one AsyncClient per"):
                asyncio.run(client.calls.get("ac_1"))
            first.run_until_complete(client.close())
        finally:
            first.close()


async def test_a_client_pinned_to_2026_03_01_sends_it_and_reads_the_seed_body(
    fake: FakeCartesia,
) -> None:
    seed = json.loads((Path(__file__).parent / "data" / "seed_get_call.json").read_bytes())
    fake.add_fault(status=200, body=seed, method="GET", path="/agents/calls/")
    async with fake.client(cartesia_version="2026-03-01") as client:
        call = await client.calls.get("any")
    assert fake.requests[-1].headers["Cartesia-Version"] == "2026-03-01"
    assert call.metadata == {}
    assert call.deployment_id == "<string>"
    assert call.transcript is not None
    assert call.transcript[0].text_chunks is not None
    assert call.transcript[0].log_event is not None
    assert call.extra == {}


async def test_the_version_comes_from_the_environment_unless_given(
    fake: FakeCartesia, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARTESIA_VERSION", "2026-03-01")
    fake.add_call(id="ac_1")
    async with fake.client() as from_env, fake.client(cartesia_version="2099-01-01") as given:
        assert from_env.cartesia_version == "2026-03-01"
        assert given.cartesia_version == "2099-01-01"
        await given.calls.get("ac_1")
    assert fake.requests[-1].headers["Cartesia-Version"] == "2099-01-01"
    monkeypatch.setenv("CARTESIA_VERSION", "")
    async with fake.client() as default:
        assert default.cartesia_version == DEFAULT_CARTESIA_VERSION == "2026-08-14"
