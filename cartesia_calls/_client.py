"""``AsyncClient``: configuration, lifecycle, and the resources hanging off it."""

from __future__ import annotations

import ipaddress
import os
import warnings
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Final, Self, TypeVar
from urllib.parse import urlsplit

from multidict import CIMultiDict, CIMultiDictProxy

from ._batches import AsyncBatches
from ._calls import AsyncCalls
from ._codec import decode, dumps
from ._logging import caller_stacklevel, setup_from_env
from ._netconfig import NetworkConfig, Verify
from ._raw import record_response
from ._retry import Backoff
from ._transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    RawResponse,
    RequestOptions,
    ResponseInfo,
    Timeout,
    Transport,
)
from .errors import MissingAPIKeyError, ResponseDecodeError

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_CARTESIA_VERSION", "DEFAULT_TIMEOUT", "AsyncClient"]

T = TypeVar("T")

DEFAULT_BASE_URL: Final = "https://api.cartesia.ai"
#: The API version sent as ``Cartesia-Version`` unless the client is told otherwise (the
#: ``cartesia_version`` argument, then the ``CARTESIA_VERSION`` environment variable).
DEFAULT_CARTESIA_VERSION: Final = "2026-08-14"
#: 60 s for a whole JSON request, 10 s to connect, 30 s of silence while reading.
DEFAULT_TIMEOUT: Final = Timeout()
DEFAULT_MAX_RETRIES: Final = 2


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()


class AsyncClient:
    """The asynchronous client for Cartesia's agent Calls API.

    Create one per application (and per event loop) and reuse it: it keeps a pool of connections.
    Close it with ``await client.close()`` or use it as ``async with AsyncClient() as client:``.

    Args:
        api_key: your Cartesia API key (``sk_car_...``). Defaults to ``$CARTESIA_API_KEY``; a
            missing key raises :class:`~cartesia_calls.errors.MissingAPIKeyError` here, not at the
            first request.
        base_url: the API's address. Defaults to ``$CARTESIA_BASE_URL``, then
            ``https://api.cartesia.ai``. A key sent over plain ``http://`` to a host other than
            this machine triggers a :class:`UserWarning`.
        cartesia_version: the API version, sent as ``Cartesia-Version`` with every request.
            Defaults to ``$CARTESIA_VERSION``, then ``2026-08-14``; any string is sent as
            given. Pin ``"2026-03-01"`` for the older shapes (``metadata``, call logs); see the
            "API versions" page.
        timeout: a :class:`Timeout`, or a number of seconds for the whole request.
        max_retries: how many times a failed request that may safely be repeated is retried.
        backoff: how long to wait between attempts (see :class:`Backoff`).
        default_headers: extra headers sent with every request.
        connection_limit: the most connections open at once (the pool size).
        on_response: called with a :class:`ResponseInfo` for every response that arrives
            (status, headers, request id, attempt, elapsed time) - for metrics, tracing or raw
            access. It runs on the event loop: keep it quick.
        max_response_bytes: the largest response body held in memory, counted after
            decompression (64 MiB by default); a larger one raises
            :class:`~cartesia_calls.ResponseDecodeError` as soon as it goes past. Recordings
            are streamed to their destination and are not bound by it (see "Limits").
        verify: how the server's TLS certificate is checked: ``True`` (the system's
            authorities, or ``$SSL_CERT_FILE``/``$SSL_CERT_DIR`` with ``trust_env``), the
            path of a CA bundle file or directory, an :class:`ssl.SSLContext`, or ``False``
            (no verification: anyone on the path could read the key).
        proxy: an ``http://`` or ``https://`` proxy URL every request goes through
            (credentials in it are sent to the proxy, never logged).
        trust_env: read ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/``NO_PROXY`` (when no
            ``proxy`` is given) and ``SSL_CERT_FILE``/``SSL_CERT_DIR`` (when ``verify`` is
            ``True``) from the environment, once, here.

    Attributes:
        calls: the calls resource (:class:`AsyncCalls`).
        batches: the call batches resource (:class:`AsyncBatches`).
    """

    calls: AsyncCalls
    batches: AsyncBatches

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        cartesia_version: str | None = None,
        timeout: float | Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff: Backoff | None = None,
        default_headers: Mapping[str, str] | None = None,
        connection_limit: int = 100,
        on_response: Callable[[ResponseInfo], None] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        verify: Verify = True,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        setup_from_env()
        if api_key is not None and not isinstance(api_key, str):
            raise TypeError(f"api_key must be a string, got {type(api_key).__name__}")
        if api_key is None:
            api_key = os.environ.get("CARTESIA_API_KEY") or None
        if api_key is None:
            raise MissingAPIKeyError(
                "no API key: pass api_key=... to the client or set the CARTESIA_API_KEY "
                "environment variable (keys look like sk_car_...)"
            )
        if not api_key.strip():
            raise MissingAPIKeyError("api_key must be a non-empty string")
        if base_url is None:
            base_url = os.environ.get("CARTESIA_BASE_URL") or DEFAULT_BASE_URL
        base_url = _check_base_url(base_url)
        if cartesia_version is None:
            cartesia_version = os.environ.get("CARTESIA_VERSION") or DEFAULT_CARTESIA_VERSION
        if isinstance(connection_limit, bool) or not isinstance(connection_limit, int):
            raise TypeError("connection_limit must be an int")
        if connection_limit < 1:
            raise ValueError(f"connection_limit must be at least 1, got {connection_limit}")
        network = NetworkConfig.build(verify=verify, proxy=proxy, trust_env=trust_env)
        self._api_key = api_key.strip()
        self._secrets = (self._api_key, *network.secrets)
        self._transport = Transport(base_url, network=network, connection_limit=connection_limit)
        self._owns_transport = True
        self._closed = False
        self._configure(
            cartesia_version=cartesia_version,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff or Backoff(),
            default_headers=dict(default_headers or {}),
            on_response=on_response,
            max_response_bytes=max_response_bytes,
        )

    def _configure(
        self,
        *,
        cartesia_version: str,
        timeout: float | Timeout | None,
        max_retries: int,
        backoff: Backoff,
        default_headers: dict[str, str],
        on_response: Callable[[ResponseInfo], None] | None,
        max_response_bytes: int,
    ) -> None:
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int):
            raise TypeError(
                f"max_response_bytes must be an int, got {type(max_response_bytes).__name__}"
            )
        if max_response_bytes < 1:
            raise ValueError(f"max_response_bytes must be at least 1, got {max_response_bytes}")
        if not isinstance(cartesia_version, str) or not cartesia_version.strip():
            raise ValueError("cartesia_version must be a non-empty string such as '2026-08-14'")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int):
            raise TypeError(f"max_retries must be an int, got {type(max_retries).__name__}")
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries}")
        if not isinstance(backoff, Backoff):
            raise TypeError("backoff must be a cartesia_calls.Backoff")
        # The User-Agent (it names aiohttp's version) is the session's: aiohttp is not imported
        # before the first request. A User-Agent in default_headers replaces it.
        headers: CIMultiDict[str] = CIMultiDict()
        headers["Accept"] = "application/json"
        for name, value in default_headers.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError("default_headers must map header names (str) to values (str)")
            headers[name] = value
        # Set last so default_headers cannot silently replace them.
        headers["Authorization"] = f"Bearer {self._api_key}"
        headers["Cartesia-Version"] = cartesia_version.strip()
        self.cartesia_version = cartesia_version.strip()
        self.timeout = Timeout.coerce(timeout)
        self.max_retries = max_retries
        self._default_headers = default_headers
        self._options = RequestOptions(
            headers=CIMultiDictProxy(headers),
            timeout=self.timeout,
            max_retries=max_retries,
            backoff=backoff,
            on_response=on_response,
            max_response_bytes=max_response_bytes,
            secrets=self._secrets,
        )
        self.calls = AsyncCalls(self)
        self.batches = AsyncBatches(self)

    @property
    def base_url(self) -> str:
        """The API address requests go to."""
        return self._transport.base_url

    @property
    def backoff(self) -> Backoff:
        """The wait policy between attempts."""
        return self._options.backoff

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`close` was called (on this client, or on the one it was derived from)."""
        return self._closed or self._transport.closed

    def with_options(
        self,
        *,
        cartesia_version: str = _UNSET,
        timeout: float | Timeout | None = _UNSET,
        max_retries: int = _UNSET,
        backoff: Backoff = _UNSET,
        default_headers: Mapping[str, str] = _UNSET,
        on_response: Callable[[ResponseInfo], None] | None = _UNSET,
        max_response_bytes: int = _UNSET,
    ) -> Self:
        """A client with some settings changed, sharing this one's connection pool.

        Cheap enough to call per request, e.g.
        ``await client.with_options(timeout=5, max_retries=0).calls.get(call_id)``.
        ``default_headers`` are merged into the current ones. Closing the derived client does not
        close the shared pool; closing the original does. The pool's own settings
        (``verify``, ``proxy``, ``trust_env``, ``connection_limit``) are the original's.
        """
        clone = object.__new__(type(self))
        clone._api_key = self._api_key
        clone._secrets = self._secrets
        clone._transport = self._transport
        clone._owns_transport = False
        clone._closed = False
        clone._configure(
            cartesia_version=self.cartesia_version
            if cartesia_version is _UNSET
            else cartesia_version,
            timeout=self.timeout if timeout is _UNSET else timeout,
            max_retries=self.max_retries if max_retries is _UNSET else max_retries,
            backoff=self._options.backoff if backoff is _UNSET else backoff,
            default_headers=(
                self._default_headers
                if default_headers is _UNSET
                else {**self._default_headers, **default_headers}
            ),
            on_response=self._options.on_response if on_response is _UNSET else on_response,
            max_response_bytes=(
                self._options.max_response_bytes
                if max_response_bytes is _UNSET
                else max_response_bytes
            ),
        )
        return clone

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> RawResponse:
        """Send a request to any API path with this client's auth, headers, timeouts and retries.

        For endpoints this SDK does not wrap yet. ``path`` is used as given (encode ids yourself),
        e.g. ``"/agents/calls/ac_123"``. Error statuses raise like every other method.
        ``idempotent`` decides whether failures are retried; by default GET, DELETE, HEAD and
        OPTIONS are.
        """
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        method = method.upper()
        if idempotent is None:
            idempotent = method in {"GET", "DELETE", "HEAD", "OPTIONS"}
        body = None if json is None else dumps(json)
        return await self._send(method, path, params=params, body=body, idempotent=idempotent)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        idempotent: bool,
        headers: Mapping[str, str] | None = None,
        retry_statuses: frozenset[int] = frozenset(),
    ) -> RawResponse:
        self._check_open()
        response = await self._transport.request(
            method,
            path,
            options=self._options,
            params=params,
            body=body,
            idempotent=idempotent,
            headers=headers,
            retry_statuses=retry_statuses,
        )
        record_response(response)  # for with_raw_response (_raw.py); a no-op otherwise
        return response

    async def _json(
        self,
        method: str,
        path: str,
        cl: type[T],
        *,
        idempotent: bool,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        retry_statuses: frozenset[int] = frozenset(),
    ) -> T:
        """Send a request whose answer is JSON and decode it as ``cl`` (resources use this)."""
        payload = None
        if body is not None:
            try:
                payload = dumps(body)
            except TypeError as exc:
                raise TypeError(f"the request body is not JSON-serializable: {exc}") from None
        raw = await self._send(
            method,
            path,
            params=params,
            body=payload,
            idempotent=idempotent,
            headers=headers,
            retry_statuses=retry_statuses,
        )
        return self._decode(raw, cl)

    def _decode(self, raw: RawResponse, cl: type[T]) -> T:
        """``raw``'s body as a ``cl``, or a :class:`ResponseDecodeError` with the client's
        secrets redacted and no chained cause (the converter's exceptions quote the values
        they refused, which a server may have filled with the key)."""
        try:
            return decode(
                raw.content, cl, status_code=raw.status_code, method=raw.method, url=raw.url
            )
        except ResponseDecodeError as error:
            failure = error
        clean = ResponseDecodeError(
            failure.message,
            body=failure.body,
            path=failure.path,
            errors=failure.errors,
            status_code=failure.status_code,
            method=failure.method,
            url=failure.url,
            secrets=self._secrets,
            retries_taken=raw.retries_taken,
        )
        del failure  # nor in this frame's locals, which the traceback keeps
        raise clean

    def _abandon(self) -> None:
        """Drop the connection pool without closing it: its event loop is gone (after a fork).
        Used by the sync ``Client``; the next request opens a fresh pool."""
        self._transport.abandon()

    def _check_open(self) -> None:
        if self._closed:
            from .errors import ClientClosedError  # noqa: PLC0415

            raise ClientClosedError("this client is closed; create a new one")

    async def close(self) -> None:
        """Close the connection pool. Safe to call more than once."""
        self._closed = True
        if self._owns_transport:
            await self._transport.close()

    async def __aenter__(self) -> Self:
        self._check_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        # The key is deliberately absent: reprs end up in logs and tracebacks.
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, "
            f"cartesia_version={self.cartesia_version!r})"
        )


def _check_base_url(base_url: str) -> str:
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a string, got {type(base_url).__name__}")
    # No message below repeats base_url: it may hold a password.
    try:
        parts = urlsplit(base_url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError("base_url is not a valid URL (check its host and port)") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"base_url must be an http(s) URL such as {DEFAULT_BASE_URL!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "base_url must not contain credentials (user:password@): the API key is the "
            "credential, pass it as api_key=... or in CARTESIA_API_KEY"
        )
    if parts.query or parts.fragment:
        raise ValueError("base_url must not carry a query or fragment")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        warnings.warn(
            f"sending the API key over plain HTTP to {parts.hostname}: anyone on the path can read "
            "it, and Cartesia may rotate keys used over HTTP; use https://",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )
    return base_url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
