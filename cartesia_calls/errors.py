"""Every exception the SDK raises on purpose.

::

    CartesiaError                    anything raised by cartesia_calls on purpose
    ├── APIError                     something went wrong talking to the API
    │   ├── APIStatusError           the API answered with a 4xx/5xx status
    │   │   ├── BadRequestError            400
    │   │   ├── AuthenticationError        401
    │   │   ├── UsageLimitError            402
    │   │   ├── PermissionDeniedError      403
    │   │   ├── NotFoundError              404
    │   │   ├── ConflictError              409
    │   │   ├── UnprocessableEntityError   422
    │   │   ├── RateLimitError             429
    │   │   └── InternalServerError        >= 500
    │   ├── APIConnectionError       no usable response (refused, reset, DNS, TLS, cut body)
    │   │   └── APITimeoutError      a connect/read/total timeout or a deadline passed
    │   │       └── WaitTimeoutError     calls.wait() gave up before the call ended
    │   └── ResponseDecodeError      a 2xx body that is not JSON or not the expected model
    ├── MissingAPIKeyError           no api_key and no CARTESIA_API_KEY (also a ValueError)
    ├── ClientClosedError            the client was used after close()
    ├── EventLoopMismatchError       an AsyncClient was used from a second live event loop
    └── WebhookVerificationError     a webhook's X-Webhook-Secret is missing or wrong

Caller mistakes that can be seen before any request (an empty call id, ``limit=0``, a phone number
that is not E.164) raise :class:`ValueError` or :class:`TypeError` naming the argument, and nothing
is sent.

Every :class:`APIStatusError` keeps what the server said: the status, the headers, the raw text of
the body and, when the body is Cartesia's structured error object, its ``error_code``,
``title``, ``message``, ``request_id`` and ``doc_url``. ``str(exc)`` puts the status, code,
message and request id on one line, ready to paste into a support ticket.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CartesiaError",
    "ClientClosedError",
    "ConflictError",
    "EventLoopMismatchError",
    "InternalServerError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "UnprocessableEntityError",
    "UsageLimitError",
    "WaitTimeoutError",
    "WebhookVerificationError",
]

#: How much of an error body is kept on the exception; bodies past this are cut (gateways can
#: answer with megabytes of HTML, which helps nobody inside a traceback).
MAX_ERROR_BODY_CHARS = 64 * 1024

_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")


class CartesiaError(Exception):
    """Base class of every exception raised on purpose by ``cartesia_calls``."""


class MissingAPIKeyError(CartesiaError, ValueError):
    """No API key was given and ``CARTESIA_API_KEY`` is not set."""


class ClientClosedError(CartesiaError, RuntimeError):
    """The client was used after :meth:`~cartesia_calls.AsyncClient.close` was called."""


class EventLoopMismatchError(CartesiaError, RuntimeError):
    """An :class:`~cartesia_calls.AsyncClient` was used from an event loop other than its own.

    aiohttp sessions belong to the loop that created them. Create one ``AsyncClient`` per event
    loop, or use the thread-safe synchronous :class:`~cartesia_calls.Client`.
    """


class WebhookVerificationError(CartesiaError):
    """A webhook request did not carry the expected ``X-Webhook-Secret``."""


class APIError(CartesiaError):
    """Something went wrong while talking to the Cartesia API.

    Attributes:
        message: what went wrong, in words.
        method: the HTTP method of the request (``None`` if unknown).
        url: the URL of the request, without query secrets (there are none) or credentials.
    """

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """No usable response arrived: the connection was refused, reset, or the body was cut."""


class APITimeoutError(APIConnectionError):
    """A timeout elapsed: connecting, waiting between bytes, or the total deadline."""


class WaitTimeoutError(APITimeoutError):
    """:meth:`~cartesia_calls.AsyncCalls.wait` reached its deadline before the call ended.

    Attributes:
        call_id: the call that was being waited for.
        last_status: the status the call had at the last poll (``None`` if it was never fetched).
    """

    def __init__(self, message: str, *, call_id: str, last_status: str | None) -> None:
        super().__init__(message)
        self.call_id = call_id
        self.last_status = last_status


class ResponseDecodeError(APIError):
    """A successful response whose body is not JSON, or not the model it should be.

    Attributes:
        path: where in the body the bad value is, e.g. ``$.transcript[3].start_timestamp``
            (``None`` when the body is not JSON at all).
        errors: every problem found, one line each, each ending in ``@ <path>``.
        body: the raw body text.
        status_code: the HTTP status of the response, when it came from one.
    """

    def __init__(
        self,
        message: str,
        *,
        body: str,
        path: str | None = None,
        errors: tuple[str, ...] = (),
        status_code: int | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.body = body
        self.path = path
        self.errors = errors
        self.status_code = status_code


class APIStatusError(APIError):
    """The API answered with an error status (4xx or 5xx).

    Attributes:
        status_code: the HTTP status.
        headers: the response headers (a read-only mapping, case-insensitive keys).
        body: the raw body text (cut at 64 KiB).
        json: the body parsed as JSON, or ``None`` when it is not JSON.
        error_code: Cartesia's machine-readable code (``"concurrency_limited"``), if given.
        title: the short summary of the error, if given.
        message: the best human-readable explanation available.
        request_id: the id of the request on Cartesia's side; quote it to support.
        doc_url: a link to the documentation of this error, if given.
        retries_taken: how many times the request was retried before this answer.
    """

    def __init__(
        self,
        *,
        status_code: int,
        headers: Mapping[str, str],
        body: str,
        method: str | None = None,
        url: str | None = None,
        retries_taken: int = 0,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.body = body[:MAX_ERROR_BODY_CHARS]
        self.retries_taken = retries_taken
        parsed = _parse_body(self.body)
        self.json: Any = parsed.json
        self.error_code = parsed.error_code
        self.title = parsed.title
        self.request_id = parsed.request_id or _header(headers, "x-request-id", "request-id")
        self.doc_url = parsed.doc_url
        message = parsed.message or parsed.title or _default_reason(status_code)
        super().__init__(message, method=method, url=url)

    def __str__(self) -> str:
        parts = [f"{self.status_code}"]
        if self.error_code:
            parts.append(f"[{self.error_code}]")
        text = self.message
        if self.title and self.title != self.message:
            text = f"{self.title}: {self.message}"
        parts.append(text)
        line = " ".join(parts)
        if self.request_id:
            line += f" (request_id: {self.request_id})"
        return line

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, "
            f"error_code={self.error_code!r}, message={self.message!r}, "
            f"request_id={self.request_id!r})"
        )


class BadRequestError(APIStatusError):
    """400: the request was malformed or asked for something impossible (for example deleting a
    call that has not ended, or cancelling one that is not in progress)."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


#: What a 402 says when the server gave no message of its own.
USAGE_LIMIT_MESSAGE = (
    "the organization has reached its agents usage limit: upgrade the subscription or "
    "enable overages"
)


class UsageLimitError(APIStatusError):
    """402: the organization reached its agents usage limit (``batches.create``); upgrade the
    subscription or enable overages. Not retried: another attempt cannot succeed until then."""

    def __init__(self, **fields: Any) -> None:
        super().__init__(**fields)
        if self.message == _default_reason(self.status_code) and not self.title:
            # The server said nothing useful: say what a 402 means here, and what to do.
            self.message = USAGE_LIMIT_MESSAGE
            self.args = (USAGE_LIMIT_MESSAGE,)


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this (for example, a number outside the agent's organisation)."""


class NotFoundError(APIStatusError):
    """404: no such call, batch, recording or logs."""


class ConflictError(APIStatusError):
    """409: the resource is in a state that forbids this. No calls endpoint documents a 409
    (deleting a call that has not ended is a 400, :class:`BadRequestError`); this class is
    here for a 409 from anywhere else, such as a gateway."""


class UnprocessableEntityError(APIStatusError):
    """422: the body was well-formed but its values were rejected."""


class RateLimitError(APIStatusError):
    """429: the plan's concurrency limit was exceeded (retried automatically before raising).

    Attributes:
        retry_after: the server's ``Retry-After`` in seconds, when it sent one.
    """

    @property
    def retry_after(self) -> float | None:
        """The server's ``Retry-After`` header in seconds, or ``None``."""
        from ._retry import parse_retry_after  # noqa: PLC0415 - keeps errors import-light

        return parse_retry_after(self.headers)


class InternalServerError(APIStatusError):
    """5xx: Cartesia (or a gateway in front of it) failed; retried automatically before raising."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: UsageLimitError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)


class _ParsedBody:
    __slots__ = ("doc_url", "error_code", "json", "message", "request_id", "title")

    def __init__(self) -> None:
        self.json: Any = None
        self.error_code: str | None = None
        self.title: str | None = None
        self.message: str | None = None
        self.request_id: str | None = None
        self.doc_url: str | None = None


def _parse_body(body: str) -> _ParsedBody:
    """Read whatever the server said: Cartesia's error object, ``{message, description}``,
    ``Title: Message`` plain text, or an HTML page from a gateway."""
    out = _ParsedBody()
    text = body.strip()
    if not text:
        return out
    try:
        out.json = json.loads(text)
    except ValueError:
        out.json = None
    if isinstance(out.json, Mapping):
        obj = out.json
        out.error_code = _str_or_none(obj.get("error_code"))
        out.title = _str_or_none(obj.get("title"))
        out.request_id = _str_or_none(obj.get("request_id"))
        out.doc_url = _str_or_none(obj.get("doc_url"))
        message = _str_or_none(obj.get("message"))
        description = _str_or_none(obj.get("description"))
        if message is None:
            message = _str_or_none(obj.get("detail")) or _str_or_none(obj.get("error"))
        if message and description and out.title is None:
            # The logs endpoint's 404 shape: {"message": <short title>, "description": <details>}.
            out.title, message = message, description
        out.message = message or description
        return out
    if out.json is not None:
        out.message = _shorten(text)
        return out
    if text.startswith("<"):
        # An HTML page from a proxy or load balancer: its <title> (or text) is the useful part.
        match = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        raw = match.group(1) if match else _TAG_RE.sub(" ", text)
        out.message = _shorten(_SPACE_RE.sub(" ", raw).strip()) or None
        return out
    first = text.splitlines()[0]
    title, sep, rest = first.partition(": ")
    if sep and rest and len(title) <= 80:
        out.title, out.message = title.strip(), _shorten(text[len(title) + 2 :].strip())
    else:
        out.message = _shorten(text)
    return out


def _str_or_none(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _shorten(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is None and name.lower() != name:
            value = headers.get(name.lower())
        if value:
            return value
    return None


def _default_reason(status_code: int) -> str:
    from http import HTTPStatus  # noqa: PLC0415

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return f"HTTP {status_code}"
