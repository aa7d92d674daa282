"""The fake's webhook deliveries: what it POSTs to ``webhook_url``, and what became of it.

Events are sent in the order they happened, one call's events one after another (a call's
``call_completed`` never overtakes its ``call_started``), each call's in a task of its own on
the fake's event loop, so a slow or failing receiver holds up neither the fake's answers nor
the other calls' webhooks. A failed attempt (no connection, no answer within ``timeout``
seconds, 408, 429 or 5xx) is retried after each of ``retry_delays`` in turn, counted in seconds
of the *fake's* clock: like everything in the fake, a retry waits until the clock is advanced.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import aiohttp
import attrs
import orjson

from ..webhooks import SECRET_HEADER
from ._webhooks import make_webhook

__all__ = ["FakeWebhooks", "WebhookDelivery"]

_logger = logging.getLogger("cartesia_calls.testing")
#: Answers that another attempt may fix (any other non-2xx answer is final, like a 2xx).
_RETRY_STATUSES: Final = frozenset({408, 429})


@attrs.define(eq=False)
class WebhookDelivery:
    """One webhook the fake sent, or is sending, to its ``webhook_url``.

    Attributes:
        event_type: the event's type (``call_started``, ``call_turn``...).
        call_id: the call the event is about.
        body: the JSON body (the same bytes on every attempt).
        outcome: ``"pending"`` (being sent, or waiting for the fake's clock to reach its next
            attempt), ``"delivered"`` (the receiver answered 2xx) or ``"failed"`` (given up).
        attempts: how many times it was sent so far.
        status: the HTTP status of the last attempt (``None``: no answer, or not sent yet).
        error: why the last attempt failed (``None`` once delivered).
        next_attempt_at: when the next attempt is due, in seconds on the fake's clock.
    """

    event_type: str
    call_id: str
    body: bytes = attrs.field(repr=False)
    outcome: Literal["pending", "delivered", "failed"] = "pending"
    attempts: int = 0
    status: int | None = None
    error: str | None = None
    next_attempt_at: float | None = None

    def json(self) -> Any:
        """The body parsed."""
        return orjson.loads(self.body)


class FakeWebhooks:
    """The fake's webhook sender, ``fake.webhooks``: where events go and what became of them.

    ``url`` and ``secret`` may be set while the fake runs (say, on the pytest plugin's
    ``cartesia_fake``); events that happen while ``url`` is ``None`` are not recorded.

    Attributes:
        timeout: seconds (wall clock) an attempt may take before it counts as failed.
        retry_delays: seconds on the fake's clock before each retry; their number is the
            number of retries.
        deliveries: every webhook sent or being sent, in the order the events happened.
    """

    def __init__(self, url: str | None, secret: str | None, clock: Callable[[], float]) -> None:
        self.url = url
        self.secret = secret
        if url is not None and secret is None:
            raise ValueError("webhook_secret is required with webhook_url")
        self.timeout = 10.0
        self.retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0)
        self.deliveries: list[WebhookDelivery] = []
        self._clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: aiohttp.ClientSession | None = None
        self._queues: dict[str, collections.deque[WebhookDelivery]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._waiting: list[tuple[float, asyncio.Future[None]]] = []
        self._busy = 0  # calls with an attempt being made or due now
        self._idle: asyncio.Event | None = None

    @property
    def url(self) -> str | None:
        """Where events are POSTed, an ``http(s)`` URL (``None``: nowhere)."""
        return self._url

    @url.setter
    def url(self, url: str | None) -> None:
        if url is not None:
            parts = urlsplit(url) if isinstance(url, str) else None
            if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
                raise ValueError(f"webhook_url must be an http(s) URL, got {url!r}")
        self._url = url

    @property
    def secret(self) -> str | None:
        """The secret sent in ``X-Webhook-Secret`` (a non-empty string)."""
        return self._secret

    @secret.setter
    def secret(self, secret: str | None) -> None:
        if secret is not None and (not isinstance(secret, str) or not secret.strip()):
            raise ValueError("webhook_secret must be a non-empty string")
        self._secret = secret

    def send(self, event_type: str, *, call_id: str, **fields: Any) -> WebhookDelivery | None:
        """Record an event and send it in the background (from any thread); ``fields`` go to
        :func:`~cartesia_calls.testing.make_webhook`. Nothing happens while :attr:`url` is
        ``None``; without a :attr:`secret` the delivery fails at once."""
        if self.url is None:
            return None
        if self.secret is None:
            body = orjson.dumps({"type": event_type, "call_id": call_id})
            delivery = WebhookDelivery(event_type, call_id, body, outcome="failed")
            delivery.error = "no webhook secret: set fake.webhooks.secret"
            self.deliveries.append(delivery)
            return delivery
        request = make_webhook(event_type, secret=self.secret, call_id=call_id, **fields)
        delivery = WebhookDelivery(event_type=event_type, call_id=call_id, body=request.body)
        self.deliveries.append(delivery)
        self._on_loop(self._enqueue, delivery)
        return delivery

    def clock_moved(self) -> None:
        """Start the retries the fake's clock has reached (from any thread)."""
        self._on_loop(self._wake)

    async def wait(self) -> None:
        """Wait until no webhook is being sent: each is delivered, failed, or waiting for the
        fake's clock to reach its next attempt (advance it, then wait again).

        Works from any event loop, also when the fake runs in a thread of its own (from sync
        code: ``asyncio.run(fake.webhooks.wait())``). It takes at most a few
        :attr:`timeout` s (one per event of a call that is being sent); bound it with
        ``asyncio.timeout`` if need be.

        Raises:
            RuntimeError: the fake is not running.
        """
        loop = self._loop
        if loop is None:
            raise RuntimeError("FakeCartesia is not running: webhooks are sent while it runs")
        if asyncio.get_running_loop() is loop:
            await self._wait_idle()
        else:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._wait_idle(), loop))

    async def start(self) -> None:
        """Start sending, on the running event loop (events recorded before are sent now)."""
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Event()
        self._idle.set()
        for delivery in self.deliveries:
            if delivery.outcome == "pending" and delivery.attempts == 0:
                self._enqueue(delivery)

    async def close(self) -> None:
        """Stop sending; what was not delivered stays ``pending``."""
        self._loop = None
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._queues.clear()
        self._waiting.clear()
        self._busy = 0
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    # -- on the fake's loop ----------------------------------------------------------------

    def _on_loop(self, function: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is not None:  # else: start() sends what was recorded meanwhile
            loop.call_soon_threadsafe(function, *args)

    def _enqueue(self, delivery: WebhookDelivery) -> None:
        if self._loop is None:
            return
        self._queues.setdefault(delivery.call_id, collections.deque()).append(delivery)
        if delivery.call_id not in self._workers:
            self._busier(1)
            self._workers[delivery.call_id] = asyncio.create_task(self._drain(delivery.call_id))

    def _wake(self) -> None:
        now = self._clock()
        for entry in [e for e in self._waiting if e[0] <= now]:
            self._waiting.remove(entry)
            if not entry[1].done():
                self._busier(1)  # counted before the worker resumes: wait() must not return
                entry[1].set_result(None)

    def _busier(self, change: int) -> None:
        self._busy += change
        if self._idle is not None:
            if self._busy:
                self._idle.clear()
            else:
                self._idle.set()

    async def _wait_idle(self) -> None:
        await asyncio.sleep(0)  # let events sent from this loop a moment ago be queued first
        if self._idle is not None:
            await self._idle.wait()

    async def _drain(self, call_id: str) -> None:
        queue = self._queues[call_id]
        try:
            while queue:
                await self._deliver(queue[0])
                queue.popleft()
        finally:
            self._workers.pop(call_id, None)
            if not queue:
                self._queues.pop(call_id, None)
            if self._loop is not None:
                self._busier(-1)

    async def _deliver(self, delivery: WebhookDelivery) -> None:
        while True:
            delivery.attempts += 1
            delivery.next_attempt_at = None
            delivery.status, delivery.error, retry = await self._attempt(delivery)
            if delivery.error is None:
                delivery.outcome = "delivered"
                _logger.debug("webhook %s of %s delivered", delivery.event_type, delivery.call_id)
                return
            if not retry or delivery.attempts > len(self.retry_delays):
                delivery.outcome = "failed"
                _logger.debug(
                    "webhook %s of %s failed for good after %d attempts: %s",
                    delivery.event_type,
                    delivery.call_id,
                    delivery.attempts,
                    delivery.error,
                )
                return
            due = self._clock() + self.retry_delays[delivery.attempts - 1]
            delivery.next_attempt_at = due
            _logger.debug(
                "webhook %s of %s: attempt %d failed (%s), next at %.1f s on the fake's clock",
                delivery.event_type,
                delivery.call_id,
                delivery.attempts,
                delivery.error,
                due,
            )
            await self._until(due)

    async def _until(self, due: float) -> None:
        """Wait for the fake's clock to reach ``due`` (not counted as busy meanwhile)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((due, future))
        self._busier(-1)
        self._wake()  # the clock may be there already
        await future

    async def _attempt(self, delivery: WebhookDelivery) -> tuple[int | None, str | None, bool]:
        """One POST: (status, error or ``None``, whether another attempt may succeed)."""
        url, secret = self.url, self.secret
        if url is None or secret is None:
            return None, "webhooks were turned off", False
        if self._session is None:  # made on first use: a fake without webhooks needs none
            self._session = aiohttp.ClientSession(trust_env=False)
        session = self._session
        headers = {"Content-Type": "application/json", SECRET_HEADER: secret}
        try:
            async with session.post(
                url,
                data=delivery.body,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                status = response.status
        except TimeoutError:
            return None, f"no answer within {self.timeout:g} s", True
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return None, f"{type(exc).__name__}: {exc}", True
        if 200 <= status < 300:
            return status, None, False
        return status, f"HTTP {status}", status in _RETRY_STATUSES or status >= 500
