"""``client.calls``: the calls resource of the async client."""

from __future__ import annotations

import builtins
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from ._audio import DEFAULT_CHUNK_SIZE, AudioStream, Destination, FileSink
from ._export import ExportResult, export_calls
from ._models import (
    AgentCall,
    CallCancellation,
    CallLogs,
    OutboundCall,
    OutboundCallResponse,
    OutboundCallResult,
    Page,
)
from ._pagination import AsyncPager
from ._transport import path
from ._validate import (
    check_int_range,
    check_non_empty,
    check_optional_int_range,
    outbound_items,
    page_params,
)
from .errors import WaitTimeoutError

if TYPE_CHECKING:
    from ._client import AsyncClient

__all__ = ["AsyncCalls"]

_CALLS = "/agents/calls"


def _call_path(call_id: str, *rest: str) -> str:
    return _CALLS + path(call_id, name="call_id") + "".join(f"/{part}" for part in rest)


class AsyncCalls:
    """Voice-agent calls: fetch, list, place, cancel, redact, logs and recordings.

    Reached as ``client.calls``. Every method is a coroutine except :meth:`list` (which returns a
    lazy pager) and :meth:`stream_audio` (an async context manager).
    """

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def get(self, call_id: str) -> AgentCall:
        """Fetch one call, with its transcript.

        Args:
            call_id: the call's id (e.g. ``ac_abc123``).

        Returns:
            The :class:`AgentCall`. Fields removed by a redaction are ``None``.

        Raises:
            NotFoundError: no call has this id.
            ValueError: ``call_id`` is empty (nothing is sent).
        """
        return await self._client._json("GET", _call_path(call_id), AgentCall, idempotent=True)

    def list(
        self,
        *,
        agent_id: str | None = None,
        batch_id: str | None = None,
        expand_transcript: bool = False,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> AsyncPager[AgentCall]:
        """List an agent's calls (or a batch's), newest first, fetching pages lazily.

        ``async for call in client.calls.list(agent_id="agent_1")`` walks every call, one request
        per page and only when needed; ``.pages()`` yields whole pages. Nothing is sent until the
        pager is iterated or awaited.

        Args:
            agent_id: whose calls to list. Give exactly one of ``agent_id`` and ``batch_id``.
            batch_id: list the calls of this call batch instead.
            expand_transcript: include each call's transcript (bigger pages).
            limit: page size, 1 to 100 (the API's default is 10).
            starting_after: start after this call id (a cursor from an earlier page).
            ending_before: walk backwards, ending before this call id.

        Raises:
            ValueError: neither or both of ``agent_id``/``batch_id``; ``limit`` out of range; both
                cursors given.
        """
        if (agent_id is None) == (batch_id is None):
            raise ValueError("give exactly one of agent_id and batch_id")
        params: dict[str, str] = {}
        if agent_id is not None:
            params["agent_id"] = check_non_empty(agent_id, "agent_id")
        if batch_id is not None:
            params["batch_id"] = check_non_empty(batch_id, "batch_id")
        if expand_transcript:
            params["expand"] = "transcript"
        params.update(page_params(limit, starting_after, ending_before))

        async def fetch(query: Mapping[str, str]) -> Page[AgentCall]:
            page: Page[AgentCall] = await self._client._json(
                "GET", _CALLS, Page[AgentCall], idempotent=True, params=query
            )
            return page

        return AsyncPager(fetch, params)

    async def create(
        self,
        *,
        agent_id: str,
        from_number_id: str,
        outbound_calls: Sequence[OutboundCall | Mapping[str, Any]],
        ringing_timeout_seconds: int | None = None,
        max_call_duration_minutes: int | None = None,
        allow_retry: bool = False,
    ) -> builtins.list[OutboundCallResult]:
        """Place outbound calls from one of your phone numbers; each item dials one number.

        Every request dials real phones, so it is **not retried automatically** when it may have
        reached the server (a 500, a timeout, a dropped connection); set ``allow_retry=True`` if
        a duplicate call is acceptable to you. A connection that could not be opened at all is
        retried, since nothing was sent.

        Args:
            agent_id: the agent that handles the calls.
            from_number_id: the id of the number to call from (``ap_...``).
            outbound_calls: one item per call: :class:`OutboundCall` or a dict
                ``{"to_number": "+14155550123", "metadata": {...}}``; ``metadata`` reaches your
                agent's code.
            ringing_timeout_seconds: how long to ring, 5 to 80 (the API's default is 60).
            max_call_duration_minutes: hang up after this many minutes.
            allow_retry: opt in to automatic retries (duplicates possible).

        Returns:
            One :class:`OutboundCallResult` per item, in the same order; check ``result.ok`` -
            an item can fail while others succeed.

        Raises:
            ValueError: a number is not E.164, a list is empty, an option is out of range.
        """
        body: dict[str, Any] = {
            "agent_id": check_non_empty(agent_id, "agent_id"),
            "from_number_id": check_non_empty(from_number_id, "from_number_id"),
            "outbound_calls": outbound_items(outbound_calls, "outbound_calls"),
        }
        ringing = check_optional_int_range(
            ringing_timeout_seconds, "ringing_timeout_seconds", 5, 80
        )
        if ringing is not None:
            body["ringing_timeout_seconds"] = ringing
        duration = check_optional_int_range(
            max_call_duration_minutes, "max_call_duration_minutes", 1, None
        )
        if duration is not None:
            body["max_call_duration_minutes"] = duration
        response: OutboundCallResponse = await self._client._json(
            "POST", _CALLS, OutboundCallResponse, idempotent=allow_retry, body=body
        )
        return response.calls

    async def cancel(self, call_id: str) -> CallCancellation:
        """End a call that is in progress (status ``started``); it ends as ``api_cancelled``.

        Not retried automatically once the request may have reached the server.

        Raises:
            BadRequestError: the call is not in progress.
            NotFoundError: no such call, or no active connection for it.
        """
        return await self._client._json(
            "POST", _call_path(call_id, "cancel"), CallCancellation, idempotent=False
        )

    async def delete(self, call_id: str) -> AgentCall:
        """Delete a finished call's sensitive data: transcript, recording, logs, summary,
        metadata and phone numbers. The record stays, with ``redacted_at`` set. Cannot be undone.

        Returns:
            The redacted :class:`AgentCall`.

        Raises:
            ConflictError: the call has not ended yet (cancel it first).
            NotFoundError: no such call.
        """
        return await self._client._json("DELETE", _call_path(call_id), AgentCall, idempotent=True)

    async def logs(self, call_id: str) -> CallLogs:
        """The runtime log lines your agent's code printed during the call.

        Raises:
            NotFoundError: no such call, or no logs (still running, or removed by retention).
        """
        return await self._client._json(
            "GET", _call_path(call_id, "logs"), CallLogs, idempotent=True
        )

    @asynccontextmanager
    async def stream_audio(
        self, call_id: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> AsyncIterator[AudioStream]:
        """Open a call's recording (WAV) for reading in chunks.

        ::

            async with client.calls.stream_audio("ac_1") as stream:
                async for chunk in stream:
                    ...

        The client's ``read`` timeout bounds each silence; there is no total timeout, so long
        recordings are fine. The connection is released when the block ends.

        Raises:
            NotFoundError: the call has no recording (never connected, redacted, or ZDR).
        """
        check_int_range(chunk_size, "chunk_size", 1, None)
        self._client._check_open()
        async with self._client._transport.stream(
            "GET", _call_path(call_id, "audio"), options=self._client._options
        ) as response:
            yield AudioStream(response, chunk_size)

    async def download_audio(
        self,
        call_id: str,
        destination: Destination,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> int:
        """Save a call's recording (WAV) to a path or a binary file object.

        The body is streamed: only one chunk is in memory at a time, whatever the recording's
        size. A path is written atomically - to a temporary file renamed into place at the end -
        so a failed download leaves no half file behind. Writes run in a worker thread so the
        event loop never blocks on the disk.

        Args:
            call_id: the call.
            destination: a file path, or a binary file object opened for writing.
            chunk_size: bytes per read.
            on_progress: called as ``on_progress(bytes_written, total_bytes_or_None)``.

        Returns:
            The number of bytes written.

        Raises:
            NotFoundError: the call has no recording.
            APIConnectionError: the connection broke mid-download (nothing is left at a path).
        """
        sink = FileSink(destination, on_progress)
        async with self.stream_audio(call_id, chunk_size=chunk_size) as stream:
            sink.total = stream.content_length
            with sink:
                async for chunk in stream:
                    await anyio.to_thread.run_sync(sink.write, chunk)
        return sink.written

    async def wait(
        self,
        call_id: str,
        *,
        timeout: float | None = 600.0,  # noqa: ASYNC109 - a deadline for the polling loop
        poll_interval: float = 2.0,
        max_poll_interval: float = 30.0,
    ) -> AgentCall:
        """Poll a call until it has ended (``completed`` or ``failed``), and return it.

        Polls start ``poll_interval`` seconds apart and grow by half each time, up to
        ``max_poll_interval``. The waits go through the client's :class:`Backoff` ``sleep``, so
        tests can run it without waiting.

        Args:
            call_id: the call to wait for.
            timeout: give up after this many seconds (``None``: wait as long as it takes).
            poll_interval: the first wait between polls.
            max_poll_interval: the longest wait between polls.

        Raises:
            WaitTimeoutError: the call was still running at the deadline (it carries the last
                status seen).
        """
        if timeout is not None and timeout < 0:
            raise ValueError(f"timeout must be 0 or more seconds, got {timeout}")
        if poll_interval <= 0 or max_poll_interval < poll_interval:
            raise ValueError("poll_interval must be > 0 and at most max_poll_interval")
        started = time.monotonic()
        slept = 0.0
        interval = poll_interval
        while True:
            call = await self.get(call_id)
            if call.is_terminal:
                return call
            # Injected sleeps return at once; counting the time they stood for keeps the deadline.
            elapsed = max(time.monotonic() - started, slept)
            if timeout is not None and elapsed >= timeout:
                raise WaitTimeoutError(
                    f"call {call_id!r} was still {call.status} after {timeout:g}s",
                    call_id=call_id,
                    last_status=str(call.status),
                )
            delay = interval if timeout is None else min(interval, timeout - elapsed)
            await self._client.backoff.sleep(delay)
            slept += delay
            interval = min(interval * 1.5, max_poll_interval)

    async def export(
        self,
        destination: str | os.PathLike[str],
        *,
        agent_id: str | None = None,
        batch_id: str | None = None,
        concurrency: int = 8,
        page_size: int = 100,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> ExportResult:
        """Write an agent's (or a batch's) calls with their transcripts to a JSON Lines file.

        One call per line, in wire format (``AgentCall.to_dict()``), written page by page as it
        goes, so memory stays flat however many calls there are. Calls listed without a
        transcript are fetched one by one, at most ``concurrency`` at a time. Re-running on the
        same file resumes: calls already in it are skipped, and a last line cut short by a crash
        is rewritten.

        Args:
            destination: the ``.jsonl`` file (appended to if it exists).
            agent_id: whose calls to export; give exactly one of ``agent_id`` and ``batch_id``.
            batch_id: export the calls of this batch instead.
            concurrency: the most transcripts fetched at once.
            page_size: calls per list request (1 to 100).
            on_progress: called as ``on_progress(written, skipped)`` after each page.

        Returns:
            An :class:`ExportResult` with the counts.
        """
        return await export_calls(
            self,
            destination,
            agent_id=agent_id,
            batch_id=batch_id,
            concurrency=concurrency,
            page_size=page_size,
            on_progress=on_progress,
        )
