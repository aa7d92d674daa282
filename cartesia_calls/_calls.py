"""``client.calls``: the calls resource of the async client."""

from __future__ import annotations

import builtins
import datetime as _dt
import os
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
)
from ._pagination import AsyncPager, list_pager
from ._polling import poll_until
from ._raw_resources import AsyncCallsWithRawResponse
from ._resource import Resource
from ._transport import path
from ._validate import (
    check_extra_headers,
    check_int_range,
    check_non_empty,
    check_optional_int_range,
    merge_extra,
    merge_query,
    outbound_items,
    parse_rfc3339,
    rfc3339,
)
from .errors import NotFoundError, WaitTimeoutError

if TYPE_CHECKING:
    pass

__all__ = ["AsyncCalls"]

_CALLS = "/agents/calls"
#: Cancel Call answers 502 when "the cancel request could not be delivered. Retry the request."
_CANCEL_RETRY_STATUSES = frozenset({502})
#: The last API version that documents Get Call Logs.
LAST_LOGS_VERSION = "2026-03-01"


def _call_path(call_id: str, *rest: str) -> str:
    return _CALLS + path(call_id, name="call_id") + "".join(f"/{part}" for part in rest)


class AsyncCalls(Resource):
    """Voice-agent calls: fetch, list, place, cancel, redact, logs and recordings.

    Reached as ``client.calls``. Every method is a coroutine except :meth:`list` (which returns a
    lazy pager) and :meth:`stream_audio` (an async context manager).
    """

    @property
    def with_raw_response(self) -> AsyncCallsWithRawResponse:
        """These methods, each returning the whole HTTP response (an :class:`APIResponse`):
        ``response = await client.calls.with_raw_response.get("ac_1")`` has ``status_code``,
        ``headers``, ``request_id``...; ``response.parse()`` gives what the plain method returns.
        """
        return AsyncCallsWithRawResponse(self)

    async def get(
        self,
        call_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AgentCall:
        """Fetch one call, with its transcript.

        Args:
            call_id: the call's id (e.g. ``ac_abc123``).
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for this request (not ``Authorization``).

        Returns:
            The :class:`AgentCall`. Fields removed by a redaction are ``None``.

        Raises:
            NotFoundError: no call has this id.
            ValueError: ``call_id`` is empty (nothing is sent).
        """
        return await self._request(
            "GET",
            _call_path(call_id),
            AgentCall,
            idempotent=True,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        agent_id: str | None = None,
        batch_id: str | None = None,
        start_time_gte: _dt.datetime | str | None = None,
        start_time_lte: _dt.datetime | str | None = None,
        expand_transcript: bool = False,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncPager[AgentCall]:
        """List an agent's calls (or a batch's), newest first, fetching pages lazily.

        ``async for call in client.calls.list(agent_id="agent_1")`` walks every call, one request
        per page and only when needed; ``.pages()`` yields whole pages. Nothing is sent until the
        pager is iterated or awaited.

        Args:
            agent_id: whose calls to list. Give ``agent_id``, ``batch_id``, or both (then the
                batch must be that agent's, or the API answers 400).
            batch_id: list the calls of this call batch: one entry per call attempt, so a
                retried recipient appears more than once.
            start_time_gte: only calls that started at or after this time (inclusive): an aware
                :class:`~datetime.datetime` (sent as RFC 3339 in UTC, ``...Z``) or an RFC 3339
                string with an offset (sent as given).
            start_time_lte: only calls that started at or before this time (inclusive); same
                forms.
            expand_transcript: include each call's transcript (bigger pages).
            limit: page size, 1 to 100 (the API's default is 10).
            starting_after: start after this call id (a cursor from an earlier page).
            ending_before: walk backwards, ending before this call id.
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for each page's request (not ``Authorization``).

        Raises:
            ValueError: neither ``agent_id`` nor ``batch_id``; a naive datetime (it needs a
                timezone) or a malformed time string; ``start_time_gte`` after
                ``start_time_lte``; ``limit`` out of range; both cursors given.
            TypeError: an argument has the wrong type.
        """
        if agent_id is None and batch_id is None:
            raise ValueError("give agent_id, batch_id, or both")
        params: dict[str, str] = {}
        if agent_id is not None:
            params["agent_id"] = check_non_empty(agent_id, "agent_id")
        if batch_id is not None:
            params["batch_id"] = check_non_empty(batch_id, "batch_id")
        if start_time_gte is not None:
            params["start_time_gte"] = rfc3339(start_time_gte, "start_time_gte")
        if start_time_lte is not None:
            params["start_time_lte"] = rfc3339(start_time_lte, "start_time_lte")
        if start_time_gte is not None and start_time_lte is not None:
            low = parse_rfc3339(start_time_gte, "start_time_gte")
            high = parse_rfc3339(start_time_lte, "start_time_lte")
            if low > high:
                raise ValueError(
                    f"start_time_gte ({params['start_time_gte']}) is after start_time_lte "
                    f"({params['start_time_lte']}): no call can match"
                )
        if expand_transcript:
            params["expand"] = "transcript"
        return list_pager(
            self._client,
            _CALLS,
            AgentCall,
            params,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    async def create(
        self,
        *,
        agent_id: str,
        from_number_id: str,
        outbound_calls: Sequence[OutboundCall | Mapping[str, Any]],
        ringing_timeout_seconds: int | None = None,
        max_call_duration_minutes: int | None = None,
        allow_retry: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> builtins.list[OutboundCallResult]:
        """Place outbound calls from one of your phone numbers; each item dials one number.

        Every request dials real phones, so it is **not retried automatically** when it may have
        reached the server (a 500, a timeout, a dropped connection); set ``allow_retry=True`` if
        a duplicate call is acceptable to you. A connection that could not be opened at all is
        retried, since nothing was sent.

        Args:
            agent_id: the agent that handles the calls.
            from_number_id: the id of the number to call from (``pn_...``).
            outbound_calls: one item per call: :class:`OutboundCall` or a dict
                ``{"to_number": "+14155550123", "dynamic_variables": {"first_name": "Ada"}}``.
                ``dynamic_variables`` (API version 2026-08-14) are checked against the API's
                rules and sent as given; ``metadata`` (2026-03-01) is sent as given.
            ringing_timeout_seconds: how long to ring, 5 to 80 (the API's default is 60).
            max_call_duration_minutes: hang up after this many minutes.
            allow_retry: opt in to automatic retries (duplicates possible).
            extra_body: more body fields, for what this SDK does not name yet (sent unchecked;
                a key an argument already set is a ValueError).
            extra_query: more query parameters.
            extra_headers: more headers for this request (not ``Authorization``).

        Returns:
            One :class:`OutboundCallResult` per item, in the same order; check ``result.ok`` -
            an item can fail while others succeed.

        Raises:
            ValueError: a number is not E.164, a list is empty, an option is out of range, a
                dynamic variable breaks a rule (the error names the item and the variable).
            TypeError: an argument, or a dynamic variable's value, has the wrong type.
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
        response: OutboundCallResponse = await self._request(
            "POST",
            _CALLS,
            OutboundCallResponse,
            idempotent=allow_retry,
            body=merge_extra(body, extra_body, "extra_body"),
            extra_query=extra_query,
            extra_headers=extra_headers,
        )
        return response.calls

    async def cancel(
        self,
        call_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallCancellation:
        """End a call that is in progress (status ``started``); it ends as ``api_cancelled``.

        Cancelling is not repeated blindly once the request may have reached the server, with
        one exception the API documents: a 502 means the cancel "could not be delivered", so it
        is retried (like a connection that could not be opened).

        Args:
            call_id: the call to end.
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for this request (not ``Authorization``).

        Raises:
            BadRequestError: the call is not in progress.
            NotFoundError: no such call, or no active connection for it.
            InternalServerError: a 502 still, after the retries.
        """
        return await self._request(
            "POST",
            _call_path(call_id, "cancel"),
            CallCancellation,
            idempotent=False,
            retry_statuses=_CANCEL_RETRY_STATUSES,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    async def delete(
        self,
        call_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AgentCall:
        """Delete a finished call's sensitive data: transcript, recording, logs, summary,
        dynamic variables and phone numbers. The record stays, with ``redacted_at`` set. Cannot
        be undone.

        Deleting is idempotent, so failures (a 500 "deletion did not complete" included) are
        retried like a GET.

        Args:
            call_id: the call; it must have ended (``completed`` or ``failed``).
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for this request (not ``Authorization``).

        Returns:
            The redacted :class:`AgentCall`.

        Raises:
            BadRequestError: the call has not ended yet (cancel it first).
            NotFoundError: no such call.
        """
        return await self._request(
            "DELETE",
            _call_path(call_id),
            AgentCall,
            idempotent=True,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    async def logs(
        self,
        call_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallLogs:
        """The runtime log lines your agent's code printed during the call.

        Documented for API version 2026-03-01; the 2026-08-14 spec does not list this endpoint,
        so under 2026-08-14 logs may not be available (a 404 then says so). Pin
        ``cartesia_version="2026-03-01"`` (for example with
        ``client.with_options(cartesia_version="2026-03-01")``) to read them the documented way.

        Args:
            call_id: the call.
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for this request (not ``Authorization``).

        Raises:
            NotFoundError: no such call, or no logs (still running, removed by retention, or
                not served under the API version in use).
        """
        try:
            return await self._request(
                "GET",
                _call_path(call_id, "logs"),
                CallLogs,
                idempotent=True,
                extra_query=extra_query,
                extra_headers=extra_headers,
            )
        except NotFoundError as error:
            version = next(
                (v for k, v in (extra_headers or {}).items() if k.lower() == "cartesia-version"),
                self._client.cartesia_version,
            )
            if version > LAST_LOGS_VERSION:
                error.message += (
                    f" (call logs are documented for API version {LAST_LOGS_VERSION} only and "
                    f"may not be available under {version}; pin "
                    f"cartesia_version={LAST_LOGS_VERSION!r} to read them)"
                )
                error.args = (error.message,)
            raise

    @asynccontextmanager
    async def stream_audio(
        self,
        call_id: str,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[AudioStream]:
        """Open a call's recording (WAV) for reading in chunks.

        ::

            async with client.calls.stream_audio("ac_1") as stream:
                async for chunk in stream:
                    ...

        The client's ``read`` timeout bounds each silence; there is no total timeout, so long
        recordings are fine. The connection is released when the block ends.

        Args:
            call_id: the call.
            chunk_size: the most bytes per chunk.
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for this request (not ``Authorization``).

        Raises:
            NotFoundError: the call has no recording (never connected, redacted, or ZDR).
        """
        check_int_range(chunk_size, "chunk_size", 1, None)
        params = merge_query({}, extra_query)
        headers = check_extra_headers(extra_headers)
        self._client._check_open()
        async with self._client._transport.stream(
            "GET",
            _call_path(call_id, "audio"),
            options=self._client._options,
            params=params or None,
            headers=headers,
        ) as response:
            yield AudioStream(response, chunk_size)

    async def download_audio(
        self,
        call_id: str,
        destination: Destination,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        on_progress: Callable[[int, int | None], None] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
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
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for this request (not ``Authorization``).

        Returns:
            The number of bytes written.

        Raises:
            NotFoundError: the call has no recording.
            APIConnectionError: the connection broke mid-download (nothing is left at a path).
        """
        sink = FileSink(destination, on_progress)
        async with self.stream_audio(
            call_id, chunk_size=chunk_size, extra_query=extra_query, extra_headers=extra_headers
        ) as stream:
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
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
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
            extra_query: more query parameters for each poll (a Get Call).
            extra_headers: more headers for each poll (not ``Authorization``).

        Raises:
            WaitTimeoutError: the call was still running at the deadline (its ``call_id`` is
                the call's id, ``last_status`` the last status seen).
        """

        def timed_out(call: AgentCall) -> WaitTimeoutError:
            return WaitTimeoutError(
                f"call {call_id!r} was still {call.status} after {timeout:g}s",
                call_id=call_id,
                last_status=str(call.status),
            )

        return await poll_until(
            lambda: self.get(call_id, extra_query=extra_query, extra_headers=extra_headers),
            lambda call: call.is_terminal,
            sleep=self._client.backoff.sleep,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            timed_out=timed_out,
        )

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
