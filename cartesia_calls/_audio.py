"""Call recordings: a streamed body, and atomic writing of it to a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from ._transport import StreamingResponse

__all__ = ["AudioStream", "Destination", "FileSink"]

#: Where a recording may be written: a path, or an open binary file object.
Destination = str | os.PathLike[str] | BinaryIO

DEFAULT_CHUNK_SIZE = 64 * 1024


class AudioStream:
    """An open recording (``audio/wav``), read chunk by chunk: ``async for chunk in stream``.

    Obtained from ``async with client.calls.stream_audio(call_id) as stream``; the connection is
    released when the ``async with`` block ends. Only one chunk is held in memory at a time.

    Attributes:
        content_type: the media type the server announced (normally ``audio/wav``).
        content_length: the size in bytes, when the server announced it.
        bytes_read: how many bytes have been read so far.
    """

    def __init__(self, response: StreamingResponse, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        self._response = response
        self._chunk_size = chunk_size
        self.content_type: str | None = response.headers.get("Content-Type")
        self.content_length: int | None = response.content_length
        self.bytes_read = 0

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.iter_bytes(self._chunk_size):
            self.bytes_read += len(chunk)
            yield chunk

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
    body has arrived, so an interrupted download never leaves a half file (an existing file at
    the path is kept until then). A file object is written as the bytes arrive and left open.
    """

    def __init__(
        self, destination: Destination, on_progress: Callable[[int, int | None], None] | None
    ) -> None:
        self._destination = destination
        self._on_progress = on_progress
        self._file: BinaryIO | None = None
        self._temp: Path | None = None
        self.written = 0
        self.total: int | None = None
        if isinstance(destination, str | os.PathLike):
            target = Path(destination)
            if target.is_dir():
                raise IsADirectoryError(f"destination {str(target)!r} is a directory")
            if not target.parent.exists():
                raise FileNotFoundError(f"the folder {str(target.parent)!r} does not exist")
        elif not hasattr(destination, "write"):
            raise TypeError("destination must be a path or a binary file object with write()")

    def __enter__(self) -> Self:
        if isinstance(self._destination, str | os.PathLike):
            target = Path(self._destination)
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".part", dir=target.parent
            )
            self._temp = Path(name)
            self._file = os.fdopen(fd, "wb")
        else:
            self._file = self._destination
        return self

    def write(self, chunk: bytes) -> None:
        """Write one chunk and report progress."""
        assert self._file is not None
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
        if self._temp is None:
            return
        assert self._file is not None
        self._file.close()
        if exc_type is None:
            os.replace(self._temp, Path(self._destination))  # type: ignore[arg-type]
        else:
            self._temp.unlink(missing_ok=True)
