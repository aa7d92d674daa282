"""A response as the transport reads it: the pool slot it holds, what it reports, the error of
an error status, and downloads read chunk by chunk.

Like :mod:`._transport`, it handles aiohttp's response objects without importing aiohttp (only
:mod:`._wire` does). Whatever the server sends:

* **Nothing is leaked.** A response is let go exactly once (:meth:`Opened.release`): its
  connection goes back to the pool, or is closed when part of the body is unread (it would pin
  the connection), and its slot goes to the next request, before any exception (a raising
  ``on_response`` hook included) propagates.
* **Each response is reported**: logged at INFO level and handed to ``on_response`` as a
  :class:`ResponseInfo` (built only when one of them is listening).
* **An error status** becomes its :class:`APIStatusError` subclass, from a bounded part of the
  body, with every secret redacted.
* **Downloads** are refused when they arrive compressed or announce more than
  :data:`MAX_DOWNLOAD_BYTES`, and stop when their body goes past it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import suppress
from typing import TYPE_CHECKING

from ._http import (
    MAX_DOWNLOAD_BYTES,
    RequestOptions,
    ResponseInfo,
    compressed_download,
    shown,
    too_large,
)
from ._logging import logger
from .errors import (
    MAX_ERROR_BODY_CHARS,
    APIError,
    APIStatusError,
    decode_text,
    status_error_class,
)

if TYPE_CHECKING:
    import aiohttp

    from ._wire import Pool

__all__ = [
    "Opened",
    "StreamingResponse",
    "check_download",
    "let_go",
    "report",
    "response_info",
    "status_error",
]


class Opened:
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
            let_go(self.response)
            self.pool.slots.give()


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


def check_download(response: aiohttp.ClientResponse, method: str, url: str) -> None:
    """Refuse a download that arrives compressed, or announces more than a download may be."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in {"", "identity"}:
        raise compressed_download(encoding, response.status, method, url)
    length = response.content_length
    if length is not None and length > MAX_DOWNLOAD_BYTES:
        raise too_large(MAX_DOWNLOAD_BYTES, response.status, method, url, download=True)


def let_go(response: aiohttp.ClientResponse) -> None:
    """Release a response's connection to the pool, or close it when the body was not all
    read (an unread remainder would pin it)."""
    if response.content.at_eof():
        response.release()
    else:
        response.close()


def response_info(
    method: str, response: aiohttp.ClientResponse, attempt: int, elapsed: float
) -> ResponseInfo:
    """What ``response`` was, for ``on_response``; logged at INFO level."""
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


def report(options: RequestOptions, info: ResponseInfo) -> None:
    """Hand ``info`` to the ``on_response`` hook, if there is one."""
    if options.on_response is not None:
        options.on_response(info)


async def status_error(
    response: aiohttp.ClientResponse,
    pool: Pool,
    method: str,
    options: RequestOptions,
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
    report(options, response_info(method, response, attempt, time.monotonic() - started))
    try:
        charset = response.charset
    except Exception:  # a Content-Type no parser makes sense of
        charset = None
    return status_error_class(response.status)(
        status_code=response.status,
        headers=response.headers,
        body=decode_text(raw, charset),
        method=method,
        url=shown(response.url),
        retries_taken=attempt - 1,
        secrets=options.secrets,
        message=message,
    )
