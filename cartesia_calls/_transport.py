"""The HTTP transport: requests, their attempts and redirects, and what they report.

It owns one aiohttp session per client (created lazily inside the running event loop, by
:mod:`._wire`, the only module that imports aiohttp: it is loaded with the first session, not
when the SDK is imported or a client made), sends requests with the client's headers and
timeouts, retries what may be retried, turns every failure into an exception from
:mod:`cartesia_calls.errors`, and logs what it does. It knows URLs, bytes and headers; it does not
know any model. The data it works with (limits, options, the redirect rule) lives in
:mod:`._http`.

What it guarantees whatever the server does (each rule is a row of docs/reliability.md):

* **Bounded bodies.** A body held in memory is counted as it arrives, after decompression, and
  refused past ``max_response_bytes``. Downloads are never decompressed (``Accept-Encoding:
  identity``; a compressed answer is refused) and end at :data:`MAX_DOWNLOAD_BYTES`.
* **Bounded time.** Waiting for a pool slot is bounded by ``connect``, and the response headers
  by ``total``, downloads included (aiohttp's ``sock_read`` restarts with every byte, so it
  cannot stop headers dripped one byte at a time).
* **Redirects** are followed here, not by aiohttp, as :func:`._http.redirect` decides.
* **Nothing holds the key.** aiohttp's exceptions (whose ``request_info`` carries the request
  headers) are never chained; their text is kept, with every secret redacted. Each failure is
  classified once (``_wire._FAILURES``) into the typed fields the retry policy reads.
"""

from __future__ import annotations

import functools
import logging
import time
import warnings
import weakref
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING

from multidict import CIMultiDict
from yarl import URL

from ._http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    MAX_DOWNLOAD_BYTES,
    RawResponse,
    RequestOptions,
    ResponseInfo,
    Timeout,
    compressed_download,
    foreign_headers,
    merged,
    path,
    redirect,
    shown,
    timeout_error,
    too_large,
    with_content_type,
)
from ._logging import logger
from ._netconfig import NetworkConfig
from ._retry import log_attempt, with_retries
from .errors import (
    MAX_ERROR_BODY_CHARS,
    APIError,
    APIStatusError,
    ClientClosedError,
    EventLoopMismatchError,
    decode_text,
    status_error_class,
)

if TYPE_CHECKING:
    import aiohttp

    from ._wire import Pool

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MAX_DOWNLOAD_BYTES",
    "RawResponse",
    "RequestOptions",
    "ResponseInfo",
    "StreamingResponse",
    "Timeout",
    "Transport",
    "path",
]


#: How many URLs a transport keeps built (see ``Transport._url``).
_KEPT_URLS = 256


class _Call:
    """One request as the caller asked for it, shared by its attempts."""

    __slots__ = ("body", "download", "headers", "method", "options", "params", "text", "url")

    def __init__(
        self,
        method: str,
        url: tuple[URL, str],
        options: RequestOptions,
        headers: Mapping[str, str],
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        download: bool = False,
    ) -> None:
        self.method, self.options, self.headers = method, options, headers
        self.url, self.text = url  # text: no credentials to hide, base_url may not hold any
        self.params, self.body, self.download = params, body, download


class StreamingResponse:
    """An open response whose body is read chunk by chunk (downloads)."""

    def __init__(
        self, response: aiohttp.ClientResponse, info: ResponseInfo, options: RequestOptions
    ) -> None:
        self._response = response
        self._options = options
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
        """Yield the body in chunks of at most ``chunk_size`` bytes; failures become SDK errors,
        and a body past :data:`MAX_DOWNLOAD_BYTES` a :class:`ResponseDecodeError`."""
        chunks = aiter(self._response.content.iter_chunked(chunk_size))
        info = self.info
        received = 0
        while True:
            try:
                chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            except Exception as exc:  # aiohttp's failures: classified, never chained
                from ._wire import failure  # noqa: PLC0415 - loaded with the session

                error: APIError = failure(
                    exc, info.method, info.url, self._options, info.attempt, phase="body"
                )
                break
            received += len(chunk)
            if received > MAX_DOWNLOAD_BYTES:
                error = too_large(
                    MAX_DOWNLOAD_BYTES, info.status_code, info.method, info.url, download=True
                )
                break
            yield chunk
        raise error


class _State:
    """What the transport's finalizer needs, without keeping the transport alive."""

    __slots__ = ("pool",)

    def __init__(self) -> None:
        self.pool: Pool | None = None


class _Opened:
    """A response whose headers arrived, holding its pool slot until :meth:`release`."""

    __slots__ = ("pool", "released", "response", "started", "url")

    def __init__(
        self, response: aiohttp.ClientResponse, pool: Pool, started: float, url: str
    ) -> None:
        self.response = response
        self.pool = pool
        self.started = started
        self.url = url
        self.released = False

    def release(self) -> None:
        """Give back the connection (or drop it, when part of the body is unread) and the slot."""
        if not self.released:
            self.released = True
            _let_go(self.response)
            self.pool.slots.give()


class Transport:
    """Sends requests through one lazily created aiohttp session.

    The session belongs to the event loop that was running when it was created. Using the
    transport from another *live* loop raises :class:`EventLoopMismatchError`; if that first loop
    has since been closed (``asyncio.run`` once per notebook cell), a fresh session is opened.
    A transport garbage-collected with its session open closes it and says so with a
    :class:`ResourceWarning` naming ``cartesia_calls`` (instead of aiohttp's anonymous ones).
    """

    def __init__(
        self, base_url: str, *, network: NetworkConfig, connection_limit: int = 100
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._origin = URL(self.base_url).origin()
        self._connection_limit = connection_limit
        self._network = network
        self._state = _State()
        self._closed = False
        self._urls: dict[str, tuple[URL, str]] = {}
        # The API host's proxy, decided once (the environment was read when the client was made).
        self._proxy = self._proxy_for(self._origin)
        # Not at exit: the sync Client closes its sessions then, and a script's unclosed
        # AsyncClient is not worth a warning once the interpreter is going away.
        weakref.finalize(self, _collected, self._state, self.base_url).atexit = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def _session(self) -> aiohttp.ClientSession | None:
        """The current session, if one is open (for tests of the sync client's lifecycle)."""
        pool = self._state.pool
        return None if pool is None else pool.session

    async def _new_pool(self) -> Pool:
        """The running loop's pool when the current one is not (the first request, a closed
        client, another loop)."""
        import asyncio  # noqa: PLC0415 - imported with the first request, not the SDK

        if self._closed:
            raise ClientClosedError("this client is closed; create a new one")
        loop = asyncio.get_running_loop()
        pool = self._state.pool
        if pool is not None:
            if pool.loop is loop:
                return pool
            if not pool.loop.is_closed():
                raise EventLoopMismatchError(
                    "this AsyncClient is bound to another event loop, which is still running; "
                    "create one AsyncClient per event loop, or use the thread-safe "
                    "cartesia_calls.Client from synchronous code"
                )
            # Its loop is gone (asyncio.run per notebook cell). Closing marks the session and its
            # connector closed (aiohttp does no I/O on a closed loop), so neither reports itself
            # as unclosed later; its sockets can no longer be closed cleanly and are dropped.
            await pool.session.close()
        # aiohttp is imported here, with the first session: not by `import cartesia_calls`.
        from ._wire import Pool  # noqa: PLC0415

        pool = self._state.pool = Pool(loop, self._connection_limit, self._network.ssl)
        return pool

    def abandon(self) -> None:
        """Let go of the session without closing anything (its event loop is gone).

        After a fork the session's connections are the parent's too: closing them would
        unregister them from the epoll instance both processes share and, for TLS, write a
        close_notify into the parent's stream. ``detach()`` marks the session closed without
        touching its connector, so it is never reported as unclosed either. The next request
        (on a new loop) opens a fresh session.
        """
        pool, self._state.pool = self._state.pool, None
        if pool is not None:
            pool.detach()

    async def close(self) -> None:
        """Close the session and its connections; idempotent."""
        self._closed = True
        pool = self._state.pool
        if pool is None:
            return
        if not pool.is_current() and not pool.loop.is_closed():
            raise EventLoopMismatchError(
                "close() must run on the event loop that opened the client's session"
            )
        self._state.pool = None
        await pool.session.close()

    def _proxy_for(self, url: URL) -> str | None:
        return self._network.proxy_for(url.scheme, url.host or "", url.explicit_port)

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

        Raises an :class:`APIStatusError` subclass for error statuses (and redirects not
        followed), :class:`APIConnectionError` / :class:`APITimeoutError` when no usable
        response arrived, :class:`ResponseDecodeError` for a body past ``max_response_bytes``.
        """
        sent = with_content_type(merged(options.headers, headers), body)
        call = _Call(method, self._url(url_path), options, sent, params=params, body=body)
        # The first attempt without the retry loop's machinery: most requests need no other.
        log_attempt(method, call.text, 1)
        try:
            return await self._fetch(call, 1)
        except APIError as error:
            failed = error
        return await with_retries(
            functools.partial(self._fetch, call),
            options,
            method=method,
            url=call.text,
            idempotent=idempotent,
            retry_statuses=retry_statuses,
            failed=failed,
        )

    async def _fetch(self, call: _Call, number: int) -> RawResponse:
        """One attempt of :meth:`request`: the headers, then the whole body."""
        opened = await self._open(call, number)
        response = opened.response
        method, options = call.method, call.options
        limit = options.max_response_bytes
        try:
            content = await opened.pool.read(
                response, limit, method=method, url=opened.url, options=options, attempt=number
            )
        finally:
            opened.release()
        if content is None:
            raise too_large(limit, response.status, method, opened.url, download=False)
        elapsed = time.monotonic() - opened.started
        headers = response.headers
        if options.on_response is not None or logger.isEnabledFor(logging.INFO):
            _report(options, _info(method, response, number, elapsed))
        return RawResponse(
            status_code=response.status,
            headers=headers,
            content=content,
            url=opened.url if response.url is call.url else str(response.url),
            method=method,
            request_id=headers.get("x-request-id") or headers.get("request-id"),
            retries_taken=number - 1,
            elapsed=elapsed,
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
        """Open a download for reading in chunks; the connection is released on exit.

        Only the part before the body is retried (connection, status). ``total`` bounds the wait
        for the headers, ``read`` each silence of the body. The body is asked for and accepted
        uncompressed only, and ends at :data:`MAX_DOWNLOAD_BYTES`. ``headers`` are added for
        this request.
        """
        sent = CIMultiDict(options.headers)
        sent["Accept"] = accept
        sent.update(headers or {})
        # Never compressed: a small gzip body must not be able to become a huge file.
        sent["Accept-Encoding"] = "identity"
        call = _Call(method, self._url(url_path), options, sent, params=params, download=True)

        import asyncio  # noqa: PLC0415 - loaded by now (the SDK does not import it)

        async def attempt(number: int) -> tuple[_Opened, ResponseInfo]:
            # aiohttp's total deadline is off for downloads (it would bound the body too): the
            # wait for the headers gets that deadline here.
            try:
                async with asyncio.timeout(options.timeout.total):
                    opened = await self._open(call, number)
            except TimeoutError:
                pass
            else:
                return accepted(opened, number)
            raise timeout_error("headers", options.timeout, method, call.text, number, sent=True)

        def accepted(opened: _Opened, number: int) -> tuple[_Opened, ResponseInfo]:
            try:
                _check_download(opened.response, method, opened.url)
                info = _info(method, opened.response, number, time.monotonic() - opened.started)
                _report(options, info)
            except BaseException:  # a refused download, or a raising on_response hook
                opened.release()
                raise
            return opened, info

        opened, info = await with_retries(
            attempt, options, method=method, url=call.text, idempotent=True
        )
        try:
            yield StreamingResponse(opened.response, info, options)
        finally:
            opened.release()

    def _url(self, url_path: str) -> tuple[URL, str]:
        """The URL of ``url_path`` on the API, and its text; the most recent are kept (polling
        and paging ask for the same paths again and again)."""
        found = self._urls.get(url_path)
        if found is None:
            if len(self._urls) >= _KEPT_URLS:
                self._urls.clear()
            url = URL(self.base_url + url_path, encoded=True)
            found = self._urls[url_path] = (url, str(url))
        return found

    async def _open(self, call: _Call, number: int) -> _Opened:
        """One attempt up to a 2xx's headers: a pool slot (held until the response is let go),
        the request, and the redirects :func:`._http.redirect` allows."""
        pool = self._state.pool
        if pool is None or self._closed or not pool.is_current():
            pool = await self._new_pool()
        if not pool.slots.take():
            await _wait_for_slot(pool, call, number)
        options = call.options
        limits = pool.client_timeout(options.timeout, call.download)
        url, text, params, headers, proxy = (
            call.url,
            call.text,
            call.params,
            call.headers,
            self._proxy,
        )
        started = time.monotonic()
        hops = 0
        try:
            while True:
                response = await pool.send(
                    call.method,
                    url,
                    params=params,
                    body=call.body,
                    headers=headers,
                    limits=limits,
                    proxy=proxy,
                    download=call.download,
                    text=text,
                    options=options,
                    attempt=number,
                )
                if response.status < 300:
                    return _Opened(response, pool, started, text)
                target = await self._redirect_or_raise(
                    response, pool, call, number, started=started, hops=hops
                )
                if target.origin() != self._origin:
                    headers = foreign_headers(headers)  # and for every hop after this one
                url, text, params, hops = target, shown(target), None, hops + 1
                proxy = self._proxy_for(target)
        except BaseException:
            pool.slots.give()
            raise

    async def _redirect_or_raise(
        self,
        response: aiohttp.ClientResponse,
        pool: Pool,
        call: _Call,
        number: int,
        *,
        started: float,
        hops: int,
    ) -> URL:
        """Where to go after a response that is not a 2xx: a redirect to follow, or else the
        response's error, raised (the response is let go either way)."""
        target, refusal = None, None
        if response.status < 400:
            target, refusal = redirect(
                call.method,
                response.status,
                response.headers.get("Location"),
                current=response.url,  # with the query aiohttp sent
                origin=self._origin,
                hops=hops,
                download=call.download,
            )
        error: APIError | None = None
        try:
            if target is None or refusal is not None:
                error = await _status_error(
                    response, pool, call, number, started=started, message=refusal
                )
            else:
                elapsed = time.monotonic() - started
                _report(call.options, _info(call.method, response, number, elapsed))
        finally:
            _let_go(response)
        if error is not None:
            raise error
        assert target is not None
        return target


async def _wait_for_slot(pool: Pool, call: _Call, number: int) -> None:
    """A slot of a full pool, waiting at most ``connect`` for one."""
    import asyncio  # noqa: PLC0415 - loaded by now (the SDK does not import it)

    limits = call.options.timeout
    try:
        async with asyncio.timeout(limits.connect):
            await pool.slots.wait()
        return
    except TimeoutError:
        pass
    raise timeout_error(
        "pool", limits, call.method, call.text, number, sent=False, pool_size=pool.limit
    )


def _check_download(response: aiohttp.ClientResponse, method: str, url: str) -> None:
    """Refuse a download that arrives compressed, or announces more than a download may be."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in {"", "identity"}:
        raise compressed_download(encoding, response.status, method, url)
    length = response.content_length
    if length is not None and length > MAX_DOWNLOAD_BYTES:
        raise too_large(MAX_DOWNLOAD_BYTES, response.status, method, url, download=True)


def _let_go(response: aiohttp.ClientResponse) -> None:
    """Release a response's connection to the pool, or close it when the body was not all
    read (an unread remainder would pin it)."""
    if response.content.at_eof():
        response.release()
    else:
        response.close()


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
    pool: Pool,
    call: _Call,
    attempt: int,
    *,
    started: float,
    message: str | None,
) -> APIStatusError:
    """Read (a bounded part of) an error response, report it, and build its exception;
    ``message`` replaces what the body says (a redirect not followed)."""
    raw = b""
    # A body cut short or too slow: the status alone still says what happened.
    with suppress(Exception):
        raw = await pool.read_at_most(response, MAX_ERROR_BODY_CHARS * 4)
    options = call.options
    _report(options, _info(call.method, response, attempt, time.monotonic() - started))
    try:
        charset = response.charset
    except Exception:  # a Content-Type no parser makes sense of
        charset = None
    return status_error_class(response.status)(
        status_code=response.status,
        headers=response.headers,
        body=decode_text(raw, charset),
        method=call.method,
        url=shown(response.url),
        retries_taken=attempt - 1,
        secrets=options.secrets,
        message=message,
    )


def _collected(state: _State, base_url: str) -> None:
    """A transport was garbage-collected: if its session is open, close it and say so."""
    pool, state.pool = state.pool, None
    if pool is None or pool.session.closed:
        return
    pool.close_collected()
    warnings.warn(
        f"unclosed cartesia_calls.AsyncClient for {base_url}: close it with "
        "'await client.close()', or use 'async with AsyncClient() as client:'",
        ResourceWarning,
        stacklevel=2,
    )
