"""aiohttp itself: the only library module that imports it, loaded with the first session.

:mod:`._transport` imports this module when it opens its first session (the first request), so
``import cartesia_calls`` and creating a client never load aiohttp, which takes longer to import
than the whole rest of the SDK. The transport decides what to send, where, and how often; this
module does the aiohttp side of it, through one :class:`Pool` per event loop:

* **The session.** One ``aiohttp.ClientSession`` per client and event loop, no cookies, no
  ``trust_env`` (the network config read the environment once), sending :data:`USER_AGENT`;
  its slots bound how many requests use it at once.
* **Failures classified once.** Each exception of aiohttp becomes the SDK's error when it
  happens (:data:`_FAILURES`: the timeout it is, whether the request may have reached the
  server, whether another attempt could help). aiohttp's exceptions carry the request headers
  (``request_info``): they are never chained, and their text is kept with every secret redacted.
* **Bounded bodies.** :meth:`Pool.read` counts a body as it arrives, after decompression, and
  stops past its limit; a ``Content-Length`` past it is refused before reading.
* **Letting go.** Sessions are closed, detached after a fork (their sockets are the parent's
  too), or closed when their client was garbage-collected unclosed.
"""

from __future__ import annotations

import asyncio
import platform
from asyncio import get_running_loop
from collections import deque
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import aiohttp

from ._http import timeout_error
from ._version import __version__
from .errors import APIConnectionError, redact

if TYPE_CHECKING:
    import ssl
    from collections.abc import Mapping

    from yarl import URL

    from ._http import RequestOptions, Timeout

__all__ = ["USER_AGENT", "Pool", "failure"]

#: Names the SDK, Python and aiohttp versions, for Cartesia's logs and support. Sent by every
#: session (a ``User-Agent`` in ``default_headers`` or ``extra_headers`` replaces it).
USER_AGENT = (
    f"cartesia-calls-python/{__version__} "
    f"python/{platform.python_version()} aiohttp/{aiohttp.__version__}"
)

# Connectors of abandoned sessions, kept referenced for the life of the process: if one were
# garbage-collected with connections open, its finalizer would close them, and in a forked
# child those sockets (and the epoll instance watching them) are shared with the parent.
_abandoned: list[aiohttp.BaseConnector] = []
# Sessions of clients that were garbage-collected unclosed, while they close.
_closing: set[asyncio.Future[Any]] = set()


class Slots:
    """How many requests use a session at once: a count, and a queue only when none is free.

    An ``asyncio.Semaphore`` does the same job, at a cost paid on every request (its
    ``acquire()`` is a coroutine, and it looks through its waiters each time); here a free slot
    is taken by one comparison. Waiters are served in order, and a new request never takes a
    slot ahead of them.
    """

    __slots__ = ("_waiters", "free")

    def __init__(self, limit: int) -> None:
        self.free = limit
        self._waiters: deque[asyncio.Future[None]] = deque()

    def take(self) -> bool:
        """Take a free slot, if there is one and nobody is waiting for it."""
        if self.free and not self._waiters:
            self.free -= 1
            return True
        return False

    async def wait(self) -> None:
        """Wait for a slot in turn (cancellable: bound it with a timeout)."""
        waiter: asyncio.Future[None] = get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.cancelled():  # not handed a slot: leave the queue, and wake the next
                with suppress(ValueError):
                    self._waiters.remove(waiter)
                self._wake()
            else:  # handed a slot as it was cancelled: pass it on
                self.give()
            raise

    def give(self) -> None:
        """Give a slot back: to the first waiter, or to the free ones."""
        self.free += 1
        self._wake()

    def _wake(self) -> None:
        waiters = self._waiters
        while self.free and waiters:
            waiter = waiters.popleft()
            if not waiter.done():  # a cancelled one leaves by itself
                self.free -= 1
                waiter.set_result(None)  # the slot passes to it directly


class Pool:
    """One event loop's session, and the slots that bound how many requests use it at once."""

    __slots__ = ("_timeouts", "limit", "loop", "session", "slots")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, limit: int, ssl: ssl.SSLContext | bool
    ) -> None:
        self.loop = loop
        self.limit = limit
        # trust_env stays off: with it, aiohttp hands two jobs to a worker thread on *every*
        # request (the proxy variables, and ~/.netrc for server credentials, which could only
        # clash with our Authorization header). The network config read them once instead.
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=limit, ssl=ssl),
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": USER_AGENT},
            trust_env=False,
            raise_for_status=False,
        )
        # Waiting for a free connection happens here, where it is bounded by `connect` and named
        # in the error; aiohttp's own pool (of the same size) then never makes anyone wait.
        self.slots = Slots(limit)
        self._timeouts: dict[tuple[Timeout, bool], aiohttp.ClientTimeout] = {}

    async def wait_for_slot(self, method: str, url: str, limits: Timeout, attempt: int) -> None:
        """A slot of the full pool, waiting at most ``limits.connect`` for one."""
        try:
            async with asyncio.timeout(limits.connect):
                await self.slots.wait()
            return
        except TimeoutError:
            pass
        raise timeout_error("pool", limits, method, url, attempt, sent=False, pool_size=self.limit)

    def is_current(self) -> bool:
        """Whether this pool belongs to the running event loop."""
        return self.loop is get_running_loop()

    def client_timeout(self, timeout: Timeout, download: bool) -> aiohttp.ClientTimeout:
        """aiohttp's limits for ``timeout``: ``connect`` bounds all of opening a connection (DNS,
        proxy, TLS), not only each socket's connect call; downloads get no total deadline (it
        would bound the body too: the transport bounds their headers itself)."""
        key = (timeout, download)
        cached = self._timeouts.get(key)
        if cached is None:
            cached = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None if download else timeout.total,
                connect=timeout.connect,
                sock_connect=timeout.connect,
                sock_read=timeout.read,
            )
        return cached

    async def send(
        self,
        method: str,
        url: URL,
        *,
        params: Mapping[str, str] | None,
        body: bytes | None,
        headers: Mapping[str, str],
        limits: aiohttp.ClientTimeout,
        proxy: str | None,
        download: bool,
        text: str,
        options: RequestOptions,
        attempt: int,
    ) -> aiohttp.ClientResponse:
        """Send one request and wait for its response headers; no redirect is followed (the
        transport decides), and a failure is raised as the SDK's error (``text``: the URL as
        errors show it)."""
        try:
            return await self.session.request(
                method,
                url,
                params=params,
                data=body,
                headers=headers,
                timeout=limits,
                proxy=proxy,
                allow_redirects=False,
                auto_decompress=not download,
            )
        except Exception as exc:  # aiohttp's failures: classified, never chained
            error = failure(exc, method, text, options, attempt, phase="headers")
        raise error  # outside the except block: no __context__ with aiohttp's exception

    async def read(
        self,
        response: aiohttp.ClientResponse,
        limit: int,
        *,
        method: str,
        url: str,
        options: RequestOptions,
        attempt: int,
    ) -> bytes | None:
        """The whole (decoded) body, or ``None`` when it is larger than ``limit`` bytes (reading
        then stops past the limit); a failure is raised as the SDK's error."""
        try:
            length = response.content_length
            encoding = response.headers.get("Content-Encoding")
            if length is not None and (encoding is None or encoding == "identity"):
                # Exactly `length` bytes arrive: nothing to count.
                return await response.read() if length <= limit else None
            content = await self.read_at_most(response, limit + 1)  # counted as it arrives
        except Exception as exc:  # aiohttp's failures: classified, never chained
            error = failure(exc, method, url, options, attempt, phase="body")
        else:
            return content if len(content) <= limit else None
        raise error

    @staticmethod
    async def read_at_most(response: aiohttp.ClientResponse, limit: int) -> bytes:
        """Up to ``limit`` bytes of the (decoded) body; reading stops there, and aiohttp's
        failures are raised as they are."""
        stream = response.content
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = await stream.readany()
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)[:limit]

    def detach(self) -> None:
        """Mark the session closed without touching its connections (kept referenced, see
        ``_abandoned``)."""
        session = self.session
        if session.closed:
            return
        if session.connector is not None:
            _abandoned.append(session.connector)
        session.detach()

    def close_collected(self) -> None:
        """Close the session of a client that was garbage-collected unclosed, from wherever the
        collection happened (its own loop, another thread, or after its loop closed)."""
        loop, session = self.loop, self.session
        if session.closed:
            return
        if loop.is_closed():
            self._close_on_dead_loop()
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            _track(loop.create_task(session.close()))
        else:
            loop.call_soon_threadsafe(lambda: _track(loop.create_task(session.close())))

    def _close_on_dead_loop(self) -> None:
        """Mark a session of a closed loop closed, so aiohttp never reports it. Its sockets cannot
        be closed any more; aiohttp does no I/O then, so ``close()`` finishes without suspending
        and is run to the end right here."""
        closing = self.session.close().__await__()
        try:
            next(closing)
        except StopIteration:
            return
        closing.close()  # pragma: no cover - it suspended after all: let it be
        self.detach()  # pragma: no cover


# How each failure of aiohttp is classified, once, most specific first: the timeout it is (or
# None), whether the request may have reached the server, whether another attempt could help.
_FAILURES: tuple[tuple[type[BaseException], str | None, bool, bool], ...] = (
    (aiohttp.ConnectionTimeoutError, "connect", False, True),
    (aiohttp.ServerTimeoutError, "read", True, True),  # SocketTimeoutError: sock_read
    (TimeoutError, "total", True, True),  # aiohttp's total deadline
    (aiohttp.ClientSSLError, None, False, False),  # a certificate that fails fails again
    (aiohttp.ClientConnectorError, None, False, True),  # refused, DNS, proxy unreachable
    (aiohttp.ClientHttpProxyError, None, False, True),  # the proxy refused the tunnel
    (aiohttp.ClientError, None, True, True),  # reset, disconnected, cut body, bad framing
    (Exception, None, True, False),  # anything else a garbled response makes aiohttp raise
)


def failure(
    exc: Exception, method: str, url: str, options: RequestOptions, attempt: int, *, phase: str
) -> APIConnectionError:
    """The SDK's error for aiohttp's ``exc``, raised while waiting for the ``headers`` or
    reading the ``body``; its text is kept (secrets redacted), the exception itself is not."""
    kind, timeout, sent, transient = next(row for row in _FAILURES if isinstance(exc, row[0]))
    if timeout is not None:
        if timeout == "total" and phase == "headers":
            timeout = "headers"
        return timeout_error(timeout, options.timeout, method, url, attempt, sent=sent)
    # A response aiohttp could not parse carries the status 400 and the parser's words in
    # `message`; str() would put them behind "400, message=" as if the server had said 400.
    text = exc.message if isinstance(exc, aiohttp.ClientResponseError) else str(exc)
    detail = redact(text or type(exc).__name__, options.secrets)[:500]
    if kind is aiohttp.ClientSSLError:
        message = f"TLS error (certificate verification is on): {detail}"
    elif kind is Exception:
        message = f"connection error: unreadable response ({type(exc).__name__}: {detail})"
    else:
        message = f"connection error: {detail}"
    return APIConnectionError(
        message,
        method=method,
        url=url,
        retries_taken=attempt - 1,
        request_sent=sent,
        transient=transient,
    )


def _track(task: asyncio.Future[Any]) -> None:
    _closing.add(task)
    task.add_done_callback(_closing.discard)
