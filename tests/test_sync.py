"""The sync ``Client``: the async client's surface, run through the shared event-loop thread.

The fake API runs in a thread of its own (``FakeCartesia().run_in_thread()``), so these tests are
plain synchronous code, the way a script or a notebook uses the client.
"""

from __future__ import annotations

import ast
import datetime
import inspect
import io
import re
import threading
import wave
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import cartesia_calls
import cartesia_calls._sync
from cartesia_calls import (
    AgentCall,
    APIConnectionError,
    AsyncBatches,
    AsyncCalls,
    AsyncClient,
    AsyncPager,
    Backoff,
    BadRequestError,
    Batches,
    CallBatch,
    Calls,
    CallStatus,
    Client,
    ClientClosedError,
    ConflictError,
    InternalServerError,
    MissingAPIKeyError,
    NotFoundError,
    Page,
    Pager,
    RateLimitError,
    ResponseInfo,
    SyncAudioStream,
    Timeout,
    WaitTimeoutError,
)
from cartesia_calls._audio import AudioStream
from cartesia_calls._raw_resources import AsyncBatchesWithRawResponse, AsyncCallsWithRawResponse
from cartesia_calls._sync import BatchesWithRawResponse, CallsWithRawResponse
from cartesia_calls.testing import FakeCartesia, Lifecycle, Recording

from .helpers import SleepRecorder, seed_calls as seed
from .test_gen_sync import generator

LOOP_THREAD = "cartesia-calls-io"


# -- the same surface as the async client ------------------------------------------------------

# Each sync class and its async twin. A public method added to an async class fails the tests
# below until its sync twin is generated (python tools/gen_sync.py).
TWINS: list[tuple[type[Any], type[Any]]] = [
    (Client, AsyncClient),
    (Calls, AsyncCalls),
    (Batches, AsyncBatches),
    (Pager, AsyncPager),
    (SyncAudioStream, AudioStream),
    (CallsWithRawResponse, AsyncCallsWithRawResponse),
    (BatchesWithRawResponse, AsyncBatchesWithRawResponse),
]
TWIN_IDS = [sync.__name__ for sync, _ in TWINS]
# Protocol methods whose sync spelling differs.
SYNC_SPELLING = {"__aiter__": "__iter__", "__aenter__": "__enter__", "__aexit__": "__exit__"}
# What no sync docstring may say (independently of the generator's own check).
ASYNC_SPEAK = re.compile(r"\bawait\b|\basync (for|with)\b|\bAsync(Client|Pager)\b")


def public_members(cls: type[Any]) -> dict[str, Any]:
    return {
        name: inspect.getattr_static(cls, name)
        for name in dir(cls)
        if not name.startswith("_") and not isinstance(getattr(cls, name), type)
    }


def instance_settings(async_cls: type[Any]) -> set[str]:
    """Public attributes an instance sets in ``__init__`` (resources excluded)."""
    instance: object
    if async_cls is AsyncClient:
        instance = AsyncClient(api_key="sk_car_test", base_url="http://127.0.0.1:9")
    elif async_cls is AudioStream:
        response: Any = SimpleNamespace(headers={}, content_length=None)
        instance = AudioStream(response)
    else:
        return set()
    return {
        name
        for name, value in vars(instance).items()
        if not name.startswith("_") and not isinstance(value, AsyncCalls | AsyncBatches)
    }


def function(member: Any) -> Any:
    """A method, or a property's getter."""
    return member.fget if isinstance(member, property) else member


def to_sync(annotation: Any) -> Any:
    """An async annotation (a string, or ``Parameter.empty``) with each async class named by
    its sync twin."""
    if not isinstance(annotation, str):
        return annotation
    names = generator().TYPE_MAP
    return re.sub(r"\b(" + "|".join(names) + r")\b", lambda m: names[m[0]], annotation)


@pytest.mark.parametrize(("sync_cls", "async_cls"), TWINS, ids=TWIN_IDS)
def test_every_public_async_member_has_a_sync_twin(
    sync_cls: type[Any], async_cls: type[Any]
) -> None:
    async_members = public_members(async_cls)
    sync_members = public_members(sync_cls)
    # What the async client sets as plain attributes, the sync one exposes as properties.
    settings = instance_settings(async_cls)
    assert sorted(sync_members.keys() - settings) == sorted(async_members)
    assert all(isinstance(sync_members[name], property) for name in settings)
    for name, member in async_members.items():
        assert isinstance(sync_members[name], property) == isinstance(member, property), name
    for async_name, sync_name in SYNC_SPELLING.items():
        if hasattr(async_cls, async_name):
            assert hasattr(sync_cls, sync_name), f"{sync_cls.__name__} lacks {sync_name}"


@pytest.mark.parametrize(("sync_cls", "async_cls"), TWINS, ids=TWIN_IDS)
def test_sync_methods_have_the_parameters_and_docstring_of_their_twin(
    sync_cls: type[Any], async_cls: type[Any]
) -> None:
    for name, member in public_members(async_cls).items():
        twin = public_members(sync_cls)[name]
        assert member.__doc__, f"{async_cls.__name__}.{name} has no docstring"
        assert twin.__doc__ == generator().sync_doc(member.__doc__), name
        async_sig, sync_sig = inspect.signature(function(member)), inspect.signature(function(twin))
        expected = [
            p.replace(annotation=to_sync(p.annotation)) for p in async_sig.parameters.values()
        ]
        assert list(sync_sig.parameters.values()) == expected, name
        assert sync_sig.return_annotation == to_sync(async_sig.return_annotation), name


def test_sync_docstrings_are_literal_sync_text_in_the_source() -> None:
    # Editors, pyright and Jupyter's `?` read the source: each docstring is written there.
    tree = ast.parse(Path(cartesia_calls._sync.__file__).read_text(encoding="utf-8"))
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    assert {node.name for node in classes} == {sync.__name__ for sync, _ in TWINS}
    checked = 0
    for node in classes:
        runtime = getattr(cartesia_calls._sync, node.name)
        for function_node in node.body:
            if not isinstance(function_node, ast.FunctionDef):
                continue
            if function_node.name.startswith("_"):
                continue
            name = f"{node.name}.{function_node.name}"
            written = ast.get_docstring(function_node)
            assert written, f"{name} has no docstring in the source"
            assert not ASYNC_SPEAK.search(written), f"{name}: {written}"
            doc = function(inspect.getattr_static(runtime, function_node.name)).__doc__
            assert inspect.cleandoc(doc) == written, name
            checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    ("resource", "raw"),
    [(AsyncCalls, AsyncCallsWithRawResponse), (AsyncBatches, AsyncBatchesWithRawResponse)],
)
def test_every_one_request_method_has_a_raw_response_form(
    resource: type[Any], raw: type[Any]
) -> None:
    methods = {n for n, m in public_members(resource).items() if not isinstance(m, property)}
    excluded = set(generator().NO_RAW_RESPONSE)
    assert set(public_members(raw)) == methods - excluded
    assert methods & excluded  # each resource has methods left out, and the list names them


def test_the_constructor_takes_the_async_constructor_parameters() -> None:
    sync_params = inspect.signature(Client.__init__).parameters
    assert sync_params == inspect.signature(AsyncClient.__init__).parameters


def test_client_attributes_match_the_async_client(client: Client, fake: FakeCartesia) -> None:
    twin = AsyncClient(api_key=fake.api_key, base_url=fake.base_url)
    public_attributes = {name for name in vars(twin) if not name.startswith("_")}
    assert public_attributes == {"calls", "batches", "cartesia_version", "timeout", "max_retries"}
    for name in public_attributes - {"calls", "batches"}:
        assert getattr(client, name) == getattr(twin, name), name
    assert isinstance(client.calls, Calls)
    assert isinstance(client.batches, Batches)
    assert client.base_url == twin.base_url == fake.base_url
    assert isinstance(client.backoff, Backoff)
    assert client.backoff is not twin.backoff  # the fixture's own, passed on
    assert not client.is_closed


def test_the_new_names_are_exported() -> None:
    for name in ("Client", "Calls", "Batches", "Pager", "SyncAudioStream"):
        assert name in cartesia_calls.__all__
        assert getattr(cartesia_calls, name).__module__ == "cartesia_calls._sync"


# -- construction and configuration -------------------------------------------------------------


def test_the_constructor_validates_like_the_async_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARTESIA_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError):
        Client()
    with pytest.raises(ValueError, match="connection_limit"):
        Client(api_key="sk_car_x", connection_limit=0)
    with pytest.raises(ValueError, match="base_url"):
        Client(api_key="sk_car_x", base_url="ftp://example.com")
    with pytest.raises(TypeError, match="max_retries"):
        Client(api_key="sk_car_x", max_retries=1.5)  # type: ignore[arg-type]


def test_settings_come_from_the_environment(
    fake: FakeCartesia, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARTESIA_API_KEY", fake.api_key)
    monkeypatch.setenv("CARTESIA_BASE_URL", fake.base_url)
    monkeypatch.setenv("CARTESIA_VERSION", "2026-03-01")
    fake.add_call(id="ac_1")
    with Client(timeout=5, max_retries=1) as client:
        assert client.calls.get("ac_1").id == "ac_1"
        assert fake.requests[-1].headers["Cartesia-Version"] == "2026-03-01"
        assert client.timeout == Timeout(total=5)
        assert client.max_retries == 1
        assert repr(client) == (
            f"Client(base_url={fake.base_url!r}, cartesia_version='2026-03-01')"
        )
        assert fake.api_key not in repr(client)


def test_with_options_shares_the_pool_and_closes_with_the_original(
    fake: FakeCartesia, client: Client
) -> None:
    fake.add_call(id="ac_1")
    derived = client.with_options(cartesia_version="2099-01-01", max_retries=0)
    assert isinstance(derived, Client)
    assert (derived.cartesia_version, derived.max_retries) == ("2099-01-01", 0)
    assert client.cartesia_version == "2026-08-14"
    derived.calls.get("ac_1")
    assert fake.requests[-1].headers["Cartesia-Version"] == "2099-01-01"
    derived.close()
    assert derived.is_closed
    with pytest.raises(ClientClosedError):
        derived.calls.get("ac_1")
    assert not client.is_closed
    client.calls.get("ac_1")
    other = client.with_options(timeout=3)
    client.close()
    assert other.is_closed
    with pytest.raises(ClientClosedError):
        other.calls.get("ac_1")


def test_with_options_validates_at_once(client: Client) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        client.with_options(max_retries=-1)


# -- the same results and exceptions ----------------------------------------------------------


def test_get_returns_the_async_clients_model(fake: FakeCartesia, client: Client) -> None:
    fake.add_call(
        id="ac_1",
        status="completed",
        transcript=[{"role": "user", "start_timestamp": 0.5, "end_timestamp": 1, "text": "hi"}],
    )
    call = client.calls.get("ac_1")
    assert isinstance(call, AgentCall)
    assert call.status == CallStatus.COMPLETED
    assert call.transcript is not None
    assert call.transcript[0].text == "hi"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (404, NotFoundError),
        (409, ConflictError),
        (500, InternalServerError),
    ],
)
def test_errors_are_the_async_clients_exception_classes(
    fake: FakeCartesia, client: Client, status: int, error: type[Exception]
) -> None:
    fake.add_fault(status=status, times=5)
    with pytest.raises(error) as info:
        client.calls.get("ac_1")
    assert type(info.value) is error


def test_retries_wait_through_the_backoff(
    fake: FakeCartesia, client: Client, sleeps: SleepRecorder
) -> None:
    fake.add_call(id="ac_1")
    fake.add_fault(status=429, headers={"Retry-After": "7"})
    assert client.calls.get("ac_1").id == "ac_1"
    assert sleeps.delays == [7.0]
    fake.add_fault(status=429, times=10)
    with pytest.raises(RateLimitError):
        client.calls.get("ac_1")
    assert len(sleeps.delays) == 1 + client.max_retries


def test_caller_errors_are_raised_before_anything_is_sent(
    fake: FakeCartesia, client: Client
) -> None:
    with pytest.raises(ValueError, match="call_id"):
        client.calls.get("")
    with pytest.raises(ValueError, match="agent_id, batch_id, or both"):
        client.calls.list()
    with pytest.raises(ValueError, match="needs a timezone"):
        client.calls.list(agent_id="a", start_time_gte=datetime.datetime(2026, 8, 14))
    with pytest.raises(ValueError, match="dynamic_variables"):
        client.batches.create(
            name="n",
            agent_id="a",
            from_number_id="pn_fake_number",
            recipients=[{"to_number": "+14155550100", "dynamic_variables": {"system__x": 1}}],
        )
    with (
        pytest.raises(ValueError, match="chunk_size"),
        client.calls.stream_audio("ac_1", chunk_size=0),
    ):
        pass
    assert fake.request_count() == 0


def test_requests_run_on_the_shared_loop_thread(fake: FakeCartesia) -> None:
    threads: list[str] = []

    def record(info: ResponseInfo) -> None:
        threads.append(threading.current_thread().name)

    fake.add_call(id="ac_1")
    with Client(api_key=fake.api_key, base_url=fake.base_url, on_response=record) as client:
        client.calls.get("ac_1")
        client.calls.get("ac_1")
    assert threads == [LOOP_THREAD, LOOP_THREAD]


def test_a_sync_call_from_the_loop_thread_fails_instead_of_deadlocking(
    fake: FakeCartesia, client: Client
) -> None:
    fake.add_call(id="ac_1")

    def reenter(info: ResponseInfo) -> None:
        client.calls.get("ac_1")

    with pytest.raises(RuntimeError, match="use the AsyncClient"):
        client.with_options(on_response=reenter).calls.get("ac_1")
    assert client.calls.get("ac_1").id == "ac_1"


def test_request_sends_to_any_path(fake: FakeCartesia, client: Client) -> None:
    fake.add_call(id="ac_1")
    raw = client.request("GET", "/agents/calls/ac_1")
    assert raw.status_code == 200
    assert raw.json()["id"] == "ac_1"


# -- calls: create, cancel, delete, logs, wait ---------------------------------------------------


def test_create_cancel_delete_and_logs(fake: FakeCartesia, client: Client) -> None:
    results = client.calls.create(
        agent_id="agent_1",
        from_number_id="ap_fake_number",
        outbound_calls=[{"to_number": "+14155550001"}],
    )
    call_id = results[0].agent_call_id
    assert call_id is not None
    fake.advance(2)
    assert client.calls.cancel(call_id).cancelled is True
    redacted = client.calls.delete(call_id)
    assert redacted.is_redacted
    fake.add_call(id="ac_logs", logs=["hello"])
    assert client.calls.logs("ac_logs").logs == ["hello"]


def test_wait_polls_through_the_backoff_sleep(fake: FakeCartesia, client: Client) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=1, ends_at=20))
    fast = client.with_options(backoff=Backoff(sleep=fake.sleep))
    assert fast.calls.wait("ac_1", poll_interval=2).status == CallStatus.COMPLETED
    fake.add_call(id="ac_2", lifecycle=Lifecycle(starts_at=1, ends_at=1000))
    with pytest.raises(WaitTimeoutError):
        fast.calls.wait("ac_2", timeout=10, poll_interval=1)


# -- batches -----------------------------------------------------------------------------------


def test_batches_wait_and_retry(fake: FakeCartesia, client: Client) -> None:
    fake.unreachable_numbers["+14155550002"] = {"message": "Number cannot be dialed."}
    batch = client.batches.create(
        name="spring",
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        recipients=[{"to_number": "+14155550001"}, {"to_number": "+14155550002"}],
    )
    progress: list[CallBatch] = []
    fast = client.with_options(backoff=Backoff(sleep=fake.sleep))
    done = fast.batches.wait(batch.id, poll_interval=1, on_progress=progress.append)
    assert done.all_calls_ended is True
    assert progress[-1] == done
    assert [str(r.status) for r in done.recipients or []] == ["completed", "failed"]
    retried = client.batches.retry(batch.id)
    assert retried.id == batch.id
    client.batches.cancel(batch.id)
    with pytest.raises(BadRequestError):
        client.batches.retry(batch.id)


def test_batches_create_get_list_cancel(fake: FakeCartesia, client: Client) -> None:
    batch = client.batches.create(
        name="spring",
        agent_id="agent_1",
        from_number_id="ap_fake_number",
        recipients=[{"to_number": "+14155550001"}, {"to_number": "+14155550002"}],
    )
    assert isinstance(batch, CallBatch)
    assert client.batches.get(batch.id).id == batch.id
    assert [b.id for b in client.batches.list(agent_id="agent_1")] == [batch.id]
    assert client.batches.cancel(batch.id).id == batch.id
    with pytest.raises(NotFoundError):
        client.batches.get("acb_missing")


# -- pagination --------------------------------------------------------------------------------


def test_iterating_a_list_fetches_one_page_per_trip_and_only_when_needed(
    fake: FakeCartesia, client: Client
) -> None:
    ids = seed(fake, 25)
    pager = client.calls.list(agent_id="agent_1", limit=10)
    assert isinstance(pager, Pager)
    assert pager.params == {"agent_id": "agent_1", "limit": "10"}
    assert pager.item_type is AgentCall
    items = iter(pager)
    assert fake.request_count() == 0
    first_ten = [next(items).id for _ in range(10)]
    assert first_ten == ids[:10]
    assert fake.request_count() == 1
    assert next(items).id == ids[10]
    assert fake.request_count() == 2
    items.close()  # type: ignore[attr-defined]
    assert fake.request_count() == 2
    assert [call.id for call in client.calls.list(agent_id="agent_1", limit=10)] == ids
    assert fake.request_count() == 5


def test_breaking_out_of_a_list_stops_fetching(fake: FakeCartesia, client: Client) -> None:
    seed(fake, 30)
    for seen, _ in enumerate(client.calls.list(agent_id="agent_1", limit=10), start=1):
        if seen == 15:
            break
    assert fake.request_count() == 2


def test_pages_first_page_and_to_list(fake: FakeCartesia, client: Client) -> None:
    ids = seed(fake, 5)
    pages = list(client.calls.list(agent_id="agent_1", limit=2).pages())
    assert all(isinstance(page, Page) for page in pages)
    assert [[call.id for call in page.data] for page in pages] == [ids[:2], ids[2:4], ids[4:]]
    first = client.calls.list(agent_id="agent_1", limit=2).first_page()
    assert [call.id for call in first.data] == ids[:2]
    before = fake.request_count()
    assert [c.id for c in client.calls.list(agent_id="agent_1", limit=2).to_list(3)] == ids[:3]
    assert fake.request_count() == before + 2
    assert [c.id for c in client.calls.list(agent_id="agent_1").to_list()] == ids


def test_a_failing_page_raises_the_async_error(fake: FakeCartesia, client: Client) -> None:
    seed(fake, 5)
    fake.add_fault(status=404, path="/agents/calls")
    with pytest.raises(NotFoundError):
        list(client.calls.list(agent_id="agent_1"))


# -- audio -------------------------------------------------------------------------------------


def test_stream_audio_yields_chunks_with_the_stream_attributes(
    fake: FakeCartesia, client: Client
) -> None:
    recording = Recording(seconds=3.0)
    fake.add_call(id="ac_1", recording=recording)
    with client.calls.stream_audio("ac_1", chunk_size=4096) as stream:
        assert isinstance(stream, SyncAudioStream)
        assert stream.content_type == "audio/wav"
        assert stream.content_length == recording.size
        assert stream.bytes_read == 0
        sizes = [len(chunk) for chunk in stream]
        assert stream.read_chunk() == b""
    assert max(sizes) <= 4096
    assert sum(sizes) == stream.bytes_read == recording.size


def test_leaving_a_stream_early_releases_it(fake: FakeCartesia, client: Client) -> None:
    fake.add_call(id="ac_1", recording=Recording(seconds=30.0))

    class Stop(Exception):
        pass

    opened: list[SyncAudioStream] = []

    def read_one_chunk_then_fail() -> None:
        with client.calls.stream_audio("ac_1") as stream:
            opened.append(stream)
            next(iter(stream))
            raise Stop

    with pytest.raises(Stop):
        read_one_chunk_then_fail()
    assert 0 < opened[0].bytes_read < (opened[0].content_length or 0)
    with client.calls.stream_audio("ac_1") as stream:
        assert stream.read_chunk()


def test_stream_audio_of_a_call_without_recording_is_not_found(
    fake: FakeCartesia, client: Client
) -> None:
    fake.add_call(id="ac_1")
    with pytest.raises(NotFoundError), client.calls.stream_audio("ac_1"):
        pytest.fail("entered")  # pragma: no cover


def test_download_audio_writes_off_the_event_loop(
    fake: FakeCartesia, client: Client, tmp_path: Path
) -> None:
    fake.add_call(id="ac_1", recording=Recording(seconds=2.0, sample_rate=8000))
    progress: list[tuple[int, int | None, str]] = []

    def report(written: int, total: int | None) -> None:
        progress.append((written, total, threading.current_thread().name))

    target = tmp_path / "call.wav"
    written = client.calls.download_audio("ac_1", target, chunk_size=8192, on_progress=report)
    assert written == target.stat().st_size == 44 + 2 * 8000 * 2
    with wave.open(str(target)) as wav:
        assert wav.getnframes() == 16000
    assert progress[-1][:2] == (written, written)
    # The async download runs (the sync one is only its twin): it writes, and reports, in a
    # worker thread, so neither the caller's thread nor the shared event loop waits on disk.
    threads = {thread for *_, thread in progress}
    assert threads.isdisjoint({threading.current_thread().name, LOOP_THREAD})
    assert list(tmp_path.iterdir()) == [target]

    buffer = io.BytesIO()
    assert client.calls.download_audio("ac_1", buffer) == written
    assert buffer.getvalue() == target.read_bytes()


def test_a_broken_download_leaves_the_previous_file(
    fake: FakeCartesia, client: Client, tmp_path: Path
) -> None:
    fake.add_call(id="ac_1", recording=Recording(seconds=20.0))
    target = tmp_path / "call.wav"
    target.write_bytes(b"previous")
    fake.add_fault(action="truncate", path="/agents/calls/ac_1/audio")
    with pytest.raises(APIConnectionError):
        client.calls.download_audio("ac_1", target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["call.wav"]
    with pytest.raises(NotFoundError):
        client.calls.download_audio("ac_missing", tmp_path / "missing.wav")
    assert [p.name for p in tmp_path.iterdir()] == ["call.wav"]
