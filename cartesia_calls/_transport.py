"""The HTTP transport: the only module that imports aiohttp.

It owns one ``aiohttp.ClientSession`` per client (created lazily inside the running event loop),
sends requests with the client's headers and timeouts, retries what may be retried, turns every
failure into an exception from :mod:`cartesia_calls.errors`, and logs what it does. It knows URLs,
bytes and headers; it does not know any model.
"""

from __future__ import annotations

import asyncio
import platform
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
import attrs
import orjson
from aiohttp.helpers import get_env_proxy_for_url
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ._logging import logger
from ._retry import Backoff, parse_retry_after, should_retry_status
from ._version import __version__
from .errors import (
    MAX_ERROR_BODY_CHARS,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    EventLoopMismatchError,
    status_error_class,
)

__all__ = ["USER_AGENT", "RawResponse", "ResponseInfo", "Timeout", "Transport", "path"]

T = TypeVar("T")

#: Names the SDK, Python and aiohttp versions, for Cartesia's logs and support.
USER_AGENT = (
    f"cartesia-calls-python/{__version__} "
    f"python/{platform.python_version()} aiohttp/{aiohttp.__version__}"
)

# Connectors of abandoned sessions, kept referenced for the life of the process: if one were
# garbage-collected with connections open, its finalizer would close them, and in a forked
# child those sockets (and the epoll instance watching them) are shared with the parent.
_abandoned: list[aiohttp.BaseConnector] = []

_EMPTY_HEADERS: Mapping[str, str] = CIMultiDictProxy(CIMultiDict())


@attrs.frozen
class Timeout:
    """Time limits of one request, in seconds (``None`` switches a limit off).

    Attributes:
        total: the whole request — connecting, sending, and reading the full body. Downloads
            (``download_audio``, ``stream_audio``) do not use it: a long recording may take minutes
            and is bounded by ``read`` instead.
        connect: opening a new connection (TCP and TLS), waiting for a free pool slot included.
        read: the longest silence between two chunks of the response.

    A number given where a timeout is expected means ``Timeout(total=that)``.
    """

    total: float | None = 60.0
    connect: float | None = 10.0
    read: float | None = 30.0

    @classmethod
    def coerce(cls, value: float | Timeout | None) -> Timeout:
        """A :class:`Timeout` from seconds (the total), ``None`` (no limits), or a Timeout."""
        if isinstance(value, Timeout):
            return value
        if value is None:
            return cls(total=None, connect=None, read=None)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {value!r}")
        return cls(total=float(value))


@attrs.frozen
class ResponseInfo:
    """What arrived for one HTTP response: handed to ``on_response`` hooks.

    Attributes:
        method: the HTTP method.
        url: the full URL requested.
        status_code: the HTTP status.
        headers: the response headers (case-insensitive).
        request_id: Cartesia's request id, from the ``X-Request-Id``/``Request-Id`` header.
        attempt: 1 for the first attempt, 2 for the first retry, and so on.
        elapsed: seconds from sending the request to the full response.
    """

    method: str
    url: str
    status_code: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    request_id: str | None
    attempt: int
    elapsed: float


@attrs.frozen
class RawResponse:
    """A whole response as bytes, before any decoding: what :meth:`AsyncClient.request` returns.

    Attributes:
        status_code: the HTTP status.
        headers: the response headers (case-insensitive).
        content: the body.
        url: the URL requested.
        method: the HTTP method.
        request_id: Cartesia's request id, when a header carried one.
        retries_taken: how many retries it took to get this response.
        elapsed: seconds the successful attempt took.
    """

    status_code: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    content: bytes = attrs.field(repr=False)
    url: str
    method: str
    request_id: str | None = None
    retries_taken: int = 0
    elapsed: float = 0.0

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return orjson.loads(self.content)


@attrs.frozen
class RequestOptions:
    """Per-client settings the transport applies to each request (shared by ``with_options``)."""

    headers: Mapping[str, str]
    timeout: Timeout
    max_retries: int
    backoff: Backoff
    on_response: Callable[[ResponseInfo], None] | None = None


def path(*segments: str, name: str = "id") -> str:
    """Join literal path parts and caller-given ids into a URL path.

    Every segment is percent-encoded as exactly one path segment: ``a/b?c#d`` stays one id and
    ``..`` cannot climb out of its place. Empty or non-string ids are rejected before sending.
    """
    out = []
    for segment in segments:
        if not isinstance(segment, str):
            raise TypeError(f"{name} must be a string, got {type(segment).__name__}")
        if not segment:
            raise ValueError(f"{name} must be a non-empty string")
        encoded = quote(segment, safe="")
        if encoded in {".", ".."}:
            encoded = encoded.replace(".", "%2E")
        out.append(encoded)
    return "/" + "/".join(out)


class StreamingResponse:
    """An open response whose body is read chunk by chunk (downloads)."""

    def __init__(self, response: aiohttp.ClientResponse, info: ResponseInfo) -> None:
        self._response = response
        self.info = info

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.info.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers."""
        return self.info.headers

    @property
    def content_length(self) -> int | None:
        """The body size announced by the server, if it announced one."""
        return self._response.content_length

    async def iter_bytes(self, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """Yield the body in chunks of at most ``chunk_size`` bytes; failures become SDK errors."""
        try:
            async for chunk in self._response.content.iter_chunked(chunk_size):
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _map_exception(exc, self.info.method, self.info.url, retries=0) from exc


class Transport:
    """Sends requests through one lazily created aiohttp session.

    The session belongs to the event loop that was running when it was created. Using the
    transport from another *live* loop raises :class:`EventLoopMismatchError`; if that first loop
    has since been closed (``asyncio.run`` once per notebook cell), a fresh session is opened.
    """

    def __init__(self, base_url: str, *, connection_limit: int = 100) -> None:
        self.base_url = base_url.rstrip("/")
        self._connection_limit = connection_limit
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._timeouts: dict[Timeout, aiohttp.ClientTimeout] = {}
        # The proxy for base_url from HTTP(S)_PROXY / NO_PROXY (and ~/.netrc for the proxy's
        # credentials), looked up once here, as httpx does, rather than by aiohttp in a worker
        # thread on every request.
        self._proxy, self._proxy_auth = _env_proxy(self.base_url)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    async def _session_for_running_loop(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this client is closed; create a new one")
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None:
            if self._loop is loop:
                return session
            if self._loop is not None and not self._loop.is_closed():
                raise EventLoopMismatchError(
                    "this AsyncClient is bound to another event loop, which is still running; "
                    "create one AsyncClient per event loop, or use the thread-safe "
                    "cartesia_calls.Client from synchronous code"
                )
            # Its loop is gone (asyncio.run per notebook cell). Closing marks the session and its
            # connector closed (aiohttp does no I/O on a closed loop), so neither reports itself
            # as unclosed later; its sockets can no longer be closed cleanly and are dropped.
            await session.close()
        connector = aiohttp.TCPConnector(limit=self._connection_limit)
        # trust_env stays off: with it, aiohttp hands two jobs to a worker thread on *every*
        # request (the proxy variables, and ~/.netrc for server credentials, which could only
        # clash with our Authorization header). The proxy was resolved once, in __init__.
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            raise_for_status=False,
        )
        self._loop = loop
        return self._session

    def abandon(self) -> None:
        """Let go of the session without closing anything (its event loop is gone).

        After a fork the session's connections are the parent's too: closing them would
        unregister them from the epoll instance both processes share and, for TLS, write a
        close_notify into the parent's stream. ``detach()`` marks the session closed without
        touching its connector, so it is never reported as unclosed either. The next request
        (on a new loop) opens a fresh session.
        """
        session, self._session = self._session, None
        self._loop = None
        if session is None or session.closed:
            return
        if session.connector is not None:
            _abandoned.append(session.connector)
        session.detach()

    async def close(self) -> None:
        """Close the session and its connections; idempotent."""
        self._closed = True
        session, self._session = self._session, None
        if session is None or session.closed:
            return
        loop = asyncio.get_running_loop()
        if self._loop is not loop and self._loop is not None and not self._loop.is_closed():
            raise EventLoopMismatchError(
                "close() must run on the event loop that opened the client's session"
            )
        await session.close()

    def _client_timeout(self, timeout: Timeout, *, streaming: bool) -> aiohttp.ClientTimeout:
        key = attrs.evolve(timeout, total=None) if streaming else timeout
        cached = self._timeouts.get(key)
        if cached is None:
            cached = aiohttp.ClientTimeout(
                total=key.total, sock_connect=key.connect, sock_read=key.read
            )
            self._timeouts[key] = cached
        return cached

    async def request(
        self,
        method: str,
        url_path: str,
        *,
        options: RequestOptions,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        idempotent: bool,
        headers: Mapping[str, str] | None = None,
        retry_statuses: frozenset[int] = frozenset(),
    ) -> RawResponse:
        """Send a request and read the whole body; retry what may be retried.

        ``headers`` are added to (or replace) the client's for this request. ``retry_statuses``
        are statuses retried even when the request is not idempotent, because the API says the
        request did not take effect (a 502 on cancel).

        Raises an :class:`APIStatusError` subclass for error statuses, :class:`APIConnectionError` /
        :class:`APITimeoutError` when no usable response arrived.
        """
        url = self._url(url_path)
        sent_headers = _with_content_type(_merged(options.headers, headers), body)

        async def attempt(number: int) -> RawResponse:
            session = await self._session_for_running_loop()
            started = time.monotonic()
            try:
                async with session.request(
                    method,
                    url,
                    params=params,
                    data=body,
                    headers=sent_headers,
                    timeout=self._client_timeout(options.timeout, streaming=False),
                    proxy=self._proxy,
                    proxy_auth=self._proxy_auth,
                ) as response:
                    if response.status >= 400:
                        raise await _status_error(response, method, number, started, options)
                    content = await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise _map_exception(exc, method, str(url), retries=number - 1) from exc
            info = _info(method, response, number, time.monotonic() - started)
            _report(options, info)
            return RawResponse(
                status_code=response.status,
                headers=response.headers,
                content=content,
                url=info.url,
                method=method,
                request_id=info.request_id,
                retries_taken=number - 1,
                elapsed=info.elapsed,
            )

        return await self._with_retries(
            method, str(url), options, idempotent, attempt, retry_statuses=retry_statuses
        )

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url_path: str,
        *,
        options: RequestOptions,
        params: Mapping[str, str] | None = None,
        accept: str = "*/*",
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[StreamingResponse]:
        """Open a response for reading in chunks; the connection is released on exit.

        Only the part before the body is retried (connection, status); the total timeout is off,
        the read timeout bounds each silence. ``headers`` are added for this request.
        """
        url = self._url(url_path)
        sent_headers = CIMultiDict(options.headers)
        sent_headers["Accept"] = accept
        sent_headers.update(headers or {})

        async def attempt(number: int) -> tuple[aiohttp.ClientResponse, ResponseInfo]:
            session = await self._session_for_running_loop()
            started = time.monotonic()
            try:
                response = await session.request(
                    method,
                    url,
                    params=params,
                    headers=sent_headers,
                    timeout=self._client_timeout(options.timeout, streaming=True),
                    proxy=self._proxy,
                    proxy_auth=self._proxy_auth,
                )
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise _map_exception(exc, method, str(url), retries=number - 1) from exc
            if response.status >= 400:
                try:
                    raise await _status_error(response, method, number, started, options)
                finally:
                    response.release()
            info = _info(method, response, number, time.monotonic() - started)
            _report(options, info)
            return response, info

        response, info = await self._with_retries(method, str(url), options, True, attempt)
        try:
            yield StreamingResponse(response, info)
        finally:
            # An unread remainder would pin the connection; closing drops it instead.
            if response.content.at_eof():
                response.release()
            else:
                response.close()

    def _url(self, url_path: str) -> URL:
        return URL(self.base_url + url_path, encoded=True)

    async def _with_retries(
        self,
        method: str,
        url: str,
        options: RequestOptions,
        idempotent: bool,
        attempt: Callable[[int], Awaitable[T]],
        *,
        retry_statuses: frozenset[int] = frozenset(),
    ) -> T:
        retries = 0
        while True:
            logger.debug("%s %s attempt %d", method, url, retries + 1)
            try:
                return await attempt(retries + 1)
            except APIError as error:
                retry_after: float | None = None
                if isinstance(error, APIStatusError):
                    retryable = (
                        idempotent or error.status_code in retry_statuses
                    ) and should_retry_status(error.status_code, error.headers)
                    retry_after = parse_retry_after(error.headers)
                else:
                    # A connection that never opened carried nothing: safe to retry even a POST.
                    retryable = not getattr(error, "_no_retry", False) and (
                        idempotent or getattr(error, "_before_send", False)
                    )
                delay = options.backoff.delay(retries, retry_after) if retryable else None
                if delay is None or retries >= options.max_retries:
                    logger.info("%s %s failed: %s", method, url, _describe(error))
                    raise
                logger.info(
                    "%s %s failed (%s); retry %d of %d in %.2fs",
                    method,
                    url,
                    _describe(error),
                    retries + 1,
                    options.max_retries,
                    delay,
                )
            await options.backoff.sleep(delay)
            retries += 1


def _env_proxy(base_url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
    """The proxy the environment sets for ``base_url``, as aiohttp's ``trust_env`` finds it."""
    try:
        return get_env_proxy_for_url(URL(base_url))
    except LookupError:  # no proxy for this scheme, or NO_PROXY covers the host
        return None, None


def _merged(headers: Mapping[str, str], extra: Mapping[str, str] | None) -> Mapping[str, str]:
    if not extra:
        return headers
    out = CIMultiDict(headers)
    out.update(extra)
    return out


def _with_content_type(headers: Mapping[str, str], body: bytes | None) -> Mapping[str, str]:
    if body is None:
        return headers
    out = CIMultiDict(headers)
    out["Content-Type"] = "application/json"
    return out


def _info(
    method: str, response: aiohttp.ClientResponse, attempt: int, elapsed: float
) -> ResponseInfo:
    headers = response.headers
    request_id = headers.get("x-request-id") or headers.get("request-id")
    info = ResponseInfo(
        method=method,
        url=str(response.url),
        status_code=response.status,
        headers=headers,
        request_id=request_id,
        attempt=attempt,
        elapsed=elapsed,
    )
    logger.info(
        "%s %s -> %d (%.1f ms, attempt %d, request_id=%s)",
        method,
        response.url.path,
        response.status,
        elapsed * 1000,
        attempt,
        request_id,
    )
    return info


def _report(options: RequestOptions, info: ResponseInfo) -> None:
    if options.on_response is not None:
        options.on_response(info)


async def _status_error(
    response: aiohttp.ClientResponse,
    method: str,
    attempt: int,
    started: float,
    options: RequestOptions,
) -> APIStatusError:
    """Read (a bounded part of) an error response, report it, and build its exception."""
    try:
        raw = await response.content.read(MAX_ERROR_BODY_CHARS * 4)
    except (aiohttp.ClientError, TimeoutError):
        raw = b""
    _report(options, _info(method, response, attempt, time.monotonic() - started))
    text = raw.decode(response.charset or "utf-8", "replace")
    return status_error_class(response.status)(
        status_code=response.status,
        headers=response.headers,
        body=text,
        method=method,
        url=str(response.url),
        retries_taken=attempt - 1,
    )


def _map_exception(
    exc: BaseException, method: str, url: str, *, retries: int
) -> APIConnectionError:
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        error: APIConnectionError = APITimeoutError(
            f"request timed out ({type(exc).__name__}): {method} {url}", method=method, url=url
        )
    elif isinstance(exc, aiohttp.ClientSSLError):
        # A certificate that fails verification will fail again: no retry.
        error = APIConnectionError(
            f"TLS error (certificate verification is on): {exc}", method=method, url=url
        )
        error._no_retry = True  # type: ignore[attr-defined]
    else:
        detail = str(exc) or type(exc).__name__
        error = APIConnectionError(f"connection error: {detail}", method=method, url=url)
        # Refused, unresolvable or TLS-failed connections never delivered a byte of the request.
        error._before_send = isinstance(exc, aiohttp.ClientConnectorError)  # type: ignore[attr-defined]
    error.retries_taken = retries  # type: ignore[attr-defined]
    return error


def _describe(error: APIError) -> str:
    if isinstance(error, APIStatusError):
        code = f" {error.error_code}" if error.error_code else ""
        return f"{error.status_code}{code}, request_id={error.request_id}"
    return type(error).__name__
