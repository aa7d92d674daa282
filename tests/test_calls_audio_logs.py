"""The calls resource's logs and audio: reading logs, streaming and downloading recordings."""

from __future__ import annotations

import io
import threading
import tracemalloc
import wave
from pathlib import Path

import pytest

from cartesia_calls import (
    APIConnectionError,
    AsyncClient,
    NotFoundError,
)
from cartesia_calls.testing import FakeCartesia, Recording

# -- logs ---------------------------------------------------------------------------------------


async def test_logs(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_call(id="ac_1", logs=["starting agent", "tool lookup_order ok"])
    logs = await client.calls.logs("ac_1")
    assert logs.call_id == "ac_1"
    assert logs.logs == ["starting agent", "tool lookup_order ok"]
    assert logs.updated_at is not None


async def test_missing_logs_use_the_documented_404_shape(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1")
    with pytest.raises(NotFoundError) as info:
        await client.calls.logs("ac_1")
    assert info.value.title == "Call logs not available"
    # Under 2026-08-14 (the default) the message says why logs may be missing.
    assert "may not be available under 2026-08-14" in str(info.value)
    assert "cartesia_version='2026-03-01'" in str(info.value)


async def test_logs_under_2026_03_01_have_no_version_hint(fake: FakeCartesia) -> None:
    fake.add_call(id="ac_1")
    async with fake.client(cartesia_version="2026-03-01") as client:
        with pytest.raises(NotFoundError) as info:
            await client.calls.logs("ac_1")
    assert "may not be available" not in str(info.value)


# -- audio --------------------------------------------------------------------------------------


async def test_download_audio_to_a_path_writes_a_valid_wav(
    fake: FakeCartesia, client: AsyncClient, tmp_path: Path
) -> None:
    fake.add_call(id="ac_1", recording=Recording(seconds=2.0, sample_rate=8000))
    progress: list[tuple[int, int | None]] = []
    target = tmp_path / "call.wav"
    written = await client.calls.download_audio(
        "ac_1", target, on_progress=lambda *a: progress.append(a)
    )
    assert written == target.stat().st_size == 44 + 2 * 8000 * 2
    with wave.open(str(target)) as wav:
        assert wav.getframerate() == 8000
        assert wav.getnframes() == 16000
    assert progress[-1] == (written, written)
    assert list(tmp_path.iterdir()) == [target]


async def test_async_download_writes_off_the_event_loop(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_call(id="ac_1", recording=Recording(seconds=5.0))
    loop_thread = threading.current_thread()
    writers: set[threading.Thread] = set()
    await client.calls.download_audio(
        "ac_1", io.BytesIO(), on_progress=lambda *_: writers.add(threading.current_thread())
    )
    assert writers
    assert loop_thread not in writers


async def test_download_audio_to_a_file_object(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_call(id="ac_1", recording=0.5)
    buffer = io.BytesIO()
    written = await client.calls.download_audio("ac_1", buffer)
    assert buffer.getvalue()[:4] == b"RIFF"
    assert len(buffer.getvalue()) == written


async def test_a_broken_download_leaves_no_file(
    fake: FakeCartesia, client: AsyncClient, tmp_path: Path
) -> None:
    fake.add_call(id="ac_1", recording=Recording(seconds=20.0))
    target = tmp_path / "call.wav"
    target.write_bytes(b"previous")
    fake.add_fault(action="truncate", path="/agents/calls/ac_1/audio")
    with pytest.raises(APIConnectionError):
        await client.calls.download_audio("ac_1", target)
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call.wav"]


async def test_missing_recording_is_not_found_and_writes_nothing(
    fake: FakeCartesia, client: AsyncClient, tmp_path: Path
) -> None:
    fake.add_call(id="ac_1")
    with pytest.raises(NotFoundError):
        await client.calls.download_audio("ac_1", tmp_path / "x.wav")
    assert list(tmp_path.iterdir()) == []


async def test_stream_audio_yields_chunks(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_call(id="ac_1", recording=Recording(seconds=3.0))
    async with client.calls.stream_audio("ac_1", chunk_size=4096) as stream:
        assert stream.content_type == "audio/wav"
        sizes = [len(chunk) async for chunk in stream]
    assert max(sizes) <= 4096
    assert sum(sizes) == stream.content_length == stream.bytes_read


async def test_download_of_a_24_mb_recording_keeps_memory_flat(
    fake: FakeCartesia, client: AsyncClient, tmp_path: Path
) -> None:
    recording = Recording(seconds=750.0, sample_rate=16000)  # 24 MB of 16-bit mono
    assert recording.size > 24_000_000
    fake.add_call(id="ac_1", recording=recording)
    tracemalloc.start()
    try:
        written = await client.calls.download_audio("ac_1", tmp_path / "big.wav")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == recording.size
    # The fake server shares this process; both sides together stay far below the file size.
    assert peak < 4_000_000, peak
