"""HTTP as data, without aiohttp: time limits, per-client options, what a response was, and the
rules the transport applies to them (which redirects to follow, the errors for limits).

:mod:`._transport` does the I/O with these; keeping them apart keeps each module about one idea
and lets the rules be read (and tested) without a network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import quote

import attrs
import orjson
from multidict import CIMultiDict
from yarl import URL

from ._retry import Backoff
from .errors import APITimeoutError, ResponseDecodeError

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MAX_DOWNLOAD_BYTES",
    "MAX_REDIRECTS",
    "RawResponse",
    "RequestOptions",
    "ResponseInfo",
    "Timeout",
    "path",
]

#: The largest body (after decompression) a client holds in memory unless told otherwise:
#: a page of 100 long calls with their transcripts is a few MB; 64 MiB leaves room for ten times
#: that and still stops a gzip bomb long before it hurts.
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
#: The largest download: a WAV (RIFF) file cannot describe more than 4 GiB plus its 8-byte head.
MAX_DOWNLOAD_BYTES: Final = 2**32 + 8
#: Redirects followed within one attempt.
MAX_REDIRECTS: Final = 5
_FOLLOWED: Final = frozenset({301, 302, 303, 307, 308})
#: A segment that percent-encoding leaves as it is, and that is not "." or "..".
_PLAIN_SEGMENT: Final = re.compile(r"[A-Za-z0-9_~-]+").fullmatch
#: Headers a download sends to another origin (a storage URL): nothing of Cartesia's.
_FOREIGN_HEADERS: Final = ("User-Agent", "Accept", "Accept-Encoding")


@attrs.frozen(cache_hash=True)  # the transport looks its aiohttp limits up by it per request
class Timeout:
    """Time limits of one request, in seconds (``None`` switches a limit off).

    Attributes:
        total: the whole request: connecting, sending, and reading the full body. For downloads
            (``download_audio``, ``stream_audio``) it bounds everything up to the response
            headers only: a long recording may take minutes, and its body is bounded by
            ``read`` instead.
        connect: opening a connection (DNS, TCP, TLS, a proxy), waiting for a free slot of the
            connection pool included.
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
    """Per-client settings the transport applies to each request (shared by ``with_options``).

    ``secrets`` (the API key, a proxy's password) are redacted from every error built from what
    a server sent.
    """

    headers: Mapping[str, str]
    timeout: Timeout
    max_retries: int
    backoff: Backoff
    on_response: Callable[[ResponseInfo], None] | None = None
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    secrets: tuple[str, ...] = attrs.field(default=(), repr=False)


def path(*segments: str, name: str = "id") -> str:
    """Join literal path parts and caller-given ids into a URL path.

    Every segment is percent-encoded as exactly one path segment: ``a/b?c#d`` stays one id and
    ``..`` cannot climb out of its place. Empty, blank or non-string ids are rejected before
    sending.
    """
    out = []
    for segment in segments:
        if isinstance(segment, str) and _PLAIN_SEGMENT(segment):  # most ids: nothing to encode
            out.append(segment)
            continue
        if not isinstance(segment, str):
            raise TypeError(f"{name} must be a string, got {type(segment).__name__}")
        if not segment.strip():
            raise ValueError(f"{name} must be a non-empty string, got {segment!r}")
        encoded = quote(segment, safe="")
        if encoded in {".", ".."}:
            encoded = encoded.replace(".", "%2E")
        out.append(encoded)
    return "/" + "/".join(out)


def redirect(
    method: str,
    status: int,
    location: str | None,
    *,
    current: URL,
    origin: URL,
    hops: int,
    download: bool,
) -> tuple[URL | None, str | None]:
    """Where a 3xx leads, and why it is not followed (``None``: follow it).

    JSON requests follow GET redirects within the API's ``origin`` only: a JSON answer from
    anywhere else is not the API's. Downloads may also go to another origin over https (a
    storage URL), with nothing of Cartesia's in the request (:func:`foreign_headers`). Nothing
    but GET and HEAD is ever redirected, and at most :data:`MAX_REDIRECTS` times per attempt.
    """
    if location is None:
        return None, f"{status} redirect without a Location: not followed"
    try:
        target = current.join(URL(location))
        target_origin = target.origin()
    except (ValueError, TypeError):
        return None, f"{status} redirect to an invalid URL: not followed"
    where = f"{status} redirect to {shown(target)[:300]} not followed"
    if target.scheme not in {"http", "https"} or status not in _FOLLOWED:
        return target, f"{where}: not a redirect the SDK follows"
    if method not in {"GET", "HEAD"}:
        return target, f"{where}: {method} requests are never redirected"
    if hops >= MAX_REDIRECTS:
        return target, f"{where}: more than {MAX_REDIRECTS} redirects"
    if target_origin == origin:
        return target, None
    if not download:
        return target, f"{where}: it leaves {origin}, where the API answers from"
    if target.scheme != "https":
        return target, f"{where}: a download goes to another origin over https only"
    return target, None


def foreign_headers(headers: Mapping[str, str]) -> CIMultiDict[str]:
    """The headers for another origin: no key, no ``Cartesia-Version``, no default headers."""
    return CIMultiDict((name, headers[name]) for name in _FOREIGN_HEADERS if name in headers)


def merged(headers: Mapping[str, str], extra: Mapping[str, str] | None) -> Mapping[str, str]:
    """``headers`` with ``extra`` added or replacing (``headers`` itself when none)."""
    if not extra:
        return headers
    out = CIMultiDict(headers)
    out.update(extra)
    return out


def with_content_type(headers: Mapping[str, str], body: bytes | None) -> Mapping[str, str]:
    """``headers`` plus ``Content-Type: application/json`` when there is a body."""
    if body is None:
        return headers
    out = CIMultiDict(headers)
    out["Content-Type"] = "application/json"
    return out


def shown(url: URL) -> str:
    """``url`` as errors and logs show it: without credentials."""
    return str(url.with_user(None)) if url.user or url.password else str(url)


_TIMEOUTS: Final = {
    "connect": "could not open a connection within {s} (the connect timeout)",
    "pool": "no connection of the pool (connection_limit={size}) came free within {s} "
    "(the connect timeout)",
    "headers": "the response headers did not arrive within {s} (the total timeout)",
    "read": "the server sent nothing for {s} (the read timeout)",
    "total": "the response was not complete within {s} (the total timeout)",
}


def timeout_error(
    kind: str,
    limits: Timeout,
    method: str,
    url: str,
    attempt: int,
    *,
    sent: bool,
    pool_size: int | None = None,
) -> APITimeoutError:
    """The error for a time limit that ran out, naming the limit, its value and the attempts."""
    seconds = {"connect": limits.connect, "pool": limits.connect, "read": limits.read}.get(
        kind, limits.total
    )
    text = _TIMEOUTS[kind].format(
        s=f"{seconds:g} s" if seconds is not None else "too long", size=pool_size
    )
    attempts = f"{attempt} attempt{'s' if attempt > 1 else ''}"
    return APITimeoutError(
        f"{kind} timeout: {text} ({method} {url}, {attempts})",
        method=method,
        url=url,
        retries_taken=attempt - 1,
        request_sent=sent,
        kind=kind,
    )


def too_large(
    limit: int, status: int, method: str, url: str, *, download: bool
) -> ResponseDecodeError:
    """The error for a body past its limit (``max_response_bytes``, or a download's)."""
    what, hint = (
        ("download", "no WAV file is that large")
        if download
        else ("response", "raise max_response_bytes if this response is genuine")
    )
    return ResponseDecodeError(
        f"the {what} body is larger than {limit:,} bytes (decompressed), where reading it "
        f"stopped; {hint}",
        body="",
        status_code=status,
        method=method,
        url=url,
    )


def compressed_download(encoding: str, status: int, method: str, url: str) -> ResponseDecodeError:
    """The error for a download that arrived compressed although asked for identity."""
    return ResponseDecodeError(
        f"the server sent the download compressed (Content-Encoding: {encoding[:40]!r}) "
        "although it was asked for none: refused, so that a small compressed body cannot "
        "become a huge file",
        body="",
        status_code=status,
        method=method,
        url=url,
    )
