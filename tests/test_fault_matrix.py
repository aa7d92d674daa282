"""The fault matrix: every injected fault against get, list (mid-pagination), audio (mid-stream)
and create, with the outcome a user expects, the number of attempts, no half-written file and a
connection pool that still works afterwards. docs/reliability.md renders this table."""

from __future__ import annotations

import email.utils
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from cartesia_calls import (
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    InternalServerError,
    RateLimitError,
    ResponseDecodeError,
    Timeout,
)
from cartesia_calls.testing import FakeCartesia, Recording

from .helpers import SleepRecorder

OK = "ok"
Outcome = tuple[str | type[Exception], int]  # (OK or the exception class, attempts)
Operation = Callable[[AsyncClient, Path], Awaitable[Any]]

# Each operation, and the (method, path) its faults target. List faults hit the second page.
OPERATIONS: dict[str, tuple[str, str, int]] = {
    "get": ("GET", "/agents/calls/ac_1", 0),
    "list": ("GET", "/agents/calls", 1),
    "audio": ("GET", "/agents/calls/ac_1/audio", 0),
    "create": ("POST", "/agents/calls", 0),
}


async def run_get(client: AsyncClient, tmp: Path) -> Any:
    return await client.calls.get("ac_1")


async def run_list(client: AsyncClient, tmp: Path) -> Any:
    calls = await client.calls.list(agent_id="agent_1", limit=2).to_list()
    assert [c.id for c in calls] == ["ac_4", "ac_3", "ac_2", "ac_1"]
    return calls


async def run_audio(client: AsyncClient, tmp: Path) -> Any:
    written = await client.calls.download_audio("ac_1", tmp / "call.wav")
    assert (tmp / "call.wav").stat().st_size == written
    return written


async def run_create(client: AsyncClient, tmp: Path) -> Any:
    return await client.calls.create(
        agent_id="agent_1",
        from_number_id="ap_fake_number",
        outbound_calls=[{"to_number": "+14155550001"}],
    )


RUNNERS: dict[str, Operation] = {
    "get": run_get,
    "list": run_list,
    "audio": run_audio,
    "create": run_create,
}

SOON = email.utils.formatdate(time.time() + 1, usegmt=True)
NOT_JSON = b"<<this is not json>>" * 400_000  # 8 MB

# fault name -> (fault options, {operation: (outcome, attempts)}); "*" covers the rest.
MATRIX: dict[str, tuple[dict[str, Any], dict[str, Outcome]]] = {
    "429 with Retry-After seconds": (
        {"status": 429, "headers": {"Retry-After": "1"}},
        {"create": (RateLimitError, 1), "*": (OK, 2)},
    ),
    "429 with Retry-After HTTP date": (
        {"status": 429, "headers": {"Retry-After": SOON}},
        {"create": (RateLimitError, 1), "*": (OK, 2)},
    ),
    "429 without Retry-After": ({"status": 429}, {"create": (RateLimitError, 1), "*": (OK, 2)}),
    "500": ({"status": 500}, {"create": (InternalServerError, 1), "*": (OK, 2)}),
    "502": ({"status": 502}, {"create": (InternalServerError, 1), "*": (OK, 2)}),
    "503": ({"status": 503}, {"create": (InternalServerError, 1), "*": (OK, 2)}),
    "504": ({"status": 504}, {"create": (InternalServerError, 1), "*": (OK, 2)}),
    "500 every time": (
        {"status": 500, "times": 99},
        {"create": (InternalServerError, 1), "*": (InternalServerError, 3)},
    ),
    "HTML error page": (
        {
            "status": 502,
            "body": "<html><title>Bad gateway</title></html>",
            "content_type": "text/html",
        },
        {"create": (InternalServerError, 1), "*": (OK, 2)},
    ),
    "reset before headers": (
        {"action": "drop"},
        {"create": (APIConnectionError, 1), "*": (OK, 2)},
    ),
    "reset after headers, body cut": (
        {"action": "truncate"},
        {"create": (APIConnectionError, 1), "audio": (APIConnectionError, 1), "*": (OK, 2)},
    ),
    "slow headers": (
        {"delay": 1.5},
        {"create": (APITimeoutError, 1), "*": (OK, 2)},
    ),
    "slow body": (
        {"body_delay": 1.5},
        {"create": (APITimeoutError, 1), "audio": (APITimeoutError, 1), "*": (OK, 2)},
    ),
    "invalid JSON": (
        {"status": 200, "body": b"{not json"},
        {"audio": (OK, 1), "*": (ResponseDecodeError, 1)},
    ),
    "empty body": (
        {"status": 200, "body": b""},
        {"audio": (OK, 1), "*": (ResponseDecodeError, 1)},
    ),
    "enormous body": (
        {"status": 200, "body": NOT_JSON},
        {"audio": (OK, 1), "*": (ResponseDecodeError, 1)},
    ),
}

CASES = [
    pytest.param(fault, op, id=f"{fault} / {op}")
    for fault in MATRIX
    for op in OPERATIONS
    # A 200 with a bogus body is a recording like any other bytes: not a fault for audio.
    if not (op == "audio" and MATRIX[fault][0].get("status") == 200)
]


def expected(fault: str, op: str) -> Outcome:
    outcomes = MATRIX[fault][1]
    return outcomes.get(op, outcomes["*"])


@pytest.fixture
async def fake() -> AsyncIterator[FakeCartesia]:
    async with FakeCartesia() as server:
        for i in range(1, 5):
            server.add_call(id=f"ac_{i}", agent_id="agent_1", start_time=f"2026-03-01T12:00:0{i}Z")
        server.recordings["ac_1"] = Recording(seconds=20.0)  # several 64 KiB chunks
        yield server


@pytest.mark.parametrize(("fault", "op"), CASES)
async def test_fault(fake: FakeCartesia, tmp_path: Path, fault: str, op: str) -> None:
    method, path, after = OPERATIONS[op]
    options, _ = MATRIX[fault]
    fake.add_fault(method=method, path=path, after=after, **options)
    outcome, attempts = expected(fault, op)
    # Generous margins (0.5 s against 1.5 s stalls) so a loaded CI machine cannot flip a case.
    timeout = Timeout(total=10, connect=2, read=0.5)
    # One connection only: anything leaked would make the follow-up request below hang.
    async with fake.client(
        timeout=timeout, connection_limit=1, backoff=SleepRecorder().backoff()
    ) as client:
        if outcome == OK:
            await RUNNERS[op](client, tmp_path)
        else:
            assert isinstance(outcome, type)
            with pytest.raises(outcome):
                await RUNNERS[op](client, tmp_path)
            if op == "audio":
                assert list(tmp_path.iterdir()) == [], "a failed download left a file"
        matching = [r for r in fake.requests if r.method == method and r.path == path]
        assert len(matching) == attempts + after
        # The pool is healthy: a plain request on the single connection still works.
        fake.faults.clear()
        assert (await client.calls.get("ac_2")).id == "ac_2"


@pytest.mark.parametrize("op", OPERATIONS)
async def test_connection_refused(tmp_path: Path, op: str) -> None:
    async with FakeCartesia() as fake:
        base_url, key = fake.base_url, fake.api_key
    async with AsyncClient(
        api_key=key, base_url=base_url, backoff=SleepRecorder().backoff()
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await RUNNERS[op](client, tmp_path)
    assert not isinstance(info.value, APITimeoutError)
    # Nothing reached a server, so even create is retried: 3 attempts in all.
    assert getattr(info.value, "retries_taken", None) == 2
    assert list(tmp_path.iterdir()) == []


async def test_wrong_content_type_is_parsed_anyway(fake: FakeCartesia) -> None:
    body = b'{"id": "ac_1", "agent_id": "agent_1", "status": "completed"}'
    fake.add_fault(status=200, body=body, content_type="text/plain", path="/agents/calls/ac_1")
    async with fake.client() as client:
        assert (await client.calls.get("ac_1")).id == "ac_1"


async def test_enormous_body_error_keeps_only_the_start(fake: FakeCartesia) -> None:
    fake.add_fault(status=200, body=NOT_JSON, path="/agents/calls/ac_1")
    async with fake.client() as client:
        with pytest.raises(ResponseDecodeError) as info:
            await client.calls.get("ac_1")
    assert len(info.value.body) <= 64 * 1024


def render_table() -> str:
    """The matrix as the Markdown table in docs/reliability.md."""

    def describe(outcome: Outcome) -> str:
        result, attempts = outcome
        shown = "succeeds" if result == OK else f"`{result.__name__}`"  # type: ignore[union-attr]
        return f"{shown}, {attempts} attempt{'s' if attempts > 1 else ''}"

    rows = [
        "| fault | " + " | ".join(OPERATIONS) + " | test |",
        "|---" * (len(OPERATIONS) + 2) + "|",
    ]
    for fault in MATRIX:
        cells = []
        for op in OPERATIONS:
            included = any(p.values == (fault, op) for p in CASES)
            cells.append(describe(expected(fault, op)) if included else "n/a (bytes are audio)")
        rows.append(f"| {fault} | " + " | ".join(cells) + f" | `test_fault[{fault} / …]` |")
    refused = "`APIConnectionError`, 3 attempts"
    rows.append(
        "| connection refused | "
        + " | ".join([refused] * len(OPERATIONS))
        + " | `test_connection_refused` |"
    )
    return "\n".join(rows)


def test_docs_table_is_current() -> None:
    page = (Path(__file__).parent.parent / "docs" / "reliability.md").read_text()
    start = page.index("<!-- matrix:start -->") + len("<!-- matrix:start -->")
    end = page.index("<!-- matrix:end -->")
    assert page[start:end].strip() == render_table(), (
        "docs/reliability.md is out of date: paste render_table() between the markers"
    )
