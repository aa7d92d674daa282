"""Bulk export of calls with transcripts to JSON Lines, resumable, with flat memory.

Export appends to its file, so it first makes sure the file is one it may append to: a file that
does not exist or is empty, or an earlier export (every line a call object). Anything else - notes,
an events log, a CSV - is refused with a :class:`ValueError` naming the file and the first line
that is not a call, before a byte of it changes. A last line cut short by a crash is removed (and
that call exported again) only when every line before it is a call.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final, cast

import anyio
import anyio.to_thread
import attrs

from ._codec import decode_plain, dumps, loads
from ._enums import CallStatus
from ._files import check_destination, naming
from ._models import AgentCall, Page
from ._pagination import AsyncPager, has_more_always_sent

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


#: The longest line an existing export may have (a call with a very long transcript is a few MB).
MAX_LINE_BYTES: Final = 64 * 1024 * 1024
# How every line export writes starts (``dumps`` writes a call's ``id`` first): a last line cut
# short is removed only if it starts so (or is a start of it), since only then export wrote it.
_LINE_START: Final = b'{"id":"'


class _NotAnExport(ValueError):
    """The destination of an export holds something other than exported calls."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(
            f"{str(path)!r} is not a call export (line {line}: {reason}); export appends only to "
            "an empty file or to one it wrote, so nothing was changed: choose another file"
        )
        self.path = path
        self.line = line


def _call_id(line: bytes) -> str | None:
    """The id of an exported call line, or ``None`` if the line is not one."""
    try:
        value = loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    call_id = value.get("id")
    if not isinstance(call_id, str) or not call_id:
        return None
    if not isinstance(value.get("agent_id"), str) or not isinstance(value.get("status"), str):
        return None
    return call_id


def _existing_ids(path: Path) -> set[str]:
    """The ids already exported to ``path``; raises :class:`ValueError` if it is no export.

    One pass, one line in memory at a time: only the set of ids is kept. A last line without
    its newline (a crash cut it) is removed so that call is redone - only when every line
    before it is a call and it starts the way export starts a line. Other files that are not
    regular (``/dev/null``, a pipe) are neither read nor repaired.
    """
    ids: set[str] = set()
    try:
        info = path.stat()
    except FileNotFoundError:
        return ids
    if not stat.S_ISREG(info.st_mode):
        return ids
    good_end = 0
    cut = False
    with path.open("rb") as file:
        # A file that does not even start like a JSON object (a binary file, a CSV) is refused
        # without reading any further.
        if file.read(1) not in (b"", b"{"):
            raise _NotAnExport(path, 1, "not a call object")
        file.seek(0)
        number = 0
        while line := file.readline(MAX_LINE_BYTES + 1):
            number += 1
            if not line.endswith(b"\n"):
                if len(line) > MAX_LINE_BYTES:
                    raise _NotAnExport(path, number, f"longer than {MAX_LINE_BYTES:,} bytes")
                if line[: len(_LINE_START)] == _LINE_START[: len(line)]:
                    cut = True  # the last line, cut short by a crash: redone below
                    break
                raise _NotAnExport(path, number, "not a call object, and no newline ends it")
            call_id = _call_id(line)
            if call_id is None:
                reason = "an empty line" if not line.strip() else "not a call object"
                raise _NotAnExport(path, number, reason)
            ids.add(call_id)
            good_end += len(line)
    if cut:
        with path.open("rb+") as file:
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
    # A missing folder is reported like download_audio reports it, before any request.
    path = check_destination(destination)
    # The listing checks the arguments (before any request) and says what to ask for.
    listing = calls.list(
        agent_id=agent_id, batch_id=batch_id, expand_transcript=True, limit=page_size
    )
    pager = _plain_pages(calls, listing)
    done = await anyio.to_thread.run_sync(_existing_ids, path)
    limiter = anyio.CapacityLimiter(concurrency)
    written = fetched = 0
    skipped = 0

    async def complete(index: int, call_id: str, out: list[Any]) -> None:
        async with limiter:
            out[index] = await calls.get(call_id)

    with naming(path):
        file: BinaryIO = await anyio.to_thread.run_sync(path.open, "ab")
    try:
        async for page in pager.pages():
            items: list[dict[str, Any]] = page.data
            todo = [item for item in items if item["id"] not in done]
            skipped += len(items) - len(todo)
            filled: list[Any] = list(todo)
            try:
                async with anyio.create_task_group() as group:
                    for index, item in enumerate(todo):
                        # A list item can lack its transcript; ended, unredacted calls may.
                        if _lacks_transcript(item):
                            fetched += 1
                            group.start_soon(complete, index, item["id"], filled)
            except BaseExceptionGroup as failures:
                # The task group wraps what its tasks raised; the caller gets the error itself.
                error = first_error(failures)
                raise error from error.__cause__
            # A listed call is written as it was listed (already what dumps writes of its
            # model); a fetched one is a model.
            lines = b"".join(dumps(item) + b"\n" for item in filled)
            with naming(path):  # a full disk names no file: name the export
                await anyio.to_thread.run_sync(_write, file, lines)
            # Only the ids found in the file are kept: cursor pages never repeat an item, so
            # remembering every exported id would only grow memory with the export's size.
            written += len(todo)
            if on_progress is not None:
                on_progress(written, skipped)
    finally:
        await anyio.to_thread.run_sync(file.close)
    return ExportResult(path=path, written=written, skipped=skipped, fetched=fetched)


@attrs.frozen
class _PlainPage:
    """A page of List Calls as JSON-ready dicts: what ``unstructure`` makes of a
    ``Page[AgentCall]``, and what the pager reads of one."""

    data: list[dict[str, Any]]
    next_page: str | None
    has_more: bool | None


def _plain_pages(calls: AsyncCalls, listing: AsyncPager[AgentCall]) -> AsyncPager[Any]:
    """The pages of ``listing``, each call as what :func:`dumps` writes of it, built without
    models (:func:`decode_plain`).

    An export writes the listed calls as they are, so building a model of every turn only to
    write it back would be most of its work. The pages are requested as ``listing`` would
    request them (same path, parameters, client: retries, timeouts and hooks included) and
    walked by the same pager (cursor checks, page ceiling); a body that is not a valid
    ``Page[AgentCall]`` raises the same :class:`ResponseDecodeError`.
    """
    from ._calls import _CALLS  # noqa: PLC0415 - _calls imports this module

    client = calls._client

    async def fetch(query: Mapping[str, str]) -> _PlainPage:
        raw = await client.request("GET", _CALLS, params=query)
        page = decode_plain(
            raw.content,
            Page[AgentCall],
            status_code=raw.status_code,
            method=raw.method,
            url=raw.url,
        )
        return _PlainPage(page["data"], page.get("next_page"), page.get("has_more"))

    return AsyncPager(
        # The pager reads only data, next_page and has_more of what fetch returns.
        cast("Callable[[Mapping[str, str]], Awaitable[Page[Any]]]", fetch),
        listing.params,
        item_type=AgentCall,
        has_more_always_sent=has_more_always_sent(client.cartesia_version),
    )


def _lacks_transcript(item: dict[str, Any]) -> bool:
    """Whether a listed call (JSON-ready) has no transcript though it could have one: ended,
    not redacted. (``None`` fields are left out of it.)"""
    if "transcript" in item or "redacted_at" in item:
        return False
    return CallStatus(item["status"]).is_terminal


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The exception to raise for a task group's failures, the others attached as notes.

    Cancellation, ``KeyboardInterrupt`` and ``SystemExit`` come first (they must propagate as
    themselves), then the first error raised.
    """
    leaves: list[BaseException] = []
    pending: list[BaseException] = [group]
    while pending:
        item = pending.pop()
        if isinstance(item, BaseExceptionGroup):
            pending.extend(reversed(item.exceptions))
        else:
            leaves.append(item)
    leaves.sort(key=lambda exc: isinstance(exc, Exception))  # stable: order kept within each kind
    error, others = leaves[0], leaves[1:]
    for other in others[:3]:
        error.add_note(f"(raised at the same time: {type(other).__name__}: {other})")
    if len(others) > 3:
        error.add_note(f"(and {len(others) - 3} more errors)")
    return error


def _write(file: BinaryIO, data: bytes) -> None:
    file.write(data)
    file.flush()
