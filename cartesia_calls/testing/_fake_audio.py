"""Synthetic recordings the fake serves for Get Call Audio."""

from __future__ import annotations

import math
import struct
from collections.abc import AsyncIterator

import attrs

__all__ = ["Recording"]


@attrs.define
class Recording:
    """A synthetic WAV recording: a 440 Hz tone, generated as it is served (never all in memory).

    Attributes:
        seconds: its length.
        sample_rate: samples per second (16-bit mono).
    """

    seconds: float
    sample_rate: int = 8000

    @property
    def data_size(self) -> int:
        """Bytes of PCM audio after the header."""
        return int(self.seconds * self.sample_rate) * 2

    @property
    def size(self) -> int:
        """Total bytes, header included."""
        return 44 + self.data_size

    def header(self) -> bytes:
        """The 44-byte RIFF/WAVE header."""
        rate = self.sample_rate
        return (
            b"RIFF"
            + struct.pack("<I", 36 + self.data_size)
            + b"WAVE"
            + b"fmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
            + b"data"
            + struct.pack("<I", self.data_size)
        )

    def chunks(self, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """The whole file in chunks."""
        return _tone(self, chunk_size)


async def _tone(recording: Recording, chunk_size: int) -> AsyncIterator[bytes]:
    period = recording.sample_rate // 440 or 1
    cycle = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * i / period))) for i in range(period)
    )
    block = cycle * max(1, chunk_size // len(cycle))
    yield recording.header()
    remaining = recording.data_size
    while remaining > 0:
        piece = block[: min(len(block), remaining)]
        remaining -= len(piece)
        yield piece
