"""Downloads that "succeed" with the wrong bytes: an HTML or JSON page with a 200, a WAV longer or
shorter than its header, a body cut with no Content-Length. Each is an error, and a good recording
already at the destination stays as it was (bytes and mode)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cartesia_calls import APIConnectionError, AsyncClient, Client, ResponseDecodeError
from cartesia_calls._audio import riff_length

from .hostile import SECRET, HostileServer, Request, Wire, serving_in_thread, wav

AUDIO = "/agents/calls/ac_1/audio"
GOOD = wav(b"good recording " * 100)
NEW = wav(b"\x01\x02" * 40_000)  # several chunks


def answer(
    body: bytes,
    content_type: str | None = "audio/wav",
    *,
    content_length: bool = True,
    drip: int = 0,
) -> HostileServer:
    """A server answering the audio request with ``body`` (dripped ``drip`` bytes at a time)."""

    async def script(request: Request, wire: Wire) -> None:
        headers = {} if content_type is None else {"Content-Type": content_type}
        if not drip:
            await wire.respond(200, headers, body, content_length=content_length or None)
            return
        if content_length:
            headers["Content-Length"] = str(len(body))
        else:
            headers["Connection"] = "close"
        await wire.head(200, headers)
        await wire.drip(body, size=drip)
        await wire.close()

    return HostileServer(script)


@pytest.fixture
def recording(tmp_path: Path) -> Iterator[Path]:
    """A good recording already at the destination, mode 0o640."""
    target = tmp_path / "call.wav"
    target.write_bytes(GOOD)
    target.chmod(0o640)
    yield target
    # Whatever happened, no temporary file is left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["call.wav"]


def unchanged(target: Path) -> bool:
    return target.read_bytes() == GOOD and (target.stat().st_mode & 0o777) == 0o640


WRONG_TYPES = [
    (b"<html><title>Login</title></html>", "text/html; charset=utf-8"),
    (b'{"error": "quota exceeded"}', "application/json"),
    (b"Service temporarily unavailable", "text/plain"),
    (GOOD, "image/png"),
]


@pytest.mark.parametrize(("body", "content_type"), WRONG_TYPES, ids=lambda v: str(v)[:20])
async def test_a_2xx_that_is_not_audio_is_an_error(
    recording: Path, body: bytes, content_type: str
) -> None:
    async with answer(body, content_type) as server, server.client() as client:
        with pytest.raises(ResponseDecodeError, match="instead of audio") as info:
            await client.calls.download_audio("ac_1", recording)
    assert info.value.status_code == 200
    assert content_type in str(info.value)
    assert unchanged(recording)


@pytest.mark.parametrize(
    "content_type",
    ["audio/wav", "audio/x-wav; codecs=1", "AUDIO/MPEG", None],
    ids=str,
)
async def test_audio_and_unlabelled_bytes_are_accepted(
    tmp_path: Path, content_type: str | None
) -> None:
    async with answer(NEW, content_type) as server, server.client() as client:
        written = await client.calls.download_audio("ac_1", tmp_path / "new.wav")
    assert written == len(NEW)
    assert (tmp_path / "new.wav").read_bytes() == NEW


async def test_octet_stream_is_accepted_like_audio(tmp_path: Path) -> None:
    async with answer(NEW, "application/octet-stream") as server, server.client() as client:
        await client.calls.download_audio("ac_1", tmp_path / "new.wav")
    assert (tmp_path / "new.wav").read_bytes() == NEW


CUT = NEW[:-1000]
BAD_SIZES = [
    pytest.param(CUT, True, 1, APIConnectionError, "cut short", id="shorter, Content-Length"),
    pytest.param(CUT, False, 0, APIConnectionError, "cut short", id="cut, no Content-Length"),
    pytest.param(CUT, False, 1, APIConnectionError, "cut short", id="cut, dripped"),
    pytest.param(NEW + b"junk" * 10, True, 0, ResponseDecodeError, "goes on past", id="longer"),
    pytest.param(NEW + b"junk", False, 3, ResponseDecodeError, "goes on past", id="longer, drip"),
    pytest.param(NEW[:6], True, 1, APIConnectionError, "cut short", id="header cut"),
    pytest.param(
        wav(riff_size=10) + b"\0" * 100, True, 0, ResponseDecodeError, "past", id="tiny RIFF size"
    ),
]


@pytest.mark.parametrize(("body", "length", "drip", "error", "words"), BAD_SIZES)
async def test_a_wav_whose_size_is_not_its_headers_is_an_error(
    recording: Path,
    body: bytes,
    length: bool,
    drip: int,
    error: type[Exception],
    words: str,
) -> None:
    async with (
        answer(body, content_length=length, drip=drip) as server,
        server.client() as client,
    ):
        with pytest.raises(error, match=words):
            await client.calls.download_audio("ac_1", recording)
    assert unchanged(recording)


@pytest.mark.parametrize("placeholder", [0, 0xFFFFFFFF])
async def test_streaming_placeholder_sizes_are_accepted(tmp_path: Path, placeholder: int) -> None:
    body = wav(b"\x00" * 5000, riff_size=placeholder)
    async with answer(body, content_length=False) as server, server.client() as client:
        await client.calls.download_audio("ac_1", tmp_path / "a.wav")
    assert (tmp_path / "a.wav").read_bytes() == body


async def test_non_riff_audio_is_not_size_checked(tmp_path: Path) -> None:
    mp3 = b"ID3\x03\x00" + os.urandom(3000)
    async with (
        answer(mp3, "audio/mpeg", content_length=False) as server,
        server.client() as client,
    ):
        await client.calls.download_audio("ac_1", tmp_path / "a.mp3")
    assert (tmp_path / "a.mp3").read_bytes() == mp3


def test_riff_length() -> None:
    assert riff_length(wav(b"ab")) == len(wav(b"ab"))
    assert riff_length(b"RIFF\x00\x00\x00\x00WAVE") is None
    assert riff_length(b"RIFF\xff\xff\xff\xffWAVE") is None
    assert riff_length(b"RF64\xff\xff\xff\xffWAVE") is None
    assert riff_length(b"RIFF\x04") is None


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


async def test_a_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_mode(
    tmp_path: Path, umask_027: None
) -> None:
    kept = tmp_path / "kept.wav"
    kept.write_bytes(GOOD)
    kept.chmod(0o604)
    async with answer(NEW) as server, server.client() as client:
        await client.calls.download_audio("ac_1", tmp_path / "new.wav")
        await client.calls.download_audio("ac_1", kept)
    assert (tmp_path / "new.wav").stat().st_mode & 0o777 == 0o640  # 0o666 less the umask
    assert kept.stat().st_mode & 0o777 == 0o604
    assert kept.read_bytes() == NEW


async def test_a_stream_checks_the_type_on_opening() -> None:
    async with answer(b"<html></html>", "text/html") as server, server.client() as client:
        with pytest.raises(ResponseDecodeError, match="instead of audio"):
            async with client.calls.stream_audio("ac_1"):
                pytest.fail("the stream must not open")  # pragma: no cover


async def read_stream(client: AsyncClient, chunk_size: int, into: bytearray) -> None:
    """Read the recording of ac_1 chunk by chunk into ``into`` (kept when an error is raised)."""
    async with client.calls.stream_audio("ac_1", chunk_size=chunk_size) as stream:
        async for chunk in stream:
            into += chunk


async def test_a_stream_hands_out_every_chunk_then_raises_when_cut_short() -> None:
    received = bytearray()
    async with answer(CUT, content_length=False) as server, server.client() as client:
        with pytest.raises(APIConnectionError, match="cut short"):
            await read_stream(client, 4096, received)
    assert bytes(received) == CUT


async def test_a_stream_never_hands_out_bytes_past_the_header() -> None:
    received = bytearray()
    async with answer(NEW + b"x" * 10_000, drip=0) as server, server.client() as client:
        with pytest.raises(ResponseDecodeError, match="goes on past"):
            await read_stream(client, 1024, received)
    assert len(received) <= len(NEW)
    assert NEW.startswith(bytes(received))


def test_the_sync_client_keeps_the_old_file_too(recording: Path) -> None:
    async def script(request: Request, wire: Wire) -> None:
        await wire.respond(200, {"Content-Type": "audio/wav"}, NEW[:-10], content_length=None)

    def read(client: Client, into: bytearray) -> None:
        with client.calls.stream_audio("ac_1") as stream:
            for chunk in stream:
                into += chunk

    received = bytearray()
    with (
        serving_in_thread(script) as server,
        Client(api_key=SECRET, base_url=server.base_url, max_retries=0) as client,
    ):
        with pytest.raises(APIConnectionError, match="cut short"):
            client.calls.download_audio("ac_1", recording)
        with pytest.raises(APIConnectionError, match="cut short"):
            read(client, received)
    assert bytes(received) == NEW[:-10]
    assert unchanged(recording)
