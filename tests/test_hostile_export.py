"""``export`` into a file that is not an export, and export against a failing server: the user's
bytes are never touched, and what escapes is the SDK's own error, not an ExceptionGroup."""

from __future__ import annotations

import asyncio
import json
import os
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from cartesia_calls import CartesiaError, InternalServerError, NotFoundError
from cartesia_calls._export import _existing_ids, first_error
from cartesia_calls.cli import main

from .hostile import SECRET, HostileServer, Request, Wire, call, page, serving_in_thread

LIST = "/agents/calls"
EXPORT_LINE = b'{"id":"ac_0","agent_id":"agent_1","status":"completed"}\n'


async def one_page(request: Request, wire: Wire) -> None:
    """Two calls, with their transcripts; then nothing more."""
    if request.path == LIST:
        await wire.json(page(["ac_1", "ac_2"], None, transcript=[]))
    else:
        await wire.json({"title": "Not found"}, status=404)


FOREIGN = {
    "notes": (b"meeting notes\nremember the milk\n", 1, "not a call object"),
    "events JSONL": (b'{"id":"evt_1","type":"call_started"}\n' * 3, 1, "not a call object"),
    "export, then notes": (EXPORT_LINE * 2 + b"my own line\n" + EXPORT_LINE, 3, "not a call"),
    "export, then an unended line of notes": (EXPORT_LINE + b"todo: more", 2, "no newline"),
    "a blank line": (EXPORT_LINE + b"\n" + EXPORT_LINE, 2, "an empty line"),
    "deep JSON": (b"[" * 100_000 + b"]" * 100_000 + b"\n", 1, "not a call object"),
    "deep JSON in a call": (
        b'{"id":"ac_0","agent_id":"a","status":"s","x":' + b"[" * 5000 + b"]" * 5000 + b"}\n",
        1,
        "not a call object",
    ),
    "a call missing its status": (b'{"id":"ac_0","agent_id":"agent_1"}\n', 1, "not a call"),
    "a JSON array of calls": (b'[{"id":"ac_0","agent_id":"a","status":"s"}]\n', 1, "not a call"),
    "binary": (bytes(range(256)) * 64, 1, "not a call object"),
}


@pytest.mark.parametrize("name", FOREIGN)
async def test_a_file_that_is_not_an_export_is_refused_untouched(tmp_path: Path, name: str) -> None:
    content, line, reason = FOREIGN[name]
    target = tmp_path / "mine.jsonl"
    target.write_bytes(content)
    target.chmod(0o640)
    before = target.stat()
    async with HostileServer(one_page) as server, server.client() as client:
        with pytest.raises(ValueError, match=rf"line {line}: [^)]*{reason}") as info:
            await client.calls.export(target, agent_id="agent_1")
    assert str(target) in str(info.value)
    assert "nothing was changed" in str(info.value)
    assert target.read_bytes() == content
    after = target.stat()
    assert (after.st_mtime_ns, after.st_mode) == (before.st_mtime_ns, before.st_mode)
    assert server.count() == 0, "the file is checked before any request"


@pytest.mark.parametrize(
    "tail", [b"{", b'{"id":"ac_9', b'{"id":"ac_9","agent_id":"agent_1","status":"completed"}']
)
async def test_a_cut_last_line_is_repaired_only_behind_an_export(
    tmp_path: Path, tail: bytes
) -> None:
    target = tmp_path / "calls.jsonl"
    target.write_bytes(EXPORT_LINE + tail)
    async with HostileServer(one_page) as server, server.client() as client:
        result = await client.calls.export(target, agent_id="agent_1")
    assert (result.written, result.skipped) == (2, 0)
    lines = target.read_bytes().splitlines(keepends=True)
    assert lines[0] == EXPORT_LINE
    assert [json.loads(line)["id"] for line in lines] == ["ac_0", "ac_1", "ac_2"]


async def test_a_file_holding_only_a_cut_line_is_repaired(tmp_path: Path) -> None:
    target = tmp_path / "calls.jsonl"
    target.write_bytes(b'{"id":"ac_1","agent_id":"ag')
    async with HostileServer(one_page) as server, server.client() as client:
        result = await client.calls.export(target, agent_id="agent_1")
    assert result.written == 2
    assert [json.loads(line)["id"] for line in target.read_text().splitlines()] == [
        "ac_1",
        "ac_2",
    ]


async def test_export_to_a_device_neither_reads_nor_truncates_it(tmp_path: Path) -> None:
    async with HostileServer(one_page) as server, server.client() as client:
        result = await client.calls.export(os.devnull, agent_id="agent_1")
    assert result.written == 2


def test_reading_a_big_export_keeps_only_the_ids(tmp_path: Path) -> None:
    target = tmp_path / "big.jsonl"
    filler = "x" * 4000
    with target.open("wb") as file:
        for i in range(3000):
            file.write(json.dumps(call(f"ac_{i:05d}", summary=filler)).encode() + b"\n")
    size = target.stat().st_size
    tracemalloc.start()
    try:
        ids = _existing_ids(target)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(ids) == 3000
    assert size > 12_000_000
    # The ids (a few hundred KB) and one line at a time, not the 12 MB file.
    assert peak < 1_500_000, f"peak {peak:,} bytes"


def test_the_cli_refuses_a_foreign_file_with_one_line(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("dear diary\n")
    with serving_in_thread(one_page) as server:
        result = CliRunner().invoke(
            main,
            ["export", "--agent-id", "agent_1", "--output", str(target)],
            env={"CARTESIA_API_KEY": SECRET, "CARTESIA_BASE_URL": server.base_url},
        )
        assert server.count() == 0
    assert result.exit_code == 2, result.output
    assert "notes.txt" in result.stderr
    assert "line 1" in result.stderr
    assert target.read_text() == "dear diary\n"


# -- errors from the transcript fetches -----------------------------------------------------------


def transcripts_fail(*statuses: int) -> HostileServer:
    """A page of ended calls without transcripts; fetching them answers ``statuses`` in turn."""
    answered = 0

    async def script(request: Request, wire: Wire) -> None:
        nonlocal answered
        if request.path == LIST:
            await wire.json(page([f"ac_{i}" for i in range(len(statuses))], None))
            return
        status = statuses[answered % len(statuses)]
        answered += 1
        await wire.json({"title": f"status {status}", "message": "no"}, status=status)

    return HostileServer(script)


async def test_a_failed_transcript_fetch_raises_the_sdk_error_itself(tmp_path: Path) -> None:
    async with transcripts_fail(404) as server, server.client() as client:
        with pytest.raises(NotFoundError) as info:
            await client.calls.export(tmp_path / "x.jsonl", agent_id="agent_1")
    assert not isinstance(info.value, BaseExceptionGroup)


async def test_several_failing_fetches_raise_one_sdk_error(tmp_path: Path) -> None:
    async with transcripts_fail(404, 500, 500) as server, server.client() as client:
        with pytest.raises(CartesiaError) as info:
            await client.calls.export(tmp_path / "x.jsonl", agent_id="agent_1", concurrency=3)
    # Which fetch fails first is a race; whichever it is, it is raised as itself.
    assert isinstance(info.value, NotFoundError | InternalServerError)
    for note in getattr(info.value, "__notes__", []):
        assert note.startswith("(raised at the same time: ")


async def test_cancelling_an_export_cancels_it(tmp_path: Path) -> None:
    fetching = asyncio.Event()

    async def stall(request: Request, wire: Wire) -> None:
        if request.path == LIST:
            await wire.json(page(["ac_1", "ac_2"], None))
            return
        fetching.set()
        await asyncio.sleep(30)  # never answers; the test cancels first

    async with HostileServer(stall) as server, server.client() as client:
        task = asyncio.create_task(client.calls.export(tmp_path / "x.jsonl", agent_id="agent_1"))
        await asyncio.wait_for(fetching.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_first_error_prefers_cancellation_and_interrupts() -> None:
    error = ValueError("first")
    interrupt = KeyboardInterrupt()
    group = BaseExceptionGroup("g", [error, BaseExceptionGroup("inner", [interrupt])])
    assert first_error(group) is interrupt
    assert first_error(BaseExceptionGroup("g", [asyncio.CancelledError(), error])).__class__ is (
        asyncio.CancelledError
    )
    many = ExceptionGroup("g", [RuntimeError(str(i)) for i in range(6)])
    chosen = first_error(many)
    assert str(chosen) == "0"
    assert chosen.__notes__[-1] == "(and 2 more errors)"
