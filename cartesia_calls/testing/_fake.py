"""``FakeCartesia``: an in-process HTTP server that speaks the Calls API contract.

It checks auth and version headers like the real API, keeps calls in memory (seed them, then
exercise your code), answers with Cartesia's structured error bodies, records every request, and
injects faults on demand. It listens on loopback only.

It speaks both API versions the SDK knows: 2026-08-14 shapes by default, 2026-03-01 shapes for
requests whose ``Cartesia-Version`` is ``2026-03-01`` or older (see :mod:`._fake_versions`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import ssl
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

import attrs
import orjson
from aiohttp import web

from .._validate import parse_rfc3339
from ._fake_batches import BatchesMixin
from ._fake_http import JSON, error_body, json_error
from ._fake_webhooks import FakeWebhooks

if TYPE_CHECKING:
    from .._client import AsyncClient
    from .._sync import Client

__all__ = ["FakeCartesia", "Fault", "RecordedRequest"]

DEFAULT_API_KEY = "sk_car_fake_test_key"
_logger = logging.getLogger("cartesia_calls.testing")


_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class RecordedRequest:
    """One request the fake server received.

    Attributes:
        method: the HTTP method.
        path: the raw (still percent-encoded) path.
        query: the query parameters.
        headers: the request headers.
        body: the raw body.
        client_port: the client's source port (requests on one kept-alive connection share it).
    """

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    client_port: int | None = attrs.field(default=None, repr=False)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return orjson.loads(self.body)


@attrs.define
class Fault:
    """A failure the fake server injects into matching requests.

    Attributes:
        status: answer with this status (``None``: answer normally, after ``delay``).
        body: the body to send with ``status`` (``bytes``, ``str``, or a JSON-able value); by
            default a Cartesia structured error.
        headers: extra response headers, e.g. ``{"Retry-After": "2"}``.
        content_type: the Content-Type of ``body``.
        delay: seconds to wait before sending the response headers (slow server).
        action: ``"respond"`` (default); ``"drop"`` closes the connection without any response;
            ``"truncate"`` sends the normal response's headers and only part of its body, then
            closes the connection.
        body_delay: seconds to pause half-way through the normal response's body (slow body).
        method: only requests with this method match (``None``: any).
        path: only requests whose path starts with this match (``None``: any).
        times: how many matching requests it affects before it is used up.
        after: let this many matching requests through untouched first (e.g. fail the second
            page of a listing).
    """

    status: int | None = None
    body: bytes | str | Any = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    content_type: str = JSON
    delay: float = 0.0
    action: Literal["respond", "drop", "truncate"] = "respond"
    body_delay: float = 0.0
    method: str | None = None
    path: str | None = None
    times: int = 1
    after: int = 0

    def matches(self, request: web.Request) -> bool:
        """Whether this fault applies to ``request``."""
        if self.times <= 0:
            return False
        if self.method is not None and request.method != self.method.upper():
            return False
        return self.path is None or request.path.startswith(self.path)


class FakeCartesia(BatchesMixin):
    """A fake Cartesia API on loopback for tests, demos and local development.

    Use it as ``async with FakeCartesia() as fake:`` and point a client at ``fake.base_url`` with
    ``fake.api_key`` (or call :meth:`client`). Seed calls with :meth:`add_call`; inject failures
    with :meth:`add_fault`; read what was sent in :attr:`requests`. Time moves only when told
    (:meth:`advance`); with a ``webhook_url``, the fake POSTs Cartesia's webhook events there as
    calls start, take turns and end (see :attr:`webhooks`).

    Args:
        api_key: the only key the server accepts.
        host: where to listen (loopback).
        port: the port (0 picks a free one).
        require_version: answer 400 when ``Cartesia-Version`` is missing, like the real API.
        ssl_context: serve HTTPS with this server context (``base_url`` becomes ``https://``).
        usage_limit: the most batch recipients the organization may queue, all batches
            together; a batch that would go over it is answered 402 (``None``: no limit).
        clock_start: when the fake's clock starts (an aware datetime or an RFC 3339 string;
            default: now, to the second). Pin it for timestamps that are the same every run.
        webhook_url: where to POST webhook events (``None``: nowhere).
        webhook_secret: the secret sent with them in ``X-Webhook-Secret`` (required with
            ``webhook_url``).

    Answers come in the shapes of the request's ``Cartesia-Version``: 2026-08-14 (the default;
    ``dynamic_variables``, ``telephony_account_type``, recipient ``end_reason``) or 2026-03-01
    and older (``metadata``, ``deployment_*``, ``zdr_enabled``, ``text_chunks`` and the other
    turn fields). Seeded data may carry both, and each version sees its own. Deleting a call
    that has not ended is a 400 under 2026-08-14 and a 409 under 2026-03-01 (the fake's guess
    for a status that version did not document).
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        require_version: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        usage_limit: int | None = None,
        clock_start: dt.datetime | str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        self.ssl_context = ssl_context
        self.api_key = api_key
        self.host = host
        self.port = port
        self.require_version = require_version
        self._active_faults: dict[int, Fault | None] = {}
        if clock_start is None:
            start = dt.datetime.now(dt.UTC).replace(microsecond=0)
        else:
            start = parse_rfc3339(clock_start, "clock_start").astimezone(dt.UTC)
        #: Where webhook events go, and every delivery so far (see :class:`FakeWebhooks`).
        self.webhooks = FakeWebhooks(webhook_url, webhook_secret, clock=lambda: self.clock)
        self._init_calls(start)
        self._init_batches(usage_limit)
        #: Every request received, oldest first.
        self.requests: list[RecordedRequest] = []
        #: Faults still waiting for a matching request.
        self.faults: list[Fault] = []
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    # -- seeding and inspection -------------------------------------------------------------

    def add_fault(self, fault: Fault | None = None, /, **fields: Any) -> Fault:
        """Queue a :class:`Fault` (or build one from keyword fields); returns it."""
        if fault is None:
            fault = Fault(**fields)
        self.faults.append(fault)
        return fault

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests arrived, optionally only with this method and/or path prefix."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path is None or r.path.startswith(path))
        )

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (``http://[::1]:<port>`` on IPv6), once started."""
        if self._base_url is None:
            raise RuntimeError("FakeCartesia is not running: use 'async with FakeCartesia()'")
        return self._base_url

    def client(self, **options: Any) -> AsyncClient:
        """An :class:`~cartesia_calls.AsyncClient` pointed at this server (keyword options pass
        through)."""
        from .._client import AsyncClient  # noqa: PLC0415 - the fake does not need the client

        return AsyncClient(api_key=self.api_key, base_url=self.base_url, **options)

    def sync_client(self, **options: Any) -> Client:
        """A :class:`~cartesia_calls.Client` pointed at this server (keyword options pass
        through), e.g. in ``with FakeCartesia().run_in_thread() as fake:``."""
        from .._sync import Client  # noqa: PLC0415 - the fake does not need the client

        return Client(api_key=self.api_key, base_url=self.base_url, **options)

    def make_app(self) -> web.Application:
        """The aiohttp application (for embedding in your own test server); it sends the
        fake's webhooks while it runs."""
        app = web.Application(middlewares=[self._middleware])
        routes = self._routes()
        for method, pattern, handler in routes:
            app.router.add_route(method, pattern, handler)
        app.on_startup.append(lambda _: self.webhooks.start())
        app.on_cleanup.append(lambda _: self.webhooks.close())
        return app

    def _routes(self) -> list[tuple[str, str, Any]]:
        # Batch routes first: "/agents/calls/batches" would otherwise look like a call id.
        return self._batch_routes() + self._call_routes()

    async def start(self) -> None:
        """Start listening."""
        if self._runner is not None:
            return
        # In-flight handlers (a slow-server fault) must not hold up closing the fake.
        runner = web.AppRunner(
            self.make_app(), access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self.ssl_context)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()  # nothing half-started is left behind (the port is taken...)
            raise
        port: int = runner.addresses[0][1]
        self.port = port
        self._runner = runner
        scheme = "https" if self.ssl_context is not None else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 literal
        self._base_url = f"{scheme}://{host}:{port}"

    async def close(self) -> None:
        """Stop listening and drop open connections (webhooks not delivered yet stay
        ``pending``)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @contextmanager
    def run_in_thread(self) -> Iterator[Self]:
        """Run the server on its own event loop in a background thread (for synchronous code)."""
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        async def main() -> None:
            try:
                await self.start()
            except BaseException as exc:
                failure.append(exc)
                raise
            finally:
                started.set()

        thread = threading.Thread(target=loop.run_forever, name="fake-cartesia", daemon=True)
        thread.start()
        asyncio.run_coroutine_threadsafe(main(), loop)
        started.wait()
        if failure:
            raise failure[0]
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.close(), loop).result()
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()

    # -- middleware: record, faults, auth ------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.raw_path.split("?", 1)[0],
                query=dict(request.query),
                headers=dict(request.headers),
                body=body,
                client_port=_client_port(request),
            )
        )
        fault = next((f for f in self.faults if f.matches(request)), None)
        if fault is not None and fault.after > 0:
            fault.after -= 1
            fault = None
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.action == "drop":
                _logger.debug(
                    "fault: dropped the connection of %s %s", request.method, request.path
                )
                _abort(request)
                return web.Response()  # never sent: the connection is gone
            if fault.status is not None:
                return _fault_response(fault)
        auth = request.headers.get("Authorization", "")
        if auth != f"Bearer {self.api_key}":
            return json_error(401, "unauthorized", "Unauthorized", "Invalid or missing API key.")
        if self.require_version and not request.headers.get("Cartesia-Version"):
            return json_error(
                400,
                "missing_version",
                "Missing Cartesia-Version",
                "The Cartesia-Version header is required.",
            )
        # Streaming handlers read the fault and cut their own body short.
        self._active_faults[id(request)] = fault
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            return json_error(404, "not_found", "Not found", f"No route for {request.path}.")
        except web.HTTPMethodNotAllowed:
            return json_error(405, "method_not_allowed", "Method not allowed", request.method)
        finally:
            del self._active_faults[id(request)]
        if (
            fault is not None
            and (fault.action == "truncate" or fault.body_delay)
            and isinstance(response, web.Response)
        ):
            return await _send_in_two_halves(request, response, fault)
        return response


def _abort(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


def _fault_response(fault: Fault) -> web.Response:
    body = fault.body
    if body is None:
        body = error_body("injected_fault", "Injected fault", f"Fault with status {fault.status}.")
    raw = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else None
    if raw is None:
        raw = orjson.dumps(body)
    response = web.Response(status=fault.status or 200, body=raw, headers=dict(fault.headers))
    response.content_type = fault.content_type
    return response


async def _send_in_two_halves(
    request: web.Request, response: web.Response, fault: Fault
) -> web.StreamResponse:
    """Send the first half of the body, pause for ``body_delay``, then cut or finish."""
    full = response.body if isinstance(response.body, bytes) else b""
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.content_length = max(len(full), 2)
    await stream.prepare(request)
    await stream.write(full[: len(full) // 2])
    if fault.body_delay:
        await asyncio.sleep(fault.body_delay)
    if fault.action == "truncate":
        _abort(request)
        return stream
    await stream.write(full[len(full) // 2 :])
    await stream.write_eof()
    return stream


def _client_port(request: web.Request) -> int | None:
    transport = request.transport
    peer = transport.get_extra_info("peername") if transport is not None else None
    return peer[1] if isinstance(peer, tuple) else None
