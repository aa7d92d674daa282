"""Where the sync client runs (threads, loops, Ctrl-C, fork) and how it closes."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cartesia_calls import (
    Client,
    ClientClosedError,
)
from cartesia_calls._runner import get_runner
from cartesia_calls.testing import FakeCartesia

from .helpers import in_forked_child, run_python, seed_calls as seed

# -- where it runs: loops, threads, Ctrl-C, fork ------------------------------------------------


def test_works_where_the_calling_thread_runs_an_event_loop(
    fake: FakeCartesia, client: Client
) -> None:
    # A Jupyter cell: synchronous code on a thread whose asyncio loop is running.
    seed(fake, 3)

    async def cell() -> tuple[str, list[str]]:
        call = client.calls.get("ac_000")
        return call.id, [c.id for c in client.calls.list(agent_id="agent_1")]

    assert asyncio.run(cell()) == ("ac_000", ["ac_002", "ac_001", "ac_000"])


def test_sixteen_threads_share_one_client(fake: FakeCartesia, client: Client) -> None:
    workers, rounds = 16, 8
    for i in range(workers):
        fake.add_call(id=f"ac_{i}")
    barrier = threading.Barrier(workers)

    def work(worker: int) -> list[str]:
        barrier.wait(timeout=5)
        return [client.calls.get(f"ac_{(worker + n) % workers}").id for n in range(rounds)]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(work, range(workers)))

    assert results == [
        [f"ac_{(worker + n) % workers}" for n in range(rounds)] for worker in range(workers)
    ]
    assert fake.request_count("GET") == workers * rounds


needs_pthread_kill = pytest.mark.skipif(
    not hasattr(signal, "pthread_kill"), reason="needs pthread_kill"
)


@needs_pthread_kill
def test_ctrl_c_cancels_the_request_in_flight_and_the_client_stays_usable(
    fake: FakeCartesia, client: Client
) -> None:
    assert threading.current_thread() is threading.main_thread()
    fake.add_call(id="ac_1")
    # The server holds the answer for a second; Ctrl-C arrives as soon as the request is in.
    delay = 1.0
    fake.add_fault(delay=delay, path="/agents/calls/ac_1")

    def press_ctrl_c() -> None:
        deadline = time.monotonic() + 5
        while fake.request_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.002)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    helper = threading.Thread(target=press_ctrl_c)
    started = time.monotonic()
    helper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            client.calls.get("ac_1")
    finally:
        helper.join()
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < delay
    assert fake.request_count() == 1
    assert client.calls.get("ac_1").id == "ac_1"
    assert not client.is_closed


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_a_fresh_private_client(fake: FakeCartesia, client: Client) -> None:
    fake.add_call(id="ac_1")
    derived = client.with_options(max_retries=0)
    assert client.calls.get("ac_1").id == "ac_1"  # the parent's session now holds a connection
    runner = get_runner()
    generation = runner.generation
    parent_private = client._current()
    parent_session = parent_private._transport._session
    assert parent_session is not None
    parent_connector = parent_session.connector
    assert parent_connector is not None

    def child() -> int:
        checks = [
            client.calls.get("ac_1").id == "ac_1",
            derived.calls.get("ac_1").id == "ac_1",
            runner.generation != generation,
            client._current() is not parent_private,
            derived._current()._transport is client._current()._transport,
            # Abandoned: marked closed, but its connections were left alone.
            parent_session.closed,
            not parent_connector.closed,
            not client.is_closed,
        ]
        client.close()
        return 0 if all(checks) else 10 + checks.index(False)

    assert in_forked_child(child) == 0
    assert runner.generation == generation
    assert client.calls.get("ac_1").id == "ac_1"
    assert client._current() is parent_private
    assert parent_private._transport._session is parent_session
    assert not parent_session.closed
    assert fake.request_count("GET") == 4


# -- closing -----------------------------------------------------------------------------------


def test_close_is_idempotent_and_a_closed_client_refuses_calls(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1")
    client = Client(api_key=fake.api_key, base_url=fake.base_url)
    client.calls.get("ac_1")
    client.close()
    client.close()
    assert client.is_closed
    with pytest.raises(ClientClosedError):
        client.calls.get("ac_1")
    with pytest.raises(ClientClosedError), client:
        pass
    with pytest.raises(ClientClosedError), client.calls.stream_audio("ac_1"):
        pass


def test_with_block_closes_the_client(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1")
    with Client(api_key=fake.api_key, base_url=fake.base_url) as client:
        client.calls.get("ac_1")
        private = client._current()
    assert client.is_closed
    assert private._transport._session is None


def test_a_client_collected_unclosed_has_its_session_closed(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1")
    client = Client(api_key=fake.api_key, base_url=fake.base_url)
    client.calls.get("ac_1")
    private = client._current()
    session = private._transport._session
    assert session is not None
    collected = weakref.ref(client)
    del client
    gc.collect()
    assert collected() is None
    deadline = time.monotonic() + 5
    while not session.closed and time.monotonic() < deadline:
        time.sleep(0.005)
    assert session.closed
    assert private.is_closed


UNCLOSED_PREAMBLE = """
    import gc, time
    from cartesia_calls import Client
    from cartesia_calls.testing import FakeCartesia

    with FakeCartesia().run_in_thread() as fake:
        fake.add_call(id="ac_1")
        client = Client(api_key=fake.api_key, base_url=fake.base_url)
        print(client.calls.get("ac_1").id, flush=True)
        forgotten = Client(api_key=fake.api_key, base_url=fake.base_url)
        forgotten.calls.get("ac_1")
"""


def test_clients_never_closed_do_not_hang_exit_or_warn() -> None:
    started = time.monotonic()
    result = run_python(UNCLOSED_PREAMBLE + "    print('exiting', flush=True)\n", "-W", "always")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["ac_1", "exiting"]
    assert result.stderr == ""
    assert time.monotonic() - started < 10


def test_a_client_collected_unclosed_does_not_warn() -> None:
    result = run_python(
        UNCLOSED_PREAMBLE
        + """
        sessions = [c._current()._transport._session for c in (client, forgotten)]
        del client, forgotten
        gc.collect()
        deadline = time.monotonic() + 5
        while not all(s.closed for s in sessions) and time.monotonic() < deadline:
            time.sleep(0.01)
        print("collected" if all(s.closed for s in sessions) else "still open", flush=True)
        """,
        "-W",
        "always",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["ac_1", "collected"]
    assert result.stderr == ""


def test_export_writes_json_lines(fake: FakeCartesia, client: Client, tmp_path: Path) -> None:
    ids = seed(fake, 3)
    target = tmp_path / "calls.jsonl"
    result = client.calls.export(target, agent_id="agent_1")
    assert (result.written, result.skipped) == (3, 0)
    lines = target.read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(ids)
    assert client.calls.export(target, agent_id="agent_1").skipped == 3


def test_the_sync_client_sends_the_new_arguments(fake: FakeCartesia, client: Client) -> None:
    fake.add_call(id="ac_1", agent_id="agent_1", start_time="2026-08-14T09:00:00Z")
    calls = client.calls.list(
        agent_id="agent_1",
        start_time_gte="2026-08-14T08:00:00Z",
        extra_query={"beta": "1"},
        extra_headers={"X-Trace": "sync"},
    ).to_list()
    assert [c.id for c in calls] == ["ac_1"]
    request = fake.requests[-1]
    assert request.query["start_time_gte"] == "2026-08-14T08:00:00Z"
    assert request.query["beta"] == "1"
    assert request.headers["X-Trace"] == "sync"
    batch = client.batches.create(
        name="n",
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        recipients=[{"to_number": "+14155550100", "dynamic_variables": {"first_name": "Ada"}}],
        region="EU",
    )
    sent = fake.requests[-1].json()
    assert sent["region"] == "EU"
    assert sent["recipients"][0]["dynamic_variables"] == {"first_name": "Ada"}
    assert batch.region == "EU"
    client.calls.create(
        agent_id="agent_1",
        from_number_id="pn_fake_number",
        outbound_calls=[{"to_number": "+14155550100"}],
        extra_body={"future": True},
    )
    assert fake.requests[-1].json()["future"] is True
