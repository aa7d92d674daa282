"""Bulk export to JSONL: transcripts filled in, resumable, one line per call."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from cartesia_calls import AgentCall, AsyncClient, InternalServerError, ResponseDecodeError
from cartesia_calls._codec import dumps
from cartesia_calls.testing import FakeCartesia, make_call

from .helpers import SleepRecorder

TURN = {"role": "user", "start_timestamp": 0.0, "end_timestamp": 1.0, "text": "hello"}


@pytest.fixture
async def fake() -> AsyncIterator[FakeCartesia]:
    async with FakeCartesia() as server:
        for i in range(25):
            server.add_call(
                id=f"ac_{i:03d}",
                agent_id="agent_1",
                start_time=f"2026-03-01T12:00:{i:02d}Z",
                transcript=[TURN],
            )
        yield server


@pytest.fixture
async def client(fake: FakeCartesia) -> AsyncIterator[AsyncClient]:
    async with fake.client(backoff=SleepRecorder().backoff(), max_retries=0) as c:
        yield c


def read_ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


async def test_export_writes_every_call_with_its_transcript(
    fake: FakeCartesia, client: AsyncClient, tmp_path: Path
) -> None:
    target = tmp_path / "calls.jsonl"
    progress: list[tuple[int, int]] = []
    result = await client.calls.export(
        target, agent_id="agent_1", page_size=10, on_progress=lambda *a: progress.append(a)
    )
    assert (result.written, result.skipped, result.fetched) == (25, 0, 0)
    lines = target.read_text().splitlines()
    assert len(lines) == 25
    call = AgentCall.from_dict(json.loads(lines[0]))
    assert call.id == "ac_024"
    assert call.transcript is not None
    assert call.transcript[0].text == "hello"
    assert progress == [(10, 0), (20, 0), (25, 0)]


async def test_export_fetches_transcripts_the_list_left_out(
    fake: FakeCartesia, client: AsyncClient, tmp_path: Path
) -> None:
    # A list page that omits transcripts (an older API version does) for ended calls.
    page = {
        "data": [
            {"id": "ac_000", "agent_id": "agent_1", "status": "completed"},
            {"id": "ac_001", "agent_id": "agent_1", "status": "started"},
        ],
        "next_page": None,
    }
    fake.add_fault(status=200, body=page, method="GET", path="/agents/calls")
    result = await client.calls.export(tmp_path / "x.jsonl", agent_id="agent_1", concurrency=2)
    assert result.fetched == 1
    assert fake.request_count("GET", "/agents/calls/ac_000") == 1
    assert fake.request_count("GET", "/agents/calls/ac_001") == 0
    lines = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text().splitlines()]
    assert lines[0]["transcript"] == [TURN]
    assert "transcript" not in lines[1]


async def test_export_resumes_after_a_failure(
    fake: FakeCartesia, client: AsyncClient, tmp_path: Path
) -> None:
    target = tmp_path / "calls.jsonl"
    calls_seen = 0

    def on_progress(written: int, skipped: int) -> None:
        # After the first page is on disk, the next list request fails.
        nonlocal calls_seen
        calls_seen = written
        fake.add_fault(status=500, method="GET", path="/agents/calls", times=1)

    with pytest.raises(InternalServerError):
        await client.calls.export(target, agent_id="agent_1", page_size=10, on_progress=on_progress)
    assert len(read_ids(target)) == calls_seen == 10
    fake.faults.clear()
    result = await client.calls.export(target, agent_id="agent_1", page_size=10)
    assert (result.written, result.skipped) == (15, 10)
    ids = read_ids(target)
    assert len(ids) == len(set(ids)) == 25


async def test_export_repairs_a_line_cut_short(
    fake: FakeCartesia, client: AsyncClient, tmp_path: Path
) -> None:
    target = tmp_path / "calls.jsonl"
    await client.calls.export(target, agent_id="agent_1")
    whole = target.read_bytes()
    target.write_bytes(whole[: len(whole) - 40])  # the last line loses its end
    result = await client.calls.export(target, agent_id="agent_1")
    assert (result.written, result.skipped) == (1, 24)
    assert target.read_bytes() == whole


async def test_export_rejects_bad_concurrency(client: AsyncClient, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="concurrency"):
        await client.calls.export(tmp_path / "x", agent_id="a", concurrency=0)


def unusual_calls() -> list[dict[str, Any]]:
    """Calls an export writes differently from how the API sent them: nulls, a datetime with
    an offset, an int in a float field, an unknown key, a new enum value, keys out of order."""
    calls = [make_call(f"ac_u{n}", turns=12, seed=n).to_dict() for n in range(4)]
    calls[0]["error_message"] = None
    calls[0]["start_time"] = "2026-03-01T14:00:00.250+02:00"
    calls[1]["transcript"][0]["stt_ttfb"] = 1
    calls[1]["brand_new_field"] = {"a": [1, {"b": None}]}
    calls[2]["status"] = "archived"  # not a status this SDK knows
    calls[3] = dict(reversed(list(calls[3].items())))
    for call in calls:
        call["agent_id"] = "agent_2"
    return calls


@pytest.mark.parametrize("version", ["2026-08-14", "2026-03-01"])
async def test_each_line_is_what_dumps_writes_of_the_listed_call(
    fake: FakeCartesia, tmp_path: Path, version: str
) -> None:
    # The export writes listed calls without building them: the bytes must be those of the
    # models a listing builds, whatever the API sent.
    for call in unusual_calls():
        fake.add_call(call)
    async with fake.client(cartesia_version=version) as client:
        result = await client.calls.export(tmp_path / "x.jsonl", agent_id="agent_2", page_size=3)
        listed = await client.calls.list(
            agent_id="agent_2", expand_transcript=True, limit=3
        ).to_list()
    assert result.written == len(listed) == 4
    lines = (tmp_path / "x.jsonl").read_bytes().splitlines()
    assert lines == [dumps(call) for call in listed]
    assert [AgentCall.from_dict(json.loads(line)) for line in lines] == listed
    assert all(line.startswith(b'{"id":"') for line in lines)


async def test_a_malformed_call_fails_the_export_as_it_fails_a_listing(
    fake: FakeCartesia, client: AsyncClient, tmp_path: Path
) -> None:
    bad = unusual_calls()[0]
    bad["transcript"][3]["end_timestamp"] = "soon"
    page = {"data": [make_call("ac_ok").to_dict(), bad], "next_page": None}
    fake.add_fault(status=200, body=page, method="GET", path="/agents/calls", times=2)
    with pytest.raises(ResponseDecodeError) as listing:
        await client.calls.list(agent_id="agent_1", expand_transcript=True, limit=100).to_list()
    target = tmp_path / "x.jsonl"
    with pytest.raises(ResponseDecodeError) as export:
        await client.calls.export(target, agent_id="agent_1")
    assert export.value.path == listing.value.path == "$.data[1].transcript[3].end_timestamp"
    assert str(export.value) == str(listing.value)
    assert export.value.body == listing.value.body
    assert (export.value.status_code, export.value.method) == (200, "GET")
    assert export.value.url == listing.value.url
    assert target.read_bytes() == b""  # nothing of that page was written
