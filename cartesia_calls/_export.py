"""Bulk export of calls with transcripts to JSON Lines, resumable, with flat memory."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import anyio
import anyio.to_thread
import attrs

from ._codec import dumps, loads
from ._models import AgentCall

if TYPE_CHECKING:
    from ._calls import AsyncCalls

__all__ = ["ExportResult", "export_calls"]


@attrs.frozen
class ExportResult:
    """What an export did.

    Attributes:
        path: the JSONL file.
        written: calls written by this run.
        skipped: calls already in the file from an earlier run, left as they were.
        fetched: calls whose transcript was missing from the list and fetched one by one.
    """

    path: Path
    written: int
    skipped: int
    fetched: int


def _existing_ids(path: Path) -> set[str]:
    """Ids already exported; a last line cut short by a crash is removed so it is redone."""
    ids: set[str] = set()
    if not path.exists():
        return ids
    with path.open("rb+") as file:
        good_end = 0
        for line in file:
            if not line.endswith(b"\n"):
                break
            try:
                ids.add(loads(line)["id"])
            except (ValueError, KeyError, TypeError):
                break
            good_end += len(line)
        file.truncate(good_end)
    return ids


async def export_calls(
    calls: AsyncCalls,
    destination: str | os.PathLike[str],
    *,
    agent_id: str | None = None,
    batch_id: str | None = None,
    concurrency: int = 8,
    page_size: int = 100,
    on_progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """The implementation of :meth:`AsyncCalls.export`."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int of at least 1, got {concurrency!r}")
    path = Path(destination)
    pager = calls.list(
        agent_id=agent_id, batch_id=batch_id, expand_transcript=True, limit=page_size
    )
    done = await anyio.to_thread.run_sync(_existing_ids, path)
    limiter = anyio.CapacityLimiter(concurrency)
    written = fetched = 0
    skipped = 0

    async def complete(index: int, call: AgentCall, out: list[AgentCall | None]) -> None:
        async with limiter:
            out[index] = await calls.get(call.id)

    file: BinaryIO = await anyio.to_thread.run_sync(path.open, "ab")
    try:
        async for page in pager.pages():
            todo = [call for call in page.data if call.id not in done]
            skipped += len(page.data) - len(todo)
            filled: list[AgentCall | None] = list(todo)
            async with anyio.create_task_group() as group:
                for index, call in enumerate(todo):
                    # A list item can lack its transcript; ended, unredacted calls may have one.
                    if call.transcript is None and call.is_terminal and not call.is_redacted:
                        fetched += 1
                        group.start_soon(complete, index, call, filled)
            lines = b"".join(dumps(call) + b"\n" for call in filled if call is not None)
            await anyio.to_thread.run_sync(_write, file, lines)
            # Only the ids found in the file are kept: cursor pages never repeat an item, so
            # remembering every exported id would only grow memory with the export's size.
            written += len(todo)
            if on_progress is not None:
                on_progress(written, skipped)
    finally:
        await anyio.to_thread.run_sync(file.close)
    return ExportResult(path=path, written=written, skipped=skipped, fetched=fetched)


def _write(file: BinaryIO, data: bytes) -> None:
    file.write(data)
    file.flush()
