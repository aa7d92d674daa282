"""When to retry a request, and how long to wait before the next attempt.

A request is retried when it failed in a way that another attempt can fix (a dropped connection,
a timeout, 408, 429, 5xx) *and* repeating it cannot do harm: non-idempotent requests (placing
outbound calls, creating or retrying a batch, cancelling a call) are retried only when the
connection could not even be opened, so nothing reached the server, unless the caller opts in, or
the API documents that a status means the request did not take effect (cancelling a call that
answered 502, "could not be delivered, retry the request").

The decision reads typed fields only: the transport classifies each failure once, when it
happens, into an :class:`~cartesia_calls.errors.APIStatusError` (status and headers) or an
:class:`~cartesia_calls.errors.APIConnectionError` (``request_sent``, ``transient``), and
:func:`may_retry` applies the rule above to them.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

import attrs

from ._logging import logger
from .errors import APIConnectionError, APIError, APIStatusError, APITimeoutError

if TYPE_CHECKING:
    from ._http import RequestOptions

__all__ = ["Backoff", "log_attempt", "may_retry", "parse_retry_after", "with_retries"]

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def _asyncio_sleep(seconds: float) -> Awaitable[None]:
    import asyncio  # noqa: PLC0415 - asyncio loads with the first request, not the SDK

    return asyncio.sleep(seconds)


def _default_sleep(seconds: float) -> Awaitable[None]:
    return _asyncio_sleep(seconds)  # looked up when called: the docs' tests simulate time


@attrs.frozen
class Backoff:
    """How long to wait between attempts: capped exponential backoff with jitter.

    The *n*-th retry waits ``min(initial * 2**n, maximum)`` seconds, less a random share of up to
    ``jitter`` (so a crowd of clients does not retry in lockstep). A ``Retry-After`` from the server
    replaces that delay; if the server asks for more than ``max_retry_after`` seconds the request is
    not retried and the error is raised at once (it carries ``retry_after``), rather than blocking a
    caller for minutes.

    ``sleep`` is how the wait is spent. Tests pass a function that records the delay and returns
    at once, so no test ever sleeps on the wall clock::

        delays = []

        async def record(seconds: float) -> None:
            delays.append(seconds)

        client = AsyncClient(backoff=Backoff(sleep=record))

    Attributes:
        initial: the first retry's delay in seconds.
        maximum: the cap on any computed delay.
        jitter: the largest share (0 to 1) of a delay removed at random.
        max_retry_after: the longest server-directed wait that is honoured.
        sleep: ``async (seconds) -> None``; defaults to :func:`asyncio.sleep`.
    """

    initial: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    maximum: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    jitter: float = attrs.field(
        default=0.25, validator=[attrs.validators.ge(0), attrs.validators.le(1)]
    )
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    sleep: Callable[[float], Awaitable[None]] = attrs.field(default=_default_sleep, repr=False)

    def delay(self, retries_taken: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry number ``retries_taken + 1``; ``None`` means give up."""
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        base = min(self.initial * (2.0**retries_taken), self.maximum)
        return base * (1 - self.jitter * random.random())  # noqa: S311 - jitter, not crypto


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """The server's requested wait in seconds, from ``Retry-After-Ms`` or ``Retry-After``.

    ``Retry-After`` may be a number of seconds or an HTTP date; a date in the past means "now" (0).
    Anything unreadable is ignored (``None``).
    """
    raw_ms = _get(headers, "retry-after-ms")
    if raw_ms is not None:
        try:
            value = float(raw_ms) / 1000
        except ValueError:
            value = -1.0
        if value >= 0 and math.isfinite(value):
            return value
    raw = _get(headers, "retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and math.isfinite(seconds) else None
    import email.utils  # noqa: PLC0415 - rarely needed, slow to import

    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def may_retry(
    error: APIError, *, idempotent: bool, retry_statuses: frozenset[int] = frozenset()
) -> bool:
    """Whether the request that failed with ``error`` may be sent again.

    ``idempotent`` says whether repeating the request is harmless; ``retry_statuses`` are
    statuses after which the API says the request did not take effect (so even a request that
    is not idempotent may be repeated).
    """
    if isinstance(error, APIStatusError):
        return (idempotent or error.status_code in retry_statuses) and should_retry_status(
            error.status_code, error.headers
        )
    if isinstance(error, APIConnectionError):
        # A request that never reached the server carried nothing: safe to repeat even a POST.
        return error.transient and (idempotent or not error.request_sent)
    return False  # a body that could not be decoded will not decode better the second time


def should_retry_status(status: int, headers: Mapping[str, str]) -> bool:
    """Whether an error status is worth another attempt (``X-Should-Retry`` has the last word;
    a redirect that was not followed never is)."""
    if status < 400:
        return False
    override = _get(headers, "x-should-retry")
    if override is not None:
        if override.strip().lower() == "true":
            return True
        if override.strip().lower() == "false":
            return False
    return status in RETRYABLE_STATUSES or status >= 500


def _get(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        # Plain dicts (in tests and hooks) are not case-insensitive like aiohttp's headers.
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                return candidate
    return value


def log_attempt(method: str, url: str, number: int) -> None:
    """Log (at debug level) that attempt ``number`` of a request starts."""
    logger.debug("%s %s attempt %d", method, url, number)


async def with_retries(
    attempt: Callable[[int], Awaitable[T]],
    options: RequestOptions,
    *,
    method: str,
    url: str,
    idempotent: bool,
    retry_statuses: frozenset[int] = frozenset(),
    failed: APIError | None = None,
) -> T:
    """``await attempt(n)`` for n = 1, 2, ... until it returns, or fails in a way
    :func:`may_retry` does not allow to repeat, or ``options.max_retries`` retries are spent
    (the last error is raised); waits between attempts as ``options.backoff`` says.

    ``failed``: the caller made attempt 1 itself (without this loop's cost: most requests
    need no other), and it failed with this error; the loop goes on from there.
    """
    retries = 0
    error = failed
    while True:
        if error is None:
            log_attempt(method, url, retries + 1)
            try:
                return await attempt(retries + 1)
            except APIError as exc:
                error = exc
        retry_after = (
            parse_retry_after(error.headers) if isinstance(error, APIStatusError) else None
        )
        allowed = may_retry(error, idempotent=idempotent, retry_statuses=retry_statuses)
        delay = options.backoff.delay(retries, retry_after) if allowed else None
        if delay is None or retries >= options.max_retries:
            logger.info("%s %s failed: %s", method, url, _describe(error))
            raise error
        logger.info(
            "%s %s failed (%s); retry %d of %d in %.2fs",
            method,
            url,
            _describe(error),
            retries + 1,
            options.max_retries,
            delay,
        )
        error = None
        await options.backoff.sleep(delay)
        retries += 1


def _describe(error: APIError) -> str:
    if isinstance(error, APIStatusError):
        code = f" {error.error_code}" if error.error_code else ""
        return f"{error.status_code}{code}, request_id={error.request_id}"
    if isinstance(error, APITimeoutError):
        return f"{error.kind} timeout"
    return type(error).__name__
