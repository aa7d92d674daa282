"""``client.batches``: call batches (queued outbound calls) on the async client."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from ._enums import Region
from ._models import CallBatch, OutboundCall
from ._pagination import AsyncPager, list_pager
from ._polling import poll_until
from ._raw_resources import AsyncBatchesWithRawResponse
from ._resource import Resource
from ._transport import path
from ._validate import (
    check_non_empty,
    check_optional_int_range,
    merge_extra,
    outbound_items,
    rfc3339,
)
from .errors import WaitTimeoutError

if TYPE_CHECKING:
    pass

__all__ = ["AsyncBatches"]

#: The most recipients one batch may have (the API's limit).
MAX_RECIPIENTS: Final = 5000
_BATCHES: Final = path("agents", "calls", "batches")


def _batch_path(batch_id: str, *rest: str) -> str:
    return _BATCHES + path(batch_id, name="batch_id") + "".join(f"/{part}" for part in rest)


class AsyncBatches(Resource):
    """Call batches: many outbound calls queued and dialed at a bounded concurrency.

    Reached as ``client.batches``; every method but :meth:`list` is a coroutine.
    """

    @property
    def with_raw_response(self) -> AsyncBatchesWithRawResponse:
        """These methods, each returning the whole HTTP response (an :class:`APIResponse`):
        ``response = await client.batches.with_raw_response.get("acb_1")`` has ``status_code``,
        ``headers``, ``request_id``...; ``response.parse()`` gives what the plain method returns.
        """
        return AsyncBatchesWithRawResponse(self)

    async def create(
        self,
        *,
        name: str,
        agent_id: str,
        from_number_id: str,
        recipients: Iterable[OutboundCall | Mapping[str, Any]],
        target_concurrency_limit: int | None = None,
        ringing_timeout_seconds: int | None = None,
        max_call_duration_minutes: int | None = None,
        scheduled_at: _dt.datetime | str | None = None,
        region: Region | str | None = None,
        allow_retry: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        """Queue a batch of outbound calls: every recipient is dialed, a few at a time.

        Creating a batch dials real phones, so a failed request is **not** retried (it may have
        reached Cartesia) unless ``allow_retry=True``; only a connection that could not even be
        opened is retried. Every argument is checked before anything is sent; options left at
        ``None`` are not sent, so the API's defaults apply.

        Args:
            name: a name for the batch, shown in the dashboard.
            agent_id: the agent that handles the calls.
            from_number_id: the phone number id to call from (``pn_...``).
            recipients: 1 to 5000 numbers to call, each an :class:`OutboundCall` or a dict
                ``{"to_number": "+14155550123", "dynamic_variables": {"first_name": "Ada"}}``
                (``dynamic_variables``, API version 2026-08-14, and ``metadata``, 2026-03-01,
                are optional; any other key is an error). Numbers must be E.164; dynamic
                variables are checked against the API's rules.
            target_concurrency_limit: how many calls may run at once (1 or more).
            ringing_timeout_seconds: how long each call rings before giving up (5-80).
            max_call_duration_minutes: the longest a call may last (1-480).
            scheduled_at: when to start dialing: a timezone-aware :class:`~datetime.datetime`
                (sent as RFC 3339 in UTC, ``...Z``) or an RFC 3339 string with an offset (sent
                as given). The API requires a time in the future and at most 30 days ahead
                (checked by the API).
            region: where the calls are placed from: ``"US"``, ``"EU"``, ``"APAC"`` (a
                :class:`Region`, or any string, sent as given). Only for SIP-trunk numbers; the
                API rejects it for others. Omit it to use the telephony account's region.
            allow_retry: retry failed attempts like an idempotent request (may create the batch
                twice if an attempt reached Cartesia but its answer was lost).
            extra_body: more body fields, for what this SDK does not name yet (sent unchecked;
                a key an argument already set is a ValueError).
            extra_query: more query parameters.
            extra_headers: more headers for this request (not ``Authorization``).

        Returns:
            The new :class:`CallBatch` (status ``pending``).

        Raises:
            ValueError: an argument is out of range, empty, or not E.164; a recipient dict has
                an unknown key; a dynamic variable breaks a rule (the error names the recipient
                and the variable); ``scheduled_at`` has no UTC offset (nothing is sent).
            TypeError: an argument has the wrong type (nothing is sent).
            BadRequestError: the API rejected the batch (for example ``scheduled_at`` in the
                past).
            UsageLimitError: the organization reached its agents usage limit (402).
            NotFoundError: the agent or phone number does not exist.
        """
        body: dict[str, Any] = {
            "name": check_non_empty(name, "name"),
            "agent_id": check_non_empty(agent_id, "agent_id"),
            "from_number_id": check_non_empty(from_number_id, "from_number_id"),
            "recipients": outbound_items(recipients, "recipients", max_items=MAX_RECIPIENTS),
        }
        options = {
            "target_concurrency_limit": check_optional_int_range(
                target_concurrency_limit, "target_concurrency_limit", 1, None
            ),
            "ringing_timeout_seconds": check_optional_int_range(
                ringing_timeout_seconds, "ringing_timeout_seconds", 5, 80
            ),
            "max_call_duration_minutes": check_optional_int_range(
                max_call_duration_minutes, "max_call_duration_minutes", 1, 480
            ),
            "scheduled_at": None if scheduled_at is None else rfc3339(scheduled_at, "scheduled_at"),
            "region": None if region is None else str(check_non_empty(region, "region")),
        }
        body.update((key, value) for key, value in options.items() if value is not None)
        if not isinstance(allow_retry, bool):
            raise TypeError(f"allow_retry must be a bool, got {type(allow_retry).__name__}")
        return await self._request(
            "POST",
            _BATCHES,
            CallBatch,
            idempotent=allow_retry,
            body=merge_extra(body, extra_body, "extra_body"),
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    def list(
        self,
        *,
        agent_id: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncPager[CallBatch]:
        """List call batches, newest first, fetching pages lazily as they are used.

        This is not a coroutine: it checks its arguments and returns a pager at once; nothing
        is sent until the pager is iterated (``async for batch in client.batches.list()``) or
        awaited (``page = await client.batches.list()`` gives the first page). Items of a list
        carry no ``recipients``; :meth:`get` a batch to see them.

        Args:
            agent_id: only the batches of this agent.
            limit: the page size, 1-100 (the API's default is 10).
            starting_after: a batch id: start with the batch after it (older).
            ending_before: a batch id: page backwards, towards newer batches, from before it.
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for each page's request (not ``Authorization``).

        Returns:
            An :class:`AsyncPager` of :class:`CallBatch`.

        Raises:
            ValueError: ``limit`` is out of range, a cursor or ``agent_id`` is empty, or both
                cursors are given (raised here, before anything is sent).
            TypeError: an argument has the wrong type.
        """
        params: dict[str, str] = {}
        if agent_id is not None:
            params["agent_id"] = check_non_empty(agent_id, "agent_id")
        return list_pager(
            self._client,
            _BATCHES,
            CallBatch,
            params,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    async def get(
        self,
        batch_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        """Fetch one call batch, with its recipients.

        Args:
            batch_id: the batch's id (``acb_...``).
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for this request (not ``Authorization``).

        Returns:
            The :class:`CallBatch`, ``recipients`` included. To know whether every recipient's
            call has ended, read :attr:`CallBatch.all_calls_ended` (``status`` only says how
            far dispatching got).

        Raises:
            NotFoundError: no batch has this id.
            ValueError: ``batch_id`` is empty (nothing is sent).
            TypeError: ``batch_id`` is not a string (nothing is sent).
        """
        return await self._request(
            "GET",
            _batch_path(batch_id),
            CallBatch,
            idempotent=True,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    async def cancel(
        self,
        batch_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        """Stop dialing a batch: its queued calls are not placed; calls in progress go on.

        Cancelling is idempotent (cancelling a cancelled batch changes nothing), so failed
        attempts are retried like a GET.

        Args:
            batch_id: the batch's id (``acb_...``).
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for this request (not ``Authorization``).

        Returns:
            The batch as it is after the cancellation.

        Raises:
            NotFoundError: no batch has this id.
            ValueError: ``batch_id`` is empty (nothing is sent).
            TypeError: ``batch_id`` is not a string (nothing is sent).
        """
        return await self._request(
            "POST",
            _batch_path(batch_id, "cancel"),
            CallBatch,
            idempotent=True,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    async def retry(
        self,
        batch_id: str,
        *,
        allow_retry: bool = False,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        """Queue again the recipients whose last call failed or went unanswered.

        This dials real phones again, so a failed request is not retried automatically (only a
        connection that could not be opened is) unless ``allow_retry=True``.

        Args:
            batch_id: the batch's id (``acb_...``).
            allow_retry: retry failed attempts like an idempotent request.
            extra_query: more query parameters, for what this SDK does not name yet.
            extra_headers: more headers for this request (not ``Authorization``).

        Returns:
            The batch as it is after re-queueing.

        Raises:
            BadRequestError: the batch was cancelled (a cancelled batch cannot be retried).
            NotFoundError: no batch has this id.
            ValueError: ``batch_id`` is empty (nothing is sent).
            TypeError: ``batch_id`` is not a string (nothing is sent).
        """
        if not isinstance(allow_retry, bool):
            raise TypeError(f"allow_retry must be a bool, got {type(allow_retry).__name__}")
        return await self._request(
            "POST",
            _batch_path(batch_id, "retry"),
            CallBatch,
            idempotent=allow_retry,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    async def wait(
        self,
        batch_id: str,
        *,
        dispatch_only: bool = False,
        timeout: float | None = None,  # noqa: ASYNC109 - a deadline for the polling loop
        poll_interval: float = 5.0,
        max_poll_interval: float = 30.0,
        on_progress: Callable[[CallBatch], None] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        """Poll a batch until every recipient's call has ended (or, with ``dispatch_only``,
        until dispatching is over), and return it.

        By default the wait ends when :attr:`CallBatch.all_calls_ended` is true: dispatching is
        over and every recipient is ``completed``, ``failed`` or ``cancelled``. With
        ``dispatch_only=True`` it ends as soon as :attr:`CallBatch.is_terminal` is (status
        ``completed``, ``failed`` or ``cancelled``: nothing more will be dialed), while calls
        may still be running. If the API sends no recipients, the wait ends when the counters
        say every call ended, or, when they cannot say (a cancelled batch), once dispatching is
        over.

        Polls (each a :meth:`get`) start ``poll_interval`` seconds apart and grow by half each
        time, up to ``max_poll_interval``. The waits go through the client's :class:`Backoff`
        ``sleep``, so tests can run it without waiting.

        Args:
            batch_id: the batch to wait for (``acb_...``).
            dispatch_only: return once dispatching is over, without waiting for the calls.
            timeout: give up after this many seconds (``None``, the default: wait as long as it
                takes; a batch may be scheduled days ahead and take hours).
            poll_interval: the first wait between polls.
            max_poll_interval: the longest wait between polls.
            on_progress: called with the batch after every poll (the last one included), to
                show progress.
            extra_query: more query parameters for each poll (a Get Call Batch).
            extra_headers: more headers for each poll (not ``Authorization``).

        Returns:
            The batch, recipients included, as the last poll saw it.

        Raises:
            WaitTimeoutError: the batch was still going at the deadline (its ``batch_id`` is
                the batch's id, ``last_status`` the batch's status).
            NotFoundError: no batch has this id.
            ValueError: ``batch_id`` is empty, or a timeout or interval is out of range
                (nothing is sent).
        """
        if not isinstance(dispatch_only, bool):
            raise TypeError(f"dispatch_only must be a bool, got {type(dispatch_only).__name__}")

        def timed_out(batch: CallBatch) -> WaitTimeoutError:
            ended = _ended_count(batch)
            total = batch.total_calls_scheduled
            known = ended is not None and total is not None
            progress = f" ({ended} of {total} calls ended)" if known else ""
            return WaitTimeoutError(
                f"batch {batch_id!r} was still {batch.status}{progress} after {timeout:g}s",
                batch_id=batch_id,
                last_status=None if batch.status is None else str(batch.status),
            )

        return await poll_until(
            lambda: self.get(batch_id, extra_query=extra_query, extra_headers=extra_headers),
            lambda batch: _wait_is_over(batch, dispatch_only=dispatch_only),
            sleep=self._client.backoff.sleep,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            timed_out=timed_out,
            on_poll=on_progress,
        )


def _wait_is_over(batch: CallBatch, *, dispatch_only: bool) -> bool:
    if dispatch_only:
        return batch.is_terminal
    ended = batch.all_calls_ended
    # None: no recipients and counters that cannot tell (a cancelled batch): dispatching over
    # is all that can be known.
    return batch.is_terminal if ended is None else ended


def _ended_count(batch: CallBatch) -> int | None:
    if batch.recipients is not None:
        return sum(1 for recipient in batch.recipients if recipient.call_ended)
    return batch.total_calls_finished
