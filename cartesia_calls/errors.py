"""Every exception the SDK raises on purpose.

::

    CartesiaError                    anything raised by cartesia_calls on purpose
    ├── APIError                     something went wrong talking to the API
    │   ├── APIStatusError           the API answered 4xx/5xx, or a 3xx that is not followed
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
    │   │   └── APITimeoutError      a connect/pool/headers/read/total limit or a deadline passed
    │   │       └── WaitTimeoutError     calls.wait() or batches.wait() reached its deadline
    │   └── ResponseDecodeError      a 2xx body that is not JSON, not the model, or too large
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

import codecs
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from ._error_bodies import parse_body

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
#: answer with megabytes of HTML, which helps nobody inside a traceback). Only the kept part is
#: parsed.
MAX_ERROR_BODY_CHARS = 64 * 1024

#: What a secret (the API key) is replaced with wherever an exception would have shown it.
REDACTED = "[redacted]"

# Codecs that are no charset a server may name: they raise whatever the error handler, or (punycode)
# take quadratic time.
_UNSAFE_CODECS = frozenset({"idna", "punycode", "undefined"})


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
        retries_taken: how many times the request was retried before this error (0 when the
            first attempt raised it, or when it did not come from a request).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        retries_taken: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.retries_taken = retries_taken


class APIConnectionError(APIError):
    """No usable response arrived: the connection was refused, reset, or the body was cut.

    The transport classifies each failure once, into two fields the retry policy reads:

    Attributes:
        request_sent: ``False`` when the request certainly never reached the server (no
            connection could be opened, or no pool slot came free), so repeating it is safe
            even for a request that is not idempotent; ``True`` when it may have arrived.
        transient: whether another attempt could succeed (``False`` for a certificate that
            failed verification, or a response this SDK cannot read at all).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        retries_taken: int = 0,
        request_sent: bool = True,
        transient: bool = True,
    ) -> None:
        super().__init__(message, method=method, url=url, retries_taken=retries_taken)
        self.request_sent = request_sent
        self.transient = transient


class APITimeoutError(APIConnectionError):
    """A time limit ran out before a usable response arrived.

    Attributes:
        kind: which limit: ``"connect"`` (opening a connection), ``"pool"`` (waiting for a free
            connection of the pool, bounded by the connect timeout), ``"headers"`` (the response
            headers did not arrive within the total timeout), ``"read"`` (the server went
            silent for longer than the read timeout), ``"total"`` (the whole response took
            longer than the total timeout), ``"wait"`` (a :class:`WaitTimeoutError` of
            ``calls.wait`` or ``batches.wait``), or ``None`` when not known.

    Its message names the limit, its value and how many attempts were made.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        retries_taken: int = 0,
        request_sent: bool = True,
        kind: str | None = None,
    ) -> None:
        super().__init__(
            message,
            method=method,
            url=url,
            retries_taken=retries_taken,
            request_sent=request_sent,
            transient=True,
        )
        self.kind = kind


class WaitTimeoutError(APITimeoutError):
    """A ``wait`` reached its deadline first: :meth:`~cartesia_calls.AsyncCalls.wait` before the
    call ended, or :meth:`~cartesia_calls.AsyncBatches.wait` before the batch was over.

    Attributes:
        resource_id: the id of what was being waited for: a call id or a batch id.
        call_id: the call's id when waiting for a call, else ``None``.
        batch_id: the batch's id when waiting for a batch, else ``None``.
        last_status: the status it had at the last poll (``None`` if it was never fetched).
    """

    def __init__(
        self,
        message: str,
        *,
        last_status: str | None,
        call_id: str | None = None,
        batch_id: str | None = None,
    ) -> None:
        resource_id = call_id if batch_id is None else batch_id
        if resource_id is None or (call_id is not None and batch_id is not None):
            raise TypeError("WaitTimeoutError takes exactly one of call_id and batch_id")
        super().__init__(message, kind="wait")
        self.resource_id: str = resource_id
        self.call_id = call_id
        self.batch_id = batch_id
        self.last_status = last_status


class ResponseDecodeError(APIError):
    """A successful response whose body is not JSON, or not the model it should be.

    Attributes:
        path: where in the body the bad value is, e.g. ``$.transcript[3].start_timestamp``
            (``None`` when the body is not JSON at all).
        errors: every problem found, one line each, each ending in ``@ <path>``.
        body: the raw body text.
        status_code: the HTTP status of the response, when it came from one.

    ``secrets`` (the API key) are replaced by ``[redacted]`` in the message, the errors and the
    body, so a server that echoes the key cannot put it into a traceback.
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
        secrets: Iterable[str] = (),
        retries_taken: int = 0,
    ) -> None:
        hidden = _secret_list(secrets)
        if hidden:
            message = redact(message, hidden)
            body = redact(body, hidden)
            errors = tuple(redact(line, hidden) for line in errors)
            path = None if path is None else redact(path, hidden)
        super().__init__(message, method=method, url=url, retries_taken=retries_taken)
        self.body = body
        self.path = path
        self.errors = errors
        self.status_code = status_code


class APIStatusError(APIError):
    """The API answered with an error status (4xx or 5xx), or with a redirect (3xx) the SDK
    does not follow (see "Redirects" in the errors guide); the message then names the target.

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

    ``message``, when given, replaces the explanation read from the body (the SDK says why it
    did not follow a redirect this way).

    Whatever the body holds, building the error takes time linear in the kept part of the body
    and never raises: a body that is not JSON, or JSON nested deeper than
    ``MAX_ERROR_JSON_DEPTH``, is read as text.

    ``secrets`` are strings the server must not be able to put into the exception (the
    transport passes the API key): each occurrence in the body, its parsed JSON, every field
    read from it and the headers is replaced by ``[redacted]``, as is a secret cut short at
    the end of the kept body.
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
        secrets: Iterable[str] = (),
        message: str | None = None,
    ) -> None:
        hidden = _secret_list(secrets)
        self.status_code = status_code
        self.headers = _redact_headers(headers, hidden) if hidden else headers
        # Cut first, then redact: parsing (and redacting) only ever sees the kept part, and a key
        # the cut splits in two is caught as a secret cut short at the end.
        self.body = redact(body[:MAX_ERROR_BODY_CHARS], hidden)[:MAX_ERROR_BODY_CHARS]
        parsed = parse_body(self.body)
        if hidden and parsed.json is not None and _holds_secret(parsed.json, hidden):
            # The key was in the body in an escaped spelling (``\u005f``): the parsed value is
            # scrubbed, and the body becomes that value written out again.
            clean = _scrub(parsed.json, hidden)
            self.body = orjson.dumps(clean).decode()[:MAX_ERROR_BODY_CHARS]
            parsed = parse_body(self.body)
        self.json: Any = parsed.json
        self.error_code = parsed.error_code
        self.title = parsed.title
        self.request_id = parsed.request_id or _header(self.headers, "x-request-id", "request-id")
        self.doc_url = parsed.doc_url
        if message is None:
            message = parsed.message or parsed.title or _default_reason(status_code)
        else:
            message = redact(message, hidden)
        super().__init__(message, method=method, url=url, retries_taken=retries_taken)

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


def decode_text(raw: bytes, charset: str | None) -> str:
    """Decode a response body with the charset its ``Content-Type`` names, never failing.

    A missing, unknown or unusable charset (a misspelling, a bytes-to-bytes codec such as
    ``zlib``, or one no server may name) falls back to UTF-8; undecodable bytes become U+FFFD.
    Never raises ``LookupError`` or ``UnicodeError``, and runs in time linear in ``len(raw)``.
    """
    codec = "utf-8"
    if charset and len(charset) <= 64:
        try:
            info = codecs.lookup(charset.strip().strip("\"'"))
        except (LookupError, ValueError, TypeError):
            info = None
        if (
            info is not None
            and getattr(info, "_is_text_encoding", True)
            and info.name not in _UNSAFE_CODECS
        ):
            codec = info.name
    try:
        return raw.decode(codec, "replace")
    except Exception:  # a codec is arbitrary code (third-party ones can be registered)
        return raw.decode("utf-8", "replace")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret replaced by ``[redacted]``, including a secret cut short at the
    very end of ``text`` (a body read only in part can end inside the key)."""
    for secret in _secret_list(secrets):
        if secret in text:
            text = text.replace(secret, REDACTED)
        # The longest start of the secret that ends the text (at least 8 characters, so short
        # accidental matches are left alone; shorter secrets are only ever matched whole).
        for size in range(len(secret) - 1, 7, -1):
            if text.endswith(secret[:size]):
                text = text[:-size] + REDACTED
                break
    return text


def _secret_list(secrets: Iterable[str]) -> list[str]:
    """Distinct non-empty secrets, longest first (so a secret inside another is not split)."""
    if isinstance(secrets, str):
        secrets = (secrets,)
    return sorted({s for s in secrets if isinstance(s, str) and s}, key=len, reverse=True)


def _holds_secret(value: Any, secrets: list[str]) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any(secret in item for secret in secrets):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _scrub(value: Any, secrets: list[str]) -> Any:
    """A copy of parsed JSON with every secret redacted (recursive: depth is at most
    ``MAX_ERROR_JSON_DEPTH``, checked before)."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {redact(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value


def _redact_headers(headers: Mapping[str, str], secrets: list[str]) -> Mapping[str, str]:
    """``headers`` itself when no value holds a secret, else a redacted case-insensitive copy."""
    items = list(headers.items())
    if not any(any(secret in str(value) for secret in secrets) for _, value in items):
        return headers
    from multidict import CIMultiDict, CIMultiDictProxy  # noqa: PLC0415 - rarely needed

    return CIMultiDictProxy(CIMultiDict((k, redact(str(v), secrets)) for k, v in items))


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
