"""Call recordings: a streamed body, checked as it arrives, and atomic writing of it to a file.

A 2xx is only a recording when it looks like one: its ``Content-Type`` is ``audio/*`` (or says
nothing more precise than "bytes": ``application/octet-stream``, or no ``Content-Type`` at all,
as storage services answer), and a RIFF/WAV body is exactly as long as its header says. Anything
else raises before the download is put in place, so a good file at the destination stays.
"""

from __future__ import annotations

import os
import secrets
import stat
import struct
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final, Self

from ._files import check_destination, naming
from ._transport import StreamingResponse
from .errors import APIConnectionError, ResponseDecodeError

__all__ = ["AudioStream", "Destination", "FileSink"]

#: Where a recording may be written: a path, or an open binary file object.
Destination = str | os.PathLike[str] | BinaryIO

DEFAULT_CHUNK_SIZE = 64 * 1024

#: Media types that say "some bytes", accepted like ``audio/*`` (storage services serve files so).
BYTES_TYPES: Final = frozenset({"application/octet-stream", "binary/octet-stream"})
#: RIFF sizes that mean "not known yet": streaming WAV writers put these in the header.
_UNKNOWN_SIZES: Final = frozenset({0, 0xFFFFFFFF})


def media_type(content_type: str | None) -> str | None:
    """``audio/wav`` from ``audio/wav; codec=1``; ``None`` when there is no Content-Type."""
    if content_type is None:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    return media or None


def riff_length(header: bytes) -> int | None:
    """The total size a RIFF file's first 8 bytes promise; ``None`` for other data, or a
    placeholder size (0 or 0xFFFFFFFF)."""
    if len(header) < 8 or header[:4] != b"RIFF":
        return None
    (size,) = struct.unpack("<I", header[4:8])
    return None if size in _UNKNOWN_SIZES else size + 8


class AudioStream:
    """An open recording (``audio/wav``), read chunk by chunk: ``async for chunk in stream``.

    Obtained from ``async with client.calls.stream_audio(call_id) as stream``; the connection is
    released when the ``async with`` block ends. Only one chunk is held in memory at a time.

    Attributes:
        content_type: the media type the server announced (normally ``audio/wav``).
        content_length: the size in bytes, when the server announced it.
        bytes_read: how many bytes have been read so far.

    Raises:
        ResponseDecodeError: on opening, when the ``Content-Type`` is not audio (nor
            ``application/octet-stream``, nor absent): an HTML or JSON page is not a recording.
            While reading, when a RIFF (WAV) body goes on past the size its header promises
            (raised before the extra chunk is handed out).
        APIConnectionError: after the last chunk, when a RIFF body ended before the size its
            header promises (the body was cut short).
    """

    def __init__(self, response: StreamingResponse, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        self._response = response
        self._chunk_size = chunk_size
        self.content_type: str | None = response.headers.get("Content-Type")
        self.content_length: int | None = response.content_length
        self.bytes_read = 0
        media = media_type(self.content_type)
        if media is not None and not media.startswith("audio/") and media not in BYTES_TYPES:
            raise ResponseDecodeError(
                f"the API answered with {self.content_type!r} instead of audio: this is not a "
                "recording (its body was not read)",
                body="",
                **self._where(),
            )

    def _where(self) -> dict[str, Any]:
        info = getattr(self._response, "info", None)
        if info is None:
            return {}
        return {"status_code": info.status_code, "method": info.method, "url": info.url}

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        head = b""  # the first 8 bytes, gathered across chunks however small they come
        promised: int | None = None
        async for chunk in self._response.iter_bytes(self._chunk_size):
            if len(head) < 8:
                head += chunk[: 8 - len(head)]
                promised = riff_length(head)
            if promised is not None and self.bytes_read + len(chunk) > promised:
                where = self._where()
                raise ResponseDecodeError(
                    f"the recording goes on past the {promised:,} bytes its WAV header "
                    "promises: the body is not the recording it claims to be",
                    body="",
                    **where,
                )
            self.bytes_read += len(chunk)
            yield chunk
        short = self.bytes_read < promised if promised is not None else head[:4] == b"RIFF"
        if short and (promised is not None or len(head) < 8):
            where = self._where()
            where.pop("status_code", None)
            expected = f"{promised:,}" if promised is not None else "more than 8"
            raise APIConnectionError(
                f"the recording ended after {self.bytes_read:,} bytes, but its WAV header "
                f"promises {expected}: the body was cut short",
                **where,
            )

    async def read_chunk(self) -> bytes:
        """The next chunk, or ``b""`` at the end (one call per chunk: used by the sync client)."""
        if not hasattr(self, "_iterator"):
            self._iterator = aiter(self)
        try:
            return await anext(self._iterator)
        except StopAsyncIteration:
            return b""


class FileSink:
    """Writes a download to its destination; for paths, all or nothing.

    A path is written to a temporary file beside it and renamed into place only when the whole
    body has arrived and passed its checks, so an interrupted or rejected download never leaves
    a half file (an existing file at the path is kept until then). A new file gets the mode the
    user's umask gives any new file; a replaced file keeps its mode. A file object is written as
    the bytes arrive and left open.
    """

    def __init__(
        self, destination: Destination, on_progress: Callable[[int, int | None], None] | None
    ) -> None:
        self._destination = destination
        self._on_progress = on_progress
        self._file: BinaryIO | None = None
        self._temp: Path | None = None
        self._path: Path | None = None
        self.written = 0
        self.total: int | None = None
        if isinstance(destination, str | os.PathLike):
            self._path = check_destination(destination)
        elif not hasattr(destination, "write"):
            raise TypeError("destination must be a path or a binary file object with write()")

    def __enter__(self) -> Self:
        target = self._path
        if target is not None:
            try:
                self._mode: int | None = stat.S_IMODE(target.stat().st_mode)
            except FileNotFoundError:
                self._mode = None
            with naming(target):
                fd, self._temp = _create_temp(target, private=self._mode is not None)
            self._file = os.fdopen(fd, "wb")
        else:
            self._file = self._destination  # type: ignore[assignment]  # a file object
        return self

    def write(self, chunk: bytes) -> None:
        """Write one chunk and report progress."""
        assert self._file is not None
        if self._path is None:
            self._file.write(chunk)
        else:
            with naming(self._path):
                self._file.write(chunk)
        self.written += len(chunk)
        if self._on_progress is not None:
            self._on_progress(self.written, self.total)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._temp is None or self._path is None:
            return
        assert self._file is not None
        try:
            with naming(self._path):
                self._file.close()
                if exc_type is None:
                    if self._mode is not None:
                        os.chmod(self._temp, self._mode)
                    os.replace(self._temp, self._path)
        finally:
            # Gone once renamed; a failed download (or a failed rename) leaves nothing behind.
            self._temp.unlink(missing_ok=True)


def _create_temp(target: Path, *, private: bool) -> tuple[int, Path]:
    """Create ``.<name>.<random>.part`` beside ``target``, opened for writing.

    Created like any new file (mode 0o666, less the umask: the mode a new download keeps), or
    0o600 while it replaces a file (whose own mode it gets before the rename).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = target.parent / f".{target.name}.{secrets.token_hex(6)}.part"
        try:
            return os.open(temp, flags, 0o600 if private else 0o666), temp
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
    raise FileExistsError(f"could not create a temporary file beside {str(target)!r}")
