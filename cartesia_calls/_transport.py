"""The HTTP transport: requests, their attempts and redirects.

It sends requests with the client's headers and timeouts through the running loop's aiohttp
session (:mod:`._pools` says which; :mod:`._wire`, the only module that imports aiohttp, loaded
with the first session, does the aiohttp side), retries what may be retried, turns every
failure into an exception from :mod:`cartesia_calls.errors`, and reports each response
(:mod:`._responses`). It knows URLs, bytes and headers; it does not know any model. The data it
works with (limits, options, the redirect rule) lives in :mod:`._http`.

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
import weakref
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
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
from ._pools import Pools
from ._responses import (
    Opened,
    StreamingResponse,
    check_download,
    let_go,
    report,
    response_info,
    status_error,
)
from ._retry import log_attempt, with_retries
from .errors import APIError

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
        self._network = network
        self._pools = Pools(connection_limit, network.ssl)
        self._urls: dict[str, tuple[URL, str]] = {}
        # The API host's proxy, decided once (the environment was read when the client was made).
        self._proxy = self._proxy_for(self._origin)
        # Not at exit: the sync Client closes its sessions then, and a script's unclosed
        # AsyncClient is not worth a warning once the interpreter is going away.
        weakref.finalize(self, self._pools.collected, self.base_url).atexit = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._pools.closed

    @property
    def _session(self) -> aiohttp.ClientSession | None:
        """The current session, if one is open (for tests of the sync client's lifecycle)."""
        pool = self._pools.pool
        return None if pool is None else pool.session

    def abandon(self) -> None:
        """Let go of the session without closing it: its event loop is gone (after a fork; see
        :meth:`._pools.Pools.abandon`)."""
        self._pools.abandon()

    async def close(self) -> None:
        """Close the session and its connections; idempotent."""
        await self._pools.close()

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
        sent = options.headers
        if headers or body is not None:
            sent = with_content_type(merged(sent, headers), body)
        call = _Call(method, self._url(url_path), options, sent, params=params, body=body)
        # The first attempt without the retry loop's machinery: most requests need no other.
        if logger.isEnabledFor(logging.DEBUG):
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
            report(options, response_info(method, response, number, elapsed))
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
        import asyncio  # noqa: PLC0415 - loaded by now (the SDK does not import it)

        sent = CIMultiDict(options.headers)
        sent["Accept"] = accept
        sent.update(headers or {})
        # Never compressed: a small gzip body must not be able to become a huge file.
        sent["Accept-Encoding"] = "identity"
        call = _Call(method, self._url(url_path), options, sent, params=params, download=True)

        async def attempt(number: int) -> tuple[Opened, ResponseInfo]:
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

        def accepted(opened: Opened, number: int) -> tuple[Opened, ResponseInfo]:
            try:
                check_download(opened.response, method, opened.url)
                info = response_info(
                    method, opened.response, number, time.monotonic() - opened.started
                )
                report(options, info)
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

    async def _open(self, call: _Call, number: int) -> Opened:
        """One attempt up to a 2xx's headers: a pool slot (held until the response is let go),
        the request, and the redirects :func:`._http.redirect` allows."""
        pools = self._pools
        pool = pools.pool
        if pool is None or pools.closed or not pool.is_current():
            pool = await pools.open()
        if not pool.slots.take():
            await pool.wait_for_slot(call.method, call.text, call.options.timeout, number)
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
                    return Opened(response, pool, started, text)
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
                error = await status_error(
                    response,
                    pool,
                    call.method,
                    call.options,
                    number,
                    started=started,
                    message=refusal,
                )
            else:
                elapsed = time.monotonic() - started
                report(call.options, response_info(call.method, response, number, elapsed))
        finally:
            let_go(response)
        if error is not None:
            raise error
        assert target is not None
        return target
