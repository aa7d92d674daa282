"""A hostile HTTP server on loopback, written on raw asyncio streams.

aiohttp's test server (and so ``FakeCartesia``) always speaks correct HTTP. A broken or malicious
server does not: it drips its headers one byte at a time, lies about ``Content-Length``, labels
an HTML page ``audio/wav``, sends gzip that is not gzip, names a charset no codec has, hands out a
fresh cursor on every page, nests JSON ten thousand deep, or puts escape sequences in a call's
name. Every response here is written byte for byte by a *script*: an async function given the
parsed request and the raw connection.

::

    async def script(request: Request, wire: Wire) -> None:
        await wire.respond(200, {"Content-Type": "application/json"}, b'{"id": "ac_1"}')

    async with HostileServer(script) as server:
        async with server.client() as client:
            ...

``Wire`` writes whatever it is told (:meth:`Wire.head` sends a status line and headers verbatim,
:meth:`Wire.send` and :meth:`Wire.drip` raw body bytes, :meth:`Wire.reset` drops the
connection), so each test states exactly how the server misbehaves. A connection is kept alive
for the next request unless the script closes it. ``server.requests`` records every request.

``HostileServer(script, ssl_context=...)`` serves HTTPS (a storage origin a download is
redirected to); :func:`server_tls` makes the context from a ``trustme`` authority.
:class:`ForwardProxy` is a minimal HTTP proxy (absolute-form requests forwarded one per
connection, ``CONNECT`` tunnels) that records what it was asked.

The builders at the end (:func:`call`, :func:`page`, :func:`wav`, :func:`deep_json`,
:data:`ESCAPES`...) make the usual hostile payloads; :func:`assert_no_key` checks that the key is
nowhere an exception can reach (its causes, arguments, attributes and what they hold).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import ssl
import struct
import threading
import types
from collections.abc import Awaitable, Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import attrs
import orjson
import trustme

from cartesia_calls import AsyncClient, Timeout

from .helpers import SleepRecorder

#: The API key every client of the hostile server sends (and a hostile server may echo back).
SECRET = "sk_car_hostile_5f0c1a2b3c4d5e6f7a8b9c0d"

#: The most a request line plus headers may be; the server is hostile, not a victim.
MAX_REQUEST_HEAD = 64 * 1024


@attrs.frozen
class Request:
    """One request as the server read it.

    Attributes:
        method: ``GET``, ``POST``...
        target: the request target as sent (path and query, still percent-encoded).
        path: the path part of the target.
        query: the query parameters (last value wins).
        headers: the headers, names lowercased.
        body: the body (read by ``Content-Length``).
    """

    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


class Wire:
    """The raw connection a script answers on."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self.closed = False

    async def send(self, data: bytes) -> None:
        """Write bytes as they are."""
        self._writer.write(data)
        await self._writer.drain()

    async def drip(self, data: bytes, *, delay: float = 0.0, size: int = 1) -> None:
        """Write ``data`` ``size`` bytes at a time, ``delay`` seconds apart."""
        for start in range(0, len(data), size):
            await self.send(data[start : start + size])
            if delay:
                await asyncio.sleep(delay)

    async def head(
        self, status: int, headers: Mapping[str, str] | None = None, *, reason: str = "X"
    ) -> None:
        """Send a status line and headers exactly as given (no Content-Length is added)."""
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        await self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    async def respond(
        self,
        status: int,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        *,
        content_length: int | bool | None = True,
    ) -> None:
        """A whole response. ``content_length``: ``True`` for the true length, an int to lie,
        ``None``/``False`` to send none (the body then ends when the connection closes, which
        this method does)."""
        all_headers = dict(headers or {})
        if content_length is True:
            all_headers["Content-Length"] = str(len(body))
        elif isinstance(content_length, int) and content_length is not False:
            all_headers["Content-Length"] = str(content_length)
        else:
            all_headers["Connection"] = "close"
        await self.head(status, all_headers)
        await self.send(body)
        if content_length is None or content_length is False:
            await self.close()

    async def json(
        self, value: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        """A JSON response with a true Content-Length."""
        body = value if isinstance(value, bytes) else orjson.dumps(value)
        await self.respond(status, {"Content-Type": "application/json", **(headers or {})}, body)

    async def close(self) -> None:
        """Close the connection cleanly (FIN)."""
        if self.closed:
            return
        self.closed = True
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()

    async def reset(self) -> None:
        """Drop the connection with a TCP reset (RST), as a crashed server or a proxy does."""
        self.closed = True
        sock = self._writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._writer.transport.abort()


Script = Callable[[Request, Wire], Awaitable[None]]


class _LoopbackServer:
    """An asyncio server on 127.0.0.1 (``async with`` starts and stops it, cancelling the
    connections still open); a subclass answers each connection in ``_serve``."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.ssl_context = ssl_context
        self.url = ""
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(
            self._connection, "127.0.0.1", 0, ssl=self.ssl_context
        )
        scheme = "https" if self.ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        finally:
            self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


class HostileServer(_LoopbackServer):
    """Serves every request on loopback with ``script``; ``async with`` starts and stops it."""

    def __init__(self, script: Script, *, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(ssl_context)
        self.script = script
        self.requests: list[Request] = []

    @property
    def base_url(self) -> str:
        """The server's URL (``https://`` with an ``ssl_context``), once it has started."""
        return self.url

    def client(self, **options: Any) -> AsyncClient:
        """An AsyncClient for this server: no retries and instant backoff unless overridden,
        and short timeouts (a hostile server must not make a test wait long)."""
        options.setdefault("max_retries", 0)
        options.setdefault("backoff", SleepRecorder().backoff())
        options.setdefault("timeout", Timeout(total=10, connect=5, read=5))
        return AsyncClient(api_key=SECRET, base_url=self.base_url, **options)

    def count(self, path: str | None = None) -> int:
        """How many requests arrived (for ``path`` only, if given)."""
        return sum(1 for r in self.requests if path is None or r.path == path)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        wire = Wire(writer)
        try:
            while not wire.closed:
                request = await _read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                await self.script(request, wire)
        except (
            ConnectionError,
            ssl.SSLError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            pass
        finally:
            if not wire.closed:
                writer.close()


def server_tls(authority: trustme.CA) -> ssl.SSLContext:
    """A server context for 127.0.0.1 with a certificate ``authority`` signed."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


class ForwardProxy(_LoopbackServer):
    """A minimal HTTP proxy on loopback: ``CONNECT host:port`` opens a tunnel; an absolute-form
    request (``GET http://host:port/path``) is forwarded to its origin (one per connection).

    ``seen`` records each request line and its headers (names lowercased), so a test can tell
    that a request went through the proxy, and with which credentials.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, dict[str, str]]] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: asyncio.StreamWriter | None = None
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in lines[1:] if line)
            }
            self.seen.append((f"{method} {target}", headers))
            if method == "CONNECT":
                host, _, port = target.rpartition(":")
                up_reader, upstream = await asyncio.open_connection(host, int(port))
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
            else:
                parts = urlsplit(target)
                assert parts.hostname is not None
                up_reader, upstream = await asyncio.open_connection(parts.hostname, parts.port)
                origin_form = parts.path + (f"?{parts.query}" if parts.query else "")
                kept = [
                    line
                    for line in lines[1:]
                    if line and line.split(":")[0].strip().lower() not in _HOP_BY_HOP
                ]
                upstream.write(
                    "\r\n".join(
                        [f"{method} {origin_form} HTTP/1.1", *kept, "Connection: close", "", ""]
                    ).encode("latin-1")
                )
                length = int(headers.get("content-length", "0"))
                if length:
                    upstream.write(await reader.readexactly(length))
            await asyncio.gather(_pipe(reader, upstream), _pipe(up_reader, writer))
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            for stream in (upstream, writer):
                if stream is not None:
                    stream.close()


_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authorization", "proxy-connection"})


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(64 * 1024):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError, RuntimeError):
        if writer.can_write_eof():
            writer.write_eof()


@contextlib.contextmanager
def serving_in_thread(script: Script) -> Iterator[HostileServer]:
    """A :class:`HostileServer` on its own event loop thread, for synchronous code (the sync
    ``Client``, the command line through ``CliRunner``)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="hostile-server", daemon=True)
    thread.start()
    server = HostileServer(script)
    try:
        asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(10)
        try:
            yield server
        finally:
            asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop).result(10)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None  # the client closed its idle connection
    if len(head) > MAX_REQUEST_HEAD:  # pragma: no cover - aiohttp never sends that much
        raise ConnectionError("request head too large")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    parts = urlsplit(target)
    return Request(
        method=method,
        target=target,
        path=parts.path,
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=body,
    )


# -- payloads ------------------------------------------------------------------------------------

#: Terminal escape sequences and controls a hostile server may put into any string: a window
#: title change, clear screen, an OSC 8 hyperlink hiding its target, a right-to-left override, a
#: bare C1 CSI, a carriage return that overwrites the line, a bell, and a DCS string.
ESCAPES = (
    "\x1b]0;pwned title\x07"
    "\x1b[2J\x1b[H"
    "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"
    "\u202egnp.exe"
    "\x9b31m"
    "\rOVERWRITE"
    "\x07"
    "\x1bPdcs payload\x1b\\"
)
#: Any of these in printed output means a terminal would have acted on server data.
TERMINAL_CONTROLS = ("\x1b", "\x9b", "\x9d", "\x90", "\u202e", "\r", "\x07")


def call(call_id: str = "ac_1", **fields: Any) -> dict[str, Any]:
    """A minimal valid call object."""
    return {"id": call_id, "agent_id": "agent_1", "status": "completed", **fields}


def page(
    ids: list[str],
    next_page: str | None = None,
    *,
    has_more: bool | str | None = "absent",
    **fields: Any,
) -> dict[str, Any]:
    """A list page of calls; ``has_more`` is left out unless given (``None`` sends ``null``)."""
    body: dict[str, Any] = {"data": [call(i, **fields) for i in ids], "next_page": next_page}
    if has_more != "absent":
        body["has_more"] = has_more
    return body


def wav(data: bytes = b"\x00\x01" * 800, *, riff_size: int | None = None) -> bytes:
    """A PCM WAV file around ``data``; ``riff_size`` overrides the size its RIFF header states."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    size = len(body) if riff_size is None else riff_size
    return b"RIFF" + struct.pack("<I", size) + body


def deep_json(depth: int, *, key: str | None = None) -> bytes:
    """``[[[...]]]`` (or ``{"key": {"key": ...}}``) nested ``depth`` levels, closed."""
    if key is None:
        return b"[" * depth + b"]" * depth
    opening = f'{{"{key}":'.encode()
    return opening * depth + b"null" + b"}" * depth


#: A body that says it is gzip (magic bytes and all) and is not.
BAD_GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"this is not deflate data" * 10


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped (about a thousandth of ``size``)."""
    return gzip.compress(b"\0" * size, compresslevel=9)


# -- the key nowhere an exception reaches ----------------------------------------------------------

_OPAQUE = (
    str,
    bytes,
    int,
    float,
    types.TracebackType,
    types.FrameType,
    types.ModuleType,
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,
    types.CodeType,
    type,
)


def reachable(root: object) -> Iterator[object]:
    """Every object an exception holds: its cause and context chains, args, notes, attributes
    (``__dict__`` and slots), and what containers among them hold. Tracebacks are not entered:
    they hold the frames of the code that ran, not the exception's data."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, _OPAQUE):
            continue
        if isinstance(obj, BaseException):
            stack += [obj.__cause__, obj.__context__, *obj.args, *getattr(obj, "__notes__", [])]
        if isinstance(obj, Mapping):
            stack += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            stack += list(obj)
        stack += list(getattr(obj, "__dict__", {}).values())
        for klass in type(obj).__mro__:
            for slot in getattr(klass, "__slots__", ()):
                stack.append(getattr(obj, slot, None))


def assert_no_key(error: BaseException, key: str = SECRET) -> None:
    """``key`` is in the text (``str`` or ``repr``) of nothing :func:`reachable` from ``error``."""
    found = [obj for obj in reachable(error) if key in repr(obj) or key in str(obj)]
    assert not found, f"the key is reachable from {type(error).__name__}: {found[:3]!r}"
